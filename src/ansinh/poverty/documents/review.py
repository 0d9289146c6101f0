"""The review's documents, step by step: village meeting minutes, the posted list, the
decision, the certificate, the request forms 01 and 04 (Decision 24/2021)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from ansinh.core.numbers import format_number as _n
from ansinh.core.pdf import VnDocument, place_date
from ansinh.places.models import Village
from ansinh.poverty.choices import ListReason, PovertyClass
from ansinh.poverty.documents.common import (
    CLASS_VI,
    DOTS,
    MEMBER_STATUS_VI,
    agency,
    mark_illustrative,
    place_name,
    province_name,
    round_in_text,
    standard_document,
    vi,
)
from ansinh.poverty.models import Posting, ReviewRound, RoundHousehold, VillageMeeting
from ansinh.poverty.selectors import (
    decided_lists,
    head_names,
    posting_entries,
    request_members,
    round_uses_illustrative,
)
from ansinh.poverty.services import agreement_reached
from ansinh.registry.choices import LifeStatus, Relationship
from ansinh.registry.wording import household_address, in_text


def minutes_pdf(meeting: VillageMeeting) -> bytes:
    """Biên bản họp thôn: the households, their result and the agreement."""
    rnd = meeting.round
    entries = list(meeting.entries.select_related("household").order_by("household__code"))
    heads = head_names([e.household_id for e in entries])
    doc = VnDocument(title="Biên bản họp")
    doc.national_header(agency(rnd), place_date=place_date(place_name(rnd), meeting.held_on))
    doc.heading(
        "Biên bản họp dân",
        f"Bình xét hộ nghèo, hộ cận nghèo — {meeting.village.name} — {rnd}",
    )
    doc.paragraph(
        f"Thời gian: ngày {meeting.held_on:%d/%m/%Y}. Địa điểm: {meeting.village.name}. "
        f"Số người tham dự: {_n(meeting.attendees)}. Chủ trì: {meeting.chair or '…'}. "
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
                f"{_n(e.agree_count)}/{_n(meeting.attendees)}",
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


#: The columns of the public posting list (the PDF and its preview on the page).
POSTING_HEADINGS = ("STT", "Mã hộ", "Chủ hộ", "Địa chỉ", "Kết quả")


@dataclass(frozen=True)
class PostingSheet:
    """The public posting list of one village as it is printed: the preview on the page and
    the PDF are drawn from the same sheet."""

    title: str
    subtitle: str
    period: str
    rows: list[list[object]]
    illustrative: bool
    headings: tuple[str, ...] = POSTING_HEADINGS


def posting_sheet(
    rnd: ReviewRound, village: Village, posted_on: dt.date, until: dt.date | None = None
) -> PostingSheet:
    """The list of ``village`` posted on ``posted_on`` until ``until`` (by default the
    round's ``posting_days`` later): the households with a result, by code."""
    until = until or posted_on + dt.timedelta(days=rnd.posting_days)
    entries = posting_entries(rnd, village.pk)
    heads = head_names([e.household_id for e in entries])
    rows: list[list[object]] = [
        [
            i,
            e.household.code,
            heads.get(e.household_id, ""),
            household_address(e.household),
            CLASS_VI[e.result_class],
        ]
        for i, e in enumerate(entries, 1)
    ]
    return PostingSheet(
        title="Danh sách niêm yết công khai kết quả rà soát hộ nghèo, hộ cận nghèo",
        subtitle=f"{village.name} — {rnd}",
        period=f"Niêm yết từ ngày {posted_on:%d/%m/%Y} đến hết ngày {until:%d/%m/%Y}. "
        "Mọi ý kiến, khiếu nại xin gửi Ban chỉ đạo rà soát xã.",
        rows=rows,
        illustrative=round_uses_illustrative(rnd),
    )


def posting_pdf(posting: Posting) -> bytes:
    """Danh sách niêm yết công khai of one village, dated, with the posting period."""
    rnd = posting.round
    sheet = posting_sheet(rnd, posting.village, posting.posted_on, posting.until)
    doc = VnDocument(title="Niêm yết")
    doc.national_header(agency(rnd), place_date=place_date(place_name(rnd), posting.posted_on))
    doc.heading(sheet.title, sheet.subtitle)
    mark_illustrative(doc, sheet.illustrative)
    doc.paragraph(sheet.period)
    doc.data_table(list(sheet.headings), sheet.rows, [10, 25, 50, 52, 40])
    doc.signatures([("Trưởng ban chỉ đạo", "")])
    return doc.bytes()


def decision_pdf(rnd: ReviewRound, village_ids: Iterable[int] | None = None) -> bytes:
    """Form 02: the chairman's decision with its four lists. With ``village_ids`` (a village
    head) the decision's text is whole but its lists are an extract of those villages."""
    totals = decided_lists(rnd)
    lists = totals if village_ids is None else decided_lists(rnd, village_ids)
    every = [e for group in lists.values() for e in group]
    heads = head_names([e.household_id for e in every])
    signed = rnd.decision_signed_on or timezone.localdate()
    doc = VnDocument(title="Quyết định")
    doc.national_header(
        agency(rnd),
        number=f"Số: {rnd.decision_number}",
        place_date=place_date(place_name(rnd), signed),
    )
    doc.heading(
        "Quyết định",
        "Về việc công nhận hộ nghèo, hộ cận nghèo; hộ thoát nghèo, hộ thoát cận nghèo "
        f"năm {rnd.result_year}",
    )
    mark_illustrative(doc, round_uses_illustrative(rnd))
    doc.paragraph(f"CHỦ TỊCH ỦY BAN NHÂN DÂN {rnd.commune.name.upper()}", bold=True)
    doc.paragraph(
        f"Căn cứ {standard_document(rnd)} quy định chuẩn nghèo đa chiều; Quyết định số "
        "24/2021/QĐ-TTg quy định quy trình rà soát hộ nghèo, hộ cận nghèo; kết quả "
        f"{round_in_text(rnd)} trên địa bàn;"
    )
    doc.paragraph("QUYẾT ĐỊNH:", bold=True)
    effective = rnd.effective_date or signed
    doc.paragraph(
        f"Điều 1. Công nhận các hộ có tên trong danh sách kèm theo, có hiệu lực từ ngày "
        f"{effective:%d/%m/%Y}: {_n(len(totals['poor']))} hộ nghèo, "
        f"{_n(len(totals['near_poor']))} hộ cận nghèo, {_n(len(totals['escaped_poor']))} hộ "
        f"thoát nghèo, {_n(len(totals['escaped_near_poor']))} hộ thoát cận nghèo."
    )
    if village_ids is not None:
        names = sorted({e.village.name for group in lists.values() for e in group})
        doc.paragraph(
            "Trích danh sách kèm theo, chỉ gồm các hộ thuộc: "
            + (", ".join(names) if names else "(không có hộ nào thuộc địa bàn được giao)")
            + ".",
            bold=True,
        )
    titles = {
        "poor": "Danh sách hộ nghèo",
        "near_poor": "Danh sách hộ cận nghèo",
        "escaped_poor": "Danh sách hộ thoát nghèo",
        "escaped_near_poor": "Danh sách hộ thoát cận nghèo",
    }
    for key, title in titles.items():
        doc.paragraph(f"{title} ({_n(len(lists[key]))} hộ)", bold=True)
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
    signed = rnd.decision_signed_on or timezone.localdate()
    doc.national_header(agency(rnd), place_date=place_date(place_name(rnd), signed))
    doc.heading(f"Giấy chứng nhận {kind}", f"Năm {rnd.result_year}")
    mark_illustrative(doc, bool((entry.explanation or {}).get("illustrative")))
    doc.paragraph(f"Họ và tên chủ hộ: {heads.get(entry.household_id, '')}")
    doc.paragraph(f"Mã hộ: {entry.household.code}")
    doc.paragraph(f"Địa chỉ: {household_address(entry.household, commune=rnd.commune.name)}")
    doc.paragraph(
        f"Theo Quyết định số {rnd.decision_number} ngày "
        f"{(rnd.decision_signed_on or timezone.localdate()):%d/%m/%Y} của Chủ tịch UBND "
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


def request_pdf(entry: RoundHousehold) -> bytes:
    """Form 01 (request to be reviewed for poor / near-poor status) or Form 04 (request to be
    recognised as escaped), Decision 24/2021/QĐ-TTg: the applicant (head of household), the
    address, the member table with each member's status, the reason, date and signature.
    What the registry does not hold (the ID card's issue date …) is a dotted line.

    Long on purpose: the form is written top to bottom, as it is printed.
    """
    rnd = entry.round
    household = entry.household
    commune = rnd.commune
    escape = entry.reason == ListReason.ESCAPE_REQUEST
    rows = request_members(entry)
    head = next((r["person"] for r in rows if r["person"].relationship == Relationship.HEAD), None)
    if head is None:
        head = (
            household.members.filter(relationship=Relationship.HEAD, life_status=LifeStatus.LIVING)
            .order_by("pk")
            .first()
        )
    day = entry.request_date or timezone.localdate()
    doc = VnDocument(title="Mẫu số 04" if escape else "Mẫu số 01")
    doc.national_header([], place_date=place_date(place_name(rnd), day))
    doc.paragraph("Mẫu số 04" if escape else "Mẫu số 01", size=9)
    if escape:
        doc.heading(
            "Giấy đề nghị",
            f"Công nhận hộ thoát nghèo, hộ thoát cận nghèo năm {rnd.result_year}",
        )
    else:
        doc.heading(
            "Giấy đề nghị",
            f"Xét duyệt bổ sung hộ nghèo, hộ cận nghèo năm {rnd.result_year}",
        )
    doc.paragraph(f"Kính gửi: Ủy ban nhân dân {in_text(commune.name)}", bold=True)
    if head is not None:
        sex = vi(head.get_sex_display())
        born = f"{head.date_of_birth:%d/%m/%Y}"
        ethnicity = head.get_ethnicity_display()
        cccd = head.cccd or DOTS
        name = head.full_name
    else:
        name = sex = born = ethnicity = cccd = DOTS
    doc.paragraph(f"Họ và tên chủ hộ: {name}        Giới tính: {sex}")
    doc.paragraph(f"Ngày sinh: {born}        Dân tộc: {ethnicity}")
    doc.paragraph(f"Số định danh cá nhân/CCCD: {cccd}        Ngày cấp: {DOTS}")
    address = household_address(
        household, commune=commune.name, province=province_name(rnd), sentence=True
    )
    doc.paragraph(f"Nơi thường trú: {address}")
    doc.paragraph(f"Nơi ở hiện tại: {address}")
    doc.paragraph(f"Mã hộ: {household.code}")
    doc.paragraph("Thông tin các thành viên trong hộ:", bold=True)
    table = [
        [
            i,
            r["person"].full_name,
            vi(r["person"].get_sex_display()),
            f"{r['person'].date_of_birth:%d/%m/%Y}",
            vi(r["person"].get_relationship_display()),
            MEMBER_STATUS_VI.get(r["status"], r["status"]),
        ]
        for i, r in enumerate(rows, 1)
    ]
    doc.data_table(
        [
            "STT",
            "Họ và tên",
            "Giới tính",
            "Ngày sinh",
            "Quan hệ với chủ hộ",
            "Tình trạng (đang làm việc / không làm việc / đang đi học)",
        ],
        table,
        [10, 45, 18, 24, 32, 45],
    )
    committee = f"Ủy ban nhân dân {in_text(commune.name)}"
    if escape:
        which = {
            PovertyClass.POOR.value: "hộ thoát nghèo",
            PovertyClass.NEAR_POOR.value: "hộ thoát cận nghèo",
        }.get(entry.previous_class, "hộ thoát nghèo, hộ thoát cận nghèo")
        doc.paragraph(
            f"Hộ gia đình tôi đề nghị {committee} xem xét, công nhận là {which} năm "
            f"{rnd.result_year}."
        )
    else:
        doc.paragraph(
            f"Hộ gia đình tôi đề nghị {committee} xem xét, rà soát và công nhận là hộ nghèo/hộ "
            f"cận nghèo năm {rnd.result_year}."
        )
    doc.paragraph(f"Lý do: {entry.reason_note or DOTS}")
    doc.paragraph(
        "Tôi xin cam đoan những thông tin trên là đúng sự thật; nếu sai, tôi xin chịu trách "
        "nhiệm trước pháp luật."
    )
    doc.signatures([("Người đề nghị", head.full_name if head else "")])
    return doc.bytes()
