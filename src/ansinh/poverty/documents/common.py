"""What the review's documents share: Vietnamese labels, the agency, place and standard
they name, the mark of illustrative values."""

from __future__ import annotations

from typing import Any

from django.utils import translation

from ansinh.core.numbers import format_percent
from ansinh.core.pdf import VnDocument
from ansinh.poverty.models import ReviewRound
from ansinh.rules.errors import RulesError
from ansinh.rules.explain import ILLUSTRATIVE
from ansinh.rules.parameters import default_parameters

CLASS_VI = {
    "poor": "Hộ nghèo",
    "near_poor": "Hộ cận nghèo",
    "average": "Hộ có mức sống trung bình",
    "not_poor": "Không nghèo",
    "": "Chưa có kết quả",
}


# The member statuses as the forms of Decision 24/2021 word them.
MEMBER_STATUS_VI = {
    "working": "Đang làm việc",
    "not_working": "Không làm việc",
    "studying": "Đang đi học",
    "": "",
}
#: What the applicant fills in by hand (not in the registry).
DOTS = "…………………………"


def vi(label: Any) -> str:
    """A translated label (sex, relationship, ethnicity …) in Vietnamese, whatever the
    language of the page that asked for the document."""
    with translation.override("vi"):
        return str(label)


def round_in_text(rnd: ReviewRound) -> str:
    """The round inside a sentence that already says what is reviewed: "Rà soát định kỳ năm
    2026" after "kết quả" is "kết quả rà soát định kỳ năm 2026" (never "kết quả rà soát rà
    soát …": the round's name begins with "Rà soát")."""
    name = str(rnd)
    return name[:1].lower() + name[1:]


def province_name(rnd: ReviewRound) -> str:
    province = rnd.commune.province
    return f"{'thành phố' if province.kind == 'city' else 'tỉnh'} {province.name}"


def percent(rate: float) -> str:
    """2,35 (a column headed "(%)"): rounded as the pages round it (core/numbers.py)."""
    return format_percent(rate, 2, unit=False)


def agency(rnd: ReviewRound) -> list[str]:
    return [f"UBND {rnd.commune.name}"]


def place_name(rnd: ReviewRound) -> str:
    name = rnd.commune.name
    for prefix in ("Xã ", "Phường ", "Đặc khu "):
        name = name.removeprefix(prefix)
    return name


def mark_illustrative(doc: VnDocument, used: bool) -> None:
    """The mark of results computed with illustrative parameter values (the demo's 2027
    thresholds): on every page of a document that shows them."""
    if used:
        doc.paragraph(
            f"{ILLUSTRATIVE[0]}: kết quả tính theo tham số minh họa, không dùng làm căn cứ.",
            bold=True,
        )


def standard_document(rnd: ReviewRound) -> str:
    """The decree of the standard in force on the round's date (07/2021 or 351/2025 …)."""
    try:
        ref = default_parameters().value("poverty.standard", rnd.standard_date).reference
    except RulesError:
        return "Nghị định số 07/2021/NĐ-CP"
    return ref.document_vi.replace("Nghị định ", "Nghị định số ", 1)
