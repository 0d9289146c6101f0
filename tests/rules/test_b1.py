"""The B1 point table is data: loader and scorer (with a TEST FIXTURE table, not official)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from ansinh.rules import b1, poverty
from ansinh.rules.errors import InputError, MissingParameterError
from ansinh.rules.io import FileError

from .conftest import B1_TABLE

ON = dt.date(2025, 3, 1)
HOUSEHOLDS = pl.DataFrame({"household_code": ["H1", "H2"], "area": ["rural", "urban"]})


def answers(rows: list[tuple[str, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=["household_code", "item", "answer"], orient="row")


FULL = [
    ("H1", "house_roof", "makeshift"),
    ("H1", "motorbike", "yes"),
    ("H1", "household_size", "4+"),
    ("H2", "house_roof", "durable"),
    ("H2", "motorbike", "no"),
    ("H2", "household_size", "4+"),
]


def test_no_official_table_is_shipped() -> None:
    package = Path(b1.__file__).parent
    assert not [p for p in package.rglob("*") if "b1" in p.name.lower() and p.suffix != ".py"]


def test_score_sums_points_by_region() -> None:
    table = b1.load_table(B1_TABLE)
    scores = b1.score(answers(FULL), HOUSEHOLDS, table, ON)
    assert scores.to_dicts() == [
        {"household_code": "H1", "b1_score": 5 + 60 + 40},
        {"household_code": "H2", "b1_score": 50 + 0 - 5},
    ]


def test_scores_feed_the_b1_route_of_the_classification() -> None:
    table = b1.load_table(B1_TABLE)
    scores = b1.score(answers(FULL), HOUSEHOLDS, table, ON)
    households = HOUSEHOLDS.join(scores, on="household_code").with_columns(
        house_type=pl.lit("durable"),
        floor_area_m2=pl.lit(50.0),
        safe_water=pl.lit(True),
        hygienic_latrine=pl.lit(True),
        internet=pl.lit(True),
        info_assets=pl.lit(True),
    )
    members = pl.DataFrame(
        [
            {
                "household_code": h,
                "member_code": h + "m",
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
            for h in ("H1", "H2")
        ],
        schema=poverty.MEMBER_SCHEMA,
    )
    result = poverty.classify(households, members, ON)
    assert result.select("route", "b1_score", "income_line", "class").rows() == [
        ("b1", 105, 140, "near_poor"),
        ("b1", 45, 175, "near_poor"),
    ]


def test_missing_or_repeated_answers_are_refused() -> None:
    table = b1.load_table(B1_TABLE)
    with pytest.raises(InputError, match="H1: house_roof \\(no answer\\)"):
        b1.score(answers(FULL[1:]), HOUSEHOLDS, table, ON)
    with pytest.raises(InputError, match="H1: motorbike \\(2 answers\\)"):
        b1.score(answers([*FULL, ("H1", "motorbike", "no")]), HOUSEHOLDS, table, ON)
    with pytest.raises(InputError, match="not in the point table: H1: motorbike=maybe"):
        b1.score(answers([("H1", "motorbike", "maybe"), *FULL[1:]]), HOUSEHOLDS, table, ON)
    with pytest.raises(InputError, match="unknown households: H7"):
        b1.score(answers([*FULL, ("H7", "motorbike", "no")]), HOUSEHOLDS, table, ON)


def test_no_table_for_the_year_refuses() -> None:
    table = b1.load_table(B1_TABLE)
    with pytest.raises(MissingParameterError, match="no B1 point table is loaded for 2027"):
        b1.score(answers(FULL), HOUSEHOLDS, table, dt.date(2027, 1, 1))


def test_malformed_tables_are_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("period,region,item,answer,points\n2022,mountain,a,b,1\n", encoding="utf-8")
    with pytest.raises(FileError, match="bad B1 table data row\\(s\\) 1 "):
        b1.load_table(bad)
    bad.write_text("period,region,item,answer\n2022,rural,a,b\n", encoding="utf-8")
    with pytest.raises(FileError, match="needs column\\(s\\) points"):
        b1.load_table(bad)
    bad.write_text(
        "period,region,item,answer,points\n2022,rural,a,b,1\n2022,rural,a,b,2\n", encoding="utf-8"
    )
    with pytest.raises(FileError, match="appears twice"):
        b1.load_table(bad)
