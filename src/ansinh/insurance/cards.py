"""Writes for health-insurance cards: recording a validity period and correcting one.

:func:`card_register` records one period of a person's card (a renewal is a new period) and
:func:`card_update` corrects a recorded one; both check the values with :func:`card_errors`
(10-digit social insurance number, 15-character legacy code, 12-digit personal ID, a number at
all for a new period, the group, the dates), raise ``ValidationError`` with a message per
field, and are atomic and audited. The card import checks each row of a list with the same
:func:`card_errors`, so that no row it lets through is refused when it is written.
:func:`_ensure_officer` (only officers may change health-insurance records) is shared with
:mod:`ansinh.insurance.services`. The names are re-exported by
:mod:`ansinh.insurance.services`."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ansinh.accounts.permissions import require
from ansinh.accounts.scopes import Scope
from ansinh.core import audit
from ansinh.core.identifiers import IdentifierError, clean_cccd, validate_cccd
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
#: The 15-character card code: the group's 2 letters, benefit level 1–5, 2-digit province,
#: 10 digits.
LEGACY_CODE = re.compile(r"^[A-Z]{2}[1-5]\d{2}\d{10}$")
#: A refusal: an English message (a msgid, translated when shown) and its parameters.
Refusal = tuple[str, dict[str, Any]]


def _ensure_officer(scope: Scope, commune_code: int) -> None:
    require(
        scope,
        commune_code,
        can="edit",
        message=_("Your role cannot change health-insurance records."),
    )


def card_errors(
    *,
    group_code: str,
    valid_from: dt.date | None,
    valid_to: dt.date | None,
    social_insurance_number: str = "",
    legacy_code: str = "",
    cccd: str = "",
    new: bool = True,
    holder_cccd: str = "",
) -> dict[str, Refusal]:
    """What :func:`card_register` (``new``) and :func:`card_update` refuse in these values:
    field → :data:`Refusal`; empty when they are good. The one definition of these rules:
    the card import checks each row with it (the fields are its column keys).

    The numbers may hold spaces; a date that is None (a cell that could not be read) is not
    compared. A new period needs a number to find the card by: the social insurance number,
    the card code, or a personal ID, the card's or the one recorded for its holder
    (``holder_cccd``); a correction keeps the recorded numbers."""
    errors: dict[str, Refusal] = {}
    number, legacy = _numbers(social_insurance_number, legacy_code)
    if number and not re.fullmatch(r"\d{10}", number):
        errors["social_insurance_number"] = (
            gettext_noop("A social insurance number has 10 digits."),
            {},
        )
    if legacy and not LEGACY_CODE.match(legacy):
        errors["legacy_code"] = (
            gettext_noop(
                "A card code has 15 characters: 2 letters, benefit level 1–5, "
                "2-digit province, 10 digits."
            ),
            {},
        )
    if cccd:
        try:
            validate_cccd(cccd)
        except IdentifierError as exc:
            errors["cccd"] = (exc.message, dict(exc.params))
    if new and not (number or legacy or cccd or holder_cccd):
        errors["social_insurance_number"] = (
            gettext_noop("Enter the social insurance number, the card code or the personal ID."),
            {},
        )
    if group_code not in GroupCode.values:
        errors["group_code"] = (gettext_noop("Choose the group printed on the card."), {})
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        errors["valid_to"] = (gettext_noop("The card ends before it starts."), {})
    return errors


def _numbers(social_insurance_number: str, legacy_code: str) -> tuple[str, str]:
    """The social insurance number and the card code as stored: no spaces, capitals."""
    number = re.sub(r"\s", "", social_insurance_number or "")
    return number, re.sub(r"\s", "", legacy_code or "").upper()


def _messages(errors: dict[str, Refusal]) -> dict[str, list[str]]:
    """:func:`card_errors` in the reader's language, for a ``ValidationError``."""
    return {
        field: [_(message) % params if params else _(message)]
        for field, (message, params) in errors.items()
    }


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
    errors = _messages(
        card_errors(
            group_code=group_code,
            valid_from=valid_from,
            valid_to=valid_to,
            social_insurance_number=social_insurance_number,
            legacy_code=legacy_code,
            cccd=cccd,
            holder_cccd=person.cccd or "",
        )
    )
    number, legacy = _numbers(social_insurance_number, legacy_code)
    cccd = clean_cccd(cccd)
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
    errors = card_errors(
        group_code=group_code,
        valid_from=card.valid_from,
        valid_to=valid_to,
        social_insurance_number=social_insurance_number,
        legacy_code=legacy_code,
        cccd=cccd,
        new=False,
    )
    if errors:
        raise ValidationError(_messages(errors))
    number, legacy = _numbers(social_insurance_number, legacy_code)
    cccd = clean_cccd(cccd)
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


__all__ = ["CARD_FIELDS", "LEGACY_CODE", "Refusal", "card_errors", "card_register", "card_update"]
