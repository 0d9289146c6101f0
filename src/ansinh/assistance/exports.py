"""Payment files: per-bank CSV/XLSX, ISO 20022 pain.001.001.09 (validated against its
schema before it is offered) and the cash list (PDF with a signature column)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone
from lxml import etree

from ansinh.assistance.choices import LineKind, LineStatus, PaymentMethod
from ansinh.assistance.models import Payroll
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


_LINE_FIELDS = ("reference", "amount", "bank", "account_number", "account_holder", "kind",
                "month", "case__person__folded_name")  # fmt: skip


def content(kind: str, month: dt.date, folded_name: str, reference: str) -> str:
    """ASCII payment text, as banks require: "Tro cap 11/2026 Nguyen Van An TC25522-1-R2611"."""
    return f"Tro cap {_KIND_VI[kind]}{month:%m/%Y} {folded_name.title()} {reference}"[:140]


def _bank_values(payroll: Payroll, bank: str | None) -> Iterator[tuple[Any, ...]]:
    """The bank lines as plain tuples (``_LINE_FIELDS``), streamed: a million lines never
    become model instances (the person's name comes folded from the registry)."""
    qs = payroll.lines.filter(method=PaymentMethod.BANK)
    if bank:
        qs = qs.filter(bank=bank)
    return qs.order_by("bank", "id").values_list(*_LINE_FIELDS).iterator(chunk_size=5000)


def banks_of(payroll: Payroll) -> list[str]:
    return list(
        payroll.lines.filter(method=PaymentMethod.BANK)
        .order_by("bank")
        .values_list("bank", flat=True)
        .distinct()
    )


def rows(payroll: Payroll, bank: str | None = None) -> Iterator[Row]:
    labels = {value: str(label) for value, label in Bank.choices}
    for i, (ref, amount, bank_code, account, holder, kind, month, name) in enumerate(
        _bank_values(payroll, bank), start=1
    ):
        yield Row(i, holder, account, labels.get(bank_code, ""), amount,
                  content(kind, month, name, ref), ref)  # fmt: skip


def bank_csv(payroll: Payroll, bank: str | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(HEADERS)
    for r in rows(payroll, bank):
        writer.writerow([r.number, r.holder, r.account, r.bank, r.amount, r.content, r.reference])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel opens it as UTF-8


def bank_xlsx(payroll: Payroll, bank: str | None = None) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(f"{payroll.month:%m-%Y}")
    ws.append(HEADERS)
    total = 0
    for r in rows(payroll, bank):
        ws.append([r.number, r.holder, r.account, r.bank, r.amount, r.content, r.reference])
        total += r.amount
    ws.append(["", "Tổng cộng", "", "", total, "", ""])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- ISO 20022 ---------------------------------------------------------------------------


@cache
def pain_schema() -> etree.XMLSchema:
    """The pain.001.001.09 schema (shipped in the sepaxml wheel), compiled by libxml2."""
    path = resources.files("sepaxml") / "schemas" / "pain.001.001.09.xsd"
    with resources.as_file(path) as file:
        return etree.XMLSchema(etree.parse(str(file)))


class InvalidPaymentFile(ValueError):
    pass


def _el(parent: etree._Element | None, tag: str, text: str | None = None,
        **attrs: str) -> etree._Element:  # fmt: skip
    name = f"{{{PAIN_NS}}}{tag}"
    el = (
        etree.Element(name, attrs, nsmap={None: PAIN_NS})
        if parent is None
        else etree.SubElement(parent, name, attrs)
    )
    if text is not None:
        el.text = text
    return el


def _path(parent: etree._Element, tags: str, text: str) -> None:
    """``_path(tx, "CdtrAcct/Id/Othr/Id", "123")``: nested elements ending in a text."""
    *outer, last = tags.split("/")
    for tag in outer:
        parent = _el(parent, tag)
    _el(parent, last, text)


def _ascii(text: str, limit: int) -> str:
    return fold(text).upper()[:limit] or "NA"


def validate_pain(data: bytes) -> None:
    """Schema-check a payment file while reading it, element by element (a file for a million
    payments is checked in seconds without holding its tree)."""
    try:
        for _event, element in etree.iterparse(io.BytesIO(data), schema=pain_schema()):
            if element.tag == f"{{{PAIN_NS}}}CdtTrfTxInf":
                element.clear(keep_tail=True)
    except etree.XMLSyntaxError as exc:
        raise InvalidPaymentFile(str(exc)) from exc


def pain001(
    payroll: Payroll,
    *,
    debtor_name: str,
    debtor_account: str,
    debtor_bank_bic: str = "",
    debtor_bank: str = "",
    execution_date: dt.date | None = None,
    bank: str | None = None,
) -> bytes:
    """A credit-transfer initiation in VND; refuses to return a file its schema rejects.

    Written incrementally (one transaction element at a time) and validated by streaming, so
    memory stays proportional to the file's bytes, not to a tree of every payment."""
    qs = payroll.lines.filter(method=PaymentMethod.BANK)
    if bank:
        qs = qs.filter(bank=bank)
    totals = qs.aggregate(n=Count("id"), total=Sum("amount"))
    count, total = totals["n"], totals["total"] or 0
    msg_id = (
        f"TC{payroll.commune_id}-{payroll.month:%Y%m}-{payroll.pk}{('-' + bank) if bank else ''}"
    )[:35]
    bank_names = {value: _ascii(str(label), 140) for value, label in Bank.choices}
    out = io.BytesIO()
    with etree.xmlfile(out, encoding="utf-8") as xf:
        xf.write_declaration()
        with (
            xf.element(f"{{{PAIN_NS}}}Document", nsmap={None: PAIN_NS}),
            xf.element(f"{{{PAIN_NS}}}CstmrCdtTrfInitn"),
        ):
            header = _el(None, "GrpHdr")
            _el(header, "MsgId", msg_id)
            _el(header, "CreDtTm", timezone.localtime().replace(microsecond=0).isoformat())
            _el(header, "NbOfTxs", str(count))
            _el(header, "CtrlSum", f"{total}.00")
            _path(header, "InitgPty/Nm", _ascii(debtor_name, 140))
            xf.write(header)
            with xf.element(f"{{{PAIN_NS}}}PmtInf"):
                info = [
                    _el(None, "PmtInfId", msg_id),
                    _el(None, "PmtMtd", "TRF"),
                    _el(None, "NbOfTxs", str(count)),
                    _el(None, "CtrlSum", f"{total}.00"),
                ]
                day = (execution_date or timezone.localdate()).isoformat()
                for tags, text in (("ReqdExctnDt/Dt", day),
                                       ("Dbtr/Nm", _ascii(debtor_name, 140)),
                                       ("DbtrAcct/Id/Othr/Id", debtor_account)):  # fmt: skip
                    wrapper = _el(None, "X")
                    _path(wrapper, tags, text)
                    info.append(wrapper[0])
                agent = _el(None, "DbtrAgt")
                if debtor_bank_bic:
                    _path(agent, "FinInstnId/BICFI", debtor_bank_bic)
                elif debtor_bank:
                    _path(agent, "FinInstnId/Nm", _ascii(debtor_bank, 140))
                else:
                    _path(agent, "FinInstnId/Othr/Id", "NOTPROVIDED")
                info.append(agent)
                for el in info:
                    xf.write(el)
                for ref, amount, code, account, holder, kind, month, name in _bank_values(
                    payroll, bank
                ):
                    tx = _el(None, "CdtTrfTxInf")
                    _path(tx, "PmtId/EndToEndId", ref)
                    _el(_el(tx, "Amt"), "InstdAmt", f"{amount}.00", Ccy="VND")
                    _path(tx, "CdtrAgt/FinInstnId/Nm", bank_names.get(code, "NA"))
                    _path(tx, "Cdtr/Nm", _ascii(holder, 140))
                    _path(tx, "CdtrAcct/Id/Othr/Id", account)
                    _path(tx, "RmtInf/Ustrd", content(kind, month, name, ref))
                    xf.write(tx)
    data = out.getvalue()
    validate_pain(data)
    return data


# --- cash ----------------------------------------------------------------------------------


def cash_pdf(payroll: Payroll, *, commune_name: str, place: str) -> bytes:
    lines = list(
        payroll.lines.filter(Q(method=PaymentMethod.CASH) | Q(status=LineStatus.CASH))
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
            f"{line.get_kind_display()} {line.month:%m/%Y}"
            + (" (chuyển khoản không thành công)" if line.status == LineStatus.CASH else ""),
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
