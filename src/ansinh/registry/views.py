"""Registry pages. Reads through selectors, writes through services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ansinh.accounts.choices import Role
from ansinh.accounts.decorators import scoped
from ansinh.accounts.scopes import Scope
from ansinh.core.audit import record_export
from ansinh.core.backups import backup_status
from ansinh.core.identifiers import IdentifierError, validate_cccd
from ansinh.core.reveal import reveal_response
from ansinh.core.web import date_param, form_action, int_param, page_of, post_action
from ansinh.registry import display, selectors, services
from ansinh.registry.choices import (
    EventKind,
    HouseholdStatus,
    LifeStatus,
    ProposalKind,
    Sex,
)
from ansinh.registry.exports import households_export
from ansinh.registry.forms import (
    ChangeHeadForm,
    HouseholdForm,
    JoinForm,
    LeaveForm,
    PersonForm,
    PersonFormSet,
    RejectForm,
    SplitForm,
)
from ansinh.registry.validation import PersonData, clean_person, clean_phone, identifier_message

#: A search counts at most this many rows (+ 1): a broad search stays fast.
SEARCH_COUNT_CAP = 1000


@scoped()
def home(request: HttpRequest, scope: Scope) -> HttpResponse:
    villages = selectors.villages_for(scope).annotate(
        household_count=Count(
            "households", filter=Q(households__status=HouseholdStatus.ACTIVE), distinct=True
        ),
    )
    person_counts = dict(
        selectors.persons_for(scope)
        .filter(life_status=LifeStatus.LIVING)
        .values_list("village_id")
        .annotate(n=Count("id"))
        .values_list("village_id", "n")
    )
    rows = [
        {"village": v, "households": v.household_count, "persons": person_counts.get(v.id, 0)}
        for v in villages
    ]
    return render(
        request,
        "registry/home.html",
        {
            "rows": rows,
            "total_households": sum(r["households"] for r in rows),
            "total_persons": sum(r["persons"] for r in rows),
            "pending_proposals": selectors.proposals_for(scope, pending_only=True).count(),
            # The officer looks after the installation: the newest backup (a folder read).
            "backup": backup_status() if scope.role == Role.OFFICER else None,
        },
    )


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
        page = page_of(request, households)
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
    return render(
        request,
        "registry/household_detail.html",
        {
            "household": household,
            "members": members,
            "living": [m for m in members if m.life_status == LifeStatus.LIVING],
            "events": selectors.household_events(household)[:100],
            "history": display.history_rows(selectors.household_history(household)[:200]),
            "proposals": selectors.proposals_for(scope).filter(household=household)[:20],
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


@scoped()
def person_create(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    household = selectors.household_get(scope, pk)
    if not (scope.can_edit or scope.can_propose):
        raise PermissionDenied
    form = PersonForm(request.POST or None)
    join = JoinForm(request.POST or None)

    def add() -> str:
        """Add the member (the officer) or propose it (a village head); what to say."""
        if scope.can_edit:
            services.person_add(
                scope=scope,
                household=household,
                data=form.person_data(),
                event_kind=join.cleaned_data["event_kind"],
                event_date=join.cleaned_data["event_date"],
                place=join.cleaned_data["place"],
                confirm_duplicate=form.cleaned_data["confirm_duplicate"],
            )
            return _("Member added.")
        clean_person(form.person_data())
        payload = _payload(form.person_data())
        payload["event_kind"] = join.cleaned_data["event_kind"]
        if join.cleaned_data["event_date"]:
            payload["event_date"] = join.cleaned_data["event_date"].isoformat()
        services.proposal_submit(
            scope=scope, household=household, kind=ProposalKind.ADD_PERSON, payload=payload
        )
        return _("Your proposal was sent to the commune officer.")

    if done := form_action(request, form, add, also=[join]):
        messages.success(request, done.value)
        return redirect("registry:household_detail", pk=household.pk)
    return render(
        request,
        "registry/person_form.html",
        {"form": form, "join": join, "household": household, "creating": True},
    )


def _payload(data: PersonData) -> dict[str, Any]:
    fields = data.as_model_fields()
    return {
        k: (v.isoformat() if isinstance(v, dt.date) else v)
        for k, v in fields.items()
        if k not in {"folded_name", "given_key"}
    }


@scoped()
def person_edit(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    person = selectors.person_get(scope, pk)
    if not (scope.can_edit or scope.can_propose):
        raise PermissionDenied
    form = PersonForm(request.POST or None, initial=PersonForm.initial_from(person))

    def change() -> None:
        """Save the change (the officer) or propose what differs (a village head)."""
        if scope.can_edit:
            services.person_update(
                scope=scope,
                person=person,
                data=form.person_data(),
                confirm_duplicate=form.cleaned_data["confirm_duplicate"],
            )
            messages.success(request, _("Saved."))
            return
        data = clean_person(form.person_data())
        before = PersonForm.initial_from(person)
        payload = {k: v for k, v in _payload(data).items() if _plain(before.get(k)) != _plain(v)}
        if not payload:
            messages.info(request, _("Nothing was changed."))
            return
        services.proposal_submit(
            scope=scope,
            household=person.household,
            person=person,
            kind=ProposalKind.UPDATE_PERSON,
            payload=payload,
        )
        messages.success(request, _("Your proposal was sent to the commune officer."))

    if form_action(request, form, change):
        return redirect("registry:household_detail", pk=person.household_id)
    return render(
        request,
        "registry/person_form.html",
        {
            "form": form,
            "person": person,
            "household": person.household,
            "history": display.history_rows(selectors.person_history(person)[:200]),
        },
    )


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value if value is not None else ""


def _leave_view(request: HttpRequest, scope: Scope, pk: int, kind: str) -> HttpResponse:
    person = selectors.person_get(scope, pk)
    if not (scope.can_edit or scope.can_propose):
        raise PermissionDenied
    form = LeaveForm(request.POST or None)

    def leave() -> None:
        """Record the death or the move (the officer) or propose it (a village head)."""
        d = form.cleaned_data
        if scope.can_edit and kind == EventKind.DEATH:
            services.person_record_death(scope=scope, person=person, date=d["date"], note=d["note"])
        elif scope.can_edit:
            services.person_move_out(
                scope=scope, person=person, date=d["date"], place=d["place"], note=d["note"]
            )
        else:
            services.proposal_submit(
                scope=scope,
                household=person.household,
                person=person,
                kind=ProposalKind.RECORD_DEATH
                if kind == EventKind.DEATH
                else ProposalKind.RECORD_MOVE_OUT,
                payload={"date": d["date"].isoformat(), "place": d["place"]},
                note=d["note"],
            )
            messages.success(request, _("Your proposal was sent to the commune officer."))

    if form_action(request, form, leave):
        return redirect("registry:household_detail", pk=person.household_id)
    return render(
        request,
        "registry/person_leave.html",
        {"form": form, "person": person, "kind": kind, "is_death": kind == EventKind.DEATH},
    )


def person_death(request: HttpRequest, pk: int) -> HttpResponse:
    return scoped()(lambda r, s, pk: _leave_view(r, s, pk, EventKind.DEATH))(request, pk=pk)


def person_move_out(request: HttpRequest, pk: int) -> HttpResponse:
    return scoped()(lambda r, s, pk: _leave_view(r, s, pk, EventKind.MOVE_OUT))(request, pk=pk)


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


@scoped()
def proposal_list(request: HttpRequest, scope: Scope) -> HttpResponse:
    proposals = list(selectors.proposals_for(scope)[:200])
    for proposal in proposals:
        proposal.rows = display.payload_rows(  # type: ignore[attr-defined]
            proposal.payload, full=scope.sees_full_identifiers
        )
    return render(
        request,
        "registry/proposal_list.html",
        {"proposals": proposals, "reject_form": RejectForm()},
    )


@require_POST
@scoped(need="can_edit")
def proposal_decide(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    proposal = selectors.proposal_get(scope, pk)
    if request.POST.get("action") == "apply":
        if post_action(request, lambda: services.proposal_apply(scope=scope, proposal=proposal)):
            messages.success(request, _("The change was applied."))
    elif post_action(
        request,
        lambda: services.proposal_reject(
            scope=scope, proposal=proposal, reason=request.POST.get("reason", "")
        ),
    ):
        messages.info(request, _("The proposal was rejected."))
    return redirect("registry:proposal_list")


PERSON_IDENTIFIERS = frozenset({"cccd", "phone", "bank_account_number"})


@require_POST
@scoped()
def person_reveal(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    """One masked identifier of a person in full, for a role that sees them masked; logged.
    A person outside the scope is a 404."""
    person = selectors.person_get(scope, pk)
    field = request.POST.get("field", "")
    if field not in PERSON_IDENTIFIERS:
        raise Http404
    return reveal_response(
        request,
        actor=scope,
        instance=person,
        field=field,
        commune_code=person.commune_id,
        household_id=person.household_id,
        back_url=reverse("registry:household_detail", args=[person.household_id]),
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


@scoped(need="can_see_audit_log")
def audit_log(request: HttpRequest, scope: Scope) -> HttpResponse:
    page = page_of(request, selectors.audit_log(scope), per_page=50)
    rows = display.history_rows(page.object_list)
    return render(request, "registry/audit_log.html", {"page": page, "rows": rows})


@scoped()
def validate_person_field(request: HttpRequest, scope: Scope) -> HttpResponse:
    """htmx inline check of the CCCD (against date of birth and sex) and of the phone."""
    prefix = request.GET.get("prefix", "")
    field = request.GET.get("field", "cccd")
    value = request.GET.get(f"{prefix}{field}", "").strip()
    sex = request.GET.get(f"{prefix}sex", "")
    dob = date_param(request.GET.get(f"{prefix}date_of_birth", ""))
    message = ""
    if value and field == "cccd":
        try:
            validate_cccd(value, date_of_birth=dob, sex=sex if sex in Sex.values else None)
        except IdentifierError as exc:
            message = identifier_message(exc)
    elif value and field == "phone":
        try:
            clean_phone(value)
        except ValidationError as exc:
            message = exc.messages[0]
    return render(
        request,
        "registry/_field_check.html",
        {"message": message, "ok": bool(value) and not message},
    )
