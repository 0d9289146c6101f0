"""eSMS (eSMS.vn / ViHAT): brandname SMS for customer care ("tin CSKH", SmsType 2).

- send: ``POST {base}/SendMultipleMessage_V4_post_json/`` with JSON ``{ApiKey, SecretKey,
  Phone, Content, Brandname, SmsType: "2", IsUnicode, Sandbox, RequestId, CallbackUrl,
  campaignid}`` -> ``{"CodeResult": "100", "SMSID": "…"}``. The content must match a
  template registered with the carriers (code 146 otherwise).
- ``RequestId`` is the message's stable id (:func:`provider_ref`): eSMS refuses a repeated
  RequestId with code 124, so resending after a timeout cannot send the SMS twice; eSMS keeps
  RequestIds for about a day, so after 20 hours the dispatcher stops trusting it and marks
  the message "unknown" instead of resending.
- status: ``GET {base}/GetSendStatus?RefId={SMSID}&ApiKey=…&SecretKey=…`` ->
  ``{"CodeResponse": "100", "SendStatus": 5, "SendSuccess": 1, "SendFailed": 0, …}``
  (SendStatus 1 waiting for approval, 2 waiting to send, 4 refused, 5 done, 7 sent and
  waiting for the report). The callback (HTTP GET on ``CallbackUrl``) carries the same fields.
- ``Sandbox: 1`` validates without sending or charging (``ANSINH_ESMS_SANDBOX=1``).

Codes that are never retried (:data:`FINAL_CODES`): 101 wrong ApiKey/SecretKey, 102 no price
list, 103 balance too low, 104 brandname unknown, 146 wrong template, 177 carrier not
registered, 120 too many numbers, 300 message type missing. 99 (unknown error), HTTP 5xx and
429 are transient.
"""

from __future__ import annotations

import datetime as dt
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
    env_bool,
    env_int,
    excerpt,
    http_status_error,
    mask_phone,
    network_error,
    provider_ref,
)
from ansinh.messaging.choices import AttemptKind, Channel, Provider

if TYPE_CHECKING:
    from ansinh.messaging.models import OutboxMessage

DEFAULT_URL = "https://rest.esms.vn/MainService.svc/json"
OK = "100"
DUPLICATE_REQUEST = "124"
NOT_FOUND = "105"
TRANSIENT_CODES = frozenset({"99"})
FINAL_CODES = {
    "101": "wrong ApiKey or SecretKey",
    "102": "no price list for this account",
    "103": "balance too low",
    "104": "brandname not registered",
    "120": "too many phone numbers",
    "146": "content does not match a registered template",
    "177": "carrier not registered for this brandname",
    "300": "message type missing",
}
REQUEST_ID_MEMORY = dt.timedelta(hours=20)


def national(phone: str) -> str:
    """eSMS takes Vietnamese numbers in national form: +84912345678 -> 0912345678."""
    return "0" + phone[3:] if phone.startswith("+84") else phone


class EsmsAdapter(ChannelAdapter):
    provider = Provider.ESMS
    channel = Channel.SMS

    @classmethod
    def from_env(cls, env: Mapping[str, str], common: Common) -> Self:
        api_key = env.get("ANSINH_ESMS_API_KEY", "")
        secret = env.get("ANSINH_ESMS_SECRET_KEY", "")
        if not api_key or not secret:
            raise ImproperlyConfigured(
                "ANSINH_SMS_CHANNEL=esms needs ANSINH_ESMS_API_KEY and ANSINH_ESMS_SECRET_KEY"
            )
        return cls(
            api_key=api_key,
            secret_key=secret,
            brandname=env.get("ANSINH_ESMS_BRANDNAME", ""),
            url=env.get("ANSINH_ESMS_URL", "") or DEFAULT_URL,
            sandbox=env_bool(env, "ANSINH_ESMS_SANDBOX"),
            callback_url=env.get("ANSINH_ESMS_CALLBACK_URL", ""),
            timeout=common.timeout,
            cost_per_part=common.sms_per_part,
            pace=[(MINUTE, env_int(env, "ANSINH_ESMS_PER_MINUTE", 60))],
        )

    def __init__(
        self,
        *,
        api_key: str,
        secret_key: str,
        brandname: str,
        url: str = DEFAULT_URL,
        sandbox: bool = False,
        callback_url: str = "",
        timeout: float = 15.0,
        cost_per_part: int = 0,
        pace: list[tuple[int, int]] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(pace=pace)
        self.url = url.rstrip("/")
        self.api_key = api_key
        self.secret_key = secret_key
        self.brandname = brandname
        self.sandbox = sandbox
        self.callback_url = callback_url
        self.cost_per_part = cost_per_part
        self._http = httpx.Client(timeout=timeout, transport=transport)

    def close(self) -> None:
        self._http.close()

    def send(self, message: OutboxMessage) -> SendResult:
        ref = message.ref or provider_ref(message.key)
        body: dict[str, Any] = {
            "ApiKey": self.api_key,
            "SecretKey": self.secret_key,
            "Phone": national(message.to),
            "Content": message.sms_text,
            "Brandname": self.brandname,
            "SmsType": "2",
            "IsUnicode": 1 if message.encoding == "ucs2" else 0,
            "Sandbox": 1 if self.sandbox else 0,
            "RequestId": ref,
        }
        if self.callback_url:
            body["CallbackUrl"] = self.callback_url
        if message.topic:
            body["campaignid"] = message.topic
        summary = (
            f"POST SendMultipleMessage_V4_post_json Phone={mask_phone(message.to)} "
            f"RequestId={ref} SmsType=2 Sandbox={body['Sandbox']}"
        )
        try:
            response = self._http.post(f"{self.url}/SendMultipleMessage_V4_post_json/", json=body)
        except httpx.HTTPError as exc:
            return network_error(exc, summary)
        if response.status_code >= 300:
            return http_status_error(
                response.status_code, response.text, summary, headers=response.headers
            )
        try:
            data = response.json()
            code = str(data.get("CodeResult", ""))
        except (ValueError, AttributeError):
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
            "response_code": code,
            "response_excerpt": excerpt(data),
        }
        cost = 0 if self.sandbox else message.parts * self.cost_per_part
        if code == OK:
            return SendResult(
                ok=True,
                provider_message_id=str(data.get("SMSID", "")),
                parts=message.parts,
                cost=cost,
                **common,
            )
        if code == DUPLICATE_REQUEST:
            # eSMS already has this RequestId: the earlier attempt went through.
            return SendResult(ok=True, parts=message.parts, cost=cost, **common)
        error = str(data.get("ErrorMessage") or FINAL_CODES.get(code) or f"eSMS code {code}")
        if code in TRANSIENT_CODES:
            return SendResult(ok=False, transient=True, ambiguous=True, error=error, **common)
        return SendResult(ok=False, error=error, **common)

    def status(self, message: OutboxMessage) -> StatusResult:
        if not message.provider_message_id:
            last = (
                message.tries.filter(kind=AttemptKind.SEND, provider=self.provider)
                .order_by("-at")
                .values_list("at", flat=True)
                .first()
            )
            now = message.claimed_at or message.next_attempt_at
            if last is not None and now - last > REQUEST_ID_MEMORY:
                return StatusResult(
                    kind=StatusKind.UNKNOWN, error="eSMS no longer remembers the RequestId"
                )
            return StatusResult(kind=StatusKind.RESEND_SAFE)
        params = {
            "RefId": message.provider_message_id,
            "ApiKey": self.api_key,
            "SecretKey": self.secret_key,
        }
        try:
            response = self._http.get(f"{self.url}/GetSendStatus", params=params)
        except httpx.HTTPError as exc:
            return StatusResult(
                kind=StatusKind.UNKNOWN, transient=True, response_code=type(exc).__name__
            )
        if response.status_code >= 300:
            return StatusResult(
                kind=StatusKind.UNKNOWN,
                transient=response.status_code >= 500 or response.status_code == 429,
                response_code=f"HTTP {response.status_code}",
                response_excerpt=excerpt(response.text),
            )
        try:
            data = response.json()
        except ValueError:
            return StatusResult(kind=StatusKind.UNKNOWN, transient=True, error="unreadable")
        code = str(data.get("CodeResponse", data.get("CodeResult", "")))
        return StatusResult(
            kind=esms_status_kind(data) if code == OK else StatusKind.UNKNOWN,
            provider_message_id=message.provider_message_id,
            response_code=code,
            response_excerpt=excerpt(data),
        )


def esms_status_kind(data: dict[str, Any]) -> StatusKind:
    """Map GetSendStatus (or a callback's query string) to a status."""

    def number(name: str) -> int:
        try:
            return int(float(data.get(name) or 0))
        except (TypeError, ValueError):
            return 0

    send_status = number("SendStatus")
    if send_status in (0, 1, 2):
        return StatusKind.PENDING
    if send_status == 4:
        return StatusKind.FAILED
    if send_status == 5:
        if number("SendSuccess") > 0:
            return StatusKind.DELIVERED
        if number("SendFailed") > 0:
            return StatusKind.FAILED
        return StatusKind.SENT
    if send_status == 7:
        return StatusKind.SENT
    return StatusKind.UNKNOWN
