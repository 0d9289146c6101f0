"""Dates and periods. Pure Python."""

from __future__ import annotations

import datetime as dt


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
