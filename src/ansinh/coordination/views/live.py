"""What changes without reloading the page: htmx asks every 25 seconds (no websockets) for
the new items of the board ("2 việc mới — tải lại") and the new entries of an item's thread
(appended to it)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from ansinh.accounts.decorators import scoped
from ansinh.accounts.scopes import Scope
from ansinh.coordination import selectors, services
from ansinh.core.web import int_param

#: The oldest moment the board's question may ask about (a page left open for days).
OLDEST = dt.timedelta(days=7)


def now_stamp() -> int:
    return int(timezone.now().timestamp())


@scoped()
def board_live(request: HttpRequest, scope: Scope) -> HttpResponse:
    """How many items others added since the board was drawn (``since``, seconds)."""
    now = timezone.now()
    since = int_param(request.GET.get("since"), lo=0) or now_stamp()
    moment = max(dt.datetime.fromtimestamp(since, tz=dt.UTC), now - OLDEST)
    new = selectors.new_items_count(scope, moment)
    return render(request, "coordination/_board_live.html", {"since": since, "new": new})


@scoped()
def item_live(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    """The thread's entries after ``after`` (an entry id), appended to the page; the item is
    then read."""
    item = selectors.item_get(scope, pk)
    after = int_param(request.GET.get("after"), lo=0) or 0
    entries, mentioned = selectors.thread_after(item, after)
    if entries:
        services.item_seen(scope=scope, item=item)
    context = {
        "item": item,
        "entries": entries,
        "mentioned": mentioned,
        "last_entry_id": entries[-1].pk if entries else after,
    }
    return render(request, "coordination/_item_live.html", context)
