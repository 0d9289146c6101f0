"""Endpoints of the household registry: households and persons, read and written (django-ninja
Router).

Mounted by ``ansinh.api.api`` (``api.add_router("", router)``), whose ``TokenAuth`` sets
``request.scope`` and whose exception handlers turn a service's ``ValidationError`` into a 422
and ``PermissionDenied`` into a 403. The same scoped selectors and services as the pages: a
village head sees only the own villages (a household elsewhere is a 404), and a role that sees
identifiers masked on the pages gets them masked here.
"""

# No `from __future__ import annotations`: django-ninja builds its query models from these
# annotations at import time and must see the bounded types themselves.
import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from ansinh.accounts.permissions import require
from ansinh.accounts.scopes import Scope
from ansinh.core.api import BoundedLimitOffsetPagination, DbId, ErrorOut
from ansinh.core.identifiers import mask_identifier
from ansinh.core.web import MAX_DATE, MIN_DATE
from ansinh.registry import selectors, services
from ansinh.registry.validation import PersonData

router = Router()

# Input texts are bounded like the pages' forms and the model columns: a 10 MB name is a
# 422 with the field's problem, never a database error. Query texts too (a search of 1 MB
# is a 422, not a slow query).
Word = Annotated[str, Field(max_length=100)]
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


def _op(name: str) -> str:
    """The operation id an endpoint had in ``ansinh.api.api``, where it was first written
    (django-ninja names an operation after its module and function); clients generated from
    the OpenAPI schema name their methods after it, so moving the code does not rename it."""
    return f"ansinh_api_api_{name}"


def _scope(request: HttpRequest) -> Scope:
    scope: Scope = request.scope  # type: ignore[attr-defined]
    return scope


def _require_edit(scope: Scope) -> None:
    require(
        scope, scope.commune_code, can="edit", message=_("Your role cannot change the registry.")
    )


def _identifier(value: str | None, field: str, context: Any) -> str | None:
    """In full for a scope that works with identifiers, masked for the others (auditor,
    committee member): the same rule as the pages (``Scope.sees_full_identifiers``)."""
    request = (context or {}).get("request")
    scope = getattr(request, "scope", None)
    if not value or (scope is not None and scope.sees_full_identifiers):
        return value
    return mask_identifier(value, field)


# --- schemas ---------------------------------------------------------------------------------


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
        return selectors.household_members(obj)


# --- households ------------------------------------------------------------------------------


@router.get(
    "/households",
    response=list[HouseholdOut],
    tags=["households"],
    operation_id=_op("list_households"),
)
@paginate(BoundedLimitOffsetPagination)
def list_households(
    request: HttpRequest, village_id: DbId | None = None, status: Word | None = None
) -> Any:
    qs = selectors.households_for(_scope(request)).select_related("village", "village__commune")
    if village_id:
        qs = qs.filter(village_id=village_id)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("code")


@router.get(
    "/households/{household_id}",
    response={200: HouseholdDetailOut, 404: ErrorOut},
    tags=["households"],
    operation_id=_op("get_household"),
)
def get_household(request: HttpRequest, household_id: DbId) -> Any:
    household = selectors.household_get(_scope(request), household_id)
    return household


@router.post(
    "/households",
    response={201: HouseholdDetailOut, 422: ErrorOut, 403: ErrorOut},
    tags=["households"],
    operation_id=_op("create_household"),
)
def create_household(request: HttpRequest, payload: HouseholdIn) -> Any:
    scope = _scope(request)
    _require_edit(scope)
    village = selectors.villages_for(scope).filter(pk=payload.village_id).first()
    if village is None:
        raise ValidationError({"village_id": [_("Choose a village of your commune.")]})
    household = services.household_register(
        scope=scope,
        village=village,
        members=[PersonData(**m.dict()) for m in payload.members],
        address=payload.address,
        phone=payload.phone,
        notes=payload.notes,
        confirm_duplicates=payload.confirm_duplicates,
    )
    household = selectors.household_get(scope, household.pk)
    return Status(201, household)


@router.patch(
    "/households/{household_id}",
    response={200: HouseholdOut, 422: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    tags=["households"],
    operation_id=_op("update_household"),
)
def update_household(request: HttpRequest, household_id: DbId, payload: HouseholdPatch) -> Any:
    scope = _scope(request)
    household = selectors.household_get(scope, household_id)
    _require_edit(scope)
    village = None
    if payload.village_id is not None:
        village = selectors.villages_for(scope).filter(pk=payload.village_id).first()
        if village is None:
            raise ValidationError({"village_id": [_("Choose a village of your commune.")]})
    services.household_update(
        scope=scope,
        household=household,
        village=village,
        address=payload.address,
        phone=payload.phone,
        notes=payload.notes,
    )
    return selectors.household_get(scope, household_id)


# --- persons ---------------------------------------------------------------------------------


@router.get(
    "/persons", response=list[PersonOut], tags=["persons"], operation_id=_op("list_persons")
)
@paginate(BoundedLimitOffsetPagination)
def list_persons(
    request: HttpRequest,
    q: Word = "",
    village_id: DbId | None = None,
    life_status: Word | None = None,
) -> Any:
    qs = selectors.person_search(_scope(request), q, village_id=village_id, status=life_status)
    return qs


@router.get(
    "/persons/{person_id}",
    response={200: PersonOut, 404: ErrorOut},
    tags=["persons"],
    operation_id=_op("get_person"),
)
def get_person(request: HttpRequest, person_id: DbId) -> Any:
    return selectors.person_get(_scope(request), person_id)


@router.post(
    "/households/{household_id}/persons",
    response={201: PersonOut, 422: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    tags=["persons"],
    operation_id=_op("create_person"),
)
def create_person(
    request: HttpRequest,
    household_id: DbId,
    payload: PersonIn,
    event_kind: Annotated[str, Query(max_length=100)] = "move_in",
) -> Any:
    scope = _scope(request)
    household = selectors.household_get(scope, household_id)
    _require_edit(scope)
    person = services.person_add(
        scope=scope,
        household=household,
        data=PersonData(**payload.dict()),
        event_kind=event_kind,
    )
    return Status(201, selectors.person_get(scope, person.pk))


@router.patch(
    "/persons/{person_id}",
    response={200: PersonOut, 422: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    tags=["persons"],
    operation_id=_op("update_person"),
)
def update_person(request: HttpRequest, person_id: DbId, payload: PersonPatch) -> Any:
    scope = _scope(request)
    person = selectors.person_get(scope, person_id)
    _require_edit(scope)
    changes = payload.dict(exclude_unset=True)
    confirm = changes.pop("confirm_duplicate", False)
    data = PersonData.from_person(person).changed(
        {k: v for k, v in changes.items() if v is not None}
    )
    services.person_update(
        scope=scope,
        person=person,
        data=data,
        confirm_duplicate=confirm,
    )
    return selectors.person_get(scope, person_id)
