"""Placeholders of leaflets and group messages, and the leaflets ansinh ships.

A placeholder is a word in braces (``{ten_xa}``); only the names listed here are allowed, so a
typing mistake is refused when the template is saved rather than printed as it is. Filling is
a plain replacement (not ``str.format``): other braces and percent signs stay as written.

The review calendar follows Decision 24/2021/QĐ-TTg (``/work/shared/policy``): the annual
review from 1 September to 14 December, its result applying to the following year; the regular
review monthly from the 15th, decided within 15 days.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_KIND_PREFIX = re.compile(r"^(xã|phường|đặc khu|thị trấn)\s+", re.IGNORECASE)

#: Leaflet placeholders and what they say (shown beside the editor).
LEAFLET_FIELDS = {
    "ten_xa": _("the commune's name"),
    "ngay": _("the day the leaflet is printed"),
    "nam": _("the year it is printed"),
    "nam_sau": _("the following year"),
    "han_nop": _("the deadline typed when printing"),
    "dia_diem": _("the place typed when printing"),
    "ra_soat_tu": _("start of the annual poverty review (1 September)"),
    "ra_soat_den": _("end of the annual poverty review (14 December)"),
}
#: Group message placeholders.
MESSAGE_FIELDS = {
    "ho_ten_chu_ho": _("the head of household's name"),
    "ten_xa": _("the commune's name"),
}

#: The annual review's window (Decision 24/2021/QĐ-TTg): day and month.
REVIEW_START = (1, 9)
REVIEW_END = (14, 12)
DEFAULT_PLACE = "Bộ phận Tiếp nhận và Trả kết quả, UBND xã {ten_xa}"


def short_name(commune_name: str) -> str:
    """ "Xã Tân Đông" -> "Tân Đông": the texts write "xã {ten_xa}" themselves."""
    return _KIND_PREFIX.sub("", commune_name.strip()) or commune_name


def unknown_names(text: str, allowed: Iterable[str]) -> list[str]:
    """The placeholders of ``text`` that are not in ``allowed``, in order, once each."""
    known = set(allowed)
    return list(dict.fromkeys(n for n in PLACEHOLDER.findall(text or "") if n not in known))


def fill(text: str, values: Mapping[str, str]) -> str:
    """``text`` with each known placeholder replaced; others are left as written."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text or "")


def leaflet_values(
    commune_name: str, on: dt.date, deadline: dt.date | None, place: str
) -> dict[str, str]:
    """What the placeholders of a leaflet printed on ``on`` say."""
    day, month = REVIEW_START
    end_day, end_month = REVIEW_END
    values = {
        "ten_xa": short_name(commune_name),
        "ngay": f"{on:%d/%m/%Y}",
        "nam": str(on.year),
        "nam_sau": str(on.year + 1),
        "han_nop": f"{deadline:%d/%m/%Y}" if deadline else "……/……/……",
        "ra_soat_tu": f"{day:02d}/{month:02d}/{on.year}",
        "ra_soat_den": f"{end_day:02d}/{end_month:02d}/{on.year}",
    }
    values["dia_diem"] = fill(place.strip() or DEFAULT_PLACE, values)
    return values


@dataclass(frozen=True)
class Shipped:
    code: str
    title: str
    body: str
    size: str


# The leaflets as a commune officer writes them (Vietnamese: they are printed for residents).
SHIPPED = [
    Shipped(
        "bhyt",
        "Gia hạn thẻ bảo hiểm y tế (BHYT) hộ gia đình",
        "Kính gửi bà con xã {ten_xa},\n\n"
        "Thẻ BHYT hộ gia đình cần được gia hạn TRƯỚC ngày hết hạn in trên thẻ. Gia hạn đúng hạn "
        "thì thẻ mới có giá trị liên tục, không bị gián đoạn quyền lợi khi đi khám, chữa bệnh.\n\n"
        "Nếu thẻ hết hạn từ 3 tháng trở lên, thẻ mới chỉ có giá trị sau 30 ngày kể từ ngày đóng "
        "tiền.\n\n"
        "Mức đóng BHYT hộ gia đình: người thứ nhất 4,5% mức lương cơ sở; người thứ hai, thứ ba, "
        "thứ tư đóng lần lượt 70%, 60%, 50% mức của người thứ nhất; từ người thứ năm trở đi "
        "đóng 40%. Hộ cận nghèo được Nhà nước hỗ trợ ít nhất 70% mức đóng.\n\n"
        "Khi đi gia hạn, bà con mang theo: thẻ BHYT cũ (nếu có), CCCD của chủ hộ.\n"
        "Nơi gia hạn: {dia_diem}.\n"
        "Hạn gia hạn đợt này: {han_nop}.\n\n"
        "Mọi thắc mắc xin liên hệ công chức Văn hóa – Xã hội hoặc trưởng ấp nơi cư trú.",
        "A5",
    ),
    Shipped(
        "review",
        "Lịch rà soát hộ nghèo, hộ cận nghèo năm {nam}",
        "UBND xã {ten_xa} thông báo lịch rà soát hộ nghèo, hộ cận nghèo:\n\n"
        "1. Rà soát định kỳ hằng năm: từ ngày {ra_soat_tu} đến ngày {ra_soat_den}. Kết quả "
        "rà soát được áp dụng cho năm {nam_sau}.\n"
        "   - Hộ có nhu cầu được công nhận hộ nghèo, hộ cận nghèo nộp Giấy đề nghị (Mẫu số 01) "
        "tại {dia_diem} hoặc cho trưởng ấp, hạn chót {han_nop}.\n"
        "   - Rà soát viên đến từng hộ trong danh sách để khảo sát (Phiếu A, B1, B2).\n"
        "   - Họp dân tại ấp do trưởng ấp chủ trì: kết quả được thông qua khi có từ 50% người "
        "dự họp trở lên đồng ý.\n"
        "   - Niêm yết công khai kết quả tại trụ sở UBND xã và nhà văn hóa ấp; bà con có ý kiến "
        "hoặc khiếu nại trong thời gian niêm yết.\n"
        "   - Chủ tịch UBND xã ra quyết định công nhận và cấp giấy chứng nhận hộ nghèo, "
        "hộ cận nghèo.\n\n"
        "2. Rà soát thường xuyên trong năm: hằng tháng từ ngày 15; hộ gặp khó khăn đột xuất "
        "(ốm đau, thiên tai, mất việc…) nộp giấy đề nghị bất cứ lúc nào, UBND xã xem xét và "
        "quyết định trong vòng 15 ngày.\n\n"
        "Hộ muốn đề nghị thoát nghèo, thoát cận nghèo nộp Giấy đề nghị (Mẫu số 04).",
        "A4",
    ),
    Shipped(
        "allowance",
        "Hướng dẫn đề nghị trợ cấp xã hội hằng tháng",
        "Ai được trợ cấp xã hội hằng tháng?\n"
        "   - Trẻ em dưới 16 tuổi không có nguồn nuôi dưỡng; người từ 16 đến 22 tuổi đang đi học "
        "thuộc diện này.\n"
        "   - Người đơn thân thuộc hộ nghèo, hộ cận nghèo đang nuôi con nhỏ.\n"
        "   - Người cao tuổi thuộc hộ nghèo không có người phụng dưỡng; người từ đủ 80 tuổi "
        "không có lương hưu hoặc trợ cấp hằng tháng khác.\n"
        "   - Người khuyết tật nặng, người khuyết tật đặc biệt nặng.\n"
        "   - Người từ đủ 75 tuổi không có lương hưu (trợ cấp hưu trí xã hội).\n\n"
        "Hồ sơ gồm: tờ khai theo mẫu, bản sao CCCD, giấy xác nhận khuyết tật (nếu có).\n"
        "Nộp tại: {dia_diem}, hoặc nhờ trưởng ấp chuyển giúp.\n\n"
        "UBND xã kiểm tra và quyết định trong vòng 10 ngày làm việc kể từ khi nhận đủ hồ sơ. "
        "Trợ cấp được chi trả từ tháng Chủ tịch UBND xã ký quyết định, qua tài khoản ngân hàng "
        "hoặc bằng tiền mặt.\n\n"
        "Người hưởng trợ cấp được cấp thẻ BHYT miễn phí.",
        "A5",
    ),
]
