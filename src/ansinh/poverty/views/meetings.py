"""Village meetings and the public posting of results."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.accounts.decorators import scoped
from ansinh.accounts.scopes import Scope
from ansinh.core.web import form_action
from ansinh.poverty import documents, selectors, services
from ansinh.poverty.choices import (
    EntryStatus,
)
from ansinh.poverty.forms import (
    MeetingForm,
    PostingForm,
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
def posting(request: HttpRequest, scope: Scope, pk: int, village_pk: int) -> HttpResponse:
    """The public posting of a village's list: the officer types the day it goes up and sees
    the list as it will be printed; "Preview" checks the day and shows the period, "Record"
    stores it (audited) and opens the PDF."""
    rnd = selectors.round_get(scope, pk)
    village = registry.village_get(scope, village_pk)
    today = timezone.localdate()
    form = PostingForm(request.POST or None, initial={"posted_on": today})
    if "preview" in request.POST:
        form_action(
            request,
            form,
            lambda: services.check_posting_date(rnd, form.cleaned_data["posted_on"]),
        )
    elif done := form_action(
        request,
        form,
        lambda: services.posting_record(
            scope=scope, rnd=rnd, village=village, posted_on=form.cleaned_data["posted_on"]
        ),
    ):
        posting = done.value
        messages.success(
            request,
            _("Posting of %(village)s recorded: from %(start)s to %(end)s.")
            % {
                "village": village.name,
                "start": f"{posting.posted_on:%d/%m/%Y}",
                "end": f"{posting.until:%d/%m/%Y}",
            },
        )
        return redirect("poverty:posting_pdf", posting.pk)
    valid = not form.is_bound or not form.errors
    day = form.cleaned_data["posted_on"] if form.is_bound and valid else today
    return render(
        request,
        "poverty/posting.html",
        {
            "round": rnd,
            "village": village,
            "form": form,
            "day": day,
            "valid": valid,
            "sheet": documents.posting_sheet(rnd, village, day),
            "postings": selectors.postings_of(rnd, village.pk),
        },
    )
