"""Cleaning and checking person and household input, shared by forms, the API and imports.

Every problem is raised as a Django ``ValidationError`` keyed by field, with a message that
says exactly which part is wrong (translated to Vietnamese by the catalogue).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.core.identifiers import (
    IdentifierError,
    clean_bank_account,
    normalize_phone,
    validate_cccd,
)
from ansinh.core.text import fold, given_name_key, normalize_name
from ansinh.registry.choices import Bank, Ethnicity, Relationship, Sex

# The choices' values, computed once (a TextChoices computes its list on every access).
_SEX_VALUES = frozenset(Sex.values)
_RELATIONSHIP_VALUES = frozenset(Relationship.values)
_ETHNICITY_VALUES = frozenset(Ethnicity.values)
_BANK_VALUES = frozenset(Bank.values)
#: What a person's name cannot hold: digits and signs other than . ' - ( ).
_NOT_A_NAME = re.compile(r"[^\w\s.'’()\-]|\d|_")


@dataclass(frozen=True, slots=True)
class PersonData:
    """What a form, the API or an import gives for one person."""

    full_name: str
    date_of_birth: dt.date
    sex: str
    relationship: str
    ethnicity: str = Ethnicity.KINH
    cccd: str = ""
    phone: str = ""
    bank: str = ""
    bank_account_number: str = ""
    bank_account_holder: str = ""

    @classmethod
    def from_person(cls, person: Any) -> PersonData:
        """The person's current values, the starting point of an edit."""
        return cls(
            full_name=person.full_name,
            date_of_birth=person.date_of_birth,
            sex=person.sex,
            relationship=person.relationship,
            ethnicity=person.ethnicity,
            cccd=person.cccd or "",
            phone=person.phone,
            bank=person.bank,
            bank_account_number=person.bank_account_number,
            bank_account_holder=person.bank_account_holder,
        )

    def changed(self, values: dict[str, Any]) -> PersonData:
        """A copy with the given fields replaced (unknown keys ignored, dates parsed)."""
        known = {k: v for k, v in values.items() if k in self.__dataclass_fields__}
        if isinstance(known.get("date_of_birth"), str):
            known["date_of_birth"] = dt.date.fromisoformat(known["date_of_birth"])
        for name in ("cccd", "phone", "bank", "bank_account_number", "bank_account_holder"):
            if name in known and known[name] is None:
                known[name] = ""
        return replace(self, **known)

    def as_model_fields(self) -> dict[str, Any]:
        folded = fold(self.full_name)
        return {
            "full_name": self.full_name,
            "folded_name": folded,
            "given_key": given_name_key(folded),
            "date_of_birth": self.date_of_birth,
            "sex": self.sex,
            "relationship": self.relationship,
            "ethnicity": self.ethnicity,
            "cccd": self.cccd or None,
            "phone": self.phone,
            "bank": self.bank,
            "bank_account_number": self.bank_account_number,
            "bank_account_holder": self.bank_account_holder,
        }


@dataclass
class Problems:
    errors: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def identifier_message(error: IdentifierError) -> str:
    """Translate an identifier error from ``ansinh.core.identifiers``."""
    params = dict(error.params)
    if "sex" in params:
        params["sex"] = str(Sex(params["sex"]).label).lower()
    if "id_sex" in params:
        params["id_sex"] = str(Sex(params["id_sex"]).label).lower()
    return _(error.message) % params if params else _(error.message)


def clean_phone(value: str, field: str = "phone") -> str:
    """A phone in its stored form (E.164, ``normalize_phone``), "" when empty. A bad number is
    a ``ValidationError`` keyed by ``field``, so that a form shows it under that field."""
    if not (value or "").strip():
        return ""
    try:
        return normalize_phone(value)
    except IdentifierError as exc:
        raise ValidationError(
            {field: [ValidationError(identifier_message(exc), code=exc.part)]}
        ) from exc


def clean_person(data: PersonData, *, today: dt.date | None = None) -> PersonData:
    """Normalise and check one person's fields; raise ``ValidationError`` by field."""
    today = today or timezone.localdate()
    problems = Problems()
    name = normalize_name(data.full_name)
    if len(fold(name).split()) < 2:
        problems.add("full_name", _("Enter the full name: family name and given name."))
    elif _NOT_A_NAME.search(name):
        problems.add(
            "full_name",
            _("A name has letters and spaces only (no digits or signs such as = or @)."),
        )
    if data.date_of_birth > today:
        problems.add("date_of_birth", _("The date of birth is in the future."))
    elif data.date_of_birth < dt.date(1900, 1, 1):
        problems.add("date_of_birth", _("The date of birth is before 1900."))
    if data.sex not in _SEX_VALUES:
        problems.add("sex", _("Choose male or female."))
    if data.relationship not in _RELATIONSHIP_VALUES:
        problems.add("relationship", _("Choose the relationship to the head of household."))
    if data.ethnicity not in _ETHNICITY_VALUES:
        problems.add("ethnicity", _("Choose one of the 54 ethnic groups."))

    cccd = ""
    if (data.cccd or "").strip():
        try:
            cccd = validate_cccd(
                data.cccd,
                date_of_birth=data.date_of_birth
                if "date_of_birth" not in problems.errors
                else None,
                sex=data.sex if data.sex in _SEX_VALUES else None,
            )
        except IdentifierError as exc:
            problems.add("cccd", identifier_message(exc))

    phone = ""
    try:
        phone = clean_phone(data.phone)
    except ValidationError as exc:
        problems.add("phone", exc.messages[0])

    holder = normalize_name(data.bank_account_holder) if data.bank_account_holder else ""
    bank, number = data.bank or "", ""
    if bank or (data.bank_account_number or "").strip():
        if bank not in _BANK_VALUES:
            problems.add("bank", _("Choose the bank of this account."))
        try:
            number = clean_bank_account(data.bank_account_number)
        except IdentifierError as exc:
            problems.add("bank_account_number", identifier_message(exc))
        if not holder:
            problems.add("bank_account_holder", _("Enter the account holder's name."))
    problems.raise_if_any()
    return replace(
        data,
        full_name=name,
        cccd=cccd,
        phone=phone,
        bank=bank,
        bank_account_number=number,
        bank_account_holder=fold(holder).upper() if holder else "",
    )
