"""Reads of the messaging app, always scoped to one commune."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from ansinh.core.selectors import get_or_404
from ansinh.messaging.choices import MessageState
from ansinh.messaging.models import MessageAttempt, OutboxMessage, Suppression


def outbox_for(commune_code: int, *, state: str = "", topic: str = "") -> QuerySet[OutboxMessage]:
    qs = OutboxMessage.objects.filter(commune_code=commune_code)
    if state in MessageState.values:
        qs = qs.filter(state=state)
    if topic:
        qs = qs.filter(topic=topic)
    return qs.order_by("-queued_at", "-id")


def outbox_get(commune_code: int, pk: int) -> OutboxMessage:
    """A message of the commune, or 404 (never another commune's)."""
    return get_or_404(OutboxMessage.objects.filter(commune_code=commune_code), pk)


def attempts_of(message: OutboxMessage) -> QuerySet[MessageAttempt]:
    return MessageAttempt.objects.filter(message=message).order_by("at", "id")


def state_counts(commune_code: int, *, topic: str = "") -> dict[str, int]:
    qs = OutboxMessage.objects.filter(commune_code=commune_code)
    if topic:
        qs = qs.filter(topic=topic)
    return {row["state"]: row["n"] for row in qs.values("state").annotate(n=Count("id")).order_by()}


def topics(commune_code: int) -> list[str]:
    return list(
        OutboxMessage.objects.filter(commune_code=commune_code)
        .exclude(topic="")
        .values_list("topic", flat=True)
        .distinct()
        .order_by("topic")[:50]
    )


def suppressions_for(commune_code: int) -> QuerySet[Suppression]:
    """Refusals from numbers this commune has written to (the list is shared by all
    communes, but an officer only sees the numbers of her own households)."""
    phones = OutboxMessage.objects.filter(commune_code=commune_code).values("to")
    return Suppression.objects.filter(phone__in=phones).order_by("-created_at", "-id")
