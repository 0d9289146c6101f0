"""Printable documents of the review (Vietnamese PDFs) and XLSX exports of every list."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from openpyxl import Workbook

from ansinh.core.pdf import VnDocument, place_date
from ansinh.poverty.models import Posting, ReviewRound, RoundHousehold, VillageMeeting
from ansinh.poverty.selectors import decided_lists, head_names
from ansinh.poverty.services import agreement_reached

CLASS_VI = {
    "poor": "Hộ nghèo",
    "near_poor": "Hộ cận nghèo",
    "average": "Hộ có mức sống trung bình",
    "not_poor": "Không nghèo",
    "": "Chưa có kết quả",
}


def _agency(rnd: ReviewRound) -> list[str]:
    return [f"UBND {rnd.commune.name}"]


def _place(rnd: ReviewRound) -> str:
    name = rnd.commune.name
    for prefix in ("Xã ", "Phường ", "Đặc khu "):
        name = name.removeprefix(prefix)
    return name


def minutes_pdf(meeting: VillageMeeting) -> bytes:
    """Biên bản họp thôn: the households, their result and the agreement."""
    rnd = meeting.round
    entries = list(meeting.entries.select_related("household").order_by("household__code"))
    heads = head_names([e.household_id for e in entries])
    doc = VnDocument(title="Biên bản họp")
    doc.national_header(_agency(rnd), place_date=place_date(_place(rnd), meeting.held_on))
    doc.heading(
        "Biên bản họp dân",
        f"Bình xét hộ nghèo, hộ cận nghèo — {meeting.village.name} — {rnd}",
    )
    doc.paragraph(
        f"Thời gian: ngày {meeting.held_on:%d/%m/%Y}. Địa điểm: {meeting.village.name}. "
        f"Số người tham dự: {meeting.attendees}. Chủ trì: {meeting.chair or '…'}. "
        f"Thư ký: {meeting.secretary or '…'}."
    )
    doc.paragraph(
        "Kết quả được thông qua khi có ít nhất 50% số người tham dự đồng ý; hộ không đạt "
        "được rà soát lại và họp lại."
    )
    rows = []
    for i, e in enumerate(entries, 1):
        ok = agreement_reached(e.agree_count or 0, meeting.attendees)
        rows.append(
            [
                i,
                e.household.code,
                heads.get(e.household_id, ""),
                CLASS_VI[e.result_class],
                f"{e.agree_count}/{meeting.attendees}",
                "Thống nhất" if ok else "Rà soát lại",
            ]
        )
    doc.data_table(
        ["STT", "Mã hộ", "Chủ hộ", "Kết quả rà soát", "Đồng ý", "Kết luận"],
        rows,
        [10, 25, 50, 35, 20, 34],
    )
    doc.paragraph("Biên bản được lập thành 02 bản.")
    doc.signatures([("Thư ký", meeting.secretary), ("Chủ trì", meeting.chair)])
    return doc.bytes()


def posting_pdf(posting: Posting) -> bytes:
    """Danh sách niêm yết công khai of one village, dated, with the posting period."""
    rnd = posting.round
    entries = list(
        rnd.entries.filter(village=posting.village)
        .exclude(result_class="")
        .select_related("household")
        .order_by("household__code")
    )
    heads = head_names([e.household_id for e in entries])
    doc = VnDocument(title="Niêm yết")
    doc.national_header(_agency(rnd), place_date=place_date(_place(rnd), posting.posted_on))
    doc.heading(
        "Danh sách niêm yết công khai kết quả rà soát hộ nghèo, hộ cận nghèo",
        f"{posting.village.name} — {rnd}",
    )
    doc.paragraph(
        f"Niêm yết từ ngày {posting.posted_on:%d/%m/%Y} đến hết ngày {posting.until:%d/%m/%Y}. "
        "Mọi ý kiến, khiếu nại xin gửi Ban chỉ đạo rà soát xã."
    )
    rows = [
        [
            i,
            e.household.code,
            heads.get(e.household_id, ""),
            e.household.address,
            CLASS_VI[e.result_class],
        ]
        for i, e in enumerate(entries, 1)
    ]
    doc.data_table(["STT", "Mã hộ", "Chủ hộ", "Địa chỉ", "Kết quả"], rows, [10, 25, 50, 52, 40])
    doc.signatures([("Trưởng ban chỉ đạo", "")])
    return doc.bytes()


def decision_pdf(rnd: ReviewRound) -> bytes:
    """Form 02: the chairman's decision with its four lists."""
    lists = decided_lists(rnd)
    every = [e for group in lists.values() for e in group]
    heads = head_names([e.household_id for e in every])
    signed = rnd.decision_signed_on or dt.date.today()
    doc = VnDocument(title="Quyết định")
    doc.national_header(
        _agency(rnd),
        number=f"Số: {rnd.decision_number}",
        place_date=place_date(_place(rnd), signed),
    )
    doc.heading(
        "Quyết định",
        "Về việc công nhận hộ nghèo, hộ cận nghèo; hộ thoát nghèo, hộ thoát cận nghèo "
        f"năm {rnd.result_year}",
    )
    doc.paragraph(f"CHỦ TỊCH ỦY BAN NHÂN DÂN {rnd.commune.name.upper()}", bold=True)
    doc.paragraph(
        "Căn cứ Nghị định số 07/2021/NĐ-CP quy định chuẩn nghèo đa chiều; Quyết định số "
        "24/2021/QĐ-TTg quy định quy trình rà soát hộ nghèo, hộ cận nghèo; kết quả rà soát "
        f"{str(rnd).lower()} trên địa bàn;"
    )
    doc.paragraph("QUYẾT ĐỊNH:", bold=True)
    effective = rnd.effective_date or signed
    doc.paragraph(
        f"Điều 1. Công nhận các hộ có tên trong danh sách kèm theo, có hiệu lực từ ngày "
        f"{effective:%d/%m/%Y}: {len(lists['poor'])} hộ nghèo, {len(lists['near_poor'])} hộ "
        f"cận nghèo, {len(lists['escaped_poor'])} hộ thoát nghèo, "
        f"{len(lists['escaped_near_poor'])} hộ thoát cận nghèo."
    )
    titles = {
        "poor": "Danh sách hộ nghèo",
        "near_poor": "Danh sách hộ cận nghèo",
        "escaped_poor": "Danh sách hộ thoát nghèo",
        "escaped_near_poor": "Danh sách hộ thoát cận nghèo",
    }
    for key, title in titles.items():
        doc.paragraph(f"{title} ({len(lists[key])} hộ)", bold=True)
        if lists[key]:
            rows = [
                [i, e.household.code, heads.get(e.household_id, ""), e.village.name]
                for i, e in enumerate(lists[key], 1)
            ]
            doc.data_table(["STT", "Mã hộ", "Chủ hộ", "Thôn, ấp"], rows, [12, 35, 70, 55])
    doc.paragraph("Điều 2. Quyết định này có hiệu lực kể từ ngày ký.")
    doc.signatures([("Chủ tịch", "")])
    return doc.bytes()


def certificate_pdf(entry: RoundHousehold) -> bytes:
    """Form 03: the household's certificate, with the yearly boxes."""
    rnd = entry.round
    heads = head_names([entry.household_id])
    kind = "HỘ NGHÈO" if entry.result_class == "poor" else "HỘ CẬN NGHÈO"
    doc = VnDocument(title="Giấy chứng nhận")
    doc.national_header(
        _agency(rnd), place_date=place_date(_place(rnd), rnd.decision_signed_on or dt.date.today())
    )
    doc.heading(f"Giấy chứng nhận {kind}", f"Năm {rnd.result_year}")
    doc.paragraph(f"Họ và tên chủ hộ: {heads.get(entry.household_id, '')}")
    doc.paragraph(f"Mã hộ: {entry.household.code}")
    doc.paragraph(f"Địa chỉ: {entry.household.address}, {entry.village.name}, {rnd.commune.name}")
    doc.paragraph(
        f"Theo Quyết định số {rnd.decision_number} ngày "
        f"{(rnd.decision_signed_on or dt.date.today()):%d/%m/%Y} của Chủ tịch UBND "
        f"{rnd.commune.name}."
    )
    years = [rnd.result_year + i for i in range(5)]
    doc.data_table(
        ["Năm", *[str(y) for y in years]],
        [["Xác nhận", "X", "", "", "", ""]],
        [30, 30, 30, 30, 30, 30],
    )
    doc.signatures([("Chủ tịch UBND xã", "")])
    return doc.bytes()


def xlsx(title: str, headings: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title[:31]
    ws.append(list(headings))
    for row in rows:
        ws.append(["" if v is None else v if isinstance(v, int | float) else str(v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
