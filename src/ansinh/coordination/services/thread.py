"""The thread of an item: comments (with photos and mentions) and who has seen it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.accounts.models import User
from ansinh.accounts.permissions import allows
from ansinh.accounts.scopes import Scope
from ansinh.coordination import notify
from ansinh.coordination import photos as photo_store
from ansinh.coordination.choices import (
    EntryKind,
    ItemStatus,
)
from ansinh.coordination.models import (
    Assignment,
    Comment,
    Item,
    ItemRead,
    Mention,
    Recipient,
)
from ansinh.coordination.permissions import (
    COMMENT,
    ensure,
    sees,
)
from ansinh.coordination.services.announcements import receipt
from ansinh.coordination.services.common import (
    COMMENT_FIELDS,
    REPEAT_WINDOW,
    TEXT_MAX,
    _add_photos,
    _clean_key,
    _mention,
    _prepared,
    _stored,
    _text,
    _touch,
    _user,
)
from ansinh.core import audit


def _repeated(scope: Scope, item: Item, text: str, key: str, at: dt.datetime) -> Comment | None:
    """The comment this form (or the same text a moment ago) already made, if any."""
    if key:
        done = Comment.objects.filter(item=item, key=key).first()
        if done is not None:
            return done
    if not text:
        return None
    return (
        Comment.objects.filter(
            item=item,
            author=_user(scope),
            kind=EntryKind.COMMENT,
            text=text,
            created_at__gte=at - REPEAT_WINDOW,
        )
        .order_by("-created_at")
        .first()
    )


@transaction.atomic
def comment_add(
    *,
    scope: Scope,
    item: Item,
    text: str,
    key: str = "",
    photos: Sequence[Any] = (),
    at: dt.datetime | None = None,
) -> Comment:
    """A comment (with photos) in an item's thread; ``@username`` mentions are stored. The
    same form sent again (``key``), or the same text by the same person a moment later, gives
    the comment made the first time. ``unresolved_mentions`` on the result lists the names
    that are nobody of the commune who can see the item."""
    item = Item.objects.select_for_update().get(pk=item.pk)
    ensure(scope, COMMENT, commune_code=item.commune_id, item=item)
    if item.status == ItemStatus.CLOSED:
        raise ValidationError({"text": [_("This item is closed: reopen it to continue.")]})
    at = at or timezone.now()
    errors: dict[str, list[str]] = {}
    text = _text(text, TEXT_MAX, "text", errors)
    if errors:
        raise ValidationError(errors)
    key = _clean_key(key)
    if (done := _repeated(scope, item, text, key, at)) is not None:
        done.unresolved_mentions = []  # type: ignore[attr-defined]
        return done
    if not text and not photos:
        raise ValidationError({"text": [_("Write a comment or attach a photo.")]})
    prepared = _prepared(photos)
    with _stored(prepared, item.commune_id) as stored:
        comment = Comment(item=item, author=_user(scope), text=text, key=key, created_at=at)
        try:
            with transaction.atomic():
                comment.save()
        except IntegrityError:  # the same form at the same moment: the first one stands
            if key:
                photo_store.remove(item.commune_id, [n for n, _p in stored])
                return Comment.objects.get(item=item, key=key)
            raise
        audit.created(
            scope,
            comment,
            COMMENT_FIELDS,
            commune_code=item.commune_id,
            household_id=item.household_id,
        )
        _add_photos(scope, item, stored, comment, at)
        comment.unresolved_mentions = _mention(item, text, comment, at)  # type: ignore[attr-defined]
        item.comment_count += 1
        item.save(update_fields=["comment_count", "photo_count", *_touch(scope, item, at)])
        notify.answered(scope, item, comment, at)
        _seen(scope, item, at)  # one's own comment is read
    return comment


def item_seen(*, scope: Scope, item: Item, at: dt.datetime | None = None) -> None:
    """Remember that the user opened ``item`` (the unread counter compares it with the
    item's last activity; an announcement's read receipt). Not audited: nothing of the item
    changes. Only those the item concerns leave a trace (see :func:`_concerns`): an auditor's
    or a province officer's look is nobody's read."""
    _seen(scope, item, at or timezone.now())


def _concerns(scope: Scope, user: User, item: Item) -> bool:
    """Whether ``item`` is one of ``user``'s (their unread counter may count it): every item
    of the commune for the officer and the committee, who work the whole board; for a village
    head, what they reported, are assigned, were mentioned in or an announcement for them.
    Read-only roles (auditors, province officers) have none."""
    if not allows(scope, item.commune_id, "contribute"):
        return False
    if scope.can_approve or item.reported_by_id == user.pk:
        return True
    mine = (
        Q(Exists(Assignment.objects.filter(item=item, user=user)))
        | Q(Exists(Mention.objects.filter(item=item, user=user)))
        | Q(Exists(Recipient.objects.filter(item=item, user=user)))
    )
    return Item.objects.filter(mine, pk=item.pk).exists()


def _seen(scope: Scope, item: Item, at: dt.datetime) -> None:
    user = _user(scope)
    if user is None or not sees(scope, item) or not _concerns(scope, user, item):
        return
    ItemRead.objects.update_or_create(item=item, user=user, defaults={"seen_at": at})
    receipt(user, item, at)
