"""Allowance amounts (exact money), funeral support, BHYT ladders and subsidy split."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from ansinh.rules import allowance, insurance
from ansinh.rules.errors import InputError, ParameterError
from ansinh.rules.parameters import PACKAGE_DIR, ParameterSet

REF = "{document: Test, document_vi: Thử, article: null, article_vi: null}"


def _people(**over: object) -> pl.DataFrame:
    row = {
        "person_code": "P1",
        "date_of_birth": dt.date(1990, 1, 1),
        "household": "other",
        "groups": "disability_severe",
        "children": 0,
        "pension": 0,
        "social_pension_request": False,
        "decision_month": "2024-01",
    } | over
    return pl.DataFrame([row])


def test_money_is_int64_and_exact() -> None:
    result = allowance.compute(_people(), dt.date(2025, 3, 17))
    assert result.schema["amount"] == pl.Int64
    assert result.row(0, named=True)["amount"] == 750_000
    assert result.row(0, named=True)["month"] == dt.date(2025, 3, 1)


def test_odd_province_level_is_rounded_half_up(tmp_path: Path) -> None:
    overlay = tmp_path / "p.yaml"
    overlay.write_text(
        "parameters:\n  assistance.standard_level:\n    provinces:\n      12:\n"
        f"        - {{from: 2025-01-01, value: 555555, status: firm, reference: {REF}}}\n",
        encoding="utf-8",
    )
    params = ParameterSet.load([PACKAGE_DIR, overlay])
    row = allowance.compute(_people(), "2025-03", province=12, params=params).row(0, named=True)
    assert row["amount"] == 833_333  # 555,555 × 1.5 = 833,332.5 → 833,333
    assert allowance.funeral_support(dt.date(2025, 3, 1), 12, params) == 11_111_100


def test_groups_may_be_a_list_or_text_and_unknown_codes_are_refused() -> None:
    as_list = allowance.compute(_people(groups=["disability_severe", "hiv_poor"]), "2025-03")
    as_text = allowance.compute(_people(groups="disability_severe;hiv_poor"), "2025-03")
    assert as_list.equals(as_text)
    with pytest.raises(InputError, match="unknown group code: P1"):
        allowance.compute(_people(groups="orphan"), "2025-03")


def test_coefficient_finer_than_a_tenth_is_refused(tmp_path: Path) -> None:
    overlay = tmp_path / "c.yaml"
    overlay.write_text(
        "parameters:\n  assistance.group.hiv_poor:\n    values:\n"
        "      - {from: 2021-07-01, value: {households: [poor], coefficients: "
        f"[{{coefficient: '1.55'}}]}}, status: firm, reference: {REF}}}\n",
        encoding="utf-8",
    )
    params = ParameterSet.load([PACKAGE_DIR, overlay])
    with pytest.raises(ParameterError, match=r"multiple of 0\.1"):
        allowance.compute(_people(), "2025-03", params=params)


def test_standard_level_and_funeral_support() -> None:
    assert allowance.standard_level(dt.date(2024, 6, 30)) == 360_000
    assert allowance.standard_level(dt.date(2024, 7, 1)) == 500_000
    assert allowance.funeral_support(dt.date(2024, 7, 1)) == 10_000_000


def test_contribution_ladder_and_rates() -> None:
    rows = insurance.household_contributions(5, dt.date(2024, 7, 1), 12)
    assert [(r.member, r.rate, r.monthly, r.amount) for r in rows] == [
        (1, "1.0", 105_300, 1_263_600),
        (2, "0.7", 73_710, 884_520),
        (3, "0.6", 63_180, 758_160),
        (4, "0.5", 52_650, 631_800),
        (5, "0.4", 42_120, 505_440),
    ]
    with pytest.raises(InputError, match="n_members and months must be at least 1"):
        insurance.household_contributions(0, dt.date(2024, 7, 1), 12)


def test_household_totals_vectorised_equal_the_ladder() -> None:
    frame = pl.DataFrame({"n_members": [1, 2, 3, 4, 5, 9], "months": [12, 6, 3, 12, 1, 2]})
    totals = insurance.household_totals(frame, dt.date(2024, 7, 1))
    for n, months, amount in totals.select("n_members", "months", "amount").rows():
        ladder = insurance.household_contributions(n, dt.date(2024, 7, 1), months)
        assert amount == sum(r.amount for r in ladder)


def test_subsidy_split() -> None:
    split = insurance.subsidy_split("CN", dt.date(2025, 1, 1), 12)
    assert (split.full, split.state, split.person) == (1_263_600, 884_520, 379_080)
    assert split.parameter.status == "check"
    hn = insurance.subsidy_split("HN", dt.date(2025, 1, 1), 12)
    assert (hn.state, hn.person) == (1_263_600, 0)
