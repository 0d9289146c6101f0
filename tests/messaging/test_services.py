"""Queueing, cancelling, refusals and receipts."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ansinh.accounts.scopes import scope_for
from ansinh.core.models import AuditEntry
from ansinh.messaging import services
from ansinh.messaging.channels.base import StatusKind, provider_ref
from ansinh.messaging.choices import Channel, MessageState, Provider, SuppressionReason
from ansinh.messaging.models import MessageAttempt, OutboxMessage, Suppression
from tests.messaging.conftest import COMMUNE, at, enqueue

pytestmark = pytest.mark.django_db


def test_enqueue_is_idempotent_on_the_key():
    first, created = services.message_enqueue(
        key="bhyt:7:2026-12-31:d30", to="0912345678", channel=Channel.SMS, sms_text="Nhac BHYT"
    )
    again, created_again = services.message_enqueue(
        key="bhyt:7:2026-12-31:d30", to="0987654321", channel=Channel.ZALO, sms_text="Khac"
    )
    assert created
    assert not created_again
    assert again.pk == first.pk
    assert again.to == "+84912345678"
    assert again.sms_text == "Nhac BHYT"
    assert OutboxMessage.objects.count() == 1
    assert first.ref == provider_ref("bhyt:7:2026-12-31:d30")
    assert AuditEntry.objects.filter(model_label="messaging.outboxmessage").count() == 1


def test_enqueue_normalises_phone_text_parts_and_cost(monkeypatch):
    monkeypatch.setenv("ANSINH_SMS_COST_PER_PART", "400")
    message = enqueue(text="Nhắc gia hạn thẻ BHYT " + "x" * 150, not_before=at(7))
    assert message.to == "+84912345678"
    assert message.sms_text.startswith("Nhac gia han the BHYT")
    assert (message.encoding, message.parts, message.cost_estimate) == ("gsm7", 2, 800)
    assert message.state == MessageState.QUEUED
    assert message.next_attempt_at == at(7)


def test_enqueue_refuses_bad_phone_empty_text_unknown_channel():
    with pytest.raises(
        ValidationError, match="Số điện thoại Việt Nam phải bắt đầu bằng 0 hoặc"
    ) as bad_phone:
        enqueue(to="12345")
    assert "to" in bad_phone.value.message_dict
    with pytest.raises(ValidationError, match="Nội dung SMS đang để trống"):
        enqueue(text="   ")
    with pytest.raises(ValidationError, match="Kênh không hợp lệ: fax"):
        enqueue(channel="fax")


def test_bulk_enqueue_counts_only_new_rows_and_never_duplicates():
    rows = [
        {
            "key": f"bhyt:{i}:2026-12-31:d30",
            "to": f"09123450{i:02d}",
            "channel": Channel.SMS,
            "sms_text": f"Nhac {i}",
            "topic": "bhyt-reminder",
            "commune_code": COMMUNE,
        }
        for i in range(30)
    ]
    assert services.messages_enqueue_bulk(rows[:10]) == 10
    assert services.messages_enqueue_bulk(rows) == 20
    assert services.messages_enqueue_bulk(rows + rows) == 0
    assert OutboxMessage.objects.count() == 30
    assert not OutboxMessage.objects.exclude(claim_token="").exists()


def test_cancel_by_an_officer_of_the_commune(officer, auditor):
    message = enqueue()
    with pytest.raises(PermissionDenied, match="mới được hủy tin nhắn của xã"):
        services.message_cancel(message=message, scope=scope_for(auditor), reason="x")
    cancelled = services.message_cancel(
        message=message, scope=scope_for(officer), reason="Ho da gia han"
    )
    assert cancelled.state == MessageState.CANCELLED
    assert cancelled.last_error == "Ho da gia han"
    with pytest.raises(ValidationError, match="Không thể hủy tin nhắn này nữa"):
        services.message_cancel(message=cancelled, scope=scope_for(officer), reason="again")


@pytest.mark.parametrize(
    "text", ["TU CHOI", "tu choi nhan tin", "Từ chối", "HỦY", "huy", "Stop", "  STOP!", "TUCHOI"]
)
def test_opt_out_replies_fill_the_suppression_list(text):
    inbound = services.inbound_record(
        from_phone="0912345678",
        text=text,
        provider=Provider.ANDROID_SMS_GATEWAY,
        received_at=timezone.now(),
    )
    assert inbound.is_opt_out
    suppression = Suppression.objects.get()
    assert suppression.phone == "+84912345678"
    assert suppression.source == inbound
    assert suppression.reason == SuppressionReason.OPT_OUT
    assert services.is_suppressed("+84 912 345 678")


@pytest.mark.parametrize("text", ["Cam on", "Dung roi", "Toi se gia han", ""])
def test_other_replies_are_only_recorded(text):
    services.inbound_record(
        from_phone="0912345678",
        text=text,
        provider=Provider.ANDROID_SMS_GATEWAY,
        received_at=timezone.now(),
    )
    assert not Suppression.objects.exists()
    assert not services.is_suppressed("0912345678")


def test_manual_refusal_and_opt_back_in(officer):
    services.suppression_add(phone="0912345678", scope=scope_for(officer))
    assert services.is_suppressed("0912345678")
    assert services.suppression_remove(phone="0912345678", scope=scope_for(officer))
    assert not services.is_suppressed("0912345678")


def test_receipts_only_move_forward():
    message = enqueue()
    OutboxMessage.objects.filter(pk=message.pk).update(
        state=MessageState.SENT, provider=Provider.ANDROID_SMS_GATEWAY, sent_via=Channel.SMS
    )
    services.receipt_record(
        provider=Provider.ANDROID_SMS_GATEWAY, event=StatusKind.DELIVERED, ref=message.ref
    )
    services.receipt_record(
        provider=Provider.ANDROID_SMS_GATEWAY, event=StatusKind.SENT, ref=message.ref
    )
    message.refresh_from_db()
    assert message.state == MessageState.DELIVERED
    assert message.delivered_at
    assert MessageAttempt.objects.filter(message=message, kind="receipt").count() == 2
    assert services.receipt_record(provider="esms", event="delivered", ref="nope") is None


def test_no_scope_no_write(officer):
    """Nobody (no scope) cannot cancel or change the opt-out list: no check is ever skipped."""
    with pytest.raises(PermissionDenied, match="mới được thay đổi danh sách từ chối nhận tin"):
        services.suppression_add(phone="0912345678", scope=None)
    with pytest.raises(PermissionDenied, match="mới được thay đổi danh sách từ chối nhận tin"):
        services.suppression_remove(phone="0912345678", scope=None)
