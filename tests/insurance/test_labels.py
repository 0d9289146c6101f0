"""Codes never reach the screen: reminder stages by their name ("30 days before expiry", never
``truoc_30``), a message not sent yet by its state (never "—"), a topic by its name, a card
group by its label."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from ansinh.insurance import services
from ansinh.insurance.models import ReminderStage, stage_label
from ansinh.insurance.templatetags.insurance_labels import card_group
from ansinh.messaging.models import OutboxMessage
from ansinh.messaging.topics import topic_label
from tests import factories as f
from tests.insurance.test_insurance import ON, _commune, _gd, _members, family  # noqa: F401

pytestmark = pytest.mark.django_db

BEFORE_30 = r"(30 days before expiry|30 ngày trước khi hết hạn)"


def _planned(officer, family):  # noqa: F811
    m = _members(family)
    _gd(officer, m["Nguyễn Văn Bình"], dt.date(2025, 12, 21), ON + dt.timedelta(days=30))
    report = services.reminders_plan(scope=f.system(), commune=_commune(), on=ON)
    assert report.created == 1


def test_stage_names():
    assert re.fullmatch(BEFORE_30, stage_label(-30))
    assert re.fullmatch(r"(15 days after expiry|15 ngày sau khi hết hạn)", stage_label(15))
    assert re.fullmatch(r"(On the day the card expires|Đúng ngày thẻ hết hạn)", stage_label(0))
    assert str(ReminderStage(code="truoc_30", days=-30)) == stage_label(-30)


def test_stages_page_names_each_stage(client, officer, family):  # noqa: F811
    client.force_login(officer)
    page = client.get(reverse("insurance:stages")).content.decode()
    assert re.search(BEFORE_30, page)
    assert "truoc_30" not in page
    assert re.search(r"(Reminder 1|Lần nhắc 1)", page)


def test_campaign_page_shows_stage_and_channel_names(client, officer, family):  # noqa: F811
    _planned(officer, family)
    client.force_login(officer)
    page = client.get(reverse("insurance:campaign"), {"date": ON.isoformat()}).content.decode()
    assert "truoc_30" not in page
    assert re.search(BEFORE_30 + ": 1", page)
    assert "<div>—: " not in page  # a message not sent yet is named, not a dash
    assert re.search(r"(Not sent yet|Chưa gửi): 1", page)
    assert "… " not in page  # "… hộ không được nhắc": every heading says what it counts


def test_outbox_and_message_show_the_topic_and_text_not_codes(client, officer, family):  # noqa: F811
    _planned(officer, family)
    message = OutboxMessage.objects.get()
    assert message.topic == "bhyt-reminder"
    client.force_login(officer)
    outbox = client.get(reverse("messaging:outbox")).content.decode()
    assert re.search(
        r">(Health-insurance renewal reminders|Nhắc gia hạn thẻ BHYT)</option>", outbox
    )
    assert ">bhyt-reminder<" not in outbox
    detail = client.get(reverse("messaging:message_detail", args=[message.pk])).content.decode()
    assert re.search(r"(Health-insurance renewal reminders|Nhắc gia hạn thẻ BHYT)", detail)
    assert "bhyt-reminder" not in detail
    assert not re.search(r">\s*truoc_30", detail)  # the stage code is no text of the page


def test_topic_and_card_group_labels():
    assert topic_label("") == ""
    assert re.fullmatch(r"(Other messages|Tin nhắn khác)", topic_label("made-up-topic"))
    assert card_group("HN").startswith("HN – ")
    assert card_group("ZZ") == "ZZ"
    assert card_group(None) == ""


@pytest.mark.parametrize("language", ["vi", "en"])
def test_reminder_plan_command_names_stages_and_channel_not_codes(officer, family, language):  # noqa: F811
    m = _members(family)
    _gd(officer, m["Nguyễn Văn Bình"], dt.date(2025, 12, 21), ON + dt.timedelta(days=30))
    out = io.StringIO()
    with translation.override(language):
        call_command(
            "reminders", "plan", "--date", ON.isoformat(), "--commune", str(f.TAN_DONG), stdout=out
        )
    text = out.getvalue()
    assert re.search(BEFORE_30 + ": 1", text)
    assert re.search(r"\(channel: SMS\)|\(kênh: SMS\)", text)
    assert not re.search(r"truoc_|sau_|\bsms\b|\bzalo\b|\boutbox\b", text)  # no code
    assert re.search(r"(Households without a mobile number|Hộ không có số di động): 0", text)
    assert re.search(r"1 (new reminder|nhắc mới) \(", text)
