"""Properties (hypothesis): batch = one by one; more deprivation or less income never makes a
household less poor; member order never changes a result; age cutoffs equal completed ages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ansinh.rules import allowance, poverty
from ansinh.rules.dates import age_months, at_least, birth_cutoff
from ansinh.rules.poverty import (
    CLASS_RANK,
    DISABILITIES,
    HOUSE_TYPES,
    QUALIFICATIONS,
    WORK_STATUSES,
)

ON = dt.date(2025, 3, 1)
SETTINGS = settings(max_examples=60, deadline=None)

member_st = st.fixed_dictionaries(
    {
        "date_of_birth": st.dates(dt.date(1930, 1, 1), ON),
        "sex": st.sampled_from(["male", "female"]),
        "health_insurance": st.booleans(),
        "work": st.sampled_from(WORK_STATUSES),
        "studying": st.booleans(),
        "qualification": st.sampled_from(QUALIFICATIONS),
        "malnourished": st.booleans(),
        "disability": st.sampled_from(DISABILITIES),
        "monthly_allowance": st.booleans(),
    }
)
household_st = st.fixed_dictionaries(
    {
        "area": st.sampled_from(["rural", "urban"]),
        "income_per_capita": st.integers(0, 4_000_000),
        "b1_score": st.one_of(st.none(), st.integers(0, 300)),
        "house_type": st.sampled_from(HOUSE_TYPES),
        "floor_area_m2": st.floats(0, 120, allow_nan=False).map(lambda x: round(x, 1)),
        "safe_water": st.booleans(),
        "hygienic_latrine": st.booleans(),
        "internet": st.booleans(),
        "info_assets": st.booleans(),
        "members": st.lists(member_st, min_size=1, max_size=7),
    }
)


def frames(households: list[dict[str, Any]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    h_rows, m_rows = [], []
    for i, h in enumerate(households):
        code = f"H{i}"
        h_rows.append({"household_code": code, **{k: v for k, v in h.items() if k != "members"}})
        for j, m in enumerate(h["members"]):
            m_rows.append({"household_code": code, "member_code": f"{code}-{j}", **m})
    hh = pl.DataFrame(h_rows, schema=poverty.HOUSEHOLD_SCHEMA | {}, strict=False).select(
        [c for c in poverty.HOUSEHOLD_SCHEMA if c != "waste_treatment"]
    )
    mm = pl.DataFrame(m_rows, schema=poverty.MEMBER_SCHEMA)
    return hh, mm


def classify(households: list[dict[str, Any]]) -> pl.DataFrame:
    hh, mm = frames(households)
    return poverty.classify(hh, mm, ON)


@SETTINGS
@given(st.lists(household_st, min_size=1, max_size=8))
def test_batch_equals_one_by_one(households: list[dict[str, Any]]) -> None:
    batch = classify(households)
    for i, h in enumerate(households):
        alone = classify([h]).row(0, named=True)
        row = batch.row(i, named=True)
        alone["household_code"] = row["household_code"]
        assert row == alone


@SETTINGS
@given(st.lists(household_st, min_size=1, max_size=6), st.randoms(use_true_random=False))
def test_member_order_does_not_matter(households: list[dict[str, Any]], rnd: Any) -> None:
    """The aligned fast path (members grouped in household order) and the general path agree."""
    hh, mm = frames(households)
    in_order = poverty.classify(hh, mm, ON)
    shuffled = mm.sample(fraction=1.0, shuffle=True, seed=rnd.randint(0, 10**6))
    assert poverty.classify(hh, shuffled, ON).equals(in_order)
    detailed = poverty.classify(hh, mm, ON, member_detail=True)
    assert detailed.select(in_order.columns).equals(in_order)


deprivations = {
    "house_type": "makeshift",
    "floor_area_m2": 0.0,
    "safe_water": False,
    "hygienic_latrine": False,
    "internet": False,
    "info_assets": False,
}


@SETTINGS
@given(household_st, st.sampled_from(sorted(deprivations)))
def test_adding_a_deprivation_never_makes_a_household_less_poor(
    household: dict[str, Any], field: str
) -> None:
    before = classify([household]).row(0, named=True)
    worse = {**household, field: deprivations[field]}
    after = classify([worse]).row(0, named=True)
    assert after["deprived_count"] >= before["deprived_count"]
    assert CLASS_RANK[after["class"]] >= CLASS_RANK[before["class"]]


member_deprivations = {
    "no health insurance": {"health_insurance": False},
    "malnourished": {"malnourished": True},
    "out of school": {"studying": False},
    "unemployed": {"work": "unemployed"},
    "disabled on allowance": {"disability": "severe", "monthly_allowance": True},
}


@SETTINGS
@given(household_st, st.integers(0, 6), st.sampled_from(sorted(member_deprivations)))
def test_a_worse_fact_about_a_member_never_makes_a_household_less_poor(
    household: dict[str, Any], slot: int, change: str
) -> None:
    members = [*household["members"]]
    i = slot % len(members)
    members[i] = {**members[i], **member_deprivations[change]}
    before = classify([household]).row(0, named=True)
    after = classify([{**household, "members": members}]).row(0, named=True)
    assert after["deprived_count"] >= before["deprived_count"]
    assert CLASS_RANK[after["class"]] >= CLASS_RANK[before["class"]]


@SETTINGS
@given(household_st, st.integers(1, 3_000_000))
def test_raising_income_never_makes_a_household_poorer(
    household: dict[str, Any], raise_by: int
) -> None:
    household = {**household, "b1_score": None}
    richer = {**household, "income_per_capita": household["income_per_capita"] + raise_by}
    before = classify([household]).row(0, named=True)
    after = classify([richer]).row(0, named=True)
    assert CLASS_RANK[after["class"]] <= CLASS_RANK[before["class"]]


@SETTINGS
@given(household_st, st.integers(1, 100))
def test_raising_the_b1_score_never_makes_a_household_poorer(
    household: dict[str, Any], raise_by: int
) -> None:
    household = {**household, "b1_score": household["b1_score"] or 100}
    richer = {**household, "b1_score": household["b1_score"] + raise_by}
    before = classify([household]).row(0, named=True)
    after = classify([richer]).row(0, named=True)
    assert CLASS_RANK[after["class"]] <= CLASS_RANK[before["class"]]


person_st = st.fixed_dictionaries(
    {
        "date_of_birth": st.dates(dt.date(1920, 1, 1), dt.date(2024, 6, 30)),
        "household": st.sampled_from(["poor", "near_poor", "other"]),
        "groups": st.lists(st.sampled_from(allowance.GROUP_CODES), max_size=3, unique=True),
        "children": st.integers(0, 4),
        "pension": st.sampled_from([0, 0, 300_000, 4_000_000]),
        "social_pension_request": st.booleans(),
        "decision_month": st.dates(dt.date(2021, 7, 1), dt.date(2026, 1, 1)).map(
            lambda d: d.replace(day=1)
        ),
    }
)
PEOPLE_SCHEMA = {
    "person_code": pl.String,
    "date_of_birth": pl.Date,
    "household": pl.String,
    "groups": pl.List(pl.String),
    "children": pl.Int64,
    "pension": pl.Int64,
    "social_pension_request": pl.Boolean,
    "decision_month": pl.Date,
}


@SETTINGS
@given(st.lists(person_st, min_size=1, max_size=10), st.sampled_from(["2024-06", "2025-07"]))
def test_allowance_batch_equals_one_by_one(people: list[dict[str, Any]], month: str) -> None:
    rows = [{"person_code": f"P{i}", **p} for i, p in enumerate(people)]
    batch = allowance.compute(pl.DataFrame(rows, schema=PEOPLE_SCHEMA), month)
    for i, row in enumerate(rows):
        alone = allowance.compute(pl.DataFrame([row], schema=PEOPLE_SCHEMA), month)
        assert batch.row(i, named=True) == alone.row(0, named=True)
        got = alone.row(0, named=True)
        assert got["amount"] >= 0
        if got["scheme"] == "none":
            assert got["amount"] == 0


@SETTINGS
@given(person_st)
def test_allowance_is_the_highest_of_the_eligible_options(person: dict[str, Any]) -> None:
    row = {"person_code": "P", **person}
    frame = pl.DataFrame([row], schema=PEOPLE_SCHEMA)
    full = allowance.compute(frame, "2025-07").row(0, named=True)
    assume(full["reason"] != "before_decision_month")
    assume(person["groups"])  # something to compare with
    for group in person["groups"]:
        alone = allowance.compute(
            pl.DataFrame([{**row, "groups": [group]}], schema=PEOPLE_SCHEMA), "2025-07"
        ).row(0, named=True)
        assert full["amount"] >= alone["amount"]


@settings(max_examples=300, deadline=None)
@given(
    st.dates(dt.date(1900, 1, 1), dt.date(2030, 12, 31)),
    st.dates(dt.date(2000, 1, 1), dt.date(2040, 12, 31)),
    st.integers(0, 1300),
)
def test_birth_cutoff_equals_completed_months(dob: dt.date, on: dt.date, months: int) -> None:
    assert (dob <= birth_cutoff(on, months)) == (age_months(dob, on) >= months)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.dates(dt.date(1920, 1, 1), dt.date(2025, 12, 31)), min_size=1, max_size=50))
def test_vectorised_age_test_matches_scalar(dobs: list[dt.date]) -> None:
    on = dt.date(2024, 2, 29)
    got = pl.DataFrame({"d": dobs}).select(at_least(pl.col("d"), on, years=16)).to_series()
    assert got.to_list() == [age_months(d, on) >= 16 * 12 for d in dobs]
