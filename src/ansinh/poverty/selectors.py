"""Reads of poverty data. ``status_on`` is what other apps use (allowances, insurance)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q

from ansinh.poverty.choices import PovertyClass
from ansinh.poverty.models import HouseholdStatus


def status_on(household_ids: Iterable[int], on: dt.date) -> dict[int, str]:
    """Official class of each household on ``on`` ("poor", "near_poor", "average",
    "not_poor"); a household with no recorded status is "not_poor"."""
    ids = list(household_ids)
    out = dict.fromkeys(ids, PovertyClass.NOT_POOR.value)
    rows = HouseholdStatus.objects.filter(household_id__in=ids, valid_from__lte=on).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=on)
    )
    for household_id, poverty_class in rows.values_list("household_id", "poverty_class"):
        out[household_id] = poverty_class
    return out
