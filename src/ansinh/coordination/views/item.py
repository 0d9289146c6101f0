"""An item's page: what it is, its photos, its thread (comments and events), the buttons of
the workflow, the assignees; and the scoped view of its photos."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ansinh.accounts.decorators import scoped
from ansinh.accounts.scopes import Scope
from ansinh.coordination import photos, selectors, services, workflow
from ansinh.coordination.choices import Action, ItemStatus
from ansinh.coordination.forms import AssignForm, CommentForm, EditForm, TransitionForm
from ansinh.coordination.meetings import selectors as meeting_selectors
from ansinh.coordination.models import Item
from ansinh.coordination.permissions import ANNOUNCE, ASSIGN, COMMENT, EDIT, allowed
from ansinh.coordination.views.board import _say_unresolved
from ansinh.core.web import form_action, post_action


def _can(scope: Scope, action: str, item: Item) -> bool:
    return allowed(scope, action, commune_code=item.commune_id, item=item)


def _steps(scope: Scope, item: Item) -> list[dict[str, Any]]:
    """The workflow's buttons this user may press on this item, with whether a text is
    needed."""
    return [
        {
            "action": action,
            "label": Action(action).label,
            "needs_note": workflow.needs_note(item.kind, item.status, action),
        }
        for action in workflow.possible_actions(item.kind, item.status)
        if _can(scope, action, item)
    ]


def _thread_context(
    scope: Scope, item: Item, form: CommentForm | None = None, *, everything: bool = False
) -> dict[str, Any]:
    limit = selectors.THREAD_ALL if everything else selectors.THREAD_LIMIT
    entries, mentioned, total = selectors.thread(item, limit=limit)
    can_comment = _can(scope, COMMENT, item) and item.status != ItemStatus.CLOSED
    return {
        "item": item,
        "entries": entries,
        "mentioned": mentioned,
        "hidden": total - len(entries),
        "last_entry_id": entries[-1].pk if entries else 0,
        "comment_form": (form or CommentForm()) if can_comment else None,
    }


@scoped()
def item_detail(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    item = selectors.item_get(scope, pk)
    services.item_seen(scope=scope, item=item)
    can_assign = _can(scope, ASSIGN, item) and item.is_open and not item.is_announcement
    context = {
        **_thread_context(scope, item, everything=request.GET.get("thread") == "all"),
        "photos": selectors.item_photos(item),
        "steps": _steps(scope, item),
        "can_edit": _can(scope, EDIT, item),
        "assign_form": (
            AssignForm(
                assignable=selectors.assignable_users(scope, item),
                initial={"assignees": sorted(item.assignee_ids)},  # type: ignore[attr-defined]
            )
            if can_assign
            else None
        ),
        "overdue": item.is_overdue(timezone.localdate()),
        "decisions": meeting_selectors.decisions_about(scope, item),
        "receipts": (
            selectors.receipts(item)
            if item.is_announcement and _can(scope, ANNOUNCE, item)
            else None
        ),
    }
    return render(request, "coordination/item.html", context)


@require_POST
@scoped()
def item_comment(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    """A comment; with htmx the thread comes back with a new, empty form (no reload)."""
    item = selectors.item_get(scope, pk)
    if not _can(scope, COMMENT, item):
        raise PermissionDenied
    form = CommentForm(request.POST, request.FILES)
    done = form_action(
        request,
        form,
        lambda: services.comment_add(
            scope=scope,
            item=item,
            text=form.cleaned_data["text"],
            key=form.cleaned_data["key"],
            photos=form.cleaned_data["photos"],
        ),
    )
    if done:
        _say_unresolved(request, done.value)
    if request.htmx:  # type: ignore[attr-defined]
        item = selectors.item_get(scope, pk)
        context = _thread_context(scope, item, None if done else form)
        return render(request, "coordination/_thread.html", context)
    if not done:
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, str(text))
    return redirect(reverse("coordination:item", args=[item.pk]) + "#thread")


@require_POST
@scoped()
def item_status(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    item = selectors.item_get(scope, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        raise Http404  # not a button of this page
    action = form.cleaned_data["action"]
    done = post_action(
        request,
        lambda: services.item_transition(
            scope=scope, item=item, action=action, note=form.cleaned_data["note"]
        ),
    )
    if done:
        messages.success(
            request, _("Now: %(status)s.") % {"status": done.value.get_status_display()}
        )
    return redirect("coordination:item", pk=item.pk)


@require_POST
@scoped()
def item_assign(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    item = selectors.item_get(scope, pk)
    if not _can(scope, ASSIGN, item):
        raise PermissionDenied
    form = AssignForm(request.POST, assignable=selectors.assignable_users(scope, item))
    if not form.is_valid():
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, str(text))
    elif post_action(
        request,
        lambda: services.item_assign(
            scope=scope, item=item, users=list(form.cleaned_data["assignees"])
        ),
    ):
        messages.success(request, _("Assignees saved."))
    return redirect("coordination:item", pk=item.pk)


@scoped()
def item_edit(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    item = selectors.item_get(scope, pk)
    if not _can(scope, EDIT, item):
        raise PermissionDenied
    initial = {
        "title": item.title,
        "body": item.body,
        "topic": item.topic,
        "priority": item.priority,
        "due_date": item.due_date,
        "household_code": item.household.code if item.household else "",
    }
    form = EditForm(request.POST or None, initial=initial, scope=scope)

    def save() -> Item:
        d = form.cleaned_data
        return services.item_update(
            scope=scope,
            item=item,
            title=d["title"],
            body=d["body"],
            topic=d["topic"],
            priority=d["priority"],
            due_date=d["due_date"],
            household=d["household_code"],
        )

    if form_action(request, form, save):
        messages.success(request, _("Saved."))
        return redirect("coordination:item", pk=item.pk)
    return render(request, "coordination/item_edit.html", {"form": form, "item": item})


@scoped()
def photo(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    """A photo of an item in scope (``?size=small``: its small copy); never a public URL."""
    found = selectors.photo_get(scope, pk)
    path = photos.path_of(
        found.item.commune_id, found.stored_name, thumb=request.GET.get("size") == "small"
    )
    try:
        data = path.read_bytes()
    except OSError:
        raise Http404 from None
    response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=86400"
    return response
