"""How the audit log reads the entries of allowance cases and payrolls
(``core.audit_display``): groups by their names, money in đồng, a payroll's payment file and
bank results, the files handed out."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from ansinh.assistance.choices import HouseholdStatus, PaymentMethod, Scheme
from ansinh.core.audit_vocabulary import choice, describe, money
from ansinh.registry.choices import Bank
from ansinh.rules import guard as guard_rules
from ansinh.rules.errors import RulesError
from ansinh.rules.parameters import shipped_parameters


def _group(code: Any) -> str:
    """A group of Decree 20 (or the social pension) by its name: "Người khuyết tật nặng"."""
    if code == Scheme.SOCIAL_PENSION:
        return str(Scheme.SOCIAL_PENSION.label)
    try:  # the shipped files: no query, whatever the number of entries
        meta = shipped_parameters().parameter(f"assistance.group.{code}")
    except RulesError:
        return str(code)
    label = meta.label_vi if (get_language() or "vi").startswith("vi") else meta.label_en
    return str(capfirst(label))


def _coefficient(value: Any) -> str:
    """``"1.5"`` -> "1,5" in Vietnamese."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return str(formats.number_format(number, use_l10n=True))


def _month_and_bank(match: re.Match[str], name: Callable[[str, Any], str]) -> str:
    """An export's note ``2026-11 agribank``: "11/2026 · Agribank"."""
    month = f"{match['month']}/{match['year']}"
    bank = match["bank"]
    return f"{month} · {dict(Bank.choices).get(bank, bank)}" if bank else month


describe(
    "assistance.case",
    values={
        "groups": _group,
        "basis": _group,
        "coefficient": _coefficient,
        "pension": money,
        "household_status": choice(HouseholdStatus.choices),
    },
)
describe(
    "assistance.payroll",
    labels={
        "method": gettext_lazy("Payment method"),
        "bank": gettext_lazy("Bank"),
        "lines": gettext_lazy("Payments in the file"),
        "paid": gettext_lazy("Paid"),
        "failed": gettext_lazy("Failed"),
        "to_check": gettext_lazy("Paid with a wrong amount, to check"),
        "exceptions": gettext_lazy("Payments to look into"),
    },
    values={"method": choice(PaymentMethod.choices), "bank": choice(Bank.choices)},
    notes={"payment file": lambda match, name: _("Payment file made")},
)


def _line_text(value: Any) -> str:
    """A payroll line's packed note or recovery (``assistance.holds``) as a sentence."""
    lang = "vi" if (get_language() or "vi").startswith("vi") else "en"
    return guard_rules.render_text(str(value), _, lang)


describe(
    "assistance.payrollline",
    labels={
        "bank_amount": gettext_lazy("Paid by the bank"),
        "rest_next_payroll": gettext_lazy("Rest paid in the next payroll"),
    },
    values={
        "amount": money,
        "bank_amount": money,
        "rest_next_payroll": money,
        "recovery": _line_text,
        "note": _line_text,
    },
)
describe(
    "export",
    records={
        "assistance.payroll.csv": gettext_lazy("Payroll: bank transfer file (CSV)"),
        "assistance.payroll.xlsx": gettext_lazy("Payroll: bank transfer file (Excel)"),
        "assistance.payroll.xml": gettext_lazy("Payroll: bank transfer file (XML)"),
        "assistance.payroll.cash": gettext_lazy("Payroll: cash list (PDF)"),
        "assistance.case_decision.pdf": gettext_lazy("Allowance decision (PDF)"),
    },
    notes={r"(?P<year>\d{4})-(?P<month>\d{2})(?: (?P<bank>\S+))?": _month_and_bank},
)
