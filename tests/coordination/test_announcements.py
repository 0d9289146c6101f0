"""Announcements: their recipients (the audience or chosen village heads), the read receipt
when a recipient opens it, the list of who has read it, the reminder (at most once in six
hours, audited, through the same messages), the unread counter of the menu."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ansinh.accounts.scopes import scope_for
from ansinh.coordination import services
from ansinh.coordination.models import Item, Recipient
from ansinh.coordination.selectors import unread_count
from ansinh.core.models import AuditEntry
from ansinh.messaging.models import OutboxMessage
from tests import factories as f
from tests.coordination.conftest import report

pytestmark = pytest.mark.django_db


def announce(user, **kw):  # type: ignore[no-untyped-def]
    kw.setdefault("kind", "announcement")
    kw.setdefault("title", "Họp giao ban sáng thứ Hai")
    return report(user, None, **kw)


def names(item) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(Recipient.objects.filter(item=item).values_list("user__username", flat=True))


def test_the_audience_makes_the_recipients_never_the_author(
    officer, committee, head_td, head_dh, auditor
):
    assert names(announce(officer)) == ["phochutich", "truongap1", "truongap2"]
    assert names(announce(officer, audience="village_heads")) == ["truongap1", "truongap2"]
    assert names(announce(committee, audience="committee")) == []  # only the author


def test_chosen_village_heads_only(officer, head_td, head_dh):
    item = announce(officer, audience="village_heads", recipients=[head_dh])
    assert names(item) == ["truongap2"]
    chosen = announce(officer, audience="everyone", recipients=[head_td], title="Khác")
    assert (chosen.audience, names(chosen)) == ("village_heads", ["truongap1"])
    with pytest.raises(ValidationError, match=r"(village heads|trưởng ấp)"):
        announce(officer, audience="village_heads", recipients=[officer], title="Khác nữa")
    assert names(item) == ["truongap2"]  # the refused ones left nothing


def test_opening_it_is_the_read_receipt_the_first_time_counts(officer, head_td, head_dh):
    item = announce(officer, audience="village_heads")
    first = timezone.now() - dt.timedelta(hours=1)
    services.item_seen(scope=scope_for(head_td), item=item, at=first)
    services.item_seen(scope=scope_for(head_td), item=item)
    read = Recipient.objects.get(item=item, user=head_td)
    assert read.read_at == first
    assert Recipient.objects.get(item=item, user=head_dh).read_at is None


def test_remind_those_who_have_not_read_at_most_once_in_six_hours(officer, head_td, head_dh):
    for user, phone in ((head_td, "0987654321"), (head_dh, "0977111222")):
        user.phone = phone
        user.save(update_fields=["phone"])
    item = announce(officer, audience="village_heads")
    assert OutboxMessage.objects.count() == 2  # the announcement itself
    services.item_seen(scope=scope_for(head_td), item=item)
    at = timezone.now()
    assert services.announcement_remind(scope=scope_for(officer), item=item, at=at) == 1
    reminded = OutboxMessage.objects.filter(key__contains=":reminded:")
    assert list(reminded.values_list("to", flat=True)) == ["+84977111222"]
    entry = AuditEntry.objects.get(
        model_label="coordination.item", object_id=item.pk, action="event"
    )
    assert entry.actor == officer
    assert entry.changes
    with pytest.raises(ValidationError, match=r"(already sent|đã gửi|Đã)"):
        services.announcement_remind(
            scope=scope_for(officer), item=item, at=at + dt.timedelta(hours=5)
        )
    assert reminded.count() == 1
    later = at + dt.timedelta(hours=6, minutes=1)
    assert services.announcement_remind(scope=scope_for(officer), item=item, at=later) == 1
    assert reminded.count() == 2


def test_only_the_coordinators_remind_and_not_when_everyone_has_read(officer, head_td):
    item = announce(officer, audience="village_heads")
    with pytest.raises(PermissionDenied, match=r"(Only the commune officer|Chỉ)"):
        services.announcement_remind(scope=scope_for(head_td), item=item)
    services.item_seen(scope=scope_for(head_td), item=item)
    with pytest.raises(ValidationError, match=r"(Everyone|Mọi người|Tất cả)"):
        services.announcement_remind(scope=scope_for(officer), item=item)


def test_the_page_lists_who_has_read_and_the_button_reminds(client, officer, head_td, head_dh):
    item = announce(officer, audience="village_heads")
    services.item_seen(scope=scope_for(head_td), item=item)
    client.force_login(officer)
    page = client.get(reverse("coordination:item", args=[item.pk])).content.decode()
    unread = page.split('class="people unread-list"')[1].split("</ul>")[0]
    read = page.split('class="people read-list"')[1].split("</ul>")[0]
    assert "Truongap2" in unread
    assert "Truongap1" not in unread
    assert "Truongap1" in read
    answer = client.post(reverse("coordination:announcement_remind", args=[item.pk]), follow=True)
    assert re.search(r"(reminder was sent to 1|Đã nhắc 1)", answer.content.decode())
    again = client.post(reverse("coordination:announcement_remind", args=[item.pk]), follow=True)
    assert re.search(r"(already sent|đã gửi|đã nhắc)", again.content.decode(), re.IGNORECASE)
    client.force_login(head_dh)  # a village head sees the announcement, not the receipts
    page = client.get(reverse("coordination:item", args=[item.pk])).content.decode()
    assert 'id="receipts"' not in page
    assert (
        client.post(reverse("coordination:announcement_remind", args=[item.pk])).status_code == 403
    )


def test_the_unread_counter(client, officer, committee, head_td, tan_dong):
    item = report(head_td, tan_dong)  # new: the officer and the committee have not seen it
    assert (unread_count(officer), unread_count(committee), unread_count(head_td)) == (1, 1, 1)
    services.item_seen(scope=scope_for(head_td), item=item)
    services.item_seen(scope=scope_for(officer), item=item)
    assert (unread_count(officer), unread_count(head_td)) == (0, 0)
    services.comment_add(scope=scope_for(officer), item=item, text="Đã nhận, chiều nay xuống")
    assert (unread_count(officer), unread_count(head_td)) == (0, 1)  # own comment is read
    announce(officer, audience="village_heads")
    assert unread_count(head_td) == 2
    client.force_login(head_td)
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(reverse("home")).content.decode()
    assert re.search(r'id="coordination-link">(Điều phối|Coordination)<span[^>]*>&nbsp;\(2\)', page)
    counted = [q for q in ctx.captured_queries if "coordination_itemread" in q["sql"]]
    assert len(counted) == 1


def test_no_counter_for_read_only_roles(client, auditor, officer, tan_dong):
    report(officer, tan_dong)
    client.force_login(auditor)
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(reverse("home")).content.decode()
    assert 'class="unread"' not in page
    assert not [q for q in ctx.captured_queries if "coordination_itemread" in q["sql"]]


def test_another_communes_items_are_not_counted(officer, tan_dong):
    other = f.village(commune_code=28468, name="Ấp Phú Mỹ", code="PM")
    officer_b = f.user("canbo_b", f.Role.OFFICER, commune_code=28468)
    report(officer, tan_dong)
    assert unread_count(officer_b) == 0
    report(officer_b, other)
    assert unread_count(officer_b) == 1


def test_the_form_publishes_for_chosen_village_heads(client, officer, head_td, head_dh):
    client.force_login(officer)
    url = reverse("coordination:item_new")
    form = client.get(url).content.decode()
    assert 'id="recipients"' in form
    data = {
        "kind": "announcement",
        "topic": "other",
        "title": "Nộp báo cáo tháng",
        "audience": "everyone",
        "priority": "2",
        "recipients": [head_dh.pk],
        "key": "form-ann-1",
    }
    answer = client.post(url, data, follow=True)
    assert answer.status_code == 200
    item = Item.objects.get(title="Nộp báo cáo tháng")
    assert (item.audience, names(item)) == ("village_heads", ["truongap2"])
    client.post(url, data)  # sent twice: one announcement
    assert Item.objects.filter(title="Nộp báo cáo tháng").count() == 1
    client.force_login(head_td)  # the phone screen has no such field
    assert 'id="recipients"' not in client.get(reverse("coordination:report")).content.decode()


def test_the_reminder_reads_well_in_the_audit_log(client, officer, head_td, head_dh):
    item = announce(officer, audience="village_heads")
    services.item_seen(scope=scope_for(head_td), item=item)
    services.announcement_remind(scope=scope_for(officer), item=item)
    client.force_login(officer)
    page = client.get(reverse("registry:audit_log")).content.decode()
    assert re.search(r"(Reminder to those who have not read|Nhắc những người chưa đọc)", page)
    assert re.search(r"(Reminded \(had not read it\)|Đã nhắc)", page)
    assert "Truongap2" in page
