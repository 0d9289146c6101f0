"""The dispatcher: quiet hours, expiry, refusals, retries and backoff, no double send,
Zalo → SMS fallback, pacing across runs. Time is injected, never slept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from ansinh.messaging.channels.android_sms_gateway import AndroidSmsGatewayAdapter
from ansinh.messaging.channels.base import SendResult, StatusKind, StatusResult
from ansinh.messaging.choices import Channel, MessageState, Provider
from ansinh.messaging.dispatch import OPTED_OUT, dispatch
from ansinh.messaging.models import ChannelPace, MessageAttempt, OutboxMessage, Suppression
from tests.messaging.conftest import ScriptedAdapter, at, config, enqueue
from tests.messaging.fakes import LostResponseTransport

pytestmark = pytest.mark.django_db

TRANSIENT = SendResult(ok=False, transient=True, response_code="ConnectError", error="refused")
AMBIGUOUS = SendResult(ok=False, transient=True, ambiguous=True, response_code="ReadTimeout")
FINAL = SendResult(ok=False, response_code="146", error="content does not match a template")


def state(message: OutboxMessage) -> str:
    message.refresh_from_db()
    return message.state


def test_outbox_only_channel_writes_what_would_be_sent_and_never_claims_delivery():
    a = enqueue(key="a", channel=Channel.OUTBOX)
    b = enqueue(key="b", channel=Channel.SMS)
    c = enqueue(key="c", channel=Channel.ZALO, zalo_template="d30")
    report = dispatch(now=at(9), channel_config=config())
    assert (report.claimed, report.sent, report.outbox_only) == (3, 3, 3)
    for message in (a, b, c):
        message.refresh_from_db()
        assert message.state == MessageState.SENT
        assert message.sent_via == Channel.OUTBOX
        assert message.provider == Provider.OUTBOX
        assert message.delivered_at is None
        assert message.attempts == 1
        assert message.sent_at == at(9)
    assert MessageAttempt.objects.filter(ok=True, provider=Provider.OUTBOX).count() == 3
    assert dispatch(now=at(10), channel_config=config()).claimed == 0


@pytest.mark.parametrize(
    ("when", "sends"),
    [
        ((7, 59), False),
        ((8, 0), True),
        ((12, 30), True),
        ((19, 59), True),
        ((20, 0), False),
        ((23, 0), False),
    ],
)
def test_quiet_hours_in_vietnam_time(when, sends):
    message = enqueue()
    sms = ScriptedAdapter()
    report = dispatch(now=at(*when), channel_config=config(sms=sms))
    assert report.in_window is sends
    assert state(message) == (MessageState.SENT if sends else MessageState.QUEUED)
    assert sms.sent == (["bhyt:1:2026-12-31:d30"] if sends else [])
    if not sends:
        assert report.next_window is not None
        assert report.next_window.hour == 8


def test_not_before_and_expiry():
    later = enqueue(key="later", not_before=at(10))
    stale = enqueue(key="stale", expires_at=at(8, 30))
    sms = ScriptedAdapter()
    report = dispatch(now=at(9), channel_config=config(sms=sms))
    assert report.expired == 1
    assert sms.sent == []
    assert state(stale) == MessageState.EXPIRED
    assert state(later) == MessageState.QUEUED
    dispatch(now=at(10), channel_config=config(sms=sms))
    assert sms.sent == ["later"]
    assert state(later) == MessageState.SENT


def test_expiry_happens_outside_the_send_window_too():
    message = enqueue(expires_at=at(21))
    assert dispatch(now=at(22), channel_config=config()).expired == 1
    assert state(message) == MessageState.EXPIRED


def test_a_refused_number_is_never_sent_to():
    message = enqueue()
    Suppression.objects.create(phone="+84912345678")
    sms = ScriptedAdapter()
    report = dispatch(now=at(9), channel_config=config(sms=sms))
    assert report.suppressed == 1
    assert sms.sent == []
    message.refresh_from_db()
    assert message.state == MessageState.FAILED
    assert message.last_error == OPTED_OUT


def test_transient_errors_are_retried_with_growing_backoff_then_sent():
    message = enqueue()
    sms = ScriptedAdapter(results=[TRANSIENT, TRANSIENT])
    dispatch(now=at(9), channel_config=config(sms=sms))
    message.refresh_from_db()
    first = message.next_attempt_at - at(9)
    assert message.state == MessageState.QUEUED
    assert message.attempts == 1
    assert dt.timedelta(seconds=30) <= first <= dt.timedelta(seconds=60)
    # Not due yet: nothing happens.
    assert dispatch(now=at(9) + first / 2, channel_config=config(sms=sms)).claimed == 0
    second_run = message.next_attempt_at
    dispatch(now=second_run, channel_config=config(sms=sms))
    message.refresh_from_db()
    second = message.next_attempt_at - second_run
    assert message.attempts == 2
    assert dt.timedelta(seconds=60) <= second <= dt.timedelta(seconds=120)
    dispatch(now=message.next_attempt_at, channel_config=config(sms=sms))
    assert state(message) == MessageState.SENT
    assert len(sms.sent) == 3
    assert MessageAttempt.objects.filter(message=message, transient=True).count() == 2


def test_transient_errors_give_up_after_max_attempts():
    message = enqueue()
    sms = ScriptedAdapter(results=[TRANSIENT, TRANSIENT])
    dispatch(now=at(9), channel_config=config(sms=sms, max_attempts=2))
    message.refresh_from_db()
    dispatch(now=message.next_attempt_at, channel_config=config(sms=sms, max_attempts=2))
    message.refresh_from_db()
    assert message.state == MessageState.FAILED
    assert message.attempts == 2


def test_final_errors_are_not_retried():
    message = enqueue()
    sms = ScriptedAdapter(results=[FINAL])
    report = dispatch(now=at(9), channel_config=config(sms=sms))
    assert report.failed == 1
    message.refresh_from_db()
    assert message.state == MessageState.FAILED
    assert "template" in message.last_error
    dispatch(now=at(12), channel_config=config(sms=sms))
    assert len(sms.sent) == 1


def test_after_an_ambiguous_error_the_provider_is_asked_before_any_resend():
    message = enqueue()
    sms = ScriptedAdapter(
        results=[AMBIGUOUS], statuses=[StatusResult(kind=StatusKind.PENDING, response_code="P")]
    )
    dispatch(now=at(9), channel_config=config(sms=sms))
    message.refresh_from_db()
    assert message.state == MessageState.QUEUED
    assert message.check_status
    report = dispatch(now=message.next_attempt_at, channel_config=config(sms=sms))
    assert report.status_checks == 1
    assert sms.looked_up == [message.key]
    assert len(sms.sent) == 1  # not sent twice
    message.refresh_from_db()
    assert message.state == MessageState.SENT
    assert not message.check_status


def test_after_an_ambiguous_error_a_message_the_provider_never_got_is_sent():
    message = enqueue()
    sms = ScriptedAdapter(results=[AMBIGUOUS], statuses=[StatusResult(kind=StatusKind.NOT_FOUND)])
    dispatch(now=at(9), channel_config=config(sms=sms))
    message.refresh_from_db()
    dispatch(now=message.next_attempt_at, channel_config=config(sms=sms))
    assert len(sms.sent) == 2
    assert state(message) == MessageState.SENT


def test_no_double_sms_after_a_timeout_with_the_phone_gateway(sms_gate):
    """The phone stored the message but its answer was lost: the next run finds it there."""
    message = enqueue()
    lossy = AndroidSmsGatewayAdapter(
        url=sms_gate.url, user="sms", password="secret-pw", transport=LostResponseTransport()
    )
    report = dispatch(now=at(9), channel_config=config(sms=lossy))
    assert report.retried == 1
    assert len(sms_gate.messages) == 1
    message.refresh_from_db()
    assert message.check_status
    assert message.state == MessageState.QUEUED
    dispatch(now=message.next_attempt_at, channel_config=config(sms=lossy))
    message.refresh_from_db()
    assert message.state == MessageState.SENT
    assert message.provider_message_id == message.ref
    assert [r["method"] for r in sms_gate.requests] == ["POST", "GET"]
    assert len(sms_gate.messages) == 1
    lossy.close()


def test_ambiguous_errors_end_as_unknown_not_failed():
    message = enqueue()
    sms = ScriptedAdapter(
        results=[AMBIGUOUS, AMBIGUOUS], statuses=[StatusResult(kind=StatusKind.NOT_FOUND)]
    )
    dispatch(now=at(9), channel_config=config(sms=sms, max_attempts=2))
    message.refresh_from_db()
    dispatch(now=message.next_attempt_at, channel_config=config(sms=sms, max_attempts=2))
    assert state(message) == MessageState.UNKNOWN


def test_a_dispatcher_that_died_while_sending_is_recovered_with_a_status_lookup():
    message = enqueue()
    OutboxMessage.objects.filter(pk=message.pk).update(
        state=MessageState.SENDING, provider=Provider.ESMS, claimed_at=at(8), claim_token="dead"
    )
    sms = ScriptedAdapter(statuses=[StatusResult(kind=StatusKind.DELIVERED)])
    report = dispatch(now=at(9), channel_config=config(sms=sms))
    assert report.recovered == 1
    assert sms.sent == []
    assert sms.looked_up == [message.key]
    assert state(message) == MessageState.DELIVERED


def test_zalo_failure_falls_back_to_sms_in_the_same_run():
    message = enqueue(channel=Channel.ZALO, zalo_template="d30")
    zalo = ScriptedAdapter(
        Provider.ZALO_ZNS,
        Channel.ZALO,
        results=[
            SendResult(ok=False, response_code="-118", error="no Zalo account for this number")
        ],
    )
    sms = ScriptedAdapter()
    report = dispatch(now=at(9), channel_config=config(sms=sms, zalo=zalo))
    assert report.fallbacks == 1
    assert zalo.sent == sms.sent == [message.key]
    message.refresh_from_db()
    assert message.state == MessageState.SENT
    assert message.sent_via == Channel.SMS
    assert message.use_fallback
    assert message.attempts == 2
    assert list(message.tries.values_list("provider", "ok").order_by("id")) == [
        (Provider.ZALO_ZNS, False),
        (Provider.ESMS, True),
    ]


def test_zalo_messages_go_by_zalo_when_it_works_and_by_sms_when_it_is_off():
    a = enqueue(key="a", channel=Channel.ZALO, zalo_template="d30")
    zalo = ScriptedAdapter(Provider.ZALO_ZNS, Channel.ZALO)
    dispatch(now=at(9), channel_config=config(sms=ScriptedAdapter(), zalo=zalo))
    a.refresh_from_db()
    assert a.sent_via == Channel.ZALO
    assert a.provider == Provider.ZALO_ZNS
    b = enqueue(key="b", channel=Channel.ZALO, zalo_template="d30")
    dispatch(now=at(10), channel_config=config(sms=ScriptedAdapter()))
    b.refresh_from_db()
    assert b.sent_via == Channel.SMS
    assert b.provider == Provider.ESMS


def test_too_many_requests_pauses_the_provider_without_using_an_attempt():
    one, two = enqueue(key="one"), enqueue(key="two")
    sms = ScriptedAdapter(
        results=[
            SendResult(
                ok=False, transient=True, throttled=True, retry_after=120, response_code="HTTP 429"
            )
        ]
    )
    report = dispatch(now=at(9), channel_config=config(sms=sms))
    assert report.throttled == 1
    assert sms.sent == ["one"]
    for message in (one, two):
        message.refresh_from_db()
        assert message.state == MessageState.QUEUED
        assert message.attempts == 0
        assert message.next_attempt_at == at(9) + dt.timedelta(seconds=120)
    assert ChannelPace.objects.get(provider=Provider.ESMS).paused_until == at(9, 2)
    assert dispatch(now=at(9, 1), channel_config=config(sms=sms)).claimed == 0
    assert dispatch(now=at(9, 2), channel_config=config(sms=sms)).sent == 2


def test_pace_limits_hold_across_separate_runs():
    for i in range(6):
        enqueue(key=f"k{i}", to=f"09123456{i:02d}")

    def run(hour, minute, second=0):
        sms = ScriptedAdapter(Provider.ANDROID_SMS_GATEWAY, pace=[(60, 2), (3600, 3)])
        now = at(hour, minute) + dt.timedelta(seconds=second)
        return dispatch(now=now, channel_config=config(sms=sms)).sent

    assert run(9, 0) == 2  # two a minute
    assert run(9, 0, 30) == 0
    assert run(9, 1, 1) == 1  # three an hour
    assert run(9, 30) == 0
    assert run(10, 0, 1) == 2
    assert run(10, 1, 2) == 1
    assert OutboxMessage.objects.filter(state=MessageState.SENT).count() == 6


def test_limit_caps_one_run():
    for i in range(5):
        enqueue(key=f"k{i}", channel=Channel.OUTBOX)
    assert dispatch(now=at(9), limit=2, channel_config=config(batch_size=1)).claimed == 2
    assert dispatch(now=at(9), channel_config=config(batch_size=2)).claimed == 3


def test_command_and_task_run_the_dispatcher():
    from ansinh.messaging.tasks import dispatch_outbox

    enqueue(channel=Channel.OUTBOX)
    call_command("messages", "dispatch", "--limit", "5")
    call_command("messages", "status")
    result = dispatch_outbox.enqueue(limit=5)
    assert "in_window" in result.return_value
