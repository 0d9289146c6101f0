"""The input a classification refuses: missing columns, values outside the vocabularies,
duplicate codes (each problem named with the codes of the rows concerned)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from ansinh.rules._frame import problems
from ansinh.rules.errors import InputError
from ansinh.rules.poverty.standard import (
    _OPTIONAL_HOUSEHOLD,
    AREAS,
    DISABILITIES,
    HOUSE_TYPES,
    HOUSEHOLD_SCHEMA,
    MEMBER_SCHEMA,
    QUALIFICATIONS,
    SEXES,
    WORK_STATUSES,
    YES_NO_INDICATOR_COLUMNS,
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
