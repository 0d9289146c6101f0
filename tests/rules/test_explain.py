"""Structured explanations and their Vietnamese/English sentences."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from ansinh.rules import allowance, poverty
from ansinh.rules.explain import explain_allowance, explain_poverty, format_dong, render

ON = dt.date(2025, 3, 1)


def _household(**over: object) -> pl.DataFrame:
    row = {
        "household_code": "H1",
        "area": "rural",
        "income_per_capita": 1_200_000,
        "b1_score": None,
        "house_type": "makeshift",
        "floor_area_m2": 20.0,
        "safe_water": True,
        "hygienic_latrine": False,
        "internet": True,
        "info_assets": True,
        "waste_treatment": None,
    } | over
    return pl.DataFrame([row], schema=poverty.HOUSEHOLD_SCHEMA)


MEMBERS = pl.DataFrame(
    [
        {
            "household_code": "H1",
            "member_code": "a1",
            "date_of_birth": dt.date(1980, 1, 1),
            "sex": "male",
            "health_insurance": False,
            "work": "unemployed",
            "studying": False,
            "qualification": "primary",
            "malnourished": False,
            "disability": "none",
            "monthly_allowance": False,
        },
        {
            "household_code": "H1",
            "member_code": "a2",
            "date_of_birth": dt.date(2015, 5, 5),
            "sex": "female",
            "health_insurance": True,
            "work": "not_working",
            "studying": True,
            "qualification": "primary",
            "malnourished": False,
            "disability": "none",
            "monthly_allowance": False,
        },
        {
            "household_code": "H1",
            "member_code": "a3",
            "date_of_birth": dt.date(1950, 1, 1),
            "sex": "female",
            "health_insurance": True,
            "work": "not_working",
            "studying": False,
            "qualification": "none",
            "malnourished": False,
            "disability": "none",
            "monthly_allowance": False,
        },
    ],
    schema=poverty.MEMBER_SCHEMA,
)


def test_format_dong() -> None:
    assert format_dong(1_500_000) == "1.500.000 đ"
    assert format_dong(0) == "0 đ"
    assert format_dong(105_300, "en") == "105,300 VND"


def test_poverty_explanation_structure() -> None:
    row = poverty.classify(_household(), MEMBERS, ON, member_detail=True).row(0, named=True)
    e = explain_poverty(row)
    json.dumps(e)  # storable as JSON with the decision
    assert e["class"] == "poor"
    assert e["income_test"] == {
        "route": "income",
        "measure": 1_200_000,
        "line": 1_500_000,
        "band_max": 2_250_000,
        "parameter": e["income_test"]["parameter"],
        "band_parameter": e["income_test"]["band_parameter"],
        "reference": e["income_test"]["reference"],
    }
    assert e["income_test"]["parameter"].startswith("poverty.income_line.rural@2022-01-01#")
    assert e["income_test"]["reference"]["document_vi"] == "Nghị định 07/2021/NĐ-CP"
    by_code = {i["code"]: i for i in e["indicators"]}
    assert len(by_code) == 12
    assert "waste" not in by_code
    assert by_code["employment"]["deprived"] is True
    assert by_code["employment"]["fact"] == {"members": 1, "member_codes": ["a1"]}
    assert by_code["employment"]["threshold"] == {
        "deprived_work": ["unemployed", "wage_no_contract"]
    }
    assert by_code["employment"]["status"] == "check"
    assert by_code["floor_area"]["fact"] == {
        "floor_area_m2": 20.0,
        "members": 3,
        "m2_per_person": 6.67,
    }
    assert by_code["dependants"]["fact"] == {"dependants": 2, "members": 3, "share_percent": 66.7}
    assert by_code["water"] == by_code["water"] | {"deprived": False, "fact": {"safe_water": True}}
    names = {p["name"] for p in e["parameters"]}
    assert {
        "poverty.standard",
        "poverty.indicator.floor_area",
        "labour.retirement_age.male",
    } <= names
    assert all(p["version"] and p["reference"]["document"] for p in e["parameters"])


def test_poverty_sentence_vi_and_en() -> None:
    row = poverty.classify(_household(), MEMBERS, ON).row(0, named=True)
    e = explain_poverty(row)
    assert render(e) == (
        "Hộ nghèo: thu nhập 1.200.000 đ/người/tháng ≤ 1.500.000 đ (nông thôn) và thiếu hụt 6/12 "
        "chỉ số: việc làm, người phụ thuộc trong hộ, BHYT, chất lượng nhà ở, diện tích nhà ở bình "
        "quân đầu người, nhà tiêu hợp vệ sinh (Nghị định 07/2021/NĐ-CP, Điều 3)"
    )
    assert render(e, "en").startswith(
        "Poor household: income 1,200,000 VND per person per month ≤ 1,500,000 VND (rural) and "
        "deprived on 6/12 indicators: employment, dependants, health insurance"
    )
    detail = render(e, detail=True).splitlines()
    assert "– diện tích nhà ở bình quân đầu người: 6,67 m²/người < 8 m²" in detail
    assert "– chất lượng nhà ở: nhà đơn sơ" in detail
    with pytest.raises(ValueError, match="unknown language"):
        render(e, "fr")


def test_allowance_sentence_matches_the_issue_example() -> None:
    people = pl.DataFrame(
        {
            "person_code": ["P1"],
            "date_of_birth": [dt.date(1990, 1, 1)],
            "household": ["other"],
            "groups": [["disability_severe"]],
            "children": [0],
            "pension": [0],
            "social_pension_request": [False],
            "decision_month": [dt.date(2024, 1, 1)],
        }
    )
    row = allowance.compute(people, "2025-03").row(0, named=True)
    e = explain_allowance(row)
    assert render(e) == (
        "Trợ cấp xã hội hằng tháng: 500.000 đ × hệ số 1,5 = 750.000 đ (người khuyết tật nặng, "
        "Nghị định 20/2021/NĐ-CP, Điều 5.6)"
    )
    assert render(e, "en") == (
        "Monthly social allowance: 500,000 VND × coefficient 1.5 = 750,000 VND (person with a "
        "severe disability, Decree 20/2021/ND-CP, Art. 5.6)"
    )
    assert {p["name"] for p in e["parameters"]} == {
        "assistance.standard_level",
        "assistance.group.disability_severe",
    }


def test_allowance_none_sentence() -> None:
    people = pl.DataFrame(
        {
            "person_code": ["P1"],
            "date_of_birth": [dt.date(1990, 1, 1)],
            "household": ["other"],
            "groups": [[]],
            "children": [0],
            "pension": [0],
            "social_pension_request": [False],
            "decision_month": [dt.date(2024, 1, 1)],
        }
    )
    row = allowance.compute(people, "2025-03").row(0, named=True)
    assert render(explain_allowance(row)) == (
        "Không hưởng trợ cấp tháng 03/2025: không thuộc nhóm đối tượng nào đủ điều kiện"
    )
