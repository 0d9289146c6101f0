"""The decision on a monthly allowance (PDF), as the commune chairman signs it."""

from __future__ import annotations

from ansinh.assistance.choices import Scheme
from ansinh.assistance.models import Case
from ansinh.core.money import format_vnd
from ansinh.core.pdf import VnDocument, place_date
from ansinh.registry.wording import honorific, household_address


def decision_pdf(case: Case) -> bytes:
    person = case.person
    commune = case.commune.name
    pension = case.scheme == Scheme.SOCIAL_PENSION
    what = "trợ cấp hưu trí xã hội" if pension else "trợ cấp xã hội hằng tháng"
    title = honorific(person.sex)  # "ông", "bà", or "ông/bà" when the sex is not recorded
    address = household_address(person.household, commune=commune, sentence=True)
    doc = VnDocument(title=f"Quyết định {case.decision_number}")
    doc.national_header(
        [f"UBND {commune}"],
        number=f"Số: {case.decision_number}",
        place_date=place_date(commune, case.decision_date) if case.decision_date else "",
    )
    doc.heading("Quyết định", f"Về việc hưởng {what}")
    doc.paragraph(f"CHỦ TỊCH ỦY BAN NHÂN DÂN {commune.upper()}", bold=True)
    basis = (
        "Căn cứ Luật Bảo hiểm xã hội năm 2024 và Nghị định số 176/2025/NĐ-CP;"
        if pension
        else "Căn cứ Nghị định số 20/2021/NĐ-CP ngày 15/3/2021 của Chính phủ quy định chính sách "
        "trợ giúp xã hội đối với đối tượng bảo trợ xã hội;"
    )
    doc.paragraph(basis)
    doc.paragraph(f"Xét hồ sơ đề nghị ngày {case.applied_on:%d/%m/%Y} và kết quả xác minh.")
    doc.paragraph("QUYẾT ĐỊNH:", bold=True)
    doc.paragraph(
        f"Điều 1. Cho {title} {person.full_name}, sinh ngày {person.date_of_birth:%d/%m/%Y}, "
        f"cư trú tại {address}, được hưởng {what}."
    )
    doc.paragraph(f"Mức hưởng: {format_vnd(case.amount)}/tháng. {case.explanation_text}.")
    start = (
        f"Thời điểm hưởng: từ tháng {case.effective_month:%m/%Y}" if case.effective_month else ""
    )
    if case.backdate_reason:
        start += f" (truy lĩnh: {case.backdate_reason})"
    doc.paragraph(start + ".")
    if case.payment_method == "bank":
        doc.paragraph(
            f"Hình thức chi trả: chuyển khoản vào tài khoản số {case.bank_account_number} "
            f"({case.get_bank_display()}), chủ tài khoản {case.bank_account_holder}."
        )
    else:
        doc.paragraph("Hình thức chi trả: tiền mặt tại UBND xã.")
    doc.paragraph(
        "Điều 2. Công chức phụ trách văn hóa - xã hội, kế toán ngân sách xã và "
        f"{title} có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này."
    )
    doc.signatures([("Chủ tịch", case.decision_signer)])
    return doc.bytes()
