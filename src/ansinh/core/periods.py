"""Dates and periods. Pure Python."""

from __future__ import annotations

import datetime as dt
import re


def age_on(date_of_birth: dt.date, on: dt.date) -> int:
    """Completed years on ``on``."""
    years = on.year - date_of_birth.year
    if (on.month, on.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    """The first day of the month ``n`` months after (or before, if negative) ``month``'s."""
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def next_month(month: dt.date) -> dt.date:
    """The first day of the month after ``month``'s."""
    return add_months(month, 1)


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """First days of the months from ``start``'s month (included) to ``end`` (excluded)."""
    out, month = [], first_of_month(start)
    while month < end:
        out.append(month)
        month = next_month(month)
    return out


#: The earliest month a payroll or a review may be about.
MIN_MONTH = dt.date(2000, 1, 1)
#: How many months after the current one a payroll or a review may be made for.
MAX_MONTHS_AHEAD = 12


def latest_month(today: dt.date) -> dt.date:
    """The last month (its first day) allowed by :func:`check_month_in_range`."""
    return add_months(today, MAX_MONTHS_AHEAD)


def check_month_in_range(month: dt.date, today: dt.date) -> None:
    """Raise ``ValueError`` for a month before 2000-01 or more than 12 months after today's.

    A payroll for 9999-12 would otherwise compute (and store) every month up to it.
    """
    first = first_of_month(month)
    if first < MIN_MONTH:
        raise ValueError(f"month {month:%Y-%m} is before {MIN_MONTH:%Y-%m}")
    if first > latest_month(today):
        raise ValueError(
            f"month {month:%Y-%m} is more than {MAX_MONTHS_AHEAD} months after {today:%Y-%m}"
        )


# --- dates and months as people type them --------------------------------------------------

_SEP = r"\s*[/.\-]\s*"
_DMY = re.compile(rf"^([0-9]{{1,2}}){_SEP}([0-9]{{1,2}}){_SEP}([0-9]+)$")
_ISO = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$")
_MY = re.compile(rf"^([0-9]{{1,2}}){_SEP}([0-9]+)$")
_ISO_MONTH = re.compile(r"^([0-9]{4})-([0-9]{1,2})$")
_DDMMYYYY = re.compile(r"^([0-9]{2})([0-9]{2})([0-9]{4})$")  # a number pad without "/"
_MMYYYY = re.compile(r"^([0-9]{2})([0-9]{4})$")


class DateTextError(ValueError):
    """A typed date or month that cannot be read; ``code`` says why: ``format`` (not
    dd/mm/yyyy), ``calendar`` (31/02/2026, 13/2026) or ``two_digit_year`` (05/09/62)."""

    def __init__(self, code: str, text: str) -> None:
        super().__init__(f"{text!r}: {code}")
        self.code = code
        self.text = text


def read_date(text: str) -> dt.date:
    """A date typed ``dd/mm/yyyy`` (``d/m/yyyy``; ``.`` or ``-`` also separate; ``ddmmyyyy``
    from a number pad without "/"), whatever the browser's language, or ``yyyy-mm-dd``
    (links, old bookmarks, the API). Digits are ASCII only; a two-digit year is refused
    rather than guessed (05/09/62: 1962 or 2062?)."""
    raw = " ".join(str(text).split())
    if len(raw) > 24:
        raise DateTextError("format", raw[:24])
    if match := _ISO.match(raw):
        year, month, day = (int(g) for g in match.groups())
    elif match := _DMY.match(raw) or _DDMMYYYY.match(raw):
        day, month = int(match.group(1)), int(match.group(2))
        year = _year(match.group(3), raw)
    else:
        raise DateTextError("format", raw)
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise DateTextError("calendar", raw) from None


def read_month(text: str) -> dt.date:
    """A month typed ``mm/yyyy`` (``m/yyyy``, ``mmyyyy``) or ``yyyy-mm``, as its first day; a
    whole date (``dd/mm/yyyy``, ``yyyy-mm-dd``) is taken as its month."""
    raw = " ".join(str(text).split())
    if len(raw) > 24:
        raise DateTextError("format", raw[:24])
    if match := _ISO_MONTH.match(raw):
        year, month = int(match.group(1)), int(match.group(2))
    elif match := _MY.match(raw) or _MMYYYY.match(raw):
        month, year = int(match.group(1)), _year(match.group(2), raw)
    else:
        return first_of_month(read_date(raw))
    if not 1 <= month <= 12 or year < 1:
        raise DateTextError("calendar", raw)
    return dt.date(year, month, 1)


def _year(digits: str, raw: str) -> int:
    if len(digits) == 2:
        raise DateTextError("two_digit_year", raw)
    if len(digits) != 4:
        raise DateTextError("format", raw)
    return int(digits)
