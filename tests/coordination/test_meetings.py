"""Committee meetings: the agenda proposed from the open items, the minutes (a decision or a
postponement per item, a follow-up task made once), closing (once; the postponed items carried
to the next draft meeting), who may do what, and the printed minutes read back with pypdf."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from pypdf import PdfReader

from ansinh.accounts.scopes import scope_for
from ansinh.coordination import services
from ansinh.coordination.meetings import documents
from ansinh.coordination.meetings import selectors as msel
from ansinh.coordination.meetings import services as meetings
from ansinh.coordination.meetings.models import Meeting
from ansinh.coordination.models import Item
from ansinh.core.models import AuditEntry
from tests.coordination.conftest import report

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DENIED = r"(steering committee|Ban Chỉ đạo|role cannot|vai trò)"


@pytest.fixture
def board(officer, head_td, tan_dong, dong_hiep):
    """Four open items: an old normal one, an urgent one, one overdue, one of Đông Hiệp; and
    an announcement and a closed item (never on an agenda)."""
    old = report(head_td, tan_dong, title="Đường ngập nước")
    urgent = report(officer, tan_dong, title="Nhà sắp sập", priority=4)
    overdue = report(officer, dong_hiep, title="Thẻ BHYT hết hạn", kind="task")
    Item.objects.filter(pk=overdue.pk).update(due_date=TODAY - dt.timedelta(days=3))
    other = report(officer, dong_hiep, title="Hỏi về trợ cấp", kind="question")
    report(officer, None, kind="announcement", title="Họp dân thứ Bảy")
    done = report(officer, tan_dong, title="Việc đã xong")
    services.item_transition(scope=scope_for(officer), item=done, action="finish", note="Xong.")
    return {"old": old, "urgent": urgent, "overdue": overdue, "other": other}


def _meeting(user, **kw):
    kw.setdefault("held_on", TODAY)
    kw.setdefault("place", "Hội trường UBND xã")
    return meetings.meeting_create(scope=scope_for(user), **kw)


def _titles(meeting: Meeting) -> list[str]:
    return [e.item.title for e in msel.agenda(meeting)]


def test_the_agenda_puts_urgent_and_overdue_items_first(officer, committee, board):
    meeting = _meeting(officer, chair=committee, attendees=[officer, committee])
    assert _titles(meeting) == [
        "Nhà sắp sập",
        "Thẻ BHYT hết hạn",
        "Đường ngập nước",
        "Hỏi về trợ cấp",
    ]
    assert meeting.status == "draft"
    assert meeting.secretary == officer
    assert AuditEntry.objects.filter(model_label="coordination.meeting").count() == 1
    assert AuditEntry.objects.filter(model_label="coordination.agendaentry").count() == 4
    # an item already on a draft meeting is not proposed again
    assert _titles(_meeting(officer)) == []


def test_the_officer_adds_removes_and_reorders_the_agenda(officer, board):
    meeting = _meeting(officer, items=[board["old"]])
    meetings.meeting_agenda_add(scope=scope_for(officer), meeting=meeting, item=board["other"])
    again = meetings.meeting_agenda_add(
        scope=scope_for(officer), meeting=meeting, item=board["other"]
    )
    assert meeting.entries.count() == 2
    meetings.meeting_agenda_move(scope=scope_for(officer), entry=again, up=True)
    assert _titles(meeting) == ["Hỏi về trợ cấp", "Đường ngập nước"]
    meetings.meeting_agenda_move(scope=scope_for(officer), entry=again, up=True)  # first stays
    assert _titles(meeting) == ["Hỏi về trợ cấp", "Đường ngập nước"]
    meetings.meeting_agenda_remove(scope=scope_for(officer), entry=again)
    assert _titles(meeting) == ["Đường ngập nước"]
    assert AuditEntry.objects.filter(
        model_label="coordination.agendaentry", action="delete"
    ).exists()


def test_the_agenda_is_fixed_once_the_meeting_is_held(officer, board):
    meeting = _meeting(officer, items=[board["old"]])
    meetings.meeting_hold(scope=scope_for(officer), meeting=meeting)
    with pytest.raises(ValidationError, match=r"(cannot be changed|không thay đổi được)"):
        meetings.meeting_agenda_add(scope=scope_for(officer), meeting=meeting, item=board["other"])
    assert meeting.entries.count() == 1


def test_a_decision_creates_its_follow_up_task_once(officer, committee, head_td, board):
    meeting = _meeting(officer, items=[board["old"]])
    entry = meeting.entries.get()
    for _ in range(2):
        entry = meetings.meeting_decide(
            scope=scope_for(committee),
            entry=entry,
            decision="Nạo vét mương thoát nước trước mùa mưa.",
            follow_up_title="Nạo vét mương ấp Tân Đông",
            assignee=head_td,
            due_date=TODAY + dt.timedelta(days=14),
        )
    task = entry.follow_up
    assert task is not None
    assert Item.objects.filter(title="Nạo vét mương ấp Tân Đông").count() == 1
    assert (task.kind, task.village_id, task.due_date) == (
        "task",
        board["old"].village_id,
        TODAY + dt.timedelta(days=14),
    )
    assert list(task.assignees.all()) == [head_td]
    assert task.body == "Nạo vét mương thoát nước trước mùa mưa."


def test_a_decision_needs_its_text_and_a_task_its_title(officer, head_td, board):
    meeting = _meeting(officer, items=[board["old"]])
    entry = meeting.entries.get()
    with pytest.raises(ValidationError, match=r"(Write the decision|Ghi quyết định)"):
        meetings.meeting_decide(scope=scope_for(officer), entry=entry, decision="  ")
    with pytest.raises(ValidationError, match=r"(follow-up task is|việc giao)"):
        meetings.meeting_decide(
            scope=scope_for(officer), entry=entry, decision="Làm ngay.", assignee=head_td
        )
    entry.refresh_from_db()
    assert (entry.outcome, entry.decision, entry.follow_up) == ("", "", None)
    assert not Item.objects.filter(title__contains="mương").exists()


def test_closing_needs_every_item_decided_or_postponed(officer, board):
    meeting = _meeting(officer, items=[board["old"], board["other"]])
    first = meeting.entries.get(item=board["old"])
    meetings.meeting_decide(scope=scope_for(officer), entry=first, decision="Làm ngay.")
    with pytest.raises(ValidationError, match="Hỏi về trợ cấp"):
        meetings.meeting_close(scope=scope_for(officer), meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.status == "draft"
    assert Meeting.objects.count() == 1


def test_closing_carries_postponed_items_to_the_next_draft_meeting_once(officer, board):
    meeting = _meeting(officer, items=[board["old"], board["other"], board["urgent"]])
    later = _meeting(officer, held_on=TODAY + dt.timedelta(days=10), items=[])
    scope = scope_for(officer)
    old, other, urgent = (meeting.entries.get(item=board[k]) for k in ("old", "other", "urgent"))
    meetings.meeting_decide(scope=scope, entry=old, decision="Giao trưởng ấp xử lý.")
    meetings.meeting_decide(scope=scope, entry=other, postpone=True, decision="Chờ hướng dẫn.")
    meetings.meeting_decide(scope=scope, entry=urgent, postpone=True)
    services.item_transition(scope=scope, item=board["urgent"], action="finish", note="Đã sửa.")
    closed = meetings.meeting_close(scope=scope, meeting=meeting)
    assert closed.status == "closed"
    assert closed.carried_to == later
    # only the postponed item still open goes on, remembering where it came from
    assert [(e.item, e.carried_from) for e in msel.agenda(later)] == [(board["other"], other)]
    audits = AuditEntry.objects.count()
    again = meetings.meeting_close(scope=scope, meeting=meeting)
    assert again.status == "closed"
    assert AuditEntry.objects.count() == audits
    assert later.entries.count() == 1
    assert Meeting.objects.count() == 2


def test_without_a_draft_meeting_closing_makes_one_a_week_later(officer, committee, board):
    meeting = _meeting(officer, chair=committee, items=[board["other"]])
    meetings.meeting_decide(scope=scope_for(officer), entry=meeting.entries.get(), postpone=True)
    closed = meetings.meeting_close(scope=scope_for(officer), meeting=meeting)
    new = closed.carried_to
    assert new.held_on == TODAY + dt.timedelta(days=7)
    assert new.status == "draft"
    assert new.chair == committee
    assert _titles(new) == ["Hỏi về trợ cấp"]
    with pytest.raises(ValidationError, match=r"(cannot be changed|không thay đổi được)"):
        meetings.meeting_decide(
            scope=scope_for(officer), entry=meeting.entries.get(), decision="Đổi ý."
        )


@pytest.mark.parametrize("who", ["head_td", "auditor"])
def test_only_the_officer_and_the_committee_write(request, officer, board, who):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied, match=DENIED):
        _meeting(user)
    meeting = _meeting(officer, items=[board["old"]])
    with pytest.raises(PermissionDenied, match=DENIED):
        meetings.meeting_decide(
            scope=scope_for(user), entry=meeting.entries.get(), decision="Không được."
        )
    with pytest.raises(PermissionDenied, match=DENIED):
        meetings.meeting_close(scope=scope_for(user), meeting=meeting)
    assert Meeting.objects.count() == 1
    assert meeting.entries.get().outcome == ""


def test_another_commune_cannot_touch_a_meeting(officer, officer_b, board):
    meeting = _meeting(officer, items=[board["old"]])
    with pytest.raises(PermissionDenied, match=DENIED):
        meetings.meeting_close(scope=scope_for(officer_b), meeting=meeting)
    assert not msel.meetings_for(scope_for(officer_b)).exists()
    with pytest.raises(PermissionDenied, match=DENIED):
        meetings.meeting_agenda_add(scope=scope_for(officer_b), meeting=meeting, item=board["old"])


def test_a_village_head_sees_the_decisions_about_items_of_their_villages(
    officer, head_td, head_dh, board
):
    meeting = _meeting(officer, items=[board["old"], board["other"]])
    scope = scope_for(officer)
    for entry in meeting.entries.all():
        meetings.meeting_decide(scope=scope, entry=entry, decision=f"Quyết định {entry.item_id}")
    assert msel.decisions_about(scope_for(head_td), board["old"]) == []  # not closed yet
    meetings.meeting_close(scope=scope, meeting=meeting)
    seen = msel.decisions_about(scope_for(head_td), board["old"])
    assert [e.decision for e in seen] == [f"Quyết định {board['old'].pk}"]
    assert msel.decisions_about(scope_for(head_td), board["other"]) == []  # Đông Hiệp's
    assert not msel.meetings_for(scope_for(head_td)).exists()


def test_the_minutes_pdf_reads_in_vietnamese(officer, committee, head_td, board):
    meeting = _meeting(officer, chair=committee, attendees=[officer, committee])
    scope = scope_for(officer)
    entries = {e.item_id: e for e in meeting.entries.all()}
    meetings.meeting_decide(
        scope=scope,
        entry=entries[board["old"].pk],
        decision="Nạo vét mương thoát nước.",
        follow_up_title="Nạo vét mương",
        assignee=head_td,
        due_date=TODAY + dt.timedelta(days=7),
    )
    for item_id, entry in entries.items():
        if item_id != board["old"].pk:
            meetings.meeting_decide(scope=scope, entry=entry, postpone=True)
    meetings.meeting_close(scope=scope, meeting=meeting)
    meeting = msel.meeting_get(scope, meeting.pk)
    text = "\n".join(
        p.extract_text() for p in PdfReader(io.BytesIO(documents.minutes_pdf(meeting))).pages
    )
    flat = " ".join(text.split())
    assert "BIÊN BẢN HỌP BAN CHỈ ĐẠO" in flat
    assert "Nạo vét mương thoát nước." in flat
    assert "Hoãn" in flat
    assert str(committee) in flat
    assert f"{(TODAY + dt.timedelta(days=7)):%d/%m/%Y}" in flat
    assert "DỰ THẢO" not in flat


def test_a_closed_meeting_keeps_its_date_and_people(officer, committee, board):
    meeting = _meeting(officer, items=[])
    meetings.meeting_close(scope=scope_for(officer), meeting=meeting)
    with pytest.raises(ValidationError, match=r"(cannot be changed|không thay đổi được)"):
        meetings.meeting_update(
            scope=scope_for(officer), meeting=meeting, held_on=TODAY, chair=committee
        )
    meeting.refresh_from_db()
    assert meeting.chair is None
