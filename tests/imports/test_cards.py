"""The health-insurance card list on the import framework (kind ``cards``)."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from ansinh.core.models import AuditEntry
from ansinh.imports import values
from ansinh.imports.models import ImportJob
from ansinh.insurance.imports import group_code
from ansinh.insurance.models import Card
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
    "Mã số BHXH",
    "Mã thẻ",
    "Mã đối tượng",
    "Giá trị sử dụng từ ngày",
    "Giá trị sử dụng đến ngày",
    "Ngày đóng tiền",
]


@pytest.fixture
def family(tan_dong):
    household = f.household(
        tan_dong,
        f.person("Nguyễn Văn Bình", D(1978, 3, 4), "male", "head"),
        f.person("Nguyễn Ngọc Hân", D(2023, 5, 5), "female", "child", with_cccd=False),
        f.person("Lê Thị Hoa", D(1980, 6, 7), "female", "spouse", with_cccd=False),
        code="TD-0042",
    )
    return {p.full_name: p for p in household.members.all()}


def rows(family) -> list[list]:
    binh = family["Nguyễn Văn Bình"]
    return [
        [
            1,
            "Nguyễn Văn Bình",
            "04/03/1978",
            binh.cccd,
            "7212345678",
            None,
            "GD",
            "01/01/2026",
            "31/12/2026",
            "20/12/2025",
        ],
        [
            2,
            "Nguyễn Ngọc Hân",
            "05/05/2023",
            None,
            None,
            "TE1727223050512",
            None,
            D(2023, 5, 5),
            D(2029, 5, 4),
            None,
        ],
    ]


def run(path: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command(
            "import", "cards", str(path), "--commune", str(TD), *args, stdout=out, stderr=err
        )
    return int(exit_.value.code), out.getvalue(), err.getvalue()


def book(tmp_path: Path, data: list[list], name: str = "the.xlsx") -> Path:
    return workbook(tmp_path / name, data, header=HEADER)


def refused(path: Path) -> list[tuple]:
    return list(load_workbook(path).active.iter_rows(values_only=True))[1:]


def test_a_vietnamese_card_list_becomes_card_periods(tmp_path, family):
    code, _out, err = run(book(tmp_path, rows(family)), "--confirm-matches")
    assert code == 0, err
    binh = Card.objects.get(person=family["Nguyễn Văn Bình"])
    assert (binh.group_code, binh.valid_from, binh.valid_to, binh.paid_on) == (
        "GD",
        D(2026, 1, 1),
        D(2026, 12, 31),
        D(2025, 12, 20),
    )
    assert (binh.social_insurance_number, binh.source, binh.payer) == (
        "7212345678",
        "imported",
        "household",
    )
    han = Card.objects.get(person=family["Nguyễn Ngọc Hân"])
    # found by name and date of birth (confirmed); no group on her row: the card code's
    assert (han.group_code, han.legacy_code) == ("TE", "TE1727223050512")


def test_the_earlier_english_headers_still_work(tmp_path, family):
    binh = family["Nguyễn Văn Bình"]
    path = tmp_path / "ds.csv"
    path.write_text(
        "cccd,social_insurance_number,group_code,valid_from,valid_to,paid_on\n"
        f"{binh.cccd},,gd,2026-01-01,2026-12-31,2025-12-20\n",
        encoding="utf-8",
    )
    code, _out, err = run(path)
    assert code == 0, err
    assert Card.objects.get().group_code == "GD"


def test_importing_the_same_file_again_changes_nothing(tmp_path, family):
    path = book(tmp_path, rows(family))
    assert run(path, "--confirm-matches")[0] == 0
    entries = AuditEntry.objects.count()
    code, _out, _err = run(path)
    assert code == 0
    assert Card.objects.count() == 2
    assert ImportJob.objects.latest("pk").result["unchanged"] == 2
    assert AuditEntry.objects.count() == entries + 1


def test_a_corrected_file_updates_the_period(tmp_path, family):
    data = rows(family)[:1]
    assert run(book(tmp_path, data))[0] == 0
    data[0][8] = "30/06/2026"  # the end was wrong
    data[0][6] = "HN"  # and the group
    code, _out, err = run(book(tmp_path, data, "b.xlsx"))
    assert code == 0, err
    card = Card.objects.get()
    assert (card.valid_to, card.group_code, card.payer) == (D(2026, 6, 30), "HN", "state")
    assert card.social_insurance_number == "7212345678"  # an empty cell would not erase it
    assert AuditEntry.objects.filter(
        model_label="insurance.card", object_id=card.pk, action="update"
    ).exists()


def test_a_person_found_only_by_name_needs_confirmation(tmp_path, family):
    data = rows(family)[1:]
    path = book(tmp_path, data)
    assert run(path)[0] == 0
    assert not Card.objects.exists()
    job = ImportJob.objects.latest("pk")
    assert job.counts["confirm"] == 1
    assert run(path, "--confirm-matches")[0] == 0
    assert Card.objects.get().person == family["Nguyễn Ngọc Hân"]


def test_bad_rows_write_nothing_and_are_listed_with_row_and_column(tmp_path, family):
    data = rows(family)
    data[0][6] = "ZZ"
    data[1][8] = "31/02/2029"
    data.append(
        [3, "Người Lạ", "01/01/1950", None, None, None, "HT", "01/01/2026", "31/12/2026", None]
    )
    problems = tmp_path / "p.xlsx"
    code, _out, _err = run(book(tmp_path, data), "--problems", str(problems))
    assert code == 1
    assert not Card.objects.exists()
    bad = refused(problems)
    assert [r[0] for r in bad] == [5, 6, 7]
    letters = [r[-1].replace("column ", "").replace("cột ", "") for r in bad]
    assert "(G)" in letters[0]
    assert "(I)" in letters[1]
    assert "(B)" in letters[2]
    assert "import the households first" in bad[2][-1] or "nhập danh sách hộ" in bad[2][-1]


def test_skip_invalid_imports_the_good_rows(tmp_path, family):
    data = rows(family)
    data[1][8] = "31/02/2029"
    code, _out, _err = run(book(tmp_path, data), "--skip-invalid")
    assert code == 1
    assert list(Card.objects.values_list("person__full_name", flat=True)) == ["Nguyễn Văn Bình"]


def test_the_same_period_twice_in_the_file(tmp_path, family):
    data = rows(family)[:1] * 2
    problems = tmp_path / "p.xlsx"
    assert run(book(tmp_path, data), "--problems", str(problems))[0] == 1
    assert "row 5" in refused(problems)[0][-1] or "dòng 5" in refused(problems)[0][-1]


def test_unreadable_file_exits_2(tmp_path, family):
    bad = tmp_path / "x.csv"
    bad.write_bytes(b'cccd,group_code\n"' + b"x" * 200_000 + b'",GD\n')
    code, _out, err = run(bad)
    assert code == 2
    assert err


def test_the_cards_command_is_a_wrapper_of_the_framework(tmp_path, family):
    path = book(tmp_path, rows(family)[:1])
    out = io.StringIO()
    call_command("cards", "import", str(path), "--commune", str(TD), stdout=out)
    assert "1 thẻ mới" in out.getvalue()
    assert ImportJob.objects.get().kind == "cards"
    data = rows(family)[:1]
    data[0][7] = "not a date"
    with pytest.raises(CommandError, match="skip-invalid"):
        call_command(
            "cards",
            "import",
            str(book(tmp_path, data, "b.xlsx")),
            "--commune",
            str(TD),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert Card.objects.count() == 1


def test_cards_imported_at_once_beside_a_background_queue(tmp_path, family, settings):
    """The card page and ``ansinh cards import`` wait for their import: with a server's
    database queue (``make demo``, ``ansinh serve --worker``) they still run it themselves."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    out = io.StringIO()
    call_command(
        "cards", "import", str(book(tmp_path, rows(family)[:1])), "--commune", str(TD), stdout=out
    )
    assert re.search(r"1 thẻ mới|1 new card", out.getvalue())
    assert Card.objects.count() == 1
    assert ImportJob.objects.get().state == "done"


@pytest.mark.parametrize(
    ("text", "legacy", "expected"),
    [("gd", "", "GD"), ("Hộ cận nghèo", "", "CN"), ("", "HN4797912345678", "HN")],
)
def test_the_group_as_written(text, legacy, expected):
    assert group_code(text, legacy) == expected


def test_an_unknown_group_is_refused():
    with pytest.raises(values.CellError, match="two letters"):
        group_code("Khác", "")


def test_a_card_number_with_someone_elses_cccd_is_refused(tmp_path, family):
    """The card of a person found by its number is not given a CCCD that is not theirs."""
    assert run(book(tmp_path, rows(family)), "--confirm-matches")[0] == 0
    second = rows(family)
    second[0][3] = f.make_cccd(D(1978, 3, 4), "male")  # a CCCD nobody in the commune has
    second[0][7] = "01/01/2027"
    second[0][8] = "31/12/2027"
    code, _out, _err = run(book(tmp_path, second, "b.xlsx"), "--problems", str(tmp_path / "p.xlsx"))
    assert code == 1
    (row,) = [r for r in refused(tmp_path / "p.xlsx") if r[2] == "Nguyễn Văn Bình"]
    assert "not theirs" in row[-1] or "không phải" in row[-1]
    assert not Card.objects.filter(valid_from=D(2027, 1, 1)).exists()
