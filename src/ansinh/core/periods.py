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
