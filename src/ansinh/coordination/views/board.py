"""The board, the figures, and the forms that create an item."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.accounts.decorators import scoped
from ansinh.accounts.permissions import allows
from ansinh.accounts.scopes import Scope
from ansinh.coordination import selectors, services
from ansinh.coordination.choices import ItemKind, ItemStatus, Topic
from ansinh.coordination.figures import PERIOD_DAYS, figures
from ansinh.coordination.forms import ItemForm
from ansinh.coordination.models import Item
from ansinh.coordination.permissions import kinds_for
from ansinh.core.web import form_action, int_param, page_of

#: The kinds a village head's phone screen offers.
PHONE_KINDS = [ItemKind.PROBLEM, ItemKind.QUESTION]


def _filter(request: HttpRequest, scope: Scope) -> selectors.BoardFilter:
    get = request.GET
    # a village head sees the outcome of their items: everything by default
    status = get.get("status", selectors.ALL if scope.can_propose else selectors.OPEN)
    assignee = get.get("assignee", "")
    me = scope.user.pk if scope.user is not None else None
    return selectors.BoardFilter(
        village_id=int_param(get.get("village")),
        topic=get.get("topic", "") if get.get("topic") in Topic.values else "",
        kind=get.get("kind", "") if get.get("kind") in ItemKind.values else "",
        status=status if status in (selectors.OPEN, selectors.ALL, *ItemStatus.values) else "",
        assignee_id=me if assignee == "me" else int_param(assignee),
        overdue=get.get("overdue") == "1",
    )


@scoped()
def board(request: HttpRequest, scope: Scope) -> HttpResponse:
    today = timezone.localdate()
    where = _filter(request, scope)
    page = page_of(request, selectors.board(scope, where, today=today))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "coordination/board.html",
        {
            "page": page,
            "where": where,
            "query": query.urlencode(),
            "today": today,
            "figures": figures(scope, today=today),
            "announcements": selectors.open_announcements(scope),
            "villages": selectors.villages_for(scope),
            "people": selectors.people(scope),
            "topics": Topic.choices,
            "kinds": ItemKind.choices,
            "statuses": ItemStatus.choices,
            "kinds_allowed": kinds_for(scope),
            "is_head": scope.can_propose,
            "since": int(timezone.now().timestamp()),
        },
    )


@scoped()
def figures_page(request: HttpRequest, scope: Scope) -> HttpResponse:
    days = int_param(request.GET.get("days"), lo=7, hi=730) or PERIOD_DAYS
    return render(
        request,
        "coordination/figures.html",
        {"figures": figures(scope, days=days), "periods": [30, 90, 180, 365]},
    )


def _create(request: HttpRequest, scope: Scope, *, phone: bool) -> HttpResponse:
    kinds = kinds_for(scope)
    if phone:
        kinds = [k for k in PHONE_KINDS if k in kinds]
    if not kinds:
        raise PermissionDenied
    coordinator = allows(scope, scope.commune_code, "coordinate")
    form = ItemForm(
        request.POST or None,
        request.FILES or None,
        scope=scope,
        kinds=kinds,
        assignable=selectors.people(scope) if coordinator and not phone else None,
        phone=phone,
    )

    def send() -> Item:
        return services.item_report(scope=scope, **form.item_kwargs())

    if done := form_action(request, form, send):
        item = done.value
        _say_unresolved(request, item)
        if phone:
            messages.success(request, _("Sent. The answer will appear on this item."))
        else:
            messages.success(request, _("The item was added to the board."))
        return redirect("coordination:item", pk=item.pk)
    context: dict[str, Any] = {"form": form, "phone": phone, "kinds": kinds}
    villages = list(form.fields["village"].queryset)  # type: ignore[attr-defined]
    context["single_village"] = villages[0] if len(villages) == 1 else None
    template = "coordination/report.html" if phone else "coordination/item_form.html"
    return render(request, template, context)


def _say_unresolved(request: HttpRequest, thing: Any) -> None:
    names = getattr(thing, "unresolved_mentions", None)
    if names:
        messages.warning(
            request,
            _("Not mentioned (nobody of the commune who can see this item): %(names)s")
            % {"names": ", ".join(f"@{n}" for n in names)},
        )


@scoped()
def item_new(request: HttpRequest, scope: Scope) -> HttpResponse:
    return _create(request, scope, phone=False)


@scoped()
def report(request: HttpRequest, scope: Scope) -> HttpResponse:
    """The village head's phone screen: report a problem (or ask) with photos."""
    return _create(request, scope, phone=True)
