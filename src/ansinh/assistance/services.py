"""Writes for allowance cases: apply, verify, decide, adjust, suspend, resume, stop, transfer,
payment details, funeral support. Payroll writes live in :mod:`ansinh.assistance.payroll`."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.accounts.permissions import require
from ansinh.accounts.scopes import Scope
from ansinh.assistance import holds
from ansinh.assistance.choices import (
    CaseEventKind,
    CaseStatus,
    LineStatus,
    PaymentMethod,
    PayrollStatus,
    Scheme,
    StopReason,
)
from ansinh.assistance.entitlement import CaseInput, compute_one, household_statuses
from ansinh.assistance.models import (
    Case,
    CaseEvent,
    FuneralClaim,
    PaymentAccount,
    PayrollLine,
)
from ansinh.core import audit
from ansinh.core.identifiers import IdentifierError, clean_bank_account
from ansinh.core.periods import first_of_month, next_month
from ansinh.registry.choices import Bank, LifeStatus
from ansinh.registry.models import Person
from ansinh.rules.allowance import GROUP_CODES, funeral_support

CASE_FIELDS = [
    "scheme",
    "groups",
    "children",
    "pension",
    "status",
    "applied_on",
    "documents",
    "verified_on",
    "decision_number",
    "decision_date",
    "decision_signer",
    "effective_month",
    "backdate_reason",
    "basis",
    "coefficient",
    "amount",
    "amount_from",
    "payment_method",
    "bank",
    "bank_account_number",
    "stop_reason",
    "end_month",
    "transferred_to",
]


def ensure_officer(scope: Scope, commune_code: int) -> None:
    """Only the commune's officer (or the system) writes allowance cases and payrolls."""
    require(
        scope,
        commune_code,
        can="edit",
        message=_("Only the commune officer can change allowance cases."),
    )


@contextmanager
def _event(
    case: Case,
    kind: str,
    *,
    scope: Scope,
    date: dt.date,
    month: dt.date | None = None,
    note: str = "",
) -> Iterator[audit.Tracked]:
    """A change of ``case`` in the block, as a dated event: the event (its amount and note as
    the block leaves them; the block may set ``.note``) and the audited change of the case's
    fields (noted with the event's kind if there is no note). A decided case's payrolls are
    then checked again."""
    with audit.tracked(
        scope,
        case,
        CASE_FIELDS,
        note=note,
        commune_code=case.commune_id,
        household_id=case.household_id,
    ) as change:
        yield change
        CaseEvent.objects.create(
            case=case,
            kind=kind,
            date=date,
            month=month,
            amount=case.amount,
            note=change.note[:300],
            actor=scope.user,
        )
        change.note = change.note or str(CaseEventKind(kind).label)
    if case.effective_month is not None:  # a decided case: its payments may change
        holds.payrolls_touch(case.commune_id)


def _need_status(case: Case, *allowed: str) -> None:
    if case.status not in allowed:
        raise ValidationError(
            _("This case is %(status)s: the action is not possible.")
            % {"status": case.get_status_display()}
        )


def _case_input(case: Case, month: dt.date) -> CaseInput:
    status = household_statuses([case.household_id], month)[case.household_id]
    return CaseInput(
        key=case.pk or 0,
        scheme=case.scheme,
        groups=list(case.groups or []),
        date_of_birth=case.person.date_of_birth,
        household=status,
        children=case.children,
        pension=case.pension,
    )


def _province(case: Case) -> int | None:
    return case.commune.province_id


def _apply_entitlement(case: Case, month: dt.date) -> None:
    row, explanation, sentence = compute_one(_case_input(case, month), month, _province(case))
    if row["scheme"] != case.scheme or not row["amount"]:
        raise ValidationError(
            _("The rules give no %(scheme)s for this person in %(month)s: %(why)s")
            % {"scheme": case.get_scheme_display(), "month": f"{month:%m/%Y}", "why": sentence}
        )
    case.household_status = row["household"]
    case.basis = row["basis"] or ""
    case.coefficient = row["coefficient"] or ""
    case.amount = int(row["amount"])
    case.amount_from = month
    case.explanation = explanation
    case.explanation_text = sentence


def _clean_groups(scheme: str, groups: Sequence[str]) -> list[str]:
    unknown = set(groups) - set(GROUP_CODES)
    if unknown:
        raise ValidationError({"groups": [_("Unknown group.")]})
    if scheme == Scheme.SOCIAL_ASSISTANCE and not groups:
        raise ValidationError({"groups": [_("Choose at least one group.")]})
    return [g for g in GROUP_CODES if g in groups]


@transaction.atomic
def case_apply(
    *,
    scope: Scope,
    person: Person,
    scheme: str,
    applied_on: dt.date,
    groups: Sequence[str] = (),
    documents: str = "",
    children: int = 0,
    pension: int = 0,
) -> Case:
    """Record an application; the bank account on the person's record is used if present."""
    ensure_officer(scope, person.commune_id)
    if scheme not in Scheme.values:
        raise ValidationError({"scheme": [_("Choose a scheme.")]})
    if person.life_status != LifeStatus.LIVING:
        raise ValidationError(_("This person is not living in the commune."))
    case = Case(
        person=person,
        household_id=person.household_id,
        commune_id=person.commune_id,
        village_id=person.village_id,
        scheme=scheme,
        groups=_clean_groups(scheme, groups),
        applied_on=applied_on,
        documents=documents,
        children=children,
        pension=pension,
        payment_method=PaymentMethod.BANK if person.bank else PaymentMethod.CASH,
        bank=person.bank,
        bank_account_number=person.bank_account_number,
        bank_account_holder=person.bank_account_holder,
    )
    case.save()
    CaseEvent.objects.create(
        case=case,
        kind=CaseEventKind.APPLIED,
        date=applied_on,
        note=documents[:300],
        actor=scope.user,
    )
    audit.created(
        scope, case, CASE_FIELDS, commune_code=case.commune_id, household_id=case.household_id
    )
    return case


@transaction.atomic
def case_verify(*, scope: Scope, case: Case, verified_on: dt.date, note: str = "") -> Case:
    ensure_officer(scope, case.commune_id)
    _need_status(case, CaseStatus.APPLIED)
    with _event(case, CaseEventKind.VERIFIED, scope=scope, date=verified_on, note=note):
        case.status = CaseStatus.VERIFIED
        case.verified_on = verified_on
        case.save()
    return case


@transaction.atomic
def case_decide(
    *,
    scope: Scope,
    case: Case,
    decision_number: str,
    decision_date: dt.date,
    signer: str,
    effective_month: dt.date | None = None,
    backdate_reason: str = "",
) -> Case:
    """The chairman's decision: paid from the month of signature (earlier only with a reason;
    the months in between are paid as arrears). Amount and explanation from the rules engine."""
    ensure_officer(scope, case.commune_id)
    _need_status(case, CaseStatus.VERIFIED)
    signed_month = first_of_month(decision_date)
    month = first_of_month(effective_month) if effective_month else signed_month
    errors: dict[str, list[str]] = {}
    if not decision_number.strip():
        errors["decision_number"] = [_("Enter the decision number.")]
    if not signer.strip():
        errors["signer"] = [_("Enter who signed the decision.")]
    if month > signed_month:
        errors["effective_month"] = [_("Payment cannot start after the month of signature.")]
    if month < signed_month and not backdate_reason.strip():
        errors["backdate_reason"] = [_("Give the reason for starting before the signature.")]
    if errors:
        raise ValidationError(errors)
    with _event(
        case, CaseEventKind.DECIDED, scope=scope, date=decision_date, month=month
    ) as change:
        _apply_entitlement(case, month)
        case.decision_number = decision_number.strip()
        case.decision_date = decision_date
        case.decision_signer = signer.strip()
        case.effective_month = month
        case.backdate_reason = backdate_reason.strip()
        case.status = CaseStatus.ACTIVE
        try:
            with transaction.atomic():
                case.save()
        except IntegrityError as exc:
            raise ValidationError(
                _("This person already receives this scheme (one open case per scheme).")
            ) from exc
        change.note = case.explanation_text
    return case


@transaction.atomic
def case_adjust(
    *,
    scope: Scope,
    case: Case,
    from_month: dt.date,
    groups: Sequence[str] | None = None,
    children: int | None = None,
    pension: int | None = None,
    note: str = "",
) -> Case:
    """Recompute the amount from ``from_month`` (age band, household status, new facts).
    Months already paid at another amount get an adjustment line in the next payroll."""
    ensure_officer(scope, case.commune_id)
    _need_status(case, CaseStatus.ACTIVE, CaseStatus.SUSPENDED)
    month = max(first_of_month(from_month), case.effective_month or from_month)
    with _event(
        case, CaseEventKind.ADJUSTED, scope=scope, date=timezone.localdate(), month=month
    ) as change:
        if groups is not None:
            case.groups = _clean_groups(case.scheme, groups)
        if children is not None:
            case.children = children
        if pension is not None:
            case.pension = pension
        _apply_entitlement(case, month)
        case.save()
        change.note = note or case.explanation_text
    return case


@transaction.atomic
def case_suspend(*, scope: Scope, case: Case, on: dt.date, note: str) -> Case:
    ensure_officer(scope, case.commune_id)
    _need_status(case, CaseStatus.ACTIVE)
    if not note.strip():
        raise ValidationError({"note": [_("Give the reason.")]})
    with _event(
        case, CaseEventKind.SUSPENDED, scope=scope, date=on, month=first_of_month(on), note=note
    ):
        case.status = CaseStatus.SUSPENDED
        case.save()
    return case


@transaction.atomic
def case_resume(*, scope: Scope, case: Case, on: dt.date, note: str = "") -> Case:
    ensure_officer(scope, case.commune_id)
    _need_status(case, CaseStatus.SUSPENDED)
    with _event(
        case, CaseEventKind.RESUMED, scope=scope, date=on, month=first_of_month(on), note=note
    ):
        case.status = CaseStatus.ACTIVE
        case.save()
    return case


@transaction.atomic
def case_stop(
    *, scope: Scope, case: Case, reason: str, event_date: dt.date, note: str = ""
) -> Case:
    """Stop from the month after the event (death, move, no longer eligible)."""
    ensure_officer(scope, case.commune_id)
    _need_status(case, CaseStatus.ACTIVE, CaseStatus.SUSPENDED)
    if reason not in StopReason.values:
        raise ValidationError({"reason": [_("Choose a reason.")]})
    end_month = next_month(first_of_month(event_date))
    with _event(
        case,
        CaseEventKind.STOPPED,
        scope=scope,
        date=event_date,
        month=end_month,
        note=note or str(StopReason(reason).label),
    ):
        case.status = CaseStatus.STOPPED
        case.stop_reason = reason
        case.stop_note = note[:300]
        case.end_month = end_month
        case.save()
    holds.case_ended(case, event_date=event_date)
    return case


@transaction.atomic
def case_transfer(
    *, scope: Scope, case: Case, to: str, event_date: dt.date, note: str = ""
) -> Case:
    """The person moves to another commune: paid here until the month of the move; the file is
    forwarded and the new commune decides."""
    ensure_officer(scope, case.commune_id)
    _need_status(case, CaseStatus.ACTIVE, CaseStatus.SUSPENDED)
    if not to.strip():
        raise ValidationError({"to": [_("Enter the new commune.")]})
    end_month = next_month(first_of_month(event_date))
    with _event(
        case,
        CaseEventKind.TRANSFERRED,
        scope=scope,
        date=event_date,
        month=end_month,
        note=note or to,
    ):
        case.status = CaseStatus.TRANSFERRED
        case.transferred_to = to.strip()
        case.stop_reason = StopReason.MOVED
        case.end_month = end_month
        case.save()
    holds.case_ended(case, event_date=event_date)
    return case


@transaction.atomic
def case_payment_set(
    *,
    scope: Scope,
    case: Case,
    method: str,
    bank: str = "",
    account_number: str = "",
    account_holder: str = "",
    note: str = "",
) -> Case:
    ensure_officer(scope, case.commune_id)
    if method == PaymentMethod.BANK:
        try:
            account_number = clean_bank_account(account_number)
        except IdentifierError as exc:
            raise ValidationError({"account_number": [_(exc.message)]}) from exc
        if not bank or not account_holder.strip():
            raise ValidationError({"bank": [_("Bank, account number and holder are needed.")]})
    elif method != PaymentMethod.CASH:
        raise ValidationError({"method": [_("Choose bank or cash.")]})
    with _event(
        case,
        CaseEventKind.PAYMENT,
        scope=scope,
        date=timezone.localdate(),
        note=note or str(PaymentMethod(method).label),
    ):
        if method == PaymentMethod.BANK:
            case.bank, case.bank_account_number = bank, account_number
            case.bank_account_holder = account_holder.strip()
        case.payment_method = method
        case.save()
        # lines of payrolls not yet approved follow the new payment details
        bank_now = method == PaymentMethod.BANK
        PayrollLine.objects.filter(
            case=case,
            status=LineStatus.PENDING,
            payroll__status__in=[PayrollStatus.DRAFT, PayrollStatus.PREPARED],
        ).update(
            method=method,
            bank=case.bank if bank_now else "",
            account_number=case.bank_account_number if bank_now else "",
            account_holder=case.bank_account_holder if bank_now else "",
        )
    return case


@transaction.atomic
def funeral_claim_record(
    *,
    scope: Scope,
    case: Case,
    claimant_name: str,
    claimed_on: dt.date,
    claimant_relationship: str = "",
) -> FuneralClaim:
    """Funeral support for a deceased recipient, amount from the rules engine; once per
    person (a database constraint)."""
    ensure_officer(scope, case.commune_id)
    person = case.person
    if person.life_status != LifeStatus.DECEASED or person.status_date is None:
        raise ValidationError(_("Record the death in the registry first."))
    if not claimant_name.strip():
        raise ValidationError({"claimant_name": [_("Enter who claims.")]})
    if FuneralClaim.objects.filter(person=person).exists():
        raise ValidationError(_("Funeral support has already been granted for this person."))
    claim = FuneralClaim(
        person=person,
        case=case,
        commune_id=case.commune_id,
        claimant_name=claimant_name.strip(),
        claimant_relationship=claimant_relationship,
        death_date=person.status_date,
        claimed_on=claimed_on,
        amount=funeral_support(person.status_date, case.commune.province_id),
        created_by=scope.user,
    )
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError as exc:
        raise ValidationError(
            _("Funeral support has already been granted for this person.")
        ) from exc
    audit.created(
        scope,
        claim,
        ["claimant_name", "amount", "death_date"],
        commune_code=case.commune_id,
        household_id=case.household_id,
    )
    return claim


_BIC = re.compile(r"^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$")


@transaction.atomic
def payment_account_set(
    *,
    scope: Scope,
    commune_code: int,
    holder: str,
    bank: str,
    account_number: str,
    bic: str = "",
) -> PaymentAccount:
    """The account the commune pays from: the debtor of every bank file."""
    ensure_officer(scope, commune_code)
    errors: dict[str, list[str]] = {}
    try:
        account_number = clean_bank_account(account_number)
    except IdentifierError as exc:
        errors["account_number"] = [_(exc.message)]
    bic = re.sub(r"\s", "", bic or "").upper()
    if bic and not _BIC.match(bic):
        errors["bic"] = [_("A BIC/SWIFT code has 8 or 11 letters and digits, e.g. VBAAVNVX.")]
    if not holder.strip():
        errors["holder"] = [_("Enter the account holder, as the bank knows it.")]
    if bank not in Bank.values:
        errors["bank"] = [_("Choose the bank.")]
    if errors:
        raise ValidationError(errors)
    fields = ["holder", "bank", "account_number", "bic"]
    account = PaymentAccount.objects.filter(commune_id=commune_code).first() or PaymentAccount(
        commune_id=commune_code
    )
    with audit.tracked(scope, account, fields, commune_code=commune_code):
        account.holder, account.bank = holder.strip()[:140], bank
        account.account_number, account.bic = account_number, bic
        account.updated_by = scope.user
        account.save()
    return account
