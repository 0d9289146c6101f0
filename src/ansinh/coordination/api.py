"""Read endpoints of the coordination board (django-ninja Router), mounted by
``ansinh.api.api`` at ``/api/coordination``: the same scoped selectors as the pages (a village
head sees the items of their villages and every announcement; an item elsewhere is a 404), and
the measured figures the dashboard reads."""

# No `from __future__ import annotations`: django-ninja builds its query models from these
# annotations at import time and must see the bounded types themselves.
import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from ansinh.accounts.scopes import Scope
from ansinh.coordination import selectors
from ansinh.coordination.figures import figures
from ansinh.core.api import BoundedLimitOffsetPagination, DbId

router = Router(tags=["coordination"])
Word = Annotated[str, Field(max_length=20)]
Days = Annotated[int, Field(ge=7, le=730)]


def _scope(request: HttpRequest) -> Scope:
    scope: Scope = request.scope  # type: ignore[attr-defined]
    return scope


class ItemOut(Schema):
    id: int
    kind: str
    topic: str
    priority: int
    status: str
    title: str
    village_id: int | None
    household_id: int | None
    due_date: dt.date | None
    reported_by: str
    created_at: dt.datetime
    last_activity_at: dt.datetime
    first_response_at: dt.datetime | None
    resolved_at: dt.datetime | None
    comment_count: int
    outcome: str

    @staticmethod
    def resolve_reported_by(obj: Any) -> str:
        return str(obj.reported_by) if obj.reported_by else ""


class EntryOut(Schema):
    kind: str
    author: str
    text: str
    status_to: str
    created_at: dt.datetime

    @staticmethod
    def resolve_author(obj: Any) -> str:
        return str(obj.author) if obj.author else ""


class ItemDetailOut(ItemOut):
    body: str
    audience: str
    assignees: list[str]
    thread: list[EntryOut]

    @staticmethod
    def resolve_assignees(obj: Any) -> list[str]:
        return [str(u) for u in obj.assignee_list]

    @staticmethod
    def resolve_thread(obj: Any) -> list[Any]:
        entries, _mentioned, _total = selectors.thread(obj, limit=selectors.THREAD_ALL)
        return entries


class FigureOut(Schema):
    key: int | str | None
    label: str
    raised: int
    open: int
    overdue: int
    resolved: int
    unanswered: int
    median_response_hours: float | None
    median_resolution_hours: float | None


class FiguresOut(Schema):
    today: dt.date
    since: dt.date
    days: int
    total: FigureOut
    by_village: list[FigureOut]
    by_topic: list[FigureOut]


@router.get("/items", response=list[ItemOut])
@paginate(BoundedLimitOffsetPagination)
def list_items(
    request: HttpRequest,
    status: Word = "open",
    kind: Word = "",
    topic: Word = "",
    village_id: DbId | None = None,
    overdue: bool = False,
) -> Any:
    where = selectors.BoardFilter(
        village_id=village_id, topic=topic, kind=kind, status=status, overdue=overdue
    )
    return selectors.board(_scope(request), where, today=timezone.localdate())


@router.get("/items/{item_id}", response=ItemDetailOut)
def get_item(request: HttpRequest, item_id: DbId) -> Any:
    return selectors.item_get(_scope(request), item_id)


@router.get("/figures", response=FiguresOut)
def get_figures(request: HttpRequest, days: Days = 90) -> Any:
    return figures(_scope(request), days=days).as_dict()
