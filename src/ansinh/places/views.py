"""Villages of the commune: listed for everyone in the commune, managed by the officer.

Villages are not personal data; the page lives in ``places`` but needs the signed-in user's
commune, so it takes the user directly rather than a registry scope.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ansinh.places import services
from ansinh.places.forms import VillageForm
from ansinh.places.models import Commune, Village


def _commune(request: HttpRequest) -> Commune:
    commune = getattr(request.user, "commune", None)
    if commune is None:
        raise PermissionDenied
    return commune


def _is_officer(request: HttpRequest) -> bool:
    return getattr(request.user, "role", "") == "officer"


@login_required
def village_list(request: HttpRequest) -> HttpResponse:
    commune = _commune(request)
    form = VillageForm(request.POST or None)
    if request.method == "POST":
        if not _is_officer(request):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.village_create(actor=request.user, commune=commune, **form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                messages.success(request, _("Village added."))
                return redirect("places:village_list")
    villages = Village.objects.filter(commune=commune).order_by("name")
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
    village = Village.objects.filter(commune=commune, pk=pk).first()
    if village is None:
        raise Http404
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
    if request.method == "POST" and form.is_valid():
        try:
            services.village_update(
                actor=request.user,
                village=village,
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                area_type_override=form.cleaned_data["area_type_override"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("places:village_list")
    return render(request, "places/village_form.html", {"form": form, "village": village})
