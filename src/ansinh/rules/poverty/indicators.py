"""The deprivation indicators as polars expressions: per member (:func:`_member_flags`,
summed per household) and per household (:func:`_household_flags`), thresholds from the dated
parameters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import polars as pl

from ansinh.rules.dates import at_least
from ansinh.rules.parameters import ParamValue
from ansinh.rules.poverty.standard import YES_NO_INDICATOR_COLUMNS, _field


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


def _household_flags(
    values: Mapping[str, ParamValue], indicators: tuple[str, ...]
) -> tuple[dict[str, pl.Expr], dict[str, str]]:
    """One boolean expression per indicator in force over the per-household facts (True =
    deprived), and the renaming of each yes/no column to the ``answer_<column>`` it is read
    from."""
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
    return household_flags, answers
