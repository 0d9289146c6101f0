"""``ansinh rules poverty|allowance|bhyt``: formats, bad rows, exit codes, XLSX, subprocess."""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from ansinh.rules.cli import ALLOWANCE_COLUMNS, BHYT_COLUMNS, POVERTY_COLUMNS, main

from .conftest import HOUSEHOLD_COLUMNS, MEMBER_COLUMNS, PARAMS_2027, PEOPLE_COLUMNS, PROVINCE_80

HOUSEHOLDS = [
    # poor: income under the rural line, makeshift house, no water, no latrine
    {
        "household_code": "H1",
        "area": "rural",
        "income_per_capita": "1200000",
        "house_type": "makeshift",
        "floor_area_m2": "30",
        "safe_water": "no",
        "hygienic_latrine": "no",
        "internet": "yes",
        "info_assets": "yes",
    },
    # not poor, urban
    {
        "household_code": "H2",
        "area": "urban",
        "income_per_capita": "5000000",
        "house_type": "durable",
        "floor_area_m2": "60",
        "safe_water": "yes",
        "hygienic_latrine": "yes",
        "internet": "yes",
        "info_assets": "yes",
    },
    # B1 route, near-poor
    {
        "household_code": "H3",
        "area": "rural",
        "b1_score": "120",
        "house_type": "semi_durable",
        "floor_area_m2": "50",
        "safe_water": "yes",
        "hygienic_latrine": "yes",
        "internet": "no",
        "info_assets": "yes",
    },
]
ADULT = {
    "date_of_birth": "1980-05-05",
    "sex": "male",
    "health_insurance": "yes",
    "work": "self_employed",
    "studying": "no",
    "qualification": "upper_secondary",
    "malnourished": "no",
    "disability": "none",
    "monthly_allowance": "no",
}
MEMBERS = [
    {"household_code": "H1", "member_code": "M1", **ADULT},
    {"household_code": "H2", "member_code": "M2", **ADULT, "sex": "female"},
    {"household_code": "H1", "member_code": "M3", **ADULT, "date_of_birth": "1982-01-01"},
    {"household_code": "H3", "member_code": "M4", **ADULT},
]
PEOPLE = [
    {
        "person_code": "P1",
        "date_of_birth": "1990-01-01",
        "sex": "female",
        "household": "other",
        "groups": "disability_severe",
        "decision_month": "2024-01",
    },
    {
        "person_code": "P2",
        "date_of_birth": "1948-01-01",
        "sex": "male",
        "household": "poor",
        "groups": "",
        "social_pension_request": "yes",
        "decision_month": "2025-07",
    },
    {
        "person_code": "P3",
        "date_of_birth": "2015-01-01",
        "sex": "male",
        "household": "poor",
        "groups": "child_no_support",
        "decision_month": "2025-09",
    },
]


def write_csv(
    path: Path, rows: list[dict[str, Any]], columns: tuple[str, ...] | list[str], bom: bool = False
) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(columns))
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return {
        "households": write_csv(tmp_path / "households.csv", HOUSEHOLDS, HOUSEHOLD_COLUMNS),
        "members": write_csv(tmp_path / "members.csv", MEMBERS, MEMBER_COLUMNS),
        "people": write_csv(tmp_path / "people.csv", PEOPLE, PEOPLE_COLUMNS),
        "out": tmp_path / "result.csv",
    }


def poverty_args(f: dict[str, Path], *extra: str, date: str = "2025-03-01") -> list[str]:
    return [
        "poverty",
        "--households",
        str(f["households"]),
        "--members",
        str(f["members"]),
        "--date",
        date,
        "--out",
        str(f["out"]),
        *extra,
    ]


def test_poverty_output_format(files: dict[str, Path]) -> None:
    assert main(poverty_args(files)) == 0
    with files["out"].open(encoding="utf-8") as f:
        header = f.readline().strip().split(",")
    assert header == list(POVERTY_COLUMNS)
    rows = read_csv(files["out"])
    assert [r["household_code"] for r in rows] == ["H1", "H2", "H3"]  # input order
    h1, h2, h3 = rows
    assert h1 == {
        "household_code": "H1",
        "standard": "Decree 07/2021/ND-CP",
        "income_line": "1500000",
        "income_per_capita": "1200000",
        "b1_score": "",
        "deprived_count": "3",
        "deprived": "housing_quality;water;latrine",
        "class": "poor",
    }
    assert (h2["class"], h2["income_line"], h2["deprived"]) == ("not_poor", "2000000", "")
    assert (h3["class"], h3["income_line"], h3["b1_score"], h3["deprived"]) == (
        "near_poor",
        "140",
        "120",
        "telecom",
    )


def test_poverty_explain_adds_a_vietnamese_sentence(files: dict[str, Path]) -> None:
    assert main(poverty_args(files, "--explain")) == 0
    rows = read_csv(files["out"])
    assert list(rows[0]) == [*POVERTY_COLUMNS, "explanation"]
    assert rows[0]["explanation"] == (
        "Hộ nghèo: thu nhập 1.200.000 đ/người/tháng ≤ 1.500.000 đ (nông thôn) và thiếu hụt 3/12 "
        "chỉ số: chất lượng nhà ở, nguồn nước sinh hoạt, nhà tiêu hợp vệ sinh "
        "(Nghị định 07/2021/NĐ-CP, Điều 3)"
    )


def test_header_case_bom_column_order_and_unknown_columns(
    tmp_path: Path, files: dict[str, Path]
) -> None:
    columns = ["NOTE", *reversed([c.upper() for c in HOUSEHOLD_COLUMNS])]
    rows = [{c.upper(): v for c, v in r.items()} | {"NOTE": "ghi chú"} for r in HOUSEHOLDS]
    files["households"] = write_csv(tmp_path / "h2.csv", rows, columns, bom=True)
    assert main(poverty_args(files)) == 0
    assert [r["class"] for r in read_csv(files["out"])] == ["poor", "not_poor", "near_poor"]


def test_members_in_any_order_give_the_same_result(tmp_path: Path, files: dict[str, Path]) -> None:
    assert main(poverty_args(files)) == 0
    expected = files["out"].read_text(encoding="utf-8")
    files["members"] = write_csv(tmp_path / "m2.csv", list(reversed(MEMBERS)), MEMBER_COLUMNS)
    assert main(poverty_args(files)) == 0
    assert files["out"].read_text(encoding="utf-8") == expected


def test_bad_rows_are_all_reported_and_nothing_is_written(
    tmp_path: Path, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    bad_h = [
        dict(HOUSEHOLDS[0], area="suburb"),
        HOUSEHOLDS[1],
        dict(HOUSEHOLDS[2], floor_area_m2="x"),
    ]
    bad_m = [*MEMBERS, {"household_code": "H9", "member_code": "M9", **ADULT}]
    files["households"] = write_csv(tmp_path / "h.csv", bad_h, HOUSEHOLD_COLUMNS)
    files["members"] = write_csv(tmp_path / "m.csv", bad_m, MEMBER_COLUMNS)
    assert main(poverty_args(files)) == 1
    err = capsys.readouterr().err
    h, m = str(files["households"]), str(files["members"])
    assert f"{h}: row 2: column area: 'suburb' is not one of rural, urban" in err
    assert f"{h}: row 4: column floor_area_m2: 'x' is not a number ≥ 0" in err
    assert f"{m}: row 6: column household_code: 'H9' is not in the households file" in err
    assert "no output written" in err
    assert not files["out"].exists()


def test_skip_invalid_lists_bad_rows_and_computes_the_rest(
    tmp_path: Path, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    bad_m = [dict(MEMBERS[0], date_of_birth="05/05/1980"), *MEMBERS[1:]]
    files["members"] = write_csv(tmp_path / "m.csv", bad_m, MEMBER_COLUMNS)
    assert main(poverty_args(files, "--skip-invalid")) == 0
    err = capsys.readouterr().err
    assert "row 2: column date_of_birth: '05/05/1980' is not a date YYYY-MM-DD" in err
    assert "row 2: column household_code: left out: member row(s) 2" in err
    assert [r["household_code"] for r in read_csv(files["out"])] == ["H2", "H3"]


def test_missing_required_column_is_a_usage_error(
    tmp_path: Path, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    columns = [c for c in HOUSEHOLD_COLUMNS if c != "area"]
    files["households"] = write_csv(tmp_path / "h.csv", HOUSEHOLDS, columns)
    assert main(poverty_args(files, "--skip-invalid")) == 2
    assert "required column(s) missing: area" in capsys.readouterr().err
    assert not files["out"].exists()


def test_unreadable_files_exit_2(
    tmp_path: Path, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes(
        "household_code,area\nH1,nông thôn\n".encode("cp1258", errors="replace") + b"\xff\xfe\n"
    )
    files["households"] = latin
    assert main(poverty_args(files)) == 2
    assert "UTF-8" in capsys.readouterr().err
    files["households"] = tmp_path / "nope.csv"
    assert main(poverty_args(files)) == 2
    assert "file not found" in capsys.readouterr().err


def test_usage_errors_exit_2(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(poverty_args(files, date="01/03/2025")) == 2
    assert main(["poverty", "--households", "x.csv"]) == 2
    assert main(["nonsense"]) == 2
    assert (
        main(["bhyt", "--members", "0", "--date", "2025-01-01", "--months", "1", "--out", "-"]) == 2
    )
    assert main(["allowance", "--people", "p.csv", "--month", "2025-13", "--out", "-"]) == 2
    capsys.readouterr()
    assert main(["--help"]) == 0


def test_2027_without_parameters_refuses_listing_what_is_missing(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(poverty_args(files, date="2027-01-01")) == 2
    err = capsys.readouterr().err
    assert "no income line for the average-living band (rural) is configured for 2027" in err
    assert "no B1 score threshold (rural) is configured for 2027" in err
    assert "no threshold of the floor-area indicator is configured for 2027" in err
    assert not files["out"].exists()


def test_2027_with_a_parameters_overlay(tmp_path: Path, files: dict[str, Path]) -> None:
    households = [{**h, "waste_treatment": "no", "info_assets": ""} for h in HOUSEHOLDS[:2]]
    files["households"] = write_csv(tmp_path / "h.csv", households, HOUSEHOLD_COLUMNS)
    files["members"] = write_csv(tmp_path / "m.csv", MEMBERS[:3], MEMBER_COLUMNS)
    assert main(poverty_args(files, "--parameters", str(PARAMS_2027), date="2027-01-01")) == 0
    h1, h2 = read_csv(files["out"])
    assert (h1["standard"], h1["income_line"], h1["deprived"], h1["class"]) == (
        "Decree 351/2025/ND-CP",
        "2200000",
        "housing_quality;water;latrine;waste",
        "poor",
    )
    assert (h2["income_line"], h2["deprived"]) == ("2800000", "waste")


def test_xlsx_workbook_with_typed_cells(tmp_path: Path, files: dict[str, Path]) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "households"
    sheet.append(list(HOUSEHOLD_COLUMNS))
    for h in HOUSEHOLDS:
        row: list[Any] = []
        for c in HOUSEHOLD_COLUMNS:
            v = h.get(c)
            if c in ("income_per_capita", "b1_score") and v:
                row.append(int(v))
            elif c == "floor_area_m2":
                row.append(float(v) if v else None)
            elif v in ("yes", "no"):
                row.append(v == "yes")
            else:
                row.append(v)
        sheet.append(row)
    sheet.append([None] * len(HOUSEHOLD_COLUMNS))  # an empty row is skipped
    members = book.create_sheet("members")
    members.append(list(MEMBER_COLUMNS))
    for m in MEMBERS:
        members.append(
            [dt.date.fromisoformat(m[c]) if c == "date_of_birth" else m[c] for c in MEMBER_COLUMNS]
        )
    path = tmp_path / "survey.xlsx"
    book.save(path)
    files["households"] = files["members"] = path
    assert main(poverty_args(files)) == 0
    assert [r["class"] for r in read_csv(files["out"])] == ["poor", "not_poor", "near_poor"]


def test_xlsx_bad_rows_use_sheet_row_numbers(
    tmp_path: Path, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "people"
    sheet.append(list(PEOPLE_COLUMNS))
    sheet.append([PEOPLE[0].get(c) for c in PEOPLE_COLUMNS])
    sheet.append([None] * len(PEOPLE_COLUMNS))
    sheet.append(
        ["P9", dt.date(1990, 1, 1), "female", "other", "orphan", 0, 0, False, dt.date(2024, 1, 1)]
    )
    path = tmp_path / "people.xlsx"
    book.save(path)
    args = ["allowance", "--people", str(path), "--month", "2025-07", "--out", str(files["out"])]
    assert main(args) == 1
    assert f"{path}: row 4: column groups: unknown group code(s) orphan" in capsys.readouterr().err
    assert main([*args, "--skip-invalid"]) == 0
    assert read_csv(files["out"]) == [
        {
            "person_code": "P1",
            "scheme": "social_assistance",
            "basis": "disability_severe",
            "coefficient": "1.5",
            "amount": "750000",
        }
    ]


def test_allowance_output_format(files: dict[str, Path]) -> None:
    args = [
        "allowance",
        "--people",
        str(files["people"]),
        "--month",
        "2025-07",
        "--out",
        str(files["out"]),
    ]
    assert main(args) == 0
    with files["out"].open(encoding="utf-8") as f:
        assert f.readline().strip().split(",") == list(ALLOWANCE_COLUMNS)
    assert read_csv(files["out"]) == [
        {
            "person_code": "P1",
            "scheme": "social_assistance",
            "basis": "disability_severe",
            "coefficient": "1.5",
            "amount": "750000",
        },
        {
            "person_code": "P2",
            "scheme": "social_pension",
            "basis": "social_pension",
            "coefficient": "",
            "amount": "500000",
        },
        {"person_code": "P3", "scheme": "none", "basis": "", "coefficient": "", "amount": "0"},
    ]


def test_allowance_province_and_explain(files: dict[str, Path]) -> None:
    args = [
        "allowance",
        "--people",
        str(files["people"]),
        "--month",
        "2025-09",
        "--province",
        "80",
        "--parameters",
        str(PROVINCE_80),
        "--explain",
        "--out",
        str(files["out"]),
    ]
    assert main(args) == 0
    p1, p2, p3 = read_csv(files["out"])
    assert (p1["amount"], p2["amount"], p3["amount"]) == ("900000", "650000", "900000")
    assert p1["explanation"] == (
        "Trợ cấp xã hội hằng tháng: 600.000 đ × hệ số 1,5 = 900.000 đ (người khuyết tật nặng, "
        "Nghị định 20/2021/NĐ-CP, Điều 5.6)"
    )


def test_bhyt_output(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["bhyt", "--members", "5", "--date", "2024-07-01", "--months", "12", "--out", "-"])
        == 0
    )
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines == [
        ",".join(BHYT_COLUMNS),
        "1,1.0,105300,1263600",
        "2,0.7,73710,884520",
        "3,0.6,63180,758160",
        "4,0.5,52650,631800",
        "5,0.4,42120,505440",
    ]
    assert (
        main(["bhyt", "--members", "1", "--date", "2019-01-01", "--months", "1", "--out", "-"]) == 2
    )
    assert "no base salary" in capsys.readouterr().err


def test_header_only_files_give_a_header_only_result(
    tmp_path: Path, files: dict[str, Path]
) -> None:
    files["households"] = write_csv(tmp_path / "h.csv", [], HOUSEHOLD_COLUMNS)
    files["members"] = write_csv(tmp_path / "m.csv", [], MEMBER_COLUMNS)
    assert main(poverty_args(files)) == 0
    assert files["out"].read_text(encoding="utf-8").strip() == ",".join(POVERTY_COLUMNS)


def test_output_folder_must_exist(
    tmp_path: Path, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    files["out"] = tmp_path / "missing" / "r.csv"
    assert main(poverty_args(files)) == 2
    assert "does not exist" in capsys.readouterr().err


def test_the_installed_command_runs_in_a_subprocess(files: dict[str, Path]) -> None:
    exe = Path(sys.executable).parent / "ansinh"
    done = subprocess.run(
        [str(exe), "rules", *poverty_args(files)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "3 household(s) classified on 2025-03-01: poor 1, near_poor 1" in done.stderr
    assert [r["class"] for r in read_csv(files["out"])] == ["poor", "not_poor", "near_poor"]
    bad = subprocess.run(
        [str(exe), "rules", *poverty_args(files, date="2027-06-01")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert bad.returncode == 2
