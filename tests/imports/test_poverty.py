"""The poor and near-poor list: from a workbook with its decision to official statuses."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import replace
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from ansinh.core.models import AuditEntry
from ansinh.imports import values
from ansinh.imports.models import ImportJob
from ansinh.poverty.imports import poverty_class
from ansinh.poverty.models import PovertyStatusPeriod
from ansinh.poverty.selectors import status_on
from tests import factories as f
from tests.imports.conftest import workbook

pytestmark = pytest.mark.django_db
TD = f.TAN_DONG
D = dt.date
HEADER = [
    "STT",
    "Mã hộ",
    "Họ và tên chủ hộ",
    "Năm sinh",
    "Số CCCD",
    "Ấp",
    "Phân loại",
    "Số quyết định",
    "Ngày quyết định",
    "Năm",
]


@pytest.fixture
def homes(tan_dong, dong_hiep):
    """Three households: one with a code, one whose head has a CCCD, one with neither."""
    an = f.household(tan_dong, f.person("Nguyễn Văn An", D(1975, 3, 2)), code="TD-0100")
    tu = f.household(dong_hiep, f.person("Lê Văn Tư", D(1950, 8, 15)))
    nam = f.household(tan_dong, f.person("Phạm Thị Năm", D(1960, 1, 9), "female", with_cccd=False))
    return an, tu, nam


def head_cccd(household) -> str:
    return household.members.get(relationship="head").cccd


def rows(homes) -> list[list]:
    _an, tu, _nam = homes
    return [
        [
            1,
            "TD-0100",
            "Nguyễn Văn An",
            1975,
            None,
            "Tân Đông",
            "Hộ nghèo",
            "123/QĐ-UBND",
            "20/12/2025",
            2026,
        ],
        [
            2,
            None,
            "Lê Văn Tư",
            None,
            head_cccd(tu),
            "Đông Hiệp",
            "HCN",
            "123/QĐ-UBND",
            D(2025, 12, 20),
            2026,
        ],
    ]


def run(path: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command(
            "import", "poverty", str(path), "--commune", str(TD), *args, stdout=out, stderr=err
        )
    return int(exit_.value.code), out.getvalue(), err.getvalue()


def problems_of(path: Path) -> list[tuple]:
    if not path.exists():
        return []
    return list(load_workbook(path).active.iter_rows(values_only=True))


def book(tmp_path: Path, data: list[list], name: str = "hn.xlsx", **kw) -> Path:
    return workbook(tmp_path / name, data, header=kw.pop("header", HEADER), **kw)


def test_the_list_becomes_official_statuses(tmp_path, homes):
    an, tu, nam = homes
    code, _out, _err = run(book(tmp_path, rows(homes)), "--problems", str(tmp_path / "p.xlsx"))
    assert code == 0, [r[-1] for r in problems_of(tmp_path / "p.xlsx")]
    assert status_on([an.pk, tu.pk, nam.pk], D(2026, 3, 1)) == {
        an.pk: "poor",
        tu.pk: "near_poor",
        nam.pk: "not_poor",  # not on the list: left as it is
    }
    period = PovertyStatusPeriod.objects.get(household=an)
    # decided in December for the list of 2026: it applies from 1 January
    assert (period.valid_from, period.valid_to) == (D(2026, 1, 1), None)
    assert period.basis == "123/QĐ-UBND (20/12/2025)"
    assert status_on([an.pk], D(2025, 12, 31)) == {an.pk: "not_poor"}
    notes = set(
        AuditEntry.objects.filter(model_label="poverty.povertystatusperiod").values_list(
            "note", flat=True
        )
    )
    assert notes in ({"Nhập từ hn.xlsx"}, {"Imported from hn.xlsx"})


def test_importing_the_same_file_again_changes_nothing(tmp_path, homes):
    path = book(tmp_path, rows(homes))
    assert run(path)[0] == 0
    entries = AuditEntry.objects.count()
    code, _out, _err = run(path)
    assert code == 0
    assert PovertyStatusPeriod.objects.count() == 2
    assert AuditEntry.objects.count() == entries + 1  # the import's own event only
    assert ImportJob.objects.latest("pk").result["unchanged"] == 2


def test_a_corrected_file_updates_the_status_under_the_same_decision(tmp_path, homes):
    an, tu, _nam = homes
    data = rows(homes)
    assert run(book(tmp_path, data))[0] == 0
    data[1][6] = "Hộ nghèo"  # Tư was near-poor by mistake
    code, _out, err = run(book(tmp_path, data, "b.xlsx"))
    assert code == 0, err
    assert status_on([an.pk, tu.pk], D(2026, 3, 1)) == {an.pk: "poor", tu.pk: "poor"}
    assert PovertyStatusPeriod.objects.filter(household=tu).count() == 1
    assert AuditEntry.objects.filter(
        model_label="poverty.povertystatusperiod", action="update"
    ).exists()


def test_a_later_decision_ends_the_earlier_period(tmp_path, homes):
    an, _tu, _nam = homes
    assert run(book(tmp_path, rows(homes)[:1]))[0] == 0
    later = rows(homes)[:1]
    later[0][6:10] = ["Cận nghèo", "45/QĐ-UBND", "15/06/2026", None]
    assert run(book(tmp_path, later, "b.xlsx"))[0] == 0
    periods = list(
        PovertyStatusPeriod.objects.filter(household=an)
        .order_by("valid_from")
        .values_list("poverty_class", "valid_from", "valid_to")
    )
    assert periods == [
        ("poor", D(2026, 1, 1), D(2026, 6, 14)),
        ("near_poor", D(2026, 6, 15), None),
    ]


def test_a_household_found_only_by_name_needs_confirmation(tmp_path, homes):
    _an, _tu, nam = homes
    data = [
        [1, None, "Phạm Thị Năm", "09/01/1960", None, None, "nghèo", "7/QĐ", "02/02/2026", None]
    ]
    path = book(tmp_path, data)
    code, _out, _err = run(path)
    assert code == 0
    assert not PovertyStatusPeriod.objects.exists()
    assert ImportJob.objects.latest("pk").result["skipped"] == 1
    code, _out, _err = run(path, "--confirm-matches")
    assert code == 0
    assert status_on([nam.pk], D(2026, 2, 2)) == {nam.pk: "poor"}


def test_bad_rows_write_nothing_and_are_listed_with_row_and_column(tmp_path, homes):
    data = rows(homes)
    data[0][6] = "Thoát nghèo"
    data[1][8] = "31/02/2026"
    data.append([3, "TD-9999", "Ai Đó", 1990, None, None, "HN", "123/QĐ-UBND", "20/12/2025", None])
    problems = tmp_path / "p.xlsx"
    code, _out, _err = run(book(tmp_path, data), "--problems", str(problems))
    assert code == 1
    assert not PovertyStatusPeriod.objects.exists()
    refused = list(load_workbook(problems).active.iter_rows(values_only=True))
    assert [r[0] for r in refused[1:]] == [5, 6, 7]  # sheet rows: 2 titles, a blank, the header
    assert "(G)" in refused[1][-1].replace("column ", "").replace("cột ", "")
    assert "(I)" in refused[2][-1].replace("column ", "").replace("cột ", "")
    assert "TD-9999" in refused[3][-1]


def test_skip_invalid_records_the_good_rows(tmp_path, homes):
    an, tu, _nam = homes
    data = rows(homes)
    data[1][6] = "khá"
    code, _out, _err = run(book(tmp_path, data), "--skip-invalid")
    assert code == 1
    assert status_on([an.pk, tu.pk], D(2026, 3, 1)) == {an.pk: "poor", tu.pk: "not_poor"}


def test_a_household_not_in_the_registry_is_a_problem(tmp_path, homes):
    data = [[1, None, "Người Lạ", "01/01/1970", None, None, "HN", "1/QĐ", "01/02/2026", None]]
    problems = tmp_path / "p.xlsx"
    code, _out, _err = run(book(tmp_path, data), "--problems", str(problems))
    assert code == 1
    reason = list(load_workbook(problems).active.iter_rows(values_only=True))[1][-1]
    assert "import the households first" in reason or "nhập danh sách hộ trước" in reason


def test_the_decision_only_in_a_title_row_is_reported_missing(tmp_path, homes):
    header = ["STT", "Mã hộ", "Họ và tên chủ hộ", "Phân loại"]
    path = workbook(tmp_path / "a.xlsx", [[1, "TD-0100", "Nguyễn Văn An", "HN"]], header=header)
    code, _out, err = run(path)
    assert code == 2
    assert "--mapping" in err


def test_tick_columns_and_a_same_household_twice(tmp_path, homes):
    an, _tu, _nam = homes
    header = ["STT", "Mã hộ", "Chủ hộ", "Hộ nghèo", "Hộ cận nghèo", "Số QĐ", "Ngày QĐ"]
    data = [
        [1, "TD-0100", "Nguyễn Văn An", None, "x", "9/QĐ", "01/03/2026"],
        [2, "td-0100", "Nguyễn Văn An", "x", None, "9/QĐ", "01/03/2026"],
    ]
    code, _out, _err = run(book(tmp_path, data, header=header), "--skip-invalid")
    assert code == 1
    assert status_on([an.pk], D(2026, 3, 1)) == {an.pk: "near_poor"}


def test_unreadable_file_exits_2(tmp_path, homes):
    bad = tmp_path / "x.xlsx"
    bad.write_bytes(b"not a workbook")
    assert run(bad)[0] == 2


def test_dry_run_writes_nothing(tmp_path, homes):
    code, _out, _err = run(book(tmp_path, rows(homes)), "--dry-run")
    assert code == 0
    assert not PovertyStatusPeriod.objects.exists()


def test_a_cccd_of_another_commune_is_refused_without_naming(tmp_path, homes):
    other = f.village(commune_code=25525, name="Ấp Khác", code="KH")
    stranger = f.household(other, replace(f.person("Phạm Văn Xa", D(1970, 1, 1))))
    data = [[1, None, None, None, head_cccd(stranger), None, "HN", "1/QĐ", "01/02/2026", None]]
    problems = tmp_path / "p.xlsx"
    assert run(book(tmp_path, data), "--problems", str(problems))[0] == 1
    reason = list(load_workbook(problems).active.iter_rows(values_only=True))[1][-1]
    assert "Xa" not in reason
    assert not PovertyStatusPeriod.objects.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hộ nghèo", "poor"),
        ("HN", "poor"),
        ("nghèo", "poor"),
        ("Hộ cận nghèo", "near_poor"),
        ("HCN", "near_poor"),
        ("cận nghèo", "near_poor"),
        ("CẬN NGHÈO", "near_poor"),
    ],
)
def test_the_usual_ways_of_writing_the_class(text, expected):
    assert poverty_class(text) == expected


@pytest.mark.parametrize("text", ["Thoát nghèo", "Không nghèo", "khá", ""])
def test_other_classes_are_refused(text):
    with pytest.raises(values.CellError, match="Hộ nghèo"):
        poverty_class(text)
