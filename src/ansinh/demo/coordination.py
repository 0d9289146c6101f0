"""Four weeks of coordination in the demo commune, through the services, as the demo users:
problems reported by the village heads of ấp Tân Đông and ấp Đông Hiệp (and, by telephone,
from other ấp through the officer), tasks the vice-chairman gives, questions answered,
announcements; most followed to the end, some still open, one overdue, one reopened, one not
answered yet. Dates are relative to ``as_of``. The demo users have mobile numbers, so their
notifications (and the officer's digest of ``as_of``) are in the messaging outbox.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from ansinh.accounts.choices import Role
from ansinh.accounts.models import User
from ansinh.accounts.scopes import Scope, scope_for
from ansinh.coordination import digest, notify, services
from ansinh.coordination.choices import Audience, ItemKind, Priority, Topic
from ansinh.coordination.meetings import services as meetings
from ansinh.coordination.models import Item
from ansinh.messaging.models import OutboxMessage
from ansinh.places.models import Commune, Village
from ansinh.registry.choices import LifeStatus, Relationship
from ansinh.registry.models import Household, Person

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
    Story(27, 8, "truongap1", K.PROBLEM, T.HOUSING, "Mái nhà {name} bị tốc sau mưa giông",
          "Đêm qua mưa giông làm tốc một phần mái tôn. Trong nhà có người cao tuổi. "
          "Đề nghị xã hỗ trợ sửa tạm trước khi mưa lớn.", "TD", "elderly_woman", P.HIGH,
          steps=[
              (27, 9, "phochutich", "acknowledge", ""),
              (27, 9, "phochutich", "assign", ["canbo", "truongap1"]),
              (27, 10, "phochutich", "comment",
               ("@canbo liên hệ Mặt trận xã xem quỹ Vì người nghèo hỗ trợ được bao nhiêu, báo "
               "lại trong tuần.")),
              (26, 15, "canbo", "start", ""),
              (26, 15, "canbo", "comment",
               "Mặt trận xã đồng ý hỗ trợ 3.000.000 đồng mua tôn. Đoàn thanh niên ấp nhận lợp."),
              (22, 17, "truongap1", "comment", "Mái đã lợp lại xong chiều nay, bà cảm ơn xã."),
              (22, 18, "canbo", "finish",
               ("Quỹ Vì người nghèo xã hỗ trợ 3.000.000 đồng; Đoàn thanh niên ấp Tân Đông lợp "
               "lại mái. Đã kiểm tra, ở được an toàn.")),
              (21, 7, "truongap1", "close", ""),
          ]),
    Story(25, 14, "truongap2", K.QUESTION, T.BHYT,
          "Thẻ BHYT của cháu nhỏ hộ {code} hết hạn, làm lại ở đâu?",
          "Gia đình hỏi thẻ BHYT trẻ em hết hạn thì làm lại ở đâu, có mất tiền không.",
          "DH", "young_child",
          steps=[
              (25, 16, "canbo", "finish",
               ("Trẻ dưới 6 tuổi được cấp thẻ BHYT miễn phí. Mang giấy khai sinh (hoặc số định "
               "danh của cháu) ra bộ phận một cửa UBND xã; có thẻ sau 5 ngày làm việc.")),
              (24, 8, "truongap2", "close", ""),
          ]),
    Story(24, 9, "phochutich", K.TASK, T.POVERTY_REVIEW,
          "Rà soát lại 3 hộ có đơn đề nghị công nhận hộ cận nghèo ở ấp Cây Cầy",
          "Ba hộ nộp đơn sau đợt rà soát định kỳ. Khảo sát theo Phiếu B1, B2 và báo Ban Chỉ "
          "đạo trước ngày hạn.", "CC", "", P.HIGH, due=10,
          steps=[
              (24, 9, "phochutich", "assign", ["canbo"]),
              (23, 8, "canbo", "acknowledge", ""),
              (18, 8, "canbo", "start", ""),
              (12, 16, "canbo", "finish",
               ("Đã khảo sát 3 hộ: 1 hộ đủ điều kiện hộ cận nghèo, 2 hộ có mức sống trung bình. "
               "Đưa ra họp dân ấp Cây Cầy.")),
              (11, 9, "phochutich", "close", ""),
          ]),
    Story(21, 10, "canbo", K.PROBLEM, T.ALLOWANCES,
          "Ấp Suối Dây: {name} chưa nhận trợ cấp tháng này",
          "Trưởng ấp Suối Dây gọi điện báo: cụ chưa nhận được tiền trợ cấp hằng tháng.",
          "SD", "elderly",
          steps=[
              (21, 11, "canbo", "start", ""),
              (20, 9, "phochutich", "comment", "Kiểm tra lại danh sách chi trả tháng này."),
              (19, 15, "canbo", "finish",
               ("Ngân hàng trả lại do sai số tài khoản; đã sửa số tài khoản và chi bổ sung "
               "bằng tiền mặt tại bưu điện xã.")),
          ]),
    Story(20, 8, "phochutich", K.ANNOUNCEMENT, T.OTHER,
          "Họp giao ban trưởng ấp: 8 giờ sáng thứ Hai tại hội trường UBND xã",
          "Nội dung: tiến độ rà soát hộ nghèo, vận động gia hạn BHYT hộ gia đình, quà Tết "
          "cho hộ nghèo.", audience=Audience.VILLAGE_HEADS,
          steps=[(13, 17, "phochutich", "close", "")]),
    Story(18, 15, "truongap1", K.PROBLEM, T.SUPPORT,
          "Hộ {code} xin vay vốn nuôi bò sinh sản",
          "Hộ mới thoát nghèo, muốn vay vốn Ngân hàng Chính sách xã hội để nuôi bò sinh sản.",
          "TD", "any",
          steps=[
              (16, 9, "canbo", "acknowledge", ""),
              (16, 9, "canbo", "comment",
               ("Đã chuyển hồ sơ cho Tổ tiết kiệm và vay vốn ấp; chờ Ngân hàng Chính sách xã "
               "hội xét ở phiên giao dịch tới.")),
          ]),
    Story(15, 7, "truongap2", K.PROBLEM, T.HOUSING,
          "Cây đổ đè lên nhà tạm của {name}",
          "Cây dầu sau nhà đổ xuống nửa mái nhà tạm, không ai bị thương. Gia đình đang ở nhờ "
          "hàng xóm.", "DH", "elderly_woman", P.URGENT, due=8,
          steps=[
              (15, 8, "phochutich", "acknowledge", ""),
              (15, 8, "phochutich", "assign", ["canbo", "truongap2"]),
              (14, 10, "truongap2", "start", ""),
              (14, 11, "truongap2", "comment",
               ("Đã huy động dân quân cưa cây, dọn mái. Cần hỗ trợ làm lại nhà: @canbo xem "
               "chương trình nhà đại đoàn kết.")),
              (9, 16, "canbo", "comment",
               "Đã lập hồ sơ đề nghị hỗ trợ nhà đại đoàn kết, chờ Ủy ban MTTQ huyện duyệt."),
          ]),
    Story(12, 10, "canbo", K.TASK, T.BHYT,
          "Vận động hộ cận nghèo ấp Tân Hòa gia hạn BHYT hộ gia đình",
          "Danh sách hộ có thẻ hết hạn trong tháng tới ở trang Bảo hiểm y tế.", "TH",
          due=-10,
          steps=[(12, 10, "canbo", "assign", ["canbo"]), (11, 8, "canbo", "acknowledge", "")]),
    Story(10, 14, "phochutich", K.TASK, T.SUPPORT,
          "Lập danh sách hộ nghèo ấp Hội Thạnh nhận quà Tết",
          "Mỗi hộ nghèo, cận nghèo một phần quà; ưu tiên người cao tuổi sống một mình.", "HT",
          due=-20,
          steps=[(10, 14, "phochutich", "assign", ["canbo"]), (8, 9, "canbo", "start", "")]),
    Story(9, 19, "truongap1", K.QUESTION, T.POVERTY_REVIEW,
          "Con đi làm ở Bình Dương gửi tiền về có tính vào thu nhập của hộ không?",
          "Hộ {code} hỏi khi rà soát thì tiền con gửi về tính thế nào.", "TD", "any",
          steps=[
              (8, 8, "canbo", "finish",
               ("Có: tiền người đi làm xa gửi về cho hộ được tính vào thu nhập của hộ khi rà soát "
               "(Phiếu B1). Người đó không còn sống ở hộ thì không tính là nhân khẩu.")),
          ]),
    Story(8, 9, "truongap1", K.PROBLEM, T.SUPPORT,
          "{name} chưa nhận đủ gạo hỗ trợ giáp hạt", "Hộ được 15 kg, mới nhận 10 kg.", "TD",
          "elderly",
          steps=[
              (7, 10, "canbo", "finish", "Đã giao bổ sung 5 kg tại nhà văn hóa ấp."),
              (5, 18, "truongap1", "reopen", "Gia đình nói chưa nhận được 5 kg bổ sung."),
              (4, 9, "canbo", "comment", "Xin lỗi, phần bổ sung giao nhầm hộ. Sáng mai giao lại."),
          ]),
    Story(6, 16, "truongap2", K.PROBLEM, T.ALLOWANCES,
          "{name} mới về ở với con, chưa có trợ cấp người cao tuổi",
          "Cụ chuyển từ tỉnh khác về ở hẳn với con trai, đã đăng ký thường trú.", "DH",
          "elderly"),
    Story(4, 8, "canbo", K.PROBLEM, T.POVERTY_REVIEW,
          "Ấp Bến Cừ: 2 hộ phản ánh chưa thấy niêm yết kết quả rà soát",
          "Trưởng ấp Bến Cừ gọi điện: bảng niêm yết ở nhà văn hóa ấp bị mưa làm rách.", "BC",
          due=-3,
          steps=[
              (4, 9, "phochutich", "acknowledge", ""),
              (4, 9, "phochutich", "assign", ["canbo"]),
          ]),
    Story(3, 7, "canbo", K.ANNOUNCEMENT, T.ALLOWANCES,
          "Chi trả trợ cấp tháng này tại điểm bưu điện xã từ ngày 10",
          "Người nhận bằng tiền mặt mang theo CCCD. Ai không đi được, trưởng ấp báo để chi "
          "tại nhà.", audience=Audience.EVERYONE),
    Story(2, 17, "truongap1", K.PROBLEM, T.OTHER,
          "Đường vào nhà {name} ngập sau mưa, xe cứu thương không vào được",
          "Người nhà bị bệnh nặng, cần đi khám định kỳ.", "TD", "elderly", P.HIGH),
    Story(1, 20, "truongap2", K.QUESTION, T.HOUSING,
          "Hộ cận nghèo có được hỗ trợ sửa nhà không?",
          "Hộ {code} hỏi điều kiện được hỗ trợ sửa nhà.", "DH", "any"),
]  # fmt: skip


def _scope(username: str, commune: Commune) -> Scope:
    user = User.objects.filter(username=username, commune=commune).first()
    return scope_for(user) if user is not None else Scope.system(commune.code, "demo")


def _find(village: Village, key: str, as_of: dt.date, used: set[int]) -> Household | None:
    """A household of ``village`` that fits the story (an elderly woman as head, a young
    child, an elderly member; else any), not used by another story."""
    living = Person.objects.filter(village=village, life_status=LifeStatus.LIVING).exclude(
        household_id__in=used
    )
    born_before = as_of - dt.timedelta(days=365 * 75)
    elderly = living.filter(date_of_birth__lte=born_before)
    fits = {
        "elderly_woman": [
            elderly.filter(sex="female", relationship=Relationship.HEAD),
            elderly.filter(sex="female"),
            elderly,
        ],
        "elderly": [elderly],
        "young_child": [living.filter(date_of_birth__gte=as_of - dt.timedelta(days=365 * 5))],
    }
    for people in (*fits.get(key, []), living):
        person = people.order_by("household_id", "date_of_birth").first()
        if person is not None:
            return person.household
    return None


def _named(household: Household | None, key: str, as_of: dt.date) -> dict[str, str]:
    if household is None:
        return {"name": "một hộ", "code": ""}
    members = household.members.filter(life_status=LifeStatus.LIVING).order_by("date_of_birth")
    person = members.first()
    if key == "young_child":
        person = members.last()
    elif key == "elderly_woman":
        person = members.filter(sex="female").first() or person
    if person is None:
        return {"name": "một hộ", "code": household.code}
    title = "bà" if person.sex == "female" else "ông"
    if person.date_of_birth > as_of - dt.timedelta(days=365 * 16):
        title = "cháu"
    return {"name": f"{title} {person.full_name}", "code": household.code}


def build_coordination(*, commune: Commune, as_of: dt.date) -> dict[str, int]:
    """Play :data:`STORIES`; returns how many items, and how many are still open."""
    villages = {v.code: v for v in Village.objects.filter(commune=commune)}
    used: set[int] = set()

    def at(days: int, hour: int) -> dt.datetime:
        day = as_of - dt.timedelta(days=days)
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 7 * (days % 8))))

    items = []
    for story in STORIES:
        village = villages.get(story.village) if story.village else None
        if story.village and village is None:
            continue  # a commune of the demo without that ấp
        household = None
        if village is not None and story.household:
            household = _find(village, story.household, as_of, used)
            if household is not None:
                used.add(household.pk)
        names = _named(household, story.household, as_of)
        item = services.item_report(
            scope=_scope(story.who, commune),
            kind=story.kind,
            topic=story.topic,
            title=_sentence(story.title.format(**names))[:200],
            body=story.body.format(**names),
            village=village,
            household=household,
            priority=story.priority,
            due_date=as_of - dt.timedelta(days=story.due) if story.due is not None else None,
            audience=story.audience,
            at=at(story.days, story.hour),
        )
        for days, hour, who, what, value in story.steps:
            _step(item, _scope(who, commune), what, value, at(days, hour), commune)
        items.append(item.pk)
    still_open = Item.objects.filter(pk__in=items, resolved_at__isnull=True).count()
    build_meetings(commune=commune, as_of=as_of)
    # The officer's digest of the overdue items, as the morning job sends it on ``as_of``.
    digest.digest_send(commune_code=commune.code, today=as_of)
    # The demo users have mobile numbers: the assignments, mentions, answers, announcements
    # and the digest queued their messages in the outbox (Zalo, SMS when Zalo fails).
    messages = OutboxMessage.objects.filter(topic=notify.TOPIC, commune_code=commune.code)
    return {"items": len(items), "open": still_open, "messages": messages.count()}


def _sentence(text: str) -> str:
    """ "ông Lê Văn Tư chưa nhận…" → "Ông Lê Văn Tư chưa nhận…"."""
    return text[:1].upper() + text[1:]


def _step(
    item: Item, scope: Scope, what: str, value: Any, when: dt.datetime, commune: Commune
) -> None:
    if what == "comment":
        services.comment_add(scope=scope, item=item, text=value, at=when)
    elif what == "assign":
        users = list(User.objects.filter(commune=commune, username__in=value))
        services.item_assign(scope=scope, item=item, users=users, at=when)
    else:
        services.item_transition(scope=scope, item=item, action=what, note=value, at=when)


#: The minutes of the demo's held meeting, item by item: (decision, follow-up task or "",
#: postponed). The task goes to the village head of the item's ấp (else the officer).
MINUTES = [
    (
        "Giao trưởng ấp phối hợp cán bộ VH-XH kiểm tra thực tế, báo cáo kết quả trước hạn.",
        "Kiểm tra thực tế",
        False,
    ),
    (
        "Thống nhất hỗ trợ theo chính sách hiện hành; cán bộ VH-XH lập hồ sơ đề nghị.",
        "Lập hồ sơ đề nghị hỗ trợ",
        False,
    ),
    ("Chờ hướng dẫn của cấp tỉnh, bàn lại tại cuộc họp sau.", "", True),
    (
        "Ban Chỉ đạo đã nắm tình hình; trưởng ấp tiếp tục theo dõi, báo cáo khi có thay đổi.",
        "",
        False,
    ),
    ("Cần thêm ý kiến của Hội Phụ nữ xã.", "", True),
]


def build_meetings(*, commune: Commune, as_of: dt.date) -> None:
    """Two committee meetings: one held a week before ``as_of`` with its decisions and the
    follow-up tasks they gave, closed; its postponed items on the draft of ``as_of``."""
    officer = _scope("canbo", commune)
    if officer.user is None:
        return
    people = list(User.objects.filter(commune=commune, username__in=DEMO_ATTENDEES))
    chair = next((u for u in people if u.username == "phochutich"), None)
    held_on = as_of - dt.timedelta(days=7)
    agenda = meetings.open_items_first(officer, today=held_on)[: len(MINUTES)]
    meeting = meetings.meeting_create(
        scope=officer,
        held_on=held_on,
        place="Hội trường UBND xã",
        chair=chair,
        attendees=people,
        items=agenda,
    )
    due = timezone.localdate() + dt.timedelta(days=10)
    for entry, (decision, task, postpone) in zip(
        meeting.entries.select_related("item"), MINUTES, strict=False
    ):
        head = User.objects.filter(
            commune=commune, role=Role.VILLAGE_HEAD, villages=entry.item.village_id
        ).first()
        meetings.meeting_decide(
            scope=officer,
            entry=entry,
            decision=decision,
            postpone=postpone,
            follow_up_title=f"{task}: {entry.item.title}"[:200] if task else "",
            assignee=(head or officer.user) if task else None,
            due_date=due if task else None,
        )
    meetings.meeting_hold(scope=officer, meeting=meeting)
    meetings.meeting_close(scope=officer, meeting=meeting)


DEMO_ATTENDEES = ["canbo", "phochutich", "truongap1", "truongap2"]
