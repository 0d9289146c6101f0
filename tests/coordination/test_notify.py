"""Coordination messages: who gets one for each change, nobody twice, never the person who
made the change, each as their setting says, only to a valid number, queued with the change
(a failed change queues nothing, a retried one nothing again)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from ansinh.accounts.scopes import scope_for
from ansinh.coordination import notify, services
from ansinh.coordination.choices import NotifyChoice
from ansinh.coordination.models import NotifySetting
from ansinh.messaging.models import OutboxMessage
from tests.coordination.conftest import report

pytestmark = pytest.mark.django_db

PHONES = {
    "canbo": "0912 345 678",
    "phochutich": "0903123456",
    "truongap1": "0987654321",
    "truongap2": "0977111222",
}


@pytest.fixture
def phones(officer, committee, head_td, head_dh):
    for user in (officer, committee, head_td, head_dh):
        user.phone = PHONES[user.username]
        user.save(update_fields=["phone"])
    return {u.username: u for u in (officer, committee, head_td, head_dh)}


def sent() -> list[tuple[str, str]]:
    """(recipient's number, event) of every queued row, in order."""
    return sorted((m.to, m.key.split(":")[2]) for m in OutboxMessage.objects.all())


def e164(username: str) -> str:
    return "+84" + PHONES[username].replace(" ", "")[1:]


def test_assigning_notifies_the_new_assignees_not_the_officer_who_assigns(phones, tan_dong):
    item = report(phones["truongap1"], tan_dong)
    assert sent() == []  # a new problem is on the board; nobody is assigned yet
    services.item_assign(
        scope=scope_for(phones["canbo"]),
        item=item,
        users=[phones["canbo"], phones["phochutich"], phones["truongap1"]],
    )
    assert sent() == sorted([(e164("phochutich"), "assigned"), (e164("truongap1"), "assigned")])
    message = OutboxMessage.objects.get(to=e164("truongap1"))
    assert (message.channel, message.topic, message.commune_code) == (
        "zalo",
        "coordination",
        item.commune_id,
    )
    assert f"#{item.pk}" in message.sms_text
    assert "Mai nha" in message.sms_text  # GSM-7: no diacritics
    assert message.expires_at is not None
    # the same set again changes nothing and queues nothing
    services.item_assign(
        scope=scope_for(phones["canbo"]),
        item=item,
        users=[phones["canbo"], phones["phochutich"], phones["truongap1"]],
    )
    assert OutboxMessage.objects.count() == 2


def test_a_comment_answers_the_reporter_and_assignees_a_mention_wins(phones, tan_dong):
    item = report(phones["truongap1"], tan_dong)
    services.item_assign(scope=scope_for(phones["canbo"]), item=item, users=[phones["phochutich"]])
    OutboxMessage.objects.all().delete()
    services.comment_add(
        scope=scope_for(phones["canbo"]), item=item, text="@phochutich xem giúp, @truongap2 nữa"
    )
    # phochutich: mentioned (not also "answered"); the reporter: answered; truongap2 cannot
    # see an item of Tân Đông (not mentioned); the officer wrote it
    assert sent() == sorted([(e164("phochutich"), "mentioned"), (e164("truongap1"), "answered")])


def test_the_reporter_hears_of_a_status_change_by_someone_else_only(phones, tan_dong):
    item = report(phones["truongap1"], tan_dong)
    services.item_transition(scope=scope_for(phones["canbo"]), item=item, action="acknowledge")
    assert sent() == [(e164("truongap1"), "answered")]
    services.item_transition(
        scope=scope_for(phones["truongap1"]), item=item, action="close", note="Đã tự xử lý"
    )
    assert len(sent()) == 1  # the reporter closed it: nobody else concerned


def test_the_same_comment_sent_twice_queues_once(phones, tan_dong):
    item = report(phones["truongap1"], tan_dong)
    scope = scope_for(phones["canbo"])
    services.comment_add(scope=scope, item=item, text="Đã nhận", key="form-1")
    services.comment_add(scope=scope, item=item, text="Đã nhận", key="form-1")
    assert sent() == [(e164("truongap1"), "answered")]


def test_a_refused_change_queues_nothing(phones, tan_dong):
    item = report(phones["truongap1"], tan_dong)
    with pytest.raises(ValidationError, match=r"(outcome|kết quả)"):
        services.item_transition(scope=scope_for(phones["canbo"]), item=item, action="finish")
    assert sent() == []


def test_each_users_setting_is_respected(phones, tan_dong):
    NotifySetting.objects.create(user=phones["truongap1"], choice=NotifyChoice.MINE)
    NotifySetting.objects.create(user=phones["phochutich"], choice=NotifyChoice.NONE)
    item = report(phones["truongap1"], tan_dong)
    services.item_assign(
        scope=scope_for(phones["canbo"]),
        item=item,
        users=[phones["phochutich"], phones["truongap1"]],
    )
    assert sent() == [(e164("truongap1"), "assigned")]  # phochutich: none
    services.comment_add(scope=scope_for(phones["canbo"]), item=item, text="Tiến độ?")
    assert len(sent()) == 1  # truongap1 wants only assignments and mentions
    services.comment_add(scope=scope_for(phones["canbo"]), item=item, text="@truongap1 trả lời nhé")
    assert sent() == sorted([(e164("truongap1"), "assigned"), (e164("truongap1"), "mentioned")])


def test_no_number_or_a_wrong_one_means_no_outbox_row(phones, tan_dong):
    phones["truongap1"].phone = ""
    phones["truongap1"].save(update_fields=["phone"])
    phones["phochutich"].phone = "12345"
    phones["phochutich"].save(update_fields=["phone"])
    item = report(phones["canbo"], tan_dong, kind="task", title="Rà soát hộ cận nghèo")
    services.item_assign(
        scope=scope_for(phones["canbo"]),
        item=item,
        users=[phones["phochutich"], phones["truongap1"]],
    )
    assert not OutboxMessage.objects.exists()


def test_a_task_created_with_assignees_and_a_mention(phones, tan_dong):
    report(
        phones["canbo"],
        tan_dong,
        kind="task",
        title="Rà soát hộ cận nghèo",
        body="@phochutich theo dõi",
        assignees=[phones["truongap1"], phones["phochutich"]],
    )
    assert sent() == sorted([(e164("phochutich"), "assigned"), (e164("truongap1"), "assigned")])


def test_the_text_is_vietnamese_whatever_the_language(phones, tan_dong, settings):
    item = report(phones["truongap1"], tan_dong)
    text = notify.text_for(notify.Event.ASSIGNED, item, phones["canbo"])
    assert "giao" in text or "assigned" in text  # translated once the PO file is merged
    assert str(item.pk) in text
    assert "Canbo" in text
