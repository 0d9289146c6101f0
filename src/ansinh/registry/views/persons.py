"""Person pages: adding a member, editing, recording a death or a move (a village head
proposes each of them), revealing an identifier, and the inline field check."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ansinh.accounts.decorators import scoped
from ansinh.accounts.scopes import Scope
from ansinh.core.identifiers import IdentifierError, validate_cccd
from ansinh.core.reveal import reveal_response
from ansinh.core.web import date_param, first_of, form_action
from ansinh.registry import display, selectors, services
from ansinh.registry.choices import EventKind, ProposalKind, Sex
from ansinh.registry.forms import JoinForm, LeaveForm, PersonForm
from ansinh.registry.validation import PersonData, clean_person, clean_phone, identifier_message


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
    history = first_of(selectors.person_history(person), 200)
    return render(
        request,
        "registry/person_form.html",
        {
            "form": form,
            "person": person,
            "household": person.household,
            "history": display.history_rows(history.items),
            "history_total": history.total,
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
