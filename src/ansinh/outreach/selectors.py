"""Reads of the outreach app. Every function takes a ``Scope``: leaflets and group messages
are the commune's; a village head sees the broadcasts of the own villages only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from ansinh.accounts.scopes import Scope
from ansinh.core.selectors import get_or_404
from ansinh.insurance.choices import FollowUpReason
from ansinh.insurance.followup import due_households
from ansinh.messaging.config import Prices, keep_sms_diacritics
from ansinh.messaging.models import Suppression
from ansinh.messaging.sms import sms_parts, to_gsm_text
from ansinh.outreach.choices import Group
from ansinh.outreach.models import Announcement, Broadcast, GroupMessage, Leaflet
from ansinh.outreach.texts import fill, short_name
from ansinh.places.models import Commune
from ansinh.poverty.models import PovertyStatusPeriod
from ansinh.poverty.selectors import POOR_SET
from ansinh.registry.choices import HouseholdStatus
from ansinh.registry.selectors import household_contacts, households_for, villages_for

__all__ = [
    "Preview",
    "Recipient",
    "announcement_get",
    "broadcast_get",
    "broadcasts_for",
    "group_household_ids",
    "group_messages_for",
    "leaflet_get",
    "leaflets_for",
    "preview",
    "recipients",
    "villages_for",
]


def commune_of(scope: Scope) -> Commune:
    return Commune.objects.get(code=scope.commune_code)


# --- leaflets ----------------------------------------------------------------------------


def leaflets_for(scope: Scope) -> QuerySet[Leaflet]:
    return Leaflet.objects.filter(commune_id=scope.commune_code).order_by("title", "pk")


def leaflet_get(scope: Scope, pk: int) -> Leaflet:
    return get_or_404(leaflets_for(scope).select_related("commune"), pk)


# --- announcements -------------------------------------------------------------------------


def broadcasts_for(
    scope: Scope, *, village_id: int | None = None, day: dt.date | None = None
) -> QuerySet[Broadcast]:
    """The log: each village's broadcast, the latest planned first; ``day`` matches the
    planned or the actual day (local time)."""
    qs = scope.restrict(Broadcast.objects.filter(commune_id=scope.commune_code))
    if village_id:
        qs = qs.filter(village_id=village_id)
    if day is not None:
        qs = qs.filter(Q(planned_at__date=day) | Q(broadcast_at__date=day))
    return qs.select_related("announcement", "village", "marked_by").order_by(
        "-planned_at", "village__name", "pk"
    )


def broadcast_get(scope: Scope, pk: int) -> Broadcast:
    return get_or_404(broadcasts_for(scope), pk)


def announcement_get(scope: Scope, pk: int) -> Announcement:
    """An announcement with at least one broadcast in the scope's villages, or 404."""
    qs = Announcement.objects.filter(commune_id=scope.commune_code)
    if scope.village_ids is not None:
        qs = qs.filter(broadcasts__village_id__in=scope.village_ids).distinct()
    return get_or_404(qs, pk)


# --- group messages ----------------------------------------------------------------------------


def group_messages_for(scope: Scope) -> QuerySet[GroupMessage]:
    qs = GroupMessage.objects.filter(commune_id=scope.commune_code)
    return qs.select_related("village", "sent_by").order_by("-sent_at", "-pk")


def group_household_ids(scope: Scope, group: str, village_id: int | None, on: dt.date) -> list[int]:
    """The current households of the group, in list order (village, then code)."""
    if group == Group.BHYT_MONTH:  # the follow-up list's "expiring this month"
        qs = due_households(scope, on, FollowUpReason.MONTH, village_id=village_id)
    else:
        qs = households_for(scope).order_by("village__name", "code", "pk")
        if village_id:
            qs = qs.filter(village_id=village_id)
        if group == Group.POOR:
            poor = PovertyStatusPeriod.objects.filter(
                household__commune_id=scope.commune_code,
                poverty_class__in=POOR_SET,
                valid_from__lte=on,
            ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
            qs = qs.filter(pk__in=poor.values("household_id"))
        elif group != Group.VILLAGE:
            return []
    qs = qs.filter(status=HouseholdStatus.ACTIVE)
    return list(qs.values_list("pk", flat=True))


@dataclass(frozen=True)
class Recipient:
    household_id: int
    head: str
    phone: str  # a mobile in E.164, "" when the household has none


def recipients(scope: Scope, household_ids: Sequence[int]) -> list[Recipient]:
    """Each household's head and mobile phone (:func:`household_contacts`), in the order of
    ``household_ids``."""
    contacts = household_contacts(scope, household_ids)
    return [
        Recipient(hid, c.head, c.phone)
        for hid in household_ids
        if (c := contacts.get(hid)) is not None
    ]


@dataclass(frozen=True)
class Preview:
    """What sending would do, shown before it is sent."""

    households: int
    with_mobile: int
    opted_out: int
    to_send: int
    encoding: str  # of the longest message: "gsm7" or "ucs2"
    parts_max: int
    parts: int  # in all
    cost: int  # đồng
    sample: str  # the first recipient's text as it will be sent
    without_diacritics: bool  # the text is sent without its diacritics
    messages: list[tuple[Recipient, str, int]]  # (recipient, text, parts) to send


def message_text(template: str, commune_name: str, head: str) -> str:
    """One household's SMS as it will be queued (without diacritics unless configured)."""
    text = fill(template, {"ho_ten_chu_ho": head, "ten_xa": short_name(commune_name)}).strip()
    return text if keep_sms_diacritics() else to_gsm_text(text)


def preview(
    scope: Scope, group: str, village_id: int | None, template: str, on: dt.date
) -> Preview:
    """The group's households, how many have a mobile phone and how many of those are on the
    refusal list; the SMS parts of each message and the estimated cost (the outbox's
    prices)."""
    commune = commune_of(scope)
    people = recipients(scope, group_household_ids(scope, group, village_id, on))
    mobiles = [r for r in people if r.phone]
    refused = set(
        Suppression.objects.filter(phone__in={r.phone for r in mobiles}).values_list(
            "phone", flat=True
        )
    )
    prices = Prices.from_env()
    sendable = []
    encoding, parts_max, parts_total = "gsm7", 0, 0
    seen: set[str] = set()
    for r in mobiles:
        if r.phone in refused or r.phone in seen:  # one SMS per phone number
            continue
        seen.add(r.phone)
        text = message_text(template, commune.name, r.head)
        enc, parts = sms_parts(text)
        if parts > parts_max:
            encoding, parts_max = enc, parts
        parts_total += parts
        sendable.append((r, text, parts))
    typed = fill(template, {"ho_ten_chu_ho": "", "ten_xa": short_name(commune.name)})
    return Preview(
        households=len(people),
        with_mobile=len(mobiles),
        opted_out=sum(1 for r in mobiles if r.phone in refused),
        to_send=len(sendable),
        encoding=encoding,
        parts_max=parts_max,
        parts=parts_total,
        cost=parts_total * prices.sms_per_part,
        sample=sendable[0][1] if sendable else "",
        without_diacritics=not keep_sms_diacritics() and to_gsm_text(typed) != typed,
        messages=sendable,
    )
