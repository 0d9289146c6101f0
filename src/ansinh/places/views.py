"""Villages of the commune: listed for everyone in the commune, managed by the officer.

Villages are not personal data; the page lives in ``places`` but needs the signed-in user's
commune, so it takes the user directly rather than a registry scope.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ansinh.core.web import form_action
from ansinh.places import selectors, services
from ansinh.places.forms import VillageForm
from ansinh.places.models import Commune


def _commune(request: HttpRequest) -> Commune:
    commune = getattr(request.user, "commune", None)
    if not isinstance(commune, Commune):
        raise PermissionDenied
    return commune


def _scope(request: HttpRequest) -> Any:
    """The request's ``Scope`` (set by ``ansinh.accounts.middleware.ScopeMiddleware``)."""
    scope = getattr(request, "scope", None)
    if not scope:  # a lazy object: falsy when it holds None (no commune, signed out)
        raise PermissionDenied
    return scope


def _is_officer(request: HttpRequest) -> bool:
    return getattr(request.user, "role", "") == "officer"


@login_required
def village_list(request: HttpRequest) -> HttpResponse:
    commune = _commune(request)
    form = VillageForm(request.POST or None)
    if request.method == "POST" and not _is_officer(request):
        raise PermissionDenied
    if form_action(
        request,
        form,
        lambda: services.village_create(
            scope=_scope(request), commune=commune, **form.cleaned_data
        ),
    ):
        messages.success(request, _("Village added."))
        return redirect("places:village_list")
    villages = selectors.villages_of(commune)
    return render(
        request,
        "places/village_list.html",
        {"villages": villages, "form": form, "commune": commune, "can_edit": _is_officer(request)},
    )


@login_required
def village_edit(request: HttpRequest, pk: int) -> HttpResponse:
    commune = _commune(request)
    if not _is_officer(request):
        raise PermissionDenied
    village = selectors.village_get(commune, pk)
    form = VillageForm(
        request.POST or None,
        initial={
            "name": village.name,
            "kind": village.kind,
            "code": village.code,
            "area_type_override": village.area_type_override,
        },
    )
    form.fields["code"].disabled = True
    if form_action(
        request,
        form,
        lambda: services.village_update(
            scope=_scope(request),
            village=village,
            name=form.cleaned_data["name"],
            kind=form.cleaned_data["kind"],
            area_type_override=form.cleaned_data["area_type_override"],
        ),
    ):
        messages.success(request, _("Saved."))
        return redirect("places:village_list")
    return render(request, "places/village_form.html", {"form": form, "village": village})
