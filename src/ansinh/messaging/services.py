"""Writes of the messaging app: queueing, cancelling, inbound messages, receipts, refusals.

Every service is keyword-only. Queueing is idempotent on the message key: queueing the same
key again (or concurrently) returns the existing row and creates nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.core import audit
from ansinh.core.identifiers import IdentifierError, normalize_phone
from ansinh.core.models import AuditAction
from ansinh.core.text import fold
from ansinh.messaging.channels.base import StatusKind, excerpt, provider_ref
from ansinh.messaging.choices import (
    AttemptKind,
    Channel,
    MessageState,
    Provider,
    SuppressionReason,
)
from ansinh.messaging.config import Prices, keep_sms_diacritics, zalo_enabled
from ansinh.messaging.models import InboundMessage, MessageAttempt, OutboxMessage, Suppression
from ansinh.messaging.sms import sms_parts, to_gsm_text

AUDIT_FIELDS = ["key", "channel", "topic", "state", "last_error"]
SUPPRESSION_FIELDS = ["phone", "reason"]
BULK_CHUNK = 2000

# Replies that mean "stop sending me messages", compared on the folded text (no diacritics,
# lower case): the reply must start with one of them ("TU CHOI", "Từ chối nhận tin", "HUY",
# "Hủy", "STOP"). "dung" (dừng) is left out: folded it is also "đúng" (yes, right).
OPT_OUT_WORDS = ("tu choi", "tuchoi", "huy", "stop", "khong nhan")


def _clean_phone(value: str, field: str = "to") -> str:
    try:
        return normalize_phone(value)
    except IdentifierError as exc:
        raise ValidationError({field: [_(exc.message) % dict(exc.params)]}) from exc


def _build(
    *,
    key: str,
    to: str,
    channel: str,
    sms_text: str,
    zalo_template: str = "",
    zalo_data: dict[str, Any] | None = None,
    topic: str = "",
    commune_code: int | None = None,
    not_before: dt.datetime | None = None,
    expires_at: dt.datetime | None = None,
    now: dt.datetime,
    prices: Prices,
    zalo_on: bool,
    keep_diacritics: bool,
) -> OutboxMessage:
    """A validated, unsaved outbox row."""
    key = (key or "").strip()
    if not key or len(key) > 200:
        raise ValidationError({"key": [_("A message needs a key of 1 to 200 characters.")]})
    if channel not in Channel.values:
        raise ValidationError({"channel": [_("Unknown channel: %(value)s") % {"value": channel}]})
    text = (sms_text or "").strip()
    if not keep_diacritics:
        text = to_gsm_text(text)
    if not text:
        raise ValidationError({"sms_text": [_("The SMS text is empty.")]})
    encoding, parts = sms_parts(text)
    return OutboxMessage(
        key=key,
        ref=provider_ref(key),
        to=_clean_phone(to),
        channel=channel,
        sms_text=text,
        zalo_template=zalo_template or "",
        zalo_data=dict(zalo_data or {}),
        topic=topic or "",
        commune_code=commune_code,
        state=MessageState.QUEUED,
        next_attempt_at=max(not_before, now) if not_before else now,
        not_before=not_before,
        expires_at=expires_at,
        encoding=encoding,
        parts=parts,
        cost_estimate=prices.estimate(channel=channel, parts=parts, zalo_enabled=zalo_on),
        queued_at=now,
    )


@transaction.atomic
def message_enqueue(
    *,
    key: str,
    to: str,
    channel: str,
    sms_text: str,
    zalo_template: str = "",
    zalo_data: dict[str, Any] | None = None,
    topic: str = "",
    commune_code: int | None = None,
    not_before: dt.datetime | None = None,
    expires_at: dt.datetime | None = None,
    actor: Any = None,
) -> tuple[OutboxMessage, bool]:
    """Queue one message; ``(row, created)``. A key already queued returns the existing row
    unchanged (``created`` False), also when two processes queue it at the same moment.

    The SMS text is converted to GSM-7 without diacritics unless
    ``ANSINH_SMS_KEEP_DIACRITICS=1``; its parts and an estimated cost are stored.
    """
    row = _build(
        key=key,
        to=to,
        channel=channel,
        sms_text=sms_text,
        zalo_template=zalo_template,
        zalo_data=zalo_data,
        topic=topic,
        commune_code=commune_code,
        not_before=not_before,
        expires_at=expires_at,
        now=timezone.now(),
        prices=Prices.from_env(),
        zalo_on=zalo_enabled(),
        keep_diacritics=keep_sms_diacritics(),
    )
    values = {f.attname: getattr(row, f.attname) for f in OutboxMessage._meta.concrete_fields}
    values.pop("id")
    values.pop("key")
    message, created = OutboxMessage.objects.get_or_create(key=row.key, defaults=values)
    if created:
        audit.created(actor, message, AUDIT_FIELDS, commune_code=commune_code)
    return message, created


def messages_enqueue_bulk(rows: Iterable[dict[str, Any]]) -> int:
    """Queue many messages at once (reminder planning); returns how many were created.

    Same fields as :func:`message_enqueue`. Keys already present are skipped by the
    database (``bulk_create(ignore_conflicts=True)`` on the unique key), so re-runs and
    concurrent runs never duplicate a message; the count is exact because each call tags the
    rows it inserted. No audit entry per row: the caller records the planning run.
    """
    now = timezone.now()
    prices = Prices.from_env()
    zalo_on = zalo_enabled()
    keep = keep_sms_diacritics()
    built: dict[str, OutboxMessage] = {}
    for data in rows:
        row = _build(**data, now=now, prices=prices, zalo_on=zalo_on, keep_diacritics=keep)
        built.setdefault(row.key, row)
    messages = list(built.values())
    created = 0
    with transaction.atomic():
        for start in range(0, len(messages), BULK_CHUNK):
            chunk = messages[start : start + BULK_CHUNK]
            marker = uuid.uuid4().hex
            for row in chunk:
                row.claim_token = marker
            OutboxMessage.objects.bulk_create(chunk, ignore_conflicts=True)
            mine = OutboxMessage.objects.filter(key__in=[r.key for r in chunk], claim_token=marker)
            created += mine.update(claim_token="")
    return created


@transaction.atomic
def _require_officer(scope: Any, commune_code: int | None, message: str) -> None:
    """``scope`` is the caller's ``ansinh.accounts.scopes.Scope`` (messaging sits below
    accounts, so it reads the scope's answers instead of importing it): the commune's officer,
    or the system acting for that commune. No scope, no write."""
    if (
        scope is None
        or not getattr(scope, "can_edit", False)
        or (commune_code is not None and getattr(scope, "commune_code", None) != commune_code)
    ):
        raise PermissionDenied(message)


def message_cancel(*, message: OutboxMessage, scope: Any, reason: str) -> OutboxMessage:
    """Stop a message that has not left yet (queued, or unknown after a timeout)."""
    _require_officer(
        scope,
        message.commune_code,
        _("Only an officer of this commune can cancel its messages."),
    )
    locked = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if locked.state not in (MessageState.QUEUED, MessageState.UNKNOWN):
        raise ValidationError(
            _("This message can no longer be cancelled (state: %(state)s).")
            % {"state": locked.get_state_display()}
        )
    reason = (reason or "").strip()[:500]
    with audit.tracked(scope, locked, AUDIT_FIELDS, note=reason, commune_code=locked.commune_code):
        locked.state = MessageState.CANCELLED
        locked.last_error = reason
        locked.failed_at = timezone.now()
        locked.save(update_fields=["state", "last_error", "failed_at"])
    return locked


def is_opt_out(text: str) -> bool:
    folded = fold(text)
    return any(folded == word or folded.startswith(word + " ") for word in OPT_OUT_WORDS)


@transaction.atomic
def inbound_record(
    *, from_phone: str, text: str, provider: str, received_at: dt.datetime
) -> InboundMessage:
    """Store a received SMS; a refusal ("TU CHOI", "HUY", "STOP", with or without
    diacritics, any case) puts the sender on the suppression list."""
    try:
        phone = normalize_phone(from_phone)
    except IdentifierError:
        phone = (from_phone or "").strip()[:20]
    opt_out = is_opt_out(text)
    inbound = InboundMessage.objects.create(
        from_phone=phone,
        text=text or "",
        provider=provider,
        received_at=received_at,
        is_opt_out=opt_out,
    )
    if opt_out:
        suppression, created = Suppression.objects.get_or_create(
            phone=phone, defaults={"reason": SuppressionReason.OPT_OUT, "source": inbound}
        )
        if created:
            audit.created(None, suppression, SUPPRESSION_FIELDS, note="inbound opt-out")
    return inbound


def is_suppressed(phone: str) -> bool:
    try:
        phone = normalize_phone(phone)
    except IdentifierError:
        return False
    return Suppression.objects.filter(phone=phone).exists()


@transaction.atomic
def suppression_add(
    *, phone: str, scope: Any, reason: str = SuppressionReason.MANUAL
) -> Suppression:
    """An officer records that a household does not want messages (asked in person)."""
    _require_officer(scope, None, _("Only the commune officer can change the opt-out list."))
    clean = _clean_phone(phone, "phone")
    suppression, created = Suppression.objects.get_or_create(
        phone=clean, defaults={"reason": reason}
    )
    if created:
        audit.created(
            scope,
            suppression,
            SUPPRESSION_FIELDS,
            commune_code=getattr(scope, "commune_code", None),
        )
    return suppression


@transaction.atomic
def suppression_remove(*, phone: str, scope: Any) -> bool:
    """The household asked to receive messages again."""
    _require_officer(scope, None, _("Only the commune officer can change the opt-out list."))
    clean = _clean_phone(phone, "phone")
    suppression = Suppression.objects.filter(phone=clean).first()
    if suppression is None:
        return False
    audit.record(  # a removal: what was there, no "after"
        actor=scope,
        instance=suppression,
        action=AuditAction.DELETE,
        before=audit.snapshot(suppression, SUPPRESSION_FIELDS),
        commune_code=getattr(scope, "commune_code", None),
    )
    suppression.delete()
    return True


# Receipts only move a message forward: queued/sending/unknown < sent < delivered/failed;
# a late "delivered" also wins over "failed".
_RANK = {
    MessageState.QUEUED: 0,
    MessageState.SENDING: 1,
    MessageState.UNKNOWN: 1,
    MessageState.SENT: 2,
    MessageState.FAILED: 3,
    MessageState.DELIVERED: 4,
}
_RECEIPT_STATES = {
    StatusKind.PENDING: MessageState.SENT,
    StatusKind.SENT: MessageState.SENT,
    StatusKind.DELIVERED: MessageState.DELIVERED,
    StatusKind.FAILED: MessageState.FAILED,
}


@transaction.atomic
def receipt_record(
    *,
    provider: str,
    event: str,
    at: dt.datetime | None = None,
    ref: str = "",
    provider_message_id: str = "",
    detail: str = "",
    raw: Any = "",
) -> OutboxMessage | None:
    """A provider's report on a message (webhook or callback): ``event`` is a
    :class:`StatusKind` value (``sent``, ``delivered``, ``failed``…). Unknown messages are
    ignored (returns None); repeated reports change nothing."""
    qs = OutboxMessage.objects.select_for_update()
    message = None
    if ref:
        message = qs.filter(ref=ref).first()
    if message is None and provider_message_id:
        message = qs.filter(provider=provider, provider_message_id=provider_message_id).first()
    if message is None:
        return None
    at = at or timezone.now()
    known = {kind.value for kind in StatusKind}
    target = _RECEIPT_STATES.get(StatusKind(event)) if event in known else None
    channel = Channel.ZALO if provider == Provider.ZALO_ZNS else Channel.SMS
    MessageAttempt.objects.create(
        message=message,
        at=at,
        kind=AttemptKind.RECEIPT,
        channel=channel,
        provider=provider,
        response_code=event[:40],
        response_excerpt=excerpt(raw)[:500],
        provider_message_id=provider_message_id or message.provider_message_id,
        ok=target in (MessageState.SENT, MessageState.DELIVERED),
    )
    if target is None or message.state in (MessageState.CANCELLED, MessageState.EXPIRED):
        return message
    if _RANK.get(target, 0) <= _RANK.get(MessageState(message.state), 0):
        return message
    fields = ["state"]
    message.state = target
    if not message.sent_at:
        message.sent_at = at
        fields.append("sent_at")
    if not message.sent_via:
        message.sent_via = channel
        message.provider = provider
        fields += ["sent_via", "provider"]
    if provider_message_id and not message.provider_message_id:
        message.provider_message_id = provider_message_id
        fields.append("provider_message_id")
    if target == MessageState.DELIVERED:
        message.delivered_at = at
        fields.append("delivered_at")
    if target == MessageState.FAILED:
        message.failed_at = at
        message.last_error = (detail or _("the provider reports a failure"))[:500]
        fields += ["failed_at", "last_error"]
    if message.check_status:
        message.check_status = False
        fields.append("check_status")
    message.save(update_fields=fields)
    return message
