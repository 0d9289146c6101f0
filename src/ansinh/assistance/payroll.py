"""Monthly payrolls: generate (idempotent), guard, prepare, approve (maker-checker), import the
bank's results, resolve failed payments, close.

Idempotence is the database's: a line is unique per case, month and kind, and a month's
entitlement (regular or arrears) is paid once; lines are inserted with ``ignore_conflicts``,
so running the generation twice, or two generations at the same time, adds nothing.

Reference of a line (the bank's "nội dung" key, ≤ 35 characters for pain.001):
``TC{commune}-{case id}-{R|A|D|C}{yymm of the month paid for}``, e.g. ``TC25522-123-R2611``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, F, Min, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.accounts.choices import Role
from ansinh.accounts.models import User
from ansinh.accounts.scopes import scope_for
from ansinh.assistance import services
from ansinh.assistance.choices import (
    CaseStatus,
    GuardAction,
    GuardRule,
    LineKind,
    LineStatus,
    PaymentMethod,
    PayrollStatus,
    StopReason,
)
from ansinh.assistance.entitlement import household_statuses
from ansinh.assistance.guard import blocking_count, guard_run, payable_cases
from ansinh.assistance.models import Case, GuardItem, Payroll, PayrollLine
from ansinh.core import audit
from ansinh.core.models import AuditAction
from ansinh.core.periods import first_of_month
from ansinh.registry.choices import LifeStatus

KIND_LETTER: dict[str, str] = {
    LineKind.REGULAR: "R",
    LineKind.ARREARS: "A",
    LineKind.ADJUSTMENT: "D",
    LineKind.CARRIED: "C",
}
PAYROLL_FIELDS = ["status", "prepared_by", "approved_by"]


def reference(commune_code: int, case_id: int, kind: str, month: dt.date) -> str:
    return f"TC{commune_code}-{case_id}-{KIND_LETTER[kind]}{month:%y%m}"


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """First days of the months from ``start`` (included) to ``end`` (excluded)."""
    out, m = [], first_of_month(start)
    while m < end:
        out.append(m)
        m = services.next_month(m)
    return out


def _ensure_unlocked(payroll: Payroll) -> None:
    if payroll.locked:
        raise ValidationError(_("This payroll is approved: it can no longer be changed."))


def _line(payroll: Payroll, case: dict[str, Any], month: dt.date, kind: str, amount: int,
          **extra: Any) -> PayrollLine:  # fmt: skip
    method = extra.pop("method", case["payment_method"])
    bank = method == PaymentMethod.BANK
    return PayrollLine(
        payroll_id=payroll.pk, case_id=case["id"], month=month, kind=kind, amount=amount,
        method=method, bank=case["bank"] if bank else "",
        account_number=case["bank_account_number"] if bank else "",
        account_holder=case["bank_account_holder"] if bank else "",
        reference=reference(payroll.commune_id, case["id"], kind, month), **extra,
    )  # fmt: skip


CASE_COLUMNS = ["id", "amount", "amount_from", "effective_month", "end_month", "payment_method",
                "bank", "bank_account_number", "bank_account_holder"]  # fmt: skip


def planned_lines(payroll: Payroll) -> list[PayrollLine]:
    """Arrears, adjustments and carried payments (regular lines: :func:`insert_regular_lines`);
    existing ones are skipped by the constraints."""
    month, commune = payroll.month, payroll.commune_id
    held = set(
        GuardItem.objects.filter(
            commune_id=commune, month=month, action__in=[GuardAction.HELD, GuardAction.STOPPED]
        ).values_list("case_id", flat=True)
    )
    lines: list[PayrollLine] = []
    first = Payroll.objects.filter(commune_id=commune).aggregate(m=Min("month"))["m"] or month
    payable = Case.objects.filter(payable_cases(commune, month))
    # only cases missing a month, or adjusted after their start, need the detailed look
    covered = _covered(payable, first, month)
    late = []
    for c in payable.filter(Q(effective_month__lt=month) | Q(amount_from__lt=month)).values(
        *CASE_COLUMNS
    ):
        if c["id"] in held:
            continue
        adjusted = c["amount_from"] and c["effective_month"] < c["amount_from"] < month
        if _misses_a_month(c, covered, first, month) or adjusted:
            late.append(c)
    late += _ended_with_arrears(payroll, first, held)
    lines += _arrears_and_adjustments(payroll, late)
    lines += _carried(payroll)
    return lines


def _ended_with_arrears(payroll: Payroll, first: dt.date, held: set[int]) -> list[dict[str, Any]]:
    """Cases ended (stopped or transferred) before this month that still miss a month of their
    paid period, e.g. a decision signed late and a death before the next payroll. Their
    arrears are proposed (the guard asks the officer who receives them) unless the officer has
    recorded that they are not owed."""
    month, commune = payroll.month, payroll.commune_id
    waived = GuardItem.objects.filter(
        commune_id=commune, rule=GuardRule.ENDED_ARREARS, action=GuardAction.NOT_OWED
    ).values("case_id")
    ended = (
        Case.objects.filter(
            commune_id=commune,
            status__in=[CaseStatus.STOPPED, CaseStatus.TRANSFERRED],
            end_month__lte=month,
            end_month__gt=first,
            effective_month__isnull=False,
        )
        .filter(effective_month__lt=F("end_month"))
        .exclude(id__in=waived)
    )
    covered = _covered(ended, first, month)
    return [
        c
        for c in ended.values(*CASE_COLUMNS)
        if c["id"] not in held and _misses_a_month(c, covered, first, month)
    ]


def _covered(cases: QuerySet[Case], first: dt.date, before: dt.date) -> dict[int, int]:
    """Months with a regular or arrears line per case, from ``first`` to ``before`` (excluded):
    one grouped query."""
    return dict(
        PayrollLine.objects.filter(
            case__in=cases, kind__in=[LineKind.REGULAR, LineKind.ARREARS],
            month__gte=first, month__lt=before,
        )
        .values("case_id")
        .annotate(n=Count("id"))
        .values_list("case_id", "n")
    )  # fmt: skip


def _misses_a_month(
    c: dict[str, Any], covered: dict[int, int], first: dt.date, month: dt.date
) -> bool:
    """A month of the case's paid period before ``month`` (and from ``first``) has no line."""
    end = min(month, c["end_month"]) if c["end_month"] else month
    return covered.get(c["id"], 0) < len(months_between(max(c["effective_month"], first), end))


def _arrears_and_adjustments(payroll: Payroll, cases: list[dict[str, Any]]) -> list[PayrollLine]:
    """Arrears: months from the effective month never paid (not before the commune's first
    payroll: earlier months were paid outside ansinh). Adjustments: months already paid at
    another amount than the current one (from ``amount_from``)."""
    if not cases:
        return []
    month, commune = payroll.month, payroll.commune_id
    first = Payroll.objects.filter(commune_id=commune).aggregate(m=Min("month"))["m"] or month
    paid: dict[tuple[int, dt.date], int] = defaultdict(int)
    entitled: set[tuple[int, dt.date]] = set()
    adjusted: set[tuple[int, dt.date]] = set()
    ids = [c["id"] for c in cases]
    for i in range(0, len(ids), 5000):
        rows = PayrollLine.objects.filter(case_id__in=ids[i : i + 5000], month__lt=month)
        for case_id, m, kind, amount in rows.values_list("case_id", "month", "kind", "amount"):
            if kind in (LineKind.REGULAR, LineKind.ARREARS):
                entitled.add((case_id, m))
            if kind == LineKind.ADJUSTMENT:
                adjusted.add((case_id, m))
            if kind != LineKind.CARRIED:
                paid[(case_id, m)] += amount
    out = []
    for c in cases:
        end = min(month, c["end_month"]) if c["end_month"] else month
        for m in months_between(max(c["effective_month"], first), end):
            key = (c["id"], m)
            if key not in entitled:
                out.append(_line(payroll, c, m, LineKind.ARREARS, c["amount"]))
            elif (
                c["amount_from"]
                and m >= c["amount_from"]
                and key not in adjusted
                and paid[key] != c["amount"]
            ):
                out.append(_line(payroll, c, m, LineKind.ADJUSTMENT, c["amount"] - paid[key]))
    return out


def _carried(payroll: Payroll) -> list[PayrollLine]:
    failed = PayrollLine.objects.filter(
        payroll__commune_id=payroll.commune_id, payroll__month__lt=payroll.month,
        status=LineStatus.CARRIED,
    ).select_related("case")  # fmt: skip
    out = []
    for line in failed:
        c = {f: getattr(line.case, f) for f in CASE_COLUMNS}
        out.append(_line(payroll, c, line.month, LineKind.CARRIED, line.amount,
                         note=line.reference))  # fmt: skip
    return out


def insert_regular_lines(payroll: Payroll) -> int:
    """The month's regular lines, set-based: one ``INSERT … SELECT … ON CONFLICT DO NOTHING``
    (SQLite and PostgreSQL), so a million cases never become Python objects."""
    line, case, item = (m._meta.db_table for m in (PayrollLine, Case, GuardItem))
    bank = PaymentMethod.BANK.value
    sql = f"""
        INSERT INTO {line} (payroll_id, case_id, month, kind, amount, method, bank,
                            account_number, account_holder, reference, status, result_reason, note)
        SELECT %s, c.id, %s, %s, c.amount, c.payment_method,
               CASE WHEN c.payment_method = '{bank}' THEN c.bank ELSE '' END,
               CASE WHEN c.payment_method = '{bank}' THEN c.bank_account_number ELSE '' END,
               CASE WHEN c.payment_method = '{bank}' THEN c.bank_account_holder ELSE '' END,
               'TC' || CAST(c.commune_id AS TEXT) || '-' || CAST(c.id AS TEXT) || %s,
               %s, '', ''
        FROM {case} c
        WHERE c.commune_id = %s AND c.effective_month <= %s
          AND (c.status = %s OR (c.status IN (%s, %s) AND c.end_month > %s))
          AND (c.end_month IS NULL OR c.end_month > %s)
          AND c.id NOT IN (SELECT g.case_id FROM {item} g WHERE g.commune_id = %s
                           AND g.month = %s AND g.action IN (%s, %s))
        ON CONFLICT DO NOTHING
    """  # noqa: S608 - table names from the models, values as parameters
    month = payroll.month
    params: list[Any] = [
        payroll.pk, month, LineKind.REGULAR.value, f"-R{month:%y%m}", LineStatus.PENDING.value,
        payroll.commune_id, month, CaseStatus.ACTIVE.value, CaseStatus.STOPPED.value,
        CaseStatus.TRANSFERRED.value, month, month, payroll.commune_id, month,
        GuardAction.HELD.value, GuardAction.STOPPED.value,
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def ensure_officer(actor: User | None, commune_code: int) -> None:
    services.ensure_officer(actor, commune_code)


def payroll_generate(*, actor: User | None, commune_code: int, month: dt.date) -> Payroll:
    """Create the month's payroll (or complete it) and run the guard. Safe to re-run, also
    concurrently: the constraints decide, ``ignore_conflicts`` skips what exists."""
    ensure_officer(actor, commune_code)
    month = first_of_month(month)
    payroll, created = Payroll.objects.get_or_create(commune_id=commune_code, month=month)
    _ensure_unlocked(payroll)
    with transaction.atomic():
        insert_regular_lines(payroll)
    lines = planned_lines(payroll)
    PayrollLine.objects.bulk_create(lines, ignore_conflicts=True, batch_size=5000)
    Payroll.objects.filter(pk=payroll.pk).update(generated_at=timezone.now())
    guard_run(commune_code=commune_code, month=month)
    if created:
        audit.record(actor=actor, instance=payroll, action=AuditAction.CREATE,
                     after={"month": month.isoformat()}, commune_code=commune_code)  # fmt: skip
    payroll.refresh_from_db()
    return payroll


def payroll_total(payroll: Payroll) -> int:
    return int(payroll.lines.aggregate(t=Sum("amount"))["t"] or 0)


@transaction.atomic
def payroll_prepare(*, actor: User, payroll: Payroll) -> Payroll:
    """The officer (maker) hands the payroll over for approval."""
    ensure_officer(actor, payroll.commune_id)
    payroll = Payroll.objects.select_for_update().get(pk=payroll.pk)
    _ensure_unlocked(payroll)
    before = audit.snapshot(payroll, PAYROLL_FIELDS)
    payroll.status = PayrollStatus.PREPARED
    payroll.prepared_by = actor
    payroll.prepared_at = timezone.now()
    payroll.save()
    audit.record(
        actor=actor,
        instance=payroll,
        action=AuditAction.UPDATE,
        before=before,
        after=audit.snapshot(payroll, PAYROLL_FIELDS),
        commune_code=payroll.commune_id,
    )
    return payroll


@transaction.atomic
def payroll_approve(*, actor: User | None, payroll: Payroll) -> Payroll:
    """A committee member other than the preparer approves; the payroll is then locked."""
    payroll = Payroll.objects.select_for_update().get(pk=payroll.pk)
    if actor is not None:
        scope = scope_for(actor)
        if scope.commune_code != payroll.commune_id or scope.role != Role.COMMITTEE:
            raise PermissionDenied(_("Only a committee member approves payrolls."))
        if payroll.prepared_by_id == actor.pk:
            raise PermissionDenied(_("The person who prepared the payroll cannot approve it."))
    if payroll.status != PayrollStatus.PREPARED:
        raise ValidationError(_("Only a prepared payroll can be approved."))
    if blocking_count(payroll.commune_id, payroll.month):
        raise ValidationError(_("Resolve every blocking check before approving."))
    before = audit.snapshot(payroll, PAYROLL_FIELDS)
    payroll.status = PayrollStatus.APPROVED
    payroll.approved_by = actor if getattr(actor, "pk", None) else None
    payroll.approved_at = timezone.now()
    payroll.save()
    audit.record(
        actor=actor,
        instance=payroll,
        action=AuditAction.UPDATE,
        before=before,
        after=audit.snapshot(payroll, PAYROLL_FIELDS),
        commune_code=payroll.commune_id,
    )
    return payroll


_CHECK_ACTIONS: list[str] = [GuardAction.CONFIRMED, GuardAction.CASH, GuardAction.HELD]
RULE_ACTIONS: dict[str, list[str]] = {
    GuardRule.BANK_FAILED.value: _CHECK_ACTIONS,
    GuardRule.ENDED_ARREARS.value: [*_CHECK_ACTIONS, GuardAction.NOT_OWED],
}
CASE_ACTIONS: list[str] = [GuardAction.CONFIRMED, GuardAction.STOPPED, GuardAction.RECOMPUTED,
                GuardAction.CASH, GuardAction.HELD]  # fmt: skip


def actions_for(rule: str) -> list[tuple[str, str]]:
    """The actions that make sense for an item of ``rule`` (value, label)."""
    return [(a, str(GuardAction(a).label)) for a in RULE_ACTIONS.get(rule, CASE_ACTIONS)]


@transaction.atomic
def guard_resolve(*, actor: User | None, item: GuardItem, action: str, note: str = "") -> GuardItem:
    """Resolve one guard item, acting on the case and on the draft payroll's lines."""
    ensure_officer(actor, item.commune_id)
    item = GuardItem.objects.select_for_update().select_related("case__person").get(pk=item.pk)
    if item.resolved_at:
        raise ValidationError(_("This item is already resolved."))
    payroll = Payroll.objects.filter(commune_id=item.commune_id, month=item.month).first()
    if payroll:
        _ensure_unlocked(payroll)
    lines = PayrollLine.objects.filter(payroll=payroll, case=item.case) if payroll else None
    case = item.case
    if action not in RULE_ACTIONS.get(item.rule, CASE_ACTIONS):
        raise ValidationError({"action": [_("This action does not apply to this check.")]})
    if action == GuardAction.CONFIRMED:
        if not note.strip():
            raise ValidationError({"note": [_("Say why the case can be paid as is.")]})
        if item.rule == GuardRule.HOUSEHOLD_STATUS:  # checked: the new status is the basis now
            status = household_statuses([case.household_id], item.month)[case.household_id]
            Case.objects.filter(pk=case.pk).update(household_status=status)
    elif action == GuardAction.STOPPED:
        person = case.person
        if person.life_status == LifeStatus.DECEASED:
            reason = StopReason.DEATH
        elif person.life_status == LifeStatus.MOVED_AWAY:
            reason = StopReason.MOVED
        else:
            reason = StopReason.NOT_ELIGIBLE
        event = person.status_date or item.month - dt.timedelta(days=1)
        case = services.case_stop(actor=actor, case=case, reason=reason, event_date=event,
                                  note=note)  # fmt: skip
        if lines is not None:
            lines.filter(month__gte=case.end_month).delete()
    elif action == GuardAction.RECOMPUTED:
        case = services.case_adjust(actor=actor, case=case, from_month=item.month, note=note)
        if lines is not None:
            lines.filter(kind=LineKind.REGULAR, month=item.month).update(amount=case.amount)
    elif action == GuardAction.CASH:
        services.case_payment_set(actor=actor, case=case, method=PaymentMethod.CASH, note=note)
        if lines is not None:
            lines.update(method=PaymentMethod.CASH, bank="", account_number="", account_holder="")
    elif action == GuardAction.HELD:
        if not note.strip():
            raise ValidationError({"note": [_("Say why the payment is held.")]})
        if lines is not None:
            lines.delete()
    elif action == GuardAction.NOT_OWED:
        if not note.strip():
            raise ValidationError({"note": [_("Say why this money is not owed.")]})
        if lines is not None:
            lines.filter(kind=LineKind.ARREARS).delete()
    else:
        raise ValidationError({"action": [_("Choose an action.")]})
    item.action = action
    item.note = note[:300]
    item.resolved_at = timezone.now()
    item.resolved_by = actor if getattr(actor, "pk", None) else None
    item.save()
    audit.record(actor=actor, instance=item, action=AuditAction.UPDATE,
                 before={"action": ""}, after={"action": action}, note=note,
                 commune_code=item.commune_id, household_id=case.household_id)  # fmt: skip
    return item


# --- after payment -------------------------------------------------------------------------


@transaction.atomic
def line_failed_resolve(
    *, actor: User | None, line: PayrollLine, action: str, note: str
) -> PayrollLine:
    """A failed bank payment is carried to next month's payroll or paid in cash (note needed)."""
    ensure_officer(actor, line.payroll.commune_id)
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
    audit.record(actor=actor, instance=line, action=AuditAction.UPDATE,
                 before={"status": LineStatus.FAILED}, after={"status": action}, note=note,
                 commune_code=line.payroll.commune_id)  # fmt: skip
    return line


@transaction.atomic
def cash_paid_confirm(*, actor: User | None, payroll: Payroll, references: list[str]) -> int:
    """Cash payments signed for on the cash list."""
    ensure_officer(actor, payroll.commune_id)
    if payroll.status != PayrollStatus.APPROVED:
        raise ValidationError(_("Only an approved payroll is paid."))
    return payroll.lines.filter(
        method=PaymentMethod.CASH, status=LineStatus.PENDING, reference__in=references
    ).update(status=LineStatus.PAID)


@transaction.atomic
def payroll_close(*, actor: User | None, payroll: Payroll) -> Payroll:
    """Closed only when every line is paid or explained (carried over or paid in cash)."""
    ensure_officer(actor, payroll.commune_id)
    payroll = Payroll.objects.select_for_update().get(pk=payroll.pk)
    if payroll.status != PayrollStatus.APPROVED:
        raise ValidationError(_("Only an approved payroll can be closed."))
    open_lines = payroll.lines.filter(status__in=[LineStatus.PENDING, LineStatus.FAILED]).count()
    if open_lines:
        raise ValidationError(
            _("%(n)s payments are neither paid nor explained.") % {"n": open_lines}
        )
    payroll.status = PayrollStatus.CLOSED
    payroll.closed_at = timezone.now()
    payroll.save()
    audit.record(
        actor=actor,
        instance=payroll,
        action=AuditAction.UPDATE,
        before={"status": PayrollStatus.APPROVED},
        after={"status": PayrollStatus.CLOSED},
        commune_code=payroll.commune_id,
    )
    return payroll


__all__ = [
    "CaseStatus", "cash_paid_confirm", "guard_resolve", "line_failed_resolve", "payroll_approve",
    "payroll_close", "payroll_generate", "payroll_prepare", "payroll_total", "planned_lines",
]  # fmt: skip
