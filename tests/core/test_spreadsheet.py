"""No spreadsheet is a weapon: every XLSX and CSV ansinh writes shows a text typed as
``=HYPERLINK(…)``, ``@SUM(1)`` or ``+84 912 345 678`` as that text, never as a formula."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from ansinh.accounts.scopes import scope_for
from ansinh.assistance import exports
from ansinh.assistance import payroll as pr
from ansinh.core import spreadsheet as ss
from ansinh.poverty import documents
from ansinh.registry.exports import households_xlsx
from ansinh.registry.models import Household, Person
from ansinh.rules.cli import main as rules_main
from tests import factories as f
from tests.assistance.conftest import cases, people  # noqa: F401 - fixtures
from tests.poverty.conftest import (  # noqa: F401 - fixtures
    annual_round,
    commune,
    near_poor_dh,
    poor_td,
)

LINK = '=HYPERLINK("http://x","y")'
AT = "@SUM(1)"
PHONE = "+84 912 345 678"
DANGEROUS = [LINK, AT, PHONE, "-2+3", "\t=1+1", "\r=1+1", "=1+1"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- the helpers ------------------------------------------------------------------------


@pytest.mark.parametrize("value", DANGEROUS)
def test_dangerous_texts_get_a_quote_in_csv(value):
    assert ss.is_dangerous(value)
    assert ss.safe_csv_value(value) == "'" + value


@pytest.mark.parametrize("value", ["Nguyễn Văn An", "0912 345 678", "TC25522-1-R2611", "", "a=b"])
def test_harmless_texts_are_unchanged(value):
    assert not ss.is_dangerous(value)
    assert ss.safe_csv_value(value) == value


@pytest.mark.parametrize("value", [-50_000, 0, 1.5, -2.25, None, True])
def test_numbers_and_none_are_unchanged(value):
    assert ss.safe_csv_value(value) is value


def test_csv_writer_neutralises_each_text_cell():
    out = io.StringIO()
    writer = ss.csv_writer(out, delimiter=";")
    writer.writerow(["Họ tên", "Số tiền"])
    writer.writerows([[LINK, -50_000], [AT, 750_000], ["Trần Văn Hùng", 1]])
    rows = list(csv.reader(io.StringIO(out.getvalue()), delimiter=";"))
    assert rows == [
        ["Họ tên", "Số tiền"],
        ["'" + LINK, "-50000"],
        ["'" + AT, "750000"],
        ["Trần Văn Hùng", "1"],
    ]


@pytest.mark.parametrize("write_only", [True, False])
def test_append_row_writes_texts_as_text_cells(write_only):
    wb = Workbook(write_only=write_only)
    ws = wb.create_sheet("s") if write_only else wb.active
    ss.append_row(ws, [*DANGEROUS, 5, -7, None, dt.date(2026, 1, 2), "ok\x01"])
    buf = io.BytesIO()
    wb.save(buf)
    cells = next(load_workbook(io.BytesIO(buf.getvalue())).active.iter_rows())
    for cell, value in zip(cells, DANGEROUS, strict=False):
        assert cell.data_type == "s"
        assert cell.value == value
    n = len(DANGEROUS)
    assert [c.value for c in cells[n : n + 3]] == [5, -7, None]
    assert cells[n + 3].value.date() == dt.date(2026, 1, 2)
    assert cells[n + 4].value == "ok"  # a control character is dropped, not a crash


def test_xlsx_bytes_has_no_formula():
    data = ss.xlsx_bytes("Lỗi: [1/2]", ["Dòng", "Vấn đề"], [[2, LINK], [3, AT]])
    _assert_no_formula(data)


def test_unreadable_uploads_are_spreadsheet_errors(tmp_path):
    with pytest.raises(ss.SpreadsheetError, match="not an Excel workbook") as exc:
        ss.read_xlsx(b"\x00\x01 not a workbook at all")
    assert exc.value.code == "not_xlsx"
    # a zip whose parts unpack to far more than the limit
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<x/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\x00" * 5_000_000)
    with pytest.raises(ss.SpreadsheetError, match="the workbook unpacks to more than") as exc:
        ss.read_xlsx(buf.getvalue(), max_uncompressed=1_000_000)
    assert exc.value.code == "too_large"
    with pytest.raises(ss.SpreadsheetError, match="the CSV file is malformed") as exc:
        ss.read_csv('a,b\n"' + "x" * (csv.field_size_limit() + 10) + '",1\n')
    assert exc.value.code == "csv"
    with pytest.raises(ss.SpreadsheetError, match="the file has more than 2 rows") as exc:
        ss.read_csv("a\n1\n2\n3\n", max_rows=2)
    assert exc.value.code == "too_many_rows"


# --- every writer -----------------------------------------------------------------------


def _assert_no_formula(data: bytes) -> list[list[object]]:
    """Every cell of every sheet is a value (no formula); returns the first sheet's values."""
    book = load_workbook(io.BytesIO(data))
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (cell.coordinate, cell.value)
    return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]


def _typed_cells(data: bytes, text: str) -> list[str]:
    """The data types of the cells showing ``text``."""
    book = load_workbook(io.BytesIO(data))
    return [
        cell.data_type
        for ws in book.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.value == text
    ]


@pytest.mark.django_db
def test_registry_household_export(client, officer, tan_dong):
    household = f.household(
        tan_dong,
        f.person(),
        f.person("Trần Thị Bích", dt.date(1983, 2, 3), "female", "spouse"),
        actor=officer,
        address=PHONE,
    )
    # The forms and imports refuse such names now; records kept from before (or written by
    # another way) are still exported as text, never as formulas.
    head, spouse = household.members.order_by("pk")
    Person.objects.filter(pk=head.pk).update(full_name=LINK)
    Person.objects.filter(pk=spouse.pk).update(full_name=AT)
    data = households_xlsx(_scope(officer))
    _assert_no_formula(data)
    for text in (LINK, AT, PHONE):
        assert set(_typed_cells(data, text)) == {"s"}, text
    # and through the page
    client.force_login(officer)
    response = client.get("/registry/households/export.xlsx")
    assert response.status_code == 200
    _assert_no_formula(response.content)


def _scope(user):
    from ansinh.accounts.scopes import scope_for

    return scope_for(user)


@pytest.mark.django_db
def test_poverty_export(client, officer, annual_round):  # noqa: F811 - the imported fixture
    head = Person.objects.get(household=annual_round.entries.first().household, relationship="head")
    Person.objects.filter(pk=head.pk).update(full_name=LINK)
    Household.objects.filter(pk=head.household_id).update(code="-TD0001")
    client.force_login(officer)
    response = client.get(f"/poverty/rounds/{annual_round.pk}/export/entries.xlsx")
    assert response.status_code == 200
    values = _assert_no_formula(response.content)
    assert any(LINK in row for row in values)
    assert set(_typed_cells(response.content, LINK)) == {"s"}
    assert set(_typed_cells(response.content, "-TD0001")) == {"s"}
    data = documents.xlsx("rates", ["Thôn, ấp", "Tỷ lệ (%)"], [[AT, -1.5], [PHONE, None]])
    values = _assert_no_formula(data)
    assert values[1] == [AT, -1.5]
    assert values[2] == [PHONE, None]


@pytest.fixture
def approved(cases, officer, committee):  # noqa: F811 - the imported fixture
    payroll = pr.payroll_generate(
        scope=scope_for(officer), commune_code=f.TAN_DONG, month=dt.date(2026, 11, 1)
    )
    pr.payroll_prepare(scope=scope_for(officer), payroll=payroll)
    payroll = pr.payroll_approve(scope=scope_for(committee), payroll=payroll)
    bank_lines = list(payroll.lines.filter(method="bank").order_by("id"))
    assert len(bank_lines) >= 2
    for line, holder in zip(bank_lines, [LINK, AT], strict=False):
        type(line).objects.filter(pk=line.pk).update(account_holder=holder)
    return payroll


@pytest.mark.django_db
def test_bank_csv(approved):
    text = exports.bank_csv(approved).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    holders = [r[1] for r in rows[1:]]
    assert "'" + LINK in holders
    assert "'" + AT in holders
    assert not any(ss.is_dangerous(cell) for row in rows for cell in row)
    assert sum(int(r[4]) for r in rows[1:]) > 0  # amounts stay numbers


@pytest.mark.django_db
def test_bank_xlsx(approved):
    data = exports.bank_xlsx(approved)
    _assert_no_formula(data)
    assert set(_typed_cells(data, LINK)) == {"s"}
    assert set(_typed_cells(data, AT)) == {"s"}


def test_rules_cli_output(tmp_path: Path):
    people_csv = tmp_path / "people.csv"
    with people_csv.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["person_code", "date_of_birth", "sex", "household", "groups", "decision_month"])
        w.writerow([LINK, "1990-01-01", "female", "other", "disability_severe", "2024-01"])
        w.writerow([AT, "1990-01-01", "male", "other", "disability_severe", "2024-01"])
        w.writerow(["P3", "1990-01-01", "male", "other", "", "2024-01"])
    out = tmp_path / "out.csv"
    code = rules_main(
        ["allowance", "--people", str(people_csv), "--month", "2025-03", "--out", str(out)]
    )
    assert code == 0
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["person_code"] for r in rows] == ["'" + LINK, "'" + AT, "P3"]
    assert rows[0]["amount"].isdigit()


def _workbook_with_sheet(path: Path, change) -> Path:
    """A real workbook whose sheet XML is rewritten by ``change``."""
    wb = Workbook()
    wb.active.title = "people"
    wb.active.append(["person_code", "date_of_birth"])
    buf = io.BytesIO()
    wb.save(buf)
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = change(data)
            dst.writestr(item, data)
    return path


@pytest.mark.parametrize("kind", ["damaged", "bomb"])
def test_rules_cli_unreadable_workbook_is_exit_2(tmp_path: Path, capsys, monkeypatch, kind):
    people_xlsx = tmp_path / "people.xlsx"
    if kind == "damaged":  # the sheet XML cut short: it opens, reading its rows fails
        _workbook_with_sheet(people_xlsx, lambda xml: xml[: len(xml) // 2])
    else:  # a sheet that unpacks to more than the limit (lowered here for the test)
        monkeypatch.setattr(ss, "MAX_UNCOMPRESSED_BYTES", 1_000_000)
        padding = b" " * 5_000_000
        _workbook_with_sheet(
            people_xlsx, lambda xml: xml.replace(b"</worksheet>", padding + b"</worksheet>")
        )
    out = tmp_path / "out.csv"
    code = rules_main(
        ["allowance", "--people", str(people_xlsx), "--month", "2025-03", "--out", str(out)]
    )
    assert code == 2
    assert "cannot read the workbook" in capsys.readouterr().err
    assert not out.exists()
