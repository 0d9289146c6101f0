"""The classification of a batch of households: member facts summed per household, the
indicators, the income (or B1 score) test and the class, in one vectorised expression graph."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import polars as pl

from ansinh.rules.errors import InputError, ParameterError
from ansinh.rules.parameters import ParameterSet, ParamValue, default_parameters
from ansinh.rules.poverty.checks import (
    _household_checks,
    _member_checks,
    _required_columns,
    _with_optional,
)
from ansinh.rules.poverty.indicators import _fact_name, _household_flags, _member_flags
from ansinh.rules.poverty.standard import (
    _B1_NAMES,
    INDICATORS,
    parameters_for,
)


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
    household_flags, answers = _household_flags(values, indicators)
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
