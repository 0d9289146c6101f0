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
from django.db.models import (
    BigIntegerField,
    CharField,
    Count,
    DateField,
    F,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models import Case as SqlCase
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ansinh.accounts.permissions import require
from ansinh.accounts.scopes import Scope
from ansinh.assistance import holds, services
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
from ansinh.assistance.guard import (
    ACCOUNT_NUMBER,
    blocking_count,
    guard_run,
    held_cases,
    payable_cases,
    regular_line_cases,
)
from ansinh.assistance.models import Case, GuardItem, Payroll, PayrollLine
from ansinh.core import audit
from ansinh.core.models import AuditAction
from ansinh.core.periods import (
    MIN_MONTH,
    check_month_in_range,
    first_of_month,
    latest_month,
    months_between,
)
from ansinh.registry.choices import LifeStatus
from ansinh.rules import guard as guard_rules

KIND_LETTER: dict[str, str] = {
    LineKind.REGULAR: "R",
    LineKind.ARREARS: "A",
    LineKind.ADJUSTMENT: "D",
    LineKind.CARRIED: "C",
}
PAYROLL_FIELDS = ["status", "prepared_by", "approved_by"]


def reference(commune_code: int, case_id: int, kind: str, month: dt.date) -> str:
    return f"TC{commune_code}-{case_id}-{KIND_LETTER[kind]}{month:%y%m}"


def _ensure_unlocked(payroll: Payroll) -> None:
    if payroll.locked:
        raise ValidationError(_("This payroll is approved: it can no longer be changed."))


def _line(
    payroll: Payroll, case: dict[str, Any], month: dt.date, kind: str, amount: int, **extra: Any
) -> PayrollLine:
    method = extra.pop("method", case["payment_method"])
    bank = method == PaymentMethod.BANK
    return PayrollLine(
        payroll_id=payroll.pk,
        case_id=case["id"],
        month=month,
        kind=kind,
        amount=amount,
        method=method,
        bank=case["bank"] if bank else "",
        account_number=case["bank_account_number"] if bank else "",
        account_holder=case["bank_account_holder"] if bank else "",
        reference=reference(payroll.commune_id, case["id"], kind, month),
        **extra,
    )


CASE_COLUMNS = [
    "id",
    "amount",
    "amount_from",
    "effective_month",
    "end_month",
    "payment_method",
    "bank",
    "bank_account_number",
    "bank_account_holder",
]


def planned_lines(payroll: Payroll) -> list[PayrollLine]:
    """Arrears, adjustments and carried payments (regular lines: :func:`insert_regular_lines`);
    existing ones are skipped by the constraints."""
    month, commune = payroll.month, payroll.commune_id
    held = set(held_cases(commune, month).values_list("case_id", flat=True))
    lines: list[PayrollLine] = []
    first = Payroll.objects.filter(commune_id=commune).aggregate(m=Min("month"))["m"] or month
    # only cases started before the month or adjusted since can miss a month or need an
    # adjustment; before the commune's first payroll nothing can be missing (paid outside)
    earlier = Case.objects.filter(payable_cases(commune, month)).filter(
        Q(effective_month__lt=month) | Q(amount_from__lt=month)
    )
    candidates = list(earlier.values(*CASE_COLUMNS))
    covered = _covered(earlier, first, month) if candidates and first < month else {}
    late = []
    for c in candidates:
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
    if first >= month:  # no month of a payroll made here can be missing yet
        return []
    candidates = [c for c in ended.values(*CASE_COLUMNS) if c["id"] not in held]
    covered = _covered(ended, first, month) if candidates else {}
    return [c for c in candidates if _misses_a_month(c, covered, first, month)]


def _covered(cases: QuerySet[Case], first: dt.date, before: dt.date) -> dict[int, int]:
    """Months with a regular or arrears line per case, from ``first`` to ``before`` (excluded):
    one grouped query."""
    return dict(
        PayrollLine.objects.filter(
            case__in=cases,
            kind__in=[LineKind.REGULAR, LineKind.ARREARS],
            month__gte=first,
            month__lt=before,
        )
        .values("case_id")
        .annotate(n=Count("id"))
        .values_list("case_id", "n")
    )


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
        payroll__commune_id=payroll.commune_id,
        payroll__month__lt=payroll.month,
        status=LineStatus.CARRIED,
    ).select_related("case")
    out = []
    for line in failed:
        c = {f: getattr(line.case, f) for f in CASE_COLUMNS}
        out.append(
            _line(payroll, c, line.month, LineKind.CARRIED, line.amount, note=line.reference)
        )
    return out


def regular_lines_query(payroll: Payroll) -> tuple[str, list[Any]]:
    """``SELECT`` of the month's regular lines: one row per case of
    :func:`~ansinh.assistance.guard.regular_line_cases` (the guard's definition of who is
    payable, less the cases held), columns in the order of :data:`REGULAR_COLUMNS`."""
    month, commune = payroll.month, payroll.commune_id
    bank = Q(payment_method=PaymentMethod.BANK)

    def if_bank(field: str) -> SqlCase:
        return SqlCase(When(bank, then=F(field)), default=Value(""), output_field=CharField())

    qs = regular_line_cases(commune, month).values_list(
        Value(payroll.pk, output_field=BigIntegerField()),
        "id",
        Value(month, output_field=DateField()),
        Value(LineKind.REGULAR.value, output_field=CharField()),
        "amount",
        "payment_method",
        if_bank("bank"),
        if_bank("bank_account_number"),
        if_bank("bank_account_holder"),
        Concat(
            Value(f"TC{commune}-"),
            Cast("id", output_field=CharField()),
            Value(f"-{KIND_LETTER[LineKind.REGULAR]}{month:%y%m}"),
            output_field=CharField(),
        ),
        Value(LineStatus.PENDING.value, output_field=CharField()),
        Value("", output_field=CharField()),
    )
    sql, params = qs.query.sql_with_params()
    return sql, list(params)


# the columns of a regular line the query gives (result_reason, note, recovery: empty)
REGULAR_COLUMNS = (
    "payroll_id",
    "case_id",
    "month",
    "kind",
    "amount",
    "method",
    "bank",
    "account_number",
    "account_holder",
    "reference",
    "status",
    "result_reason",
)


def insert_regular_lines(payroll: Payroll) -> int:
    """The month's regular lines, set-based: one ``INSERT … SELECT`` (SQLite and PostgreSQL),
    so a million cases never become Python objects.

    The first time (the month has no regular line, and no arrears for it in a later payroll)
    a plain insert: under :func:`_generation_lock` no other transaction can add a line
    meanwhile. Later ``ON CONFLICT DO NOTHING`` skips the lines that exist. (On PostgreSQL it
    makes every row check each unique index twice: 40 % of the first insert of a million
    lines.)"""
    select, params = regular_lines_query(payroll)
    table = PayrollLine._meta.db_table
    columns = ", ".join([*REGULAR_COLUMNS, "note", "recovery"])
    sql = f"INSERT INTO {table} ({columns}) SELECT t.*, '', '' FROM ({select}) t"  # noqa: S608
    owed_later = PayrollLine.objects.filter(
        payroll__commune_id=payroll.commune_id,
        payroll__month__gt=payroll.month,
        month=payroll.month,
        kind=LineKind.ARREARS,
    )
    if payroll.lines.filter(kind=LineKind.REGULAR).exists() or owed_later.exists():
        sql += " WHERE true ON CONFLICT DO NOTHING"  # (SQLite needs the WHERE to parse it)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def _generation_lock(commune_code: int) -> None:
    """One payroll generation at a time per commune, until the transaction ends: regular and
    arrears lines (unique per case and month) are written only by generations. On PostgreSQL
    a ``FOR NO KEY UPDATE`` lock on the commune (rows that refer to the commune can still be
    written); SQLite's write transactions are serial anyway."""
    from ansinh.places.models import Commune

    list(Commune.objects.select_for_update(no_key=True).filter(code=commune_code).values("code"))


def payroll_generate(*, scope: Scope, commune_code: int, month: dt.date) -> Payroll:
    """Create the month's payroll (or complete it) and run the guard, as one unit: a crash
    anywhere leaves the payroll as it was. Safe to re-run, also concurrently: the constraints
    decide, ``ignore_conflicts`` skips what exists."""
    services.ensure_officer(scope, commune_code)
    today = timezone.localdate()
    try:
        check_month_in_range(month, today)
    except ValueError as exc:
        raise ValidationError(
            {
                "month": [
                    _("Choose a month from %(lo)s to %(hi)s.")
                    % {"lo": f"{MIN_MONTH:%m/%Y}", "hi": f"{latest_month(today):%m/%Y}"}
                ]
            }
        ) from exc
    month = first_of_month(month)
    with transaction.atomic():
        _generation_lock(commune_code)
        payroll, created = Payroll.objects.get_or_create(commune_id=commune_code, month=month)
        _ensure_unlocked(payroll)
        insert_regular_lines(payroll)
        lines = planned_lines(payroll)
        PayrollLine.objects.bulk_create(lines, ignore_conflicts=True, batch_size=5000)
        Payroll.objects.filter(pk=payroll.pk).update(generated_at=timezone.now())
        guard_run(commune_code=commune_code, month=month)
        if created:
            audit.record(
                actor=scope,
                instance=payroll,
                action=AuditAction.CREATE,
                after={"month": month.isoformat()},
                commune_code=commune_code,
            )
    payroll.refresh_from_db()
    return payroll


def payroll_total(payroll: Payroll) -> int:
    """What the payroll pays: every line but those held."""
    lines = payroll.lines.exclude(status=LineStatus.HELD)
    return int(lines.aggregate(t=Sum("amount"))["t"] or 0)


def _guarded(payroll: Payroll, *, step: str) -> Payroll:
    """Run the guard again, then, in the caller's transaction, lock the payroll and refuse it
    if anything changed since that run or a blocking item is unresolved."""
    guard_run(commune_code=payroll.commune_id, month=payroll.month)
    payroll = Payroll.objects.select_for_update().get(pk=payroll.pk)
    if not payroll.fresh:
        raise ValidationError(
            _(
                "The data changed while the payroll was being checked: check it again, "
                "then %(step)s."
            )
            % {"step": step}
        )
    blocking = blocking_count(payroll.commune_id, payroll.month)
    if blocking:
        raise ValidationError(
            ngettext(
                "%(n)s blocking check is not resolved: resolve it before you %(step)s.",
                "%(n)s blocking checks are not resolved: resolve them before you %(step)s.",
                blocking,
            )
            % {"n": blocking, "step": step}
        )
    return payroll


def payroll_prepare(*, scope: Scope, payroll: Payroll) -> Payroll:
    """The officer (maker) hands the payroll over for approval, after a new guard run that
    finds no unresolved blocking item."""
    services.ensure_officer(scope, payroll.commune_id)
    _ensure_unlocked(Payroll.objects.get(pk=payroll.pk))
    with transaction.atomic():
        payroll = _guarded(payroll, step=_("send it for approval"))
        _ensure_unlocked(payroll)
        with audit.tracked(scope, payroll, PAYROLL_FIELDS, commune_code=payroll.commune_id):
            payroll.status = PayrollStatus.PREPARED
            payroll.prepared_by = scope.user
            payroll.prepared_at = timezone.now()
            payroll.save()
    return payroll


def payroll_approve(*, scope: Scope, payroll: Payroll) -> Payroll:
    """A committee member other than the preparer approves, after a new guard run that finds
    no unresolved blocking item; the payroll is then locked."""
    payroll = Payroll.objects.get(pk=payroll.pk)
    require(
        scope,
        payroll.commune_id,
        can="committee",
        message=_("Only a committee member approves payrolls."),
    )
    if scope.user is not None and payroll.prepared_by_id == scope.user.pk:
        raise PermissionDenied(_("The person who prepared the payroll cannot approve it."))
    if payroll.status != PayrollStatus.PREPARED:
        raise ValidationError(_("Only a prepared payroll can be approved."))
    with transaction.atomic():
        payroll = _guarded(payroll, step=_("approve it"))
        if payroll.status != PayrollStatus.PREPARED:
            raise ValidationError(_("Only a prepared payroll can be approved."))
        with audit.tracked(scope, payroll, PAYROLL_FIELDS, commune_code=payroll.commune_id):
            payroll.status = PayrollStatus.APPROVED
            payroll.approved_by = scope.user
            payroll.approved_at = timezone.now()
            payroll.save()
    return payroll


def payroll_export_begin(
    *, scope: Scope, payroll: Payroll, method: str, bank: str | None = None
) -> int:
    """The last check before money leaves: the payment file of ``method`` (and ``bank``) is
    made only from an approved payroll that is fresh (the guard runs again if anything changed
    since its last run) with no unresolved blocking item, and whose bank lines all carry a
    valid account number. Its lines are then marked exported: from now on a death or an ended
    case can no longer hold them, and flags them for recovery instead. Returns the number of
    lines in the file."""
    services.ensure_officer(scope, payroll.commune_id)
    payroll = Payroll.objects.get(pk=payroll.pk)
    if payroll.status not in (PayrollStatus.APPROVED, PayrollStatus.CLOSED):
        raise ValidationError(_("Payment files are made from an approved payroll."))
    if not payroll.fresh and payroll.status == PayrollStatus.APPROVED:
        guard_run(commune_code=payroll.commune_id, month=payroll.month)
    with transaction.atomic():
        payroll = Payroll.objects.select_for_update().get(pk=payroll.pk)
        lines = payroll_file_lines(payroll, method=method, bank=bank)
        if payroll.status == PayrollStatus.CLOSED:
            return lines.count()
        if not payroll.fresh:
            raise ValidationError(
                _("The data changed while the payroll was being checked: try again.")
            )
        blocking = blocking_count(payroll.commune_id, payroll.month)
        if blocking:
            raise ValidationError(
                ngettext(
                    "%(n)s blocking check is not resolved: no payment file can be made.",
                    "%(n)s blocking checks are not resolved: no payment file can be made.",
                    blocking,
                )
                % {"n": blocking}
            )
        if method == PaymentMethod.BANK:
            bad = [
                ref
                for ref, account, bank_code in lines.values_list(
                    "reference", "account_number", "bank"
                )
                if not bank_code or not ACCOUNT_NUMBER.match(account or "")
            ]
            if bad:
                raise ValidationError(
                    _(
                        "These payments have no valid bank account: %(refs)s. Correct the "
                        "account or pay them in cash."
                    )
                    % {"refs": ", ".join(bad[:20]) + (" …" if len(bad) > 20 else "")}
                )
        count = lines.count()
        marked = lines.filter(exported_at__isnull=True).update(exported_at=timezone.now())
        if marked:
            audit.record(
                actor=scope,
                instance=payroll,
                action=AuditAction.EVENT,
                after={"method": method, "bank": bank or "", "lines": marked},
                note="payment file",
                commune_code=payroll.commune_id,
            )
        return count


def payroll_file_lines(
    payroll: Payroll, *, method: str, bank: str | None = None
) -> QuerySet[PayrollLine]:
    """The lines a payment file carries: pending payments of ``method`` (never held, paid or
    failed ones), one bank's if ``bank``. Cash lists also carry failed bank payments switched
    to cash."""
    if method == PaymentMethod.CASH:
        return payroll.lines.filter(
            Q(method=PaymentMethod.CASH, status__in=[LineStatus.PENDING, LineStatus.PAID])
            | Q(status=LineStatus.CASH)
        )
    qs = payroll.lines.filter(method=PaymentMethod.BANK, status=LineStatus.PENDING)
    return qs.filter(bank=bank) if bank else qs


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


@transaction.atomic
def guard_resolve(*, scope: Scope, item: GuardItem, action: str, note: str = "") -> GuardItem:
    """Resolve one guard item, acting on the case and on the payroll's lines (held lines
    included). In an approved payroll only actions that take payments out (or give back held
    ones) are possible, and never on a line already in a payment file."""
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
    lines = (
        PayrollLine.objects.filter(payroll=payroll, case=item.case, exported_at__isnull=True)
        if payroll
        else None
    )
    case = item.case
    if action == GuardAction.CONFIRMED:
        if item.rule == GuardRule.HOUSEHOLD_STATUS:  # checked: the new status is the basis now
            status = household_statuses([case.household_id], item.month)[case.household_id]
            Case.objects.filter(pk=case.pk).update(household_status=status)
        if payroll is not None:
            holds.lines_release(case_id=case.pk, payroll=payroll)
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
            lines.filter(month__gte=case.end_month).delete()
            holds.lines_release(case_id=case.pk, payroll=payroll)  # months still owed
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
        if lines is not None:
            lines.filter(kind=LineKind.REGULAR, month=item.month).update(amount=case.amount)
    elif action == GuardAction.CASH:
        services.case_payment_set(scope=scope, case=case, method=PaymentMethod.CASH, note=note)
        if lines is not None and payroll is not None:
            lines.update(method=PaymentMethod.CASH, bank="", account_number="", account_holder="")
            holds.lines_release(case_id=case.pk, payroll=payroll)
    elif action == GuardAction.HELD:
        if lines is not None:
            lines.delete()
    elif action == GuardAction.NOT_OWED:
        if lines is not None:
            kinds = [LineKind.ARREARS] if item.rule == GuardRule.ENDED_ARREARS else LineKind.values
            lines.filter(kind__in=kinds).exclude(status=LineStatus.PAID).delete()
    else:
        raise ValidationError({"action": [_("Choose an action.")]})
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
        household_id=case.household_id,
    )
    return item


# --- after payment -------------------------------------------------------------------------


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


@transaction.atomic
def cash_paid_confirm(*, scope: Scope, payroll: Payroll, references: list[str]) -> int:
    """Cash payments signed for on the cash list."""
    services.ensure_officer(scope, payroll.commune_id)
    if payroll.status != PayrollStatus.APPROVED:
        raise ValidationError(_("Only an approved payroll is paid."))
    return payroll.lines.filter(
        method=PaymentMethod.CASH, status=LineStatus.PENDING, reference__in=references
    ).update(status=LineStatus.PAID)


@transaction.atomic
def payroll_close(*, scope: Scope, payroll: Payroll) -> Payroll:
    """Closed only when every line is paid or explained (carried over or paid in cash)."""
    services.ensure_officer(scope, payroll.commune_id)
    payroll = Payroll.objects.select_for_update().get(pk=payroll.pk)
    if payroll.status != PayrollStatus.APPROVED:
        raise ValidationError(_("Only an approved payroll can be closed."))
    if blocking_count(payroll.commune_id, payroll.month):
        raise ValidationError(_("Resolve every blocking check before closing the payroll."))
    open_lines = payroll.lines.filter(status__in=[LineStatus.PENDING, LineStatus.FAILED]).count()
    if open_lines:
        raise ValidationError(
            _("%(n)s payments are neither paid nor explained.") % {"n": open_lines}
        )
    payroll.status = PayrollStatus.CLOSED
    payroll.closed_at = timezone.now()
    payroll.save()
    audit.record(
        actor=scope,
        instance=payroll,
        action=AuditAction.UPDATE,
        before={"status": PayrollStatus.APPROVED},
        after={"status": PayrollStatus.CLOSED},
        commune_code=payroll.commune_id,
    )
    return payroll
