"""The officer's daily digest: the commune's overdue items in one message each morning
(``ansinh coordination digest``, or the django-tasks task ``send_digest``).

One message per officer and day (its key holds the date: running it twice, or from two
machines, queues it once), as the officer's setting says, only to a valid number; nothing
when nothing is overdue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ansinh.accounts.choices import Role
from ansinh.accounts.models import User
from ansinh.coordination import notify
from ansinh.coordination.choices import OPEN_STATUSES, ItemKind
from ansinh.coordination.models import Item
from ansinh.messaging.services import messages_enqueue_bulk

#: The digest names at most this many items (the most overdue first), then "and N more".
LISTED = 5


@dataclass
class DigestReport:
    overdue: int = 0
    queued: int = 0
    officers: int = 0


def overdue_items(commune_code: int, today: dt.date) -> list[Item]:
    return list(
        Item.objects.filter(commune_id=commune_code, status__in=OPEN_STATUSES, due_date__lt=today)
        .exclude(kind=ItemKind.ANNOUNCEMENT)
        .order_by("due_date", "-priority", "pk")
    )


def digest_text(items: list[Item], today: dt.date) -> str:
    with translation.override("vi"):
        lines = [
            _("#%(n)s %(title)s (%(days)s days late)")
            % {"n": i.pk, "title": notify._short(i.title), "days": (today - i.due_date).days}
            for i in items[:LISTED]
            if i.due_date is not None
        ]
        more = len(items) - LISTED
        if more > 0:
            lines.append(
                ngettext("and %(n)s more item", "and %(n)s more items", more) % {"n": more}
            )
        head = ngettext(
            "ansinh: %(n)s coordination item overdue on %(day)s:",
            "ansinh: %(n)s coordination items overdue on %(day)s:",
            len(items),
        ) % {"n": len(items), "day": today.strftime("%d/%m/%Y")}
        return f"{head} {'; '.join(lines)}. {_('Open ansinh, Coordination.')}"


def digest_send(*, commune_code: int, today: dt.date | None = None) -> DigestReport:
    """Queue the day's digest of overdue items for each officer of the commune."""
    today = today or timezone.localdate()
    at = timezone.now()
    items = overdue_items(commune_code, today)
    report = DigestReport(overdue=len(items))
    if not items:
        return report
    officers = list(User.objects.filter(commune_id=commune_code, role=Role.OFFICER))
    chosen = notify.choices(u.pk for u in officers)
    text = digest_text(items, today)
    rows = []
    for user in officers:
        phone = notify.phone_of(user)
        if phone and notify.wants(user, notify.Event.DIGEST, chosen):
            key = f"coord:digest:{today.isoformat()}:{user.pk}"
            rows.append(notify.row(key, phone, text, commune_code, at))
    report.officers = len(rows)
    report.queued = messages_enqueue_bulk(rows) if rows else 0
    return report
