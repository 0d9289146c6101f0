"""The demo's coordination stories as data: one item each and what happened to it, told
by the demo users over four weeks (``demo/coordination.py`` plays them through the services)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ansinh.coordination.choices import Audience, ItemKind, Priority, Topic

K, T, P = ItemKind, Topic, Priority


@dataclass
class Story:
    """One item and what happened to it: ``steps`` are (days before ``as_of``, hour, user,
    what, value) with ``what`` a workflow action, ``comment`` or ``assign``."""

    days: int
    hour: int
    who: str
    kind: str
    topic: str
    title: str
    body: str = ""
    village: str = ""
    household: str = ""  # which household _find looks for ("elderly", "young_child" …)
    priority: int = P.NORMAL
    due: int | None = None  # days before as_of (negative: after)
    audience: str = ""
    steps: list[tuple[int, int, str, str, Any]] = field(default_factory=list)


STORIES = [
    Story(
        27,
        8,
        "truongap1",
        K.PROBLEM,
        T.HOUSING,
        "Mái nhà {name} bị tốc sau mưa giông",
        "Đêm qua mưa giông làm tốc một phần mái tôn. Trong nhà có người cao tuổi. "
        "Đề nghị xã hỗ trợ sửa tạm trước khi mưa lớn.",
        "TD",
        "elderly_woman",
        P.HIGH,
        steps=[
            (27, 9, "phochutich", "acknowledge", ""),
            (27, 9, "phochutich", "assign", ["canbo", "truongap1"]),
            (
                27,
                10,
                "phochutich",
                "comment",
                (
                    "@canbo liên hệ Mặt trận xã xem quỹ Vì người nghèo hỗ trợ được bao nhiêu, báo "
                    "lại trong tuần."
                ),
            ),
            (26, 15, "canbo", "start", ""),
            (
                26,
                15,
                "canbo",
                "comment",
                "Mặt trận xã đồng ý hỗ trợ 3.000.000 đồng mua tôn. Đoàn thanh niên ấp nhận lợp.",
            ),
            (22, 17, "truongap1", "comment", "Mái đã lợp lại xong chiều nay, bà cảm ơn xã."),
            (
                22,
                18,
                "canbo",
                "finish",
                (
                    "Quỹ Vì người nghèo xã hỗ trợ 3.000.000 đồng; Đoàn thanh niên ấp Tân Đông lợp "
                    "lại mái. Đã kiểm tra, ở được an toàn."
                ),
            ),
            (21, 7, "truongap1", "close", ""),
        ],
    ),
    Story(
        25,
        14,
        "truongap2",
        K.QUESTION,
        T.BHYT,
        "Thẻ BHYT của cháu nhỏ hộ {code} hết hạn, làm lại ở đâu?",
        "Gia đình hỏi thẻ BHYT trẻ em hết hạn thì làm lại ở đâu, có mất tiền không.",
        "DH",
        "young_child",
        steps=[
            (
                25,
                16,
                "canbo",
                "finish",
                (
                    "Trẻ dưới 6 tuổi được cấp thẻ BHYT miễn phí. Mang giấy khai sinh (hoặc số định "
                    "danh của cháu) ra bộ phận một cửa UBND xã; có thẻ sau 5 ngày làm việc."
                ),
            ),
            (24, 8, "truongap2", "close", ""),
        ],
    ),
    Story(
        24,
        9,
        "phochutich",
        K.TASK,
        T.POVERTY_REVIEW,
        "Rà soát lại 3 hộ có đơn đề nghị công nhận hộ cận nghèo ở ấp Cây Cầy",
        "Ba hộ nộp đơn sau đợt rà soát định kỳ. Khảo sát theo Phiếu B1, B2 và báo Ban Chỉ "
        "đạo trước ngày hạn.",
        "CC",
        "",
        P.HIGH,
        due=10,
        steps=[
            (24, 9, "phochutich", "assign", ["canbo"]),
            (23, 8, "canbo", "acknowledge", ""),
            (18, 8, "canbo", "start", ""),
            (
                12,
                16,
                "canbo",
                "finish",
                (
                    "Đã khảo sát 3 hộ: 1 hộ đủ điều kiện hộ cận nghèo, 2 hộ có mức sống trung "
                    "bình. Đưa ra họp dân ấp Cây Cầy."
                ),
            ),
            (11, 9, "phochutich", "close", ""),
        ],
    ),
    Story(
        21,
        10,
        "canbo",
        K.PROBLEM,
        T.ALLOWANCES,
        "Ấp Suối Dây: {name} chưa nhận trợ cấp tháng này",
        "Trưởng ấp Suối Dây gọi điện báo: cụ chưa nhận được tiền trợ cấp hằng tháng.",
        "SD",
        "elderly",
        steps=[
            (21, 11, "canbo", "start", ""),
            (20, 9, "phochutich", "comment", "Kiểm tra lại danh sách chi trả tháng này."),
            (
                19,
                15,
                "canbo",
                "finish",
                (
                    "Ngân hàng trả lại do sai số tài khoản; đã sửa số tài khoản và chi bổ sung "
                    "bằng tiền mặt tại bưu điện xã."
                ),
            ),
        ],
    ),
    Story(
        20,
        8,
        "phochutich",
        K.ANNOUNCEMENT,
        T.OTHER,
        "Họp giao ban trưởng ấp: 8 giờ sáng thứ Hai tại hội trường UBND xã",
        "Nội dung: tiến độ rà soát hộ nghèo, vận động gia hạn BHYT hộ gia đình, quà Tết "
        "cho hộ nghèo.",
        audience=Audience.VILLAGE_HEADS,
        steps=[(13, 17, "phochutich", "close", "")],
    ),
    Story(
        18,
        15,
        "truongap1",
        K.PROBLEM,
        T.SUPPORT,
        "Hộ {code} xin vay vốn nuôi bò sinh sản",
        "Hộ mới thoát nghèo, muốn vay vốn Ngân hàng Chính sách xã hội để nuôi bò sinh sản.",
        "TD",
        "any",
        steps=[
            (16, 9, "canbo", "acknowledge", ""),
            (
                16,
                9,
                "canbo",
                "comment",
                (
                    "Đã chuyển hồ sơ cho Tổ tiết kiệm và vay vốn ấp; chờ Ngân hàng Chính sách xã "
                    "hội xét ở phiên giao dịch tới."
                ),
            ),
        ],
    ),
    Story(
        15,
        7,
        "truongap2",
        K.PROBLEM,
        T.HOUSING,
        "Cây đổ đè lên nhà tạm của {name}",
        "Cây dầu sau nhà đổ xuống nửa mái nhà tạm, không ai bị thương. Gia đình đang ở nhờ "
        "hàng xóm.",
        "DH",
        "elderly_woman",
        P.URGENT,
        due=8,
        steps=[
            (15, 8, "phochutich", "acknowledge", ""),
            (15, 8, "phochutich", "assign", ["canbo", "truongap2"]),
            (14, 10, "truongap2", "start", ""),
            (
                14,
                11,
                "truongap2",
                "comment",
                (
                    "Đã huy động dân quân cưa cây, dọn mái. Cần hỗ trợ làm lại nhà: @canbo xem "
                    "chương trình nhà đại đoàn kết."
                ),
            ),
            (
                9,
                16,
                "canbo",
                "comment",
                "Đã lập hồ sơ đề nghị hỗ trợ nhà đại đoàn kết, chờ Ủy ban MTTQ huyện duyệt.",
            ),
        ],
    ),
    Story(
        12,
        10,
        "canbo",
        K.TASK,
        T.BHYT,
        "Vận động hộ cận nghèo ấp Tân Hòa gia hạn BHYT hộ gia đình",
        "Danh sách hộ có thẻ hết hạn trong tháng tới ở trang Bảo hiểm y tế.",
        "TH",
        due=-10,
        steps=[(12, 10, "canbo", "assign", ["canbo"]), (11, 8, "canbo", "acknowledge", "")],
    ),
    Story(
        10,
        14,
        "phochutich",
        K.TASK,
        T.SUPPORT,
        "Lập danh sách hộ nghèo ấp Hội Thạnh nhận quà Tết",
        "Mỗi hộ nghèo, cận nghèo một phần quà; ưu tiên người cao tuổi sống một mình.",
        "HT",
        due=-20,
        steps=[(10, 14, "phochutich", "assign", ["canbo"]), (8, 9, "canbo", "start", "")],
    ),
    Story(
        9,
        19,
        "truongap1",
        K.QUESTION,
        T.POVERTY_REVIEW,
        "Con đi làm ở Bình Dương gửi tiền về có tính vào thu nhập của hộ không?",
        "Hộ {code} hỏi khi rà soát thì tiền con gửi về tính thế nào.",
        "TD",
        "any",
        steps=[
            (
                8,
                8,
                "canbo",
                "finish",
                (
                    "Có: tiền người đi làm xa gửi về cho hộ được tính vào thu nhập của hộ khi rà "
                    "soát (Phiếu B1). Người đó không còn sống ở hộ thì không tính là nhân khẩu."
                ),
            ),
        ],
    ),
    Story(
        8,
        9,
        "truongap1",
        K.PROBLEM,
        T.SUPPORT,
        "{name} chưa nhận đủ gạo hỗ trợ giáp hạt",
        "Hộ được 15 kg, mới nhận 10 kg.",
        "TD",
        "elderly",
        steps=[
            (7, 10, "canbo", "finish", "Đã giao bổ sung 5 kg tại nhà văn hóa ấp."),
            (5, 18, "truongap1", "reopen", "Gia đình nói chưa nhận được 5 kg bổ sung."),
            (4, 9, "canbo", "comment", "Xin lỗi, phần bổ sung giao nhầm hộ. Sáng mai giao lại."),
        ],
    ),
    Story(
        6,
        16,
        "truongap2",
        K.PROBLEM,
        T.ALLOWANCES,
        "{name} mới về ở với con, chưa có trợ cấp người cao tuổi",
        "Cụ chuyển từ tỉnh khác về ở hẳn với con trai, đã đăng ký thường trú.",
        "DH",
        "elderly",
    ),
    Story(
        4,
        8,
        "canbo",
        K.PROBLEM,
        T.POVERTY_REVIEW,
        "Ấp Bến Cừ: 2 hộ phản ánh chưa thấy niêm yết kết quả rà soát",
        "Trưởng ấp Bến Cừ gọi điện: bảng niêm yết ở nhà văn hóa ấp bị mưa làm rách.",
        "BC",
        due=-3,
        steps=[
            (4, 9, "phochutich", "acknowledge", ""),
            (4, 9, "phochutich", "assign", ["canbo"]),
        ],
    ),
    Story(
        3,
        7,
        "canbo",
        K.ANNOUNCEMENT,
        T.ALLOWANCES,
        "Chi trả trợ cấp tháng này tại điểm bưu điện xã từ ngày 10",
        "Người nhận bằng tiền mặt mang theo CCCD. Ai không đi được, trưởng ấp báo để chi tại nhà.",
        audience=Audience.EVERYONE,
    ),
    Story(
        2,
        17,
        "truongap1",
        K.PROBLEM,
        T.OTHER,
        "Đường vào nhà {name} ngập sau mưa, xe cứu thương không vào được",
        "Người nhà bị bệnh nặng, cần đi khám định kỳ.",
        "TD",
        "elderly",
        P.HIGH,
    ),
    Story(
        1,
        20,
        "truongap2",
        K.QUESTION,
        T.HOUSING,
        "Hộ cận nghèo có được hỗ trợ sửa nhà không?",
        "Hộ {code} hỏi điều kiện được hỗ trợ sửa nhà.",
        "DH",
        "any",
    ),
]
