"""Messaging configuration, read from environment variables when the dispatcher starts.

=====================================  =====================================================
``ANSINH_SMS_CHANNEL``                 ``outbox`` (default: nothing is sent, the outbox page
                                       shows what would be), ``android_sms_gateway``, ``esms``
``ANSINH_SMS_GATEWAY_MODE``            ``local`` (default) or ``cloud``
``ANSINH_SMS_GATEWAY_URL``             local: ``http://<phone-ip>:8080``; cloud default
                                       ``https://api.sms-gate.app/3rdparty/v1``
``ANSINH_SMS_GATEWAY_USER`` /          Basic auth shown in the app (a password without a
``ANSINH_SMS_GATEWAY_PASSWORD``        user is sent as a bearer token)
``ANSINH_SMS_GATEWAY_WEBHOOK_SECRET``  the app's webhook signing key (Settings → Webhooks)
``ANSINH_SMS_GATEWAY_SIM``             SIM slot 1–3 (default: the phone's default SIM)
``ANSINH_SMS_GATEWAY_PER_MINUTE``      pace: default 4 a minute …
``ANSINH_SMS_GATEWAY_PER_HOUR``        … and 60 an hour (a SIM is throttled beyond ~100)
``ANSINH_ESMS_API_KEY`` /              eSMS account
``ANSINH_ESMS_SECRET_KEY``
``ANSINH_ESMS_BRANDNAME``              registered brandname
``ANSINH_ESMS_URL``                    default ``https://rest.esms.vn/MainService.svc/json``
``ANSINH_ESMS_SANDBOX``                ``1``: validated by eSMS, not sent, not charged
``ANSINH_ESMS_CALLBACK_URL``           public URL of ``/messaging/webhooks/esms/?token=…``
``ANSINH_ESMS_CALLBACK_TOKEN``         the ``token`` that callback must carry
``ANSINH_ESMS_PER_MINUTE``             default 60
``ANSINH_ZALO_ENABLED``                ``1``: messages asking for Zalo go by ZNS (else SMS)
``ANSINH_ZALO_ACCESS_TOKEN``           OA access token for ZNS
``ANSINH_ZNS_URL``                     default ``https://business.openapi.zalo.me``
``ANSINH_ZNS_TEMPLATE_<NAME>``         ZNS template id for the outbox's ``zalo_template``
                                       name (e.g. ``ANSINH_ZNS_TEMPLATE_D30=412345``)
``ANSINH_ZNS_PER_MINUTE``              default 60
``ANSINH_SMS_COST_PER_PART``           đồng per SMS part for estimates (default 350)
``ANSINH_ZNS_COST``                    đồng per ZNS message (default 300)
``ANSINH_MESSAGING_SEND_WINDOW``       local hours when sending is allowed, default
                                       ``08:00-20:00`` (Asia/Ho_Chi_Minh)
``ANSINH_MESSAGING_MAX_ATTEMPTS``      sends before a transient error becomes final (6)
``ANSINH_MESSAGING_BACKOFF``           first retry delay in seconds (60), doubled each time
                                       with jitter, at most 6 hours
``ANSINH_MESSAGING_BATCH``             rows claimed at a time (500)
``ANSINH_MESSAGING_HTTP_TIMEOUT``      seconds (15)
=====================================  =====================================================
"""

from __future__ import annotations

import datetime as dt
import os
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from ansinh.messaging.channels.base import HOUR, ChannelAdapter, Common, env_bool, env_int
from ansinh.messaging.channels.outbox import OutboxAdapter
from ansinh.messaging.choices import Channel, Provider

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
_bool, _int = env_bool, env_int

#: ``ANSINH_SMS_CHANNEL`` → the adapter that carries SMS (imported only when chosen: a vendor's
#: client library is not loaded by an installation that does not use it). A new vendor is one
#: module in ``channels/`` with a ``from_env`` and one line here.
SMS_ADAPTERS: dict[str, str] = {
    Provider.OUTBOX: "ansinh.messaging.channels.outbox.OutboxAdapter",
    Provider.ANDROID_SMS_GATEWAY: (
        "ansinh.messaging.channels.android_sms_gateway.AndroidSmsGatewayAdapter"
    ),
    Provider.ESMS: "ansinh.messaging.channels.esms.EsmsAdapter",
}
ZALO_ADAPTER = "ansinh.messaging.channels.zalo_zns.ZaloZnsAdapter"


def _window(value: str) -> tuple[dt.time, dt.time]:
    start, _, end = value.partition("-")
    return dt.time.fromisoformat(start.strip()), dt.time.fromisoformat(end.strip())


@dataclass(frozen=True)
class Prices:
    """Estimates in đồng, written on each outbox row when it is queued."""

    sms_per_part: int = 350
    zns: int = 300

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Prices:
        env = os.environ if env is None else env
        return cls(
            sms_per_part=_int(env, "ANSINH_SMS_COST_PER_PART", 350),
            zns=_int(env, "ANSINH_ZNS_COST", 300),
        )

    def estimate(self, *, channel: str, parts: int, zalo_enabled: bool) -> int:
        if channel == Channel.ZALO and zalo_enabled:
            return self.zns
        return parts * self.sms_per_part


def zalo_enabled(env: Mapping[str, str] | None = None) -> bool:
    return _bool(os.environ if env is None else env, "ANSINH_ZALO_ENABLED")


def keep_sms_diacritics(env: Mapping[str, str] | None = None) -> bool:
    return _bool(os.environ if env is None else env, "ANSINH_SMS_KEEP_DIACRITICS")


@dataclass
class ChannelConfig:
    """Which adapter carries each route, and the dispatcher's rules."""

    sms: ChannelAdapter = field(default_factory=OutboxAdapter)
    zalo: ChannelAdapter | None = None  # None: Zalo is off, Zalo messages go by SMS
    outbox: ChannelAdapter = field(default_factory=OutboxAdapter)
    send_window: tuple[dt.time, dt.time] = (dt.time(8, 0), dt.time(20, 0))
    max_attempts: int = 6
    backoff_base: float = 60.0
    backoff_cap: float = 6 * HOUR
    batch_size: int = 500
    # A row still "sending" this long after it was claimed belongs to a dispatcher that died.
    stale_after: dt.timedelta = dt.timedelta(minutes=10)
    prices: Prices = field(default_factory=Prices)
    rng: random.Random = field(default_factory=random.Random)

    def adapters(self) -> list[ChannelAdapter]:
        found: list[ChannelAdapter] = []
        for adapter in (self.outbox, self.sms, self.zalo):
            if adapter is not None and all(adapter is not a for a in found):
                found.append(adapter)
        return found

    def close(self) -> None:
        for adapter in self.adapters():
            adapter.close()

    def in_send_window(self, now: dt.datetime) -> bool:
        local = now.astimezone(LOCAL_TZ).time()
        start, end = self.send_window
        return start <= local < end

    def window_opens(self, now: dt.datetime) -> dt.datetime:
        """The next time the send window opens (for reports)."""
        local = now.astimezone(LOCAL_TZ)
        start = local.replace(
            hour=self.send_window[0].hour,
            minute=self.send_window[0].minute,
            second=0,
            microsecond=0,
        )
        if start <= local:
            start += dt.timedelta(days=1)
        return start

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ChannelConfig:
        """The dispatcher's configuration: the SMS adapter named by ``ANSINH_SMS_CHANNEL``
        and, with ``ANSINH_ZALO_ENABLED``, Zalo ZNS, each reading its own variables."""
        env = os.environ if env is None else env
        prices = Prices.from_env(env)
        common = Common(
            timeout=float(env.get("ANSINH_MESSAGING_HTTP_TIMEOUT", "15") or 15),
            sms_per_part=prices.sms_per_part,
            zns=prices.zns,
        )
        kind = env.get("ANSINH_SMS_CHANNEL", Provider.OUTBOX).strip() or Provider.OUTBOX
        if kind not in SMS_ADAPTERS:
            raise ImproperlyConfigured(
                f"ANSINH_SMS_CHANNEL={kind!r}: use {', '.join(SMS_ADAPTERS)}"
            )
        sms = import_string(SMS_ADAPTERS[kind]).from_env(env, common)
        zalo = import_string(ZALO_ADAPTER).from_env(env, common) if zalo_enabled(env) else None
        return cls(
            sms=sms,
            zalo=zalo,
            send_window=_window(env.get("ANSINH_MESSAGING_SEND_WINDOW", "08:00-20:00")),
            max_attempts=_int(env, "ANSINH_MESSAGING_MAX_ATTEMPTS", 6),
            backoff_base=float(env.get("ANSINH_MESSAGING_BACKOFF", "60") or 60),
            batch_size=_int(env, "ANSINH_MESSAGING_BATCH", 500),
            prices=prices,
        )
