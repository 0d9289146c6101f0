"""Resolving what the guard found and what the bank returned: the actions each rule allows, and who
may take them at which step.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ansinh.accounts.scopes import Scope
from ansinh.assistance import holds, services
from ansinh.assistance.choices import (
    GuardAction,
    GuardRule,
    LineKind,
    LineStatus,
    PaymentMethod,
    PayrollStatus,
    StopReason,
)
from ansinh.assistance.entitlement import household_statuses
from ansinh.assistance.guard import OWED_EARLIER
from ansinh.assistance.models import Case, GuardItem, Payroll, PayrollLine
from ansinh.core import audit
from ansinh.core.models import AuditAction
from ansinh.registry.choices import LifeStatus
from ansinh.rules import guard as guard_rules

# the actions of the checks that have their own (the rule table), the others' are CASE_ACTIONS
RULE_ACTIONS: dict[str, list[str]] = {
    code: [GuardAction(a) for a in actions] for code, actions in guard_rules.ACTIONS.items()
}


CASE_ACTIONS: list[str] = [
    GuardAction.CONFIRMED,
    GuardAction.STOPPED,
    GuardAction.RECOMPUTED,
    GuardAction.CASH,
    GuardAction.HELD,
]


# Once approved, a payroll can only lose payments (or get back held ones it had approved).
APPROVED_ACTIONS = {
    GuardAction.CONFIRMED,
    GuardAction.STOPPED,
    GuardAction.HELD,
    GuardAction.NOT_OWED,
}


NOTE_NEEDED: dict[str, Any] = {
    GuardAction.CONFIRMED: gettext_lazy("Say why the case can be paid as is."),
    GuardAction.HELD: gettext_lazy("Say why the payment is held."),
    GuardAction.NOT_OWED: gettext_lazy("Say why this money is not owed."),
}


def actions_for(rule: str, payroll: Payroll | None = None) -> list[tuple[str, str]]:
    """The actions that make sense for an item of ``rule`` (value, label), in ``payroll``'s
    state."""
    actions = RULE_ACTIONS.get(rule, CASE_ACTIONS)
    if payroll is not None and payroll.status == PayrollStatus.APPROVED:
        actions = [a for a in actions if a in APPROVED_ACTIONS]
    return [(a, str(GuardAction(a).label)) for a in actions]


@dataclass(frozen=True)
class GuardResolution:
    """A resolved guard item and what it changed in the month's payroll: payments taken out
    (and their total), held payments released, payments recomputed (at ``amount``) or switched
    to cash. ``payroll`` is None when the month has no payroll yet."""

    item: GuardItem
    payroll: Payroll | None
    removed: int = 0
    removed_amount: int = 0
    released: int = 0
    recomputed: int = 0
    to_cash: int = 0
    amount: int = 0

    @property
    def lines_changed(self) -> int:
        return self.removed + self.released + self.recomputed + self.to_cash


def _removed(lines: QuerySet[PayrollLine]) -> tuple[int, int]:
    """Delete ``lines``: (how many, their total)."""
    total = int(lines.aggregate(t=Sum("amount"))["t"] or 0)
    return lines.delete()[1].get(PayrollLine._meta.label, 0), total


@transaction.atomic
def guard_resolve(*, scope: Scope, item: GuardItem, action: str, note: str = "") -> GuardResolution:
    """Resolve one guard item, acting on the case and on the payroll's lines (held lines
    included). In an approved payroll only actions that take payments out (or give back held
    ones) are possible, and never on a line already in a payment file. Says what changed."""
    services.ensure_officer(scope, item.commune_id)
    item = GuardItem.objects.select_for_update().select_related("case__person").get(pk=item.pk)
    if item.resolved_at:
        raise ValidationError(_("This item is already resolved."))
    payroll = Payroll.objects.filter(commune_id=item.commune_id, month=item.month).first()
    if payroll is not None and payroll.status == PayrollStatus.CLOSED:
        raise ValidationError(_("This payroll is closed: it can no longer be changed."))
    if action not in [a for a, _label in actions_for(item.rule, payroll)]:
        raise ValidationError({"action": [_("This action does not apply to this check.")]})
    if action in NOTE_NEEDED and not note.strip():
        raise ValidationError({"note": [str(NOTE_NEEDED[action])]})
    changes = _act(scope, item, action, note, payroll)
    item.action = action
    item.note = note[:300]
    item.resolved_at = timezone.now()
    item.resolved_by = scope.user
    item.save()
    audit.record(
        actor=scope,
        instance=item,
        action=AuditAction.UPDATE,
        before={"action": ""},
        after={"action": action},
        note=note,
        commune_code=item.commune_id,
        household_id=item.case.household_id,
    )
    return GuardResolution(item=item, payroll=payroll, **changes)


def _act(
    scope: Scope, item: GuardItem, action: str, note: str, payroll: Payroll | None
) -> dict[str, int]:
    """Do what ``action`` means for the case and the month's lines; count what changed."""
    lines = (
        PayrollLine.objects.filter(payroll=payroll, case=item.case, exported_at__isnull=True)
        if payroll
        else None
    )
    case = item.case
    out: dict[str, int] = {}
    if action == GuardAction.CONFIRMED:
        if item.rule == GuardRule.HOUSEHOLD_STATUS:  # checked: the new status is the basis now
            status = household_statuses([case.household_id], item.month)[case.household_id]
            Case.objects.filter(pk=case.pk).update(household_status=status)
        if payroll is not None:
            out["released"] = holds.lines_release(case_id=case.pk, payroll=payroll)
    elif action == GuardAction.STOPPED:
        person = case.person
        if person.life_status == LifeStatus.DECEASED:
            reason = StopReason.DEATH
        elif person.life_status == LifeStatus.MOVED_AWAY:
            reason = StopReason.MOVED
        else:
            reason = StopReason.NOT_ELIGIBLE
        event = person.status_date or item.month - dt.timedelta(days=1)
        case = services.case_stop(
            scope=scope, case=case, reason=reason, event_date=event, note=note
        )
        if lines is not None and payroll is not None:
            out["removed"], out["removed_amount"] = _removed(
                lines.filter(month__gte=case.end_month)
            )
            out["released"] = holds.lines_release(case_id=case.pk, payroll=payroll)
            holds.event_items_resolve(
                case_id=case.pk,
                month=item.month,
                rule=GuardRule.CASE_ENDED,
                scope=scope,
                action=GuardAction.STOPPED,
                note=note,
            )
    elif action == GuardAction.RECOMPUTED:
        case = services.case_adjust(scope=scope, case=case, from_month=item.month, note=note)
        out["amount"] = case.amount
        if lines is not None:
            out["recomputed"] = lines.filter(kind=LineKind.REGULAR, month=item.month).update(
                amount=case.amount
            )
    elif action == GuardAction.CASH:
        services.case_payment_set(scope=scope, case=case, method=PaymentMethod.CASH, note=note)
        if lines is not None and payroll is not None:
            out["to_cash"] = lines.update(
                method=PaymentMethod.CASH, bank="", account_number="", account_holder=""
            )
            holds.lines_release(case_id=case.pk, payroll=payroll)
    elif action == GuardAction.HELD:
        if lines is not None:
            out["removed"], out["removed_amount"] = _removed(lines)
    elif action == GuardAction.NOT_OWED:
        if lines is not None:
            kinds = OWED_EARLIER if item.rule == GuardRule.ENDED_ARREARS else LineKind.values
            out["removed"], out["removed_amount"] = _removed(
                lines.filter(kind__in=kinds).exclude(status=LineStatus.PAID)
            )
    else:
        raise ValidationError({"action": [_("Choose an action.")]})
    return out


@transaction.atomic
def line_failed_resolve(*, scope: Scope, line: PayrollLine, action: str, note: str) -> PayrollLine:
    """A failed bank payment is carried to next month's payroll or paid in cash (note needed)."""
    services.ensure_officer(scope, line.payroll.commune_id)
    if line.status != LineStatus.FAILED:
        raise ValidationError(_("Only a failed payment can be carried or paid in cash."))
    if not note.strip():
        raise ValidationError({"note": [_("Add a note.")]})
    if action not in (LineStatus.CARRIED, LineStatus.CASH):
        raise ValidationError({"action": [_("Choose carry over or cash.")]})
    if action == LineStatus.CARRIED and line.kind == LineKind.CARRIED:
        raise ValidationError(
            {"action": [_("This payment was carried over once and failed again: pay it in cash.")]}
        )
    line.status = action
    line.note = note[:300]
    line.save(update_fields=["status", "note"])
    holds.payrolls_touch(line.payroll.commune_id)
    audit.record(
        actor=scope,
        instance=line,
        action=AuditAction.UPDATE,
        before={"status": LineStatus.FAILED},
        after={"status": action},
        note=note,
        commune_code=line.payroll.commune_id,
    )
    return line
