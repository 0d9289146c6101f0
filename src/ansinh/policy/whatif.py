"""See the effect of a policy value before it applies: the commune's own data computed with the
values in force and with the value added.

- Poverty values: the current round's surveyed households, and the households decided in the
  previous annual round, classified on the current round's standard date both ways; how many
  move from each class to each other, per village, and the list of those that move.
- Allowance values: every open decided case computed for the month the value starts (or this
  month, if later): the monthly total and the cases whose amount changes.
- Health-insurance values: the yearly contribution of a household of 1 to 5 members.

The answers are turned into the engine's frames once; each side is one vectorised call.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.accounts.scopes import Scope
from ansinh.assistance.entitlement import commune_inputs, compute_cases
from ansinh.core.periods import first_of_month
from ansinh.places.models import Commune, Village
from ansinh.policy import provider
from ansinh.policy.models import PolicyValue
from ansinh.poverty.choices import RoundKind
from ansinh.poverty.classification import frames, refusal_message
from ansinh.poverty.models import ReviewRound, RoundHousehold
from ansinh.registry.models import Household
from ansinh.rules import insurance as insurance_rules
from ansinh.rules.errors import RulesError
from ansinh.rules.parameters import ParameterSet, shipped_parameters
from ansinh.rules.poverty import classify

UNCLASSIFIED = ""
MOVED_SHOWN = 500


@dataclass
class Side:
    """The classification of one set of households under one parameter set."""

    classes: dict[int, str] = field(default_factory=dict)  # entry id → class ("" = none)
    refusal: str = ""


@dataclass
class PovertyEffect:
    title: str
    round: ReviewRound
    on: dt.date
    total: int
    before: Side
    after: Side
    matrix: list[tuple[str, str, int]]  # (before, after, count), moved ones only
    by_village: list[tuple[str, list[tuple[str, str, int]]]]
    moved: list[dict[str, Any]]
    unchanged: int


@dataclass
class AllowanceEffect:
    month: dt.date
    cases: int
    total_before: int
    total_after: int
    refusal_before: str = ""
    refusal_after: str = ""
    changed: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class InsuranceEffect:
    on: dt.date
    rows: list[tuple[int, int | None, int | None]]  # members, yearly before, yearly after
    refusal: str = ""


@dataclass
class Effect:
    poverty: list[PovertyEffect] = field(default_factory=list)
    allowance: AllowanceEffect | None = None
    insurance: InsuranceEffect | None = None


def sets_for(entry: PolicyValue) -> tuple[ParameterSet, ParameterSet]:
    """(values in force, values in force with ``entry``) — the entry need not be stored."""
    base = shipped_parameters()
    approved = [e for e in provider.approved_entries() if e.pk != entry.pk]
    return provider.merged(base, approved), provider.merged(base, [*approved, entry])


def effect_of(scope: Scope, entry: PolicyValue) -> Effect:
    before, after = sets_for(entry)
    effect = Effect()
    prefix = entry.name.split(".", 1)[0]
    if prefix in ("poverty", "labour"):
        effect.poverty = poverty_effects(scope.commune_code, before, after)
    if prefix in ("assistance", "social_pension"):
        effect.allowance = allowance_effect(scope.commune_code, entry.valid_from, before, after)
    if prefix == "insurance":
        effect.insurance = insurance_effect(entry.valid_from, before, after)
    return effect


# --------------------------------------------------------------------------- poverty


def _rounds(commune_code: int) -> list[tuple[str, ReviewRound]]:
    rounds = list(
        ReviewRound.objects.filter(commune_id=commune_code).order_by("-standard_date", "-pk")
    )
    if not rounds:
        return []
    current = rounds[0]
    out = [(_("Households surveyed in the current round"), current)]
    previous = next(
        (r for r in rounds[1:] if r.kind == RoundKind.ANNUAL and r.decision_signed_on is not None),
        None,
    )
    if previous is not None:
        out.append((_("Households decided in the previous annual round"), previous))
    return out


def poverty_effects(
    commune_code: int, before: ParameterSet, after: ParameterSet
) -> list[PovertyEffect]:
    rounds = _rounds(commune_code)
    if not rounds:
        return []
    on = rounds[0][1].standard_date
    found = list(Village.objects.filter(commune_id=commune_code).select_related("commune"))
    villages = {v.pk: v.name for v in found}
    areas = {v.pk: v.area_type for v in found}
    return [
        _poverty_effect(title, rnd, on, villages, areas, before, after) for title, rnd in rounds
    ]


def _poverty_effect(
    title: str,
    rnd: ReviewRound,
    on: dt.date,
    villages: dict[int, str],
    areas: dict[int, str],
    before: ParameterSet,
    after: ParameterSet,
) -> PovertyEffect:
    qs = RoundHousehold.objects.filter(round=rnd).exclude(answers={})
    if rnd.decision_signed_on is not None:
        qs = qs.exclude(result_class="")
    rows = list(qs.values_list("pk", "household_id", "village_id", "answers"))
    overrides = dict(
        Household.objects.filter(pk__in=[r[1] for r in rows])
        .exclude(area_type_override="")
        .values_list("pk", "area_type_override")
    )
    surveyed = [
        (str(pk), overrides.get(hh) or areas.get(v, "rural"), answers)
        for pk, hh, v, answers in rows
        if not (answers.get("a") or {}).get("screened_out") and _complete(answers)
    ]
    households, members = frames(surveyed)
    sides = [_side(households, members, on, params) for params in (before, after)]
    info = {pk: (hh, v) for pk, hh, v, _a in rows}
    matrix: Counter[tuple[str, str]] = Counter()
    per_village: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    moved_ids: list[int] = []
    for key, _area, _answers in surveyed:
        pk = int(key)
        pair = (sides[0].classes.get(pk, UNCLASSIFIED), sides[1].classes.get(pk, UNCLASSIFIED))
        if pair[0] == pair[1]:
            continue
        matrix[pair] += 1
        per_village[villages.get(info[pk][1], "?")][pair] += 1
        moved_ids.append(pk)
    codes = dict(
        Household.objects.filter(
            pk__in=[info[pk][0] for pk in moved_ids[:MOVED_SHOWN]]
        ).values_list("pk", "code")
    )
    moved = [
        {
            "household_id": info[pk][0],
            "code": codes.get(info[pk][0], ""),
            "village": villages.get(info[pk][1], ""),
            "before": sides[0].classes.get(pk, UNCLASSIFIED),
            "after": sides[1].classes.get(pk, UNCLASSIFIED),
        }
        for pk in moved_ids[:MOVED_SHOWN]
    ]
    return PovertyEffect(
        title=title,
        round=rnd,
        on=on,
        total=len(surveyed),
        before=sides[0],
        after=sides[1],
        matrix=sorted((b, a, n) for (b, a), n in matrix.items()),
        by_village=sorted(
            (name, sorted((b, a, n) for (b, a), n in c.items())) for name, c in per_village.items()
        ),
        moved=moved,
        unchanged=len(surveyed) - sum(matrix.values()),
    )


def _complete(answers: dict[str, Any]) -> bool:
    b1 = answers.get("b1") or {}
    return b1.get("route") in ("income", "b1") and bool(answers.get("members"))


def _side(households: Any, members: Any, on: dt.date, params: ParameterSet) -> Side:
    if households.height == 0:
        return Side()
    try:
        frame = classify(households, members, on, params, partial=True, check=False)
    except RulesError as exc:
        return Side(refusal=refusal_message(exc))
    codes = frame.get_column("household_code").to_list()
    classes = frame.get_column("class").fill_null(UNCLASSIFIED).to_list()
    return Side(classes={int(c): k for c, k in zip(codes, classes, strict=True)})


# --------------------------------------------------------------------------- allowances


def allowance_effect(
    commune_code: int, starts: dt.date, before: ParameterSet, after: ParameterSet
) -> AllowanceEffect:
    month = max(first_of_month(starts), first_of_month(timezone.localdate()))
    province = Commune.objects.filter(pk=commune_code).values_list("province_id", flat=True).first()
    inputs = commune_inputs(commune_code, month)
    effect = AllowanceEffect(month=month, cases=len(inputs), total_before=0, total_after=0)
    amounts: list[dict[int, int]] = []
    for params, attr in ((before, "refusal_before"), (after, "refusal_after")):
        try:
            frame = compute_cases(inputs, month, province, params) if inputs else None
        except RulesError as exc:
            setattr(effect, attr, refusal_message(exc))
            amounts.append({})
            continue
        if frame is None:
            amounts.append({})
            continue
        amounts.append(dict(zip(frame["key"].to_list(), frame["amount"].to_list(), strict=True)))
    effect.total_before = sum(amounts[0].values())
    effect.total_after = sum(amounts[1].values())
    effect.changed = [
        {"case_id": k, "before": amounts[0].get(k), "after": amounts[1].get(k)}
        for k in sorted(set(amounts[0]) | set(amounts[1]))
        if amounts[0].get(k) != amounts[1].get(k)
    ][:MOVED_SHOWN]
    return effect


# --------------------------------------------------------------------------- insurance


def insurance_effect(starts: dt.date, before: ParameterSet, after: ParameterSet) -> InsuranceEffect:
    on = max(starts, timezone.localdate())
    rows: list[tuple[int, int | None, int | None]] = []
    refusal = ""
    for n in range(1, 6):
        yearly: list[int | None] = []
        for params in (before, after):
            try:
                parts = insurance_rules.household_contributions(n, on, 12, params)
            except RulesError as exc:
                refusal = refusal_message(exc)
                yearly.append(None)
            else:
                yearly.append(sum(p.amount for p in parts))
        rows.append((n, yearly[0], yearly[1]))
    return InsuranceEffect(on=on, rows=rows, refusal=refusal)
