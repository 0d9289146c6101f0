"""Importing the bank's result file: match each row to a payroll line by reference and amount.

Tolerant reading: CSV (``,`` or ``;``, UTF-8 with or without BOM) or XLSX; headers in English
or Vietnamese, any case, extra spaces; amounts like ``750000``, ``750.000`` or ``750,000 đ``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ansinh.accounts.scopes import Scope
from ansinh.assistance import holds, services
from ansinh.assistance.choices import BankCheck, LineStatus, PaymentMethod, PayrollStatus
from ansinh.assistance.models import Payroll, PayrollLine
from ansinh.core import audit
from ansinh.core.models import AuditAction
from ansinh.core.money import format_vnd
from ansinh.core.spreadsheet import SpreadsheetError, read_csv, read_xlsx
from ansinh.core.text import fold
from ansinh.core.web import upload_error

ALIASES = {
    "reference": {"reference", "ref", "ma tham chieu", "tham chieu", "end to end id", "noi dung"},
    "amount": {"amount", "so tien", "tien"},
    "status": {"status", "trang thai", "ket qua", "result"},
    "reason": {"reason", "ly do", "ghi chu", "note", "error"},
}
PAID_WORDS = {"paid", "ok", "success", "successful", "thanh cong", "da chi", "completed", "done"}


@dataclass
class ResultRow:
    line_no: int
    reference: str
    amount: int | None
    paid: bool
    reason: str


@dataclass
class Reconciliation:
    paid: int = 0
    failed: int = 0
    to_check: int = 0  # "paid" rows with a wrong amount, kept on their line to act on
    exceptions: list[dict[str, Any]] = field(default_factory=list)


def _amount(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return None
        return round(value)
    text = re.sub(r"[^\d.,\-]", "", str(value))
    text = re.sub(r"[.,]\d{1,2}$", "", text)  # decimals (",00"), never thousands (".000")
    digits = re.sub(r"[^\d\-]", "", text)
    if digits in ("", "-") or len(digits) > 19:  # no amount has 20 digits
        return None
    return int(digits)


#: A bank's result file has one row per payment: far more rows than this is not one.
MAX_ROWS = 1_000_000


def _table(data: bytes, filename: str) -> list[list[Any]]:
    """The file's rows; a file that is not a readable workbook or CSV (random bytes named
    .xlsx, a zip bomb, a CSV field over the csv module's limit) is a ``ValidationError``
    with a plain message, never a crash."""
    try:
        if filename.lower().endswith((".xlsx", ".xlsm")) or data[:2] == b"PK":
            return read_xlsx(data, max_rows=MAX_ROWS)
        text = data.decode("utf-8-sig", errors="replace")
        first = text.split("\n", 1)[0]
        dialect = ";" if first.count(";") > first.count(",") else ","
        return read_csv(text, delimiter=dialect, max_rows=MAX_ROWS)
    except SpreadsheetError as exc:
        raise ValidationError(upload_error(exc)) from exc


def parse_results(data: bytes, filename: str = "results.csv") -> list[ResultRow]:
    table = [r for r in _table(data, filename) if any(str(c or "").strip() for c in r)]
    if not table:
        raise ValidationError(_("The file is empty."))
    columns: dict[str, int] = {}
    for index, name in enumerate(table[0]):
        key = fold(str(name or ""))
        for target, names in ALIASES.items():
            if key in names and target not in columns:
                columns[target] = index
    if "reference" not in columns or "status" not in columns:
        raise ValidationError(_("The file needs a reference column and a status column."))
    out = []
    for n, r in enumerate(table[1:], start=2):

        def cell(name: str, r: list[Any] = r) -> Any:
            i = columns.get(name)
            return r[i] if i is not None and i < len(r) else None

        ref_text = str(cell("reference") or "").strip()
        match = re.search(r"TC\d+-\d+-[RADC]\d{4}", ref_text.upper())
        out.append(
            ResultRow(
                line_no=n,
                reference=match.group(0) if match else ref_text.upper(),
                amount=_amount(cell("amount")),
                paid=fold(str(cell("status") or "")) in PAID_WORDS,
                reason=str(cell("reason") or "").strip()[:200],
            )
        )
    return out


def _wrong_amount(line: PayrollLine, row: ResultRow, result: Reconciliation) -> None:
    """A "paid" row with another amount than its line's: kept on the line (what the bank paid),
    so that the officer can accept it or follow it up from the payroll page. A line already
    followed up stays so (with the bank's new amount)."""
    if not row.paid or row.amount is None or line.status != LineStatus.PENDING:
        return
    line.bank_amount = row.amount
    if line.bank_check != BankCheck.FOLLOW_UP:
        line.bank_check = BankCheck.WRONG_AMOUNT
    line.save(update_fields=["bank_amount", "bank_check"])
    result.to_check += 1


def _lang() -> str:
    return "en" if (get_language() or "vi").startswith("en") else "vi"


@transaction.atomic
def results_import(
    *, scope: Scope, payroll: Payroll, data: bytes, filename: str = "results.csv"
) -> Reconciliation:
    """Mark lines paid or failed; report unknown references, wrong amounts and duplicates
    (those rows change nothing)."""
    services.ensure_officer(scope, payroll.commune_id)
    if payroll.status != PayrollStatus.APPROVED:
        raise ValidationError(_("Bank results are imported for an approved payroll."))
    rows = parse_results(data, filename)
    lines = {
        line.reference: line
        for line in payroll.lines.filter(method=PaymentMethod.BANK).select_for_update()
    }
    seen: set[str] = set()
    result = Reconciliation()
    for row in rows:
        line = lines.get(row.reference)
        problem = ""
        if row.reference in seen:
            kind, problem = "duplicate", _("Duplicate reference in the file")
        elif line is None:
            kind, problem = "unknown", _("Unknown reference")
        elif row.amount != line.amount:
            kind = "amount"
            problem = _("Wrong amount: %(got)s instead of %(expected)s") % {
                "got": format_vnd(row.amount, lang=_lang()) or "?",
                "expected": format_vnd(line.amount, lang=_lang()),
            }
        seen.add(row.reference)
        if problem or line is None:
            result.exceptions.append(
                {"row": row.line_no, "reference": row.reference, "kind": kind, "problem": problem}
            )
            if kind == "amount" and line is not None:
                _wrong_amount(line, row, result)
            continue
        if line.status not in (LineStatus.PENDING, LineStatus.FAILED):
            continue
        line.status = LineStatus.PAID if row.paid else LineStatus.FAILED
        line.result_reason = "" if row.paid else (row.reason or _("Failed"))
        line.bank_amount, line.bank_check = None, ""  # the bank's corrected result settles it
        line.save(update_fields=["status", "result_reason", "bank_amount", "bank_check"])
        if row.paid:
            result.paid += 1
        else:
            result.failed += 1
    if result.paid or result.failed:  # a payment result matters to the next month's guard
        holds.payrolls_touch(payroll.commune_id)
    audit.record(
        actor=scope,
        instance=payroll,
        action=AuditAction.EVENT,
        after={
            "paid": result.paid,
            "failed": result.failed,
            "to_check": result.to_check,
            "exceptions": len(result.exceptions),
        },
        note=_("Bank results imported"),
        commune_code=payroll.commune_id,
    )
    return result


__all__ = ["PayrollLine", "Reconciliation", "parse_results", "results_import"]
