"""Village meetings and the public posting of results."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ansinh.accounts.decorators import scoped
from ansinh.accounts.scopes import Scope
from ansinh.core.web import date_param, form_action
from ansinh.poverty import selectors, services
from ansinh.poverty.choices import (
    EntryStatus,
)
from ansinh.poverty.forms import (
    MeetingForm,
)
from ansinh.registry import selectors as registry


@scoped()
def meeting(request: HttpRequest, scope: Scope, pk: int, village_pk: int) -> HttpResponse:
    rnd = selectors.round_get(scope, pk)
    village = registry.village_get(scope, village_pk)
    entries = list(
        selectors.entries_for(scope, rnd).filter(village=village, status=EntryStatus.APPROVED)
    )
    heads = selectors.head_names([e.household_id for e in entries])
    for e in entries:
        e.head_name = heads.get(e.household_id, "")  # type: ignore[attr-defined]
    form = MeetingForm(request.POST or None, entries=entries)
    if done := form_action(
        request,
        form,
        lambda: services.meeting_record(
            scope=scope,
            rnd=rnd,
            village=village,
            held_on=form.cleaned_data["held_on"],
            attendees=form.cleaned_data["attendees"],
            chair=form.cleaned_data["chair"],
            secretary=form.cleaned_data["secretary"],
            agreements=form.agreements(),
        ),
    ):
        back = done.value.entries.filter(status=EntryStatus.RESURVEY).count()
        messages.success(request, _("Meeting recorded."))
        if back:
            messages.warning(
                request,
                _("%(n)s household(s) had less than 50%% agreement and go back to survey.")
                % {"n": back},
            )
        return redirect("poverty:round", rnd.pk)
    return render(
        request,
        "poverty/meeting.html",
        {"round": rnd, "village": village, "entries": entries, "form": form},
    )


@scoped(need="can_edit")
@require_POST
def posting(request: HttpRequest, scope: Scope, pk: int, village_pk: int) -> HttpResponse:
    rnd = selectors.round_get(scope, pk)
    village = registry.village_get(scope, village_pk)
    day = date_param(request.POST.get("posted_on")) or timezone.localdate()
    p = services.posting_record(scope=scope, rnd=rnd, village=village, posted_on=day)
    return redirect("poverty:posting_pdf", p.pk)
