"""Reads of committee meetings. The officer, the committee, the auditor and the province see
the commune's meetings; a village head sees no meeting, only the decisions about the items of
their villages (on the item's page, once the minutes are closed)."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet

from ansinh.accounts.models import User
from ansinh.accounts.scopes import Scope
from ansinh.coordination.choices import OPEN_STATUSES, ItemKind
from ansinh.coordination.meetings.models import AgendaEntry, Meeting, MeetingStatus
from ansinh.coordination.models import Item
from ansinh.coordination.selectors import items_for
from ansinh.core.selectors import get_or_404


def sees_meetings(scope: Scope) -> bool:
    """Whole-commune readers (not village heads) see the meetings."""
    return scope.commune_code is not None and scope.village_ids is None


def meetings_for(scope: Scope) -> QuerySet[Meeting]:
    if not sees_meetings(scope):
        return Meeting.objects.none()
    return Meeting.objects.filter(commune_id=scope.commune_code)


def meeting_list(scope: Scope) -> QuerySet[Meeting]:
    """The newest meetings first, with their chair and how many items each has."""
    return (
        meetings_for(scope)
        .select_related("chair")
        .annotate(entry_count=Count("entries"))
        .order_by("-held_on", "-id")
    )


def meeting_get(scope: Scope, pk: int) -> Meeting:
    """One meeting in scope (404 otherwise), with its people."""
    people = User.objects.order_by("full_name")
    qs = meetings_for(scope).select_related("chair", "secretary", "commune")
    meeting = get_or_404(qs.prefetch_related(Prefetch("attendees", queryset=people)), pk)
    return meeting


def agenda(meeting: Meeting) -> list[AgendaEntry]:
    """A meeting (fetched through :func:`meeting_get`) in order, with each item, its village,
    the follow-up task and its assignees, and the meeting an entry was carried from."""
    return list(
        meeting.entries.select_related(
            "item__village", "item__household", "follow_up", "carried_from__meeting"
        )
        .prefetch_related("follow_up__assignees")
        .order_by("order", "id")
    )


def entry_get(scope: Scope, pk: int) -> AgendaEntry:
    qs = AgendaEntry.objects.filter(meeting__in=meetings_for(scope)).select_related(
        "meeting", "item"
    )
    return get_or_404(qs, pk)


def addable_items(scope: Scope, meeting: Meeting) -> QuerySet[Item]:
    """Open items of the board not yet on the meeting's agenda (for the "add" list)."""
    return (
        items_for(scope)
        .filter(status__in=OPEN_STATUSES)
        .exclude(kind=ItemKind.ANNOUNCEMENT)
        .exclude(pk__in=meeting.entries.values("item_id"))
        .select_related("village")
        .order_by("-priority", "due_date", "-created_at")
    )


def decisions_about(scope: Scope, item: Item) -> list[AgendaEntry]:
    """The decisions of closed meetings about ``item`` (an item the caller sees: a village
    head, the items of their villages), the newest first, and those that created it as a
    follow-up task."""
    visible = items_for(scope).filter(pk=item.pk)
    qs = AgendaEntry.objects.filter(
        item__in=visible, meeting__status=MeetingStatus.CLOSED
    ) | AgendaEntry.objects.filter(follow_up__in=visible, meeting__status=MeetingStatus.CLOSED)
    return list(
        qs.select_related("meeting", "follow_up", "item").order_by("-meeting__held_on", "-id")
    )
