"""The households list: from a workbook as officers keep it to households and members."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import replace
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from openpyxl import load_workbook

from ansinh.accounts.scopes import scope_for
from ansinh.core.models import AuditEntry
from ansinh.imports import services
from ansinh.imports.choices import JobState
from ansinh.imports.models import ImportJob, ImportMapping
from ansinh.registry.models import Household, Person
from tests import factories as f
from tests.imports.conftest import workbook

TD = f.TAN_DONG


def rows_two_households() -> list[list]:
    an = f.make_cccd(dt.date(1975, 3, 2), "male")
    return [
        [
            1,
            "TD-0100",
            "Nguyễn Văn An",
            "02/03/1975",
            "Nam",
            "Chủ hộ",
            an,
            "Kinh",
            "Ấp Tân Đông",
            "Tổ 4",
            "0912 345 678",
        ],
        [2, None, "Trần Thị Bé", dt.date(1978, 7, 9), "Nữ", "Vợ", None, "Kinh", None, None, None],
        [3, None, "Nguyễn Minh Khôi", 2010, "Nam", "Con", None, "Kinh", None, None, None],
        [
            4,
            None,
            "Lê Văn Tư",
            "15-08-1950",
            "Nam",
            "Chủ hộ",
            None,
            "Khơ-me",
            "Đông Hiệp",
            "Tổ 2",
            912000111,
        ],
        [5, None, "Lê Thị Năm", "1955", "Nữ", "Vợ", None, "Khmer", None, None, None],
    ]


def job_cccd(path: Path) -> str:
    """The first CCCD written in a workbook of ``workbook``."""
    sheet = load_workbook(path).active
    return str(next(r[6] for r in sheet.iter_rows(values_only=True) if r and r[0] == 1))


def run(path: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command(
            "import", "households", str(path), "--commune", str(TD), *args, stdout=out, stderr=err
        )
    return int(exit_.value.code), out.getvalue(), err.getvalue()


def test_a_workbook_with_title_rows_becomes_households(tmp_path, tan_dong, dong_hiep):
    path = workbook(tmp_path / "ds.xlsx", rows_two_households())
    code, out, _err = run(path)
    assert code == 0, out
    first = Household.objects.get(code="TD-0100")
    assert first.village == tan_dong
    assert first.address == "Tổ 4"
    assert first.phone == "+84912345678"
    members = {p.full_name: p for p in first.members.all()}
    assert set(members) == {"Nguyễn Văn An", "Trần Thị Bé", "Nguyễn Minh Khôi"}
    assert members["Nguyễn Minh Khôi"].date_of_birth == dt.date(2010, 1, 1)  # a year alone
    assert members["Trần Thị Bé"].relationship == "spouse"
    # no code in the file: the rows under the second head form a household, coded by ansinh
    second = Household.objects.get(village=dong_hiep)
    assert second.code.startswith("DH-")
    assert second.phone == "+84912000111"  # typed as a number, its 0 lost
    assert {p.ethnicity for p in second.members.all()} == {"05"}
    assert "2 " not in out
    assert "5" in out
    # each record is in the audit log, naming the file
    notes = set(
        AuditEntry.objects.filter(model_label="registry.person").values_list("note", flat=True)
    )
    assert notes == {"Nhập từ ds.xlsx"} or notes == {"Imported from ds.xlsx"}


def test_importing_the_same_file_again_changes_nothing(tmp_path, tan_dong, dong_hiep):
    path = workbook(tmp_path / "ds.xlsx", rows_two_households())
    assert run(path)[0] == 0
    entries = AuditEntry.objects.count()
    code, out, _ = run(path)
    assert code == 0
    assert Person.objects.count() == 5
    assert Household.objects.count() == 2
    # one event for the import itself, no record created or changed
    assert AuditEntry.objects.count() == entries + 1
    assert re.search(r"(unchanged|không đổi) 5|5 unchanged", out), out


def test_a_corrected_file_updates_what_it_matches(tmp_path, tan_dong, dong_hiep):
    rows = rows_two_households()
    assert run(workbook(tmp_path / "a.xlsx", rows))[0] == 0
    rows[0][10] = "0987 654 321"  # the head's phone, matched by CCCD
    rows[1][6] = f.make_cccd(dt.date(1978, 7, 9), "female")  # the wife's CCCD, by name + birth
    code, _out, _ = run(workbook(tmp_path / "b.xlsx", rows))
    assert code == 0
    an = Person.objects.get(full_name="Nguyễn Văn An")
    assert an.phone == "+84987654321"
    assert Person.objects.get(full_name="Trần Thị Bé").cccd == rows[1][6]
    assert Person.objects.count() == 5
    assert AuditEntry.objects.filter(
        model_label="registry.person", object_id=an.pk, action="update"
    ).exists()


def test_an_empty_cell_never_erases(tmp_path, tan_dong, dong_hiep):
    rows = rows_two_households()
    assert run(workbook(tmp_path / "a.xlsx", rows))[0] == 0
    rows[0][6] = None
    rows[0][10] = None
    assert run(workbook(tmp_path / "b.xlsx", rows))[0] == 0
    an = Person.objects.get(full_name="Nguyễn Văn An")
    assert an.cccd
    assert an.phone == "+84912345678"


def test_bad_rows_write_nothing_and_are_listed(tmp_path, tan_dong, dong_hiep):
    rows = rows_two_households()
    rows[2][3] = "31/02/2010"
    rows[4][8] = "Ấp Không Có"
    code, _out, _ = run(workbook(tmp_path / "a.xlsx", rows), "--problems", str(tmp_path / "p.xlsx"))
    assert code == 1
    assert Person.objects.count() == 0
    assert Household.objects.count() == 0
    sheet = load_workbook(tmp_path / "p.xlsx").active
    refused = list(sheet.iter_rows(values_only=True))
    assert [r[0] for r in refused[1:]] == [7, 9]  # sheet rows (3 title rows + header)
    assert "31/02/2010" in refused[1][-1]
    assert "(D)" in refused[1][-1].replace("column ", "").replace("cột ", "")
    assert "Không Có" in refused[2][-1]


def test_the_command_checks_once_as_it_imports(tmp_path, tan_dong, dong_hiep, monkeypatch):
    """Nobody reads a preview between the command's check and its import: the check the
    import makes before writing is the only one (a 100,000-row file is read and checked once),
    and a dry run checks without importing."""
    from ansinh.registry.imports.households import HouseholdsImport

    checks = []
    original = HouseholdsImport.check

    def counted(self, **kwargs):
        checks.append(1)
        return original(self, **kwargs)

    monkeypatch.setattr(HouseholdsImport, "check", counted)
    path = workbook(tmp_path / "a.xlsx", rows_two_households())
    assert run(path, "--dry-run")[0] == 0
    assert len(checks) == 1
    assert Person.objects.count() == 0
    code, out, _ = run(path)
    assert code == 0
    assert len(checks) == 2
    assert Person.objects.count() == 5
    assert re.search(r"5 created|tạo mới 5", out)
    job = ImportJob.objects.get(state=JobState.DONE)
    assert job.checked_at is not None
    assert job.counts["create"] == 5


def test_rows_that_went_wrong_after_the_check_stop_the_import(
    tmp_path, tan_dong, dong_hiep, officer
):
    """Checked clean, then the ấp of rows 4-5 renamed before the import: the import's own
    check finds them, writes nothing and says the records changed since the check."""
    scope = scope_for(officer)
    job = services.import_upload(
        scope=scope,
        kind_name="households",
        commune=tan_dong.commune,
        source=workbook(tmp_path / "a.xlsx", rows_two_households()),
        filename="a.xlsx",
    )
    job = services.import_check(scope=scope, job=job)
    assert job.state == JobState.CHECKED
    assert job.problems_total == 0
    dong_hiep.name = "Ấp Hiệp Thành"
    dong_hiep.save()
    job = services.import_commit(scope=scope, job=job)
    assert job.state == JobState.CHECKED
    assert re.search(
        r"(records changed since the check|thay đổi từ lúc kiểm tra).*\b2\b", job.error
    ), job.error  # the head's row and his wife's, her household refused with him
    assert "nothing was imported" not in job.error
    assert job.counts["invalid"] == 2
    assert Person.objects.count() == 0
    assert Household.objects.count() == 0


def test_a_problem_found_in_the_one_pass_writes_nothing(tmp_path, tan_dong, dong_hiep, officer):
    rows = rows_two_households()
    rows[2][3] = "31/02/2010"
    scope = scope_for(officer)
    job = services.import_upload(
        scope=scope,
        kind_name="households",
        commune=tan_dong.commune,
        source=workbook(tmp_path / "a.xlsx", rows),
        filename="a.xlsx",
    )
    job = services.import_run(scope=scope, job=job)
    assert job.state == JobState.CHECKED  # as a check leaves it: the officer can look
    assert job.problems_total == 1
    assert job.counts["invalid"] == 1
    assert job.checked_at is not None
    assert re.search(r"1 (rows have problems: nothing was imported|dòng có lỗi)", job.error)
    assert "changed" not in job.error
    assert Person.objects.count() == 0
    assert Household.objects.count() == 0
    with pytest.raises(
        ValidationError, match=r"already running or finished|đang chạy hoặc đã xong"
    ):
        services.import_run(
            scope=scope,
            job=ImportJob.objects.create(
                commune=tan_dong.commune,
                kind="households",
                filename="x.xlsx",
                stored_name="x.xlsx",
                state=JobState.DONE,
            ),
        )


def test_skip_invalid_imports_the_good_rows(tmp_path, tan_dong, dong_hiep):
    rows = rows_two_households()
    rows[2][3] = "31/02/2010"
    code, _out, _ = run(workbook(tmp_path / "a.xlsx", rows), "--skip-invalid")
    assert code == 1  # there were bad rows, said by the exit code
    assert Person.objects.count() == 4
    assert not Person.objects.filter(full_name="Nguyễn Minh Khôi").exists()


def test_a_bad_head_row_leaves_out_its_whole_household(tmp_path, tan_dong, dong_hiep):
    rows = rows_two_households()
    rows[0][6] = "079099123456"  # the CCCD says born 1999, the date 1975
    code, _out, _ = run(workbook(tmp_path / "a.xlsx", rows), "--skip-invalid")
    assert code == 1
    assert not Household.objects.filter(code="TD-0100").exists()
    assert Person.objects.count() == 2  # the second household only


def test_dry_run_writes_nothing(tmp_path, tan_dong, dong_hiep):
    code, _out, _ = run(workbook(tmp_path / "a.xlsx", rows_two_households()), "--dry-run")
    assert code == 0
    assert Person.objects.count() == 0
    assert ImportJob.objects.get().state == JobState.CANCELLED
    assert not list((Path(services.imports_dir())).glob("*.xlsx"))  # the upload is deleted


def test_unreadable_file_exits_2(tmp_path, tan_dong):
    bad = tmp_path / "x.xlsx"
    bad.write_bytes(b"not a workbook")
    code, _out, err = run(bad)
    assert code == 2
    assert err
    assert ImportJob.objects.count() == 0


def test_missing_columns_exit_2_and_the_mapping_file_fixes_it(tmp_path, tan_dong, dong_hiep):
    header = ["TT", "Tên người", "Sinh ngày", "Phái", "QH", "Thôn"]
    rows = [[1, "Nguyễn Văn An", "02/03/1975", "Nam", "Chủ hộ", "Tân Đông"]]
    path = workbook(tmp_path / "a.xlsx", rows, header=header)
    code, _out, err = run(path)
    assert code == 2
    assert "--mapping" in err
    mapping = tmp_path / "m.json"
    mapping.write_text(
        '{"full_name": "Tên người", "date_of_birth": "Sinh ngày", "sex": "Phái",'
        ' "relationship": "QH", "village": "Thôn"}',
        encoding="utf-8",
    )
    code, _out, err = run(path, "--mapping", str(mapping))
    assert code == 0, err
    assert Person.objects.get().full_name == "Nguyễn Văn An"
    assert ImportMapping.objects.get(kind="households").columns["full_name"] == "ten nguoi"


def test_a_cccd_registered_in_another_commune_is_refused_without_naming(
    tmp_path, tan_dong, dong_hiep
):
    other = f.village(commune_code=25525, name="Ấp Khác", code="KH")
    cccd = f.make_cccd(dt.date(1975, 3, 2), "male")
    f.household(other, replace(f.person("Phạm Văn Xa", dt.date(1975, 3, 2)), cccd=cccd))
    rows = rows_two_households()
    rows[0][6] = cccd
    code, _out, _ = run(workbook(tmp_path / "a.xlsx", rows), "--problems", str(tmp_path / "p.xlsx"))
    assert code == 1
    reasons = [r[-1] for r in load_workbook(tmp_path / "p.xlsx").active.iter_rows(values_only=True)]
    assert any("elsewhere" in r or "nơi khác" in r for r in reasons[1:])
    assert not any("Phạm Văn Xa" in r for r in reasons[1:])


def test_the_same_cccd_twice_in_the_file(tmp_path, tan_dong, dong_hiep):
    rows = rows_two_households()
    rows[3][6] = rows[0][6]
    rows[3][3] = "02/03/1975"
    code, _o, _e = run(workbook(tmp_path / "a.xlsx", rows), "--problems", str(tmp_path / "p.xlsx"))
    assert code == 1
    refused = list(load_workbook(tmp_path / "p.xlsx").active.iter_rows(values_only=True))
    assert refused[1][0] == 8
    assert re.search(r"(row|dòng) 5", refused[1][-1])


def test_a_household_found_only_by_name_needs_confirmation(tmp_path, tan_dong, dong_hiep):
    f.household(tan_dong, f.person("Nguyễn Văn An", dt.date(1975, 3, 2), with_cccd=False))
    rows = rows_two_households()[:3]
    rows[0][1] = None  # no code, no CCCD: found only by the head's name and birth date
    rows[0][6] = None
    code, _out, _ = run(workbook(tmp_path / "a.xlsx", rows))
    assert code == 0
    assert Person.objects.count() == 1
    code, _out, _ = run(workbook(tmp_path / "a.xlsx", rows), "--confirm-matches")
    assert code == 0
    assert Household.objects.count() == 1
    assert Household.objects.get().members.count() == 3


def test_a_formula_typed_in_a_cell_stays_text_in_the_refused_rows(tmp_path, tan_dong, dong_hiep):
    rows = rows_two_households()
    rows[1][2] = '=HYPERLINK("http://x","y")'
    code, _o, _e = run(workbook(tmp_path / "a.xlsx", rows), "--problems", str(tmp_path / "p.xlsx"))
    assert code == 1
    sheet = load_workbook(tmp_path / "p.xlsx").active
    cell = next(c for row in sheet.iter_rows() for c in row if str(c.value).startswith("=HYP"))
    assert cell.data_type == "s"


def test_a_crash_while_writing_leaves_nothing(tmp_path, tan_dong, dong_hiep, monkeypatch):
    from ansinh.core import audit

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "created_many", broken)
    code, _out, _err = run(workbook(tmp_path / "a.xlsx", rows_two_households()))
    assert code == 1
    assert Household.objects.count() == 0
    assert Person.objects.count() == 0
    job = ImportJob.objects.get()
    assert job.state == JobState.FAILED
    assert "disk full" in job.error


def test_the_records_changing_after_the_check_are_seen_at_the_import(
    tmp_path, tan_dong, dong_hiep, officer
):
    scope = scope_for(officer)
    path = workbook(tmp_path / "a.xlsx", rows_two_households())
    job = services.import_upload(
        scope=scope,
        kind_name="households",
        commune=tan_dong.commune,
        source=path,
        filename="a.xlsx",
    )
    job = services.import_check(scope=scope, job=job)
    assert job.state == JobState.CHECKED
    assert job.counts["invalid"] == 0
    # meanwhile the officer registers the first CCCD in another village's household by hand
    cccd = job_cccd(path)
    f.household(dong_hiep, replace(f.person("Nguyễn Văn Ân", dt.date(1975, 3, 2)), cccd=cccd))
    job = services.import_commit(scope=scope, job=job)
    job.refresh_from_db()
    assert job.state in {JobState.CHECKED, JobState.DONE}
    assert Person.objects.filter(full_name="Nguyễn Văn An").count() == 1


def test_village_heads_cannot_import(tmp_path, tan_dong, head_td):
    path = workbook(tmp_path / "a.xlsx", rows_two_households())
    with pytest.raises(PermissionDenied, match=r"cannot import|không được nhập"):
        services.import_upload(
            scope=scope_for(head_td),
            kind_name="households",
            commune=tan_dong.commune,
            source=path,
            filename="a.xlsx",
        )


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("Nguyễn Thị Ngọc Ánh", True),
        ("Đặng Văn O'Neil", True),
        ("Lê Thị Hồng-Nhung", True),
        ('=HYPERLINK("http://x","y")', False),
        ("@SUM 1", False),
        ("Nguyễn Văn 2", False),
    ],
)
def test_names_hold_letters_only_in_forms_and_imports(name, ok):
    from django.core.exceptions import ValidationError

    from ansinh.registry.validation import clean_person

    data = replace(f.person(), full_name=name, cccd="")
    if ok:
        assert clean_person(data).full_name
    else:
        with pytest.raises(ValidationError, match=r"letters|chữ cái"):
            clean_person(data)


DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_the_command_imports_beside_a_server_whose_tasks_run_in_the_background(
    tmp_path, tan_dong, dong_hiep, settings
):
    """On a server the tasks go to the database queue (``ansinh serve --worker``); the
    command, run in the same environment, still checks and imports at once, itself."""
    settings.TASKS = DATABASE_TASKS
    path = workbook(tmp_path / "a.xlsx", rows_two_households())
    assert run(path, "--dry-run")[0] == 0
    code, _out, err = run(path)
    assert (code, err) == (0, "")
    assert Person.objects.count() == 5
    assert ImportJob.objects.filter(state=JobState.DONE).count() == 1
