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
PAD = 0.8  # mm between a column's rule and its text
ELLIPSIS = "…"


class _CharWidths(dict[str, float]):
    """Character -> width (mm) in one font and size, filled as characters are met."""

    def __init__(self, units: Any, scale: float) -> None:
        super().__init__()
        self.units, self.scale = units, scale

    def __missing__(self, char: str) -> float:
        width: float = self.units[ord(char)] * self.scale
        self[char] = width
        return width


class _Table:
    """Draws the printed list's table fast: a commune's lists are thousands of rows.

    Every line is written with fpdf's ``text()`` where ``cell()`` spent some 0.3 ms on each
    (text fragments, a copy of the graphics state), at the place ``cell()`` put it; widths are
    summed from the font's character widths (what ``get_string_width`` returns, without its
    fragments) and the headings are laid out once. The page looks the same."""

    def __init__(self, doc: VnDocument) -> None:
        self.doc = doc
        self._widths: dict[tuple[str, float], _CharWidths] = {}
        doc.set_font(FAMILY, "B", 9)  # the headings are measured in the bold face
        self.headings = [
            self.wrap(h, w - 2 * PAD) for h, w in zip(PDF_HEADINGS, PDF_WIDTHS, strict=True)
        ]
        doc.set_font(FAMILY, "", 9)

    def width(self, text: str) -> float:
        """The width of ``text`` (mm) in the current font, as ``get_string_width``."""
        doc = self.doc
        font = doc.current_font
        assert font is not None
        key = (font.fontkey, doc.font_size_pt)
        widths = self._widths.get(key)
        if widths is None:
            widths = self._widths[key] = _CharWidths(font.cw, doc.font_size_pt * 0.001 / doc.k)
        return sum(map(widths.__getitem__, text))

    def fit(self, text: str, width: float) -> str:
        """``text`` cut to ``width`` (with "…"): the table draws plain one-line cells."""
        if self.width(text) <= width:
            return text
        room, used = width - self.width(ELLIPSIS), 0.0
        for end, char in enumerate(text):
            used += self.width(char)
            if used > room:
                return text[:end] + ELLIPSIS
        return text + ELLIPSIS

    def wrap(self, text: str, width: float, most: int = 2) -> list[str]:
        """``text`` in at most ``most`` lines of ``width`` (the last one cut)."""
        lines: list[str] = []
        current = ""
        for word in text.split():
            candidate = f"{current} {word}".strip()
            if current and self.width(candidate) > width:
                lines.append(current)
                current = word
            else:
                current = candidate
        if current:
            lines.append(current)
        if len(lines) > most:
            lines = [*lines[: most - 1], " ".join(lines[most - 1 :])]
        return [self.fit(line, width) for line in lines]

    def block(
        self, columns: Sequence[Sequence[str]], *, bold: bool = False, rules: int = 0
    ) -> None:
        """One bordered block of the table: each column's lines from the top; ``rules``: thin
        lines between the first ``rules`` lines of the member columns (one per member)."""
        doc = self.doc
        height = max(len(c) for c in columns) * LINE + 1.2
        if doc.get_y() + height > doc.page_break_trigger:
            doc.add_page()
            self.head()
        x, top = doc.l_margin, doc.get_y()
        doc.set_font(FAMILY, "B" if bold else "", 9)
        # the headings' fill; black otherwise, the text's colour: text() then writes no
        # colour around each line
        doc.set_fill_color(*((235, 240, 238) if bold else (0, 0, 0)))
        # the baseline of a line in a cell LINE high, where cell() writes it
        baseline = top + 0.6 + 0.5 * LINE + 0.3 * doc.font_size
        for index, (lines, width) in enumerate(zip(columns, PDF_WIDTHS, strict=True)):
            doc.rect(x, top, width, height, style="DF" if bold else "D")
            if index >= 2 and rules > 1:
                for k in range(1, rules):
                    doc.line(x, top + 0.6 + k * LINE, x + width, top + 0.6 + k * LINE)
            inner = width - 2 * PAD
            for k, line in enumerate(lines):
                if not line:
                    continue
                if index in (0, 3, 5, 6):  # centred
                    left = x + PAD + (inner - self.width(line)) / 2
                else:
                    left = x + PAD + doc.c_margin
                doc.text(left, baseline + k * LINE, line)
            x += width
        doc.set_xy(doc.l_margin, top + height)

    def head(self) -> None:
        self.block(self.headings, bold=True)
        self.doc.set_font(FAMILY, "", 9)


def _village_section(table: _Table, rows: Sequence[FollowUpHousehold]) -> None:
    """The table of one ấp: a block per household, a line per member due, headings again on
    every page."""
    doc = table.doc
    doc.set_font(FAMILY, "", 9)
    table.head()
    widths = [w - 2 * PAD for w in PDF_WIDTHS]
    for number, row in enumerate(rows, 1):
        household = row.household
        head = table.fit(f"{household.code} — {row.head_name or '…'}", widths[1])
        lines = [head, *table.wrap(household_address(household), widths[1])]
        if household.phone:
            lines.append(f"ĐT: {format_phone(household.phone)}")
        due = row.due_members
        table.block(
            [
                [str(number)],
                lines,
                [table.fit(m.person.full_name, widths[2]) for m in due],
                [f"{m.person.date_of_birth:%d/%m/%Y}" for m in due],
                [table.fit(_card(m), widths[4]) for m in due],
                [BOX] * len(due),
                [BOX] * len(due),
                [table.fit(_note(m), widths[7]) for m in due],
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
    table = _Table(doc)
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
            _village_section(table, rows)
        else:
            doc.paragraph("Không có hộ nào cần theo dõi.")
        doc.signatures([("Người lập danh sách", ""), (f"Trưởng {in_text(village)}", "")])
    if not villages:
        doc.paragraph("Không có hộ nào cần theo dõi.")
    return doc.bytes()
