"""What the officer does with a bank result that said "paid" with another amount than the line's
(``PayrollLine.bank_check``): accept the amount the bank paid (the line is paid), or mark it
for follow-up with the bank (it stays open; a corrected result file can still settle it).

Accepting never loses the difference: paid too much, the line is flagged for recovery (truy thu)
of what was paid over; paid too little, the next payroll generated pays the rest (a
``shortfall`` line, :func:`ansinh.assistance.payroll.lines.planned_lines`).

Both are idempotent (the same action twice changes nothing and is audited once) and refuse a
stale page: the form carries the bank's amount the officer saw, and a line whose result changed
since (a new file imported, another officer acted) is refused with a message, nothing lost.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ansinh.accounts.scopes import Scope
from ansinh.assistance import holds
from ansinh.assistance.choices import BankCheck, GuardRule, LineKind, LineStatus, PayrollStatus
from ansinh.assistance.models import PayrollLine
from ansinh.assistance.services.common import ensure_officer
from ansinh.core import audit
from ansinh.core.models import AuditAction

#: The checks an officer still has to act on.
OPEN_CHECKS = (BankCheck.WRONG_AMOUNT, BankCheck.FOLLOW_UP)


@dataclass(frozen=True)
class BankLineOutcome:
    """The line after the action, and whether the action changed it (False: it had been
    done already, e.g. a second click)."""

    line: PayrollLine
    changed: bool


def _locked(scope: Scope, line: PayrollLine, seen_amount: int | None) -> PayrollLine:
    """The line, locked, if it still waits for this action on the amount the officer saw."""
    ensure_officer(scope, line.payroll.commune_id)
    line = PayrollLine.objects.select_for_update().select_related("payroll", "case").get(pk=line.pk)
    if line.payroll.status != PayrollStatus.APPROVED:
        raise ValidationError(
            _("This payroll is %(status)s: its bank results can no longer be changed.")
            % {"status": str(line.payroll.get_status_display()).lower()}
        )
    if line.bank_amount != seen_amount:
        raise ValidationError(
            _(
                "The bank's result for payment %(ref)s changed after this page was shown: "
                "look at it again before acting."
            )
            % {"ref": line.reference}
        )
    return line


def _audit(
    scope: Scope,
    line: PayrollLine,
    before: dict[str, str],
    note: str,
    more: dict[str, object] | None = None,
) -> None:
    audit.record(
        actor=scope,
        instance=line,
        action=AuditAction.UPDATE,
        before=before,
        after={"status": line.status, "bank_check": line.bank_check, **(more or {})},
        note=note,
        commune_code=line.payroll.commune_id,
        household_id=line.case.household_id,
    )


@transaction.atomic
def line_bank_amount_accept(
    *, scope: Scope, line: PayrollLine, seen_amount: int | None, note: str = ""
) -> BankLineOutcome:
    """The bank paid ``line.bank_amount`` instead of ``line.amount`` and the officer accepts
    it: the line is paid, with what the bank paid kept beside what was due."""
    line = _locked(scope, line, seen_amount)
    if line.bank_check == BankCheck.ACCEPTED and line.status == LineStatus.PAID:
        return BankLineOutcome(line, changed=False)
    if line.bank_check not in OPEN_CHECKS or line.status != LineStatus.PENDING:
        raise ValidationError(
            _("Payment %(ref)s has no wrong amount to resolve: it is %(status)s.")
            % {"ref": line.reference, "status": str(line.get_status_display()).lower()}
        )
    paid = line.bank_amount if line.bank_amount is not None else line.amount
    if paid < line.amount and line.kind == LineKind.SHORTFALL:
        raise ValidationError(
            _(
                "Payment %(ref)s already pays the rest of a short payment: follow it up with "
                "the bank rather than accept less again."
            )
            % {"ref": line.reference}
        )
    before = {"status": line.status, "bank_check": line.bank_check}
    line.status = LineStatus.PAID
    line.bank_check = BankCheck.ACCEPTED
    if note.strip():
        line.note = note.strip()[:300]
    fields = ["status", "bank_check", "note"]
    params = {"paid": paid, "due": line.amount, "total": abs(paid - line.amount)}
    if paid > line.amount and not line.recovery:  # a recovery already set takes it all back
        line.recovery = holds.line_text(GuardRule.BANK_AMOUNT, "overpaid_recover", params)
        fields.append("recovery")
    line.save(update_fields=fields)
    holds.payrolls_touch(line.payroll.commune_id)  # a payment result matters to the guard
    more: dict[str, object] = {"bank_amount": paid}
    if "recovery" in fields:
        more["recovery"] = line.recovery
    elif paid < line.amount:
        more["rest_next_payroll"] = line.amount - paid
    _audit(scope, line, before, note, more)
    return BankLineOutcome(line, changed=True)


@transaction.atomic
def line_bank_follow_up(
    *, scope: Scope, line: PayrollLine, seen_amount: int | None, note: str
) -> BankLineOutcome:
    """The officer checks the amount with the bank: the line stays to pay, marked and noted,
    until the bank's corrected result or an accepted amount settles it."""
    if not note.strip():
        raise ValidationError({"note": [_("Say what is being checked with the bank.")]})
    line = _locked(scope, line, seen_amount)
    note = note.strip()[:300]
    if line.bank_check == BankCheck.FOLLOW_UP and line.note == note:
        return BankLineOutcome(line, changed=False)
    if line.bank_check not in OPEN_CHECKS or line.status != LineStatus.PENDING:
        raise ValidationError(
            _("Payment %(ref)s has no wrong amount to resolve: it is %(status)s.")
            % {"ref": line.reference, "status": str(line.get_status_display()).lower()}
        )
    before = {"status": line.status, "bank_check": line.bank_check}
    line.bank_check = BankCheck.FOLLOW_UP
    line.note = note
    line.save(update_fields=["bank_check", "note"])
    _audit(scope, line, before, note)
    return BankLineOutcome(line, changed=True)
