"""What each role sees of the board (the selectors), and the measured figures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from ansinh.accounts.scopes import scope_for
from ansinh.coordination import selectors, services
from ansinh.coordination.figures import figures
from tests.coordination.conftest import hours_ago, report

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def board(officer, head_td, head_dh, tan_dong, dong_hiep, officer_b, village_b):
    return {
        "td": report(head_td, tan_dong, title="Việc ấp Tân Đông"),
        "dh": report(head_dh, dong_hiep, title="Việc ấp Đông Hiệp"),
        "news": report(officer, None, kind="announcement", title="Thông báo của xã"),
        "b": report(officer_b, village_b, title="Việc xã Tân Phú"),
    }


def test_a_village_head_sees_own_villages_and_every_announcement(head_td, board):
    scope = scope_for(head_td)
    assert set(selectors.items_for(scope)) == {board["td"], board["news"]}
    assert selectors.item_get(scope, board["news"].pk) == board["news"]
    for other in (board["dh"], board["b"]):
        with pytest.raises(Http404):
            selectors.item_get(scope, other.pk)


@pytest.mark.parametrize("who", ["officer", "committee", "auditor"])
def test_the_commune_sees_every_item_of_the_commune(who, request, board):
    scope = scope_for(request.getfixturevalue(who))
    assert set(selectors.items_for(scope)) == {board["td"], board["dh"], board["news"]}


def test_another_commune_sees_nothing(officer_b, board):
    scope = scope_for(officer_b)
    assert set(selectors.items_for(scope)) == {board["b"]}
    with pytest.raises(Http404):
        selectors.item_get(scope, board["td"].pk)


def test_the_board_filters(officer, head_td, tan_dong, dong_hiep, board):
    scope = scope_for(officer)

    def titles(**where):
        found = selectors.board(scope, selectors.BoardFilter(**where), today=TODAY)
        return {i.title for i in found}

    assert titles(village_id=tan_dong.pk) == {"Việc ấp Tân Đông"}
    assert titles(kind="announcement") == {"Thông báo của xã"}
    assert titles(topic="bhyt") == set()
    services.item_assign(scope=scope, item=board["dh"], users=[officer])
    assert titles(assignee_id=officer.pk) == {"Việc ấp Đông Hiệp"}
    services.item_transition(scope=scope, item=board["td"], action="finish", note="Xong.")
    assert "Việc ấp Tân Đông" not in titles()  # open only by default
    assert titles(status="done") == {"Việc ấp Tân Đông"}
    assert len(titles(status="all")) == 3
    late = report(officer, dong_hiep, title="Quá hạn", due_date=TODAY, at=hours_ago(72))
    assert titles(overdue=True) == set()
    with_due_past = selectors.board(
        scope, selectors.BoardFilter(overdue=True), today=TODAY + dt.timedelta(days=1)
    )
    assert list(with_due_past) == [late]


def test_assignable_people_are_the_commune_s_workers_and_the_item_village_s_heads(
    officer, committee, head_td, head_dh, auditor, board
):
    people = set(selectors.assignable_users(scope_for(officer), board["td"]))
    assert people == {officer, committee, head_td}


def test_the_figures_per_village_and_topic(officer, head_td, head_dh, tan_dong, dong_hiep):
    officer_scope = scope_for(officer)
    a = report(head_td, tan_dong, topic="housing", at=hours_ago(30))
    services.comment_add(scope=officer_scope, item=a, text="Đã nhận.", at=hours_ago(28))
    services.item_transition(
        scope=officer_scope, item=a, action="finish", note="Đã sửa.", at=hours_ago(6)
    )
    b = report(head_dh, dong_hiep, topic="bhyt", at=hours_ago(10), due_date=TODAY)
    services.item_transition(scope=officer_scope, item=b, action="acknowledge", at=hours_ago(9))
    report(head_dh, dong_hiep, topic="bhyt", at=hours_ago(2))  # no answer yet
    report(officer, None, kind="announcement", title="Không tính")
    old = report(head_td, tan_dong, topic="housing", at=hours_ago(24 * 200))
    services.item_transition(scope=officer_scope, item=old, action="close", note="Trùng.")

    result = figures(officer_scope, today=TODAY + dt.timedelta(days=1))
    total = result.total
    assert (total.raised, total.open, total.overdue, total.resolved) == (3, 2, 1, 1)
    assert total.unanswered == 1
    assert total.median_response_hours == pytest.approx(1.5, abs=0.01)  # 2 h and 1 h
    assert total.median_resolution_hours == pytest.approx(24, abs=0.01)
    village = {f.label: f for f in result.by_village}
    assert (village["Ấp Tân Đông"].raised, village["Ấp Tân Đông"].open) == (1, 0)
    assert (village["Ấp Đông Hiệp"].raised, village["Ấp Đông Hiệp"].overdue) == (2, 1)
    topic = {f.key: f for f in result.by_topic}
    assert topic["bhyt"].raised == 2
    assert topic["housing"].resolved == 1
    assert result.as_dict()["total"]["median_response_hours"] == 1.5


def test_a_village_head_s_figures_are_their_villages(head_td, head_dh, tan_dong, dong_hiep):
    report(head_td, tan_dong)
    report(head_dh, dong_hiep)
    result = figures(scope_for(head_td))
    assert result.total.raised == 1
    assert [f.label for f in result.by_village] == ["Ấp Tân Đông"]
