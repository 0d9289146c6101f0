"""The REST API (django-ninja). OpenAPI at /api/docs. Same scopes and services as the UI."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Query, Status
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import LimitOffsetPagination, paginate

from ansinh.accounts.decorators import actor_of
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
@paginate(LimitOffsetPagination)
def list_households(
    request: HttpRequest, village_id: int | None = None, status: str | None = None
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
def get_household(request: HttpRequest, household_id: int) -> Any:
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
        actor=actor_of(request),
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
def update_household(request: HttpRequest, household_id: int, payload: HouseholdPatch) -> Any:
    scope = _scope(request)
    household = selectors.household_get(scope, household_id)
    _require_edit(scope)
    village = None
    if payload.village_id is not None:
        village = selectors.villages_for(scope).filter(pk=payload.village_id).first()
        if village is None:
            raise ValidationError({"village_id": [_("Choose a village of your commune.")]})
    services.household_update(
        actor=actor_of(request),
        household=household,
        village=village,
        address=payload.address,
        phone=payload.phone,
        notes=payload.notes,
    )
    return selectors.household_get(scope, household_id)


@api.get("/persons", response=list[PersonOut], tags=["persons"])
@paginate(LimitOffsetPagination)
def list_persons(
    request: HttpRequest,
    q: str = "",
    village_id: int | None = None,
    life_status: str | None = None,
) -> Any:
    qs = selectors.person_search(_scope(request), q, village_id=village_id, status=life_status)
    return qs


@api.get("/persons/{person_id}", response={200: PersonOut, 404: ErrorOut}, tags=["persons"])
def get_person(request: HttpRequest, person_id: int) -> Any:
    return selectors.person_get(_scope(request), person_id)


@api.post(
    "/households/{household_id}/persons",
    response={201: PersonOut, 422: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    tags=["persons"],
)
def create_person(
    request: HttpRequest,
    household_id: int,
    payload: PersonIn,
    event_kind: Query[str] = "move_in",
) -> Any:
    scope = _scope(request)
    household = selectors.household_get(scope, household_id)
    _require_edit(scope)
    person = services.person_add(
        actor=actor_of(request),
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
def update_person(request: HttpRequest, person_id: int, payload: PersonPatch) -> Any:
    scope = _scope(request)
    person = selectors.person_get(scope, person_id)
    _require_edit(scope)
    changes = payload.dict(exclude_unset=True)
    confirm = changes.pop("confirm_duplicate", False)
    data = PersonData.from_person(person).changed(
        {k: v for k, v in changes.items() if v is not None}
    )
    services.person_update(
        actor=actor_of(request),
        person=person,
        data=data,
        confirm_duplicate=confirm,
    )
    return selectors.person_get(scope, person_id)
