"""Multidimensional poverty classification, vectorised over a whole batch of households.

Public interface::

    classify(households, members, on, params=None, *, member_detail=False, check=True)
        -> pl.DataFrame   # one row per household, in input order

Each deprivation indicator is one polars expression over the batch: member-level facts are
computed for every member at once and aggregated per household; household-level facts are
column comparisons. One household is simply a batch of one. Every threshold comes from the
dated parameters (:mod:`ansinh.rules.parameters`); the set of indicators is itself dated
(2022–2026: twelve with information assets; from 2027: information assets dropped, waste
treatment added).

Input columns (types as produced by :mod:`ansinh.rules.io`; see ``docs/rules.md``):

* households — ``household_code`` (str, unique), ``area`` (``rural``/``urban``),
  ``income_per_capita`` (int đồng, optional), ``b1_score`` (int, optional; used instead of
  income when present), ``house_type``, ``floor_area_m2`` (float), ``safe_water``,
  ``hygienic_latrine``, ``internet``, ``info_assets`` (standards to 2026), ``waste_treatment``
  (from 2027) — booleans;
* members — ``household_code``, ``member_code``, ``date_of_birth`` (date), ``sex``,
  ``health_insurance`` (bool), ``work``, ``studying`` (bool), ``qualification``,
  ``malnourished`` (bool), ``disability``, ``monthly_allowance`` (bool).

Output columns: ``household_code``, ``date``, ``standard``, ``area``, ``route`` (``income`` or
``b1``), ``income_per_capita``, ``b1_score``, ``income_line`` (the line in đồng, or the score
threshold on the B1 route), ``band_max`` (upper income of the average-living band, income route
only), ``n_members``, the thirteen indicator flags named by their codes (null when the
indicator is not in force on ``on``), ``deprived_count``, ``b_score`` (B1 route),
``deprived`` (codes joined by ``;``), ``class`` (``poor``/``near_poor``/``average``/
``not_poor``), and the facts explanations quote: ``<indicator>_members`` counts for the member
indicators, ``dependants_n``, ``house_type``, ``floor_area_m2`` and the yes/no answers of the
indicators in force as ``answer_<column>`` (e.g. ``answer_safe_water``). With
``member_detail=True`` each member indicator also gets ``<indicator>_member_codes`` (list).

Classification (Decree 07/2021/NĐ-CP Art. 3; Decree 351/2025/NĐ-CP from 2027): a household is
poor when its income (or B1 score A) is at most the line of its area and at least three
indicators are deprived (on the B1 route: score B = 10 × deprived ≥ 30); near-poor when at most
the line with fewer deprivations; of average living standard when its income is above the
line and at most the band; otherwise not poor. The average class exists on the income route
only.

Refusals: parameters marked missing for the date raise
:class:`~ansinh.rules.errors.MissingParameterError` listing all of them (e.g. the 2027
indicator thresholds and average-living band, the 2027 B1 threshold). The average-living band
is needed as soon as one household is classified by income, the B1 threshold as soon as one has
a B1 score. Broken input raises :class:`~ansinh.rules.errors.InputError` (unless
``check=False``, for callers such as :mod:`ansinh.rules.io` that validated it already).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import polars as pl

from ansinh.rules._frame import problems
from ansinh.rules.dates import at_least
from ansinh.rules.errors import InputError, MissingParameterError, ParameterError
from ansinh.rules.parameters import ParameterSet, ParamValue, default_parameters

__all__ = [
    "AREAS",
    "CLASSES",
    "CLASS_RANK",
    "DISABILITIES",
    "HOUSEHOLD_SCHEMA",
    "HOUSE_TYPES",
    "INDICATORS",
    "MEMBER_INDICATORS",
    "MEMBER_SCHEMA",
    "QUALIFICATIONS",
    "SEXES",
    "WORK_STATUSES",
    "YES_NO_INDICATOR_COLUMNS",
    "classify",
    "members_aligned",
    "parameters_for",
]

#: Every indicator code that ever existed, in the order of the batch format (decree order,
#: with ``waste`` last).
INDICATORS: tuple[str, ...] = (
    "employment",
    "dependants",
    "nutrition",
    "health_insurance",
    "adult_education",
    "school_attendance",
    "housing_quality",
    "floor_area",
    "water",
    "latrine",
    "telecom",
    "info_assets",
    "waste",
)
#: Indicators computed from member facts.
MEMBER_INDICATORS: tuple[str, ...] = (
    "employment",
    "dependants",
    "nutrition",
    "health_insurance",
    "adult_education",
    "school_attendance",
)
#: Household yes/no column behind each yes/no indicator.
YES_NO_INDICATOR_COLUMNS: dict[str, str] = {
    "water": "safe_water",
    "latrine": "hygienic_latrine",
    "telecom": "internet",
    "info_assets": "info_assets",
    "waste": "waste_treatment",
}

AREAS = ("rural", "urban")
HOUSE_TYPES = ("durable", "semi_durable", "less_durable", "makeshift")
SEXES = ("male", "female")
WORK_STATUSES = ("wage_contract", "wage_no_contract", "self_employed", "unemployed", "not_working")
QUALIFICATIONS = (
    "none",
    "primary",
    "lower_secondary",
    "upper_secondary",
    "vocational",
    "college_or_higher",
)
DISABILITIES = ("none", "mild", "severe", "extremely_severe")
CLASSES = ("poor", "near_poor", "average", "not_poor")
#: Higher = poorer; used by the monotonicity properties and by callers comparing results.
CLASS_RANK = {"not_poor": 0, "average": 1, "near_poor": 2, "poor": 3}

HOUSEHOLD_SCHEMA: dict[str, pl.DataType] = {
    "household_code": pl.String(),
    "area": pl.String(),
    "income_per_capita": pl.Int64(),
    "b1_score": pl.Int64(),
    "house_type": pl.String(),
    "floor_area_m2": pl.Float64(),
    "safe_water": pl.Boolean(),
    "hygienic_latrine": pl.Boolean(),
    "internet": pl.Boolean(),
    "info_assets": pl.Boolean(),
    "waste_treatment": pl.Boolean(),
}
MEMBER_SCHEMA: dict[str, pl.DataType] = {
    "household_code": pl.String(),
    "member_code": pl.String(),
    "date_of_birth": pl.Date(),
    "sex": pl.String(),
    "health_insurance": pl.Boolean(),
    "work": pl.String(),
    "studying": pl.Boolean(),
    "qualification": pl.String(),
    "malnourished": pl.Boolean(),
    "disability": pl.String(),
    "monthly_allowance": pl.Boolean(),
}
_OPTIONAL_HOUSEHOLD = ("income_per_capita", "b1_score", "info_assets", "waste_treatment")

_STANDARD_NAMES = (
    "poverty.standard",
    "poverty.indicators",
    "poverty.min_deprived_indicators",
    "poverty.income_line.rural",
    "poverty.income_line.urban",
)
_LABOUR_NAMES = (
    "labour.working_age_from",
    "labour.retirement_age.male",
    "labour.retirement_age.female",
)
_B1_NAMES = (
    "poverty.b1_threshold.rural",
    "poverty.b1_threshold.urban",
    "poverty.b2_points_per_indicator",
    "poverty.b2_poor_min_score",
)
_BAND_NAMES = ("poverty.average_band_max.rural", "poverty.average_band_max.urban")


def parameters_for(
    on: dt.date,
    params: ParameterSet | None = None,
    *,
    need_b1: bool = False,
    need_band: bool = True,
    partial: bool = False,
) -> dict[str, ParamValue]:
    """Every parameter value the classification uses on ``on``.

    Refuses with :class:`MissingParameterError` naming *all* absent values at once. With
    ``partial``, a missing average-living band or missing B1/B2 scores are left out of the
    result instead (they concern only some households: :func:`classify` with ``partial``).
    """
    params = params or default_parameters()
    indicators = params.value("poverty.indicators", on)
    names = [*_STANDARD_NAMES]
    names += [f"poverty.indicator.{code}" for code in indicators.value]
    if "employment" in indicators.value:
        names += _LABOUR_NAMES
    groups = [g for needed, g in ((need_b1, _B1_NAMES), (need_band, _BAND_NAMES)) if needed]
    if not partial:  # one refusal naming every missing value
        return params.resolve([*names, *(n for g in groups for n in g)], on)
    values = params.resolve(names, on)
    for group in groups:
        # each area's band on its own: the rural band classifies rural households even while
        # the urban one is missing (and the reverse)
        for part in [(n,) for n in group] if group is _BAND_NAMES else [group]:
            try:
                values.update(params.resolve(list(part), on))
            except MissingParameterError:
                continue  # concerns only some households: classify() flags them
    return values


def missing_for(
    on: dt.date, params: ParameterSet | None = None
) -> dict[str, list[tuple[str, str, str]]]:
    """What a partial classification on ``on`` lacks: ``{"band": [...], "b1": [...]}`` with
    the :class:`MissingParameterError` items of each group (empty lists when present)."""
    params = params or default_parameters()
    out: dict[str, list[tuple[str, str, str]]] = {}
    for key, group in (("band", _BAND_NAMES), ("b1", _B1_NAMES)):
        try:
            params.resolve(group, on)
        except MissingParameterError as exc:
            out[key] = list(exc.missing)
        else:
            out[key] = []
    return out


def _field(values: Mapping[str, ParamValue], name: str, key: str) -> Any:
    raw = values[name].value
    if not isinstance(raw, dict) or key not in raw:
        raise ParameterError(f"parameter {name} ({values[name].version}) needs the key {key!r}")
    return raw[key]


def _member_flags(
    values: Mapping[str, ParamValue], indicators: tuple[str, ...], on: dt.date
) -> dict[str, pl.Expr]:
    """One boolean expression per member indicator in force (True = this member deprives).

    Every age test is a birth-date comparison (:func:`ansinh.rules.dates.at_least`).
    """
    dob = pl.col("date_of_birth")

    def aged(years: int = 0, months: int = 0) -> pl.Expr:
        return at_least(dob, on, years=years, months=months)

    flags: dict[str, pl.Expr] = {}
    if "employment" in indicators:
        deprived_work = list(_field(values, "poverty.indicator.employment", "deprived_work"))
        retired = (
            pl.when(pl.col("sex") == "male")
            .then(aged(months=int(values["labour.retirement_age.male"].value)))
            .otherwise(aged(months=int(values["labour.retirement_age.female"].value)))
        )
        flags["employment"] = (
            aged(int(values["labour.working_age_from"].value))
            & ~retired
            & pl.col("work").is_in(deprived_work)
        )
    if "dependants" in indicators:
        name = "poverty.indicator.dependants"
        dep = ~aged(int(_field(values, name, "child_under_age"))) | aged(
            int(_field(values, name, "elderly_from_age"))
        )
        if _field(values, name, "disabled_with_allowance"):
            dep = dep | ((pl.col("disability") != "none") & pl.col("monthly_allowance"))
        flags["dependants"] = dep
    if "nutrition" in indicators:
        under = int(_field(values, "poverty.indicator.nutrition", "child_under_age"))
        flags["nutrition"] = ~aged(under) & pl.col("malnourished")
    if "health_insurance" in indicators:
        from_age = int(_field(values, "poverty.indicator.health_insurance", "from_age"))
        flags["health_insurance"] = aged(from_age) & ~pl.col("health_insurance")
    if "adult_education" in indicators:
        bands = _field(values, "poverty.indicator.adult_education", "bands")
        expr = pl.lit(False)
        for band in bands:
            expr = expr | (
                aged(int(band["from_age"]))
                & ~aged(int(band["to_age"]) + 1)
                & pl.col("qualification").is_in(list(band["deprived_qualifications"]))
            )
        flags["adult_education"] = expr & ~pl.col("studying")
    if "school_attendance" in indicators:
        name = "poverty.indicator.school_attendance"
        flags["school_attendance"] = (
            aged(int(_field(values, name, "from_age")))
            & ~aged(int(_field(values, name, "under_age")))
            & ~pl.col("studying")
        )
    return flags


def _fact_name(code: str) -> str:
    return "dependants_n" if code == "dependants" else f"{code}_members"


def members_aligned(households: pl.DataFrame, members: pl.DataFrame) -> bool:
    """True when the members come in contiguous blocks, one per household, in household order.

    That is how household lists are usually exported; the per-household sums can then be taken
    from running totals without hashing any code. The check is exact: the code of each block
    must equal the household code at the same position.
    """
    if households.height == 0 or members.height < households.height:
        return False
    code = members.get_column("household_code")
    if code.null_count():
        return False
    block_codes = code.filter((code != code.shift(-1)).fill_null(True))
    if block_codes.len() != households.height:
        return False
    return bool((block_codes == households.get_column("household_code")).fill_null(False).all())


def _block_sums(members: pl.DataFrame, flags: Mapping[str, pl.Expr]) -> pl.DataFrame:
    """Per-block sums (aligned layout) from running totals taken at each block's last row."""
    code = pl.col("household_code")
    last = (code != code.shift(-1)).fill_null(True)
    names = ["n_members", *[_fact_name(c) for c in flags]]
    totals = members.lazy().select(
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("n_members"),
        *[e.cast(pl.Int64).cum_sum().alias(_fact_name(c)) for c, e in flags.items()],
        last.alias("_last"),
    )
    return (
        totals.filter(pl.col("_last"))
        .select([pl.col(n).diff().fill_null(pl.col(n)).alias(n) for n in names])
        .collect()
    )


def _household_checks(households: pl.DataFrame, indicators: tuple[str, ...]) -> list[str]:
    checks = [
        ("area not rural/urban", ~pl.col("area").is_in(AREAS).fill_null(False)),
        ("bad house_type", ~pl.col("house_type").is_in(HOUSE_TYPES).fill_null(False)),
        ("floor_area_m2 missing or negative", ~(pl.col("floor_area_m2") >= 0).fill_null(False)),
        (
            "neither income_per_capita nor b1_score",
            pl.col("income_per_capita").is_null() & pl.col("b1_score").is_null(),
        ),
        ("household_code missing", pl.col("household_code").is_null()),
    ]
    for code, column in YES_NO_INDICATOR_COLUMNS.items():
        if code in indicators:
            checks.append((f"{column} missing", pl.col(column).is_null()))
    found = problems(households, "household_code", checks)
    codes = households.get_column("household_code")
    if codes.n_unique() != codes.len():
        found += problems(
            households,
            "household_code",
            [("duplicate household_code", pl.col("household_code").is_duplicated())],
        )
    return found


def _member_checks(members: pl.DataFrame, on: dt.date) -> list[str]:
    checks = [
        (
            "date_of_birth missing or after the date",
            ~(pl.col("date_of_birth") <= on).fill_null(False),
        ),
        ("bad sex", ~pl.col("sex").is_in(SEXES).fill_null(False)),
        ("bad work", ~pl.col("work").is_in(WORK_STATUSES).fill_null(False)),
        ("bad qualification", ~pl.col("qualification").is_in(QUALIFICATIONS).fill_null(False)),
        ("bad disability", ~pl.col("disability").is_in(DISABILITIES).fill_null(False)),
        ("household_code missing", pl.col("household_code").is_null()),
    ]
    checks += [
        (f"{column} missing", pl.col(column).is_null())
        for column in ("health_insurance", "studying", "malnourished", "monthly_allowance")
    ]
    return problems(members, "member_code", checks)


def _with_optional(households: pl.DataFrame) -> pl.DataFrame:
    absent = [c for c in _OPTIONAL_HOUSEHOLD if c not in households.columns]
    if not absent:
        return households
    return households.with_columns(pl.lit(None, dtype=HOUSEHOLD_SCHEMA[c]).alias(c) for c in absent)


def _required_columns(
    households: pl.DataFrame, members: pl.DataFrame, indicators: tuple[str, ...]
) -> None:
    required_h = [c for c in HOUSEHOLD_SCHEMA if c not in _OPTIONAL_HOUSEHOLD]
    required_h += [YES_NO_INDICATOR_COLUMNS[c] for c in ("info_assets", "waste") if c in indicators]
    missing = [f"households.{c}" for c in required_h if c not in households.columns]
    missing += [f"members.{c}" for c in MEMBER_SCHEMA if c not in members.columns]
    if missing:
        raise InputError(f"missing columns: {', '.join(missing)}")


def classify(
    households: pl.DataFrame,
    members: pl.DataFrame,
    on: dt.date,
    params: ParameterSet | None = None,
    *,
    member_detail: bool = False,
    check: bool = True,
    partial: bool = False,
) -> pl.DataFrame:
    """Classify every household under the standard in force on ``on`` (see module docs).

    ``partial``: a value that concerns only some households does not stop the others. Without
    the average-living band, households above the income line are ``not_poor`` and flagged
    ``band_missing``; without the B1/B2 scores, households on the B1 route get no class (null)
    and are flagged ``b1_missing``. Both flag columns are added to the output.
    """
    params = params or default_parameters()
    households = _with_optional(households)
    need_b1 = bool(households.get_column("b1_score").is_not_null().any())
    need_band = bool(households.get_column("b1_score").is_null().any())
    values = parameters_for(on, params, need_b1=need_b1, need_band=need_band, partial=partial)
    indicators = tuple(values["poverty.indicators"].value)
    unknown = [c for c in indicators if c not in INDICATORS]
    if unknown:
        raise ParameterError(f"poverty.indicators: unknown indicator codes {unknown}")
    _required_columns(households, members, indicators)
    if check:
        found = [f"households — {p}" for p in _household_checks(households, indicators)]
        found += [f"members — {p}" for p in _member_checks(members, on)]
        if found:
            raise InputError("; ".join(found))

    flags = _member_flags(values, indicators, on)
    if not member_detail and members_aligned(households, members):
        stats = households.hstack(_block_sums(members, flags))
    else:
        aggs: list[pl.Expr] = [pl.len().cast(pl.Int64).alias("n_members")]
        for code, expr in flags.items():
            aggs.append(expr.sum().cast(pl.Int64).alias(_fact_name(code)))
            if member_detail:
                aggs.append(pl.col("member_code").filter(expr).alias(f"{code}_member_codes"))
        member_stats = (
            members.lazy().group_by("household_code").agg(aggs).collect(engine="streaming")
        )
        if check:
            orphans = member_stats.join(
                households.select("household_code"), on="household_code", how="anti"
            )
            if orphans.height:
                shown = ", ".join(str(c) for c in orphans.get_column("household_code").head(5))
                raise InputError(f"members — unknown household_code: {shown}")
        stats = households.join(
            member_stats, on="household_code", how="left", maintain_order="left"
        )
        if check:
            lonely = stats.filter(pl.col("n_members").is_null())
            if lonely.height:
                shown = ", ".join(str(c) for c in lonely.get_column("household_code").head(5))
                raise InputError(f"households — no members: {shown}")
    result = _classify_households(stats, values, indicators, flags, on, member_detail)
    if not partial:
        return result
    b1_missing = need_b1 and _B1_NAMES[0] not in values
    is_b1 = pl.col("b1_score").is_not_null()
    return result.with_columns(
        (pl.col("band_max").is_null() & ~is_b1 & (pl.col("class") == "not_poor")).alias(
            "band_missing"
        ),
        (pl.lit(b1_missing) & is_b1).alias("b1_missing"),
    ).with_columns(
        pl.when(pl.col("b1_missing"))
        .then(pl.lit(None, pl.String))
        .otherwise("class")
        .alias("class")
    )


def _classify_households(
    stats: pl.DataFrame,
    values: Mapping[str, ParamValue],
    indicators: tuple[str, ...],
    flags: Mapping[str, pl.Expr],
    on: dt.date,
    member_detail: bool,
) -> pl.DataFrame:
    """Long on purpose: one vectorised expression graph, its steps in the order of the standard."""

    def v(name: str) -> pl.Expr:
        return pl.lit(values[name].value) if name in values else pl.lit(None, pl.Int64)

    rural = pl.col("area") == "rural"
    is_b1 = pl.col("b1_score").is_not_null()
    household_flags: dict[str, pl.Expr] = {}
    if "dependants" in indicators:
        share = int(_field(values, "poverty.indicator.dependants", "max_share_percent"))
        household_flags["dependants"] = pl.col("dependants_n") * 100 > pl.col("n_members") * share
    for code in (
        "employment",
        "nutrition",
        "health_insurance",
        "adult_education",
        "school_attendance",
    ):
        if code in indicators:
            household_flags[code] = pl.col(f"{code}_members") > 0
    if "housing_quality" in indicators:
        types = list(_field(values, "poverty.indicator.housing_quality", "deprived_house_types"))
        household_flags["housing_quality"] = pl.col("house_type").is_in(types)
    if "floor_area" in indicators:
        minimum = float(_field(values, "poverty.indicator.floor_area", "min_m2_per_person"))
        household_flags["floor_area"] = pl.col("floor_area_m2") < pl.col("n_members") * minimum
    answers: dict[str, str] = {}
    for code in YES_NO_INDICATOR_COLUMNS:
        if code in indicators:
            name = f"poverty.indicator.{code}"
            column = str(_field(values, name, "column"))
            answer = bool(_field(values, name, "deprived_answer"))
            answers[column] = f"answer_{column}"
            household_flags[code] = pl.col(f"answer_{column}") == answer
    flag_exprs = [
        (household_flags[code] if code in indicators else pl.lit(None, pl.Boolean)).alias(code)
        for code in INDICATORS
    ]
    in_force = [pl.col(code) for code in INDICATORS if code in indicators]

    line = (
        pl.when(is_b1)
        .then(
            pl.when(rural)
            .then(v("poverty.b1_threshold.rural"))
            .otherwise(v("poverty.b1_threshold.urban"))
        )
        .otherwise(
            pl.when(rural)
            .then(v("poverty.income_line.rural"))
            .otherwise(v("poverty.income_line.urban"))
        )
    )
    band = (
        pl.when(is_b1)
        .then(pl.lit(None, pl.Int64))
        .otherwise(
            pl.when(rural)
            .then(v("poverty.average_band_max.rural"))
            .otherwise(v("poverty.average_band_max.urban"))
        )
    )
    deprived_count = pl.col("deprived_count")
    b_score = pl.when(is_b1).then(deprived_count * v("poverty.b2_points_per_indicator"))
    poor_enough = (
        pl.when(is_b1)
        .then(pl.col("b_score") >= v("poverty.b2_poor_min_score"))
        .otherwise(deprived_count >= values["poverty.min_deprived_indicators"].value)
    )
    measure = pl.coalesce("b1_score", "income_per_capita")
    below = measure <= pl.col("income_line")
    klass = (
        pl.when(below & poor_enough)
        .then(pl.lit("poor"))
        .when(below)
        .then(pl.lit("near_poor"))
        .when(~is_b1 & (measure <= pl.col("band_max")))
        .then(pl.lit("average"))
        .otherwise(pl.lit("not_poor"))
    )
    deprived = pl.concat_str(
        [pl.when(pl.col(code)).then(pl.lit(code)) for code in INDICATORS if code in indicators],
        separator=";",
        ignore_nulls=True,
    )
    fact_columns = [_fact_name(code) for code in flags]
    if member_detail:
        fact_columns += [f"{code}_member_codes" for code in flags]
    result = (
        stats.lazy()
        .rename(answers)
        .with_columns(
            pl.lit(on).alias("date"),
            pl.lit(values["poverty.standard"].value).alias("standard"),
            pl.when(is_b1).then(pl.lit("b1")).otherwise(pl.lit("income")).alias("route"),
            line.cast(pl.Int64).alias("income_line"),
            band.cast(pl.Int64).alias("band_max"),
            *flag_exprs,
        )
        .with_columns(pl.sum_horizontal(in_force).cast(pl.Int64).alias("deprived_count"))
        .with_columns(b_score.cast(pl.Int64).alias("b_score"))
        .with_columns(deprived.alias("deprived"), klass.alias("class"))
        .select(
            "household_code",
            "date",
            "standard",
            pl.col("area").cast(pl.String),
            "route",
            "income_per_capita",
            "b1_score",
            "income_line",
            "band_max",
            "n_members",
            *INDICATORS,
            "deprived_count",
            "b_score",
            "deprived",
            "class",
            pl.col("house_type").cast(pl.String),
            pl.col("floor_area_m2").cast(pl.Float64),
            *answers.values(),
            *fact_columns,
        )
    )
    return result.collect()
