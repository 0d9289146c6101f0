from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Field, Schema

from ansinh.core.api import DbId
from ansinh.core.identifiers import mask_identifier
from ansinh.core.web import MAX_DATE, MIN_DATE

# Input texts are bounded like the pages' forms and the model columns: a 10 MB name is a
# 422 with the field's problem, never a database error.
Name = Annotated[str, Field(max_length=100)]
Day = Annotated[dt.date, Field(ge=MIN_DATE, le=MAX_DATE)]
Code = Annotated[str, Field(max_length=16)]
Ethnicity = Annotated[str, Field(max_length=2)]
Cccd = Annotated[str, Field(max_length=20)]
Phone = Annotated[str, Field(max_length=20)]
Account = Annotated[str, Field(max_length=30)]
Address = Annotated[str, Field(max_length=200)]
Notes = Annotated[str, Field(max_length=2000)]
MAX_MEMBERS = 30


def _identifier(value: str | None, field: str, context: Any) -> str | None:
    """In full for a scope that works with identifiers, masked for the others (auditor,
    committee member): the same rule as the pages (``Scope.sees_full_identifiers``)."""
    request = (context or {}).get("request")
    scope = getattr(request, "scope", None)
    if not value or (scope is not None and scope.sees_full_identifiers):
        return value
    return mask_identifier(value, field)


class PersonIn(Schema):
    full_name: Name
    date_of_birth: Day
    sex: Code
    relationship: Code
    ethnicity: Ethnicity = "01"
    cccd: Cccd = ""
    phone: Phone = ""
    bank: Code = ""
    bank_account_number: Account = ""
    bank_account_holder: Name = ""


class PersonOut(Schema):
    id: int
    household_id: int
    household_code: str = Field(alias="household.code")
    village: str = Field(alias="village.name")
    full_name: str
    date_of_birth: dt.date
    sex: str
    relationship: str
    ethnicity: str
    cccd: str | None
    phone: str
    bank: str
    bank_account_number: str
    bank_account_holder: str
    life_status: str
    status_date: dt.date | None

    @staticmethod
    def resolve_cccd(obj: Any, context: Any) -> str | None:
        return _identifier(obj.cccd, "cccd", context)

    @staticmethod
    def resolve_phone(obj: Any, context: Any) -> str:
        return _identifier(obj.phone, "phone", context) or ""

    @staticmethod
    def resolve_bank_account_number(obj: Any, context: Any) -> str:
        return _identifier(obj.bank_account_number, "bank_account_number", context) or ""


class HouseholdIn(Schema):
    village_id: DbId
    address: Address = ""
    phone: Phone = ""
    notes: Notes = ""
    members: list[PersonIn] = Field(..., max_length=MAX_MEMBERS)
    confirm_duplicates: bool = False


class HouseholdPatch(Schema):
    village_id: DbId | None = None
    address: Address | None = None
    phone: Phone | None = None
    notes: Notes | None = None


class PersonPatch(Schema):
    full_name: Name | None = None
    date_of_birth: Day | None = None
    sex: Code | None = None
    relationship: Code | None = None
    ethnicity: Ethnicity | None = None
    cccd: Cccd | None = None
    phone: Phone | None = None
    bank: Code | None = None
    bank_account_number: Account | None = None
    bank_account_holder: Name | None = None
    confirm_duplicate: bool = False


class HouseholdOut(Schema):
    id: int
    code: str
    village_id: int
    village: str = Field(alias="village.name")
    address: str
    phone: str
    notes: str
    status: str
    area_type: str

    @staticmethod
    def resolve_phone(obj: Any, context: Any) -> str:
        return _identifier(obj.phone, "phone", context) or ""


class HouseholdDetailOut(HouseholdOut):
    members: list[PersonOut]

    @staticmethod
    def resolve_members(obj: Any) -> list[Any]:
        from ansinh.registry.selectors import household_members

        return household_members(obj)


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}
