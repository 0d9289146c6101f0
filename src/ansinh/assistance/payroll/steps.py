"""A payroll's steps: generate (with the guard, in one transaction), prepare, approve, the payment
files (the last check before money leaves), cash paid, close.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import (
    Q,
    QuerySet,
    Sum,
)
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ansinh.accounts.permissions import require
from ansinh.accounts.scopes import Scope
from ansinh.assistance import services
from ansinh.assistance.choices import (
    LineStatus,
    PaymentMethod,
    PayrollStatus,
)
from ansinh.assistance.guard import (
    ACCOUNT_NUMBER,
    blocking_count,
    guard_run,
)
from ansinh.assistance.models import Payroll, PayrollLine
from ansinh.assistance.payroll.lines import insert_regular_lines, planned_lines
from ansinh.core import audit
from ansinh.core.models import AuditAction
from ansinh.core.periods import (
    MIN_MONTH,
    check_month_in_range,
    first_of_month,
    latest_month,
)

PAYROLL_FIELDS = ["status", "prepared_by", "approved_by"]


def _ensure_unlocked(payroll: Payroll) -> None:
    if payroll.locked:
        raise ValidationError(_("This payroll is approved: it can no longer be changed."))


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
        # The payroll row stays locked until the lines are committed: nobody can delete it or
        # change it meanwhile (on PostgreSQL the lines' payroll is checked once per statement,
        # not by a foreign key's row locks: ADR 0012).
        list(Payroll.objects.select_for_update().filter(pk=payroll.pk).values_list("pk"))
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
