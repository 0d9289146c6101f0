"""Who leaves a read behind: opening an item (or an announcement) records when one read it
and, for an announcement's recipient, the read receipt. Only those the item concerns record
anything: an auditor's or a province officer's look is nobody's read, creates no row and
changes nobody's unread counter; a village head records the items that are theirs."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ansinh.accounts.scopes import scope_for
from ansinh.coordination import services
from ansinh.coordination.models import ItemRead, Recipient
from ansinh.coordination.selectors import unread_count
from tests import factories as f
from tests.coordination.conftest import report

pytestmark = pytest.mark.django_db


@pytest.fixture
def province(tan_dong):
    return f.user("tinh", f.Role.PROVINCE)


def _state(item):  # type: ignore[no-untyped-def]
    return (
        sorted(ItemRead.objects.filter(item=item).values_list("user__username", "seen_at")),
        sorted(Recipient.objects.filter(item=item).values_list("user__username", "read_at")),
    )


@pytest.mark.parametrize("who", ["auditor", "province"])
def test_a_read_only_look_is_nobodys_read(request, client, who, officer, head_td, tan_dong):
    reader = request.getfixturevalue(who)
    problem = report(head_td, tan_dong, title="Cầu khỉ ấp Tân Đông bị gãy")
    announcement = report(officer, None, kind="announcement", title="Họp giao ban thứ Hai")
    assert Recipient.objects.filter(item=announcement, user=head_td).exists()
    before = {item.pk: _state(item) for item in (problem, announcement)}
    counters = (unread_count(officer), unread_count(head_td))
    assert min(counters) >= 1  # both have something unread

    client.force_login(reader)
    for item in (problem, announcement):
        page = client.get(reverse("coordination:item", args=[item.pk]))
        assert page.status_code == 200  # they do read it
        live = client.get(reverse("coordination:item_live", args=[item.pk]), {"after": 0})
        assert live.status_code == 200
        services.item_seen(scope=scope_for(reader), item=item)

    assert {item.pk: _state(item) for item in (problem, announcement)} == before
    assert not ItemRead.objects.filter(user=reader).exists()
    assert (unread_count(officer), unread_count(head_td)) == counters


def test_the_recipients_look_is_the_read_receipt_and_clears_their_counter(
    client, officer, head_td, head_dh, auditor
):
    announcement = report(officer, None, kind="announcement", title="Họp giao ban thứ Hai")
    client.force_login(auditor)
    client.get(reverse("coordination:item", args=[announcement.pk]))
    client.force_login(head_td)
    client.get(reverse("coordination:item", args=[announcement.pk]))
    rows = Recipient.objects.filter(item=announcement)
    reads = dict(rows.values_list("user__username", "read_at"))
    assert reads["truongap1"] is not None
    assert reads["truongap2"] is None
    assert unread_count(head_td) == 0
    assert unread_count(head_dh) == 1
    assert sorted(ItemRead.objects.values_list("user__username", flat=True)) == ["truongap1"]


def test_a_village_head_records_only_the_items_that_are_theirs(
    officer, committee, head_td, tan_dong
):
    other = report(officer, tan_dong, title="Đèn đường ấp Tân Đông hỏng")  # not theirs
    mine = report(head_td, tan_dong, title="Cống thoát nước bị nghẹt")
    assigned = report(officer, tan_dong, kind="task", title="Rà soát hộ nghèo quý IV")
    services.item_assign(scope=scope_for(officer), item=assigned, users=[head_td])
    for item in (other, mine, assigned):
        services.item_seen(scope=scope_for(head_td), item=item)
    seen = set(ItemRead.objects.filter(user=head_td).values_list("item_id", flat=True))
    assert seen == {mine.pk, assigned.pk}
    services.item_seen(scope=scope_for(committee), item=other)  # the committee works them all
    assert ItemRead.objects.filter(user=committee, item=other).exists()


def test_the_counter_written_once_counts_what_the_orm_query_counts(
    officer, committee, head_td, head_dh, tan_dong
):
    """The menu's counter runs SQL compiled once per process with stand-ins for the user and
    the commune: for every role and every state it must count what :func:`unread_items`
    finds."""
    from ansinh.coordination.selectors import unread_items

    people = (officer, committee, head_td, head_dh)

    def check():  # type: ignore[no-untyped-def]
        for user in people:
            assert unread_count(user) == unread_items(user).count(), user.username

    check()
    problem = report(head_td, tan_dong, title="Đèn đường ấp Tân Đông hỏng")
    report(officer, None, kind="announcement", title="Nộp danh sách trước thứ Sáu")
    check()
    assert unread_count(officer) == 2
    services.item_seen(scope=scope_for(officer), item=problem)
    check()
    assert unread_count(officer) == 1
    assert unread_count(head_dh) == 1  # the announcement
