"""Ages and months, vectorised (polars expressions) and scalar (for explanations and loops).

Age is counted in completed months/years on a given date: someone born on 2010-03-15 is 15 on
2025-03-15 and still 14 on 2025-03-14. A person born on 29 February completes a year on
1 March in non-leap years.

Rules never compute an age column for a whole batch: "aged at least N" is the same as "born on
or before the cutoff date", so :func:`at_least` turns each age test into one date comparison
(exactly equivalent to ``age_months(dob, on) >= N``; the tests check the equivalence).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

import polars as pl

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def age_months_expr(dob: pl.Expr, on: dt.date) -> pl.Expr:
    """Completed months of age on ``on`` for a column of birth dates."""
    months = (on.year - dob.dt.year().cast(pl.Int32)) * 12 + (
        on.month - dob.dt.month().cast(pl.Int32)
    )
    return months - (dob.dt.day().cast(pl.Int32) > on.day).cast(pl.Int32)


def age_years_expr(dob: pl.Expr, on: dt.date) -> pl.Expr:
    """Completed years of age on ``on``."""
    return age_months_expr(dob, on) // 12


def birth_cutoff(on: dt.date, months: int) -> dt.date:
    """The latest birth date of someone who has completed ``months`` months of age on ``on``."""
    index = on.year * 12 + (on.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(on.day, calendar.monthrange(year, month)[1]))


def at_least(dob: pl.Expr, on: dt.date, *, years: int = 0, months: int = 0) -> pl.Expr:
    """``age on `on` >= years + months`` for a column of birth dates (one date comparison)."""
    return dob <= birth_cutoff(on, years * 12 + months)


def age_months(dob: dt.date, on: dt.date) -> int:
    """Scalar twin of :func:`age_months_expr`."""
    return (on.year - dob.year) * 12 + (on.month - dob.month) - (1 if dob.day > on.day else 0)


def age_years(dob: dt.date, on: dt.date) -> int:
    """Scalar twin of :func:`age_years_expr`."""
    return age_months(dob, on) // 12


def parse_month(month: dt.date | str) -> dt.date:
    """``"2025-07"`` or any date in the month → the first day of that month."""
    if isinstance(month, dt.datetime):
        return month.date().replace(day=1)
    if isinstance(month, dt.date):
        return month.replace(day=1)
    found = _MONTH_RE.match(month.strip())
    if not found or not 1 <= int(found.group(2)) <= 12:
        raise ValueError(f"not a month YYYY-MM: {month!r}")
    return dt.date(int(found.group(1)), int(found.group(2)), 1)
