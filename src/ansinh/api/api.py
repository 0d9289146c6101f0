"""The REST API (django-ninja). OpenAPI at /api/docs. Same scopes and services as the UI.

This module only assembles the API: authentication (``TokenAuth`` sets ``request.scope``), the
answers to errors (all shaped as ``core.api.ErrorOut``) and one router per app, which keeps its
endpoints in its own ``api.py`` (``registry.api``: households and persons;
``assistance.api``: cases and payrolls).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError

from ansinh.api.auth import TokenAuth
from ansinh.assistance.api import router as assistance_router
from ansinh.coordination.api import router as coordination_router
from ansinh.outreach.api import router as outreach_router
from ansinh.policy.api import router as policy_router
from ansinh.registry.api import router as registry_router

api = NinjaAPI(
    title="ansinh API",
    version="1",
    description=(
        "Household registry of a commune. Authenticate with `Authorization: Bearer <token>`."
    ),
    auth=TokenAuth(),
    urls_namespace="api",
)

api.add_router("", registry_router)  # /api/households, /api/persons
api.add_router("/assistance", assistance_router)
api.add_router("/coordination", coordination_router)
api.add_router("/outreach", outreach_router)
api.add_router("/policy", policy_router)


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
