"""A message to a chosen group of households, through the outbox."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.accounts.permissions import require
from ansinh.accounts.scopes import Scope
from ansinh.core import audit
from ansinh.messaging.choices import Channel
from ansinh.messaging.services import messages_enqueue_bulk
from ansinh.outreach import selectors
from ansinh.outreach.choices import Group
from ansinh.outreach.models import GroupMessage
from ansinh.outreach.texts import MESSAGE_FIELDS, unknown_names
from ansinh.places.models import Village

GROUP_MESSAGE_FIELDS = [
    "group",
    "village",
    "text",
    "households",
    "with_mobile",
    "opted_out",
    "queued",
    "parts",
    "cost",
]
TEXT_MAX = 480
TOPIC = "outreach"
_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")
#: A message waits at most this long in the outbox.
TTL = dt.timedelta(days=3)


def check_message(group: str, village: Village | None, text: str) -> str:
    """The text, stripped; a ``ValidationError`` naming each problem."""
    errors: dict[str, list[str]] = {}
    if group not in Group.values:
        errors["group"] = [_("Choose the group of households.")]
    elif group == Group.VILLAGE and village is None:
        errors["village"] = [_("Choose the village.")]
    text = (text or "").strip()
    if not text:
        errors["text"] = [_("Write the message.")]
    elif len(text) > TEXT_MAX:
        errors["text"] = [_("At most %(n)s characters.") % {"n": TEXT_MAX}]
    if wrong := unknown_names(text, MESSAGE_FIELDS):
        errors.setdefault("text", []).append(
            _("Unknown placeholder: %(names)s. Use only the ones listed beside the text.")
            % {"names": ", ".join("{" + n + "}" for n in wrong)}
        )
    if errors:
        raise ValidationError(errors)
    return text


def group_message_send(
    *,
    scope: Scope,
    group: str,
    village: Village | None,
    text: str,
    key: str,
    on: dt.date | None = None,
) -> GroupMessage:
    """Queue the message for every household of the group that has a mobile phone and is not
    on the refusal list. ``key`` is the form's idempotency key: the same form sent twice
    (a double click, a reload) sends once and returns the first record. Officer only."""
    require(scope, scope.commune_code, can="edit", message=_("Only the officer sends messages."))
    if village is not None and village.commune_id != scope.commune_code:
        raise PermissionDenied(_("You can send only in your own commune."))
    key = (key or "").strip()
    if not _KEY.fullmatch(key):
        raise ValidationError(_("The form has expired: open the preview again."))
    done = GroupMessage.objects.filter(commune_id=scope.commune_code, submit_key=key).first()
    if done is not None:
        return done
    text = check_message(group, village, text)
    try:
        return _send(scope, group, village, text, key, on or timezone.localdate())
    except IntegrityError:  # the same form, sent at the same moment, won
        return GroupMessage.objects.get(commune_id=scope.commune_code, submit_key=key)


@transaction.atomic
def _send(
    scope: Scope, group: str, village: Village | None, text: str, key: str, on: dt.date
) -> GroupMessage:
    preview = selectors.preview(scope, group, village.pk if village else None, text, on)
    if not preview.to_send:
        raise ValidationError(_("No household of this group can receive an SMS."))
    now = timezone.now()
    message = GroupMessage.objects.create(
        commune_id=scope.commune_code,
        group=group,
        village=village,
        text=text,
        households=preview.households,
        with_mobile=preview.with_mobile,
        opted_out=preview.opted_out,
        parts=preview.parts,
        cost=preview.cost,
        sent_by=scope.user,
        sent_at=now,
        submit_key=key,
    )
    rows: list[dict[str, Any]] = [
        {
            "key": f"outreach:{message.pk}:{recipient.household_id}",
            "to": recipient.phone,
            "channel": Channel.SMS,
            "sms_text": body,
            "topic": TOPIC,
            "commune_code": scope.commune_code,
            "expires_at": now + TTL,
        }
        for recipient, body, _parts in preview.messages
    ]
    message.queued = messages_enqueue_bulk(rows)
    message.save(update_fields=["queued"])
    audit.created(scope, message, GROUP_MESSAGE_FIELDS, commune_code=scope.commune_code)
    return message
