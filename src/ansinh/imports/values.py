"""Reading one cell the way officers type it: dates as Excel dates, ``dd/mm/yyyy``,
``dd-mm-yyyy``, ``dd.mm.yyyy`` or a year alone; numbers typed as numbers (a CCCD or a phone
that lost its leading 0); "Nam"/"Nữ"; "Chủ hộ", "Vợ", "Con"; ethnic groups by name; amounts
as ``1.500.000`` or ``1,500,000``.

A cell that cannot be read raises :class:`CellError` with an English message (translated when
shown) and its parameters, so that a problem can be stored and shown in the reader's language.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Any

from django.utils import timezone

from ansinh.core.text import fold

MIN_YEAR, MAX_YEAR = 1900, 2100


def gettext_noop(message: str) -> str:
    return message


class CellError(ValueError):
    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


def text(value: Any) -> str:
    """The cell as text: numbers without ``.0``, dates as dd/mm/yyyy, spaces collapsed."""
    if type(value) is str:  # most cells: the other types' checks skipped
        return " ".join(value.split())
    if value is None:
        return ""
    if isinstance(value, bool):
        return "x" if value else ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    return " ".join(str(value).split())


_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_RE = re.compile(r"^(\d{1,2})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{2}|\d{4})$")
_ISO_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_MONTH_YEAR_RE = re.compile(r"^(\d{1,2})\s*[/\-.]\s*(\d{4})$")


def date(value: Any, *, today: dt.date | None = None) -> tuple[dt.date, bool]:
    """(the date, whether only the year was given). A year alone gives 1 January of it,
    a month and year the first of the month (as the paper lists do)."""
    if isinstance(value, dt.datetime):
        return _bounded(value.date()), False
    if isinstance(value, dt.date):
        return _bounded(value), False
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = int(value)
        if number != value:
            raise CellError(gettext_noop("“%(value)s” is not a date."), value=text(value))
        if 1000 <= number <= 9999:  # a year alone (a date cell would have come as a date)
            return _bounded(dt.date(number, 1, 1)), True
        if 10_000 <= number <= 80_000:  # an Excel serial day number (1927-2119)
            return _bounded(_EXCEL_EPOCH + dt.timedelta(days=number)), False
        raise CellError(gettext_noop("“%(value)s” is not a date."), value=text(value))
    raw = text(value)
    if not raw:
        raise CellError(gettext_noop("This cell is empty."))
    if raw.isdigit() and len(raw) == 4:
        year = int(raw)
        if MIN_YEAR <= year <= MAX_YEAR:
            return dt.date(year, 1, 1), True
    if match := _DATE_RE.match(raw):
        day, month, year = (int(g) for g in match.groups())
        if len(match.group(3)) == 2:
            this_year = (today or timezone.localdate()).year % 100  # Vietnam's day
            year += 2000 if year <= this_year else 1900
        return _make(year, month, day, raw), False
    if match := _ISO_RE.match(raw):
        year, month, day = (int(g) for g in match.groups())
        return _make(year, month, day, raw), False
    if match := _MONTH_YEAR_RE.match(raw):
        month, year = (int(g) for g in match.groups())
        return _make(year, month, 1, raw), True
    raise CellError(
        gettext_noop("“%(value)s” is not a date: write it as dd/mm/yyyy (e.g. 05/09/1962)."),
        value=raw[:40],
    )


def _make(year: int, month: int, day: int, raw: str) -> dt.date:
    try:
        day_ = dt.date(year, month, day)
    except ValueError as exc:
        raise CellError(
            gettext_noop("“%(value)s” is not a date of the calendar."), value=raw[:40]
        ) from exc
    return _bounded(day_)


def _bounded(day: dt.date) -> dt.date:
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise CellError(
            gettext_noop("The year %(year)s is outside %(lo)s–%(hi)s."),
            year=day.year,
            lo=MIN_YEAR,
            hi=MAX_YEAR,
        )
    return day


def digits(value: Any, *, length: int | None = None) -> str:
    """A number kept as text: a CCCD typed as a number lost its leading 0
    (79080001234 → 079080001234 when ``length`` is 12)."""
    raw = text(value).replace(" ", "").replace(".", "").replace("-", "")
    raw = raw.removeprefix("'")
    if length and raw.isdigit() and len(raw) == length - 1:
        raw = "0" + raw
    return raw


def phone(value: Any) -> str:
    """A phone as typed; a number cell that lost its 0 (912345678) gets it back."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raw = text(value)
        return "0" + raw if len(raw) in (9, 10) and not raw.startswith(("0", "84")) else raw
    return text(value).removeprefix("'")


def key(value: Any) -> str:
    """The folded form used to compare labels: no diacritics, lower case, no punctuation."""
    return _key(text(value))


@functools.lru_cache(maxsize=16_384)
def _key(raw: str) -> str:
    # cached: a list repeats the same few labels ("Nam", "Con", "Kinh", the village) per row
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(raw)).split())


_SEX = {
    "nam": "male",
    "m": "male",
    "male": "male",
    "trai": "male",
    "nu": "female",
    "f": "female",
    "female": "female",
    "gai": "female",
}


def sex(value: Any) -> str:
    found = _SEX.get(key(value))
    if found is None:
        raise CellError(gettext_noop("“%(value)s”: write Nam or Nữ."), value=text(value)[:40])
    return found


_RELATIONSHIP = {
    "chu ho": "head",
    "ch": "head",
    "chu": "head",
    "head": "head",
    "vo": "spouse",
    "chong": "spouse",
    "vo chong": "spouse",
    "spouse": "spouse",
    "con": "child",
    "con trai": "child",
    "con gai": "child",
    "con nuoi": "child",
    "con ruot": "child",
    "child": "child",
    "con dau": "child_in_law",
    "con re": "child_in_law",
    "dau": "child_in_law",
    "re": "child_in_law",
    "chau": "grandchild",
    "chau noi": "grandchild",
    "chau ngoai": "grandchild",
    "cha": "parent",
    "me": "parent",
    "bo": "parent",
    "cha me": "parent",
    "ba noi": "grandparent",
    "ong noi": "grandparent",
    "ba ngoai": "grandparent",
    "ong ngoai": "grandparent",
    "ong": "grandparent",
    "ba": "grandparent",
    "anh": "sibling",
    "chi": "sibling",
    "em": "sibling",
    "anh trai": "sibling",
    "chi gai": "sibling",
    "em trai": "sibling",
    "em gai": "sibling",
    "anh chi em": "sibling",
    "co": "other_relative",
    "di": "other_relative",
    "chu ruot": "other_relative",
    "bac": "other_relative",
    "cau": "other_relative",
    "thim": "other_relative",
    "mo": "other_relative",
    "chau ho": "other_relative",
    "ho hang": "other_relative",
    "khac": "other",
    "o nho": "other",
    "o ghep": "other",
    "khong": "other",
}


def relationship(value: Any) -> str:
    raw = key(value)
    found = _RELATIONSHIP.get(raw)
    if found is None and raw:
        first = raw.split()[0]
        found = {"con": "child", "chau": "grandchild", "anh": "sibling", "em": "sibling"}.get(first)
    if found is None:
        raise CellError(
            gettext_noop(
                "“%(value)s”: write the relationship to the head as Chủ hộ, Vợ, Chồng, Con, "
                "Cha, Mẹ, Cháu, Anh, Chị, Em, Con dâu, Con rể…"
            ),
            value=text(value)[:40],
        )
    return found


@functools.lru_cache(maxsize=8)
def _ethnic_aliases(choices: tuple[tuple[str, str], ...]) -> dict[str, str]:
    aliases = {key(label): code for code, label in choices}
    aliases.update({"kinh viet": "01", "khmer": "05", "khome": "05", "hmong": "08", "mong": "08"})
    aliases.update({k.replace(" ", ""): v for k, v in list(aliases.items())})
    aliases.update({code: code for code, _label in choices})
    return aliases


def ethnicity(value: Any, choices: list[tuple[str, str]]) -> str:
    """An ethnic group by its name (any spelling of the diacritics and hyphens) or code."""
    raw = key(value)
    if not raw:
        return "01"
    aliases = _ethnic_aliases(tuple(choices))
    found = aliases.get(raw.zfill(2) if raw.isdigit() else raw) or aliases.get(raw.replace(" ", ""))
    if found is None:
        raise CellError(
            gettext_noop("“%(value)s” is not one of the 54 ethnic groups."), value=text(value)[:40]
        )
    return found


def amount(value: Any) -> int:
    """Đồng as an integer: 1500000, 1.500.000, 1,500,000, "1.500.000 đ"."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value != int(value) or value < 0:
            raise CellError(gettext_noop("“%(value)s” is not an amount in đồng."), value=value)
        return int(value)
    raw = re.sub(r"(?i)\s*(vnd|vnđ|đồng|dong|đ|d)\s*$", "", text(value))
    compact = raw.replace(" ", "")
    if re.fullmatch(r"\d{1,3}([.,]\d{3})+", compact):
        compact = compact.replace(".", "").replace(",", "")
    if not compact.isdigit():
        raise CellError(
            gettext_noop("“%(value)s” is not an amount in đồng."), value=text(value)[:40]
        )
    return int(compact)


def yes(value: Any) -> bool:
    """A tick column: x, X, 1, có, yes."""
    return key(value) in {"x", "1", "co", "yes", "v", "true"}
