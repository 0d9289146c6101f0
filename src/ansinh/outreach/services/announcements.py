"""Loudspeaker announcements: written by the officer for chosen villages at a planned time;
each village head marks the own village's broadcast "đã phát" with the actual time."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.accounts.permissions import require, require_village
from ansinh.accounts.scopes import Scope
from ansinh.core import audit
from ansinh.outreach.models import Announcement, Broadcast
from ansinh.places.models import Village

ANNOUNCEMENT_FIELDS = ["text", "planned_at"]
BROADCAST_FIELDS = ["village", "planned_at", "broadcast_at", "marked_by"]
TEXT_MAX = 3000
#: How far ahead a broadcast may be planned, and how late one may be marked.
PLAN_AHEAD = dt.timedelta(days=366)
_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")


@transaction.atomic
def announcement_create(
    *,
    scope: Scope,
    text: str,
    villages: Sequence[Village],
    planned_at: dt.datetime,
    key: str = "",
) -> Announcement:
    """A new announcement and one planned broadcast per village. The same form sent again
    (``key``) gives the announcement it made the first time."""
    require(
        scope, scope.commune_code, can="edit", message=_("Only the officer writes announcements.")
    )
    key = key.strip() if _KEY.fullmatch((key or "").strip()) else ""
    if key:
        done = Announcement.objects.filter(commune_id=scope.commune_code, submit_key=key).first()
        if done is not None:
            return done
    errors: dict[str, list[str]] = {}
    text = (text or "").strip()
    if not text:
        errors["text"] = [_("Write the text to read.")]
    elif len(text) > TEXT_MAX:
        errors["text"] = [_("At most %(n)s characters.") % {"n": TEXT_MAX}]
    if not villages:
        errors["villages"] = [_("Choose at least one village.")]
    if any(v.commune_id != scope.commune_code for v in villages):
        raise PermissionDenied(_("You can announce only in your own commune."))
    now = timezone.now()
    if planned_at > now + PLAN_AHEAD:
        errors["planned_date"] = [_("Plan the broadcast within a year.")]
    if errors:
        raise ValidationError(errors)
    announcement = Announcement.objects.create(
        commune_id=scope.commune_code,
        text=text,
        planned_at=planned_at,
        created_by=scope.user,
        created_at=now,
        submit_key=key,
    )
    audit.created(scope, announcement, ANNOUNCEMENT_FIELDS, commune_code=scope.commune_code)
    for village in sorted(set(villages), key=lambda v: v.name):
        broadcast = Broadcast.objects.create(
            announcement=announcement,
            commune_id=scope.commune_code,
            village=village,
            planned_at=planned_at,
        )
        audit.created(scope, broadcast, BROADCAST_FIELDS, commune_code=scope.commune_code)
    return announcement


@transaction.atomic
def broadcast_mark(
    *, scope: Scope, broadcast: Broadcast, at: dt.datetime | None = None
) -> Broadcast:
    """The announcement was read in the village at ``at`` (now if not given): by the village
    head of that village, or the officer. Marking again corrects the time."""
    require(
        scope,
        broadcast.commune_id,
        can="propose_or_edit",
        message=_("Only the village head or the officer marks a broadcast."),
    )
    require_village(scope, broadcast.village_id)
    now = timezone.now()
    at = at or now
    if at > now + dt.timedelta(minutes=5):
        raise ValidationError({"time": [_("The broadcast time cannot be in the future.")]})
    if at < broadcast.planned_at - dt.timedelta(days=30):
        raise ValidationError(
            {"time": [_("This time is long before the planned broadcast: check the date.")]}
        )
    locked = Broadcast.objects.select_for_update().get(pk=broadcast.pk)
    with audit.tracked(scope, locked, BROADCAST_FIELDS, commune_code=locked.commune_id):
        locked.broadcast_at = at
        locked.marked_by = scope.user
        locked.save(update_fields=["broadcast_at", "marked_by"])
    return locked
