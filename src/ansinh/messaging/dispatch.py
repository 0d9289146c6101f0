"""The dispatcher: the only code that hands outbox messages to providers.

One run (``ansinh messages dispatch``, the ``dispatch_outbox`` task, or a loop):

1. queued messages past ``expires_at`` become ``expired``;
2. messages left ``sending`` by a dispatcher that died are queued again with
   ``check_status`` (the provider may have them);
3. outside the send window (08:00–20:00 Asia/Ho_Chi_Minh by default) nothing is sent: rows
   wait for the next run inside the window;
4. for each route (outbox-only, Zalo ZNS, SMS) the due rows are *claimed*: in one
   transaction the provider's pace row is locked (``SELECT … FOR UPDATE`` on PostgreSQL; on
   SQLite the transaction is ``IMMEDIATE``, which serialises writers), the budget left in
   each pace window is computed from the attempts already made (and rows other dispatchers
   are sending), and up to that many rows go ``queued → sending`` with a claim token
   (``FOR UPDATE SKIP LOCKED`` on PostgreSQL). Two dispatchers never claim the same row and
   never overshoot a pace limit together;
5. each claimed row: refused numbers (suppression list) fail; a row flagged
   ``check_status`` is first looked up at the provider and only sent again if the provider
   never got it; then it is sent and the outcome applied: ``sent`` (or ``delivered``),
   retried with exponential backoff and jitter (transient errors only: timeouts, 5xx, 429),
   ``failed`` (validation, template, balance, auth), SMS fallback (Zalo failed), or
   ``unknown`` (ambiguous errors until the last attempt).

Every provider call is stored as a :class:`MessageAttempt`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from ansinh.messaging.channels.base import ChannelAdapter, SendResult, StatusKind, StatusResult
from ansinh.messaging.choices import AttemptKind, Channel, MessageState, Provider
from ansinh.messaging.config import ChannelConfig
from ansinh.messaging.models import ChannelPace, MessageAttempt, OutboxMessage, Suppression

OPTED_OUT = "the number replied to refuse messages"


@dataclass
class DispatchReport:
    now: dt.datetime
    in_window: bool = True
    next_window: dt.datetime | None = None
    expired: int = 0
    recovered: int = 0
    claimed: int = 0
    sent: int = 0
    outbox_only: int = 0
    delivered: int = 0
    failed: int = 0
    suppressed: int = 0
    retried: int = 0
    throttled: int = 0
    fallbacks: int = 0
    unknown: int = 0
    status_checks: int = 0
    paced: dict[str, str] = field(default_factory=dict)
    by_provider: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["now"] = self.now.isoformat()
        data["next_window"] = self.next_window.isoformat() if self.next_window else None
        return data


@dataclass(frozen=True)
class Route:
    name: str
    adapter: ChannelAdapter
    rows: Q
    falls_back: bool = False  # a failure here sends the message by SMS instead


def routes(config: ChannelConfig) -> list[Route]:
    out = [Route("outbox", config.outbox, Q(channel=Channel.OUTBOX))]
    if config.zalo is not None:
        out.append(Route("zalo", config.zalo, Q(channel=Channel.ZALO, use_fallback=False), True))
        sms_rows = Q(channel=Channel.SMS) | Q(channel=Channel.ZALO, use_fallback=True)
    else:
        sms_rows = Q(channel__in=[Channel.SMS, Channel.ZALO])
    out.append(Route("sms", config.sms, sms_rows))
    return out


def backoff(config: ChannelConfig, attempt: int) -> dt.timedelta:
    """Exponential backoff with "equal jitter": half the delay fixed, half random."""
    delay = min(config.backoff_cap, config.backoff_base * 2 ** max(attempt - 1, 0))
    return dt.timedelta(seconds=delay / 2 + config.rng.uniform(0, delay / 2))


def dispatch(
    *,
    now: dt.datetime | None = None,
    limit: int | None = None,
    channel_config: ChannelConfig | None = None,
) -> DispatchReport:
    """Send what is due. Safe to run from cron, as a loop, or several at once."""
    config = channel_config or ChannelConfig.from_env()
    try:
        now = now or timezone.now()
        report = DispatchReport(now=now)
        report.expired = _expire(now)
        report.recovered = _recover(now, config)
        if not config.in_send_window(now):
            report.in_window = False
            report.next_window = config.window_opens(now)
            return report
        remaining = limit
        for route in routes(config):
            while remaining is None or remaining > 0:
                size = config.batch_size if remaining is None else min(config.batch_size, remaining)
                ids, token = _claim(route, now, size, report)
                if not ids:
                    break
                report.claimed += len(ids)
                if remaining is not None:
                    remaining -= len(ids)
                _process(route, ids, token, now, config, report)
                if len(ids) < size:
                    break
        return report
    finally:
        if channel_config is None:
            config.close()


def _expire(now: dt.datetime) -> int:
    return OutboxMessage.objects.filter(state=MessageState.QUEUED, expires_at__lte=now).update(
        state=MessageState.EXPIRED, last_error="expired before it could be sent"
    )


def _recover(now: dt.datetime, config: ChannelConfig) -> int:
    stale = OutboxMessage.objects.filter(
        state=MessageState.SENDING, claimed_at__lt=now - config.stale_after
    )
    reset = {
        "state": MessageState.QUEUED,
        "claim_token": "",
        "next_attempt_at": now,
        "last_error": "the dispatcher stopped while sending: ask the provider first",
    }
    # Nothing leaves through the outbox-only channel: no need to ask before resending.
    return stale.filter(provider=Provider.OUTBOX).update(
        **reset, check_status=False
    ) + stale.exclude(provider=Provider.OUTBOX).update(**reset, check_status=True)


def _claim(
    route: Route, now: dt.datetime, size: int, report: DispatchReport
) -> tuple[list[int], str]:
    adapter = route.adapter
    provider = adapter.provider
    token = uuid.uuid4().hex
    pace = adapter.pace_limits()
    guarded = bool(pace) or provider != Provider.OUTBOX
    if guarded:
        ChannelPace.objects.get_or_create(provider=provider)
    with transaction.atomic():
        budget = size
        if guarded:
            row = ChannelPace.objects.select_for_update().get(provider=provider)
            if row.paused_until and row.paused_until > now:
                report.paced[provider] = f"paused until {row.paused_until.isoformat()}"
                return [], token
        if pace:
            in_flight = OutboxMessage.objects.filter(
                state=MessageState.SENDING, provider=provider
            ).count()
            for window, most in pace:
                used = MessageAttempt.objects.filter(
                    provider=provider,
                    kind=AttemptKind.SEND,
                    at__gt=now - dt.timedelta(seconds=window),
                ).count()
                budget = min(budget, most - used - in_flight)
            if budget <= 0:
                report.paced[provider] = "pace limit reached"
                return [], token
        due = (
            OutboxMessage.objects.filter(
                route.rows, state=MessageState.QUEUED, next_attempt_at__lte=now
            )
            .order_by("next_attempt_at", "id")
            .select_for_update(skip_locked=True)
        )
        ids = list(due.values_list("id", flat=True)[:budget])
        if not ids:
            return [], token
        OutboxMessage.objects.filter(id__in=ids, state=MessageState.QUEUED).update(
            state=MessageState.SENDING, provider=provider, claimed_at=now, claim_token=token
        )
    if pace and len(ids) == budget and budget < size:
        report.paced[provider] = "pace limit reached"
    return ids, token


def _blocked(phones: set[str]) -> set[str]:
    return set(Suppression.objects.filter(phone__in=phones).values_list("phone", flat=True))


def _attempt(
    message_id: int,
    adapter: ChannelAdapter,
    now: dt.datetime,
    result: SendResult | StatusResult,
    kind: str,
) -> MessageAttempt:
    if isinstance(result, SendResult):
        return MessageAttempt(
            message_id=message_id,
            at=now,
            kind=kind,
            channel=adapter.channel,
            provider=adapter.provider,
            request_summary=result.request_summary[:300],
            response_code=result.response_code[:40],
            response_excerpt=(result.response_excerpt or result.error)[:500],
            provider_message_id=result.provider_message_id[:100],
            parts=result.parts,
            cost=result.cost,
            ok=result.ok,
            transient=result.transient,
        )
    return MessageAttempt(
        message_id=message_id,
        at=now,
        kind=kind,
        channel=adapter.channel,
        provider=adapter.provider,
        request_summary="status lookup",
        response_code=(result.response_code or result.kind.value)[:40],
        response_excerpt=(result.response_excerpt or result.error)[:500],
        provider_message_id=result.provider_message_id[:100],
        ok=not result.transient,
        transient=result.transient,
    )


def _process(
    route: Route,
    ids: list[int],
    token: str,
    now: dt.datetime,
    config: ChannelConfig,
    report: DispatchReport,
) -> None:
    adapter = route.adapter
    provider = adapter.provider
    report.by_provider[provider] = report.by_provider.get(provider, 0) + len(ids)
    if getattr(adapter, "uniform_results", False):
        _process_uniform(route, ids, token, now, report)
        return
    messages = list(
        OutboxMessage.objects.filter(id__in=ids, claim_token=token).order_by(
            "next_attempt_at", "id"
        )
    )
    blocked = _blocked({m.to for m in messages})
    paused_until: dt.datetime | None = None
    for message in messages:
        if paused_until is not None:
            # The provider said "too many requests": the rest of the batch waits.
            _finish(
                message,
                token,
                {"state": MessageState.QUEUED, "next_attempt_at": paused_until},
                report=report,
            )
            continue
        if message.to in blocked:
            _finish(message, token, _suppressed_fields(now), report=report)
            report.suppressed += 1
            continue
        if message.check_status:
            status = adapter.status(message)
            report.status_checks += 1
            done = _after_status(message, adapter, status, token, now, config, report)
            if done:
                continue
        result = adapter.send(message)
        fields = _after_send(message, route, result, now, config, report)
        if result.throttled:
            paused_until = fields["next_attempt_at"]
        _finish(
            message,
            token,
            fields,
            attempt=_attempt(message.pk, adapter, now, result, AttemptKind.SEND),
            report=report,
        )


def _suppressed_fields(now: dt.datetime) -> dict[str, Any]:
    return {
        "state": MessageState.FAILED,
        "failed_at": now,
        "last_error": OPTED_OUT,
        "claim_token": "",
        "check_status": False,
    }


def _process_uniform(
    route: Route, ids: list[int], token: str, now: dt.datetime, report: DispatchReport
) -> None:
    """Outbox-only: every row has the same outcome, written with one UPDATE per batch."""
    adapter = route.adapter
    rows = list(
        OutboxMessage.objects.filter(id__in=ids, claim_token=token).values_list("id", "to", "parts")
    )
    blocked = _blocked({to for _, to, _ in rows})
    sendable = [(pk, parts) for pk, to, parts in rows if to not in blocked]
    refused = [pk for pk, to, _ in rows if to in blocked]
    result = adapter.send(OutboxMessage(parts=1))
    attempts = [
        MessageAttempt(
            message_id=pk,
            at=now,
            kind=AttemptKind.SEND,
            channel=adapter.channel,
            provider=adapter.provider,
            request_summary=result.request_summary,
            response_code=result.response_code,
            parts=parts,
            ok=True,
        )
        for pk, parts in sendable
    ]
    with transaction.atomic():
        if refused:
            OutboxMessage.objects.filter(id__in=refused, claim_token=token).update(
                **_suppressed_fields(now)
            )
        if sendable:
            OutboxMessage.objects.filter(
                id__in=[pk for pk, _ in sendable], claim_token=token
            ).update(
                state=MessageState.SENT,
                sent_at=now,
                sent_via=adapter.channel,
                provider=adapter.provider,
                attempts=F("attempts") + 1,
                check_status=False,
                last_error="",
                claim_token="",
            )
        MessageAttempt.objects.bulk_create(attempts, batch_size=1000)
    report.suppressed += len(refused)
    report.sent += len(sendable)
    report.outbox_only += len(sendable)


def _after_status(
    message: OutboxMessage,
    adapter: ChannelAdapter,
    status: StatusResult,
    token: str,
    now: dt.datetime,
    config: ChannelConfig,
    report: DispatchReport,
) -> bool:
    """Apply a status lookup made before a resend. True when the message must not be sent
    again now."""
    attempt = _attempt(message.pk, adapter, now, status, AttemptKind.STATUS)
    kind = status.kind
    if status.transient:
        fields = {
            "state": MessageState.QUEUED,
            "next_attempt_at": now + backoff(config, message.attempts),
            "last_error": f"status lookup failed: {status.error or status.response_code}"[:500],
        }
        report.retried += 1
    elif kind in (StatusKind.PENDING, StatusKind.SENT, StatusKind.DELIVERED):
        delivered = kind == StatusKind.DELIVERED
        fields = {
            "state": MessageState.DELIVERED if delivered else MessageState.SENT,
            "sent_at": now,
            "sent_via": adapter.channel,
            "provider": adapter.provider,
            "check_status": False,
            "last_error": "",
            "provider_message_id": status.provider_message_id or message.provider_message_id,
        }
        if delivered:
            fields["delivered_at"] = now
            report.delivered += 1
        report.sent += 1
    elif kind == StatusKind.FAILED:
        fields = {
            "state": MessageState.FAILED,
            "failed_at": now,
            "check_status": False,
            "last_error": "the provider reports a failure",
        }
        report.failed += 1
    elif kind == StatusKind.UNKNOWN:
        fields = {
            "state": MessageState.UNKNOWN,
            "last_error": f"cannot tell whether it was sent: {status.error}"[:500],
        }
        report.unknown += 1
    else:  # NOT_FOUND, RESEND_SAFE: sending is safe
        MessageAttempt.objects.bulk_create([attempt])
        return False
    _finish(message, token, fields, attempt=attempt, report=report)
    return True


def _after_send(
    message: OutboxMessage,
    route: Route,
    result: SendResult,
    now: dt.datetime,
    config: ChannelConfig,
    report: DispatchReport,
) -> dict[str, Any]:
    adapter = route.adapter
    attempts = message.attempts + 1
    if result.ok:
        fields: dict[str, Any] = {
            "state": MessageState.DELIVERED if result.delivered else MessageState.SENT,
            "attempts": attempts,
            "sent_at": now,
            "sent_via": adapter.channel,
            "provider": adapter.provider,
            "provider_message_id": result.provider_message_id or message.provider_message_id,
            "check_status": False,
            "last_error": "",
        }
        if result.cost:
            fields["cost_estimate"] = result.cost
        if result.delivered:
            fields["delivered_at"] = now
            report.delivered += 1
        report.sent += 1
        return fields
    error = (result.error or result.response_code or "error")[:400]
    if result.throttled:
        # Not sent: pause the provider and try again later, without using up an attempt.
        wait = dt.timedelta(seconds=result.retry_after or config.backoff_base)
        ChannelPace.objects.filter(provider=adapter.provider).update(paused_until=now + wait)
        ChannelPace.objects.get_or_create(
            provider=adapter.provider, defaults={"paused_until": now + wait}
        )
        report.throttled += 1
        return {
            "state": MessageState.QUEUED,
            "next_attempt_at": now + wait,
            "last_error": f"{adapter.provider}: {error}",
        }
    if route.falls_back:
        report.fallbacks += 1
        return {
            "state": MessageState.QUEUED,
            "attempts": attempts,
            "use_fallback": True,
            "next_attempt_at": now,
            "cost_estimate": message.parts * config.prices.sms_per_part,
            "last_error": f"Zalo: {error}; sending by SMS"[:500],
        }
    if result.transient and attempts < config.max_attempts:
        report.retried += 1
        return {
            "state": MessageState.QUEUED,
            "attempts": attempts,
            "next_attempt_at": now + backoff(config, attempts),
            "check_status": result.ambiguous,
            "last_error": error,
        }
    if result.transient and result.ambiguous:
        report.unknown += 1
        return {
            "state": MessageState.UNKNOWN,
            "attempts": attempts,
            "last_error": f"gave up after {attempts} attempts; it may have been sent: {error}",
        }
    report.failed += 1
    return {
        "state": MessageState.FAILED,
        "attempts": attempts,
        "failed_at": now,
        "check_status": False,
        "last_error": error,
    }


def _finish(
    message: OutboxMessage,
    token: str,
    fields: dict[str, Any],
    *,
    attempt: MessageAttempt | None = None,
    report: DispatchReport,
) -> None:
    """Write one outcome. A receipt that arrived while the message was being sent (a fast
    "delivered" webhook) has already moved it forward: then only the bookkeeping is kept."""
    fields = {**fields, "claim_token": ""}
    with transaction.atomic():
        updated = OutboxMessage.objects.filter(
            pk=message.pk, claim_token=token, state=MessageState.SENDING
        ).update(**fields)
        if not updated:
            keep = {k: v for k, v in fields.items() if k in ("attempts", "claim_token")}
            OutboxMessage.objects.filter(pk=message.pk, claim_token=token).update(**keep)
        if attempt is not None:
            attempt.save()
