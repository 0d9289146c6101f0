"""The one interface every channel adapter implements, and what a call returns."""

from __future__ import annotations

import abc
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Self

import httpx

if TYPE_CHECKING:
    from ansinh.messaging.models import OutboxMessage


MINUTE = 60
HOUR = 3600


def env_bool(env: Mapping[str, str], name: str, default: bool = False) -> bool:
    value = env.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(name, "").strip()
    return int(value) if value else default


@dataclass(frozen=True)
class Common:
    """What every adapter's settings share: the HTTP timeout and the cost estimates (đồng)."""

    timeout: float = 15.0
    sms_per_part: int = 350
    zns: int = 300


def provider_ref(key: str) -> str:
    """The id sent to providers for a message: stable for a key (so a resend is recognised
    as the same message) and short enough for every provider (32 characters)."""
    return "ans" + hashlib.sha256(key.encode()).hexdigest()[:29]


def excerpt(value: Any, limit: int = 480) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        value = json.dumps(value, ensure_ascii=False, default=str)
    return str(value)[:limit]


def mask_phone(phone: str) -> str:
    """For request summaries kept in the attempt log: "+84912345678" -> "+84•••••678"."""
    return phone[:3] + "•" * max(len(phone) - 6, 0) + phone[-3:] if len(phone) > 6 else phone


@dataclass
class SendResult:
    """What happened when a message was handed to a provider.

    ``ok``: the provider accepted it (or said it already had it). Otherwise ``transient``
    errors are retried with backoff; ``ambiguous`` ones may have reached the provider
    (timeout after the request was written, 5xx) and make the dispatcher ask the provider's
    status before any resend; ``throttled`` pauses the provider (HTTP 429) for
    ``retry_after`` seconds. Anything else is final (validation, template, balance, auth).
    """

    ok: bool
    transient: bool = False
    ambiguous: bool = False
    throttled: bool = False
    retry_after: float | None = None
    provider_message_id: str = ""
    delivered: bool = False
    request_summary: str = ""
    response_code: str = ""
    response_excerpt: str = ""
    error: str = ""
    parts: int = 0
    cost: int = 0


class StatusKind(StrEnum):
    NOT_FOUND = "not_found"  # the provider never got it: sending is safe
    PENDING = "pending"  # accepted, not yet out: do not send again
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
    RESEND_SAFE = "resend_safe"  # cannot look up, but the provider drops a repeated id
    UNKNOWN = "unknown"  # cannot tell: do not send again, show "unknown"


@dataclass
class StatusResult:
    kind: StatusKind
    transient: bool = False  # the lookup itself failed: try again later
    provider_message_id: str = ""
    response_code: str = ""
    response_excerpt: str = ""
    error: str = ""


class ChannelAdapter(abc.ABC):
    """A provider. ``send`` must never raise for a provider's or the network's error: it
    returns a :class:`SendResult` saying whether the error is transient or final."""

    provider: ClassVar[str]
    channel: ClassVar[str]  # what ``OutboxMessage.sent_via`` records

    def __init__(self, *, pace: list[tuple[int, int]] | None = None) -> None:
        self._pace = list(pace or [])

    @classmethod
    def from_env(cls, env: Mapping[str, str], common: Common) -> Self:
        """The adapter configured from ``ANSINH_…`` environment variables (each vendor reads
        its own; ``messaging/config.py`` lists them all). Raises ``ImproperlyConfigured``
        naming what is missing."""
        raise NotImplementedError(f"{cls.__name__} is not configured from the environment")

    def pace_limits(self) -> list[tuple[int, int]]:
        """[(window in seconds, most sends in that window)]; empty means no limit."""
        return self._pace

    @abc.abstractmethod
    def send(self, message: OutboxMessage) -> SendResult: ...

    @abc.abstractmethod
    def status(self, message: OutboxMessage) -> StatusResult: ...

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""


def network_error(exc: httpx.HTTPError, summary: str = "") -> SendResult:
    """Classify an httpx error raised before any response was read."""
    name = type(exc).__name__
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        # Nothing reached the provider.
        return SendResult(
            ok=False, transient=True, request_summary=summary, response_code=name, error=str(exc)
        )
    # Read/write timeouts, dropped connections: the provider may have the message.
    return SendResult(
        ok=False,
        transient=True,
        ambiguous=True,
        request_summary=summary,
        response_code=name,
        error=str(exc) or name,
    )


def http_status_error(status: int, body: Any, summary: str, headers: Any = None) -> SendResult:
    """A non-2xx HTTP answer: 429 throttles, 5xx and 408 are transient (and ambiguous: the
    provider may have stored the message before failing), other 4xx are final."""
    retry_after = None
    if headers is not None:
        value = headers.get("Retry-After") if hasattr(headers, "get") else None
        if value and str(value).strip().isdigit():
            retry_after = float(str(value).strip())
    code = f"HTTP {status}"
    if status == 429:
        return SendResult(
            ok=False,
            transient=True,
            throttled=True,
            retry_after=retry_after,
            request_summary=summary,
            response_code=code,
            response_excerpt=excerpt(body),
            error="too many requests",
        )
    if status >= 500 or status == 408:
        return SendResult(
            ok=False,
            transient=True,
            ambiguous=True,
            request_summary=summary,
            response_code=code,
            response_excerpt=excerpt(body),
            error=f"provider error {status}",
        )
    return SendResult(
        ok=False,
        request_summary=summary,
        response_code=code,
        response_excerpt=excerpt(body),
        error=f"refused by the provider ({status})",
    )
