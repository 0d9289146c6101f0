"""Dated parameters: lookups, references, versions, refusals, overlays, province overrides."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from ansinh.rules.errors import MissingParameterError, ParameterError
from ansinh.rules.parameters import (
    PACKAGE_DIR,
    ParameterSet,
    default_parameters,
    load_parameters,
    value,
)

from .conftest import PARAMS_2027, PROVINCE_80

D = dt.date


def _write(tmp_path: Path, text: str, name: str = "p.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


REF = "{document: Test Decree, document_vi: Nghị định thử, article: Art. 1, article_vi: Điều 1}"


def test_value_by_date_with_reference_and_version() -> None:
    before = value("assistance.standard_level", D(2024, 6, 30))
    after = value("assistance.standard_level", D(2024, 7, 1))
    assert (before.value, after.value) == (360_000, 500_000)
    assert before.valid_to == D(2024, 7, 1)
    assert after.valid_from == D(2024, 7, 1)
    assert before.reference.text("vi") == "Nghị định 20/2021/NĐ-CP, Điều 4"
    assert before.reference.text("en") == "Decree 20/2021/ND-CP, Art. 4"
    assert re.fullmatch(r"assistance\.standard_level@2021-07-01#[0-9a-f]{8}", before.version)
    assert before.version != after.version


def test_income_lines_of_both_periods() -> None:
    assert value("poverty.income_line.rural", D(2026, 12, 31)).value == 1_500_000
    assert value("poverty.income_line.urban", D(2026, 12, 31)).value == 2_000_000
    assert value("poverty.income_line.rural", D(2027, 1, 1)).value == 2_200_000
    assert value("poverty.income_line.urban", D(2027, 1, 1)).value == 2_800_000


def test_indicator_set_is_dated() -> None:
    before = value("poverty.indicators", D(2026, 12, 31)).value
    after = value("poverty.indicators", D(2027, 1, 1)).value
    assert len(before) == len(after) == 12
    assert "info_assets" in before
    assert "waste" not in before
    assert "waste" in after
    assert "info_assets" not in after


def test_missing_value_refuses_with_a_clear_message() -> None:
    with pytest.raises(
        MissingParameterError, match="no income line for the average-living band"
    ) as exc:
        value("poverty.average_band_max.rural", D(2027, 5, 1))
    assert "no income line for the average-living band (rural) is configured for 2027" in str(
        exc.value
    )
    with pytest.raises(MissingParameterError, match="no B1 score threshold \\(urban\\)"):
        value("poverty.b1_threshold.urban", D(2028, 1, 1))


def test_date_before_the_first_value_refuses() -> None:
    with pytest.raises(MissingParameterError, match="configured values start on 2021-07-01"):
        value("assistance.standard_level", D(2021, 6, 30))


def test_unknown_parameter_refuses() -> None:
    with pytest.raises(MissingParameterError, match="no parameter named 'nope'"):
        value("nope", D(2025, 1, 1))


def test_resolve_lists_every_missing_value_at_once() -> None:
    params = default_parameters()
    with pytest.raises(
        MissingParameterError, match="no income line for the average-living band"
    ) as exc:
        params.resolve(
            [
                "poverty.income_line.rural",
                "poverty.average_band_max.rural",
                "poverty.average_band_max.urban",
            ],
            D(2027, 1, 1),
        )
    names = [name for name, _, _ in exc.value.missing]
    assert names == ["poverty.average_band_max.rural", "poverty.average_band_max.urban"]


def test_get_returns_none_before_a_scheme_starts() -> None:
    params = default_parameters()
    assert params.get("social_pension.amount", D(2025, 6, 30)) is None
    found = params.get("social_pension.amount", D(2025, 7, 1))
    assert found is not None
    assert found.value == 500_000


@pytest.mark.parametrize(
    ("year", "male", "female"),
    [
        (2021, 723, 664),  # 60y3m / 55y4m
        (2024, 732, 676),
        (2025, 735, 680),
        (2028, 744, 692),  # men reach 62
        (2030, 744, 700),
        (2035, 744, 720),  # women reach 60
        (2040, 744, 720),
    ],
)
def test_retirement_age_schedule_check(year: int, male: int, female: int) -> None:
    """[check] Labour Code 2019 Art. 169: +3 months a year (men), +4 (women)."""
    on = D(year, 6, 1)
    m = value("labour.retirement_age.male", on)
    f = value("labour.retirement_age.female", on)
    assert (m.value, f.value) == (male, female)
    assert m.status == f.status == "check"


def test_every_shipped_value_has_a_legal_reference_and_a_status() -> None:
    params = default_parameters()
    assert len(params.names()) > 50  # the shipped files were read: no vacuous pass
    for name in params.names():
        p = params.parameter(name)
        assert p.label_en, name
        assert p.label_vi, name
        for entry in p.entries:
            assert entry.reference.document, name
            assert entry.reference.document_vi, name
            assert entry.status in ("firm", "check", "missing"), name
            if entry.status == "missing":
                assert entry.missing, name
        assert not p.provinces, f"{name}: no province value may be shipped"


def test_values_the_policy_note_marks_check_are_marked_in_the_files() -> None:
    """Each [check] of the policy note is a parameter with status check and a '# [check]' note."""
    on = D(2025, 1, 1)
    for name in (
        "poverty.indicator.employment",
        "poverty.indicator.dependants",
        "poverty.indicator.floor_area",
        "poverty.indicator.health_insurance",
        "assistance.group.child_under3_difficult_area",
        "assistance.group.hiv_poor",
        "insurance.state_subsidy_percent.CN",
        "insurance.state_subsidy_percent.GB",
        "labour.working_age_from",
    ):
        assert value(name, on).status == "check", name
    with_check = [
        file
        for file in PACKAGE_DIR.rglob("*.yaml")
        if "status: check" in file.read_text(encoding="utf-8")
    ]
    assert with_check  # the files above are among them: the loop below is not vacuous
    for file in with_check:
        assert "# [check]" in file.read_text(encoding="utf-8"), file


def test_values_marked_missing_are_not_invented() -> None:
    params = default_parameters()
    missing_2027 = [
        name
        for name in params.names()
        if any(
            e.status == "missing" and e.valid_from == D(2027, 1, 1)
            for e in params.parameter(name).entries
        )
    ]
    assert "poverty.average_band_max.rural" in missing_2027
    assert "poverty.b1_threshold.rural" in missing_2027
    assert "poverty.indicator.floor_area" in missing_2027
    for name in missing_2027:
        entry = params.parameter(name).entries[-1]
        assert entry.value is None


def test_overlay_fills_missing_values(params_2027: ParameterSet) -> None:
    band = params_2027.value("poverty.average_band_max.rural", D(2027, 1, 1))
    assert band.value == 3_300_000
    assert band.reference.document.startswith("TEST FIXTURE")
    assert band.source == str(PARAMS_2027)
    # the shipped values stay as they were
    assert params_2027.value("poverty.average_band_max.rural", D(2026, 1, 1)).value == 2_250_000


def test_province_override_is_never_lower_than_national(province_params: ParameterSet) -> None:
    p = province_params
    assert p.value("assistance.standard_level", D(2024, 3, 1), province=80).value == 450_000
    national_wins = p.value("assistance.standard_level", D(2024, 8, 1), province=80)
    assert national_wins.value == 500_000
    assert national_wins.province is None
    local = p.value("assistance.standard_level", D(2025, 3, 1), province=80)
    assert local.value == 600_000
    assert local.province == 80
    assert p.value("assistance.standard_level", D(2025, 3, 1), province=79).value == 500_000
    assert p.value("assistance.standard_level", D(2025, 3, 1)).value == 500_000


def test_load_is_cached() -> None:
    assert load_parameters(PROVINCE_80) is load_parameters(PROVINCE_80)
    assert default_parameters() is default_parameters()


def test_environment_overlay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANSINH_RULES_PARAMETERS", str(PROVINCE_80))
    assert (
        default_parameters().value("assistance.standard_level", D(2025, 3, 1), province=80).value
        == 600_000
    )
    monkeypatch.delenv("ANSINH_RULES_PARAMETERS")
    assert (
        default_parameters().value("assistance.standard_level", D(2025, 3, 1), province=80).value
        == 500_000
    )


def test_overlay_can_correct_a_check_value(tmp_path: Path) -> None:
    overlay = _write(
        tmp_path,
        f"""
parameters:
  poverty.indicator.floor_area:
    values:
      - {{from: 2022-01-01, value: {{min_m2_per_person: 10}}, status: firm, reference: {REF}}}
""",
    )
    params = ParameterSet.load([PACKAGE_DIR, overlay])
    corrected = params.value("poverty.indicator.floor_area", D(2024, 1, 1))
    assert corrected.value == {"min_m2_per_person": 10}
    assert corrected.version != value("poverty.indicator.floor_area", D(2024, 1, 1)).version


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("parameters: [1, 2]", "top-level 'parameters:' mapping"),
        (
            (
                f"parameters:\n  x:\n    label_en: x\n    label_vi: x\n    values:\n"
                f"      - {{from: 2022-01-01, value: 1, reference: {REF}}}"
            ),
            "'status' must be firm or check",
        ),
        (
            (
                "parameters:\n  x:\n    label_en: x\n    label_vi: x\n    values:\n"
                "      - {from: 2022-01-01, value: 1, status: firm}"
            ),
            "'reference' must be a mapping",
        ),
        (
            (
                "parameters:\n  x:\n    label_en: x\n    label_vi: x\n    values:\n"
                "      - {from: 2022-01-01, value: 1, status: firm, reference: {document: D, "
                "document_vi: D}}"
            ),
            "reference needs 'article'",
        ),
        (
            (
                f"parameters:\n  x:\n    label_en: x\n    label_vi: x\n    values:\n"
                f"      - {{from: 2023-01-01, value: 1, status: firm, reference: {REF}}}\n"
                f"      - {{from: 2022-01-01, value: 2, status: firm, reference: {REF}}}"
            ),
            "strictly increasing",
        ),
        (
            (
                f"parameters:\n  x:\n    label_en: x\n    label_vi: x\n    values:\n"
                f"      - {{form: 2023-01-01, value: 1, status: firm, reference: {REF}}}"
            ),
            "unknown keys \\['form'\\]",
        ),
        (
            (
                f"parameters:\n  x:\n    label_en: x\n    label_vi: x\n    values:\n"
                "      - {from: 2023-01-01, value: 1, missing: why, status: firm, "
                f"reference: {REF}}}"
            ),
            "exactly one of 'value' or 'missing'",
        ),
        (
            (
                f"parameters:\n  x:\n    values:\n"
                f"      - {{from: 2023-01-01, value: 1, status: firm, reference: {REF}}}"
            ),
            "'label_en' is required",
        ),
        (
            (
                f"parameters:\n  x:\n    label_en: x\n    label_vi: x\n    values:\n"
                f"      - {{from: 2023-01-01, value: 1, status: firm, reference: {REF}}}\n"
                f"    provinces:\n      80:\n"
                f"        - {{from: 2023-01-01, value: 2, status: firm, reference: {REF}}}"
            ),
            "has no province overrides",
        ),
        ("parameters: {x: [", "cannot read parameters"),
        ("parameters:\n  x: {}\n  x: {}\n", "key 'x' appears twice"),
    ],
)
def test_malformed_parameter_files_are_refused(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ParameterError, match=message):
        ParameterSet.load([path])


def test_a_parameter_defined_in_two_shipped_files_is_refused(tmp_path: Path) -> None:
    body = (
        f"parameters:\n  x:\n    label_en: x\n    label_vi: x\n    values:\n"
        f"      - {{from: 2023-01-01, value: 1, status: firm, reference: {REF}}}\n"
    )
    _write(tmp_path, body, "a.yaml")
    _write(tmp_path, body, "b.yaml")
    with pytest.raises(ParameterError, match="already defined in another file"):
        ParameterSet.load([tmp_path])


def test_missing_overlay_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="parameters path not found"):
        ParameterSet.load([PACKAGE_DIR, tmp_path / "nope.yaml"])
