"""Reads of poverty data. ``status_on`` is what other apps use (allowances, insurance)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from ansinh.accounts.scopes import Scope
from ansinh.places.models import Village
from ansinh.poverty.choices import EntryStatus, PovertyClass, Transition
from ansinh.poverty.models import HouseholdStatus, ReviewRound, RoundHousehold
from ansinh.registry.choices import HouseholdStatus as RegistryStatus
from ansinh.registry.models import Household


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


# --- the review procedure ---------------------------------------------------------------


def rounds_for(scope: Scope) -> QuerySet[ReviewRound]:
    return ReviewRound.objects.filter(commune_id=scope.commune_code)


def round_get(scope: Scope, pk: int) -> ReviewRound:
    try:
        return rounds_for(scope).get(pk=pk)
    except ReviewRound.DoesNotExist as exc:
        raise Http404 from exc


def entries_for(scope: Scope, rnd: ReviewRound) -> QuerySet[RoundHousehold]:
    qs = rnd.entries.select_related("household", "village")
    if scope.village_ids is not None:
        qs = qs.filter(village_id__in=scope.village_ids)
    return qs


def entry_get(scope: Scope, pk: int) -> RoundHousehold:
    qs = RoundHousehold.objects.filter(round__commune_id=scope.commune_code)
    if scope.village_ids is not None:
        qs = qs.filter(village_id__in=scope.village_ids)
    try:
        return qs.select_related("round", "household__village", "village").get(pk=pk)
    except RoundHousehold.DoesNotExist as exc:
        raise Http404 from exc


def head_names(household_ids: list[int]) -> dict[int, str]:
    from ansinh.registry.choices import Relationship
    from ansinh.registry.models import Person

    rows = Person.objects.filter(
        household_id__in=household_ids, relationship=Relationship.HEAD
    ).values_list("household_id", "full_name")
    return dict(rows)


def status_counts(rnd: ReviewRound, scope: Scope | None = None) -> dict[str, int]:
    qs = entries_for(scope, rnd) if scope else rnd.entries.all()
    return dict(qs.values_list("status").annotate(n=Count("id")).order_by())


def committee_check(rnd: ReviewRound, scope: Scope) -> dict[str, list[RoundHousehold]]:
    """What the committee looks at before approving: results that change the class, and
    surveys that correct the registry (contradictions)."""
    entries = [e for e in entries_for(scope, rnd) if e.result_class]
    changed = [e for e in entries if e.result_class != e.previous_class]
    contradicting = [e for e in entries if (e.answers or {}).get("notes")]
    return {"changed": changed, "contradicting": contradicting}


def rates(commune_code: int, on: dt.date, village_ids: Iterable[int] | None = None) -> list[dict]:
    """Poor and near-poor households per village and for the commune on ``on``, as a share
    of all current households (the last row is the commune total)."""
    villages = Village.objects.filter(commune_id=commune_code, is_active=True).order_by("name")
    if village_ids is not None:
        villages = villages.filter(id__in=list(village_ids))
    totals = dict(
        Household.objects.filter(commune_id=commune_code, status=RegistryStatus.ACTIVE)
        .values_list("village_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    rows_q = (
        HouseholdStatus.objects.filter(
            household__commune_id=commune_code,
            valid_from__lte=on,
            poverty_class__in=[PovertyClass.POOR, PovertyClass.NEAR_POOR],
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .values_list("household__village_id", "poverty_class")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[tuple[int, str], int] = {(v, c): n for v, c, n in rows_q}
    out = []
    total = {"village": None, "households": 0, "poor": 0, "near_poor": 0}
    for v in villages:
        row = {
            "village": v,
            "households": totals.get(v.pk, 0),
            "poor": counts.get((v.pk, PovertyClass.POOR), 0),
            "near_poor": counts.get((v.pk, PovertyClass.NEAR_POOR), 0),
        }
        out.append(row)
        for k in ("households", "poor", "near_poor"):
            total[k] += row[k]
    out.append(total)
    for row in out:
        both = row["poor"] + row["near_poor"]
        row["both"] = both
        row["rate_poor"] = row["poor"] / row["households"] if row["households"] else 0.0
        row["rate_both"] = both / row["households"] if row["households"] else 0.0
    return out


def transitions(rnd: ReviewRound, scope: Scope) -> dict[str, object]:
    """Movements of a decided round and the plan's fulfilment (escaped poor / target)."""
    counts = dict(
        entries_for(scope, rnd)
        .exclude(transition="")
        .values_list("transition")
        .annotate(n=Count("id"))
        .order_by()
    )
    rows = [(t.value, t.label, counts.get(t.value, 0)) for t in Transition]
    escaped = counts.get(Transition.ESCAPED_POOR, 0)
    target = rnd.plan_escape_target
    return {
        "rows": rows,
        "escaped": escaped,
        "target": target,
        "fulfilment": escaped / target if target else None,
    }


def decided_lists(rnd: ReviewRound) -> dict[str, list[RoundHousehold]]:
    """Form 02's four lists."""
    entries = list(
        rnd.entries.filter(status=EntryStatus.DECIDED).select_related("household", "village")
    )
    return {
        "poor": [e for e in entries if e.result_class == PovertyClass.POOR],
        "near_poor": [e for e in entries if e.result_class == PovertyClass.NEAR_POOR],
        "escaped_poor": [e for e in entries if e.transition == Transition.ESCAPED_POOR],
        "escaped_near_poor": [e for e in entries if e.transition == Transition.ESCAPED_NEAR_POOR],
    }
