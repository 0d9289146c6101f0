"""The REST API (django-ninja). OpenAPI at /api/docs. Same scopes and services as the UI."""

# No `from __future__ import annotations`: django-ninja builds its query models from these
# annotations at import time and must see the bounded types themselves.
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Query, Status
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import paginate

from ansinh.accounts.scopes import Scope
from ansinh.api.auth import TokenAuth
from ansinh.api.schemas import (
    ErrorOut,
    HouseholdDetailOut,
    HouseholdIn,
    HouseholdOut,
    HouseholdPatch,
    PersonIn,
    PersonOut,
    PersonPatch,
)
from ansinh.assistance.api import router as assistance_router
from ansinh.core.api import BoundedLimitOffsetPagination, DbId
from ansinh.registry import selectors, services
from ansinh.registry.validation import PersonData

api = NinjaAPI(
    title="ansinh API",
    version="1",
    description=(
        "Household registry of a commune. Authenticate with `Authorization: Bearer <token>`."
    ),
    auth=TokenAuth(),
    urls_namespace="api",
)

api.add_router("/assistance", assistance_router)

# Query texts are bounded like the forms (a search of 1 MB is a 422, not a slow query).
Word = Annotated[str, Field(max_length=100)]


def _scope(request: HttpRequest) -> Scope:
    scope: Scope = request.scope  # type: ignore[attr-defined]
    return scope


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(
        request, {"detail": _("The data is not valid."), "errors": errors}, status=422
    )


@api.exception_handler(NinjaValidationError)
def on_schema_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [str(x) for x in err.get("loc", []) if x not in ("body", "payload", "query")]
        errors.setdefault(".".join(loc) or "__all__", []).append(str(err.get("msg", "")))
    return api.create_response(
        request, {"detail": _("The data is not valid."), "errors": errors}, status=422
    )


@api.exception_handler(PermissionDenied)
def on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(
        request, {"detail": str(exc) or _("Not allowed."), "errors": {}}, status=403
    )


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": _("Not found."), "errors": {}}, status=404)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, {"detail": _("A valid API token is required."), "errors": {}}, status=401
    )


def _require_edit(scope: Scope) -> None:
    if not scope.can_edit:
        raise PermissionDenied(_("Your role cannot change the registry."))


@api.get("/households", response=list[HouseholdOut], tags=["households"])
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


@api.get(
    "/households/{household_id}",
    response={200: HouseholdDetailOut, 404: ErrorOut},
    tags=["households"],
)
def get_household(request: HttpRequest, household_id: DbId) -> Any:
    household = selectors.household_get(_scope(request), household_id)
    return household


@api.post(
    "/households",
    response={201: HouseholdDetailOut, 422: ErrorOut, 403: ErrorOut},
    tags=["households"],
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


@api.patch(
    "/households/{household_id}",
    response={200: HouseholdOut, 422: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    tags=["households"],
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


@api.get("/persons", response=list[PersonOut], tags=["persons"])
@paginate(BoundedLimitOffsetPagination)
def list_persons(
    request: HttpRequest,
    q: Word = "",
    village_id: DbId | None = None,
    life_status: Word | None = None,
) -> Any:
    qs = selectors.person_search(_scope(request), q, village_id=village_id, status=life_status)
    return qs


@api.get("/persons/{person_id}", response={200: PersonOut, 404: ErrorOut}, tags=["persons"])
def get_person(request: HttpRequest, person_id: DbId) -> Any:
    return selectors.person_get(_scope(request), person_id)


@api.post(
    "/households/{household_id}/persons",
    response={201: PersonOut, 422: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    tags=["persons"],
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


@api.patch(
    "/persons/{person_id}",
    response={200: PersonOut, 422: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    tags=["persons"],
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
