"""Webhooks (signed SMS-gateway events, eSMS callbacks) and the officer's outbox page."""

from __future__ import annotations

import json
import time

import pytest
from django.urls import reverse

from ansinh.messaging.channels.android_sms_gateway import sign, verify_signature
from ansinh.messaging.choices import Channel, MessageState, Provider
from ansinh.messaging.dispatch import dispatch
from ansinh.messaging.models import InboundMessage, OutboxMessage, Suppression
from tests import factories as f
from tests.messaging.conftest import ScriptedAdapter, at, config, enqueue

pytestmark = pytest.mark.django_db

SECRET = "webhook-signing-key"


@pytest.fixture
def signed(client, monkeypatch):
    monkeypatch.setenv("ANSINH_SMS_GATEWAY_WEBHOOK_SECRET", SECRET)

    def post(event, payload, *, secret=SECRET, stamp=None, signature=None):
        body = json.dumps(
            {
                "deviceId": "ffffffffceb0b1db0000018e937c815b",
                "event": event,
                "id": "Ey6ECgOkVVFjz3CL48B8C",
                "payload": payload,
                "webhookId": "wh1",
            }
        ).encode()
        stamp = str(int(time.time())) if stamp is None else stamp
        return client.post(
            reverse("messaging:webhook_sms_gateway"),
            body,
            content_type="application/json",
            headers={"X-Timestamp": stamp, "X-Signature": signature or sign(secret, body, stamp)},
        )

    return post


def sent_by_gateway(**kw):
    message = enqueue(**kw)
    dispatch(now=at(9), channel_config=config(sms=ScriptedAdapter(Provider.ANDROID_SMS_GATEWAY)))
    message.refresh_from_db()
    return message


def test_signature_is_hmac_sha256_of_body_and_timestamp():
    body, stamp = b'{"event":"sms:sent"}', "1732780000"
    good = sign(SECRET, body, stamp)
    assert verify_signature(SECRET, body, stamp, good, now=1732780100)
    assert not verify_signature(SECRET, body + b" ", stamp, good, now=1732780100)
    assert not verify_signature("other", body, stamp, good, now=1732780100)
    assert not verify_signature(SECRET, body, stamp, good, now=1732780000 + 301)  # replay
    assert not verify_signature("", body, stamp, good)


def test_delivered_webhook_marks_the_message(signed):
    message = sent_by_gateway()
    response = signed(
        "sms:delivered",
        {
            "messageId": message.ref,
            "phoneNumber": message.to,
            "deliveredAt": "2026-11-30T09:00:05.000+07:00",
        },
    )
    assert response.status_code == 200
    message.refresh_from_db()
    assert message.state == MessageState.DELIVERED
    assert message.delivered_at.isoformat().startswith("2026-11-30T02:00:05")


def test_failed_webhook_keeps_the_reason(signed):
    message = sent_by_gateway()
    signed(
        "sms:failed",
        {
            "messageId": message.ref,
            "phoneNumber": message.to,
            "failedAt": "2026-11-30T09:00:05+07:00",
            "reason": "RESULT_ERROR_LIMIT_EXCEEDED",
        },
    )
    message.refresh_from_db()
    assert message.state == MessageState.FAILED
    assert message.last_error == "RESULT_ERROR_LIMIT_EXCEEDED"


@pytest.mark.parametrize(
    "tamper",
    [{"secret": "wrong-key"}, {"stamp": "1000"}, {"signature": "0" * 64}, {"stamp": "abc"}],
)
def test_unsigned_or_replayed_webhooks_are_rejected(signed, tamper):
    message = sent_by_gateway()
    response = signed("sms:delivered", {"messageId": message.ref}, **tamper)
    assert response.status_code == 401
    message.refresh_from_db()
    assert message.state == MessageState.SENT


def test_webhook_without_a_configured_secret_is_rejected(client):
    response = client.post(
        reverse("messaging:webhook_sms_gateway"), b"{}", content_type="application/json"
    )
    assert response.status_code == 401


def test_received_opt_out_stops_the_next_messages(signed):
    first = sent_by_gateway()
    later = enqueue(key="bhyt:1:2026-12-31:d15", not_before=at(10))
    response = signed(
        "sms:received",
        {
            "messageId": "abc",
            "message": "Từ chối",
            "phoneNumber": "+84912345678",
            "simNumber": 1,
            "receivedAt": "2026-11-30T09:10:00.000+07:00",
        },
    )
    assert response.status_code == 200
    inbound = InboundMessage.objects.get()
    assert inbound.is_opt_out
    assert Suppression.objects.get().source == inbound
    sms = ScriptedAdapter(Provider.ANDROID_SMS_GATEWAY)
    dispatch(now=at(10), channel_config=config(sms=sms))
    later.refresh_from_db()
    assert sms.sent == []
    assert later.state == MessageState.FAILED
    assert first.key != later.key


def test_esms_callback_needs_its_token(client, monkeypatch):
    monkeypatch.setenv("ANSINH_ESMS_CALLBACK_TOKEN", "cb-token")
    message = enqueue()
    OutboxMessage.objects.filter(pk=message.pk).update(
        state=MessageState.SENT, provider=Provider.ESMS, provider_message_id="sms-1"
    )
    query = {
        "SMSID": "sms-1",
        "SendFailed": "0",
        "SendStatus": "5",
        "SendSuccess": "1",
        "TotalPrice": "850.0000",
        "TotalReceiver": "1",
        "TotalSent": "1",
        "RequestId": message.ref,
        "TypeId": "2",
        "telcoid": "1",
        "phonenumber": "0912345678",
    }
    url = reverse("messaging:webhook_esms")
    assert client.get(url, {**query, "token": "wrong"}).status_code == 401
    assert client.get(url, {**query, "token": "cb-token"}).status_code == 200
    message.refresh_from_db()
    assert message.state == MessageState.DELIVERED


# --- outbox page --------------------------------------------------------------------------


def test_outbox_page_shows_what_would_be_sent(client, officer):
    enqueue(key="a", channel=Channel.SMS, text="Nhac gia han the BHYT ho ong AN")
    enqueue(key="b", channel=Channel.SMS, text="Nhac gia han ho ba BICH", topic="other")
    enqueue(key="elsewhere", commune_code=99999, text="Xa khac")
    dispatch(now=at(9), channel_config=config(), limit=1)
    client.force_login(officer)
    page = client.get(reverse("messaging:outbox")).content.decode()
    assert "0912 345 678" in page
    assert "Nhac gia han the BHYT ho ong AN" in page
    assert "Xa khac" not in page
    assert "Hộp thư đi" in page or "Outbox" in page
    only_queued = client.get(reverse("messaging:outbox"), {"state": "queued"}).content.decode()
    assert "ho ong AN" not in only_queued
    assert "ho ba BICH" in only_queued
    by_topic = client.get(reverse("messaging:outbox"), {"topic": "other"}).content.decode()
    assert "ho ong AN" not in by_topic


def test_outbox_access(client, officer, auditor, head_td):
    message = enqueue()
    other = enqueue(key="elsewhere", commune_code=99999)
    client.force_login(head_td)
    assert client.get(reverse("messaging:outbox")).status_code == 403
    client.force_login(auditor)
    assert client.get(reverse("messaging:outbox")).status_code == 200
    assert client.get(reverse("messaging:message_detail", args=[message.pk])).status_code == 200
    assert client.get(reverse("messaging:message_detail", args=[other.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("messaging:outbox")).status_code == 302


def test_officer_cancels_a_queued_message(client, officer, auditor):
    message = enqueue()
    url = reverse("messaging:message_cancel", args=[message.pk])
    client.force_login(auditor)
    assert client.post(url, {"reason": "x"}).status_code == 403
    assert OutboxMessage.objects.get(pk=message.pk).state == MessageState.QUEUED
    client.force_login(officer)
    client.post(url, {"reason": "Ho da gia han"})
    assert OutboxMessage.objects.get(pk=message.pk).state == MessageState.CANCELLED
    detail = client.get(reverse("messaging:message_detail", args=[message.pk]))
    assert "Ho da gia han" in detail.content.decode()


def test_refusal_list_shows_only_numbers_of_the_commune(client, officer):
    enqueue()
    Suppression.objects.create(phone="+84912345678")
    Suppression.objects.create(phone="+84987000111")
    client.force_login(officer)
    page = client.get(reverse("messaging:refusals")).content.decode()
    assert "0912 345 678" in page
    assert "0987 000 111" not in page
    assert f.TAN_DONG == 25522
