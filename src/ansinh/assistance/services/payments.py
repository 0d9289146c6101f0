"""Payment details of a case, funeral support and the commune's paying account."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.accounts.scopes import Scope
from ansinh.assistance.choices import CaseEventKind, LineStatus, PaymentMethod, PayrollStatus
from ansinh.assistance.models import Case, FuneralClaim, PaymentAccount, PayrollLine
from ansinh.assistance.services.common import _event, ensure_officer
from ansinh.core import audit
from ansinh.core.identifiers import IdentifierError, clean_bank_account
from ansinh.registry.choices import Bank, LifeStatus
from ansinh.rules.allowance import funeral_support

_BIC = re.compile(r"^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$")


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
