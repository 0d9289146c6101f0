"""The measured work of the board: per village and per topic, how many items were raised, how
long the first response and the resolution took (medians), and how many are open and overdue.

:func:`figures` is the selector the board, the figures page, the API and the dashboard read.
Announcements are not counted (nobody answers them). Items *raised* and the times are those of
the items reported in the period (the last ``days`` days); *open* and *overdue* are now, for
every item whatever its age. A median is ``None`` when no item of the group has one.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, F, FloatField, Func, Q, Value, When
from django.utils import timezone

from ansinh.accounts.scopes import Scope
from ansinh.coordination.choices import OPEN_STATUSES, ItemKind, Topic
from ansinh.coordination.selectors import items_for, villages_for

PERIOD_DAYS = 90


@dataclass
class Figure:
    """One row of figures: a village, a topic, or the whole scope (``key`` None)."""

    key: int | str | None
    label: str
    raised: int = 0
    open: int = 0
    overdue: int = 0
    resolved: int = 0
    response_hours: list[float] = field(default_factory=list, repr=False)
    resolution_hours: list[float] = field(default_factory=list, repr=False)

    @property
    def median_response_hours(self) -> float | None:
        return statistics.median(self.response_hours) if self.response_hours else None

    @property
    def median_resolution_hours(self) -> float | None:
        return statistics.median(self.resolution_hours) if self.resolution_hours else None

    @property
    def unanswered(self) -> int:
        """Items of the period without any response yet."""
        return self.raised - len(self.response_hours)

    def as_dict(self) -> dict[str, object]:
        return {
            "key": self.key,
            "label": self.label,
            "raised": self.raised,
            "open": self.open,
            "overdue": self.overdue,
            "resolved": self.resolved,
            "unanswered": self.unanswered,
            "median_response_hours": _round(self.median_response_hours),
            "median_resolution_hours": _round(self.median_resolution_hours),
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


@dataclass
class Figures:
    today: dt.date
    since: dt.date
    days: int
    total: Figure
    by_village: list[Figure]
    by_topic: list[Figure]

    def as_dict(self) -> dict[str, object]:
        return {
            "today": self.today.isoformat(),
            "since": self.since.isoformat(),
            "days": self.days,
            "total": self.total.as_dict(),
            "by_village": [f.as_dict() for f in self.by_village],
            "by_topic": [f.as_dict() for f in self.by_topic],
        }


class Hours(Func):
    """``end - start`` in hours as a number, computed by the database (``NULL`` when ``end``
    is): the figures read numbers, not thousands of date-times to parse."""

    output_field = FloatField()

    def __init__(self, end: str, start: str) -> None:
        super().__init__(F(end), F(start))

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 24.0)",
            arg_joiner=") - julianday(",
            **extra,
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="(EXTRACT(EPOCH FROM (%(expressions)s)) / 3600.0)",
            arg_joiner=" - ",
            **extra,
        )


def figures(scope: Scope, *, today: dt.date | None = None, days: int = PERIOD_DAYS) -> Figures:
    """The figures of the scope (a village head: their villages), as of ``today``."""
    today = today or timezone.localdate()
    days = max(1, min(days, 3660))
    since = today - dt.timedelta(days=days)
    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    open_ = Q(status__in=OPEN_STATUSES)
    rows = (
        items_for(scope)
        .exclude(kind=ItemKind.ANNOUNCEMENT)
        .filter(open_ | Q(created_at__gte=start))
        .annotate(
            open_n=Case(When(open_, then=Value(1)), default=Value(0)),
            overdue_n=Case(When(open_ & Q(due_date__lt=today), then=Value(1)), default=Value(0)),
            recent_n=Case(When(created_at__gte=start, then=Value(1)), default=Value(0)),
            response=Hours("first_response_at", "created_at"),
            resolution=Hours("resolved_at", "created_at"),
        )
        .values_list(
            "village_id", "topic", "open_n", "overdue_n", "recent_n", "response", "resolution"
        )
    )
    villages = {v.pk: v.name for v in villages_for(scope)}
    total = Figure(None, "")
    by_village = {pk: Figure(pk, name) for pk, name in villages.items()}
    by_topic = {t.value: Figure(t.value, str(t.label)) for t in Topic}
    other = Figure(None, "")  # an item of a village no longer active: in the total only
    for village_id, topic, is_open, overdue, recent, response, resolution in rows:
        for group in (total, by_village.get(village_id, other), by_topic[topic]):
            group.open += is_open
            group.overdue += overdue
            if recent:
                group.raised += 1
                if response is not None:
                    group.response_hours.append(max(0.0, response))
                if resolution is not None:
                    group.resolved += 1
                    group.resolution_hours.append(max(0.0, resolution))
    return Figures(
        today=today,
        since=since,
        days=days,
        total=total,
        by_village=list(by_village.values()),
        by_topic=list(by_topic.values()),
    )
