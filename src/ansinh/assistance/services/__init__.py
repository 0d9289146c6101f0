"""Writes of the allowances: every service takes the caller's ``Scope`` first (keyword-only),
checks who may write (``ensure_officer``), runs in one transaction and is audited.

- :mod:`.common`: the audited fields of a case, who may write, a case's dated event;
- :mod:`.cases`: apply, verify, decide, adjust, suspend, resume, stop, transfer;
- :mod:`.payments`: payment details, funeral support, the commune's paying account;
- :mod:`.bank_results`: what the officer does with a bank result that does not match.

Payroll writes live in :mod:`ansinh.assistance.payroll`, the bank file import in
:mod:`ansinh.assistance.reconcile`.
"""

from ansinh.assistance.services.bank_results import (
    BankLineOutcome,
    line_bank_amount_accept,
    line_bank_follow_up,
)
from ansinh.assistance.services.cases import (
    case_adjust,
    case_apply,
    case_decide,
    case_resume,
    case_stop,
    case_suspend,
    case_transfer,
    case_verify,
)
from ansinh.assistance.services.common import CASE_FIELDS, _event, ensure_officer
from ansinh.assistance.services.payments import (
    case_payment_set,
    funeral_claim_record,
    payment_account_set,
)

__all__ = [
    "CASE_FIELDS",
    "BankLineOutcome",
    "_event",
    "case_adjust",
    "case_apply",
    "case_decide",
    "case_payment_set",
    "case_resume",
    "case_stop",
    "case_suspend",
    "case_transfer",
    "case_verify",
    "ensure_officer",
    "funeral_claim_record",
    "line_bank_amount_accept",
    "line_bank_follow_up",
    "payment_account_set",
]
