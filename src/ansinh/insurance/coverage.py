"""Coverage of a commune on a date, per village, and at the end of each month: people present
and people with a card valid that day. Counted for the whole commune once per change of its data
(``core/figures``, ADR 0011); a village head's rows are taken from the count."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q

from ansinh.accounts.scopes import Scope
from ansinh.core import figures
from ansinh.core.periods import next_month
from ansinh.insurance.models import Card
from ansinh.registry.choices import LifeStatus
from ansinh.registry.models import Person
from ansinh.registry.selectors import villages_for


@dataclass(frozen=True)
class CoverageRow:
    village_id: int | None
    name: str
    people: int
    covered: int

    @property
    def rate(self) -> float:
        return self.covered / self.people if self.people else 0.0


VillageCounts = dict[int, tuple[int, int]]  # village id → (people present, people covered)


def present(on: dt.date, prefix: str = "") -> Q:
    """Lived in the commune on ``on`` (born, not yet dead or gone), as a condition: the one
    rule of presence, also used to count several dates in one pass."""
    return Q(**{f"{prefix}date_of_birth__lte": on}) & (
        Q(**{f"{prefix}life_status": LifeStatus.LIVING}) | Q(**{f"{prefix}status_date__gt": on})
    )


def count_coverage(commune_code: int, days: list[dt.date]) -> dict[dt.date, VillageCounts]:
    """For each day, people present and people covered (a card valid that day) per village of
    the commune: one pass over the people and one over the cards, whatever the number of days
    (a year of month ends is 13 days, counted together)."""
    if not days:
        return {}
    names = {f"d{i}": day for i, day in enumerate(days)}
    people = (
        Person.objects.filter(commune_id=commune_code)
        .values("village_id")
        .annotate(**{name: Count("id", filter=present(day)) for name, day in names.items()})
    )
    covered = (
        Card.objects.filter(
            commune_id=commune_code,
            person__commune_id=commune_code,
            valid_from__lte=max(days),
            valid_to__gte=min(days),
        )
        .values("person__village_id")
        .annotate(
            **{
                name: Count(
                    "person_id",
                    distinct=True,
                    filter=Q(valid_from__lte=day, valid_to__gte=day) & present(day, "person__"),
                )
                for name, day in names.items()
            }
        )
    )
    out: dict[dt.date, VillageCounts] = {day: {} for day in days}
    covered_by: dict[int, dict[str, Any]] = {
        row["person__village_id"]: dict(row) for row in covered
    }
    for row in people:
        counts: dict[str, Any] = dict(row)
        cov = covered_by.get(counts["village_id"], {})
        for name, day in names.items():
            out[day][counts["village_id"]] = (int(counts[name]), int(cov.get(name, 0)))
    return out


def _villages(scope: Scope) -> list[tuple[int, str]]:
    return list(villages_for(scope).values_list("id", "name"))


def _rows(villages: list[tuple[int, str]], counts: VillageCounts) -> list[CoverageRow]:
    rows = [CoverageRow(pk, name, *counts.get(pk, (0, 0))) for pk, name in villages]
    total = CoverageRow(None, "", sum(r.people for r in rows), sum(r.covered for r in rows))
    return [*rows, total]


def coverage_by_village(scope: Scope, on: dt.date) -> list[CoverageRow]:
    """People present and people covered on ``on``, per village of the scope, with their
    total. Counted for the whole commune once per change of its data (``core/figures``)."""
    code = scope.commune_code
    counts = figures.counted(code, "coverage", lambda: count_coverage(code, [on]), on)
    return _rows(_villages(scope), counts.value[on])


def month_ends(until: dt.date, months: int) -> list[dt.date]:
    out = []
    year, month = until.year, until.month
    for _ in range(months):
        first_next = next_month(dt.date(year, month, 1))
        out.append(min(first_next - dt.timedelta(days=1), until))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return list(reversed(out))


def coverage_series(scope: Scope, until: dt.date, months: int = 12) -> list[tuple[dt.date, float]]:
    """The scope's coverage rate at the end of each of the last ``months`` months."""
    days = month_ends(until, months)
    code = scope.commune_code
    counts = figures.counted(
        code, "coverage-series", lambda: count_coverage(code, days), until, months
    )
    villages = _villages(scope)  # once, not once per month
    return [(day, _rows(villages, counts.value[day])[-1].rate) for day in days]
