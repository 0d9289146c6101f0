"""The columns some rules add to their rows before their predicate runs (a rule's ``derive``).

Each is vectorised over the scoped rows of one rule: ``(rows, context) -> rows`` with more
columns, never one Python call per case.
"""

from __future__ import annotations

import polars as pl

from ansinh.rules.allowance import compute
from ansinh.rules.guard.schema import Context

SOCIAL_ASSISTANCE = "social_assistance"
SOCIAL_PENSION = "social_pension"


def _expected_amount(rows: pl.DataFrame, context: Context) -> pl.DataFrame:
    """``expected_amount``, ``expected_scheme``, ``coefficient``: what the allowance rules give
    each case for the month (a pension case is checked against the social pension only)."""
    pension = pl.col("scheme") == SOCIAL_PENSION
    people = rows.select(
        pl.col("id").alias("person_code"),
        "date_of_birth",
        pl.col("household_now").alias("household"),
        pl.when(pension).then(pl.lit("")).otherwise(pl.col("groups")).alias("groups"),
        "children",
        "pension",
        pension.alias("social_pension_request"),
        pl.lit(context.month).alias("decision_month"),
    )
    result = compute(people, context.month, context.province, context.params)
    if not result.get_column("person_code").equals(people.get_column("person_code")):
        raise AssertionError("the allowance rules changed the order of the rows")
    return rows.with_columns(
        result.get_column("amount").alias("expected_amount"),
        result.get_column("scheme").alias("expected_scheme"),
        result.get_column("coefficient").alias("coefficient"),
    )


def _kept_case(rows: pl.DataFrame, context: Context) -> pl.DataFrame:
    """``kept_id``, ``kept_amount``: of a person's cases, the one paid — the higher amount, on
    a tie the Decree 20 allowance (as the allowance rules decide), then the older case."""
    order = [pl.col("amount"), (pl.col("scheme") == SOCIAL_ASSISTANCE), pl.col("id")]
    descending = [True, True, False]
    return rows.with_columns(
        pl.col("id")
        .sort_by(order, descending=descending)
        .first()
        .over("person_id")
        .alias("kept_id"),
        pl.col("amount")
        .sort_by(order, descending=descending)
        .first()
        .over("person_id")
        .alias("kept_amount"),
    )


def _arrears_per_case(rows: pl.DataFrame, context: Context) -> pl.DataFrame:
    """One row per case: its end month, the months still owed and their total."""
    return (
        rows.sort("id", "month")
        .group_by("id", maintain_order=True)
        .agg(
            pl.col("end_month").first(),
            pl.col("amount").sum().alias("total"),
            pl.col("month").alias("months"),
        )
    )
