"""Reads of poverty data. ``status_on`` is what other apps use (allowances, insurance)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from ansinh.accounts.scopes import Scope
from ansinh.core import figures
from ansinh.core.selectors import get_or_404
from ansinh.places.models import Village
from ansinh.poverty.choices import EntryStatus, PovertyClass, RoundStatus, Transition
from ansinh.poverty.models import (
    Posting,
    PovertyStatusPeriod,
    ReviewRound,
    RoundHousehold,
    VillageMeeting,
)
from ansinh.registry.choices import HouseholdStatus as RegistryStatus
from ansinh.registry.choices import LifeStatus, Relationship
from ansinh.registry.models import Household, Person

POOR_SET = {PovertyClass.POOR.value, PovertyClass.NEAR_POOR.value}


def status_on(household_ids: Iterable[int], on: dt.date) -> dict[int, str]:
    """Official class of each household on ``on`` ("poor", "near_poor", "average",
    "not_poor"); a household with no recorded status is "not_poor"."""
    ids = list(household_ids)
    out = dict.fromkeys(ids, PovertyClass.NOT_POOR.value)
    rows = PovertyStatusPeriod.objects.filter(household_id__in=ids, valid_from__lte=on).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=on)
    )
    for household_id, poverty_class in rows.values_list("household_id", "poverty_class"):
        out[household_id] = poverty_class
    return out


def status_in_commune(commune_code: int, on: dt.date) -> dict[int, str]:
    """The official class on ``on`` of every household of the commune that has one (the others
    are "not_poor"): one query for a whole commune, instead of ``status_on`` over long lists of
    ids."""
    rows = PovertyStatusPeriod.objects.filter(
        household__commune_id=commune_code, valid_from__lte=on
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
    return dict(rows.values_list("household_id", "poverty_class"))


def transition_of(previous: str, new: str, escaped_before: bool) -> str:
    """The movement of one household between the class before the round and its result.
    ``escaped_before``: the household was poor or near-poor at some earlier time and left."""
    prev_in = previous in POOR_SET
    if new == PovertyClass.POOR:
        if previous == PovertyClass.POOR:
            return Transition.STAYS_POOR
        if previous == PovertyClass.NEAR_POOR:
            return Transition.NEAR_POOR_TO_POOR
        return Transition.RELAPSED_POOR if escaped_before else Transition.NEW_POOR
    if new == PovertyClass.NEAR_POOR:
        if previous == PovertyClass.POOR:
            return Transition.POOR_TO_NEAR_POOR
        if previous == PovertyClass.NEAR_POOR:
            return Transition.STAYS_NEAR_POOR
        return Transition.RELAPSED_NEAR_POOR if escaped_before else Transition.NEW_NEAR_POOR
    if prev_in:
        return (
            Transition.ESCAPED_POOR
            if previous == PovertyClass.POOR
            else Transition.ESCAPED_NEAR_POOR
        )
    return Transition.STAYS_OUT


def escaped_before(household_ids: Iterable[int], before: dt.date) -> set[int]:
    return set(
        PovertyStatusPeriod.objects.filter(
            household_id__in=list(household_ids),
            poverty_class__in=POOR_SET,
            valid_to__isnull=False,
            valid_to__lt=before,
        ).values_list("household_id", flat=True)
    )


# --- the review procedure ---------------------------------------------------------------


def rounds_for(scope: Scope) -> QuerySet[ReviewRound]:
    return ReviewRound.objects.filter(commune_id=scope.commune_code)


def round_get(scope: Scope, pk: int) -> ReviewRound:
    return get_or_404(rounds_for(scope), pk)


def entries_for(scope: Scope, rnd: ReviewRound) -> QuerySet[RoundHousehold]:
    qs = rnd.entries.select_related("household", "village")
    qs = scope.restrict(qs, "village_id")
    return qs


def entry_get(scope: Scope, pk: int) -> RoundHousehold:
    qs = RoundHousehold.objects.filter(round__commune_id=scope.commune_code)
    qs = scope.restrict(qs, "village_id")
    return get_or_404(qs.select_related("round", "household__village", "village"), pk)


def meeting_get(scope: Scope, pk: int) -> VillageMeeting:
    """A village meeting of the commune, in one of the scope's villages, or 404."""
    qs = VillageMeeting.objects.filter(round__commune_id=scope.commune_code)
    qs = scope.restrict(qs, "village_id")
    return get_or_404(qs.select_related("round__commune", "village"), pk)


def posting_get(scope: Scope, pk: int) -> Posting:
    """A public posting of the commune, in one of the scope's villages, or 404."""
    qs = Posting.objects.filter(round__commune_id=scope.commune_code)
    qs = scope.restrict(qs, "village_id")
    return get_or_404(qs.select_related("round__commune", "village"), pk)


def posting_entries(rnd: ReviewRound, village_id: int) -> list[RoundHousehold]:
    """The households of a village's public posting: those with a result, by code (with the
    household and its village, for the address)."""
    return list(
        rnd.entries.filter(village_id=village_id)
        .exclude(result_class="")
        .select_related("household__village")
        .order_by("household__code")
    )


def postings_of(rnd: ReviewRound, village_id: int) -> list[Posting]:
    """The postings already recorded for a village in a round, the latest first."""
    return list(rnd.postings.filter(village_id=village_id).order_by("-posted_on", "-id"))


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


def registered_by(on: dt.date) -> dt.datetime:
    """The first moment after ``on`` (Vietnam's day): a household whose record was created
    before it was registered by ``on``."""
    return timezone.make_aware(dt.datetime.combine(on + dt.timedelta(days=1), dt.time.min))


def rates_shown(scope: Scope, on: dt.date) -> list[dict[str, Any]]:
    """:func:`rates` of the scope's villages on ``on``, as the review page shows them: counted
    once per change of the commune's data (``core/figures``). Reports and exports count anew."""
    villages = None if scope.village_ids is None else tuple(sorted(scope.village_ids))
    code = scope.commune_code
    return figures.counted(
        code, "poverty-rates", lambda: rates(code, on, villages), on, villages
    ).value


def rates(
    commune_code: int,
    on: dt.date,
    village_ids: Iterable[int] | None = None,
    *,
    results: QuerySet[RoundHousehold] | None = None,
) -> list[dict[str, Any]]:
    """Poor and near-poor households per village and for the commune on ``on``, as a share
    of all current households registered by ``on`` (the last row is the commune total): a
    household registered later counts in neither the numerator nor the denominator.

    ``results``: entries of a round not decided yet whose result replaces the official class
    of their household (what the commune reports upward before the chairman's decision)."""
    villages = Village.objects.filter(commune_id=commune_code, is_active=True).order_by("name")
    if village_ids is not None:
        villages = villages.filter(id__in=list(village_ids))
    registered = registered_by(on)
    totals = dict(
        Household.objects.filter(
            commune_id=commune_code, status=RegistryStatus.ACTIVE, created_at__lt=registered
        )
        .values_list("village_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    rows_q = (
        PovertyStatusPeriod.objects.filter(
            household__commune_id=commune_code,
            household__created_at__lt=registered,
            valid_from__lte=on,
            poverty_class__in=[PovertyClass.POOR, PovertyClass.NEAR_POOR],
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .values_list("household__village_id", "poverty_class")
        .annotate(n=Count("id"))
        .order_by()
    )
    if results is not None:
        rows_q = rows_q.exclude(household_id__in=results.values("household_id"))
    counts: Counter[tuple[int, str]] = Counter({(v, c): n for v, c, n in rows_q})
    if results is not None:
        counts.update(
            {
                (v, c): n
                for v, c, n in results.filter(
                    result_class__in=POOR_SET, household__created_at__lt=registered
                )
                .values_list("household__village_id", "result_class")
                .annotate(n=Count("id"))
                .order_by()
            }
        )
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


def round_decided(rnd: ReviewRound) -> bool:
    return rnd.status in (RoundStatus.DECIDED, RoundStatus.CLOSED)


def transitions(rnd: ReviewRound, scope: Scope) -> dict[str, Any]:
    """Movements of a round and the plan's fulfilment (escaped poor / target), in total and per
    village. Once decided: the movements recorded by the decision; before: the movements the
    results agreed by the village meetings would make (``provisional``), as reported upward."""
    entries = entries_for(scope, rnd)
    pairs: list[tuple[int, str]]
    if round_decided(rnd):
        pairs = list(entries.exclude(transition="").values_list("village_id", "transition"))
    else:
        agreed = list(
            entries.filter(status=EntryStatus.AGREED)
            .exclude(result_class="")
            .values_list("household_id", "village_id", "previous_class", "result_class")
        )
        escaped = escaped_before([a[0] for a in agreed], rnd.standard_date)
        pairs = [(v, transition_of(prev, new, h in escaped)) for h, v, prev, new in agreed]
    counts = Counter(t for _v, t in pairs)
    by_village: dict[int, Counter[str]] = {}
    for village_id, t in pairs:
        by_village.setdefault(village_id, Counter())[t] += 1
    rows = [(t.value, t.label, counts.get(t.value, 0)) for t in Transition]
    escaped_poor = counts.get(Transition.ESCAPED_POOR, 0)
    target = rnd.plan_escape_target
    return {
        "rows": rows,
        "counts": counts,
        "by_village": by_village,
        "provisional": not round_decided(rnd),
        "escaped": escaped_poor,
        "target": target,
        "fulfilment": escaped_poor / target if target else None,
    }


def round_report(rnd: ReviewRound, scope: Scope, on: dt.date) -> dict[str, Any]:
    """What the commune reports upward (step 5): per village the households, poor and
    near-poor after the review and their rate, with the movements; the commune totals and the
    plan's fulfilment. Before the decision the results agreed by the village meetings replace
    the official class on ``on``; after it, the official classes on the effective date."""
    if round_decided(rnd):
        on = rnd.effective_date or on
        results = None
    else:
        results = rnd.entries.filter(status=EntryStatus.AGREED).exclude(result_class="")
    rows = rates(rnd.commune_id, on, scope.village_ids, results=results)
    moves = transitions(rnd, scope)
    for row in rows:
        village = row["village"]
        by_village = moves["by_village"]
        row["moves"] = moves["counts"] if village is None else by_village.get(village.pk, {})
    counts = status_counts(rnd, scope)
    return {
        "on": on,
        "rows": rows,
        "moves": moves,
        "listed": sum(counts.values()),
        "agreed": counts.get(EntryStatus.AGREED, 0) + counts.get(EntryStatus.DECIDED, 0),
        "status_counts": counts,
    }


def request_members(entry: RoundHousehold) -> list[dict[str, Any]]:
    """The member table of a request (Form 01/04): each member with the status given in the
    request, head first then the oldest. A request without statuses lists the living members
    with an empty status (to fill in by hand)."""
    stored = {int(k): v for k, v in (entry.request_members or {}).items() if str(k).isdigit()}
    if stored:
        people = list(Person.objects.filter(pk__in=list(stored)))
    else:
        people = list(
            Person.objects.filter(household_id=entry.household_id, life_status=LifeStatus.LIVING)
        )
    people.sort(key=lambda p: (p.relationship != Relationship.HEAD, p.date_of_birth, p.pk))
    return [{"person": p, "status": stored.get(p.pk, "")} for p in people]


def decided_lists(
    rnd: ReviewRound, village_ids: Iterable[int] | None = None
) -> dict[str, list[RoundHousehold]]:
    """Form 02's four lists (only the households of ``village_ids`` if given: a village
    head's extract)."""
    qs = rnd.entries.filter(status=EntryStatus.DECIDED).select_related("household", "village")
    if village_ids is not None:
        qs = qs.filter(village_id__in=list(village_ids))
    entries = list(qs)
    return {
        "poor": [e for e in entries if e.result_class == PovertyClass.POOR],
        "near_poor": [e for e in entries if e.result_class == PovertyClass.NEAR_POOR],
        "escaped_poor": [e for e in entries if e.transition == Transition.ESCAPED_POOR],
        "escaped_near_poor": [e for e in entries if e.transition == Transition.ESCAPED_NEAR_POOR],
    }


def round_uses_illustrative(rnd: ReviewRound) -> bool:
    """Whether a result of the round was computed with an illustrative (demonstration)
    parameter value: every page and PDF of the round then says so."""
    return rnd.entries.filter(explanation__illustrative=True).exists()
