from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema


class PersonIn(Schema):
    full_name: str
    date_of_birth: dt.date
    sex: str
    relationship: str
    ethnicity: str = "01"
    cccd: str = ""
    phone: str = ""
    bank: str = ""
    bank_account_number: str = ""
    bank_account_holder: str = ""


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


class HouseholdIn(Schema):
    village_id: int
    address: str = ""
    phone: str = ""
    notes: str = ""
    members: list[PersonIn]
    confirm_duplicates: bool = False


class HouseholdPatch(Schema):
    village_id: int | None = None
    address: str | None = None
    phone: str | None = None
    notes: str | None = None


class PersonPatch(Schema):
    full_name: str | None = None
    date_of_birth: dt.date | None = None
    sex: str | None = None
    relationship: str | None = None
    ethnicity: str | None = None
    cccd: str | None = None
    phone: str | None = None
    bank: str | None = None
    bank_account_number: str | None = None
    bank_account_holder: str | None = None
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


class HouseholdDetailOut(HouseholdOut):
    members: list[PersonOut]

    @staticmethod
    def resolve_members(obj: Any) -> list[Any]:
        from ansinh.registry.selectors import household_members

        return household_members(obj)


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}
