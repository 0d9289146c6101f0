"""What a provider's answer does to an outbox message: the fields to write, the attempt to
store, and the count in the run's report. The dispatcher (``dispatch.py``) claims rows and
calls providers; this module decides the outcome, without touching the provider."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from ansinh.messaging.channels.base import ChannelAdapter, SendResult, StatusKind, StatusResult
from ansinh.messaging.choices import AttemptKind, MessageState
from ansinh.messaging.config import ChannelConfig
from ansinh.messaging.models import ChannelPace, MessageAttempt, OutboxMessage

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


def backoff(config: ChannelConfig, attempt: int) -> dt.timedelta:
    """Exponential backoff with "equal jitter": half the delay fixed, half random."""
    delay = min(config.backoff_cap, config.backoff_base * 2 ** max(attempt - 1, 0))
    return dt.timedelta(seconds=delay / 2 + config.rng.uniform(0, delay / 2))


def attempt_record(
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


def suppressed_fields(now: dt.datetime) -> dict[str, Any]:
    return {
        "state": MessageState.FAILED,
        "failed_at": now,
        "last_error": OPTED_OUT,
        "claim_token": "",
        "check_status": False,
    }


def after_status(
    message: OutboxMessage,
    adapter: ChannelAdapter,
    status: StatusResult,
    now: dt.datetime,
    config: ChannelConfig,
    report: DispatchReport,
) -> tuple[dict[str, Any] | None, MessageAttempt]:
    """A status lookup made before a resend: the fields to write and the attempt to store.
    No fields when the provider never got the message, so it may be sent again now."""
    attempt = attempt_record(message.pk, adapter, now, status, AttemptKind.STATUS)
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
        return None, attempt
    return fields, attempt


def after_send(
    message: OutboxMessage,
    adapter: ChannelAdapter,
    falls_back: bool,
    result: SendResult,
    now: dt.datetime,
    config: ChannelConfig,
    report: DispatchReport,
) -> dict[str, Any]:
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
    if falls_back:
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
