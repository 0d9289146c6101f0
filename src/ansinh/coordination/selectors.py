"""Reads of the coordination board. Every function takes a ``Scope``: the commune's items; a
village head's villages and every announcement of the commune (see :mod:`.permissions`).
The measured figures are in :mod:`.figures`."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet

from ansinh.accounts.choices import Role
from ansinh.accounts.models import User
from ansinh.accounts.scopes import Scope
from ansinh.coordination.choices import OPEN_STATUSES, ItemKind, ItemStatus
from ansinh.coordination.models import Comment, Item, Mention, Photo
from ansinh.core.selectors import get_or_404
from ansinh.registry.models import Household
from ansinh.registry.selectors import households_for, villages_for

__all__ = [
    "BoardFilter",
    "assignable_users",
    "board",
    "household_by_code",
    "item_get",
    "item_photos",
    "items_for",
    "open_announcements",
    "people",
    "photo_get",
    "thread",
    "villages_for",
]

#: The status filter's values besides the statuses themselves.
OPEN, ALL = "open", "all"
#: Roles that can be assigned an item.
ASSIGNABLE_ROLES = (Role.OFFICER, Role.COMMITTEE, Role.VILLAGE_HEAD)
#: The thread shows at most this many entries (the newest); ``?thread=all`` up to the second.
THREAD_LIMIT = 100
THREAD_ALL = 2000


def items_for(scope: Scope) -> QuerySet[Item]:
    qs = Item.objects.filter(commune_id=scope.commune_code)
    if scope.village_ids is not None:
        qs = qs.filter(Q(village_id__in=scope.village_ids) | Q(kind=ItemKind.ANNOUNCEMENT))
    return qs


def item_get(scope: Scope, pk: int) -> Item:
    """One item in scope, or 404; ``assignees`` (a list) and ``assignee_ids`` are set."""
    item = get_or_404(
        items_for(scope).select_related("village", "household", "reported_by", "commune"), pk
    )
    people = list(
        User.objects.filter(pk__in=item.assignments.values("user_id")).order_by("full_name")
    )
    item.assignee_list = people  # type: ignore[attr-defined]
    item.assignee_ids = {u.pk for u in people}  # type: ignore[attr-defined]
    return item


@dataclass(frozen=True)
class BoardFilter:
    """The board's filters, already checked (the view reads them with ``core.web``)."""

    village_id: int | None = None
    topic: str = ""
    kind: str = ""
    status: str = OPEN  # "open", "all" or a status
    assignee_id: int | None = None
    overdue: bool = False


def board(scope: Scope, where: BoardFilter, *, today: dt.date) -> QuerySet[Item]:
    """The items of the board, the most recently active first, with what a card shows
    (village, household, reporter, assignees) fetched in a fixed number of queries."""
    qs = items_for(scope)
    if where.village_id:
        qs = qs.filter(village_id=where.village_id)
    if where.topic:
        qs = qs.filter(topic=where.topic)
    if where.kind:
        qs = qs.filter(kind=where.kind)
    if where.status == OPEN or where.overdue:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if where.status in ItemStatus.values:
        qs = qs.filter(status=where.status)
    if where.overdue:
        qs = qs.filter(due_date__lt=today)
    if where.assignee_id:
        qs = qs.filter(assignments__user_id=where.assignee_id)
    people = User.objects.only("id", "username", "full_name").order_by("full_name")
    return (
        qs.select_related("village", "household", "reported_by")
        .prefetch_related(Prefetch("assignees", queryset=people))
        .order_by("-last_activity_at", "-id")
    )


def open_announcements(scope: Scope, *, limit: int = 5) -> list[Item]:
    """The newest announcements still open (every user of the commune sees them)."""
    qs = Item.objects.filter(
        commune_id=scope.commune_code, kind=ItemKind.ANNOUNCEMENT, status__in=OPEN_STATUSES
    ).select_related("reported_by")
    return list(qs.order_by("-created_at", "-id")[:limit])


def thread(item: Item, *, limit: int = THREAD_LIMIT) -> tuple[list[Comment], set[str], int]:
    """The newest ``limit`` entries of an item fetched through a scoped selector, oldest first,
    with their authors and photos; the user names mentioned in them (lower case, for
    highlighting); and how many entries the thread has in all."""
    entries = list(
        item.comments.select_related("author")
        .prefetch_related("photos")
        .order_by("-created_at", "-id")[:limit]
    )
    entries.reverse()
    total = len(entries) if len(entries) < limit else item.comments.count()
    names = {
        name.lower()
        for name in Mention.objects.filter(item=item).values_list("user__username", flat=True)
    }
    return entries, names, total


def item_photos(item: Item) -> list[Photo]:
    """The photos sent with the item itself (not with a comment)."""
    return list(item.photos.filter(comment__isnull=True).order_by("created_at", "id"))


def photo_get(scope: Scope, pk: int) -> Photo:
    """A photo of an item in scope, or 404."""
    qs = Photo.objects.filter(item__in=items_for(scope)).select_related("item")
    return get_or_404(qs, pk)


def assignable_users(scope: Scope, item: Item) -> QuerySet[User]:
    """Who may be assigned ``item``: the commune's active officers and committee members, and
    the heads of the item's village."""
    qs = User.objects.filter(
        commune_id=scope.commune_code, is_active=True, role__in=ASSIGNABLE_ROLES
    )
    heads = Q(role=Role.VILLAGE_HEAD, villages=item.village_id) if item.village_id else Q(pk=None)
    return qs.filter(~Q(role=Role.VILLAGE_HEAD) | heads).distinct().order_by("role", "full_name")


def people(scope: Scope) -> QuerySet[User]:
    """The commune's active users who can be assigned an item (the assignee filter, the new
    item form; the service checks that a village head is one of the item's village)."""
    qs = User.objects.filter(
        commune_id=scope.commune_code, is_active=True, role__in=ASSIGNABLE_ROLES
    )
    return qs.order_by("role", "full_name")


def household_by_code(scope: Scope, code: str) -> Household | None:
    """The household of the scope with this code ("td-0012" is TD-0012), or None."""
    text = (code or "").strip().upper()
    if not text:
        return None
    return households_for(scope).select_related("village").filter(code=text).first()


#: The menu's counter stops here ("99+").
UNREAD_CAP = 99


def unread_items(user: User) -> QuerySet[Item]:
    """The items that concern ``user`` and changed since they last opened them (or that they
    never opened): those they reported, are assigned, were mentioned in, an announcement for
    them; for the officer and the committee also every new item of the commune."""
    from django.db.models import Exists, OuterRef

    from ansinh.coordination.models import Assignment, ItemRead, Recipient

    mine = (
        Q(reported_by=user)
        | Q(Exists(Assignment.objects.filter(item=OuterRef("pk"), user=user)))
        | Q(Exists(Mention.objects.filter(item=OuterRef("pk"), user=user)))
        | Q(Exists(Recipient.objects.filter(item=OuterRef("pk"), user=user)))
    )
    if user.role in (Role.OFFICER, Role.COMMITTEE):
        mine = mine | Q(status=ItemStatus.NEW)
    read = ItemRead.objects.filter(
        item=OuterRef("pk"), user=user, seen_at__gte=OuterRef("last_activity_at")
    )
    return Item.objects.filter(mine, commune_id=user.commune_id or 0).exclude(Exists(read))


#: Stand-ins for the user and the commune in the counter's query, compiled once per process.
_SOMEONE, _SOMEWHERE = -7_301_946_285, -8_402_157_396


@functools.cache
def _unread_query(staff: bool, vendor: str) -> tuple[str, tuple[Any, ...]]:
    """The SQL of the counter's query with stand-in parameters (``vendor``: the database's
    dialect). The menu shows the counter on every page; writing the query with the ORM took
    milliseconds each time, running it a tenth of one."""
    role = Role.OFFICER if staff else Role.VILLAGE_HEAD
    someone = User(pk=_SOMEONE, role=role, commune_id=_SOMEWHERE)
    sql, params = (
        unread_items(someone).values_list("pk", flat=True)[: UNREAD_CAP + 1].query.sql_with_params()
    )
    return sql, tuple(params)


def unread_count(user: User) -> int:
    """How many of :func:`unread_items` (at most ``UNREAD_CAP + 1``): one query, its SQL
    written once per process (:func:`_unread_query`) with this user's values put in."""
    sql, params = _unread_query(user.role in (Role.OFFICER, Role.COMMITTEE), connection.vendor)
    values = {_SOMEONE: user.pk, _SOMEWHERE: user.commune_id or 0}
    with connection.cursor() as cursor:
        cursor.execute(sql, [values.get(p, p) if isinstance(p, int) else p for p in params])
        return len(cursor.fetchall())


@dataclass
class Receipts:
    """Who an announcement is for: who has read it (and when), who has not, the last
    reminder."""

    read: list[tuple[User, dt.datetime]]
    unread: list[User]
    reminded_at: dt.datetime | None

    @property
    def total(self) -> int:
        return len(self.read) + len(self.unread)


def receipts(item: Item) -> Receipts:
    from ansinh.coordination.models import Recipient

    rows = Recipient.objects.filter(item=item).select_related("user")
    rows = rows.order_by("user__full_name", "user__username")
    read, unread, reminded = [], [], None
    for row in rows:
        if row.read_at is not None:
            read.append((row.user, row.read_at))
        else:
            unread.append(row.user)
            if row.reminded_at is not None and (reminded is None or row.reminded_at > reminded):
                reminded = row.reminded_at
    return Receipts(read=read, unread=unread, reminded_at=reminded)


def new_items_count(scope: Scope, since: dt.datetime) -> int:
    """Items of the scope added after ``since`` by someone else (the board's live note)."""
    qs = items_for(scope).filter(created_at__gt=since)
    if scope.user is not None:
        qs = qs.exclude(reported_by=scope.user)
    return qs.count()


#: The live thread appends at most this many entries at once (then: reload).
LIVE_LIMIT = 50


def thread_after(item: Item, after: int) -> tuple[list[Comment], set[str]]:
    """The entries of ``item``'s thread after the entry ``after``, oldest first, and the
    names mentioned in the thread."""
    entries = list(
        item.comments.filter(pk__gt=after)
        .select_related("author")
        .prefetch_related("photos")
        .order_by("created_at", "id")[:LIVE_LIMIT]
    )
    if not entries:
        return [], set()
    names = {
        name.lower()
        for name in Mention.objects.filter(item=item).values_list("user__username", flat=True)
    }
    return entries, names
