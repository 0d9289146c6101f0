"""Payment files: per-bank CSV/XLSX, ISO 20022 pain.001.001.09 (validated against its
schema before it is offered) and the cash list (PDF with a signature column)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from xml.etree import ElementTree as ET

from django.utils import timezone

from ansinh.assistance.choices import LineKind, PaymentMethod
from ansinh.assistance.models import Payroll, PayrollLine
from ansinh.core.money import format_vnd
from ansinh.core.pdf import VnDocument, place_date
from ansinh.core.text import fold
from ansinh.registry.choices import Bank

HEADERS = ["STT", "Họ tên chủ tài khoản", "Số tài khoản", "Ngân hàng", "Số tiền", "Nội dung",
           "Mã tham chiếu"]  # fmt: skip
_KIND_VI: dict[str, str] = {
    LineKind.REGULAR: "",
    LineKind.ARREARS: "truy linh ",
    LineKind.ADJUSTMENT: "dieu chinh ",
    LineKind.CARRIED: "chi bu ",
}
PAIN_NS = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"


@dataclass(frozen=True)
class Row:
    number: int
    holder: str
    account: str
    bank: str
    amount: int
    content: str
    reference: str


def content(line: PayrollLine) -> str:
    """ASCII payment text, as banks require: "TC 11/2026 Nguyen Van An TC25522-1-R2611"."""
    name = fold(line.case.person.full_name).title()
    return f"Tro cap {_KIND_VI[line.kind]}{line.month:%m/%Y} {name} {line.reference}"[:140]


def bank_lines(payroll: Payroll, bank: str | None = None) -> list[PayrollLine]:
    qs = payroll.lines.filter(method=PaymentMethod.BANK).select_related("case__person")
    if bank:
        qs = qs.filter(bank=bank)
    return list(qs.order_by("bank", "id"))


def banks_of(payroll: Payroll) -> list[str]:
    return list(
        payroll.lines.filter(method=PaymentMethod.BANK)
        .order_by("bank")
        .values_list("bank", flat=True)
        .distinct()
    )


def rows(lines: Iterable[PayrollLine]) -> list[Row]:
    return [
        Row(
            i,
            line.account_holder,
            line.account_number,
            str(Bank(line.bank).label) if line.bank else "",
            line.amount,
            content(line),
            line.reference,
        )
        for i, line in enumerate(lines, start=1)
    ]


def _iter_bank_lines(payroll: Payroll, bank: str | None) -> Iterable[PayrollLine]:
    qs = payroll.lines.filter(method=PaymentMethod.BANK).select_related("case__person")
    if bank:
        qs = qs.filter(bank=bank)
    return qs.order_by("bank", "id").iterator(chunk_size=5000)


def bank_csv(payroll: Payroll, bank: str | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(HEADERS)
    for r in rows(_iter_bank_lines(payroll, bank)):
        writer.writerow([r.number, r.holder, r.account, r.bank, r.amount, r.content, r.reference])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel opens it as UTF-8


def bank_xlsx(payroll: Payroll, bank: str | None = None) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(f"{payroll.month:%m-%Y}")
    ws.append(HEADERS)
    data = rows(bank_lines(payroll, bank))
    for r in data:
        ws.append([r.number, r.holder, r.account, r.bank, r.amount, r.content, r.reference])
    ws.append(["", "Tổng cộng", "", "", sum(r.amount for r in data), "", ""])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- ISO 20022 ---------------------------------------------------------------------------


@cache
def pain_schema():
    import xmlschema

    path = resources.files("sepaxml") / "schemas" / "pain.001.001.09.xsd"
    with resources.as_file(path) as file:
        return xmlschema.XMLSchema(str(file))


class InvalidPaymentFile(ValueError):
    pass


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{PAIN_NS}}}{tag}", attrs)
    if text is not None:
        el.text = text
    return el


def _ascii(text: str, limit: int) -> str:
    return fold(text).upper()[:limit] or "NA"


def pain001(
    payroll: Payroll,
    *,
    debtor_name: str,
    debtor_account: str,
    debtor_bank_bic: str = "",
    execution_date: dt.date | None = None,
    bank: str | None = None,
) -> bytes:
    """A credit-transfer initiation in VND; refuses to return a file its schema rejects."""
    lines = bank_lines(payroll, bank)
    total = sum(line.amount for line in lines)
    ET.register_namespace("", PAIN_NS)
    doc = ET.Element(f"{{{PAIN_NS}}}Document")
    root = _sub(doc, "CstmrCdtTrfInitn")
    header = _sub(root, "GrpHdr")
    msg_id = (
        f"TC{payroll.commune_id}-{payroll.month:%Y%m}-{payroll.pk}{('-' + bank) if bank else ''}"
    )
    _sub(header, "MsgId", msg_id[:35])
    _sub(header, "CreDtTm", timezone.localtime().replace(microsecond=0).isoformat())
    _sub(header, "NbOfTxs", str(len(lines)))
    _sub(header, "CtrlSum", f"{total}.00")
    _sub(_sub(header, "InitgPty"), "Nm", _ascii(debtor_name, 140))
    info = _sub(root, "PmtInf")
    _sub(info, "PmtInfId", msg_id[:35])
    _sub(info, "PmtMtd", "TRF")
    _sub(info, "NbOfTxs", str(len(lines)))
    _sub(info, "CtrlSum", f"{total}.00")
    _sub(_sub(info, "ReqdExctnDt"), "Dt", (execution_date or timezone.localdate()).isoformat())
    _sub(_sub(info, "Dbtr"), "Nm", _ascii(debtor_name, 140))
    _sub(_sub(_sub(_sub(info, "DbtrAcct"), "Id"), "Othr"), "Id", debtor_account)
    agent = _sub(_sub(info, "DbtrAgt"), "FinInstnId")
    if debtor_bank_bic:
        _sub(agent, "BICFI", debtor_bank_bic)
    else:
        _sub(_sub(agent, "Othr"), "Id", "NOTPROVIDED")
    for line in lines:
        tx = _sub(info, "CdtTrfTxInf")
        _sub(_sub(tx, "PmtId"), "EndToEndId", line.reference)
        _sub(_sub(tx, "Amt"), "InstdAmt", f"{line.amount}.00", Ccy="VND")
        _sub(_sub(_sub(tx, "CdtrAgt"), "FinInstnId"), "Nm", _ascii(str(Bank(line.bank).label), 140))
        _sub(_sub(tx, "Cdtr"), "Nm", _ascii(line.account_holder, 140))
        _sub(_sub(_sub(_sub(tx, "CdtrAcct"), "Id"), "Othr"), "Id", line.account_number)
        _sub(_sub(tx, "RmtInf"), "Ustrd", content(line)[:140])
    data = ET.tostring(doc, encoding="utf-8", xml_declaration=True)
    errors = list(pain_schema().iter_errors(data.decode("utf-8")))
    if errors:
        raise InvalidPaymentFile(str(errors[0]))
    return data


# --- cash ----------------------------------------------------------------------------------


def cash_pdf(payroll: Payroll, *, commune_name: str, place: str) -> bytes:
    lines = list(
        payroll.lines.filter(method=PaymentMethod.CASH)
        .select_related("case__person", "case__village")
        .order_by("case__village__name", "case__person__given_key", "id")
    )
    doc = VnDocument(landscape=True, title=f"Danh sách chi trả tiền mặt {payroll.month:%m/%Y}")
    doc.national_header(
        [f"UBND {commune_name}"], place_date=place_date(place, timezone.localdate())
    )
    doc.heading(
        "Danh sách chi trả trợ cấp xã hội bằng tiền mặt",
        f"Tháng {payroll.month:%m/%Y}",
    )
    data = [
        [
            i,
            line.case.person.full_name,
            line.case.village.name,
            f"{line.get_kind_display()} {line.month:%m/%Y}",
            format_vnd(line.amount, unit=False),
            line.reference,
            "",
        ]
        for i, line in enumerate(lines, start=1)
    ]
    total = sum(line.amount for line in lines)
    data.append(["", "Tổng cộng", "", "", format_vnd(total, unit=False), "", ""])
    doc.data_table(
        ["STT", "Họ và tên", "Thôn, ấp", "Khoản chi", "Số tiền (đ)", "Mã tham chiếu", "Ký nhận"],
        data,
        [12, 60, 35, 40, 30, 50, 35],
        align=["C", "L", "L", "L", "R", "L", "L"],
    )
    doc.signatures([("Người lập biểu", ""), ("Kế toán", ""), ("Chủ tịch UBND", "")])
    return doc.bytes()
