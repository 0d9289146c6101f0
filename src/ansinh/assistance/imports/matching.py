"""The recorded cases an allowance list meets: for each good row, the case of the same
person and scheme it repeats (unchanged), corrects (an update, with the fields it changes —
:func:`case_changes`, an empty cell changing nothing) or cannot be imported over (an open case
of another group and decision, a closed case of the same decision), or none (a new case).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.utils.translation import gettext_noop

from ansinh.assistance.choices import OPEN_STATUSES, CaseStatus, PaymentMethod
from ansinh.assistance.imports.cells import group_label
from ansinh.assistance.imports.columns import Recipient
from ansinh.assistance.models import Case
from ansinh.imports.kinds import CREATE, UNCHANGED, UPDATE, Plan
from ansinh.imports.persons import decide


def match_cases(plan: Plan, units: list[Recipient]) -> None:
    """The recorded case each row corrects or repeats: the open case of the person and
    scheme (same group, or same decision), or a closed case of the same decision."""
    ids = sorted({u.person_id for u in units})
    cases: dict[tuple[int, str], list[Case]] = defaultdict(list)
    for start in range(0, len(ids), 900):
        for case in Case.objects.filter(person_id__in=ids[start : start + 900]).order_by("-pk"):
            cases[(case.person_id, case.scheme)].append(case)
    for unit in units:
        recorded = cases.get((unit.person_id, unit.scheme), [])
        open_case = next((c for c in recorded if c.status in OPEN_STATUSES), None)
        same_decision = next(
            (c for c in recorded if c.decision_number == unit.decision_number), None
        )
        if open_case is not None and (
            list(open_case.groups or []) == unit.groups
            or open_case.decision_number == unit.decision_number
        ):
            unit.case_id = open_case.pk
            unit.changes = case_changes(open_case, unit)
            unit.action = UPDATE if unit.changes else UNCHANGED
        elif open_case is not None:
            plan.problem(
                unit.row,
                "group",
                group_label(unit.scheme, unit.group),
                gettext_noop(
                    "%(name)s already receives this scheme under decision %(number)s for "
                    "another group: change that case on its page."
                ),
                name=unit.name,
                number=open_case.decision_number or "—",
            )
            continue
        elif same_decision is not None:
            plan.problem(
                unit.row,
                "decision_number",
                unit.decision_number,
                gettext_noop("The case of this decision is %(status)s: it is not imported again."),
                status=str(CaseStatus(same_decision.status).label).lower(),
            )
            continue
        else:
            unit.action = CREATE
        decide(plan, unit)


def _wanted(unit: Recipient) -> dict[str, Any]:
    wanted: dict[str, Any] = {
        "groups": unit.groups,
        "decision_number": unit.decision_number,
        "decision_date": unit.decision_date,
        "effective_month": unit.effective_month,
        "amount": unit.amount,
        "payment_method": unit.method,
    }
    if unit.children is not None:
        wanted["children"] = unit.children
    if unit.method == PaymentMethod.BANK:
        wanted.update(
            bank=unit.bank,
            bank_account_number=unit.account_number,
            bank_account_holder=unit.account_holder,
        )
    return wanted


def case_changes(case: Case, unit: Recipient) -> dict[str, Any]:
    """The case's fields the row changes (an empty cell of the file changes nothing)."""
    return {
        name: value
        for name, value in _wanted(unit).items()
        if (list(getattr(case, name) or []) if name == "groups" else getattr(case, name)) != value
    }
