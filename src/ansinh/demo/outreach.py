"""Outreach in the demo commune, through the services as the demo users: the shipped leaflets,
loudspeaker announcements of the last week (most read and marked by the village heads, one
still to broadcast tomorrow evening) and one message to the households of ấp Tân Đông."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone

from ansinh.accounts.models import User
from ansinh.accounts.scopes import Scope, scope_for
from ansinh.outreach import services
from ansinh.places.models import Commune, Village

#: (days before as_of, hour, village codes, text, marked by): None = not broadcast yet.
ANNOUNCEMENTS = [
    (
        6,
        17,
        ["TD", "DH"],
        (
            "Thông báo: UBND xã tổ chức cấp phát thẻ bảo hiểm y tế cho hộ cận nghèo vào sáng thứ "
            "Bảy tại hội trường UBND xã. Bà con nhớ mang theo căn cước công dân."
        ),
        "truongap",
    ),
    (
        3,
        18,
        ["TD"],
        (
            "Tối nay lúc 19 giờ, ấp Tân Đông họp dân bình xét hộ nghèo, hộ cận nghèo tại nhà văn "
            "hóa ấp. Kính mời đại diện các hộ đến dự đông đủ."
        ),
        "truongap",
    ),
    (
        -1,
        18,
        ["TD", "DH"],
        (
            "Nhắc bà con: thẻ BHYT hộ gia đình hết hạn ngày 31 tháng 12. Bà con gia hạn trước hạn "
            "để thẻ có giá trị liên tục khi đi khám chữa bệnh."
        ),
        None,
    ),
]
GROUP_TEXT = (
    "UBND xa {ten_xa} kinh moi ho {ho_ten_chu_ho} du hop dan binh xet ho ngheo toi thu Sau "
    "luc 19h tai nha van hoa ap."
)


def _scope(username: str, commune: Commune) -> Scope:
    user = User.objects.filter(username=username, commune=commune).first()
    return scope_for(user) if user is not None else Scope.system(commune.code, "demo")


def _head_of(village: Village) -> Scope:
    heads = User.objects.filter(commune_id=village.commune_id, villages=village, is_active=True)
    user = heads.order_by("username").first()
    return scope_for(user) if user is not None else Scope.system(village.commune_id, "demo")


def build_outreach(*, commune: Commune, as_of: dt.date) -> dict[str, int]:
    """Returns how many broadcasts were planned and how many group messages were queued."""
    officer = _scope("canbo", commune)
    services.leaflets_ensure_defaults(scope=officer)
    villages = {v.code: v for v in Village.objects.filter(commune=commune, is_active=True)}
    now = timezone.now()
    planned = 0
    for days, hour, codes, text, marked in ANNOUNCEMENTS:
        chosen = [villages[c] for c in codes if c in villages]
        if not chosen:
            continue
        day = as_of - dt.timedelta(days=days)
        at = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))
        announcement = services.announcement_create(
            scope=officer, text=text, villages=chosen, planned_at=at, key=f"demo-ann-{days}"
        )
        planned += len(chosen)
        if marked is None:
            continue
        for broadcast in announcement.broadcasts.select_related("village"):
            read_at = at + dt.timedelta(minutes=10 + 5 * len(broadcast.village.name) % 30)
            if read_at < now:
                services.broadcast_mark(
                    scope=_head_of(broadcast.village), broadcast=broadcast, at=read_at
                )
    queued = 0
    if "TD" in villages:
        try:
            message = services.group_message_send(
                scope=officer,
                group="village",
                village=villages["TD"],
                text=GROUP_TEXT,
                key="demo-group-message-1",
                on=as_of,
            )
            queued = message.queued
        except ValidationError:  # an ấp without a mobile phone: nothing to send
            queued = 0
    return {"broadcasts": planned, "messages": queued}
