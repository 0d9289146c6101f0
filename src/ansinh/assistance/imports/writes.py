"""The writes of an allowance import, in the shape of :mod:`ansinh.assistance.services`:
:func:`case_import` records a decided case from a row, :func:`case_import_update` corrects a
recorded one (the decision's fields as an adjustment event, the payment details through
:func:`~ansinh.assistance.services.case_payment_set`). Each checks the caller's scope, runs in
one transaction, dates a case event and audits every change with the file's name.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.accounts.scopes import Scope
from ansinh.assistance import holds
from ansinh.assistance.choices import CaseEventKind, CaseStatus
from ansinh.assistance.imports.columns import Recipient
from ansinh.assistance.imports.matching import case_changes
from ansinh.assistance.models import Case, CaseEvent
from ansinh.assistance.services import CASE_FIELDS, _event, case_payment_set, ensure_officer
from ansinh.core import audit
from ansinh.core.periods import first_of_month
from ansinh.registry.choices import LifeStatus
from ansinh.registry.models import Person

_DECISION_FIELDS = ("groups", "decision_number", "decision_date", "effective_month", "amount")
_PAYMENT_FIELDS = ("payment_method", "bank", "bank_account_number", "bank_account_holder")


@transaction.atomic
def case_import(*, scope: Scope, person: Person, recipient: Recipient, note: str) -> Case:
    """A decided case from an imported list: the file's decision and amount (what was
    decided), the rules' household status, basis and coefficient beside it. The case event and
    the audit entry carry ``note`` (the file's name)."""
    ensure_officer(scope, person.commune_id)
    if person.life_status != LifeStatus.LIVING:
        raise ValidationError(_("This person is not living in the commune."))
    unit = recipient
    engine = unit.engine
    backdated = unit.effective_month < first_of_month(unit.decision_date)
    case = Case(
        person=person,
        household_id=person.household_id,
        commune_id=person.commune_id,
        village_id=person.village_id,
        scheme=unit.scheme,
        groups=unit.groups,
        children=unit.children or 0,
        status=CaseStatus.ACTIVE,
        applied_on=unit.decision_date,
        verified_on=unit.decision_date,
        decision_number=unit.decision_number,
        decision_date=unit.decision_date,
        effective_month=unit.effective_month,
        backdate_reason=note[:300] if backdated else "",
        household_status=engine.get("household", ""),
        basis=(unit.group or unit.scheme)[:40],
        coefficient=engine.get("coefficient", "") if engine.get("amount") == unit.amount else "",
        amount=unit.amount,
        amount_from=unit.effective_month,
        explanation_text=note,
        payment_method=unit.method,
        bank=unit.bank,
        bank_account_number=unit.account_number,
        bank_account_holder=unit.account_holder,
    )
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError as exc:
        raise ValidationError(
            _("This person already receives this scheme (one open case per scheme).")
        ) from exc
    CaseEvent.objects.create(
        case=case,
        kind=CaseEventKind.DECIDED,
        date=unit.decision_date,
        month=unit.effective_month,
        amount=unit.amount,
        note=note[:300],
        actor=scope.user,
    )
    audit.created(
        scope,
        case,
        CASE_FIELDS,
        commune_code=case.commune_id,
        household_id=case.household_id,
        note=note,
    )
    holds.payrolls_touch(case.commune_id)
    return case


@transaction.atomic
def case_import_update(*, scope: Scope, case: Case, recipient: Recipient, note: str) -> Case:
    """A recorded case corrected by an imported list: the decision's fields and the amount
    as an adjustment event, the payment details through :func:`case_payment_set` (the
    payrolls not yet approved follow them)."""
    ensure_officer(scope, case.commune_id)
    changes = case_changes(case, recipient)
    decided = {k: v for k, v in changes.items() if k not in _PAYMENT_FIELDS}
    if decided:
        with _event(
            case,
            CaseEventKind.ADJUSTED,
            scope=scope,
            date=timezone.localdate(),
            month=changes.get("effective_month", case.effective_month),
            note=note,
        ):
            for name, value in decided.items():
                setattr(case, name, value)
            if "amount" in decided or "effective_month" in decided:
                case.amount_from = case.effective_month
            if "groups" in decided:
                case.basis = (recipient.group or recipient.scheme)[:40]
            case.save()
    if set(changes) & set(_PAYMENT_FIELDS):
        case = case_payment_set(
            scope=scope,
            case=case,
            method=recipient.method,
            bank=recipient.bank or case.bank,
            account_number=recipient.account_number or case.bank_account_number,
            account_holder=recipient.account_holder or case.bank_account_holder,
            note=note,
        )
    return case
