"""What changes without reloading: the board's note of new items, the thread's new entries
(appended by htmx polling); and the page where a user chooses their coordination messages."""

from __future__ import annotations

import re
import time

import pytest
from django.urls import reverse

from ansinh.accounts.scopes import scope_for
from ansinh.coordination import services
from ansinh.coordination.models import ItemRead, NotifySetting
from ansinh.core.models import AuditEntry
from tests.coordination.conftest import report

pytestmark = pytest.mark.django_db


def test_the_board_polls_and_says_how_many_items_others_added(client, officer, head_td, tan_dong):
    client.force_login(officer)
    board = client.get(reverse("coordination:board")).content.decode()
    since = re.search(r'hx-get="[^"]*live/\?since=(\d+)"', board).group(1)  # type: ignore[union-attr]
    assert 'hx-trigger="every 25s"' in board
    url = reverse("coordination:board_live") + f"?since={since}"
    assert "reload" not in client.get(url).content.decode()
    time.sleep(1.1)  # the board's moment is in whole seconds
    report(head_td, tan_dong)
    report(head_td, tan_dong, title="Đường vào hộ bà Năm ngập nước")
    report(officer, tan_dong, title="Own item: not news")
    note = client.get(url).content.decode()
    assert re.search(r"(2 new items — reload|2 việc mới — tải lại)", note)
    assert f"since={since}" in note  # the next question counts from the same moment
    client.force_login(head_td)  # a village head: the officer's item in their ấp is new
    assert re.search(r"(1 new item|1 việc mới)", client.get(url).content.decode())


def test_new_entries_are_appended_to_the_thread(client, officer, head_td, tan_dong):
    item = report(head_td, tan_dong)
    services.comment_add(scope=scope_for(head_td), item=item, text="Nhà bà Tư bị tốc mái")
    client.force_login(officer)
    page = client.get(reverse("coordination:item", args=[item.pk])).content.decode()
    after = re.search(r"live/\?after=(\d+)", page).group(1)  # type: ignore[union-attr]
    url = reverse("coordination:item_live", args=[item.pk])
    quiet = client.get(f"{url}?after={after}").content.decode()
    assert "hx-swap-oob" not in quiet
    assert f"after={after}" in quiet
    comment = services.comment_add(scope=scope_for(head_td), item=item, text="Chiều nay mưa tiếp")
    fresh = client.get(f"{url}?after={after}").content.decode()
    assert 'hx-swap-oob="beforeend:#thread-entries"' in fresh
    assert "Chiều nay mưa tiếp" in fresh
    assert "Nhà bà Tư" not in fresh  # only what came after
    assert f"after={comment.pk}" in fresh
    read = ItemRead.objects.get(item=item, user=officer)
    assert read.seen_at >= item.__class__.objects.get(pk=item.pk).last_activity_at


def test_the_live_thread_of_an_item_out_of_scope_is_a_404(client, head_dh, officer, tan_dong):
    item = report(officer, tan_dong)
    client.force_login(head_dh)
    assert client.get(reverse("coordination:item_live", args=[item.pk])).status_code == 404


def test_a_user_chooses_their_messages(client, head_td):
    client.force_login(head_td)
    url = reverse("coordination:notify_settings")
    page = client.get(url).content.decode()
    assert re.search(r"(no mobile number|chưa có số)", page)
    assert 'value="all" ' in page
    assert "checked" in page.split('value="all"')[1][:40]
    answer = client.post(url, {"choice": "mine"}, follow=True)
    assert re.search(r"(Saved|Đã lưu)", answer.content.decode())
    assert NotifySetting.objects.get(user=head_td).choice == "mine"
    assert AuditEntry.objects.filter(model_label="coordination.notifysetting").count() == 1
    refused = client.post(url, {"choice": "sometimes"})
    assert refused.status_code == 200
    assert NotifySetting.objects.get(user=head_td).choice == "mine"
    head_td.phone = "0987 654 321"
    head_td.save(update_fields=["phone"])
    assert "+84987654321" in client.get(url).content.decode()


def test_read_only_roles_do_not_choose(client, auditor):
    client.force_login(auditor)
    url = reverse("coordination:notify_settings")
    assert client.post(url, {"choice": "none"}).status_code == 403
    assert not NotifySetting.objects.exists()
