"""SMS Gateway for Android ("SMSGate"): the commune's own phone sends the SMS.

Uses the ``android-sms-gateway`` client (``APIClient`` over httpx). Local mode talks to the
phone on the office network (``http://<phone-ip>:8080``); cloud or private-server mode to
``https://api.sms-gate.app/3rdparty/v1`` (or your server). Basic auth with the user and
password shown in the app; a password without a user is sent as a bearer token (JWT).

- send: ``POST /messages`` ``{id, textMessage: {text}, phoneNumbers: ["+84…"], simNumber,
  validUntil, withDeliveryReport: true}``. The ``id`` is derived from the outbox key
  (:func:`provider_ref`), so the same message always carries the same id;
- status: ``GET /messages/{id}`` -> ``Pending | Processed | Sent | Delivered | Failed``;
- webhooks ``sms:sent | sms:delivered | sms:failed | sms:received`` are signed:
  ``X-Signature = hex(HMAC-SHA256(key, raw body + X-Timestamp))`` (:func:`verify_signature`).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Self

import httpx
from android_sms_gateway import APIClient, Message, TextMessage
from android_sms_gateway.enums import ProcessState
from android_sms_gateway.errors import APIError, NotFoundError
from android_sms_gateway.http import HttpxHttpClient
from django.core.exceptions import ImproperlyConfigured

from ansinh.messaging.channels.base import (
    HOUR,
    MINUTE,
    ChannelAdapter,
    Common,
    SendResult,
    StatusKind,
    StatusResult,
    env_int,
    excerpt,
    http_status_error,
    mask_phone,
    network_error,
    provider_ref,
)
from ansinh.messaging.choices import Channel, Provider

if TYPE_CHECKING:
    from ansinh.messaging.models import OutboxMessage

CLOUD_URL = "https://api.sms-gate.app/3rdparty/v1"
SIGNATURE_TOLERANCE = 300  # seconds either side of X-Timestamp

_STATES = {
    ProcessState.Pending: StatusKind.PENDING,
    ProcessState.Processed: StatusKind.PENDING,
    ProcessState.Sent: StatusKind.SENT,
    ProcessState.Delivered: StatusKind.DELIVERED,
    ProcessState.Failed: StatusKind.FAILED,
    ProcessState.Cancelling: StatusKind.FAILED,
    ProcessState.Cancelled: StatusKind.FAILED,
}


def verify_signature(
    secret: str, body: bytes, timestamp: str, signature: str, *, now: float | None = None
) -> bool:
    """Check a webhook: HMAC-SHA256 over the raw body followed by ``X-Timestamp`` (Unix
    seconds), hex-encoded in ``X-Signature``; a timestamp more than five minutes away from
    ``now`` is refused (replay)."""
    if not secret or not timestamp or not signature:
        return False
    try:
        stamp = int(timestamp)
    except ValueError:
        return False
    current = time.time() if now is None else now
    if abs(current - stamp) > SIGNATURE_TOLERANCE:
        return False
    expected = hmac.new(secret.encode(), body + timestamp.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature.strip().lower())


def sign(secret: str, body: bytes, timestamp: str) -> str:
    """The signature the phone puts in ``X-Signature`` (used by tests and the fake)."""
    return hmac.new(secret.encode(), body + timestamp.encode(), hashlib.sha256).hexdigest()


class AndroidSmsGatewayAdapter(ChannelAdapter):
    provider = Provider.ANDROID_SMS_GATEWAY
    channel = Channel.SMS

    @classmethod
    def from_env(cls, env: Mapping[str, str], common: Common) -> Self:
        mode = env.get("ANSINH_SMS_GATEWAY_MODE", "local").strip()
        url = env.get("ANSINH_SMS_GATEWAY_URL", "").strip() or (
            CLOUD_URL if mode == "cloud" else ""
        )
        password = env.get("ANSINH_SMS_GATEWAY_PASSWORD", "")
        if not url or not password:
            raise ImproperlyConfigured(
                "ANSINH_SMS_CHANNEL=android_sms_gateway needs ANSINH_SMS_GATEWAY_URL "
                "(local mode) and ANSINH_SMS_GATEWAY_PASSWORD"
            )
        sim = env.get("ANSINH_SMS_GATEWAY_SIM", "").strip()
        return cls(
            url=url,
            user=env.get("ANSINH_SMS_GATEWAY_USER", ""),
            password=password,
            sim_number=int(sim) if sim else None,
            timeout=common.timeout,
            cost_per_part=common.sms_per_part,
            pace=[
                (MINUTE, env_int(env, "ANSINH_SMS_GATEWAY_PER_MINUTE", 4)),
                (HOUR, env_int(env, "ANSINH_SMS_GATEWAY_PER_HOUR", 60)),
            ],
        )

    def __init__(
        self,
        *,
        url: str,
        user: str = "",
        password: str,
        sim_number: int | None = None,
        timeout: float = 15.0,
        cost_per_part: int = 0,
        pace: list[tuple[int, int]] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(pace=pace)
        self.url = url.rstrip("/")
        self.sim_number = sim_number
        self.cost_per_part = cost_per_part
        self._http = httpx.Client(timeout=timeout, transport=transport)
        self._client = APIClient(
            user or None, password, base_url=self.url, http=HttpxHttpClient(self._http)
        )

    def close(self) -> None:
        self._http.close()

    def send(self, message: OutboxMessage) -> SendResult:
        ref = message.ref or provider_ref(message.key)
        summary = f"POST {self.url}/messages id={ref} to={mask_phone(message.to)}"
        request = Message(
            phone_numbers=[message.to],
            text_message=TextMessage(text=message.sms_text),
            id=ref,
            sim_number=self.sim_number,
            with_delivery_report=True,
            valid_until=message.expires_at,
        )
        try:
            state = self._client.send(request)
        except APIError as exc:
            if exc.status_code == 409:
                # The phone already has a message with this id: it is the same message.
                return SendResult(
                    ok=True,
                    provider_message_id=ref,
                    request_summary=summary,
                    response_code="HTTP 409",
                    response_excerpt=excerpt(exc.response or ""),
                    parts=message.parts,
                    cost=message.parts * self.cost_per_part,
                )
            return http_status_error(exc.status_code or 0, exc.response or "", summary)
        except httpx.HTTPError as exc:
            return network_error(exc, summary)
        except (KeyError, ValueError, TypeError) as exc:
            # A 2xx answer we cannot read: the phone probably took the message.
            return SendResult(
                ok=False,
                transient=True,
                ambiguous=True,
                request_summary=summary,
                response_code="unreadable",
                error=f"unreadable answer: {exc}",
            )
        return SendResult(
            ok=True,
            provider_message_id=state.id or ref,
            delivered=state.state == ProcessState.Delivered,
            request_summary=summary,
            response_code=state.state.value,
            response_excerpt=excerpt({"id": state.id, "state": state.state.value}),
            parts=message.parts,
            cost=message.parts * self.cost_per_part,
        )

    def status(self, message: OutboxMessage) -> StatusResult:
        ref = message.provider_message_id or message.ref or provider_ref(message.key)
        try:
            state = self._client.get_state(ref)
        except NotFoundError as exc:
            return StatusResult(
                kind=StatusKind.NOT_FOUND,
                response_code="HTTP 404",
                response_excerpt=excerpt(exc.response or ""),
            )
        except APIError as exc:
            return StatusResult(
                kind=StatusKind.UNKNOWN,
                transient=(exc.status_code or 500) >= 500 or exc.status_code == 429,
                response_code=f"HTTP {exc.status_code}",
                response_excerpt=excerpt(exc.response or ""),
                error=str(exc),
            )
        except httpx.HTTPError as exc:
            return StatusResult(
                kind=StatusKind.UNKNOWN,
                transient=True,
                response_code=type(exc).__name__,
                error=str(exc) or type(exc).__name__,
            )
        except (KeyError, ValueError, TypeError) as exc:
            return StatusResult(kind=StatusKind.UNKNOWN, transient=True, error=str(exc))
        return StatusResult(
            kind=_STATES.get(state.state, StatusKind.UNKNOWN),
            provider_message_id=state.id,
            response_code=state.state.value,
            response_excerpt=excerpt(
                {"id": state.id, "state": state.state.value, "states": state.states}
            ),
        )
