"""Committee meetings in a real browser (issue 14). On the desktop (1280 px) the officer
prepares a meeting whose agenda is filled with the open items of the board, takes an item off
and puts it back, writes one decision per item (one giving a follow-up task to the village
head), tries to close the minutes with an item undecided (refused, naming it), postpones it,
closes the minutes, prints them (a PDF in Vietnamese) and finds the postponed item on the next
meeting's agenda. At 390 px the meeting pages do not scroll sideways."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from pypdf import PdfReader

from ansinh.accounts.scopes import scope_for
from ansinh.coordination.meetings import services as meetings
from ansinh.coordination.meetings.models import Meeting, MeetingStatus
from ansinh.coordination.models import Item
from tests import factories as f
from tests.browser.conftest import flash as _flash
from tests.browser.conftest import sign_in as _login
from tests.browser.conftest import submit as _submit
from tests.coordination.conftest import report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROAD = "Đường ngập nước trước trường tiểu học"
HOUSE = "Nhà bà Sáu sắp sập"
WATER = "Thiếu nước sạch cho tổ 3"
TASK = "Khơi thông cống thoát nước trước trường"
FITS = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def board(settings, tmp_path):
    """Commune A's two ấp, the officer, a committee member, a village head of ấp Tân Đông and
    three open items of the board (one of high priority)."""
    settings.VAR_DIR = tmp_path / "var"
    td = f.village()
    dh = f.village(name="Ấp Đông Hiệp", code="DH")
    officer = f.user("canbo", f.Role.OFFICER)
    committee = f.user("phochutich", f.Role.COMMITTEE)
    head = f.user("truongap1", f.Role.VILLAGE_HEAD, villages=[td])
    items = {
        "road": report(head, td, title=ROAD),
        "house": report(officer, dh, title=HOUSE, priority=4),
        "water": report(head, td, title=WATER),
    }
    return {"td": td, "officer": officer, "committee": committee, "head": head, **items}


def _agenda(page) -> list[str]:
    return page.locator("ol.agenda .agenda-entry .item-title").all_inner_texts()


def _entry_id(meeting: Meeting, item: Item) -> str:
    return f"#entry-{meeting.entries.get(item=item).pk}"


def test_the_officer_holds_a_meeting_and_closes_its_minutes_on_the_desktop(
    live_server, browser_page, board
):
    page, base = browser_page, live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})
    today = timezone.localdate()
    officer, committee, head = board["officer"], board["committee"], board["head"]
    _login(page, base, "canbo")

    # 1. A new meeting: its agenda is the board's open items, the urgent one first.
    page.goto(f"{base}/coordination/")
    page.click("#meetings-link")
    page.wait_for_url(f"{base}/coordination/meetings/")
    page.click("#meeting-new")
    page.wait_for_url(f"{base}/coordination/meetings/new/")
    assert page.input_value("#id_held_on") == f"{today:%d/%m/%Y}"
    page.fill("#id_place", "Hội trường UBND xã Tân Đông")
    page.select_option("#id_chair", str(committee.pk))
    for user in (officer, committee, head):
        page.check(f"#meeting-form input[name=attendees][value='{user.pk}']")
    page.click("#meeting-form button[type=submit]")
    page.wait_for_url(re.compile(rf"{base}/coordination/meetings/\d+/$"))
    meeting = Meeting.objects.get()
    assert page.url == f"{base}/coordination/meetings/{meeting.pk}/"
    assert re.search(r"3 (việc|items)", _flash(page))
    assert _agenda(page) == [HOUSE, ROAD, WATER]
    assert re.search("Dự thảo|Draft", page.inner_text("#meeting-status"))

    # 2. The agenda is changed while a draft: an item off, then back on (last).
    _submit(page, f"{_entry_id(meeting, board['road'])} button[value=remove]")
    assert _agenda(page) == [HOUSE, WATER]
    page.select_option("#add-item select", label=ROAD)
    _submit(page, "#add-item button[type=submit]")
    assert _agenda(page) == [HOUSE, WATER, ROAD]
    _submit(page, f"{_entry_id(meeting, board['road'])} button[value=up]")
    assert _agenda(page) == [HOUSE, ROAD, WATER]

    # 3. The meeting took place: one decision per item, one with a follow-up task.
    _submit(page, "#meeting-steps button[value=hold]")
    assert re.search("Đã họp|Held", page.inner_text("#meeting-status"))
    assert page.locator("#add-item").count() == 0  # the agenda is fixed
    house = _entry_id(meeting, board["house"])
    prefix = f"e{meeting.entries.get(item=board['house']).pk}"
    page.fill(f"#id_{prefix}-decision", "Hỗ trợ 5 triệu đồng sửa nhà từ quỹ Vì người nghèo.")
    _submit(page, f"{house} button[value=decide]")
    assert re.search("Đã ghi quyết định|Decision written", _flash(page))
    assert "quỹ Vì người nghèo" in page.inner_text(f"{house} .outcome")

    road = _entry_id(meeting, board["road"])
    prefix = f"e{meeting.entries.get(item=board['road']).pk}"
    due = today + dt.timedelta(days=10)
    page.fill(f"#id_{prefix}-decision", "Giao ấp Tân Đông huy động dân quân khơi thông cống.")
    page.fill(f"#id_{prefix}-follow_up_title", TASK)
    page.select_option(f"#id_{prefix}-assignee", str(head.pk))
    page.fill(f"#id_{prefix}-due_date", f"{due:%d/%m/%Y}")
    _submit(page, f"{road} button[value=decide]")
    assert re.search("Đã tạo việc giao tiếp|Follow-up task created", _flash(page))
    task = Item.objects.get(title=TASK)
    assert (task.kind, task.village, list(task.assignees.all())) == ("task", board["td"], [head])
    assert task.due_date == due
    follow_up = page.locator(f"{road} .outcome a", has_text=TASK)
    assert follow_up.get_attribute("href") == f"/coordination/items/{task.pk}/"

    # 4. One item left undecided: the minutes cannot be closed, the item is named.
    water = _entry_id(meeting, board["water"])
    assert page.locator("#meeting-steps").get_by_text(re.compile("1 (việc|item)")).count() == 1
    _submit(page, "#meeting-steps button[value=close]")
    assert WATER in _flash(page)
    assert re.search("Đã họp|Held", page.inner_text("#meeting-status"))
    _submit(page, f"{water} button[value=postpone]")
    assert re.search("Hoãn|Postponed", page.inner_text(f"{water} .outcome"))

    # 5. Closed: the postponed item goes to a new meeting a week later.
    _submit(page, "#meeting-steps button[value=close]")
    later = today + dt.timedelta(days=7)
    assert f"{later:%d/%m/%Y}" in _flash(page)
    assert re.search("Đã chốt biên bản|Closed", page.inner_text("#meeting-status"))
    assert page.locator("#meeting-steps").count() == 0
    assert page.locator(".decision-form").count() == 0
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CLOSED

    # 6. The minutes in PDF, in Vietnamese.
    assert re.search("Biên bản|Minutes", page.inner_text("#minutes-pdf"))
    page.click("#minutes-pdf")  # Chromium shows it in its PDF viewer: read the same bytes
    page.wait_for_url(f"{base}/coordination/meetings/{meeting.pk}/minutes.pdf")
    answer = page.request.get(page.url)
    assert answer.ok
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.body().startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(answer.body()))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "BIÊN BẢN HỌP BAN CHỈ ĐẠO" in text
    assert "DỰ THẢO" not in text
    for said in ("quỹ Vì người nghèo", TASK, "Hoãn", f"{today:%d/%m/%Y}"):
        assert said in text, said

    # 7. The next meeting's agenda holds the postponed item, and only it.
    page.goto(f"{base}/coordination/meetings/")
    following = Meeting.objects.exclude(pk=meeting.pk).get()
    assert following.held_on == later
    page.click(f"#meetings a[href='/coordination/meetings/{following.pk}/']")
    page.wait_for_url(f"{base}/coordination/meetings/{following.pk}/")
    assert _agenda(page) == [WATER]
    carried = page.inner_text(f"{_entry_id(following, board['water'])} .carried")
    assert f"{today:%d/%m/%Y}" in carried
    assert re.search("Dự thảo|Draft", page.inner_text("#meeting-status"))


def test_the_meeting_pages_fit_a_phone(live_server, browser_page, board):
    """390 px: the list, a new meeting, a held meeting with its decision forms open, a closed
    one; none scrolls sideways."""
    page, base = browser_page, live_server.url
    officer = board["officer"]
    scope = scope_for(officer)
    today = timezone.localdate()
    closed = meetings.meeting_create(
        scope=scope, held_on=today - dt.timedelta(days=7), place="Hội trường UBND xã"
    )
    for entry in closed.entries.all():
        meetings.meeting_decide(
            scope=scope,
            entry=entry,
            decision="Giao ấp kiểm tra, báo cáo lại trong tuần sau; mức hỗ trợ 5.000.000 đồng.",
        )
    meetings.meeting_close(scope=scope, meeting=closed)
    report(board["head"], board["td"], title="Cầu khỉ ấp Tân Đông bị gãy tay vịn")
    held = meetings.meeting_create(scope=scope, held_on=today, chair=board["committee"])
    meetings.meeting_hold(scope=scope, meeting=held)
    draft = meetings.meeting_create(scope=scope, held_on=today + dt.timedelta(days=14), items=[])
    _login(page, base, "canbo")

    for url in (
        "/coordination/meetings/",
        "/coordination/meetings/new/",
        f"/coordination/meetings/{held.pk}/",
        f"/coordination/meetings/{closed.pk}/",
        f"/coordination/meetings/{draft.pk}/",
        f"/coordination/meetings/{held.pk}/edit/",
    ):
        page.goto(f"{base}{url}")
        page.wait_for_load_state()
        assert page.evaluate(FITS), url
    page.goto(f"{base}/coordination/meetings/{held.pk}/")
    assert page.locator(".decision-form").count() == 4  # the board's four open items
    assert page.locator(".decision-form textarea").first.is_visible()
