"""Writes for allowance cases: apply, verify, decide, adjust, suspend, resume, stop, transfer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.accounts.scopes import Scope
from ansinh.assistance import holds
from ansinh.assistance.choices import CaseEventKind, CaseStatus, PaymentMethod, Scheme, StopReason
from ansinh.assistance.entitlement import CaseInput, compute_one, household_statuses
from ansinh.assistance.models import Case, CaseEvent
from ansinh.assistance.services.common import CASE_FIELDS, _event, _need_status, ensure_officer
from ansinh.core import audit
from ansinh.core.periods import first_of_month, next_month
from ansinh.registry.choices import LifeStatus
from ansinh.registry.models import Person
from ansinh.rules.allowance import GROUP_CODES


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
    payment_method: str | None = None,
) -> Case:
    """Record an application. Paid through the bank account on the person's record when there
    is one (unless ``payment_method`` says cash), else in cash."""
    ensure_officer(scope, person.commune_id)
    if scheme not in Scheme.values:
        raise ValidationError({"scheme": [_("Choose a scheme.")]})
    if person.life_status != LifeStatus.LIVING:
        raise ValidationError(_("This person is not living in the commune."))
    if payment_method is None:
        payment_method = PaymentMethod.BANK if person.bank else PaymentMethod.CASH
    if payment_method not in PaymentMethod.values:
        raise ValidationError({"payment_method": [_("Choose bank or cash.")]})
    if payment_method == PaymentMethod.BANK and not person.bank:
        raise ValidationError(
            {
                "payment_method": [
                    _(
                        "This person has no bank account on record: add it to the person's "
                        "record first, or choose cash."
                    )
                ]
            }
        )
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
        payment_method=payment_method,
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
