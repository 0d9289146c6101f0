"""Writes of committee meetings: keyword-only, ``scope`` first, only the officer and the
committee (``coordinate``), atomic, audited.

The agenda is changed while the meeting is a draft; decisions are written until it is closed;
closing (once: closing again changes nothing) needs every entry decided or postponed, and
puts the postponed items still open on the next draft meeting of the commune (a new one a
week later when there is none). A decision may create its follow-up task through
:func:`ansinh.coordination.services.item_report`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.accounts.models import User
from ansinh.accounts.permissions import require
from ansinh.accounts.scopes import Scope
from ansinh.coordination.choices import OPEN_STATUSES, ItemKind, Priority
from ansinh.coordination.meetings.models import AgendaEntry, Meeting, MeetingStatus, Outcome
from ansinh.coordination.models import Item
from ansinh.coordination.services import item_report
from ansinh.coordination.services.common import TEXT_MAX, TITLE_MAX
from ansinh.core import audit
from ansinh.core.models import AuditAction

MEETING_FIELDS = ["held_on", "place", "chair", "secretary", "status", "closed_at"]
ENTRY_FIELDS = ["meeting", "item", "order", "outcome", "decision", "follow_up", "carried_from"]
#: The agenda filled in for a new meeting holds at most this many items.
AGENDA_MAX = 30
#: A meeting made to receive postponed items is this long after the one closed.
NEXT_MEETING = dt.timedelta(days=7)


def _message() -> str:
    return _("Only the commune officer and the steering committee prepare meetings.")


def _require(scope: Scope, meeting: Meeting | None = None) -> None:
    code = meeting.commune_id if meeting is not None else scope.commune_code
    require(scope, code, can="coordinate", message=_message())


def _lock(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


def _ensure_status(meeting: Meeting, *allowed: str) -> None:
    if meeting.status not in allowed:
        raise ValidationError(
            _("This meeting is %(status)s: this cannot be changed any more.")
            % {"status": meeting.get_status_display().lower()}
        )


def _check_people(scope: Scope, chair: User | None, attendees: Sequence[User]) -> None:
    for user in [*([chair] if chair else []), *attendees]:
        if user.commune_id != scope.commune_code or not user.is_active:
            raise PermissionDenied(_("%(name)s is not a user of this commune.") % {"name": user})


def open_items_first(scope: Scope, *, today: dt.date, exclude: Sequence[int] = ()) -> list[Item]:
    """The agenda proposed for a new meeting: the open items (not announcements) that are not
    on another meeting not closed yet, overdue and high priority first, then the rest
    (oldest first); at most :data:`AGENDA_MAX`."""
    pending = AgendaEntry.objects.filter(
        meeting__commune_id=scope.commune_code,
        meeting__status__in=[MeetingStatus.DRAFT, MeetingStatus.HELD],
    ).values("item_id")
    qs = (
        Item.objects.filter(commune_id=scope.commune_code, status__in=OPEN_STATUSES)
        .exclude(kind=ItemKind.ANNOUNCEMENT)
        .exclude(pk__in=pending)
        .exclude(pk__in=list(exclude))
    )
    urgent_q = Q(due_date__lt=today) | Q(priority__gte=Priority.HIGH)
    urgent = list(qs.filter(urgent_q).order_by("-priority", "due_date", "created_at", "id"))
    rest = list(qs.exclude(urgent_q).order_by("created_at", "id")[:AGENDA_MAX])
    return [*urgent, *rest][:AGENDA_MAX]


def _add_entry(
    scope: Scope, meeting: Meeting, item: Item, carried_from: AgendaEntry | None = None
) -> AgendaEntry:
    last = meeting.entries.aggregate(m=Max("order"))["m"] or 0
    entry = AgendaEntry.objects.create(
        meeting=meeting, item=item, order=last + 1, carried_from=carried_from
    )
    audit.created(scope, entry, ENTRY_FIELDS, commune_code=meeting.commune_id)
    return entry


@transaction.atomic
def meeting_create(
    *,
    scope: Scope,
    held_on: dt.date,
    place: str = "",
    chair: User | None = None,
    secretary: User | None = None,
    attendees: Sequence[User] = (),
    items: Sequence[Item] | None = None,
) -> Meeting:
    """A draft meeting; its agenda is ``items`` or, when not given, the open items of the
    board (:func:`open_items_first`)."""
    _require(scope)
    _check_people(scope, chair, [*attendees, *([secretary] if secretary else [])])
    place = (place or "").strip()
    if len(place) > 200:
        raise ValidationError({"place": [_("At most %(n)s characters.") % {"n": 200}]})
    meeting = Meeting(
        commune_id=scope.commune_code,
        held_on=held_on,
        place=place,
        chair=chair,
        secretary=secretary or scope.user,
    )
    with audit.tracked(scope, meeting, MEETING_FIELDS, commune_code=scope.commune_code):
        meeting.save()
    meeting.attendees.set(attendees)
    chosen = open_items_first(scope, today=held_on) if items is None else items
    for item in chosen:
        if item.commune_id != scope.commune_code:
            raise PermissionDenied(_message())
        _add_entry(scope, meeting, item)
    return meeting


@transaction.atomic
def meeting_update(
    *,
    scope: Scope,
    meeting: Meeting,
    held_on: dt.date,
    place: str = "",
    chair: User | None = None,
    attendees: Sequence[User] = (),
) -> Meeting:
    """Change the date, place, chair or attendees of a meeting not closed yet (the one made
    a week later for the postponed items, for instance)."""
    meeting = _lock(meeting)
    _require(scope, meeting)
    _ensure_status(meeting, MeetingStatus.DRAFT, MeetingStatus.HELD)
    _check_people(scope, chair, attendees)
    place = (place or "").strip()
    if len(place) > 200:
        raise ValidationError({"place": [_("At most %(n)s characters.") % {"n": 200}]})
    before = sorted(meeting.attendees.values_list("pk", flat=True))
    with audit.tracked(scope, meeting, MEETING_FIELDS, commune_code=meeting.commune_id):
        meeting.held_on, meeting.place, meeting.chair = held_on, place, chair
        meeting.save()
    meeting.attendees.set(attendees)
    audit.record(
        actor=scope,
        instance=meeting,
        action=AuditAction.UPDATE,
        before={"attendees": before},
        after={"attendees": sorted(u.pk for u in attendees)},
        commune_code=meeting.commune_id,
    )
    return meeting


@transaction.atomic
def meeting_agenda_add(*, scope: Scope, meeting: Meeting, item: Item) -> AgendaEntry:
    """Put an item of the board on a draft meeting's agenda (last); already there: that entry."""
    meeting = _lock(meeting)
    _require(scope, meeting)
    _ensure_status(meeting, MeetingStatus.DRAFT)
    if item.commune_id != meeting.commune_id:
        raise PermissionDenied(_message())
    found = meeting.entries.filter(item=item).first()
    return found or _add_entry(scope, meeting, item)


@transaction.atomic
def meeting_agenda_remove(*, scope: Scope, entry: AgendaEntry) -> None:
    meeting = _lock(entry.meeting)
    _require(scope, meeting)
    _ensure_status(meeting, MeetingStatus.DRAFT)
    audit.record(
        actor=scope,
        instance=entry,
        action=AuditAction.DELETE,
        before=audit.snapshot(entry, ENTRY_FIELDS),
        commune_code=meeting.commune_id,
    )
    entry.delete()


@transaction.atomic
def meeting_agenda_move(*, scope: Scope, entry: AgendaEntry, up: bool) -> None:
    """Move an entry one place up or down the agenda (the first stays first)."""
    meeting = _lock(entry.meeting)
    _require(scope, meeting)
    _ensure_status(meeting, MeetingStatus.DRAFT)
    entries = list(meeting.entries.order_by("order", "id"))
    at = next(i for i, e in enumerate(entries) if e.pk == entry.pk)
    other = at - 1 if up else at + 1
    if not 0 <= other < len(entries):
        return
    entries[at], entries[other] = entries[other], entries[at]
    for order, e in enumerate(entries, 1):
        if e.order != order:
            with audit.tracked(scope, e, ["order"], commune_code=meeting.commune_id):
                e.order = order
                e.save(update_fields=["order"])


@transaction.atomic
def meeting_hold(*, scope: Scope, meeting: Meeting) -> Meeting:
    """The meeting took place: its agenda is fixed, its minutes are written."""
    meeting = _lock(meeting)
    _require(scope, meeting)
    if meeting.status != MeetingStatus.DRAFT:
        return meeting
    with audit.tracked(scope, meeting, MEETING_FIELDS, commune_code=meeting.commune_id):
        meeting.status = MeetingStatus.HELD
        meeting.save(update_fields=["status"])
    return meeting


def _follow_up(
    scope: Scope,
    entry: AgendaEntry,
    *,
    title: str,
    assignee: User | None,
    due_date: dt.date | None,
    decision: str,
) -> Item:
    item = entry.item
    if item.village_id is None:
        raise ValidationError(
            {"follow_up_title": [_("An announcement's decision cannot create a task.")]}
        )
    return item_report(
        scope=scope,
        kind=ItemKind.TASK,
        topic=item.topic,
        title=title,
        village=item.village,
        household=item.household,
        body=decision,
        priority=item.priority,
        due_date=due_date,
        assignees=[assignee] if assignee else [],
    )


@transaction.atomic
def meeting_decide(
    *,
    scope: Scope,
    entry: AgendaEntry,
    decision: str = "",
    postpone: bool = False,
    follow_up_title: str = "",
    assignee: User | None = None,
    due_date: dt.date | None = None,
) -> AgendaEntry:
    """The minutes of one entry: the decision taken (and, with ``follow_up_title``, the task
    it gives, once), or postponed (``postpone``: carried over when the meeting is closed)."""
    meeting = _lock(entry.meeting)
    _require(scope, meeting)
    _ensure_status(meeting, MeetingStatus.DRAFT, MeetingStatus.HELD)
    entry = AgendaEntry.objects.select_related("item__village", "item__household").get(pk=entry.pk)
    decision = (decision or "").strip()
    follow_up_title = (follow_up_title or "").strip()
    errors: dict[str, list[str]] = {}
    if len(decision) > TEXT_MAX:
        errors["decision"] = [_("At most %(n)s characters.") % {"n": TEXT_MAX}]
    if not postpone and not decision:
        errors["decision"] = [_("Write the decision, or postpone the item.")]
    if len(follow_up_title) > TITLE_MAX:
        errors["follow_up_title"] = [_("At most %(n)s characters.") % {"n": TITLE_MAX}]
    if (assignee or due_date) and not follow_up_title and entry.follow_up_id is None:
        errors["follow_up_title"] = [_("Write what the follow-up task is.")]
    if postpone and follow_up_title:
        errors["follow_up_title"] = [_("A postponed item gives no task yet.")]
    if errors:
        raise ValidationError(errors)
    with audit.tracked(scope, entry, ENTRY_FIELDS, commune_code=meeting.commune_id):
        entry.outcome = Outcome.POSTPONED if postpone else Outcome.DECIDED
        entry.decision = decision
        if follow_up_title and entry.follow_up_id is None:
            entry.follow_up = _follow_up(
                scope,
                entry,
                title=follow_up_title,
                assignee=assignee,
                due_date=due_date,
                decision=decision,
            )
        entry.save()
    return entry


def _next_meeting(scope: Scope, meeting: Meeting) -> Meeting:
    """The next draft meeting of the commune, or a new one a week later."""
    found = (
        Meeting.objects.select_for_update()
        .filter(commune_id=meeting.commune_id, status=MeetingStatus.DRAFT)
        .exclude(pk=meeting.pk)
        .order_by("held_on", "id")
        .first()
    )
    if found is not None:
        return found
    return meeting_create(
        scope=scope,
        held_on=meeting.held_on + NEXT_MEETING,
        place=meeting.place,
        chair=meeting.chair,
        secretary=meeting.secretary,
        attendees=list(meeting.attendees.all()),
        items=[],
    )


@transaction.atomic
def meeting_close(*, scope: Scope, meeting: Meeting, at: dt.datetime | None = None) -> Meeting:
    """Close the minutes: every entry decided or postponed; the postponed items still open go
    on the next draft meeting (returned as ``meeting.carried_to``). Closing a closed meeting
    changes nothing."""
    meeting = _lock(meeting)
    _require(scope, meeting)
    meeting.carried_to = None  # type: ignore[attr-defined]
    if meeting.status == MeetingStatus.CLOSED:
        return meeting
    entries = list(meeting.entries.select_related("item").order_by("order", "id"))
    undecided = [e for e in entries if e.outcome == Outcome.PENDING]
    if undecided:
        titles = ", ".join(f"“{e.item.title}”" for e in undecided[:5])
        raise ValidationError(
            _("Write a decision for every item or postpone it: %(items)s.") % {"items": titles}
        )
    with audit.tracked(scope, meeting, MEETING_FIELDS, commune_code=meeting.commune_id):
        meeting.status = MeetingStatus.CLOSED
        meeting.closed_at = at or timezone.now()
        meeting.save(update_fields=["status", "closed_at"])
    carried = [e for e in entries if e.outcome == Outcome.POSTPONED and e.item.is_open]
    if carried:
        target = _next_meeting(scope, meeting)
        on_it = set(target.entries.values_list("item_id", flat=True))
        for e in carried:
            if e.item_id not in on_it:
                _add_entry(scope, target, e.item, carried_from=e)
        meeting.carried_to = target  # type: ignore[attr-defined]
    return meeting
