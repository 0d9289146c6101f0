"""The commune's report of the review (step 5 of Decision 24/2021) and the XLSX export of
every list."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils import timezone

from ansinh.core.numbers import format_number as _n
from ansinh.core.numbers import format_percent
from ansinh.core.pdf import VnDocument, place_date
from ansinh.core.spreadsheet import xlsx_bytes
from ansinh.poverty.choices import Transition
from ansinh.poverty.documents.common import (
    DOTS,
    agency,
    mark_illustrative,
    percent,
    place_name,
    vi,
)
from ansinh.poverty.models import ReviewRound
from ansinh.poverty.selectors import (
    round_uses_illustrative,
)
from ansinh.registry.wording import in_text


def report_pdf(rnd: ReviewRound, data: Mapping[str, Any]) -> bytes:
    """Báo cáo kết quả rà soát hộ nghèo, hộ cận nghèo (step 5 of Decision 24/2021): per
    village the households, poor, near-poor, their rates and the movements; the commune
    totals and the plan's fulfilment. ``data``: :func:`selectors.round_report`.

    Long on purpose: the report is written top to bottom, as it is printed.
    """
    moves = data["moves"]
    day = rnd.report_date or timezone.localdate()
    doc = VnDocument(landscape=True, title="Báo cáo kết quả rà soát")
    doc.national_header(
        agency(rnd),
        number=f"Số: {rnd.report_number}" if rnd.report_number else "Số: ………/BC-UBND",
        place_date=place_date(place_name(rnd), day),
    )
    subtitle = str(rnd)
    if moves["provisional"]:
        subtitle += " (kết quả trước khi Chủ tịch UBND xã ra quyết định công nhận)"
    doc.heading("Báo cáo kết quả rà soát hộ nghèo, hộ cận nghèo", subtitle)
    mark_illustrative(doc, round_uses_illustrative(rnd))
    doc.paragraph(f"Kính gửi: {rnd.report_recipient or DOTS}", bold=True)
    doc.paragraph(
        "Thực hiện Quyết định số 24/2021/QĐ-TTg của Thủ tướng Chính phủ quy định quy trình rà "
        f"soát hộ nghèo, hộ cận nghèo hằng năm, Ủy ban nhân dân {in_text(rnd.commune.name)} "
        "báo cáo kết quả rà soát như sau:"
    )
    doc.paragraph(
        f"1. Số hộ trong danh sách rà soát: {_n(data['listed'])} hộ; số hộ đã được họp dân "
        f"thống nhất kết quả: {_n(data['agreed'])} hộ."
    )
    doc.paragraph(
        f"2. Kết quả theo thôn, ấp (số liệu tính đến ngày {data['on']:%d/%m/%Y}):", bold=True
    )
    columns = [
        Transition.NEW_POOR,
        Transition.NEW_NEAR_POOR,
        Transition.ESCAPED_POOR,
        Transition.ESCAPED_NEAR_POOR,
        Transition.RELAPSED_POOR,
        Transition.RELAPSED_NEAR_POOR,
    ]
    table = []
    for r in data["rows"]:
        counts = r["moves"]
        table.append(
            [
                r["village"].name if r["village"] else "Toàn xã",
                r["households"],
                r["poor"],
                r["near_poor"],
                percent(r["rate_poor"]),
                percent(r["rate_both"]),
                *[counts.get(c.value, 0) for c in columns],
            ]
        )
    doc.data_table(
        [
            "Thôn, ấp",
            "Tổng số hộ",
            "Hộ nghèo",
            "Hộ cận nghèo",
            "Tỷ lệ hộ nghèo (%)",
            "Tỷ lệ hộ nghèo và cận nghèo (%)",
            "Hộ nghèo phát sinh",
            "Hộ cận nghèo phát sinh",
            "Hộ thoát nghèo",
            "Hộ thoát cận nghèo",
            "Hộ tái nghèo",
            "Hộ tái cận nghèo",
        ],
        table,
        [40, 18, 18, 18, 20, 24, 21, 21, 21, 21, 20, 22],
        align=["L", *["R"] * 11],
    )
    doc.paragraph("3. Biến động của toàn xã:", bold=True)
    doc.data_table(
        ["Biến động", "Số hộ"],
        [[vi(label), n] for _code, label, n in moves["rows"]],
        [120, 30],
        align=["L", "R"],
    )
    if moves["target"]:
        done = format_percent(moves["fulfilment"], 0, unit=False)
        doc.paragraph(
            f"4. Thực hiện kế hoạch giảm nghèo: chỉ tiêu {_n(moves['target'])} hộ thoát nghèo; "
            f"kết quả {_n(moves['escaped'])} hộ thoát nghèo, đạt {done}% kế hoạch."
        )
    else:
        doc.paragraph(
            f"4. Thực hiện kế hoạch giảm nghèo: {_n(moves['escaped'])} hộ thoát nghèo (chưa giao "
            "chỉ tiêu)."
        )
    doc.paragraph(f"Nơi nhận:\n- {rnd.report_recipient or DOTS};\n- Lưu: VT.", size=9)
    doc.signatures([("TM. Ủy ban nhân dân\nChủ tịch", "")])
    return doc.bytes()


def xlsx(title: str, headings: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    """A list as a workbook: numbers as numbers, every other value as its text."""
    cells = (
        ["" if v is None else v if isinstance(v, int | float) else str(v) for v in row]
        for row in rows
    )
    return xlsx_bytes(title, list(headings), cells)
