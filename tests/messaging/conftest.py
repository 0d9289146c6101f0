from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from ansinh.messaging.channels.base import (
    ChannelAdapter,
    SendResult,
    StatusKind,
    StatusResult,
)
from ansinh.messaging.choices import Channel, Provider
from ansinh.messaging.config import ChannelConfig
from ansinh.messaging.models import OutboxMessage
from ansinh.messaging.services import message_enqueue
from tests.messaging.fakes import FakeEsms, FakeSmsGate, FakeZns, running

VN = ZoneInfo("Asia/Ho_Chi_Minh")
COMMUNE = 25522


def at(hour: int, minute: int = 0, *, days: int = 1) -> dt.datetime:
    """A moment in Vietnam ``days`` after today, always later than the real clock (rows
    queued now are due)."""
    day = timezone.now().astimezone(VN).date() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=VN)


def enqueue(
    key: str = "bhyt:1:2026-12-31:d30",
    to: str = "0912 345 678",
    channel: str = Channel.SMS,
    text: str = "Nhac gia han the BHYT cua ho ong NGUYEN VAN AN truoc 31/12/2026.",
    **extra: Any,
) -> OutboxMessage:
    extra.setdefault("commune_code", COMMUNE)
    extra.setdefault("topic", "bhyt-reminder")
    message, _ = message_enqueue(key=key, to=to, channel=channel, sms_text=text, **extra)
    return message


class ScriptedAdapter(ChannelAdapter):
    """An adapter whose answers a test writes in advance (default: accepted)."""

    def __init__(
        self,
        provider: str = Provider.ESMS,
        channel: str = Channel.SMS,
        *,
        results: list[SendResult] | None = None,
        statuses: list[StatusResult] | None = None,
        pace: list[tuple[int, int]] | None = None,
    ) -> None:
        super().__init__(pace=pace)
        self.provider = provider
        self.channel = channel
        self.results = list(results or [])
        self.statuses = list(statuses or [])
        self.sent: list[str] = []
        self.looked_up: list[str] = []

    def send(self, message: OutboxMessage) -> SendResult:
        self.sent.append(message.key)
        if self.results:
            return self.results.pop(0)
        return SendResult(ok=True, provider_message_id=f"id-{message.pk}", parts=message.parts)

    def status(self, message: OutboxMessage) -> StatusResult:
        self.looked_up.append(message.key)
        return self.statuses.pop(0) if self.statuses else StatusResult(kind=StatusKind.NOT_FOUND)


def config(**kw: Any) -> ChannelConfig:
    kw.setdefault("rng", random.Random(7))
    return ChannelConfig(**kw)


@pytest.fixture
def sms_gate() -> Iterator[FakeSmsGate]:
    with running(FakeSmsGate()) as fake:
        yield fake  # type: ignore[misc]


@pytest.fixture
def esms() -> Iterator[FakeEsms]:
    with running(FakeEsms()) as fake:
        yield fake  # type: ignore[misc]


@pytest.fixture
def zns() -> Iterator[FakeZns]:
    with running(FakeZns(no_zalo=("84987654321",))) as fake:
        yield fake  # type: ignore[misc]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's own messaging settings never leak into a test."""
    import os

    for name in list(os.environ):
        if name.startswith(
            ("ANSINH_SMS_", "ANSINH_ESMS_", "ANSINH_ZALO_", "ANSINH_ZNS_", "ANSINH_MESSAGING_")
        ):
            monkeypatch.delenv(name)
