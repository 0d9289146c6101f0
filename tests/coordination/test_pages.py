"""The coordination pages through the test client: the board (filters, paged, a fixed number
of queries), the phone screen, an item's page (thread by htmx, buttons, assignees), the figures
and the API. Pages are read in Vietnamese (the default) with regexes that also accept the
English msgid until the translations are merged."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ansinh.accounts.scopes import scope_for
from ansinh.coordination import services
from ansinh.coordination.models import Comment, Item
from tests import factories as f
from tests.coordination.conftest import phone_photo, report

pytestmark = pytest.mark.django_db

BOARD = reverse("coordination:board")


def _as(client, user):
    client.force_login(user)
    return client


def _text(response) -> str:
    return response.content.decode()


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len([q for q in ctx.captured_queries if "django_session" not in q["sql"]])


def test_the_board_costs_the_same_queries_for_3_or_12_items(
    client, officer, committee, head_td, tan_dong, dong_hiep
):
    def fill(n: int) -> None:
        for i in range(n):
            item = report(head_td, tan_dong, title=f"Việc {i}", photos=[])
            services.item_assign(scope=scope_for(officer), item=item, users=[officer, committee])
            services.comment_add(scope=scope_for(officer), item=item, text=f"Đã nhận {i}.")

    _as(client, officer)
    fill(3)
    few = _queries(client, BOARD)
    fill(9)
    many = _queries(client, BOARD + "?village=" + str(tan_dong.pk))
    assert len(re.findall('class="item-card', _text(client.get(BOARD)))) == 12
    assert many == few, f"{few} queries for 3 items, {many} for 12"
    assert few <= 14


def test_the_board_in_vietnamese_for_each_role(
    client, officer, committee, auditor, head_td, head_dh, tan_dong, dong_hiep
):
    report(head_td, tan_dong, title="Mái nhà ấp Tân Đông")
    report(head_dh, dong_hiep, title="Cây đổ ấp Đông Hiệp")
    report(officer, None, kind="announcement", title="Họp giao ban thứ Hai")
    for user in (officer, committee, auditor):
        page = _text(_as(client, user).get(BOARD))
        assert "Mái nhà ấp Tân Đông" in page
        assert "Cây đổ ấp Đông Hiệp" in page
        assert re.search("Bảng điều phối|Coordination board", page)
    page = _text(_as(client, head_td).get(BOARD))
    assert "Mái nhà ấp Tân Đông" in page
    assert "Họp giao ban thứ Hai" in page
    assert "Cây đổ ấp Đông Hiệp" not in page
    assert reverse("coordination:report") in page  # the big button
    auditor_page = _text(_as(client, auditor).get(BOARD))
    assert reverse("coordination:report") not in auditor_page


def test_the_board_is_paged_and_filtered(client, officer, head_td, tan_dong, settings):
    settings.ANSINH_PAGE_SIZE = 5
    for i in range(7):
        report(head_td, tan_dong, title=f"Việc số {i}", topic="bhyt" if i < 2 else "housing")
    _as(client, officer)
    first = _text(client.get(BOARD))
    assert first.count('class="item-card') == 5
    second = _text(client.get(BOARD + "?page=2"))
    assert second.count('class="item-card') == 2
    bhyt = _text(client.get(BOARD + "?topic=bhyt"))
    assert bhyt.count('class="item-card') == 2
    junk = client.get(BOARD + "?village=99999999999999999999&topic=x&status=x&assignee=me&page=z")
    assert junk.status_code == 200


def test_the_phone_screen_reports_a_problem_with_a_photo(client, head_td, tan_dong, hh_td):
    _as(client, head_td)
    page = _text(client.get(reverse("coordination:report")))
    assert 'capture="environment"' in page
    assert 'accept="image/*"' in page
    key = re.search(r'name="key" value="([^"]+)"', page).group(1)
    data = {
        "kind": "problem",
        "village": tan_dong.pk,
        "topic": "housing",
        "title": "Mái nhà bị tốc",
        "body": "Bà sống một mình.",
        "household_code": hh_td.code.lower(),
        "key": key,
    }
    response = client.post(reverse("coordination:report"), {**data, "photos": phone_photo()})
    item = Item.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("coordination:item", args=[item.pk])
    assert (item.household, item.photo_count) == (hh_td, 1)
    again = client.post(reverse("coordination:report"), {**data, "photos": phone_photo()})
    assert again.status_code == 302  # sent twice: one item
    assert Item.objects.count() == 1
    shown = _text(client.get(response["Location"]))
    assert reverse("coordination:photo", args=[item.photos.get().pk]) in shown


def test_the_phone_screen_keeps_what_was_typed_when_refused(client, head_td, tan_dong):
    _as(client, head_td)
    data = {"kind": "problem", "village": tan_dong.pk, "topic": "", "title": "Đường ngập"}
    response = client.post(
        reverse("coordination:report"),
        {**data, "household_code": "XX-0001", "photos": phone_photo()},
    )
    page = _text(response)
    assert response.status_code == 200
    assert 'value="Đường ngập"' in page
    assert re.search("Không có hộ nào mã XX-0001|No household with code XX-0001", page)
    assert not Item.objects.exists()


def test_auditors_and_strangers_cannot_report(client, auditor, officer_b):
    for user in (auditor,):
        assert _as(client, user).get(reverse("coordination:report")).status_code == 403
    response = _as(client, officer_b).post(reverse("coordination:report"), {"title": "x"})
    assert response.status_code == 200  # their own commune's form, refused
    assert not Item.objects.exists()


def test_the_officer_creates_a_task_and_assigns_it(client, officer, head_td, tan_dong):
    _as(client, officer)
    page = _text(client.get(reverse("coordination:item_new")))
    assert 'name="assignees"' in page
    assert 'name="priority"' in page
    response = client.post(
        reverse("coordination:item_new"),
        {
            "kind": "task",
            "village": tan_dong.pk,
            "topic": "poverty_review",
            "title": "Rà soát 3 hộ có đơn",
            "priority": "3",
            "due_date": "2100-01-01",
            "assignees": [head_td.pk],
            "key": "abcdefgh",
        },
    )
    assert response.status_code == 302
    item = Item.objects.get()
    assert list(item.assignees.all()) == [head_td]


def test_comments_by_htmx_without_reload_and_once(client, officer, head_td, tan_dong):
    item = report(head_td, tan_dong)
    _as(client, officer)
    url = reverse("coordination:item_comment", args=[item.pk])
    data = {"text": "Đã nhận, @truongap1 chờ cán bộ xuống.", "key": "key-of-the-form"}
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    page = _text(response)
    assert response.status_code == 200
    assert page.lstrip().startswith('<section id="thread">')
    assert '<b class="mention">@truongap1</b>' in page
    new_key = re.search(r'name="key" value="([^"]+)"', page).group(1)
    assert new_key != "key-of-the-form"  # a fresh form for the next comment
    client.post(url, data, HTTP_HX_REQUEST="true")  # the same form again
    assert Comment.objects.filter(kind="comment").count() == 1
    plain = client.post(url, {"text": "Thêm ảnh", "key": "other-key", "photos": phone_photo()})
    assert plain.status_code == 302
    assert plain["Location"].endswith("#thread")


def test_an_empty_comment_is_shown_on_the_form(client, officer, tan_dong):
    item = report(officer, tan_dong)
    _as(client, officer)
    url = reverse("coordination:item_comment", args=[item.pk])
    page = _text(client.post(url, {"text": "  ", "key": "k-1"}, HTTP_HX_REQUEST="true"))
    assert re.search("Viết nội dung|Write a comment", page)


def test_the_buttons_move_the_item_and_refuse_a_wrong_move(client, officer, head_td, tan_dong):
    item = report(head_td, tan_dong)
    _as(client, officer)
    page = _text(client.get(reverse("coordination:item", args=[item.pk])))
    for action in ("acknowledge", "start", "finish", "close"):
        assert f'value="{action}"' in page
    assert 'value="reopen"' not in page
    url = reverse("coordination:item_status", args=[item.pk])
    response = client.post(url, {"action": "finish", "note": ""}, follow=True)
    assert re.search("Ghi kết quả|Write the outcome", _text(response))
    client.post(url, {"action": "finish", "note": "Đã sửa mái."})
    item.refresh_from_db()
    assert item.status == "done"
    response = client.post(url, {"action": "start"}, follow=True)
    assert re.search("không thể|cannot be moved", _text(response))
    assert client.post(url, {"action": "explode"}).status_code == 404


def test_a_village_head_sees_only_their_buttons(client, officer, head_td, tan_dong):
    mine = report(head_td, tan_dong)
    theirs = report(officer, tan_dong)
    _as(client, head_td)
    page = _text(client.get(reverse("coordination:item", args=[mine.pk])))
    assert 'value="close"' in page
    assert 'value="acknowledge"' not in page
    assert 'id="assign"' not in page
    other = _text(client.get(reverse("coordination:item", args=[theirs.pk])))
    assert 'id="steps"' not in other
    assert 'id="comment-form"' in other
    url = reverse("coordination:item_status", args=[theirs.pk])
    assert client.post(url, {"action": "close", "note": "x"}).status_code == 403
    assign = reverse("coordination:item_assign", args=[theirs.pk])
    assert client.post(assign, {"assignees": [head_td.pk]}).status_code == 403


def test_the_officer_assigns_from_the_item_page(client, officer, head_td, head_dh, tan_dong):
    item = report(head_td, tan_dong)
    _as(client, officer)
    page = _text(client.get(reverse("coordination:item", args=[item.pk])))
    assert f'value="{head_td.pk}"' in page
    assert f'value="{head_dh.pk}"' not in page
    url = reverse("coordination:item_assign", args=[item.pk])
    response = client.post(url, {"assignees": [head_td.pk, officer.pk]}, follow=True)
    assert re.search("Đã lưu người được giao|Assignees saved", _text(response))
    bad = client.post(url, {"assignees": [head_dh.pk]}, follow=True)
    assert set(item.assignees.all()) == {head_td, officer}
    assert bad.status_code == 200


def test_the_edit_page(client, officer, head_td, tan_dong, hh_dh):
    item = report(head_td, tan_dong)
    _as(client, officer)
    url = reverse("coordination:item_edit", args=[item.pk])
    assert client.get(url).status_code == 200
    data = {"title": "Mái nhà bà Tư", "body": "", "topic": "housing", "priority": "4"}
    bad = client.post(url, {**data, "household_code": hh_dh.code})
    assert re.search("không ở ấp|not in the chosen village", _text(bad))
    assert client.post(url, data).status_code == 302
    item.refresh_from_db()
    assert (item.title, item.priority) == ("Mái nhà bà Tư", 4)
    client.force_login(head_td)  # no longer new… it is, but not for others' items
    assert client.get(url).status_code == 200
    services.item_transition(scope=scope_for(officer), item=item, action="acknowledge")
    assert client.get(url).status_code == 403


def test_the_figures_page(client, officer, head_td, tan_dong):
    report(head_td, tan_dong)
    page = _text(_as(client, officer).get(reverse("coordination:figures") + "?days=30"))
    assert "Ấp Tân Đông" in page
    assert re.search("Theo ấp|By village", page)
    assert _as(client, officer).get(reverse("coordination:figures") + "?days=x").status_code == 200


def test_the_api(client, officer, head_td, head_dh, tan_dong, dong_hiep):
    mine = report(head_td, tan_dong, title="Việc ấp Tân Đông")
    other = report(head_dh, dong_hiep, title="Việc ấp Đông Hiệp")
    services.comment_add(scope=scope_for(officer), item=mine, text="Đã nhận.")
    token = f.api_token(head_td)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    listed = client.get("/api/coordination/items", **auth).json()
    assert [i["title"] for i in listed["items"]] == ["Việc ấp Tân Đông"]
    detail = client.get(f"/api/coordination/items/{mine.pk}", **auth).json()
    assert detail["thread"][0]["text"] == "Đã nhận."
    assert client.get(f"/api/coordination/items/{other.pk}", **auth).status_code == 404
    numbers = client.get("/api/coordination/figures?days=30", **auth).json()
    assert numbers["total"]["raised"] == 1
    assert client.get("/api/coordination/figures?days=5", **auth).status_code == 422
