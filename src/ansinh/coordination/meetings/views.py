"""Pages of committee meetings: the list and the new meeting; a meeting's page (its agenda,
the minutes of each item, holding and closing it) and the printed minutes. Village heads see
no meeting (a 404): the decisions about their items are on the item's page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from ansinh.accounts.decorators import scoped
from ansinh.accounts.models import User
from ansinh.accounts.permissions import allows
from ansinh.accounts.scopes import Scope
from ansinh.coordination import selectors as board
from ansinh.coordination.meetings import documents, selectors, services
from ansinh.coordination.meetings.forms import AddItemForm, DecisionForm, MeetingForm
from ansinh.coordination.meetings.models import AgendaEntry, Meeting, MeetingStatus
from ansinh.core.audit import record_export
from ansinh.core.web import form_action, post_action


def _writes(scope: Scope) -> bool:
    return allows(scope, scope.commune_code, "coordinate")


def _reader(scope: Scope) -> None:
    if not selectors.sees_meetings(scope):
        raise Http404


def _people(scope: Scope) -> Any:
    return board.people(scope)


def _assignable(scope: Scope) -> list[User]:
    """Who a follow-up task may go to (read once for every form of the page; the service
    checks that a village head is one of the item's ấp)."""
    return list(board.people(scope))


@scoped()
def meeting_list(request: HttpRequest, scope: Scope) -> HttpResponse:
    _reader(scope)
    context = {"meetings": selectors.meeting_list(scope)[:100], "can_write": _writes(scope)}
    return render(request, "coordination/meetings/list.html", context)


@scoped()
def meeting_new(request: HttpRequest, scope: Scope) -> HttpResponse:
    _reader(scope)
    if not _writes(scope):
        raise PermissionDenied
    initial = {"held_on": timezone.localdate(), "place": _("Commune People's Committee hall")}
    form = MeetingForm(request.POST or None, initial=initial, people=_people(scope))

    def create() -> Meeting:
        d = form.cleaned_data
        return services.meeting_create(
            scope=scope,
            held_on=d["held_on"],
            place=d["place"],
            chair=d["chair"],
            attendees=list(d["attendees"]),
        )

    if done := form_action(request, form, create):
        count = done.value.entries.count()
        messages.success(
            request,
            ngettext(
                "Meeting prepared with %(n)s item of the board on its agenda.",
                "Meeting prepared with %(n)s items of the board on its agenda.",
                count,
            )
            % {"n": count},
        )
        return redirect("coordination:meeting", pk=done.value.pk)
    return render(request, "coordination/meetings/new.html", {"form": form})


@scoped()
def meeting_edit(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get(scope, pk)
    if not _writes(scope) or meeting.status == MeetingStatus.CLOSED:
        raise PermissionDenied
    initial = {
        "held_on": meeting.held_on,
        "place": meeting.place,
        "chair": meeting.chair_id,
        "attendees": [u.pk for u in meeting.attendees.all()],
    }
    form = MeetingForm(request.POST or None, initial=initial, people=_people(scope))

    def save() -> Meeting:
        d = form.cleaned_data
        return services.meeting_update(
            scope=scope,
            meeting=meeting,
            held_on=d["held_on"],
            place=d["place"],
            chair=d["chair"],
            attendees=list(d["attendees"]),
        )

    if form_action(request, form, save):
        messages.success(request, _("Saved."))
        return redirect("coordination:meeting", pk=meeting.pk)
    context = {"form": form, "meeting": meeting}
    return render(request, "coordination/meetings/new.html", context)


def _detail(
    request: HttpRequest, scope: Scope, meeting: Meeting, bound: DecisionForm | None = None
) -> HttpResponse:
    entries = selectors.agenda(meeting)
    writable = _writes(scope) and meeting.status != MeetingStatus.CLOSED
    if writable:
        people = _assignable(scope)
        for entry in entries:
            if bound is not None and bound.prefix == f"e{entry.pk}":
                entry.form = bound  # type: ignore[attr-defined]
                continue
            initial = {"decision": entry.decision}
            entry.form = DecisionForm(  # type: ignore[attr-defined]
                prefix=f"e{entry.pk}", initial=initial, people=people
            )
    draft = writable and meeting.status == MeetingStatus.DRAFT
    context = {
        "meeting": meeting,
        "entries": entries,
        "writable": writable,
        "draft": draft,
        "add_form": AddItemForm(items=selectors.addable_items(scope, meeting)) if draft else None,
        "undecided": sum(1 for e in entries if not e.outcome),
    }
    return render(request, "coordination/meetings/detail.html", context, status=200)


@scoped()
def meeting_detail(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    return _detail(request, scope, selectors.meeting_get(scope, pk))


@require_POST
@scoped()
def entry_decide(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    entry = selectors.entry_get(scope, pk)
    form = DecisionForm(request.POST, prefix=f"e{entry.pk}", people=_assignable(scope))
    postpone = request.POST.get("do") == "postpone"

    def decide() -> AgendaEntry:
        d = form.cleaned_data
        return services.meeting_decide(
            scope=scope,
            entry=entry,
            decision=d["decision"],
            postpone=postpone,
            follow_up_title=d["follow_up_title"],
            assignee=d["assignee"],
            due_date=d["due_date"],
        )

    if done := form_action(request, form, decide):
        messages.success(
            request,
            _("Postponed: it goes to the next meeting when this one is closed.")
            if postpone
            else _("Decision written.")
            + (" " + _("Follow-up task created.") if done.value.follow_up_id else ""),
        )
        url = reverse("coordination:meeting", args=[entry.meeting_id])
        return redirect(f"{url}#entry-{entry.pk}")
    return _detail(request, scope, selectors.meeting_get(scope, entry.meeting_id), form)


@require_POST
@scoped()
def agenda_add(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get(scope, pk)
    form = AddItemForm(request.POST, items=selectors.addable_items(scope, meeting))
    if not form.is_valid():
        messages.error(request, _("Choose an open item of the board."))
    elif post_action(
        request,
        lambda: services.meeting_agenda_add(
            scope=scope, meeting=meeting, item=form.cleaned_data["item"]
        ),
    ):
        messages.success(request, _("Added to the agenda."))
    return redirect("coordination:meeting", pk=meeting.pk)


@require_POST
@scoped()
def entry_change(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    """Move an entry up or down, or take it off the agenda (``do``)."""
    entry = selectors.entry_get(scope, pk)
    do = request.POST.get("do")
    if do == "remove":
        if post_action(request, lambda: services.meeting_agenda_remove(scope=scope, entry=entry)):
            messages.success(request, _("Taken off the agenda."))
    elif do in ("up", "down"):
        post_action(
            request, lambda: services.meeting_agenda_move(scope=scope, entry=entry, up=do == "up")
        )
    else:
        raise Http404
    return redirect("coordination:meeting", pk=entry.meeting_id)


@require_POST
@scoped()
def meeting_step(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    """Hold the meeting, or close its minutes (``do``)."""
    meeting = selectors.meeting_get(scope, pk)
    do = request.POST.get("do")
    if do == "hold":
        if post_action(request, lambda: services.meeting_hold(scope=scope, meeting=meeting)):
            messages.success(request, _("The meeting is held: write the decisions."))
    elif do == "close":
        if done := post_action(
            request, lambda: services.meeting_close(scope=scope, meeting=meeting)
        ):
            _say_closed(request, done.value)
    else:
        raise Http404
    return redirect("coordination:meeting", pk=meeting.pk)


def _say_closed(request: HttpRequest, meeting: Meeting) -> None:
    target = getattr(meeting, "carried_to", None)
    if target is None:
        messages.success(request, _("The minutes are closed."))
        return
    messages.success(
        request,
        _("The minutes are closed. Postponed items go to the meeting of %(date)s.")
        % {"date": f"{target.held_on:%d/%m/%Y}"},
    )


@scoped()
def minutes_pdf(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get(scope, pk)
    content = documents.minutes_pdf(meeting)
    record_export(
        actor=scope,
        what="coordination.meeting.minutes.pdf",
        rows=meeting.entries.count(),
        commune_code=scope.commune_code,
        object_id=meeting.pk,
    )
    response = HttpResponse(content, content_type="application/pdf")
    name = f"bien-ban-hop-{meeting.held_on:%Y%m%d}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response
