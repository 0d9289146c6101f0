"""The meeting pages through the test client: preparing a meeting, the agenda buttons, the
minutes of an item (a refusal keeps what was typed), closing, the PDF (logged as an export);
the auditor reads, village heads and another commune see no meeting; a village head reads the
decision on the item's page. Regexes accept Vietnamese and the English msgid."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from ansinh.accounts.scopes import scope_for
from ansinh.coordination.meetings import services as meetings
from ansinh.coordination.meetings.models import AgendaEntry, Meeting
from ansinh.coordination.models import Item
from ansinh.core.models import AuditEntry
from tests.coordination.conftest import report

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LIST = reverse("coordination:meetings")


@pytest.fixture
def items(head_td, officer, tan_dong, dong_hiep):
    return [
        report(head_td, tan_dong, title="Đường ngập nước"),
        report(officer, dong_hiep, title="Nhà sắp sập", priority=4),
    ]


@pytest.fixture
def meeting(officer, committee, items):
    return meetings.meeting_create(
        scope=scope_for(officer), held_on=TODAY, place="Hội trường", chair=committee
    )


def _entry(meeting: Meeting, title: str) -> AgendaEntry:
    return meeting.entries.get(item__title=title)


def test_the_officer_prepares_a_meeting_with_the_open_items(client, officer, committee, items):
    client.force_login(officer)
    page = client.get(reverse("coordination:meeting_new"))
    assert page.status_code == 200
    response = client.post(
        reverse("coordination:meeting_new"),
        {
            "held_on": TODAY.strftime("%d/%m/%Y"),
            "place": "Hội trường",
            "chair": committee.pk,
            "attendees": [officer.pk, committee.pk],
        },
        follow=True,
    )
    text = response.content.decode()
    meeting = Meeting.objects.get()
    assert list(meeting.entries.values_list("item__title", flat=True)) == [
        "Nhà sắp sập",
        "Đường ngập nước",
    ]
    assert re.search(r"(2 items of the board|2 việc)", text)
    assert "Hội trường" in client.get(LIST).content.decode()


def test_a_bad_date_keeps_the_form_and_makes_nothing(client, officer, items):
    client.force_login(officer)
    response = client.post(
        reverse("coordination:meeting_new"), {"held_on": "31/02/2026", "place": "Nhà văn hóa"}
    )
    assert response.status_code == 200
    assert "Nhà văn hóa" in response.content.decode()
    assert not Meeting.objects.exists()


def test_the_minutes_of_an_item_with_its_task(client, officer, head_td, meeting):
    client.force_login(officer)
    entry = _entry(meeting, "Đường ngập nước")
    url = reverse("coordination:meeting_decide", args=[entry.pk])
    prefix = f"e{entry.pk}-"
    refused = client.post(url, {prefix + "follow_up_title": "Nạo vét mương", "do": "decide"})
    assert refused.status_code == 200
    text = refused.content.decode()
    assert re.search(r"(Write the decision|Ghi quyết định)", text)
    assert "Nạo vét mương" in text  # what was typed is still there
    assert not Item.objects.filter(title="Nạo vét mương").exists()
    done = client.post(
        url,
        {
            prefix + "decision": "Nạo vét trước mùa mưa.",
            prefix + "follow_up_title": "Nạo vét mương",
            prefix + "assignee": head_td.pk,
            prefix + "due_date": (TODAY + dt.timedelta(days=5)).strftime("%d/%m/%Y"),
            "do": "decide",
        },
        follow=True,
    )
    assert "Nạo vét trước mùa mưa." in done.content.decode()
    task = Item.objects.get(title="Nạo vét mương")
    assert list(task.assignees.all()) == [head_td]


def test_closing_carries_the_postponed_item_and_the_pdf_is_logged(client, officer, meeting):
    client.force_login(officer)
    first, second = _entry(meeting, "Đường ngập nước"), _entry(meeting, "Nhà sắp sập")
    step = reverse("coordination:meeting_step", args=[meeting.pk])
    client.post(reverse("coordination:meeting_decide", args=[first.pk]), {"do": "postpone"})
    refused = client.post(step, {"do": "close"}, follow=True)
    assert re.search(
        r"(Write a decision for every item|quyết định cho từng việc)", refused.content.decode()
    )
    client.post(
        reverse("coordination:meeting_decide", args=[second.pk]),
        {f"e{second.pk}-decision": "Hỗ trợ sửa nhà.", "do": "decide"},
    )
    closed = client.post(step, {"do": "close"}, follow=True)
    assert re.search(r"(Postponed items go to|chuyển sang cuộc họp)", closed.content.decode())
    meeting.refresh_from_db()
    assert meeting.status == "closed"
    later = Meeting.objects.exclude(pk=meeting.pk).get()
    assert list(later.entries.values_list("item__title", flat=True)) == ["Đường ngập nước"]
    pdf = client.get(reverse("coordination:meeting_pdf", args=[meeting.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    log = AuditEntry.objects.get(model_label="export")
    assert (log.object_repr, log.object_id, log.actor) == (
        "coordination.meeting.minutes.pdf",
        meeting.pk,
        officer,
    )


def test_the_agenda_buttons(client, officer, meeting):
    client.force_login(officer)
    second = _entry(meeting, "Đường ngập nước")
    client.post(reverse("coordination:meeting_entry", args=[second.pk]), {"do": "up"})
    assert meeting.entries.order_by("order").first() == second
    client.post(reverse("coordination:meeting_entry", args=[second.pk]), {"do": "remove"})
    assert meeting.entries.count() == 1
    bad = client.post(reverse("coordination:meeting_entry", args=[second.pk + 999]), {"do": "up"})
    assert bad.status_code == 404


def test_the_auditor_reads_but_does_not_write(client, auditor, meeting):
    client.force_login(auditor)
    page = client.get(reverse("coordination:meeting", args=[meeting.pk]))
    assert page.status_code == 200
    assert "decision-form" not in page.content.decode()
    assert client.get(reverse("coordination:meeting_new")).status_code == 403
    step = client.post(reverse("coordination:meeting_step", args=[meeting.pk]), {"do": "hold"})
    assert step.status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == "draft"


@pytest.mark.parametrize("who", ["head_td", "officer_b"])
def test_village_heads_and_other_communes_see_no_meeting(request, client, meeting, who):
    client.force_login(request.getfixturevalue(who))
    listed = client.get(LIST)
    assert (
        listed.status_code == 404
        if who == "head_td"
        else "Hội trường" not in listed.content.decode()
    )
    assert client.get(reverse("coordination:meeting", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("coordination:meeting_pdf", args=[meeting.pk])).status_code == 404
    entry = meeting.entries.first()
    decide = reverse("coordination:meeting_decide", args=[entry.pk])
    assert client.post(decide, {"do": "postpone"}).status_code == 404


def test_a_village_head_reads_the_decision_on_the_item_page(
    client, officer, head_td, head_dh, meeting
):
    scope = scope_for(officer)
    for entry in meeting.entries.all():
        meetings.meeting_decide(scope=scope, entry=entry, decision=f"Kết luận về {entry.item}")
    meetings.meeting_close(scope=scope, meeting=meeting)
    item = Item.objects.get(title="Đường ngập nước")
    client.force_login(head_td)
    text = client.get(reverse("coordination:item", args=[item.pk])).content.decode()
    assert re.search(r"(Decision at the meeting of|Quyết định tại cuộc họp ngày)", text)
    assert "Kết luận về Đường ngập nước" in text
    assert "Kết luận về Nhà sắp sập" not in text


def test_a_meeting_page_costs_the_same_queries_for_2_or_8_items(
    client, officer, head_td, tan_dong, meeting
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(officer)
    url = reverse("coordination:meeting", args=[meeting.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len([q for q in ctx.captured_queries if "django_session" not in q["sql"]])

    scope = scope_for(officer)
    first = meeting.entries.first()
    meetings.meeting_decide(scope=scope, entry=first, decision="Giao.", follow_up_title="Làm")
    few = count()
    for i in range(6):
        item = report(head_td, tan_dong, title=f"Việc {i}")
        entry = meetings.meeting_agenda_add(scope=scope, meeting=meeting, item=item)
        if i % 2:
            meetings.meeting_decide(
                scope=scope, entry=entry, decision="Giao việc.", follow_up_title=f"Làm {i}"
            )
    assert count() == few


def test_the_officer_changes_the_date_and_people_until_the_minutes_are_closed(
    client, officer, committee, auditor, meeting
):
    client.force_login(officer)
    url = reverse("coordination:meeting_edit", args=[meeting.pk])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"held_on": "hôm qua", "place": "Nhà văn hóa"})
    assert bad.status_code == 200
    assert "Nhà văn hóa" in bad.content.decode()
    meeting.refresh_from_db()
    assert meeting.place == "Hội trường"
    later = TODAY + dt.timedelta(days=3)
    client.post(
        url,
        {"held_on": later.strftime("%d/%m/%Y"), "place": "Nhà văn hóa", "attendees": [officer.pk]},
    )
    meeting.refresh_from_db()
    assert (meeting.held_on, meeting.place, meeting.chair) == (later, "Nhà văn hóa", None)
    assert list(meeting.attendees.all()) == [officer]
    assert AuditEntry.objects.filter(
        model_label="coordination.meeting", object_id=meeting.pk, action="update"
    ).exists()
    client.force_login(auditor)
    assert client.get(url).status_code == 403
    scope = scope_for(officer)
    for entry in meeting.entries.all():
        meetings.meeting_decide(scope=scope, entry=entry, decision="Xong.")
    meetings.meeting_close(scope=scope, meeting=meeting)
    client.force_login(officer)
    assert client.get(url).status_code == 403


def test_the_audit_log_reads_a_meetings_changes_and_its_minutes(
    client, officer, committee, meeting
):
    from ansinh.core.audit_display import entries_display

    scope = scope_for(officer)
    meetings.meeting_update(
        scope=scope, meeting=meeting, held_on=TODAY, place="Hội trường", attendees=[committee]
    )
    client.force_login(officer)
    client.get(reverse("coordination:meeting_pdf", args=[meeting.pk]))
    logged = AuditEntry.objects.filter(
        model_label__in=["coordination.meeting", "export"]
    ).select_related("actor")
    views = entries_display(list(logged), commune_code=meeting.commune_id)
    text = "\n".join(f"{v.record_type} {v.record} {[c.text for c in v.changes]}" for v in views)
    assert re.search(r"(Attendees|Thành phần tham dự)[^\n]*" + str(committee), text)
    assert re.search(r"(Minutes of the committee meeting|Biên bản họp Ban Chỉ đạo)", text)
    assert "coordination.meeting.minutes.pdf" not in text
