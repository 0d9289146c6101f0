"""Messages of the coordination board, queued through the messaging outbox (Zalo ZNS, SMS when
Zalo fails; the dispatcher keeps the quiet hours and the refusals).

Who gets what: someone assigned an item, someone mentioned (``@tên``), the reporter and the
assignees when someone else comments or moves the item ("answered"), the people an
announcement is for (and the reminder to those who have not read it), the officer's daily
digest of overdue items. Never the person who made the change, nobody twice for one change
(a mention wins over "answered"), each as their setting says (:class:`NotifyChoice`: all,
only assigned and mentions, none), and only to a valid phone number: a user without one sees
the item in the application only (the unread counter), the outbox never gets a row without a
number.

The rows are queued in the caller's transaction (a failed change queues nothing) with a key
made of the item, the event, the change (the comment, the assignment) and the user: a retried
request, which the services answer with the same comment or assignment, queues nothing again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from ansinh.accounts.models import User
from ansinh.accounts.scopes import Scope
from ansinh.coordination.choices import NotifyChoice
from ansinh.coordination.models import Assignment, Comment, Item, Mention, NotifySetting
from ansinh.core.identifiers import IdentifierError, normalize_phone
from ansinh.messaging.choices import Channel
from ansinh.messaging.services import messages_enqueue_bulk

#: The outbox topic of these messages (named in ``CoordinationConfig.ready``).
TOPIC = "coordination"
#: The Zalo ZNS template (``ANSINH_ZNS_TEMPLATE_COORD``); SMS when Zalo is off or fails.
ZNS_TEMPLATE = "coord"
#: A message not sent within this time is dropped (expired): it would come too late.
EXPIRES = dt.timedelta(days=2)
TITLE_CHARS = 60


class Event(StrEnum):
    ASSIGNED = "assigned"
    MENTIONED = "mentioned"
    ANSWERED = "answered"
    ANNOUNCED = "announced"
    REMINDED = "reminded"
    DIGEST = "digest"


#: The events each setting receives by message.
RECEIVES: dict[str, frozenset[Event]] = {
    NotifyChoice.ALL: frozenset(Event),
    NotifyChoice.MINE: frozenset(
        {Event.ASSIGNED, Event.MENTIONED, Event.ANNOUNCED, Event.REMINDED, Event.DIGEST}
    ),
    NotifyChoice.NONE: frozenset(),
}
#: When one change concerns a user in two ways, the first of these is sent.
RANK = [Event.ASSIGNED, Event.MENTIONED, Event.ANNOUNCED, Event.REMINDED, Event.ANSWERED]


def choice_of(user: User) -> str:
    setting = NotifySetting.objects.filter(user=user).first()
    return setting.choice if setting is not None else NotifyChoice.ALL


def choices(user_ids: Iterable[int]) -> dict[int, str]:
    return dict(
        NotifySetting.objects.filter(user_id__in=list(user_ids)).values_list("user_id", "choice")
    )


def phone_of(user: User) -> str:
    """The user's number in E.164, or "" (none, or not a valid Vietnamese number)."""
    try:
        return normalize_phone(user.phone) if user.phone else ""
    except IdentifierError:
        return ""


def _short(title: str) -> str:
    return title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1].rstrip() + "…"


def text_for(event: Event, item: Item, actor: Any, extra: str = "") -> str:
    """The message in Vietnamese (the officers' and village heads' language)."""
    with translation.override("vi"):
        values = {"n": item.pk, "title": _short(item.title), "who": str(actor or "ansinh")}
        texts = {
            Event.ASSIGNED: _('ansinh: %(who)s assigned you item #%(n)s "%(title)s".'),
            Event.MENTIONED: _('ansinh: %(who)s mentioned you on item #%(n)s "%(title)s".'),
            Event.ANSWERED: _('ansinh: %(who)s answered on item #%(n)s "%(title)s".'),
            Event.ANNOUNCED: _('ansinh: announcement from %(who)s: "%(title)s".'),
            Event.REMINDED: _('ansinh: reminder, please read the announcement "%(title)s".'),
        }
        text = texts[event] % values if event in texts else extra
        return f"{text} {_('Open ansinh, Coordination.')}"


def queue(
    *,
    item: Item,
    targets: dict[User, tuple[Event, str]],
    actor: User | None,
    at: dt.datetime,
) -> int:
    """Queue one message per target (``user: (event, ref)``) that wants it and has a number;
    returns how many rows the outbox got."""
    chosen = choices(u.pk for u in targets)
    rows: list[dict[str, Any]] = []
    for user, (event, ref) in targets.items():
        if actor is not None and user.pk == actor.pk:
            continue
        if not wants(user, event, chosen):
            continue
        phone = phone_of(user)
        if not phone:
            continue
        key = f"coord:{item.pk}:{event}:{ref}:{user.pk}"
        rows.append(row(key, phone, text_for(event, item, actor), item.commune_id, at))
    return messages_enqueue_bulk(rows) if rows else 0


def wants(user: User, event: Event, chosen: dict[int, str]) -> bool:
    """Whether ``user`` (active) wants a message of ``event`` (``chosen``: their settings)."""
    return user.is_active and event in RECEIVES[chosen.get(user.pk, NotifyChoice.ALL)]


def row(key: str, phone: str, text: str, commune_code: int, at: dt.datetime) -> dict[str, Any]:
    """An outbox row as :func:`messages_enqueue_bulk` takes it: Zalo, SMS when Zalo fails."""
    return {
        "key": key,
        "to": phone,
        "channel": Channel.ZALO,
        "sms_text": text,
        "zalo_template": ZNS_TEMPLATE,
        "zalo_data": {"text": text},
        "topic": TOPIC,
        "commune_code": commune_code,
        "expires_at": at + EXPIRES,
    }


def _add(targets: dict[User, tuple[Event, str]], users: Iterable[User], event: Event, ref: str):  # type: ignore[no-untyped-def]
    for user in users:
        old = targets.get(user)
        if old is None or RANK.index(event) < RANK.index(old[0]):
            targets[user] = (event, ref)


def _users(qs: QuerySet[Any], field: str = "user") -> list[User]:
    return [getattr(row, field) for row in qs.select_related(field)]


def assigned(scope: Scope, item: Item, at: dt.datetime) -> int:
    """The people assigned at ``at`` (the rows this change created)."""
    targets: dict[User, tuple[Event, str]] = {}
    for a in Assignment.objects.filter(item=item, assigned_at=at).select_related("user"):
        _add(targets, [a.user], Event.ASSIGNED, f"a{a.pk}")
    return queue(item=item, targets=targets, actor=scope.user, at=at)


def reported(scope: Scope, item: Item, at: dt.datetime) -> int:
    """A new item: its assignees, and those its details mention."""
    targets: dict[User, tuple[Event, str]] = {}
    for a in Assignment.objects.filter(item=item).select_related("user"):
        _add(targets, [a.user], Event.ASSIGNED, f"a{a.pk}")
    mentioned = _users(Mention.objects.filter(item=item, comment__isnull=True))
    _add(targets, mentioned, Event.MENTIONED, "body")
    return queue(item=item, targets=targets, actor=scope.user, at=at)


def answered(scope: Scope, item: Item, comment: Comment, at: dt.datetime) -> int:
    """A comment or a status change: those it mentions; the reporter and the assignees."""
    targets: dict[User, tuple[Event, str]] = {}
    _add(
        targets, _users(Mention.objects.filter(comment=comment)), Event.MENTIONED, f"c{comment.pk}"
    )
    concerned = list(
        User.objects.filter(pk__in=Assignment.objects.filter(item=item).values("user_id"))
    )
    if item.reported_by is not None:
        concerned.append(item.reported_by)
    _add(targets, concerned, Event.ANSWERED, f"c{comment.pk}")
    return queue(item=item, targets=targets, actor=scope.user, at=at)


def announced(
    scope: Scope, item: Item, users: Iterable[User], event: Event, ref: str, at: dt.datetime
) -> int:
    targets: dict[User, tuple[Event, str]] = {}
    _add(targets, users, event, ref)
    return queue(item=item, targets=targets, actor=scope.user, at=at)
