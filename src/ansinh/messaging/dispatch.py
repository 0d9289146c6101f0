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
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from ansinh.messaging.channels.base import ChannelAdapter
from ansinh.messaging.choices import AttemptKind, Channel, MessageState, Provider
from ansinh.messaging.config import ChannelConfig
from ansinh.messaging.models import ChannelPace, MessageAttempt, OutboxMessage, Suppression
from ansinh.messaging.outcomes import (
    OPTED_OUT,
    DispatchReport,
    after_send,
    after_status,
    attempt_record,
    backoff,
    suppressed_fields,
)

__all__ = ["OPTED_OUT", "DispatchReport", "Route", "backoff", "dispatch", "routes"]


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
            _finish(message, token, suppressed_fields(now), report=report)
            report.suppressed += 1
            continue
        if message.check_status:
            status = adapter.status(message)
            report.status_checks += 1
            fields, attempt = after_status(message, adapter, status, now, config, report)
            if fields is not None:
                _finish(message, token, fields, attempt=attempt, report=report)
                continue
            MessageAttempt.objects.bulk_create([attempt])
        result = adapter.send(message)
        fields = after_send(message, adapter, route.falls_back, result, now, config, report)
        if result.throttled:
            paused_until = fields["next_attempt_at"]
        _finish(
            message,
            token,
            fields,
            attempt=attempt_record(message.pk, adapter, now, result, AttemptKind.SEND),
            report=report,
        )


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
                **suppressed_fields(now)
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
