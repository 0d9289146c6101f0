"""The standard in force on a date: its vocabularies, the input schemas, the indicator codes
and every parameter value the classification reads (:func:`parameters_for`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import polars as pl

from ansinh.rules.errors import MissingParameterError, ParameterError
from ansinh.rules.parameters import ParameterSet, ParamValue, default_parameters

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
