"""``ansinh coordination digest``: the officer's morning message of overdue items, once a
day, as their setting says, never to a missing number; nothing when nothing is overdue."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from ansinh.coordination.choices import NotifyChoice
from ansinh.coordination.digest import LISTED, digest_send
from ansinh.coordination.models import Item, NotifySetting
from ansinh.coordination.tasks import send_digest
from ansinh.messaging.models import OutboxMessage
from tests.coordination.conftest import report

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(officer, committee, tan_dong):
    officer.phone = "0912345678"
    officer.save(update_fields=["phone"])
    today = timezone.localdate()
    items = [report(officer, tan_dong, kind="task", title=f"Việc số {n}") for n in range(7)]
    Item.objects.filter(pk__in=[i.pk for i in items[:6]]).update(
        due_date=today - dt.timedelta(days=3)
    )
    Item.objects.filter(pk=items[0].pk).update(status="done", resolved_at=timezone.now())
    return items


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("coordination", "digest", *args, stdout=out)
    return out.getvalue()


def test_the_digest_lists_the_overdue_items_once_a_day(overdue):
    out = run()
    assert "5 việc quá hạn, 1 tin nhắn mới cho 1 cán bộ" in out
    message = OutboxMessage.objects.get()
    assert message.to == "+84912345678"
    assert message.topic == "coordination"
    assert f"#{overdue[1].pk} " in message.sms_text
    assert f"#{overdue[0].pk} " not in message.sms_text
    assert f"#{overdue[6].pk} " not in message.sms_text  # not due yet
    assert "0 tin nhắn mới" in run()  # again the same day: nothing more
    assert OutboxMessage.objects.count() == 1
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    result = send_digest.enqueue(overdue[0].commune_id, tomorrow)  # the task: the next morning
    assert result.return_value == 1
    assert OutboxMessage.objects.count() == 2


def test_more_than_listed_are_counted(overdue, tan_dong, officer):
    today = timezone.localdate()
    more = [report(officer, tan_dong, kind="task", title=f"Thêm {n}") for n in range(LISTED)]
    Item.objects.filter(pk__in=[i.pk for i in more]).update(due_date=today - dt.timedelta(days=1))
    digest_send(commune_code=officer.commune_id, today=today)
    text = OutboxMessage.objects.get().sms_text
    assert text.count("#") == LISTED
    assert "5 more items" in text or "5 viec khac" in text


def test_no_message_when_opted_out_without_a_number_or_nothing_overdue(overdue, officer):
    NotifySetting.objects.create(user=officer, choice=NotifyChoice.NONE)
    assert digest_send(commune_code=officer.commune_id).queued == 0
    NotifySetting.objects.filter(user=officer).update(choice=NotifyChoice.MINE)
    officer.phone = ""
    officer.save(update_fields=["phone"])
    assert digest_send(commune_code=officer.commune_id).queued == 0
    officer.phone = "0912345678"
    officer.save(update_fields=["phone"])
    Item.objects.update(due_date=None)
    report_ = digest_send(commune_code=officer.commune_id)
    assert (report_.overdue, report_.queued) == (0, 0)
    assert not OutboxMessage.objects.exists()


def test_an_unknown_commune_is_an_error(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="99999"):
        run("--commune", "99999")
