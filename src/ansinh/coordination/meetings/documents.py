"""Biên bản họp Ban Chỉ đạo: the printed minutes of a committee meeting (fpdf2 through
:mod:`ansinh.core.pdf`, in Vietnamese whatever the page's language): when, where, who, then
one row per agenda item with its decision (or "Hoãn") and the task it gave. A meeting not yet
closed prints as a draft (DỰ THẢO)."""

from __future__ import annotations

from typing import Any

from django.utils import translation

from ansinh.coordination.meetings import selectors
from ansinh.coordination.meetings.models import AgendaEntry, Meeting, MeetingStatus, Outcome
from ansinh.core.numbers import format_number
from ansinh.core.pdf import VnDocument, place_date

HEADINGS = ["STT", "Nội dung (ấp)", "Kết luận", "Việc giao tiếp"]
WIDTHS = [10, 55, 62, 50]


def _vi(label: Any) -> str:
    with translation.override("vi"):
        return str(label)


def _place(commune_name: str) -> str:
    for prefix in ("Xã ", "Phường ", "Đặc khu "):
        commune_name = commune_name.removeprefix(prefix)
    return commune_name


def _subject(entry: AgendaEntry) -> str:
    item = entry.item
    where = item.village.name if item.village else "Toàn xã"
    text = f"{item.title} ({where})"
    source = entry.carried_from
    if source is not None:
        text += f"\nHoãn từ cuộc họp ngày {source.meeting.held_on:%d/%m/%Y}"
    return text


def _conclusion(entry: AgendaEntry) -> str:
    if entry.outcome == Outcome.POSTPONED:
        reason = f": {entry.decision}" if entry.decision else ""
        return f"Hoãn, chuyển cuộc họp sau{reason}"
    if entry.outcome == Outcome.DECIDED:
        return entry.decision
    return "Chưa kết luận"


def _task(entry: AgendaEntry) -> str:
    task = entry.follow_up
    if task is None:
        return ""
    people = ", ".join(str(u) for u in task.assignees.all())
    parts = [task.title]
    if people:
        parts.append(f"Giao: {people}")
    if task.due_date:
        parts.append(f"Hạn: {task.due_date:%d/%m/%Y}")
    return "\n".join(parts)


def minutes_pdf(meeting: Meeting) -> bytes:
    """The minutes of ``meeting`` (fetched through ``selectors.meeting_get``)."""
    entries = selectors.agenda(meeting)
    commune = meeting.commune
    doc = VnDocument(title="Biên bản họp Ban Chỉ đạo")
    doc.national_header(
        [f"UBND {commune.name}", "Ban Chỉ đạo"],
        place_date=place_date(_place(commune.name), meeting.held_on),
    )
    draft = meeting.status != MeetingStatus.CLOSED
    doc.heading(
        "Biên bản họp Ban Chỉ đạo" + (" (dự thảo)" if draft else ""),
        "Về các việc trên bảng điều phối của xã",
    )
    people = ", ".join(str(u) for u in meeting.attendees.all()) or "…"
    doc.paragraph(
        f"Thời gian: ngày {meeting.held_on:%d/%m/%Y}. "
        f"Địa điểm: {meeting.place or '…'}. "
        f"Chủ trì: {meeting.chair or '…'}. Thư ký: {meeting.secretary or '…'}."
    )
    doc.paragraph(f"Thành phần tham dự ({format_number(meeting.attendees.count())}): {people}.")
    decided = sum(1 for e in entries if e.outcome == Outcome.DECIDED)
    postponed = sum(1 for e in entries if e.outcome == Outcome.POSTPONED)
    doc.paragraph(
        f"Cuộc họp xem xét {format_number(len(entries))} việc: kết luận "
        f"{format_number(decided)} việc, hoãn {format_number(postponed)} việc.",
        bold=True,
    )
    rows = [[i, _subject(e), _conclusion(e), _task(e)] for i, e in enumerate(entries, 1)]
    doc.data_table(HEADINGS, rows, WIDTHS)
    if postponed:
        doc.paragraph("Các việc hoãn được đưa vào chương trình cuộc họp tiếp theo.")
    doc.paragraph("Biên bản được lập thành 02 bản.")
    doc.signatures(
        [
            ("Thư ký", str(meeting.secretary or "")),
            ("Chủ trì", str(meeting.chair or "")),
        ]
    )
    return doc.bytes()
