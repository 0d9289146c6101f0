"""Writes for health-insurance cards: recording a validity period and correcting one.

:func:`card_register` records one period of a person's card (a renewal is a new period) and
:func:`card_update` corrects a recorded one; both check the numbers (10-digit social insurance
number, 15-character legacy code), the group and the dates, raise ``ValidationError`` with a
message per field, and are atomic and audited. :func:`_ensure_officer` (only officers may change
health-insurance records) is shared with :mod:`ansinh.insurance.services`. The names are
re-exported by :mod:`ansinh.insurance.services`."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ansinh.accounts.permissions import require
from ansinh.accounts.scopes import Scope
from ansinh.core import audit
from ansinh.insurance.choices import CardSource, GroupCode, payer_for
from ansinh.insurance.models import Card
from ansinh.registry.models import Person

CARD_FIELDS = [
    "person",
    "legacy_code",
    "social_insurance_number",
    "cccd",
    "group_code",
    "payer",
    "valid_from",
    "valid_to",
    "paid_on",
    "source",
]
_LEGACY = re.compile(r"^[A-Z]{2}[1-5]\d{2}\d{10}$")


def _ensure_officer(scope: Scope, commune_code: int) -> None:
    require(
        scope,
        commune_code,
        can="edit",
        message=_("Your role cannot change health-insurance records."),
    )


# --- cards ----------------------------------------------------------------------------


@transaction.atomic
def card_register(
    *,
    scope: Scope,
    person: Person,
    group_code: str,
    valid_from: dt.date,
    valid_to: dt.date,
    social_insurance_number: str = "",
    legacy_code: str = "",
    cccd: str = "",
    payer: str = "",
    paid_on: dt.date | None = None,
    source: str = CardSource.ENTERED,
) -> Card:
    """Record one validity period of a person's card (a renewal is a new period)."""
    _ensure_officer(scope, person.commune_id)
    errors: dict[str, list[str]] = {}
    number = re.sub(r"\s", "", social_insurance_number or "")
    legacy = re.sub(r"\s", "", legacy_code or "").upper()
    if number and not re.fullmatch(r"\d{10}", number):
        errors["social_insurance_number"] = [_("A social insurance number has 10 digits.")]
    if legacy and not _LEGACY.match(legacy):
        errors["legacy_code"] = [
            _(
                "A card code has 15 characters: 2 letters, benefit level 1–5, "
                "2-digit province, 10 digits."
            )
        ]
    if not (number or legacy or cccd or person.cccd):
        errors["social_insurance_number"] = [
            _("Enter the social insurance number, the card code or the personal ID.")
        ]
    if group_code not in GroupCode.values:
        errors["group_code"] = [_("Choose the group printed on the card.")]
    if valid_to < valid_from:
        errors["valid_to"] = [_("The card ends before it starts.")]
    if Card.objects.filter(person=person, valid_from=valid_from).exists():
        errors["valid_from"] = [_("This person already has a card starting on this date.")]
    if errors:
        raise ValidationError(errors)
    card = Card.objects.create(
        person=person,
        commune_id=person.commune_id,
        legacy_code=legacy,
        social_insurance_number=number,
        cccd=cccd or person.cccd or "",
        group_code=group_code,
        payer=payer or payer_for(group_code),
        valid_from=valid_from,
        valid_to=valid_to,
        paid_on=paid_on,
        source=source,
    )
    audit.created(
        scope, card, CARD_FIELDS, commune_code=person.commune_id, household_id=person.household_id
    )
    return card


@transaction.atomic
def card_update(
    *,
    scope: Scope,
    card: Card,
    group_code: str,
    valid_to: dt.date,
    social_insurance_number: str = "",
    legacy_code: str = "",
    cccd: str = "",
    paid_on: dt.date | None = None,
    note: str = "",
) -> Card:
    """Correct a recorded period (a corrected card list): its group, end, numbers and the
    day it was paid. An empty number or day keeps what is recorded."""
    _ensure_officer(scope, card.commune_id)
    errors: dict[str, list[str]] = {}
    number = re.sub(r"\s", "", social_insurance_number or "")
    legacy = re.sub(r"\s", "", legacy_code or "").upper()
    if number and not re.fullmatch(r"\d{10}", number):
        errors["social_insurance_number"] = [_("A social insurance number has 10 digits.")]
    if legacy and not _LEGACY.match(legacy):
        errors["legacy_code"] = [
            _(
                "A card code has 15 characters: 2 letters, benefit level 1–5, "
                "2-digit province, 10 digits."
            )
        ]
    if group_code not in GroupCode.values:
        errors["group_code"] = [_("Choose the group printed on the card.")]
    if valid_to < card.valid_from:
        errors["valid_to"] = [_("The card ends before it starts.")]
    if errors:
        raise ValidationError(errors)
    with audit.tracked(
        scope,
        card,
        CARD_FIELDS,
        commune_code=card.commune_id,
        household_id=card.person.household_id,
        note=note,
    ):
        if group_code != card.group_code:
            card.group_code, card.payer = group_code, payer_for(group_code)
        card.valid_to = valid_to
        card.social_insurance_number = number or card.social_insurance_number
        card.legacy_code = legacy or card.legacy_code
        card.cccd = cccd or card.cccd
        card.paid_on = paid_on or card.paid_on
        card.save()
    return card


__all__ = ["CARD_FIELDS", "card_register", "card_update"]
