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

import polars as pl
from django.db import connection
from django.db.models import Func, TextField
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.accounts.scopes import Scope
from ansinh.assistance.entitlement import commune_inputs, compute_cases
from ansinh.core.periods import first_of_month
from ansinh.places.models import Commune, Village
from ansinh.policy import provider
from ansinh.policy.models import PolicyValue
from ansinh.poverty.choices import RoundKind
from ansinh.poverty.classification import refusal_message
from ansinh.poverty.models import ReviewRound, RoundHousehold
from ansinh.registry.models import Household
from ansinh.rules import insurance as insurance_rules
from ansinh.rules.errors import RulesError
from ansinh.rules.parameters import ParameterSet, shipped_parameters
from ansinh.rules.poverty import HOUSEHOLD_SCHEMA, MEMBER_SCHEMA, classify

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
    moved: list[dict[str, Any]]  # the first MOVED_SHOWN
    unchanged: int

    @property
    def moved_total(self) -> int:
        """How many households change class (``moved`` lists the first ones)."""
        return self.total - self.unchanged


@dataclass
class AllowanceEffect:
    month: dt.date
    cases: int
    total_before: int
    total_after: int
    refusal_before: str = ""
    refusal_after: str = ""
    changed: list[dict[str, Any]] = field(default_factory=list)  # the first MOVED_SHOWN
    changed_total: int = 0


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
    entries, households, members = _surveyed(rnd, areas)
    sides = [_side(households, members, on, params) for params in (before, after)]
    matrix: Counter[tuple[str, str]] = Counter()
    per_village: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    moved: list[tuple[int, int, int]] = []  # (entry id, household id, village id)
    before_classes, after_classes = sides[0].classes, sides[1].classes
    for pk, household, village in entries:
        pair = (before_classes.get(pk, UNCLASSIFIED), after_classes.get(pk, UNCLASSIFIED))
        if pair[0] == pair[1]:
            continue
        matrix[pair] += 1
        per_village[villages.get(village, "?")][pair] += 1
        moved.append((pk, household, village))
    shown = moved[:MOVED_SHOWN]
    codes = dict(
        Household.objects.filter(pk__in=[hh for _pk, hh, _v in shown]).values_list("pk", "code")
    )
    return PovertyEffect(
        title=title,
        round=rnd,
        on=on,
        total=len(entries),
        before=sides[0],
        after=sides[1],
        matrix=sorted((b, a, n) for (b, a), n in matrix.items()),
        by_village=sorted(
            (name, sorted((b, a, n) for (b, a), n in c.items())) for name, c in per_village.items()
        ),
        moved=[
            {
                "household_id": hh,
                "code": codes.get(hh, ""),
                "village": villages.get(v, ""),
                "before": before_classes.get(pk, UNCLASSIFIED),
                "after": after_classes.get(pk, UNCLASSIFIED),
            }
            for pk, hh, v in shown
        ],
        unchanged=len(entries) - sum(matrix.values()),
    )


# The parts of the stored answers the engine reads (see ``poverty.classification.frames``),
# decoded by polars from the JSON text the database extracts: a round of 100,000 households
# never becomes 100,000 Python dictionaries.
_A = pl.Struct({"screened_out": pl.Boolean()})
_B1 = pl.Struct({"route": pl.String(), "income_per_capita": pl.Int64(), "b1_score": pl.Int64()})
_B2 = pl.Struct(
    {
        name: dtype
        for name, dtype in HOUSEHOLD_SCHEMA.items()
        if name not in ("household_code", "area", "income_per_capita", "b1_score")
    }
)
_SLICE = 20_000  # rows decoded at a time
_SECTIONS = pl.Struct({"a": _A, "b1": _B1, "b2": _B2})
_MEMBER = pl.Struct(
    {
        name: pl.String() if name == "date_of_birth" else dtype
        for name, dtype in MEMBER_SCHEMA.items()
        if name not in ("household_code", "member_code")
    }
)


def _surveyed(
    rnd: ReviewRound, areas: dict[int, str]
) -> tuple[list[tuple[int, int, int]], pl.DataFrame, pl.DataFrame]:
    """The round's complete surveys (not screened out, a route chosen, members answered; in a
    decided round only those with a result), as ``(entry id, household id, village id)`` in
    entry order, and the engine's household and member frames (household code = entry id)."""
    qs = RoundHousehold.objects.filter(round=rnd).exclude(answers={})
    if rnd.decision_signed_on is not None:
        qs = qs.exclude(result_class="")
    rows = list(
        qs.values_list(  # in the model's order: village, household code
            "pk",
            "household_id",
            "village_id",
            "household__area_type_override",
            _Sections("answers"),
        )
    )
    members = _members(rnd.pk)
    base = (
        pl.DataFrame(
            {
                "pk": [r[0] for r in rows],
                "area": [r[3] or areas.get(r[2], "rural") for r in rows],
                "sections": [r[4] for r in rows],
            },
            schema={"pk": pl.Int64, "area": pl.String, "sections": pl.String},
        )
        .pipe(_decoded, "sections", _SECTIONS)
        .unnest("sections")
    )
    route = pl.col("b1").struct.field("route")
    kept = base.filter(
        ~pl.col("a").struct.field("screened_out").fill_null(False),
        route.is_in(["income", "b1"]).fill_null(False),
        pl.col("pk").is_in(members.get_column("entry").unique().implode()),
    )
    keep = set(kept.get_column("pk").to_list())
    entries = [(r[0], r[1], r[2]) for r in rows if r[0] in keep]
    households = kept.select(
        pl.col("pk").cast(pl.String).alias("household_code"),
        "area",
        pl.when(route == "income")
        .then(pl.col("b1").struct.field("income_per_capita"))
        .alias("income_per_capita"),
        pl.when(route == "b1").then(pl.col("b1").struct.field("b1_score")).alias("b1_score"),
        pl.col("b2").struct.unnest(),
    ).select([pl.col(c).cast(t) for c, t in HOUSEHOLD_SCHEMA.items()])
    members = (
        members.filter(pl.col("entry").is_in(kept.get_column("pk").implode()))
        .select(pl.col("entry").cast(pl.String).alias("household_code"), "member_code", "m")
        .unnest("m")
        .with_columns(pl.col("date_of_birth").str.to_date("%Y-%m-%d"))
        .select([pl.col(c).cast(t) for c, t in MEMBER_SCHEMA.items()])
    )
    return entries, households, members


class _Sections(Func):
    """The answers without the members' parts (members, registry, notes) as JSON text: the
    database reads each document once and sends a few hundred bytes."""

    output_field = TextField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "json_remove(%(expressions)s, '$.members', '$.registry', '$.notes')"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "(%(expressions)s - 'members' - 'registry' - 'notes')::text"
        return self.as_sql(compiler, connection, template=template, **extra)


def _members(round_id: int) -> pl.DataFrame:
    """Every member of the round's surveys: ``entry`` (id), ``member_code`` and ``m`` (the
    member's answers, decoded), the database taking the members' object apart (SQLite
    ``json_each``, PostgreSQL ``jsonb_each``)."""
    table = connection.ops.quote_name(RoundHousehold._meta.db_table)
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT e.id, m.key, m.value::text FROM {table} e CROSS JOIN LATERAL jsonb_each("  # noqa: S608 - quoted name
            "CASE WHEN jsonb_typeof(e.answers -> 'members') = 'object' "
            "THEN e.answers -> 'members' ELSE '{}'::jsonb END) m WHERE e.round_id = %s"
        )
    else:
        sql = (
            f"SELECT e.id, m.key, m.value FROM {table} e, "  # noqa: S608 - quoted name
            "json_each(e.answers, '$.members') m "
            "WHERE e.round_id = %s AND typeof(m.key) = 'text'"  # an object's keys only
        )
    schema = {"entry": pl.Int64, "member_code": pl.String, "m": pl.String}
    parts = []
    with connection.cursor() as cursor:
        cursor.execute(sql, [round_id])
        while rows := cursor.fetchmany(_SLICE):
            parts.append(_decoded(pl.DataFrame(rows, schema=schema, orient="row"), "m", _MEMBER))
    if not parts:
        return _decoded(pl.DataFrame(schema=schema), "m", _MEMBER)
    return pl.concat(parts)


def _decoded(frame: pl.DataFrame, column: str, dtype: pl.Struct) -> pl.DataFrame:
    """``column`` (JSON text) decoded to ``dtype``, a slice at a time: the decoder's working
    memory grows with its input (about 2 KB a document, 650 MB for 350,000 members at once)."""
    parts = [
        part.with_columns(pl.col(column).str.json_decode(dtype))
        for part in frame.iter_slices(_SLICE)
    ]
    if not parts:
        return frame.with_columns(pl.col(column).str.json_decode(dtype))
    return pl.concat(parts)


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
    changed = [
        {"case_id": k, "before": amounts[0].get(k), "after": amounts[1].get(k)}
        for k in sorted(set(amounts[0]) | set(amounts[1]))
        if amounts[0].get(k) != amounts[1].get(k)
    ]
    effect.changed, effect.changed_total = changed[:MOVED_SHOWN], len(changed)
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
