"""Runs the officer-readable YAML cases in ``cases/`` (OpenFisca style: date, input, output).

Each file has a ``kind`` (poverty, allowance, funeral, bhyt, subsidy), ``defaults`` and
``cases``. A case gives ``name``, optionally ``date``/``month``/``province``/``parameters``
(overlay fixtures), ``input`` (only what differs from the defaults) and either ``output``
(expected result columns), ``errors`` (expected bad rows, for malformed input) or ``refuses``
(text of the expected refusal). Poverty and allowance inputs go through the same file
validation as the batch commands (``ansinh.rules.io``) before the rules run.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml

from ansinh.rules import allowance, insurance, io, poverty
from ansinh.rules.dates import parse_month
from ansinh.rules.errors import MissingParameterError
from ansinh.rules.explain import explain_allowance, explain_poverty, render
from ansinh.rules.parameters import ParameterSet, load_parameters

from .conftest import FIXTURES, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS, PEOPLE_COLUMNS, raw_frame

CASES = Path(__file__).resolve().parent / "cases"


def _collect() -> list[Any]:
    out = []
    for file in sorted(CASES.glob("*.yaml")):
        doc = yaml.safe_load(file.read_text(encoding="utf-8"))
        out += [
            pytest.param(
                doc["kind"], doc.get("defaults", {}), case, id=f"{file.stem}: {case['name']}"
            )
            for case in doc["cases"]
        ]
    return out


ALL_CASES = _collect()


def _params(defaults: dict[str, Any], case: dict[str, Any]) -> ParameterSet:
    overlays = case.get("parameters", defaults.get("parameters", []))
    return load_parameters(*[FIXTURES / name for name in overlays])


def _get(defaults: dict[str, Any], case: dict[str, Any], key: str) -> Any:
    return case.get(key, defaults.get(key))


def _check_errors(
    expected: list[dict[str, Any]], errors: list[io.RowError], files: dict[str, str]
) -> None:
    assert errors, "expected bad rows, found none"
    for want in expected:
        matches = [
            e
            for e in errors
            if e.file == files[want["file"]]
            and e.row == want["row"]
            and e.column == want["column"]
            and want.get("problem", "") in e.problem
        ]
        assert matches, f"no error like {want} in {[str(e) for e in errors]}"
    assert len(errors) == len(expected), [str(e) for e in errors]


def _compare(row: dict[str, Any], expected: dict[str, Any]) -> None:
    for key, want in expected.items():
        got = row[key]
        if isinstance(want, list) and key == "deprived":
            want = ";".join(want)
        assert got == want, f"{key}: expected {want!r}, got {got!r}"


def _classify_raw(
    raw_h: pl.DataFrame, raw_m: pl.DataFrame, on: dt.date, params: ParameterSet
) -> pl.DataFrame:
    indicators = params.value("poverty.indicators", on).value
    parsed_h = io.parse_households(raw_h, "households.csv", indicators)
    parsed_m = io.parse_members(raw_m, "members.csv", on)
    hh, mm, _ = io.link_members(parsed_h, parsed_m, raw_h, raw_m, "households.csv", "members.csv")
    return poverty.classify(hh.drop("_row"), mm.drop("_row"), on, params)


def run_poverty(defaults: dict[str, Any], case: dict[str, Any]) -> None:
    on: dt.date = _get(defaults, case, "date")
    params = _params(defaults, case)
    given = case.get("input", {})
    household_rows = given.get("households") or [given.get("household", {})]
    households = []
    for i, over in enumerate(household_rows):
        code = "H1" if i == 0 else f"H{i + 1}"
        households.append({"household_code": code, **defaults["household"], **over})
    members = []
    for i, over in enumerate(given.get("members", defaults.get("members", [{}]))):
        members.append(
            {"household_code": "H1", "member_code": f"M{i + 1}", **defaults["member"], **over}
        )
    raw_h = raw_frame(households, HOUSEHOLD_COLUMNS)
    raw_m = raw_frame(members, MEMBER_COLUMNS)
    if "refuses" in case:
        with pytest.raises(MissingParameterError, match=case["refuses"]):
            _classify_raw(raw_h, raw_m, on, params)
        return
    indicators = params.value("poverty.indicators", on).value
    parsed_h = io.parse_households(raw_h, "households.csv", indicators)
    parsed_m = io.parse_members(raw_m, "members.csv", on)
    hh, mm, linked = io.link_members(
        parsed_h, parsed_m, raw_h, raw_m, "households.csv", "members.csv"
    )
    errors = [*parsed_h.errors, *parsed_m.errors, *linked]
    if "errors" in case:
        _check_errors(
            case["errors"], errors, {"households": "households.csv", "members": "members.csv"}
        )
        return
    assert not errors, [str(e) for e in errors]
    result = poverty.classify(hh.drop("_row"), mm.drop("_row"), on, params, member_detail=True)
    row = result.row(0, named=True)
    _compare(row, case["output"])
    if "explanation" in case:
        sentence = render(explain_poverty(row, params), "vi")
        for part in case["explanation"]:
            assert part in sentence, sentence


def run_allowance(defaults: dict[str, Any], case: dict[str, Any]) -> None:
    month = parse_month(str(_get(defaults, case, "month")))
    province = _get(defaults, case, "province")
    params = _params(defaults, case)
    given = case.get("input", {})
    people_rows = given.get("people") or [given.get("person", {})]
    people = [
        {"person_code": f"P{i + 1}", **defaults["person"], **over}
        for i, over in enumerate(people_rows)
    ]
    raw = raw_frame(people, PEOPLE_COLUMNS)
    parsed = io.parse_people(raw, "people.csv", month)
    if "errors" in case:
        _check_errors(case["errors"], parsed.errors, {"people": "people.csv"})
        return
    assert not parsed.errors, [str(e) for e in parsed.errors]
    result = allowance.compute(parsed.rows.drop("_row"), month, province, params)
    row = result.row(0, named=True)
    expected = dict(case["output"])
    if expected.get("scheme") == "none":
        expected.setdefault("amount", 0)
        expected.setdefault("basis", None)
    _compare(row, expected)
    if "explanation" in case:
        sentence = render(explain_allowance(row, params, province), "vi")
        for part in case["explanation"]:
            assert part in sentence, sentence


def run_funeral(defaults: dict[str, Any], case: dict[str, Any]) -> None:
    params = _params(defaults, case)
    amount = allowance.funeral_support(case["date"], case.get("province"), params)
    assert amount == case["output"]["amount"]


def run_bhyt(defaults: dict[str, Any], case: dict[str, Any]) -> None:
    params = _params(defaults, case)
    given = case["input"]
    if "refuses" in case:
        with pytest.raises(MissingParameterError, match=case["refuses"]):
            insurance.household_contributions(
                given["members"], case["date"], given["months"], params
            )
        return
    rows = insurance.household_contributions(
        given["members"], case["date"], given["months"], params
    )
    out = case["output"]
    if "monthly" in out:
        assert [r.monthly for r in rows] == out["monthly"]
    if "rate" in out:
        assert [r.rate for r in rows] == out["rate"]
    if "amount" in out:
        assert [r.amount for r in rows] == out["amount"]


def run_subsidy(defaults: dict[str, Any], case: dict[str, Any]) -> None:
    params = _params(defaults, case)
    group = case["input"]["group"]
    if "refuses" in case:
        with pytest.raises(MissingParameterError, match=case["refuses"]):
            insurance.state_subsidy_percent(group, case["date"], case.get("province"), params)
        return
    share = insurance.state_subsidy_percent(group, case["date"], case.get("province"), params)
    assert share.value == case["output"]["percent"]
    if "status" in case["output"]:
        assert share.status == case["output"]["status"]


RUNNERS = {
    "poverty": run_poverty,
    "allowance": run_allowance,
    "funeral": run_funeral,
    "bhyt": run_bhyt,
    "subsidy": run_subsidy,
}


@pytest.mark.parametrize(("kind", "defaults", "case"), ALL_CASES)
def test_case(kind: str, defaults: dict[str, Any], case: dict[str, Any]) -> None:
    RUNNERS[kind](defaults, case)


def test_enough_cases() -> None:
    """The issue asks for at least 80 officer-readable cases."""
    assert len(ALL_CASES) >= 80
