"""Pages of the outreach app: the broadcast log, a new announcement, marking a broadcast,
leaflets (edit, print) and messages to a group of households (preview, then send)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.accounts.decorators import scoped
from ansinh.accounts.scopes import Scope
from ansinh.core.web import apply_errors, date_param, form_action, int_param, page_of
from ansinh.outreach import selectors, services
from ansinh.outreach.forms import (
    AnnouncementForm,
    BroadcastForm,
    GroupMessageForm,
    LeafletForm,
    LeafletPrintForm,
    new_key,
)
from ansinh.outreach.services.messages import check_message
from ansinh.outreach.texts import LEAFLET_FIELDS, MESSAGE_FIELDS


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


# --- announcements -------------------------------------------------------------------------


@scoped()
def log(request: HttpRequest, scope: Scope) -> HttpResponse:
    """What was announced where and when (filter by village and day)."""
    village_id = int_param(request.GET.get("village"))
    day = date_param(request.GET.get("date"))
    page = page_of(request, selectors.broadcasts_for(scope, village_id=village_id, day=day))
    return render(
        request,
        "outreach/log.html",
        {
            "page": page,
            "villages": selectors.villages_for(scope),
            "village_id": village_id,
            "day": day,
            "can_mark": scope.can_edit or scope.can_propose,
            "is_officer": scope.can_edit,
        },
    )


@scoped(need="can_edit")
def announcement_new(request: HttpRequest, scope: Scope) -> HttpResponse:
    form = AnnouncementForm(request.POST or None, villages=selectors.villages_for(scope))
    if done := form_action(
        request,
        form,
        lambda: services.announcement_create(
            scope=scope,
            text=form.cleaned_data["text"],
            villages=list(form.cleaned_data["villages"]),
            planned_at=_at(form.cleaned_data["planned_date"], form.cleaned_data["planned_time"]),
            key=form.cleaned_data.get("key") or "",
        ),
    ):
        n = done.value.broadcasts.count()
        messages.success(request, _("Announcement planned in %(n)s villages.") % {"n": n})
        return redirect("outreach:log")
    return render(request, "outreach/announcement_form.html", {"form": form})


@scoped()
def broadcast_mark(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    broadcast = selectors.broadcast_get(scope, pk)
    now = timezone.localtime()
    form = BroadcastForm(request.POST or None, initial={"date": now.date(), "time": f"{now:%H:%M}"})
    if form_action(
        request,
        form,
        lambda: services.broadcast_mark(
            scope=scope,
            broadcast=broadcast,
            at=_at(form.cleaned_data["date"], form.cleaned_data["time"]),
        ),
    ):
        messages.success(
            request, _("Marked as broadcast in %(village)s.") % {"village": broadcast.village}
        )
        return redirect("outreach:log")
    return render(request, "outreach/broadcast_mark.html", {"form": form, "b": broadcast})


# --- leaflets -------------------------------------------------------------------------------


@scoped(need="can_edit")
def leaflets(request: HttpRequest, scope: Scope) -> HttpResponse:
    if request.method == "POST":
        added = services.leaflets_ensure_defaults(scope=scope)
        messages.success(request, _("%(n)s sample leaflets added.") % {"n": added})
        return redirect("outreach:leaflets")
    return render(
        request,
        "outreach/leaflets.html",
        {"leaflets": selectors.leaflets_for(scope), "print_form": LeafletPrintForm()},
    )


@scoped(need="can_edit")
def leaflet_edit(request: HttpRequest, scope: Scope, pk: int | None = None) -> HttpResponse:
    leaflet = selectors.leaflet_get(scope, pk) if pk is not None else None
    initial = (
        {"title": leaflet.title, "body": leaflet.body, "size": leaflet.size}
        if leaflet
        else {"size": "A5"}
    )
    form = LeafletForm(request.POST or None, initial=initial)
    if form_action(
        request,
        form,
        lambda: services.leaflet_save(scope=scope, leaflet=leaflet, **form.cleaned_data),
    ):
        messages.success(request, _("Leaflet saved."))
        return redirect("outreach:leaflets")
    return render(
        request,
        "outreach/leaflet_form.html",
        {"form": form, "leaflet": leaflet, "fields": LEAFLET_FIELDS},
    )


@scoped(need="can_edit")
def leaflet_pdf(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    leaflet = selectors.leaflet_get(scope, pk)
    form = LeafletPrintForm(request.GET)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("outreach:leaflets")
    data = services.leaflet_pdf(
        scope=scope,
        leaflet=leaflet,
        on=timezone.localdate(),
        deadline=form.cleaned_data["deadline"],
        place=form.cleaned_data["place"],
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="to-roi-{leaflet.pk}.pdf"'
    return response


# --- group messages ---------------------------------------------------------------------------


@scoped(need="can_edit")
def group_messages(request: HttpRequest, scope: Scope) -> HttpResponse:
    page = page_of(request, selectors.group_messages_for(scope))
    return render(request, "outreach/group_messages.html", {"page": page})


@scoped(need="can_edit")
def group_message_new(request: HttpRequest, scope: Scope) -> HttpResponse:
    """Choose the group and write the text; "Preview" shows the figures; "Send" (from the
    preview, with its key) queues the messages."""
    villages = selectors.villages_for(scope)
    form = GroupMessageForm(request.POST or None, villages=villages)
    preview = None
    sending = request.method == "POST" and "send" in request.POST
    if sending and form.is_valid() and form.cleaned_data["seen"] != form.signature():
        sending = False  # changed since the preview: show the figures of what would be sent
        messages.warning(request, _("The message changed since the preview: check it again."))
    if sending and (
        done := form_action(
            request,
            form,
            lambda: services.group_message_send(
                scope=scope,
                group=form.cleaned_data["group"],
                village=form.cleaned_data["village"],
                text=form.cleaned_data["text"],
                key=form.cleaned_data.get("key") or "",
            ),
        )
    ):
        messages.success(
            request, _("%(n)s messages queued in the outbox.") % {"n": done.value.queued}
        )
        return redirect("outreach:group_messages")
    if request.method == "POST" and not sending and form.is_valid():
        try:
            check_message(
                form.cleaned_data["group"], form.cleaned_data["village"], form.cleaned_data["text"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            village = form.cleaned_data["village"]
            preview = selectors.preview(
                scope,
                form.cleaned_data["group"],
                village.pk if village else None,
                form.cleaned_data["text"],
                timezone.localdate(),
            )
            data = request.POST.copy()
            data["key"] = new_key()  # this preview's send button: one send, however many clicks
            data["seen"] = form.signature()
            form = GroupMessageForm(data, villages=villages)
            form.is_valid()
    return render(
        request,
        "outreach/group_message_form.html",
        {"form": form, "preview": preview, "fields": MESSAGE_FIELDS},
    )
