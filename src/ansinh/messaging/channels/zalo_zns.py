"""Zalo ZNS (Zalo Notification Service): approved template messages to a phone number.

- send: ``POST {base}/message/template`` with header ``access_token`` and JSON
  ``{phone: "84912345678", template_id, template_data: {...}, tracking_id}`` ->
  ``{"error": 0, "message": "Success", "data": {"msg_id": "…", "sent_time": "…",
  "quota": {"dailyQuota": "…", "remainingQuota": "…"}}}``; a refusal has a negative
  ``error`` (e.g. -108 invalid phone, -109 invalid template, -112 template data,
  -114 user inactive or refused, -115 out of quota/balance, -118 no Zalo account,
  -119 account cannot receive ZNS, -124 invalid access token, -131 template not approved,
  -139 user refused ZNS, -144 daily quota exceeded).
- status: ``GET {base}/message/status?message_id=…&phone=…``.
- ``tracking_id`` is the message's stable id (:func:`provider_ref`).

The dispatcher falls back to SMS when ZNS fails for any reason but "too many requests"
(HTTP 429: ZNS is paused and retried). ZNS has no lookup by ``tracking_id``, so after a
timeout the message goes by SMS: the household may, rarely, get both a Zalo message and an
SMS, never the same SMS twice.

The outbox row's ``zalo_template`` is a name (``d30``) mapped to a ZNS template id by
``ANSINH_ZNS_TEMPLATE_D30=<id>``; a name made of digits is taken as the id itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self

import httpx
from django.core.exceptions import ImproperlyConfigured

from ansinh.messaging.channels.base import (
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

DEFAULT_URL = "https://business.openapi.zalo.me"
ERRORS = {
    -100: "unknown Zalo error",
    -108: "invalid phone number",
    -109: "invalid template id",
    -111: "template data empty",
    -112: "template data invalid",
    -114: "user inactive, refused the message or uses an old Zalo",
    -115: "out of ZNS quota or balance",
    -117: "OA not allowed to send ZNS",
    -118: "no Zalo account for this number",
    -119: "this account cannot receive ZNS",
    -124: "invalid access token",
    -131: "template not approved",
    -133: "outside ZNS sending hours",
    -139: "user refused ZNS messages",
    -144: "daily ZNS quota exceeded",
}


def zalo_phone(phone: str) -> str:
    """ZNS takes 84xxxxxxxxx: +84912345678 -> 84912345678."""
    return phone.removeprefix("+")


class ZaloZnsAdapter(ChannelAdapter):
    provider = Provider.ZALO_ZNS
    channel = Channel.ZALO

    @classmethod
    def from_env(cls, env: Mapping[str, str], common: Common) -> Self:
        token = env.get("ANSINH_ZALO_ACCESS_TOKEN", "")
        if not token:
            raise ImproperlyConfigured("ANSINH_ZALO_ENABLED=1 needs ANSINH_ZALO_ACCESS_TOKEN")
        prefix = "ANSINH_ZNS_TEMPLATE_"
        return cls(
            access_token=token,
            templates={k[len(prefix) :]: v for k, v in env.items() if k.startswith(prefix)},
            url=env.get("ANSINH_ZNS_URL", "") or DEFAULT_URL,
            timeout=common.timeout,
            cost=common.zns,
            pace=[(MINUTE, env_int(env, "ANSINH_ZNS_PER_MINUTE", 60))],
        )

    def __init__(
        self,
        *,
        access_token: str,
        templates: dict[str, str] | None = None,
        url: str = DEFAULT_URL,
        timeout: float = 15.0,
        cost: int = 0,
        pace: list[tuple[int, int]] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(pace=pace)
        self.url = url.rstrip("/")
        self.access_token = access_token
        self.templates = {k.lower(): v for k, v in (templates or {}).items()}
        self.cost = cost
        self._http = httpx.Client(
            timeout=timeout, transport=transport, headers={"access_token": access_token}
        )

    def close(self) -> None:
        self._http.close()

    def template_id(self, name: str) -> str:
        if not name:
            return ""
        return self.templates.get(name.lower()) or (name if name.isdigit() else "")

    def send(self, message: OutboxMessage) -> SendResult:
        ref = message.ref or provider_ref(message.key)
        template_id = self.template_id(message.zalo_template)
        summary = (
            f"POST /message/template phone={mask_phone(message.to)} "
            f"template={message.zalo_template}:{template_id or '?'} tracking_id={ref}"
        )
        if not template_id:
            return SendResult(
                ok=False,
                request_summary=summary,
                response_code="no-template",
                error=f"no ZNS template configured for “{message.zalo_template}”",
            )
        body: dict[str, Any] = {
            "phone": zalo_phone(message.to),
            "template_id": template_id,
            "template_data": {k: str(v) for k, v in (message.zalo_data or {}).items()},
            "tracking_id": ref,
        }
        try:
            response = self._http.post(f"{self.url}/message/template", json=body)
        except httpx.HTTPError as exc:
            return network_error(exc, summary)
        if response.status_code >= 300:
            return http_status_error(
                response.status_code, response.text, summary, headers=response.headers
            )
        try:
            data = response.json()
            error = int(data.get("error", -100))
        except (ValueError, AttributeError, TypeError):
            return SendResult(
                ok=False,
                transient=True,
                ambiguous=True,
                request_summary=summary,
                response_code=f"HTTP {response.status_code}",
                response_excerpt=excerpt(response.text),
                error="unreadable answer",
            )
        common: dict[str, Any] = {
            "request_summary": summary,
            "response_code": str(error),
            "response_excerpt": excerpt(data),
        }
        if error == 0:
            msg_id = str((data.get("data") or {}).get("msg_id", ""))
            return SendResult(ok=True, provider_message_id=msg_id, cost=self.cost, **common)
        reason = ERRORS.get(error) or str(data.get("message") or f"Zalo error {error}")
        return SendResult(ok=False, error=f"{reason} ({error})", **common)

    def status(self, message: OutboxMessage) -> StatusResult:
        if not message.provider_message_id:
            return StatusResult(kind=StatusKind.UNKNOWN, error="ZNS cannot look up a tracking id")
        try:
            response = self._http.get(
                f"{self.url}/message/status",
                params={"message_id": message.provider_message_id, "phone": zalo_phone(message.to)},
            )
            data = response.json()
        except httpx.HTTPError as exc:
            return StatusResult(
                kind=StatusKind.UNKNOWN, transient=True, response_code=type(exc).__name__
            )
        except ValueError:
            return StatusResult(kind=StatusKind.UNKNOWN, transient=True, error="unreadable")
        error = data.get("error")
        if error != 0:
            return StatusResult(
                kind=StatusKind.UNKNOWN, response_code=str(error), response_excerpt=excerpt(data)
            )
        delivered = (data.get("data") or {}).get("status") == 1
        return StatusResult(
            kind=StatusKind.DELIVERED if delivered else StatusKind.SENT,
            provider_message_id=message.provider_message_id,
            response_code="0",
            response_excerpt=excerpt(data),
        )
