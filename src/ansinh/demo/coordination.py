"""Four weeks of coordination in the demo commune, through the services, as the demo users:
problems reported by the village heads of ấp Tân Đông and ấp Đông Hiệp (and, by telephone,
from other ấp through the officer), tasks the vice-chairman gives, questions answered,
announcements; most followed to the end, some still open, one overdue, one reopened, one not
answered yet. Dates are relative to ``as_of``. The demo users have mobile numbers, so their
notifications (and the officer's digest of ``as_of``) are in the messaging outbox.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from ansinh.accounts.choices import Role
from ansinh.accounts.models import User
from ansinh.accounts.scopes import Scope, scope_for
from ansinh.coordination import digest, notify, services
from ansinh.coordination.meetings import services as meetings
from ansinh.coordination.models import Item
from ansinh.demo.coordination_stories import STORIES
from ansinh.messaging.models import OutboxMessage
from ansinh.places.models import Commune, Village
from ansinh.registry.choices import LifeStatus, Relationship
from ansinh.registry.models import Household, Person


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
