"""Reads of places. Villages are not personal data: every user of a commune may list its
villages; the pages that manage them are the officer's."""

from __future__ import annotations

from django.db.models import QuerySet

from ansinh.core.selectors import get_or_404
from ansinh.places.models import Commune, Village


def commune_get(code: int) -> Commune:
    return get_or_404(Commune.objects.select_related("province"), code)


def villages_of(commune: Commune) -> QuerySet[Village]:
    return Village.objects.filter(commune=commune).order_by("name")


def village_get(commune: Commune, pk: int) -> Village:
    """A village of ``commune``, or 404 (never another commune's)."""
    return get_or_404(villages_of(commune), pk)
