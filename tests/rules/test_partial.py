"""A value that concerns some households does not block the others (issue 12, item 4)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from ansinh.rules.errors import MissingParameterError
from ansinh.rules.explain import explain_poverty, render
from ansinh.rules.poverty import HOUSEHOLD_SCHEMA, MEMBER_SCHEMA, classify, missing_for
from tests.rules.conftest import PARAMS_2027, params_with

ON = dt.date(2027, 1, 1)
REF = {"document": "X", "document_vi": "X", "article": None, "article_vi": None}
WITHOUT_BAND = {
    "parameters": {
        f"poverty.average_band_max.{area}": {
            "values": [{"from": ON, "missing": "not in the texts", "reference": REF}]
        }
        for area in ("rural", "urban")
    }
}


def _house(code: str, income: int | None, b1: int | None = None, poor: bool = False) -> dict:
    return {
        "household_code": code,
        "area": "rural",
        "income_per_capita": income,
        "b1_score": b1,
        "house_type": "makeshift" if poor else "durable",
        "floor_area_m2": 40.0,
        "safe_water": not poor,
        "hygienic_latrine": not poor,
        "internet": True,
        "info_assets": True,
        "waste_treatment": True,
    }


def _frames(rows: list[dict]) -> tuple[pl.DataFrame, pl.DataFrame]:
    members = [
        {
            "household_code": r["household_code"],
            "member_code": f"{r['household_code']}-1",
            "date_of_birth": dt.date(1980, 1, 1),
            "sex": "male",
            "health_insurance": True,
            "work": "self_employed",
            "studying": False,
            "qualification": "upper_secondary",
            "malnourished": False,
            "disability": "none",
            "monthly_allowance": False,
        }
        for r in rows
    ]
    return pl.DataFrame(rows, schema=HOUSEHOLD_SCHEMA), pl.DataFrame(members, schema=MEMBER_SCHEMA)


def test_without_the_band_households_above_the_line_are_not_poor_with_a_note():
    params = params_with(PARAMS_2027).with_document(WITHOUT_BAND, "test")
    households, members = _frames(
        [
            _house("poor", 1_000_000, poor=True),
            _house("near", 2_000_000),
            _house("above", 3_000_000),
        ]
    )
    with pytest.raises(MissingParameterError, match="average-living band"):
        classify(households, members, ON, params)  # strict: the batch format refuses
    out = classify(households, members, ON, params, partial=True)
    assert out["class"].to_list() == ["poor", "near_poor", "not_poor"]
    assert out["band_missing"].to_list() == [False, False, True]
    sentence = render(explain_poverty(out.row(2, named=True), params), "vi")
    assert "chưa xét hộ có mức sống trung bình" in sentence
    assert "chưa xét" not in render(explain_poverty(out.row(0, named=True), params), "vi")


def test_without_b1_scores_only_b1_households_wait():
    params = params_with(PARAMS_2027)  # the fixture gives no 2027 B1/B2 scores
    assert missing_for(ON, params)["b1"]
    assert not missing_for(ON, params)["band"]
    households, members = _frames([_house("b1", None, b1=120), _house("income", 2_000_000)])
    with pytest.raises(MissingParameterError, match="B1 score threshold"):
        classify(households, members, ON, params)
    out = classify(households, members, ON, params, partial=True)
    assert out["class"].to_list() == [None, "near_poor"]
    assert out["b1_missing"].to_list() == [True, False]


def test_each_areas_band_applies_on_its_own():
    """The rural band decides rural households while the urban one is still missing."""
    urban_missing = {
        "parameters": {
            "poverty.average_band_max.urban": WITHOUT_BAND["parameters"][
                "poverty.average_band_max.urban"
            ]
        }
    }
    params = params_with(PARAMS_2027).with_document(urban_missing, "test")
    rural = [_house("in-band", 3_000_000), _house("above", 9_000_000)]
    urban = {**_house("urban", 3_000_000), "area": "urban"}
    households, members = _frames([*rural, urban])
    out = classify(households, members, ON, params, partial=True)
    assert out["class"].to_list() == ["average", "not_poor", "not_poor"]
    assert out["band_missing"].to_list() == [False, False, True]
    assert "chưa xét" not in render(explain_poverty(out.row(1, named=True), params), "vi")
    assert "chưa xét" in render(explain_poverty(out.row(2, named=True), params), "vi")
