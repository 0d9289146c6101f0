"""Money is integer đồng. Formatting follows Vietnamese usage: 1.500.000 đ. Pure Python."""

from __future__ import annotations


def format_vnd(amount: int | None, *, unit: bool = True, lang: str = "vi") -> str:
    """``1.500.000 đ`` in Vietnamese, ``1,500,000 VND`` in English."""
    if amount is None:
        return ""
    if not isinstance(amount, int):
        raise TypeError("money is integer đồng")
    sign = "-" if amount < 0 else ""
    digits = f"{abs(amount):,}"
    if lang == "vi":
        digits = digits.replace(",", ".")
        return f"{sign}{digits} đ" if unit else f"{sign}{digits}"
    return f"{sign}{digits} VND" if unit else f"{sign}{digits}"
