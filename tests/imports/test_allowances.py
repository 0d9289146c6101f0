"""The allowance recipients: from a workbook to decided cases, the rules' amount beside."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from ansinh.assistance.imports import bank_of, group_of, payment_of
from ansinh.assistance.models import Case, CaseEvent
from ansinh.core.models import AuditEntry
from ansinh.imports import values
from ansinh.imports.models import ImportJob
from ansinh.imports.services import render
from tests import factories as f
from tests.imports.conftest import workbook

pytestmark = pytest.mark.django_db
TD = f.TAN_DONG
D = dt.date
HEADER = [
    "STT",
    "Họ và tên",
    "Ngày sinh",
    "Số CCCD",
    "Mã hộ",
    "Đối tượng",
    "Số quyết định",
    "Ngày quyết định",
    "Hưởng từ tháng",
    "Mức trợ cấp",
    "Hình thức chi trả",
    "Ngân hàng",
    "Số tài khoản",
    "Chủ tài khoản",
]


@pytest.fixture
def people(tan_dong, dong_hiep):
    h1 = f.household(
        tan_dong,
        f.person("Trần Văn Hùng", D(1990, 4, 10), "male", "head"),
        f.person("Phạm Thị Lan", D(1945, 2, 5), "female", "parent"),
        code="TD-0007",
    )
    h2 = f.household(
        dong_hiep,
        f.person("Lê Văn Tư", D(1960, 1, 1), "male", "head"),
        f.person("Lê Minh Bé", D(2024, 12, 20), "male", "grandchild", with_cccd=False),
        code="DH-0003",
    )
    members = {p.full_name: p for h in (h1, h2) for p in h.members.all()}
    return members


def rows(people) -> list[list]:
    hung = people["Trần Văn Hùng"]
    return [
        [
            1,
            "Trần Văn Hùng",
            "10/04/1990",
            hung.cccd,
            None,
            "Người khuyết tật nặng",
            "15/QĐ-UBND",
            "20/01/2026",
            "01/2026",
            "750.000",
            "Chuyển khoản",
            "Agribank",
            "5700 1234 5678",
            None,
        ],
        [
            2,
            "Phạm Thị Lan",
            1945,
            None,
            "TD-0007",
            "NCT từ đủ 80 tuổi không có lương hưu",
            "15/QĐ-UBND",
            "20/01/2026",
            "tháng 2/2026",
            540000,
            "Tiền mặt",
            None,
            None,
            None,
        ],
        [
            3,
            "Lê Minh Bé",
            "20/12/2024",
            None,
            "DH-0003",
            "Khoản 1 Điều 5",
            "16/QĐ-UBND",
            D(2026, 1, 22),
            None,
            "1,250,000",
            "Qua bưu điện",
            None,
            None,
            None,
        ],
    ]


def run(path: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command(
            "import", "allowances", str(path), "--commune", str(TD), *args, stdout=out, stderr=err
        )
    return int(exit_.value.code), out.getvalue(), err.getvalue()


def book(tmp_path: Path, data: list[list], name: str = "tc.xlsx") -> Path:
    return workbook(tmp_path / name, data, header=HEADER)


def refused(path: Path) -> list[tuple]:
    return list(load_workbook(path).active.iter_rows(values_only=True))[1:]


def money(vi: str) -> str:
    """An amount as the check wrote it: in the language active then (Vietnamese)."""
    return f"{vi} đ"


def notes_of_last_job() -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    with translation.override("en"):
        for row, message, params in ImportJob.objects.latest("pk").notes:
            out.setdefault(row, []).append(render(message, params))
    return out


def test_the_list_becomes_decided_cases_with_the_files_amounts(tmp_path, people):
    problems = tmp_path / "p.xlsx"
    code, _out, _err = run(book(tmp_path, rows(people)), "--problems", str(problems))
    assert code == 0, [r[-1] for r in refused(problems)] if problems.exists() else _err
    hung = Case.objects.get(person=people["Trần Văn Hùng"])
    assert (hung.status, hung.scheme, hung.groups) == (
        "active",
        "social_assistance",
        ["disability_severe"],
    )
    assert (hung.decision_number, hung.decision_date, hung.effective_month) == (
        "15/QĐ-UBND",
        D(2026, 1, 20),
        D(2026, 1, 1),
    )
    assert (hung.amount, hung.payment_method, hung.bank) == (750_000, "bank", "agribank")
    assert hung.bank_account_number == "570012345678"
    assert hung.bank_account_holder == "TRAN VAN HUNG"  # the recipient's name, as banks print it
    assert hung.coefficient == "1.5"  # the rules agree with the file
    lan = Case.objects.get(person=people["Phạm Thị Lan"])
    assert (lan.groups, lan.amount, lan.payment_method) == (
        ["elderly_80_no_pension"],
        540_000,
        "cash",
    )
    assert lan.effective_month == D(2026, 2, 1)
    be = Case.objects.get(person=people["Lê Minh Bé"])
    assert (be.groups, be.amount, be.payment_method) == (["child_no_support"], 1_250_000, "cash")
    # the audit log and the case's history say it was imported
    entry = AuditEntry.objects.get(model_label="assistance.case", object_id=hung.pk)
    assert entry.action == "create"
    assert entry.note in ("Imported from tc.xlsx", "Nhập từ tc.xlsx")
    assert CaseEvent.objects.get(case=hung).kind == "decided"


def test_every_difference_with_the_rules_is_a_note(tmp_path, people):
    assert run(book(tmp_path, rows(people)), "--dry-run")[0] == 0
    notes = notes_of_last_job()
    assert list(notes) == [6]  # Lan's row only: Hùng's and Bé's amounts are the rules' own
    (text,) = notes[6]
    assert money("500.000") in text
    assert money("540.000") in text
    assert "+" + money("40.000") in text


def test_a_missing_policy_value_makes_only_its_rows_say_so(tmp_path, people):
    data = rows(people)
    data[0][7], data[0][8] = "10/06/2020", "06/2020"  # before any standard level is configured
    code, _out, _err = run(book(tmp_path, data))
    assert code == 0
    notes = notes_of_last_job()
    assert sorted(notes) == [5, 6]
    assert "cannot compute" in notes[5][0]
    assert money("750.000") in notes[5][0]
    assert "cannot compute" not in notes[6][0]
    assert Case.objects.get(person=people["Trần Văn Hùng"]).amount == 750_000


def test_importing_the_same_file_again_changes_nothing(tmp_path, people):
    path = book(tmp_path, rows(people))
    assert run(path)[0] == 0
    entries, events = AuditEntry.objects.count(), CaseEvent.objects.count()
    code, _out, _err = run(path)
    assert code == 0
    assert Case.objects.count() == 3
    assert ImportJob.objects.latest("pk").result == {
        "created": 0,
        "updated": 0,
        "unchanged": 3,
        "skipped": 0,
    }
    assert AuditEntry.objects.count() == entries + 1  # the import's own event
    assert CaseEvent.objects.count() == events


def test_a_corrected_file_updates_the_fields_that_changed(tmp_path, people):
    data = rows(people)
    assert run(book(tmp_path, data))[0] == 0
    data[0][9] = "800.000"  # Hùng's amount
    data[0][12] = "5700999988887"  # and his account
    data[1][10] = "Chuyển khoản"  # Lan now by bank
    data[1][11], data[1][12] = "NHCSXH", "1234567890"
    code, _out, err = run(book(tmp_path, data, "b.xlsx"))
    assert code == 0, err
    hung = Case.objects.get(person=people["Trần Văn Hùng"])
    assert (hung.amount, hung.bank_account_number) == (800_000, "5700999988887")
    lan = Case.objects.get(person=people["Phạm Thị Lan"])
    assert (lan.payment_method, lan.bank, lan.bank_account_holder) == (
        "bank",
        "vbsp",
        "PHAM THI LAN",
    )
    assert Case.objects.count() == 3
    assert ImportJob.objects.latest("pk").result["updated"] == 2
    assert AuditEntry.objects.filter(
        model_label="assistance.case", object_id=hung.pk, action="update"
    ).exists()


def test_bad_rows_write_nothing_and_are_listed_with_row_and_column(tmp_path, people):
    data = rows(people)
    data[0][5] = "Người nghèo khó"  # not a group
    data[1][7] = "31/02/2026"
    data[2][9] = "nhiều"
    problems = tmp_path / "p.xlsx"
    code, _out, _err = run(book(tmp_path, data), "--problems", str(problems))
    assert code == 1
    assert not Case.objects.exists()
    bad = refused(problems)
    assert [r[0] for r in bad] == [5, 6, 7]
    letters = [r[-1].replace("column ", "").replace("cột ", "") for r in bad]
    assert "(F)" in letters[0]
    assert "(H)" in letters[1]
    assert "(J)" in letters[2]


def test_skip_invalid_imports_the_good_rows(tmp_path, people):
    data = rows(people)
    data[2][9] = "nhiều"
    code, _out, _err = run(book(tmp_path, data), "--skip-invalid")
    assert code == 1
    assert Case.objects.count() == 2
    assert not Case.objects.filter(person=people["Lê Minh Bé"]).exists()


def test_a_person_not_in_the_registry_is_a_problem(tmp_path, people):
    data = rows(people)[:1]
    data[0][1], data[0][3] = "Người Lạ", None
    data[0][2] = "01/01/1950"
    problems = tmp_path / "p.xlsx"
    code, _out, _err = run(book(tmp_path, data), "--problems", str(problems))
    assert code == 1
    (only,) = refused(problems)
    assert "import the households first" in only[-1] or "nhập danh sách hộ" in only[-1]
    assert not Case.objects.exists()


def test_a_person_found_only_by_name_needs_confirmation(tmp_path, people):
    data = rows(people)[1:2]
    data[0][4] = None  # no household code: Lan is found by name and date of birth only
    data[0][2] = "05/02/1945"
    path = book(tmp_path, data)
    assert run(path)[0] == 0
    assert not Case.objects.exists()
    assert run(path, "--confirm-matches")[0] == 0
    assert Case.objects.get().person == people["Phạm Thị Lan"]


def test_another_group_already_received_is_refused(tmp_path, people):
    assert run(book(tmp_path, rows(people)[:1]))[0] == 0
    data = rows(people)[:1]
    data[0][5], data[0][6] = "Người khuyết tật đặc biệt nặng", "99/QĐ-UBND"
    problems = tmp_path / "p.xlsx"
    code, _out, _err = run(book(tmp_path, data, "b.xlsx"), "--problems", str(problems))
    assert code == 1
    assert "15/QĐ-UBND" in refused(problems)[0][-1]
    assert Case.objects.get().groups == ["disability_severe"]


def test_unreadable_file_exits_2(tmp_path, people):
    bad = tmp_path / "x.xlsx"
    bad.write_bytes(b"PK\x03\x04 truncated")
    code, _out, err = run(bad)
    assert code == 2
    assert err
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Người khuyết tật nặng", ("social_assistance", "disability_severe")),
        ("NKT đặc biệt nặng", ("social_assistance", "disability_extreme")),
        ("KTĐBN", ("social_assistance", "disability_extreme")),
        ("Trẻ em mồ côi cả cha và mẹ", ("social_assistance", "child_no_support")),
        ("Trẻ em dưới 3 tuổi thuộc hộ nghèo", ("social_assistance", "child_under3_difficult_area")),
        ("Người từ 16 đến 22 tuổi đang đi học", ("social_assistance", "student_no_support")),
        ("Trẻ em nhiễm HIV", ("social_assistance", "child_hiv_poor")),
        ("Người nhiễm HIV thuộc hộ nghèo", ("social_assistance", "hiv_poor")),
        ("Người đơn thân nghèo đang nuôi con", ("social_assistance", "single_parent")),
        ("Người cao tuổi từ đủ 80 tuổi trở lên", ("social_assistance", "elderly_80_no_pension")),
        (
            "NCT thuộc hộ nghèo không có người phụng dưỡng",
            ("social_assistance", "elderly_poor_no_supporter"),
        ),
        (
            "Người từ đủ 75 tuổi đến 80 tuổi thuộc hộ nghèo",
            ("social_assistance", "elderly_difficult_area"),
        ),
        ("NCT nghèo được chăm sóc tại cộng đồng", ("social_assistance", "elderly_community_care")),
        ("Khoản 6 Điều 5 - khuyết tật nặng", ("social_assistance", "disability_severe")),
        ("Khoản 5 Điều 5 điểm c", ("social_assistance", "elderly_80_no_pension")),
        ("5.4", ("social_assistance", "single_parent")),
        ("Hưu trí xã hội", ("social_pension", "")),
        ("disability_severe", ("social_assistance", "disability_severe")),
    ],
)
def test_the_usual_wording_of_the_groups(text, expected):
    assert group_of(text) == expected


def test_an_unknown_or_unclear_group_is_refused():
    with pytest.raises(values.CellError, match="Decree 20/2021"):
        group_of("Hộ khó khăn")
    with pytest.raises(values.CellError, match="đặc biệt nặng"):
        group_of("Khoản 6 Điều 5")


@pytest.mark.parametrize(
    ("method", "bank", "expected"),
    [
        ("Tiền mặt", None, ("cash", "")),
        ("Qua bưu điện", None, ("cash", "")),
        ("Chuyển khoản", "Vietcombank", ("bank", "vietcombank")),
        ("CK", "Ngân hàng Chính sách xã hội", ("bank", "vbsp")),
        ("Agribank", None, ("bank", "agribank")),
        ("Bưu điện Liên Việt", None, ("bank", "lpbank")),
        ("Chuyển khoản", "MB Bank", ("bank", "other")),
    ],
)
def test_the_usual_ways_of_writing_the_payment(method, bank, expected):
    assert payment_of(method, bank, has_account=True) == expected


def test_an_unknown_payment_method_is_refused():
    with pytest.raises(values.CellError, match="Tiền mặt"):
        payment_of("Gửi nhờ", None, has_account=False)
    assert bank_of("") == ""


def test_the_pages_show_the_differences_before_the_import(client, tmp_path, officer, people):
    client.force_login(officer)
    index = client.get(reverse("imports:index"))
    for kind in ("poverty", "allowances", "cards"):
        assert f"kind-{kind}".encode() in index.content
    path = book(tmp_path, rows(people))
    with path.open("rb") as handle:
        client.post(reverse("imports:upload", args=["allowances"]), {"file": handle})
    job = ImportJob.objects.get()
    page = client.get(reverse("imports:job", args=[job.pk]))
    form = page.context["mapping_form"]
    data = {name: form[name].value() or "" for name in form.fields}
    assert client.post(reverse("imports:job_columns", args=[job.pk]), data).status_code == 302
    job.refresh_from_db()
    assert (job.state, job.counts["create"]) == ("checked", 3)
    page = client.get(reverse("imports:job", args=[job.pk]))
    text = page.content.decode()
    assert 'id="notes"' in text
    assert "540.000" in text  # the file's amount beside the rules' own
    assert not Case.objects.exists()  # nothing written before the officer imports
    client.post(reverse("imports:job_commit", args=[job.pk]), {})
    assert Case.objects.count() == 3
