"""Synthetic households, members and allowance candidates with believable distributions.

Scales from one commune (~5,000 households) to a province (~1,000,000 households, ~3.5 million
members). Everything is vectorised in polars; randomness comes from hashing the row index with
a per-column salt (deterministic for a given seed, no numpy needed).

Distributions (policy note §5, glossary "believable demo data"): household size 1–8, mean
≈ 3.5; 70% rural; a young-to-middle age pyramid with about 13% aged 60+; monthly income per
person log-normal (median ≈ 4.5 million đồng rural, 6 million urban) so that a few percent fall
under the poverty lines; 10% of households carry a B1 score instead of an income; house types,
water, latrines, internet and information assets with national-survey-like shares; about 6% of
people with a disability, a few percent in Decree 20 groups.

Usage: ``.venv/bin/python bench/gen_households.py --households 5000 --out /tmp/commune``
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
from pathlib import Path

import polars as pl

REFERENCE_DATE = dt.date(2025, 9, 1)


def _u(index: pl.Expr, salt: int, seed: int) -> pl.Expr:
    """Uniform [0, 1) from the row index."""
    return (index.hash(seed * 1_000_003 + salt) % 1_000_000).cast(pl.Float64) / 1_000_000.0


def _normal(index: pl.Expr, salt: int, seed: int) -> pl.Expr:
    """Standard normal by Box–Muller."""
    u1 = _u(index, salt, seed).clip(1e-9, 1.0)
    u2 = _u(index, salt + 1, seed)
    return (-2.0 * u1.log()).sqrt() * (2.0 * math.pi * u2).cos()


def _pick(u: pl.Expr, choices: list[tuple[str, float]]) -> pl.Expr:
    """A categorical draw: cumulative shares over ``u``."""
    expr: pl.Expr | None = None
    acc = 0.0
    chain = None
    for value, share in choices[:-1]:
        acc += share
        chain = (
            pl.when(u < acc).then(pl.lit(value))
            if chain is None
            else chain.when(u < acc).then(pl.lit(value))
        )
    assert chain is not None
    expr = chain.otherwise(pl.lit(choices[-1][0]))
    return expr


def _yes(u: pl.Expr, share: float) -> pl.Expr:
    return pl.when(u < share).then(pl.lit("yes")).otherwise(pl.lit("no"))


def generate(
    households: int, seed: int = 1, on: dt.date = REFERENCE_DATE
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(households, members, people) as string columns, exactly as the CSV files hold them."""
    i = pl.col("i")
    sizes = [(1, 0.10), (2, 0.18), (3, 0.24), (4, 0.25), (5, 0.13), (6, 0.06), (7, 0.03)]
    size_u = _u(i, 1, seed)
    acc = 0.0
    size_expr = None
    for size, share in sizes:
        acc += share
        size_expr = (
            pl.when(size_u < acc).then(pl.lit(size))
            if size_expr is None
            else size_expr.when(size_u < acc).then(pl.lit(size))
        )
    assert size_expr is not None
    rural_u = _u(i, 2, seed)
    income = (
        (
            pl.when(rural_u < 0.7)
            .then(pl.lit(math.log(4_500_000)))
            .otherwise(pl.lit(math.log(6_000_000)))
            + 0.62 * _normal(i, 3, seed)
        ).exp()
        / 10_000
    ).round(0).cast(pl.Int64) * 10_000
    b1 = (220 + 45 * _normal(i, 5, seed)).round(0).cast(pl.Int64).clip(40, 400)
    has_b1 = _u(i, 7, seed) < 0.10
    hh = (
        pl.DataFrame({"i": pl.int_range(households, eager=True, dtype=pl.Int64)})
        .with_columns(size=size_expr.otherwise(pl.lit(8)).cast(pl.Int64))
        .with_columns(
            household_code=pl.format("H{}", pl.col("i").cast(pl.String).str.zfill(7)),
            area=pl.when(rural_u < 0.7).then(pl.lit("rural")).otherwise(pl.lit("urban")),
            income_per_capita=pl.when(has_b1).then(pl.lit(None)).otherwise(income).cast(pl.String),
            b1_score=pl.when(has_b1).then(b1).otherwise(pl.lit(None)).cast(pl.String),
            house_type=_pick(
                _u(i, 9, seed),
                [
                    ("durable", 0.52),
                    ("semi_durable", 0.38),
                    ("less_durable", 0.07),
                    ("makeshift", 0.03),
                ],
            ),
            floor_area_m2=(
                pl.col("size").cast(pl.Float64) * (7.0 + 28.0 * _u(i, 10, seed)).round(1)
            )
            .round(1)
            .cast(pl.String),
            safe_water=_yes(_u(i, 11, seed), 0.95),
            hygienic_latrine=_yes(_u(i, 12, seed), 0.90),
            internet=_yes(_u(i, 13, seed), 0.86),
            info_assets=_yes(_u(i, 14, seed), 0.94),
            waste_treatment=_yes(_u(i, 15, seed), 0.80),
        )
    )
    members = (
        hh.select("i", "household_code", "size")
        .with_columns(rank=pl.int_ranges(0, pl.col("size")))
        .explode("rank")
        .with_row_index("j")
        .with_columns(pl.col("j").cast(pl.Int64))
    )
    j = pl.col("j")
    age_u = _u(j, 21, seed)
    # head of household 22–85; others: children 22%, working age 65%, elderly 13%
    age = (
        pl.when(pl.col("rank") == 0)
        .then(22 + (63 * _u(j, 22, seed) ** 1.3))
        .when(age_u < 0.26)
        .then(16 * _u(j, 23, seed))
        .when(age_u < 0.88)
        .then(16 + 44 * _u(j, 24, seed))
        .otherwise(60 + 35 * _u(j, 25, seed) ** 1.6)
    )
    days = (age * 365.25).cast(pl.Int64)
    members = members.with_columns(
        _age=age.cast(pl.Int64),
        date_of_birth=(pl.lit(on) - pl.duration(days=days)).dt.strftime("%Y-%m-%d"),
    )
    a = pl.col("_age")
    disability = _pick(
        _u(j, 30, seed),
        [("none", 0.94), ("mild", 0.03), ("severe", 0.02), ("extremely_severe", 0.01)],
    )
    members = members.with_columns(
        member_code=pl.format("M{}", j.cast(pl.String).str.zfill(8)),
        sex=pl.when(_u(j, 26, seed) < 0.5).then(pl.lit("male")).otherwise(pl.lit("female")),
        health_insurance=_yes(_u(j, 27, seed), 0.92),
        work=pl.when((a >= 16) & (a < 62))
        .then(
            _pick(
                _u(j, 28, seed),
                [
                    ("wage_contract", 0.30),
                    ("wage_no_contract", 0.15),
                    ("self_employed", 0.40),
                    ("unemployed", 0.03),
                    ("not_working", 0.12),
                ],
            )
        )
        .otherwise(pl.lit("not_working")),
        studying=pl.when((a >= 3) & (a < 16))
        .then(_yes(_u(j, 29, seed), 0.96))
        .when((a >= 16) & (a <= 22))
        .then(_yes(_u(j, 29, seed), 0.55))
        .otherwise(_yes(_u(j, 29, seed), 0.02)),
        qualification=pl.when(a < 11)
        .then(pl.lit("none"))
        .when(a < 15)
        .then(pl.lit("primary"))
        .when(a < 18)
        .then(_pick(_u(j, 31, seed), [("primary", 0.1), ("lower_secondary", 0.9)]))
        .otherwise(
            _pick(
                _u(j, 31, seed),
                [
                    ("none", 0.03),
                    ("primary", 0.12),
                    ("lower_secondary", 0.30),
                    ("upper_secondary", 0.30),
                    ("vocational", 0.12),
                    ("college_or_higher", 0.13),
                ],
            )
        ),
        malnourished=pl.when(a < 16).then(_yes(_u(j, 32, seed), 0.06)).otherwise(pl.lit("no")),
        disability=disability,
    ).with_columns(
        monthly_allowance=pl.when(pl.col("disability").is_in(["severe", "extremely_severe"]))
        .then(_yes(_u(j, 33, seed), 0.85))
        .when(a >= 80)
        .then(_yes(_u(j, 33, seed), 0.5))
        .otherwise(_yes(_u(j, 33, seed), 0.005)),
    )
    # Allowance candidates: every member, with household status and verified groups.
    status = _pick(
        _u(pl.col("i"), 40, seed), [("poor", 0.03), ("near_poor", 0.03), ("other", 0.94)]
    )
    pension = (
        pl.when((a >= 60) & (_u(j, 41, seed) < 0.18))
        .then((3_000_000 + 5_000_000 * _u(j, 42, seed)).cast(pl.Int64) // 1000 * 1000)
        .otherwise(pl.lit(0))
    )
    people = members.with_columns(household=status, pension=pension).with_columns(
        groups=pl.concat_str(
            [
                pl.when(pl.col("disability") == "severe").then(pl.lit("disability_severe")),
                pl.when(pl.col("disability") == "extremely_severe").then(
                    pl.lit("disability_extreme")
                ),
                pl.when((a >= 80) & (pl.col("pension") == 0)).then(pl.lit("elderly_80_no_pension")),
                pl.when((a >= 60) & (pl.col("household") == "poor") & (_u(j, 43, seed) < 0.3)).then(
                    pl.lit("elderly_poor_no_supporter")
                ),
                pl.when((a < 16) & (_u(j, 44, seed) < 0.003)).then(pl.lit("child_no_support")),
                pl.when((a >= 16) & (a <= 22) & (_u(j, 44, seed) < 0.002)).then(
                    pl.lit("student_no_support")
                ),
                pl.when(
                    (a >= 20)
                    & (a < 50)
                    & (pl.col("household") != "other")
                    & (_u(j, 45, seed) < 0.05)
                ).then(pl.lit("single_parent")),
                pl.when((a < 3) & (pl.col("household") != "other") & (_u(j, 46, seed) < 0.2)).then(
                    pl.lit("child_under3_difficult_area")
                ),
                pl.when((pl.col("household") == "poor") & (_u(j, 47, seed) < 0.003)).then(
                    pl.lit("hiv_poor")
                ),
            ],
            separator=";",
            ignore_nulls=True,
        ),
        children=pl.when(_u(j, 45, seed) < 0.05)
        .then((1 + 3 * _u(j, 48, seed)).cast(pl.Int64))
        .otherwise(pl.lit(0)),
        social_pension_request=pl.when(
            ((a >= 75) | ((a >= 70) & (pl.col("household") != "other"))) & (pl.col("pension") == 0)
        )
        .then(_yes(_u(j, 49, seed), 0.9))
        .otherwise(pl.lit("no")),
        decision_month=pl.format(
            "{}-{}",
            (2022 + (4 * _u(j, 50, seed)).cast(pl.Int64)).cast(pl.String),
            (1 + (12 * _u(j, 51, seed)).cast(pl.Int64)).cast(pl.String).str.zfill(2),
        ),
    )
    hh_out = hh.select(
        "household_code",
        "area",
        "income_per_capita",
        "b1_score",
        "house_type",
        "floor_area_m2",
        "safe_water",
        "hygienic_latrine",
        "internet",
        "info_assets",
        "waste_treatment",
    )
    members_out = members.select(
        "household_code",
        "member_code",
        "date_of_birth",
        "sex",
        "health_insurance",
        "work",
        "studying",
        "qualification",
        "malnourished",
        "disability",
        "monthly_allowance",
    )
    people_out = people.select(
        pl.col("member_code").alias("person_code"),
        "date_of_birth",
        "sex",
        "household",
        "groups",
        pl.col("children").cast(pl.String),
        pl.col("pension").cast(pl.String),
        "social_pension_request",
        "decision_month",
    )
    return hh_out, members_out, people_out


def write(out: Path, households: int, seed: int = 1) -> dict[str, Path]:
    """Generate and write households.csv, members.csv and people.csv into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    hh, members, people = generate(households, seed)
    paths = {
        "households": out / "households.csv",
        "members": out / "members.csv",
        "people": out / "people.csv",
    }
    hh.write_csv(paths["households"])
    members.write_csv(paths["members"])
    people.write_csv(paths["people"])
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    paths = write(args.out, args.households, args.seed)
    for name, path in paths.items():
        print(f"{name}: {path} ({path.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
