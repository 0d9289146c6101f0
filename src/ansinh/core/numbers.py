"""Counts, rates and decimals shown the Vietnamese way: ``4.700`` hộ, ``87,7%``. Pure Python.

Every place that shows a number (a page, its chart, a PDF, a spreadsheet's text) rounds it
here, in one way: half away from zero on the number as written (``0.8775`` → ``87,8%``),
never by cutting the float's digits (Django's ``number_format`` cuts: ``87,7``). A headline
and its chart therefore say the same thing. Money has its own function
(:func:`ansinh.core.money.format_vnd`), with the same separators.

Public interface::

    rounded(value, digits=0) -> Decimal          # 87.75, 1 -> Decimal("87.8")
    format_number(value, digits=0, *, lang="vi") # 4700 -> "4.700"; 87.75, 1 -> "87,8"
    format_percent(rate, digits=1, *, unit=True, lang="vi")  # 0.8775 -> "87,8%"
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

__all__ = ["format_number", "format_percent", "rounded"]

Number = int | float | Decimal


def _decimal(value: Number) -> Decimal:
    if isinstance(value, bool):
        raise TypeError("a yes/no is not a number")
    # str() first: the float 0.8775 is read as written, not as 0.87749999999999994671…
    return value if isinstance(value, Decimal) else Decimal(str(value))


def rounded(value: Number, digits: int = 0) -> Decimal:
    """``value`` rounded to ``digits`` decimals, halves away from zero."""
    return _decimal(value).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def format_number(value: Number | None, digits: int = 0, *, lang: str = "vi") -> str:
    """``4.700`` · ``1.234.567`` · ``87,8`` in Vietnamese; ``4,700`` · ``87.8`` in English.
    ``None`` is shown as "—"."""
    if value is None:
        return "—"
    number = rounded(value, digits)
    sign = "-" if number < 0 else ""  # -0,04 rounded to one decimal is 0,0: no sign
    text = f"{abs(number):,.{digits}f}"  # "4,700.0"
    if lang.startswith("vi"):
        text = text.translate(str.maketrans(",.", ".,"))
    return sign + text


def format_percent(
    rate: Number | None, digits: int = 1, *, unit: bool = True, lang: str = "vi"
) -> str:
    """A share (``0.8775``) as a percentage: ``87,8%`` (``87.8%`` in English; ``87,8``
    without ``unit``, for a column headed "(%)")."""
    if rate is None:
        return "—"
    text = format_number(_decimal(rate) * 100, digits, lang=lang)
    return f"{text}%" if unit else text
