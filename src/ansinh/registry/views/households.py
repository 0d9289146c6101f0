"""Household pages: the list and search, the export, one household, registering, editing,
changing the head, splitting, and revealing its phone."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ansinh.accounts.decorators import scoped
from ansinh.accounts.scopes import Scope
from ansinh.core import figures
from ansinh.core.audit import record_export
from ansinh.core.reveal import reveal_response
from ansinh.core.web import first_of, form_action, int_param, page_of
from ansinh.registry import display, selectors, services
from ansinh.registry.choices import HouseholdStatus, LifeStatus
from ansinh.registry.exports import households_export
from ansinh.registry.forms import ChangeHeadForm, HouseholdForm, PersonFormSet, SplitForm

#: A search counts at most this many rows (+ 1): a broad search stays fast.
SEARCH_COUNT_CAP = 1000


@scoped()
def household_list(request: HttpRequest, scope: Scope) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    village_id = int_param(request.GET.get("village"))
    status = request.GET.get("status") or None
    context: dict[str, Any] = {
        "q": q,
        "villages": selectors.villages_for(scope),
        "village_id": village_id,
        "status": status or "",
        "household_statuses": HouseholdStatus.choices,
        "life_statuses": LifeStatus.choices,
    }
    if q:
        persons = selectors.person_search(
            scope, q, village_id=village_id, status=status if status in LifeStatus.values else None
        )
        page = page_of(request, persons, cap=SEARCH_COUNT_CAP)
        context.update(mode="search", page=page, capped=page.paginator.count > SEARCH_COUNT_CAP)
    else:
        households = selectors.household_list(
            scope,
            village_id=village_id,
            status=status if status in HouseholdStatus.values else None,
        )
        # how many: kept per change of the commune's data (core/figures), not counted per page
        counted = figures.counted(
            scope.commune_code,
            "households-listed",
            households.count,
            village_id,
            status,
            sorted(scope.village_ids) if scope.village_ids is not None else "all",
        )
        page = page_of(request, households, count=counted.value)
        page.object_list = selectors.household_page_details(list(page.object_list))
        context.update(mode="browse", page=page)
    template = (
        "registry/_results.html" if request.htmx else "registry/household_list.html"  # type: ignore[attr-defined]
    )
    return render(request, template, context)


@scoped()
def household_export(request: HttpRequest, scope: Scope) -> HttpResponse:
    village_id = int_param(request.GET.get("village"))
    content, rows = households_export(scope, village_id=village_id)
    record_export(
        actor=scope,
        what="registry.households.xlsx",
        rows=rows,
        commune_code=scope.commune_code,
        object_id=village_id or 0,
        note=f"village {village_id}" if village_id else "",
    )
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="danh-sach-ho.xlsx"'
    return response


@scoped()
def household_detail(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    household = selectors.household_get(scope, pk)
    members = selectors.household_members(household)
    history = first_of(selectors.household_history(household), 200)
    return render(
        request,
        "registry/household_detail.html",
        {
            "household": household,
            "members": members,
            "living": [m for m in members if m.life_status == LifeStatus.LIVING],
            "events": first_of(selectors.household_events(household), 100),
            "history": display.history_rows(history.items),
            "history_total": history.total,
            "proposals": first_of(selectors.household_proposals(scope, household), 20),
        },
    )


@scoped(need="can_edit")
def household_create(request: HttpRequest, scope: Scope) -> HttpResponse:
    villages = selectors.villages_for(scope)
    form = HouseholdForm(request.POST or None, villages=villages)
    formset = PersonFormSet(
        request.POST or None,
        prefix="members",
        initial=None if request.POST else [{"relationship": "head"}],
    )

    def register() -> Any:
        return services.household_register(
            scope=scope,
            village=form.cleaned_data["village"],
            members=formset.person_data(),  # type: ignore[attr-defined]
            address=form.cleaned_data["address"],
            phone=form.cleaned_data["phone"],
            notes=form.cleaned_data["notes"],
            area_type_override=form.cleaned_data["area_type_override"],
            confirm_duplicates=any(f.cleaned_data.get("confirm_duplicate") for f in formset.forms),
        )

    # the service's "members-<i>-<field>" errors go on that member's form
    if done := form_action(request, form, register, also=[formset]):
        household = done.value
        messages.success(request, _("Household %(code)s registered.") % {"code": household.code})
        return redirect("registry:household_detail", pk=household.pk)
    return render(
        request,
        "registry/household_form.html",
        {"form": form, "formset": formset, "creating": True},
    )


@scoped(need="can_edit")
def household_edit(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    household = selectors.household_get(scope, pk)
    initial = {
        "village": household.village,
        "address": household.address,
        "phone": household.phone,
        "notes": household.notes,
        "area_type_override": household.area_type_override,
    }
    form = HouseholdForm(
        request.POST or None, initial=initial, villages=selectors.villages_for(scope)
    )
    if form_action(
        request,
        form,
        lambda: services.household_update(scope=scope, household=household, **form.cleaned_data),
    ):
        messages.success(request, _("Saved."))
        return redirect("registry:household_detail", pk=household.pk)
    return render(request, "registry/household_form.html", {"form": form, "household": household})


@scoped(need="can_edit")
def household_change_head(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    household = selectors.household_get(scope, pk)
    members = household.members.filter(life_status=LifeStatus.LIVING)
    form = ChangeHeadForm(request.POST or None, members=members)
    if form_action(
        request,
        form,
        lambda: services.household_change_head(
            scope=scope, household=household, **form.cleaned_data
        ),
    ):
        messages.success(request, _("The head of household was changed."))
        return redirect("registry:household_detail", pk=household.pk)
    return render(
        request,
        "registry/simple_form.html",
        {"form": form, "household": household, "title": _("Change head of household")},
    )


@scoped(need="can_edit")
def household_split(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    household = selectors.household_get(scope, pk)
    members = household.members.filter(life_status=LifeStatus.LIVING)
    form = SplitForm(
        request.POST or None,
        members=members,
        villages=selectors.villages_for(scope),
        initial={"village": household.village},
    )
    if done := form_action(
        request,
        form,
        lambda: services.household_split(scope=scope, household=household, **form.cleaned_data),
    ):
        new = done.value
        messages.success(request, _("New household %(code)s was created.") % {"code": new.code})
        return redirect("registry:household_detail", pk=new.pk)
    return render(
        request,
        "registry/simple_form.html",
        {"form": form, "household": household, "title": _("Split the household")},
    )


@require_POST
@scoped()
def household_reveal(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    """The household's contact phone in full; logged. Outside the scope: 404."""
    household = selectors.household_get(scope, pk)
    if request.POST.get("field", "") != "phone":
        raise Http404
    return reveal_response(
        request,
        actor=scope,
        instance=household,
        field="phone",
        commune_code=household.commune_id,
        household_id=household.pk,
        back_url=reverse("registry:household_detail", args=[household.pk]),
    )
