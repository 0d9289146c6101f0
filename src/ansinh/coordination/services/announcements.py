"""Announcements: whom each is for (its recipients), their read receipts and the reminder to
those who have not read it yet."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.accounts.choices import Role
from ansinh.accounts.models import User
from ansinh.accounts.scopes import Scope
from ansinh.coordination import notify
from ansinh.coordination.choices import Audience, ItemKind, ItemStatus
from ansinh.coordination.models import Item, Recipient
from ansinh.coordination.permissions import ANNOUNCE, ensure
from ansinh.core import audit
from ansinh.core.models import AuditAction

#: The roles each audience reaches.
AUDIENCE_ROLES: dict[str, tuple[str, ...]] = {
    Audience.EVERYONE: (Role.OFFICER, Role.COMMITTEE, Role.VILLAGE_HEAD),
    Audience.VILLAGE_HEADS: (Role.VILLAGE_HEAD,),
    Audience.COMMITTEE: (Role.COMMITTEE,),
}
#: A reminder to those who have not read an announcement, at most once in this time.
REMIND_GAP = dt.timedelta(hours=6)


def audience_users(commune_code: int, audience: str) -> list[User]:
    return list(
        User.objects.filter(
            commune_id=commune_code, is_active=True, role__in=AUDIENCE_ROLES.get(audience, ())
        ).order_by("full_name", "username")
    )


def recipients_add(
    scope: Scope, item: Item, chosen: Sequence[User], at: dt.datetime
) -> list[Recipient]:
    """Make the announcement's recipients (the audience, or the village heads ``chosen``;
    never its author) and queue their messages. Inside the caller's transaction."""
    if chosen:
        heads = {u.pk for u in audience_users(item.commune_id, Audience.VILLAGE_HEADS)}
        if any(u.pk not in heads for u in chosen):
            raise ValidationError(
                {"recipients": [_("Choose village heads of the commune for this announcement.")]}
            )
        users = list(chosen)
    else:
        users = audience_users(item.commune_id, item.audience)
    author = item.reported_by_id
    rows = Recipient.objects.bulk_create(
        [Recipient(item=item, user=u) for u in users if u.pk != author], ignore_conflicts=True
    )
    notify.announced(scope, item, users, notify.Event.ANNOUNCED, "new", at)
    return rows


def receipt(user: User, item: Item, at: dt.datetime) -> None:
    """``user`` opened the announcement: read (the first time counts)."""
    if item.kind == ItemKind.ANNOUNCEMENT:
        Recipient.objects.filter(item=item, user=user, read_at__isnull=True).update(read_at=at)


@transaction.atomic
def announcement_remind(*, scope: Scope, item: Item, at: dt.datetime | None = None) -> int:
    """Remind those who have not read the announcement (a message, as its publication);
    at most once in :data:`REMIND_GAP`. Returns how many were reminded."""
    item = Item.objects.select_for_update().get(pk=item.pk)
    ensure(scope, ANNOUNCE, commune_code=item.commune_id, item=item)
    if item.kind != ItemKind.ANNOUNCEMENT or item.status == ItemStatus.CLOSED:
        raise ValidationError(_("Only an announcement that is not closed can be reminded."))
    at = at or timezone.now()
    unread = Recipient.objects.filter(item=item, read_at__isnull=True)
    last = unread.aggregate(last=Max("reminded_at"))["last"]
    if last is not None and at - last < REMIND_GAP:
        again = timezone.localtime(last + REMIND_GAP)
        raise ValidationError(
            _("A reminder was already sent at %(time)s; the next one can be sent after %(next)s.")
            % {
                "time": timezone.localtime(last).strftime("%H:%M %d/%m/%Y"),
                "next": again.strftime("%H:%M %d/%m/%Y"),
            }
        )
    users = [r.user for r in unread.select_related("user")]
    if not users:
        raise ValidationError(_("Everyone has read this announcement."))
    unread.update(reminded_at=at)
    notify.announced(scope, item, users, notify.Event.REMINDED, f"r{int(at.timestamp())}", at)
    audit.record(
        actor=scope,
        instance=item,
        action=AuditAction.EVENT,
        after={"reminded": sorted(u.pk for u in users)},
        note="announcement reminder",  # the log reads it (coordination.audit_labels)
        commune_code=item.commune_id,
    )
    return len(users)
