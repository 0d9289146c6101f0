"""Shared helpers of the rules-engine tests (pure Python; no database, no Django)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from ansinh.rules.parameters import ParameterSet, load_parameters
from ansinh.rules.parameters import provider as provider_module


@pytest.fixture(autouse=True)
def _pure_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine as a province analyst runs it: no application provider (the web app
    registers one that reads its database; ``tests/policy`` tests that one)."""
    monkeypatch.setattr(provider_module, "_provider", None)


HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
PARAMS_2027 = FIXTURES / "params_2027_TEST_FIXTURE.yaml"
PROVINCE_80 = FIXTURES / "province_80_TEST_FIXTURE.yaml"
B1_TABLE = FIXTURES / "b1_points_TEST_FIXTURE.csv"

HOUSEHOLD_COLUMNS = (
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
MEMBER_COLUMNS = (
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
PEOPLE_COLUMNS = (
    "person_code",
    "date_of_birth",
    "sex",
    "household",
    "groups",
    "children",
    "pension",
    "social_pension_request",
    "decision_month",
)


def text(value: Any) -> str | None:
    """A YAML/Python value as it would stand in a CSV cell."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    return str(value)


def raw_frame(rows: Iterable[Mapping[str, Any]], columns: Iterable[str]) -> pl.DataFrame:
    """String columns + ``_row`` (header = row 1), exactly what ``io.read_table`` returns."""
    rows = list(rows)
    cols = list(columns)
    data: dict[str, Any] = {"_row": pl.Series([i + 2 for i in range(len(rows))], dtype=pl.Int64)}
    for c in cols:
        data[c] = pl.Series([text(r.get(c)) for r in rows], dtype=pl.String)
    return pl.DataFrame(data)


def params_with(*overlays: Path | str) -> ParameterSet:
    return load_parameters(*overlays)


@pytest.fixture
def params_2027() -> ParameterSet:
    return load_parameters(PARAMS_2027)


@pytest.fixture
def province_params() -> ParameterSet:
    return load_parameters(PROVINCE_80)
