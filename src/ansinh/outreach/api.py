"""Read endpoint of the outreach app (django-ninja Router), mounted by ``ansinh.api.api`` at
``/api/outreach``: the loudspeaker broadcast log through the same scoped selector as the page
(a village head sees the own villages' broadcasts)."""

# No `from __future__ import annotations`: django-ninja builds its query models from these
# annotations at import time and must see the bounded types themselves.
import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from ansinh.accounts.scopes import Scope
from ansinh.core.api import BoundedLimitOffsetPagination, DbId
from ansinh.core.web import MAX_DATE, MIN_DATE
from ansinh.outreach import selectors

router = Router(tags=["outreach"])
Day = Annotated[dt.date, Field(ge=MIN_DATE, le=MAX_DATE)]


def _scope(request: HttpRequest) -> Scope:
    scope: Scope = request.scope  # type: ignore[attr-defined]
    return scope


class BroadcastOut(Schema):
    id: int
    village_id: int
    village: str
    text: str
    planned_at: dt.datetime
    broadcast_at: dt.datetime | None
    marked_by: str

    @staticmethod
    def resolve_village(obj: Any) -> str:
        return str(obj.village.name)

    @staticmethod
    def resolve_text(obj: Any) -> str:
        return str(obj.announcement.text)

    @staticmethod
    def resolve_marked_by(obj: Any) -> str:
        return str(obj.marked_by) if obj.marked_by else ""


@router.get("/broadcasts", response=list[BroadcastOut])
@paginate(BoundedLimitOffsetPagination)
def list_broadcasts(
    request: HttpRequest, village_id: DbId | None = None, date: Day | None = None
) -> Any:
    """The broadcast log, latest planned first; ``date`` matches the planned or actual day."""
    return selectors.broadcasts_for(_scope(request), village_id=village_id, day=date)
