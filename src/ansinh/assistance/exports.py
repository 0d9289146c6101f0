"""Payment files: per-bank CSV/XLSX, ISO 20022 pain.001.001.09 (validated against its
schema before it is offered) and the cash list (PDF with a signature column)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any
from xml.sax.saxutils import escape

from django.db.models import Count, Sum
from django.utils import timezone
from lxml import etree

from ansinh.assistance.choices import LineKind, LineStatus, PaymentMethod
from ansinh.assistance.models import Payroll
from ansinh.assistance.payroll import payroll_file_lines
from ansinh.core.money import format_vnd
from ansinh.core.pdf import VnDocument, place_date
from ansinh.core.spreadsheet import append_row, csv_writer
from ansinh.core.text import fold
from ansinh.registry.choices import Bank

HEADERS = [
    "STT",
    "Họ tên chủ tài khoản",
    "Số tài khoản",
    "Ngân hàng",
    "Số tiền",
    "Nội dung",
    "Mã tham chiếu",
]
_KIND_VI: dict[str, str] = {
    LineKind.REGULAR: "",
    LineKind.ARREARS: "truy linh ",
    LineKind.ADJUSTMENT: "dieu chinh ",
    LineKind.CARRIED: "chi bu ",
    LineKind.SHORTFALL: "tra not so thieu ",
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


_LINE_FIELDS = (
    "reference",
    "amount",
    "bank",
    "account_number",
    "account_holder",
    "kind",
    "month",
    "case__person__folded_name",
)


def content(kind: str, month: dt.date, folded_name: str, reference: str) -> str:
    """ASCII payment text, as banks require: "Tro cap 11/2026 Nguyen Van An TC25522-1-R2611"."""
    return f"Tro cap {_KIND_VI[kind]}{month:%m/%Y} {folded_name.title()} {reference}"[:140]


def _bank_values(payroll: Payroll, bank: str | None) -> Iterator[tuple[Any, ...]]:
    """The bank lines as plain tuples (``_LINE_FIELDS``), streamed: a million lines never
    become model instances (the person's name comes folded from the registry)."""
    qs = payroll_file_lines(payroll, method=PaymentMethod.BANK, bank=bank)
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
        yield Row(
            i,
            holder,
            account,
            labels.get(bank_code, ""),
            amount,
            content(kind, month, name, ref),
            ref,
        )


def bank_csv(payroll: Payroll, bank: str | None = None) -> bytes:
    out = io.StringIO()
    writer = csv_writer(out, delimiter=";")  # a holder typed "=…" is written '=…
    writer.writerow(HEADERS)
    for r in rows(payroll, bank):
        writer.writerow([r.number, r.holder, r.account, r.bank, r.amount, r.content, r.reference])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel opens it as UTF-8


def bank_xlsx(payroll: Payroll, bank: str | None = None) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(f"{payroll.month:%m-%Y}")
    append_row(ws, HEADERS)
    total = 0
    for r in rows(payroll, bank):
        append_row(ws, [r.number, r.holder, r.account, r.bank, r.amount, r.content, r.reference])
        total += r.amount
    append_row(ws, ["", "Tổng cộng", "", "", total, "", ""])
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


_TX = (
    "<CdtTrfTxInf><PmtId><EndToEndId>{ref}</EndToEndId></PmtId>"
    '<Amt><InstdAmt Ccy="VND">{amount}.00</InstdAmt></Amt>'
    "<CdtrAgt><FinInstnId><Nm>{bank}</Nm></FinInstnId></CdtrAgt><Cdtr><Nm>{holder}</Nm></Cdtr>"
    "<CdtrAcct><Id><Othr><Id>{account}</Id></Othr></Id></CdtrAcct>"
    "<RmtInf><Ustrd>{text}</Ustrd></RmtInf></CdtTrfTxInf>"
)


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

    Written as text, one transaction at a time (every value escaped), then parsed back and
    validated by libxml2 while streaming: a malformed or invalid file is never returned, and a
    million payments need neither a tree in memory nor a Python object per element."""
    qs = payroll_file_lines(payroll, method=PaymentMethod.BANK, bank=bank)
    totals = qs.aggregate(n=Count("id"), total=Sum("amount"))
    count, total = totals["n"], totals["total"] or 0
    suffix = f"-{bank}" if bank else ""
    msg_id = escape(f"TC{payroll.commune_id}-{payroll.month:%Y%m}-{payroll.pk}{suffix}"[:35])
    name = escape(_ascii(debtor_name, 140))
    if debtor_bank_bic:
        agent = f"<BICFI>{escape(debtor_bank_bic)}</BICFI>"
    elif debtor_bank:
        agent = f"<Nm>{escape(_ascii(debtor_bank, 140))}</Nm>"
    else:
        agent = "<Othr><Id>NOTPROVIDED</Id></Othr>"
    created = timezone.localtime().replace(microsecond=0).isoformat()
    day = (execution_date or timezone.localdate()).isoformat()
    out = io.BytesIO()
    out.write(
        (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="{PAIN_NS}">'
            f"<CstmrCdtTrfInitn><GrpHdr><MsgId>{msg_id}</MsgId><CreDtTm>{created}</CreDtTm>"
            f"<NbOfTxs>{count}</NbOfTxs><CtrlSum>{total}.00</CtrlSum>"
            f"<InitgPty><Nm>{name}</Nm></InitgPty></GrpHdr>"
            f"<PmtInf><PmtInfId>{msg_id}</PmtInfId><PmtMtd>TRF</PmtMtd>"
            f"<NbOfTxs>{count}</NbOfTxs><CtrlSum>{total}.00</CtrlSum>"
            f"<ReqdExctnDt><Dt>{day}</Dt></ReqdExctnDt><Dbtr><Nm>{name}</Nm></Dbtr>"
            f"<DbtrAcct><Id><Othr><Id>{escape(debtor_account)}</Id></Othr></Id></DbtrAcct>"
            f"<DbtrAgt><FinInstnId>{agent}</FinInstnId></DbtrAgt>"
        ).encode()
    )
    bank_names = {value: escape(_ascii(str(label), 140)) for value, label in Bank.choices}
    for ref, amount, code, account, holder, kind, month, folded in _bank_values(payroll, bank):
        tx = _TX.format(
            ref=escape(ref),
            amount=amount,
            bank=bank_names.get(code, "NA"),
            holder=escape(_ascii(holder, 140)),
            account=escape(account),
            text=escape(content(kind, month, folded, ref)),
        )
        out.write(tx.encode())
    out.write(b"</PmtInf></CstmrCdtTrfInitn></Document>")
    data = out.getvalue()
    validate_pain(data)
    return data


# --- cash ----------------------------------------------------------------------------------


def cash_pdf(payroll: Payroll, *, commune_name: str, place: str) -> bytes:
    lines = list(
        payroll_file_lines(payroll, method=PaymentMethod.CASH)
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
