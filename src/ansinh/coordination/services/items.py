"""Items: reported, changed, moved through the workflow, assigned."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.accounts.models import User
from ansinh.accounts.scopes import Scope
from ansinh.coordination import notify, workflow
from ansinh.coordination import photos as photo_store
from ansinh.coordination.choices import (
    Action,
    Audience,
    EntryKind,
    ItemKind,
    ItemStatus,
    Priority,
    Topic,
)
from ansinh.coordination.models import Comment, Item
from ansinh.coordination.permissions import (
    ASSIGN,
    CREATE_ACTION,
    EDIT,
    ensure,
)
from ansinh.coordination.services.announcements import recipients_add
from ansinh.coordination.services.common import (
    EDIT_FIELDS,
    ITEM_FIELDS,
    STATUS_FIELDS,
    TEXT_MAX,
    TITLE_MAX,
    _add_photos,
    _check_assignees,
    _check_household,
    _clean_key,
    _mention,
    _prepared,
    _set_assignees,
    _stored,
    _text,
    _touch,
    _user,
)
from ansinh.core import audit
from ansinh.places.models import Village
from ansinh.registry.models import Household


def _check_new(
    scope: Scope,
    *,
    kind: str,
    topic: str,
    priority: int,
    audience: str,
    village: Village | None,
    household: Household | None,
    due_date: dt.date | None,
    at: dt.datetime,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if topic not in Topic.values:
        errors["topic"] = [_("Choose a topic.")]
    if priority not in Priority.values:
        errors["priority"] = [_("Choose a priority.")]
    if kind == ItemKind.ANNOUNCEMENT:
        if audience not in Audience.values:
            errors["audience"] = [_("Say whom the announcement is for.")]
        if village is not None or household is not None:
            errors[NON_FIELD_ERRORS] = [_("An announcement is for the whole commune.")]
    elif village is None:
        errors["village"] = [_("Choose the village.")]
    if village is not None and village.commune_id != scope.commune_code:
        raise PermissionDenied(_("You can report only for your own villages."))
    _check_household(household, village, scope, errors)
    if due_date is not None and due_date < timezone.localtime(at).date():
        errors["due_date"] = [_("The due date has already passed.")]
    return errors


def _sent_before(scope: Scope, key: str) -> Item | None:
    """The item this person's form with ``key`` already made, if any."""
    qs = Item.objects.filter(commune_id=scope.commune_code, submit_key=key)
    return qs.filter(reported_by=_user(scope)).first()


@transaction.atomic
def item_report(
    *,
    scope: Scope,
    kind: str,
    topic: str,
    title: str,
    village: Village | None = None,
    household: Household | None = None,
    body: str = "",
    priority: int = Priority.NORMAL,
    due_date: dt.date | None = None,
    audience: str = "",
    assignees: Sequence[User] = (),
    recipients: Sequence[User] = (),
    photos: Sequence[Any] = (),
    key: str = "",
    at: dt.datetime | None = None,
) -> Item:
    """A new item on the board: a problem or a question (a village head, for their villages),
    a task or an announcement (the officer, the committee). The same form sent again
    (``key``) gives the item it made the first time. An announcement goes to its audience, or
    to the village heads ``recipients`` when chosen; everyone concerned gets a message.
    Long on purpose: the checks of a new item in the order the form asks them."""
    if kind not in ItemKind.values:
        raise ValidationError({"kind": [_("Choose what kind of item this is.")]})
    at = at or timezone.now()
    village_id = village.pk if village is not None else None
    ensure(scope, CREATE_ACTION[kind], commune_code=scope.commune_code, village_id=village_id)
    if assignees:
        ensure(scope, ASSIGN, commune_code=scope.commune_code)
    key = _clean_key(key)
    if key and (done := _sent_before(scope, key)) is not None:
        return done
    audience = (audience or Audience.EVERYONE) if kind == ItemKind.ANNOUNCEMENT else ""
    if recipients and kind == ItemKind.ANNOUNCEMENT:  # chosen village heads: for them only
        audience = Audience.VILLAGE_HEADS
    errors = _check_new(
        scope,
        kind=kind,
        topic=topic,
        priority=priority,
        audience=audience,
        village=village,
        household=household,
        due_date=due_date,
        at=at,
    )
    title = _text(title, TITLE_MAX, "title", errors)
    if not title:
        errors.setdefault("title", []).append(_("Write a short title."))
    body = _text(body, TEXT_MAX, "body", errors)
    if errors:
        raise ValidationError(errors)
    prepared = _prepared(photos)
    with _stored(prepared, scope.commune_code) as stored:
        item = Item(
            commune_id=scope.commune_code,
            village=village,
            household=household,
            kind=kind,
            topic=topic,
            priority=priority,
            audience=audience,
            title=title,
            body=body,
            due_date=due_date,
            reported_by=_user(scope),
            created_at=at,
            last_activity_at=at,
            submit_key=key,
        )
        try:
            with transaction.atomic():
                item.save()
        except IntegrityError:  # the same form at the same moment: the first one stands
            if key and (done := _sent_before(scope, key)) is not None:
                photo_store.remove(scope.commune_code, [n for n, _p in stored])
                return done
            raise
        audit.created(
            scope, item, ITEM_FIELDS, commune_code=item.commune_id, household_id=item.household_id
        )
        if assignees:
            _check_assignees(item, assignees)
            _set_assignees(scope, item, assignees, at)
        _add_photos(scope, item, stored, None, at)
        item.unresolved_mentions = _mention(item, body, None, at)  # type: ignore[attr-defined]
        item.save(update_fields=["photo_count"])
        if kind == ItemKind.ANNOUNCEMENT:
            recipients_add(scope, item, recipients, at)
        notify.reported(scope, item, at)
    return item


@transaction.atomic
def item_update(
    *,
    scope: Scope,
    item: Item,
    title: str,
    body: str,
    topic: str,
    priority: int,
    due_date: dt.date | None,
    household: Household | None,
    at: dt.datetime | None = None,
) -> Item:
    """Change what an item says (its triage: topic, priority, due date, household)."""
    item = Item.objects.select_for_update().get(pk=item.pk)
    ensure(scope, EDIT, commune_code=item.commune_id, item=item)
    at = at or timezone.now()
    errors = _check_new(
        scope,
        kind=item.kind,
        topic=topic,
        priority=priority,
        audience=item.audience,
        village=item.village,
        household=household,
        due_date=due_date if due_date != item.due_date else None,
        at=at,
    )
    title = _text(title, TITLE_MAX, "title", errors)
    if not title:
        errors.setdefault("title", []).append(_("Write a short title."))
    body = _text(body, TEXT_MAX, "body", errors)
    if errors:
        raise ValidationError(errors)
    with audit.tracked(
        scope, item, EDIT_FIELDS, commune_code=item.commune_id, household_id=item.household_id
    ):
        item.title, item.body, item.topic, item.priority = title, body, topic, priority
        item.due_date, item.household = due_date, household
        item.last_activity_at = max(at, item.last_activity_at)
        item.save()
    return item


@transaction.atomic
def item_transition(
    *, scope: Scope, item: Item, action: str, note: str = "", at: dt.datetime | None = None
) -> Item:
    """Move an item one step of the workflow (acknowledge, start, finish, close, reopen). The
    outcome of ``finish`` and the reason of a close or a reopen go on the item and in its
    thread."""
    item = Item.objects.select_for_update().get(pk=item.pk)
    ensure(scope, action, commune_code=item.commune_id, item=item)
    target = workflow.target(item.kind, item.status, action)
    at = at or timezone.now()
    errors: dict[str, list[str]] = {}
    note = _text(note, TEXT_MAX, "note", errors)
    if workflow.needs_note(item.kind, item.status, action) and not note:
        errors["note"] = [
            _("Write the outcome: what was done, or the answer.")
            if action == Action.FINISH
            else _("Write the reason.")
        ]
    if errors:
        raise ValidationError(errors)
    with audit.tracked(
        scope, item, STATUS_FIELDS, commune_code=item.commune_id, household_id=item.household_id
    ):
        if action == Action.FINISH or (action == Action.CLOSE and item.status != ItemStatus.DONE):
            item.outcome = note or item.outcome
        if target in (ItemStatus.DONE, ItemStatus.CLOSED) and item.resolved_at is None:
            item.resolved_at = at
        if target == ItemStatus.CLOSED:
            item.closed_at = at
        if action == Action.REOPEN:  # the old outcome stays in the thread, not on the item
            item.resolved_at = item.closed_at = None
            item.outcome = ""
            item.reopened += 1
        item.status = target
        _touch(scope, item, at)
        item.save()
    event = Comment.objects.create(
        item=item,
        author=_user(scope),
        kind=EntryKind.STATUS,
        status_to=target,
        text=note,
        created_at=at,
    )
    notify.answered(scope, item, event, at)
    return item


@transaction.atomic
def item_assign(
    *, scope: Scope, item: Item, users: Sequence[User], at: dt.datetime | None = None
) -> Item:
    """Assign ``users`` (the whole set: those left out are unassigned)."""
    item = Item.objects.select_for_update().get(pk=item.pk)
    ensure(scope, ASSIGN, commune_code=item.commune_id, item=item)
    if item.kind == ItemKind.ANNOUNCEMENT:
        raise ValidationError({"assignees": [_("An announcement is not assigned.")]})
    if not item.is_open:
        raise ValidationError({"assignees": [_("This item is finished: reopen it first.")]})
    at = at or timezone.now()
    _check_assignees(item, users)
    if _set_assignees(scope, item, users, at):
        # assigning is a response when someone else does it, not the reporter's own triage
        by_other = scope.user is None or scope.user.pk != item.reported_by_id
        item.save(update_fields=_touch(scope, item, at, response=by_other))
        notify.assigned(scope, item, at)
    return item
