"""Payment files parse and add up to the payroll; pain.001 validates; messy bank results."""

from __future__ import annotations

import csv
import datetime as dt
import io
from xml.etree import ElementTree as ET

import pytest
from openpyxl import Workbook, load_workbook
from pypdf import PdfReader

from ansinh.accounts.scopes import scope_for
from ansinh.assistance import exports, reconcile
from ansinh.assistance import payroll as pr
from ansinh.assistance.choices import LineStatus
from tests import factories as f

pytestmark = pytest.mark.django_db
D = dt.date
C = f.TAN_DONG
NOV = D(2026, 11, 1)
NS = {"p": exports.PAIN_NS}


@pytest.fixture
def approved(cases, officer, committee):
    payroll = pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=NOV)
    pr.payroll_prepare(scope=scope_for(officer), payroll=payroll)
    return pr.payroll_approve(scope=scope_for(committee), payroll=payroll)


def _bank_total(payroll):
    return sum(line.amount for line in payroll.lines.filter(method="bank"))


def test_bank_csv_and_xlsx_add_up(approved):
    data = exports.bank_csv(approved).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(data), delimiter=";"))
    assert table[0] == exports.HEADERS
    assert sum(int(r[4]) for r in table[1:]) == _bank_total(approved) == 1_250_000
    assert all(r[5].isascii() for r in table[1:])
    sheet = load_workbook(io.BytesIO(exports.bank_xlsx(approved, "agribank"))).active
    values = list(sheet.iter_rows(values_only=True))
    assert sum(r[4] for r in values[1:-1]) == values[-1][4] == 1_250_000


def test_totals_of_all_channels_equal_the_payroll(approved):
    cash = sum(line.amount for line in approved.lines.filter(method="cash"))
    assert _bank_total(approved) + cash == pr.payroll_total(approved) == 2_500_000


def test_pain001_validates_and_adds_up(approved):
    data = exports.pain001(
        approved,
        debtor_name="UBND Xã Tân Đông",
        debtor_account="1234567890",
        execution_date=D(2026, 11, 25),
    )
    exports.validate_pain(data)
    root = ET.fromstring(data)  # noqa: S314 - our own file
    amounts = [int(float(a.text or 0)) for a in root.iterfind(".//p:InstdAmt", NS)]
    assert {a.get("Ccy") for a in root.iterfind(".//p:InstdAmt", NS)} == {"VND"}
    assert sum(amounts) == _bank_total(approved)
    assert root.findtext(".//p:GrpHdr/p:CtrlSum", namespaces=NS) == "1250000.00"
    refs = {e.text for e in root.iterfind(".//p:EndToEndId", NS)}
    assert refs == set(approved.lines.filter(method="bank").values_list("reference", flat=True))


def test_pain001_refuses_an_invalid_file(approved):
    with pytest.raises(exports.InvalidPaymentFile, match="maxLength"):
        exports.pain001(approved, debtor_name="UBND", debtor_account="x" * 40)


def test_cash_list_pdf(approved):
    pdf = exports.cash_pdf(approved, commune_name="Xã Tân Đông", place="Tân Đông")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Lê Minh Bé" in text
    assert "Ký nhận" in text
    assert "1.250.000" in text


def _xlsx(rows):
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_reconciliation_with_a_messy_file(approved, officer):
    lines = list(approved.lines.filter(method="bank").order_by("id"))
    a, b = lines
    text = (
        "  Mã Tham Chiếu ; SỐ TIỀN ;Trạng thái; Lý do ;extra\n"
        f"  {a.reference.lower()}  ; {a.amount:,} đ ; Thành công ;;x\n"
        f"{b.reference};{b.amount - 1};FAILED;Sai số tài khoản;\n"
        "TC25522-999999-R2611;500000;paid;;\n"
        f"{a.reference};{a.amount};paid;;\n"
        "\n"
    ).replace(",", ".")
    result = reconcile.results_import(
        scope=scope_for(officer), payroll=approved, data=text.encode("utf-8-sig")
    )
    assert result.paid == 1
    assert result.failed == 0
    assert sorted(e["kind"] for e in result.exceptions) == ["amount", "duplicate", "unknown"]
    wrong = next(e for e in result.exceptions if e["kind"] == "amount")
    assert wrong["problem"] == "Sai số tiền: 499.999 đ thay vì 500.000 đ"
    a.refresh_from_db()
    assert a.status == LineStatus.PAID
    # the bank corrects its file: b failed
    xlsx = _xlsx(
        [
            ["reference", "amount", "status", "reason"],
            [b.reference, b.amount, "failed", "Tài khoản đóng"],
        ]
    )
    result = reconcile.results_import(
        scope=scope_for(officer), payroll=approved, data=xlsx, filename="ketqua.xlsx"
    )
    b.refresh_from_db()
    assert (result.failed, b.status, b.result_reason) == (1, "failed", "Tài khoản đóng")
    pr.line_failed_resolve(
        scope=scope_for(officer), line=b, action="cash", note="Chi tiền mặt tại xã"
    )
    cash = [line.reference for line in approved.lines.filter(method="cash")]
    pr.cash_paid_confirm(scope=scope_for(officer), payroll=approved, references=cash)
    assert pr.payroll_close(scope=scope_for(officer), payroll=approved).status == "closed"
