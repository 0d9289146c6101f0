"""Concurrent enqueues and dispatchers on PostgreSQL (real row locks): no duplicate
message, no message sent twice, no pace limit overshot."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from ansinh.messaging import services
from ansinh.messaging.choices import Channel, MessageState, Provider
from ansinh.messaging.dispatch import dispatch
from ansinh.messaging.models import MessageAttempt, OutboxMessage
from tests.messaging.conftest import ScriptedAdapter, at, config

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def together(n: int, work: Callable[[int], Any]) -> list[Any]:
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return results


def test_concurrent_enqueue_of_one_key_creates_one_row():
    results = together(
        8,
        lambda i: services.message_enqueue(
            key="bhyt:9:2026-12-31:d30",
            to="0912345678",
            channel=Channel.SMS,
            sms_text=f"Nhac {i}",
        )[1],
    )
    assert sorted(results) == [False] * 7 + [True]
    assert OutboxMessage.objects.count() == 1


def test_concurrent_bulk_enqueue_counts_each_row_once():
    rows = [
        {"key": f"k{i}", "to": "0912345678", "channel": Channel.SMS, "sms_text": "Nhac"}
        for i in range(500)
    ]
    created = together(4, lambda i: services.messages_enqueue_bulk(rows))
    assert sum(created) == 500
    assert OutboxMessage.objects.count() == 500


def test_concurrent_dispatchers_send_each_message_once():
    services.messages_enqueue_bulk(
        [
            {"key": f"k{i}", "to": "0912345678", "channel": Channel.OUTBOX, "sms_text": "Nhac"}
            for i in range(400)
        ]
    )
    reports = together(4, lambda i: dispatch(now=at(9), channel_config=config(batch_size=25)))
    assert sum(r.sent for r in reports) == 400
    assert MessageAttempt.objects.count() == 400
    assert OutboxMessage.objects.filter(state=MessageState.SENT, attempts=1).count() == 400


def test_concurrent_dispatchers_respect_the_pace_limit_together():
    services.messages_enqueue_bulk(
        [
            {"key": f"k{i}", "to": "0912345678", "channel": Channel.SMS, "sms_text": "Nhac"}
            for i in range(50)
        ]
    )

    def run(i: int) -> int:
        sms = ScriptedAdapter(Provider.ANDROID_SMS_GATEWAY, pace=[(3600, 10)])
        return dispatch(now=at(9), channel_config=config(sms=sms, batch_size=3)).sent

    assert sum(together(4, run)) == 10
    assert OutboxMessage.objects.filter(state=MessageState.SENT).count() == 10
