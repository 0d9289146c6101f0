"""The follow-up list as files: a workbook of every member due (XLSX) and the printed list
per ấp that the village head takes from door to door (PDF, A4 landscape), with columns to
tick. The documents are in Vietnamese whatever the language of the page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from typing import Any

from django.utils import translation

from ansinh.core.identifiers import format_phone
from ansinh.core.numbers import format_number
from ansinh.core.pdf import FAMILY, VnDocument, place_date
from ansinh.insurance.choices import CoverageStatus
from ansinh.insurance.followup import FollowUpHousehold, MemberCard
from ansinh.registry.wording import household_address, in_text

XLSX_HEADINGS = [
    "Thôn, ấp",
    "Mã hộ",
    "Chủ hộ",
    "Địa chỉ",
    "Điện thoại",
    "Họ và tên",
    "Ngày sinh",
    "Tình trạng thẻ BHYT",
    "Hạn thẻ gần nhất",
    "Nhóm",
    "Ghi chú",
]

#: The printed list: columns and widths (mm) on A4 landscape (264 mm between the margins).
PDF_HEADINGS = (
    "STT",
    "Hộ (mã hộ, chủ hộ, địa chỉ, điện thoại)",
    "Thành viên",
    "Ngày sinh",
    "Thẻ BHYT",
    "Đã báo",
    "Đã gia hạn",
    "Ghi chú",
)
PDF_WIDTHS = (10, 58, 44, 20, 56, 16, 22, 38)
BOX = "☐"


def _vi(label: Any) -> str:
    with translation.override("vi"):
        return str(label)


@cache
def _statuses_vi() -> dict[str, str]:
    """The card statuses in Vietnamese (read once: a workbook has thousands of rows)."""
    return {value: _vi(label) for value, label in CoverageStatus.choices}


def _card(member: MemberCard) -> str:
    """ "Hết hạn 08/10/2026 (60 ngày)", "Hạn đến 31/12/2026", "Chưa có thẻ"."""
    if member.last_to is None:
        return "Chưa có thẻ"
    if member.days_lapsed:
        return f"Hết hạn {member.last_to:%d/%m/%Y} ({format_number(member.days_lapsed)} ngày)"
    return f"Hạn đến {member.last_to:%d/%m/%Y}"


def _note(member: MemberCard) -> str:
    return "Được cấp thẻ miễn phí" if member.should_be_free else ""


def xlsx_rows(rows: Iterable[FollowUpHousehold]) -> Iterator[list[object]]:
    """One row per member due, with the household's columns on each row."""
    for row in rows:
        household = row.household
        shared = [
            household.village.name,
            household.code,
            row.head_name,
            household_address(household),
            format_phone(household.phone) if household.phone else "",
        ]
        for member in row.due_members:
            person = member.person
            yield [
                *shared,
                person.full_name,
                f"{person.date_of_birth:%d/%m/%Y}",
                _statuses_vi().get(member.status, member.status),
                f"{member.last_to:%d/%m/%Y}" if member.last_to else "",
                member.group,
                _note(member),
            ]


LINE = 4.6  # mm, one line of 9 pt text


def _fit(doc: VnDocument, text: str, width: float) -> str:
    """``text`` cut to ``width`` (with "…"): the printed list draws plain cells, far faster
    than fpdf's tables with line breaking (a commune's lists are thousands of rows)."""
    if doc.get_string_width(text) <= width:
        return text
    while text and doc.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _wrap(doc: VnDocument, text: str, width: float, most: int = 2) -> list[str]:
    """``text`` in at most ``most`` lines of ``width`` (the last one cut)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and doc.get_string_width(candidate) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    if len(lines) > most:
        lines = [*lines[: most - 1], " ".join(lines[most - 1 :])]
    return [_fit(doc, line, width) for line in lines]


def _draw_block(
    doc: VnDocument, columns: Sequence[Sequence[str]], *, bold: bool = False, rules: int = 0
) -> None:
    """One bordered block of the table: each column's lines from the top; ``rules``: thin
    lines between the first ``rules`` lines of the member columns (one per member)."""
    height = max(len(c) for c in columns) * LINE + 1.2
    if doc.get_y() + height > doc.page_break_trigger:
        doc.add_page()
        _draw_head(doc)
    x, top = doc.l_margin, doc.get_y()
    doc.set_font(FAMILY, "B" if bold else "", 9)
    for index, (lines, width) in enumerate(zip(columns, PDF_WIDTHS, strict=True)):
        if bold:
            doc.set_fill_color(235, 240, 238)
        doc.rect(x, top, width, height, style="DF" if bold else "D")
        if index >= 2 and rules > 1:
            for k in range(1, rules):
                doc.line(x, top + 0.6 + k * LINE, x + width, top + 0.6 + k * LINE)
        align = "C" if index in (0, 3, 5, 6) else "L"
        for k, line in enumerate(lines):
            doc.set_xy(x + 0.8, top + 0.6 + k * LINE)
            doc.cell(width - 1.6, LINE, line, align=align)
        x += width
    doc.set_xy(doc.l_margin, top + height)


def _draw_head(doc: VnDocument) -> None:
    doc.set_font(FAMILY, "B", 9)  # measured in the bold face they are drawn in
    headings = [_wrap(doc, h, w - 1.6) for h, w in zip(PDF_HEADINGS, PDF_WIDTHS, strict=True)]
    _draw_block(doc, headings, bold=True)
    doc.set_font(FAMILY, "", 9)


def _village_section(doc: VnDocument, rows: Sequence[FollowUpHousehold]) -> None:
    """The table of one ấp: a block per household, a line per member due, headings again on
    every page."""
    doc.set_font(FAMILY, "", 9)
    _draw_head(doc)
    widths = [w - 1.6 for w in PDF_WIDTHS]
    for number, row in enumerate(rows, 1):
        household = row.household
        head = _fit(doc, f"{household.code} — {row.head_name or '…'}", widths[1])
        lines = [head, *_wrap(doc, household_address(household), widths[1])]
        if household.phone:
            lines.append(f"ĐT: {format_phone(household.phone)}")
        due = row.due_members
        _draw_block(
            doc,
            [
                [str(number)],
                lines,
                [_fit(doc, m.person.full_name, widths[2]) for m in due],
                [f"{m.person.date_of_birth:%d/%m/%Y}" for m in due],
                [_fit(doc, _card(m), widths[4]) for m in due],
                [BOX] * len(due),
                [BOX] * len(due),
                [_fit(doc, _note(m), widths[7]) for m in due],
            ],
            rules=len(due),
        )
    doc.ln(3)
    doc.set_font(FAMILY, "", 11)


def followup_pdf(
    villages: Sequence[tuple[str, Sequence[FollowUpHousehold]]],
    *,
    commune_name: str,
    place: str,
    on: dt.date,
    reason: str,
) -> bytes:
    """The printed follow-up list: one section per ấp, each starting on a new page, with the
    households, their members due, and boxes to tick ("Đã báo", "Đã gia hạn")."""
    doc = VnDocument(landscape=True, title="Danh sách hộ cần vận động tham gia, gia hạn BHYT")
    for index, (village, rows) in enumerate(villages):
        if index:
            doc.add_page()
        doc.national_header([f"UBND {commune_name}"], place_date=place_date(place, on))
        doc.heading(
            "Danh sách hộ cần vận động tham gia, gia hạn bảo hiểm y tế",
            f"{village} — tính đến ngày {on:%d/%m/%Y} — {reason}",
        )
        people = sum(len(r.due_members) for r in rows)
        doc.paragraph(
            f"{format_number(len(rows))} hộ, {format_number(people)} người. Trưởng ấp đánh dấu "
            "vào ô khi đã báo cho hộ và khi hộ đã gia hạn hoặc tham gia, ghi chú lý do nếu hộ "
            "chưa tham gia."
        )
        if rows:
            _village_section(doc, rows)
        else:
            doc.paragraph("Không có hộ nào cần theo dõi.")
        doc.signatures([("Người lập danh sách", ""), (f"Trưởng {in_text(village)}", "")])
    if not villages:
        doc.paragraph("Không có hộ nào cần theo dõi.")
    return doc.bytes()
