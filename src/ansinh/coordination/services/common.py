"""What the coordination services share: the audited fields, texts and keys, photos stored
and removed on failure, activity and the first response, mentions, assignees."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from ansinh.accounts.choices import Role
from ansinh.accounts.models import User
from ansinh.accounts.scopes import Scope, scope_for
from ansinh.coordination import mentions
from ansinh.coordination import photos as photo_store
from ansinh.coordination.choices import EntryKind
from ansinh.coordination.models import Assignment, Comment, Item, Mention, Photo
from ansinh.coordination.permissions import sees
from ansinh.core import audit
from ansinh.core.models import AuditAction
from ansinh.places.models import Village
from ansinh.registry.models import Household

ITEM_FIELDS = [
    "kind",
    "village",
    "household",
    "topic",
    "priority",
    "status",
    "audience",
    "title",
    "body",
    "due_date",
    "outcome",
]
EDIT_FIELDS = ["title", "body", "topic", "priority", "due_date", "household"]
STATUS_FIELDS = ["status", "outcome", "resolved_at", "closed_at", "reopened"]
COMMENT_FIELDS = ["item", "text"]
PHOTO_FIELDS = ["item", "comment", "width", "height", "size"]
TITLE_MAX = 200
TEXT_MAX = 4000
REPEAT_WINDOW = dt.timedelta(minutes=2)
_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")
ASSIGNABLE = (Role.OFFICER, Role.COMMITTEE, Role.VILLAGE_HEAD)


def _user(scope: Scope) -> User | None:
    return scope.user


def _clean_key(key: str) -> str:
    key = (key or "").strip()
    return key if _KEY.fullmatch(key) else ""


def _text(value: str, limit: int, field: str, errors: dict[str, list[str]]) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        errors.setdefault(field, []).append(
            _("At most %(n)s characters (this text has %(len)s).") % {"n": limit, "len": len(text)}
        )
    return text


def _check_household(
    household: Household | None, village: Village | None, scope: Scope, errors: dict[str, list[str]]
) -> None:
    if household is None:
        return
    if household.commune_id != scope.commune_code or not scope.allows_village(household.village_id):
        raise PermissionDenied(_("You cannot link this household."))
    if village is None or household.village_id != village.pk:
        errors.setdefault("household", []).append(
            _("Household %(code)s is not in the chosen village.") % {"code": household.code}
        )


def _prepared(uploads: Sequence[Any]) -> list[photo_store.Prepared]:
    if len(uploads) > photo_store.MAX_PHOTOS:
        raise ValidationError(
            {"photos": [_("At most %(n)s photos at a time.") % {"n": photo_store.MAX_PHOTOS}]}
        )
    out = []
    for upload in uploads:
        try:
            out.append(photo_store.prepare(upload))
        except ValidationError as exc:
            raise ValidationError({"photos": exc.messages}) from None
    return out


@contextmanager
def _stored(
    prepared: list[photo_store.Prepared], commune_code: int
) -> Iterator[list[tuple[str, photo_store.Prepared]]]:
    """Store the photos; if the block fails, remove them again."""
    names = [(photo_store.store(p, commune_code), p) for p in prepared]
    try:
        yield names
    except BaseException:
        photo_store.remove(commune_code, [n for n, _p in names])
        raise


def _add_photos(
    scope: Scope,
    item: Item,
    stored: list[tuple[str, photo_store.Prepared]],
    comment: Comment | None,
    at: dt.datetime,
) -> None:
    for name, prepared in stored:
        photo = Photo.objects.create(
            item=item,
            comment=comment,
            uploaded_by=_user(scope),
            stored_name=name,
            width=prepared.width,
            height=prepared.height,
            size=len(prepared.data),
            created_at=at,
        )
        audit.created(
            scope, photo, PHOTO_FIELDS, commune_code=item.commune_id, household_id=item.household_id
        )
    item.photo_count += len(stored)


def _touch(scope: Scope, item: Item, at: dt.datetime, *, response: bool = True) -> list[str]:
    """Mark activity on ``item`` (not saved). The first response is the first act of someone
    other than the reporter, or of an assignee (the officer who gave a task to themself and
    acknowledges it). Returns the fields changed."""
    item.last_activity_at = max(at, item.last_activity_at)
    changed = ["last_activity_at"]
    if not response or item.first_response_at is not None:
        return changed
    user = _user(scope)
    responds = (
        user is None
        or user.pk != item.reported_by_id
        or Assignment.objects.filter(item=item, user=user).exists()
    )
    if responds:
        item.first_response_at = at
        changed.append("first_response_at")
    return changed


def _mention(item: Item, text: str, comment: Comment | None, at: dt.datetime) -> list[str]:
    """Store the mentions of ``text``: users of the commune who can see the item. Returns the
    names that could not be resolved (unknown, another commune, cannot see the item)."""
    names = mentions.names_in(text)
    if not names:
        return []
    users = {
        u.username.lower(): u
        for u in User.objects.annotate(lname=Lower("username")).filter(
            commune_id=item.commune_id, is_active=True, lname__in=names
        )
    }
    unresolved = []
    for name in names:
        user = users.get(name)
        if user is None or not user.role or not sees(scope_for(user), item):
            unresolved.append(name)
            continue
        Mention.objects.get_or_create(
            item=item, comment=comment, user=user, defaults={"created_at": at}
        )
    return unresolved


def _check_assignees(item: Item, users: Sequence[User]) -> None:
    """Each of ``users`` may be assigned ``item``: an active user of its commune who works on
    the board, a village head only of the item's village (one query for all of them)."""
    heads = [u.pk for u in users if u.role == Role.VILLAGE_HEAD]
    of_village: set[int] = set()
    if heads and item.village_id is not None:
        of_village = set(
            User.villages.through.objects.filter(
                user_id__in=heads, village_id=item.village_id
            ).values_list("user_id", flat=True)
        )
    for user in users:
        ok = user.is_active and user.commune_id == item.commune_id and user.role in ASSIGNABLE
        if ok and user.role == Role.VILLAGE_HEAD:
            ok = user.pk in of_village
        if not ok:
            raise ValidationError(
                {"assignees": [_("%(name)s cannot be assigned this item.") % {"name": user}]}
            )


def _set_assignees(scope: Scope, item: Item, users: Sequence[User], at: dt.datetime) -> bool:
    """Make ``users`` the item's assignees; a thread event and an audit entry when it
    changed. Returns whether it changed."""
    before = sorted(item.assignments.values_list("user_id", flat=True))
    after = sorted({u.pk for u in users})
    if before == after:
        return False
    if set(before) - set(after):
        Assignment.objects.filter(item=item).exclude(user_id__in=after).delete()
    new = set(after) - set(before)
    # One INSERT for the new assignees (the item is locked: nobody adds them meanwhile).
    Assignment.objects.bulk_create(
        [
            Assignment(item=item, user_id=pk, assigned_by=_user(scope), assigned_at=at)
            for pk in sorted(new)
        ]
    )
    names = ", ".join(str(u) for u in sorted(users, key=lambda u: str(u))) if users else ""
    Comment.objects.create(
        item=item, author=_user(scope), kind=EntryKind.ASSIGN, text=names, created_at=at
    )
    audit.record(
        actor=scope,
        instance=item,
        action=AuditAction.UPDATE,
        before={"assignees": before},
        after={"assignees": after},
        commune_code=item.commune_id,
        household_id=item.household_id,
    )
    return True
