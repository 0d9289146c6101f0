"""Finding the registry's persons and households from the rows of a commune's own lists
(the poverty list, the allowance recipients, the health-insurance cards): by CCCD, else by
household code (and the name inside the household), else by folded name and date of birth —
a match the officer confirms.

The lookups are loaded in a few queries for a whole file (:meth:`Finder.load`), then each row
is found in memory. A row found nowhere gets a problem that says what was looked for and that
the households are imported first; a CCCD recorded in another commune is refused without
naming anything of that person.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_noop

from ansinh.core.text import fold
from ansinh.registry.models import Household, Person

CHUNK = 900  # PostgreSQL and SQLite both take this many parameters
PERSON_VALUES = (
    "pk",
    "household_id",
    "commune_id",
    "village_id",
    "full_name",
    "folded_name",
    "date_of_birth",
    "cccd",
    "life_status",
    "relationship",
)


NOT_FOUND = gettext_noop(
    "No one in the registry of this commune has this CCCD, household code or name and date "
    "of birth: import the households first."
)


@dataclass
class Found:
    """What a row matched: a person (and their household), or only a household (``code`` of
    a list of households), or a problem ``(column, message, params)``. ``confirm``: matched
    only by name and date of birth."""

    person: dict[str, Any] | None = None
    household_id: int | None = None
    confirm: bool = False
    problem: tuple[str, str, dict[str, Any]] | None = None


def folded(name: str) -> str:
    return fold(" ".join((name or "").split()))


@dataclass
class Finder:
    """Persons and households of ``commune_code`` for the CCCDs, codes and names of a file."""

    commune_code: int
    by_cccd: dict[str, dict[str, Any]] = field(default_factory=dict)
    households: dict[str, int] = field(default_factory=dict)  # code -> household
    members: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # household -> persons
    by_name: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # folded name

    @classmethod
    def load(
        cls,
        commune_code: int,
        *,
        cccds: Iterable[str] = (),
        codes: Iterable[str] = (),
        names: Iterable[tuple[str, dt.date | None]] = (),
    ) -> Finder:
        finder = cls(commune_code)
        wanted_cccds = sorted({c for c in cccds if c})
        for start in range(0, len(wanted_cccds), CHUNK):
            for row in Person.objects.filter(cccd__in=wanted_cccds[start : start + CHUNK]).values(
                *PERSON_VALUES
            ):
                finder.by_cccd[row["cccd"]] = row
        wanted_codes = sorted({c.upper() for c in codes if c})
        for start in range(0, len(wanted_codes), CHUNK):
            finder.households.update(
                Household.objects.filter(
                    commune_id=commune_code, code__in=wanted_codes[start : start + CHUNK]
                ).values_list("code", "pk")
            )
        ids = sorted(set(finder.households.values()))
        grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for start in range(0, len(ids), CHUNK):
            for row in Person.objects.filter(household_id__in=ids[start : start + CHUNK]).values(
                *PERSON_VALUES
            ):
                grouped[row["household_id"]].append(row)
        finder.members = dict(grouped)
        wanted_names = sorted({folded(n) for n, _born in names if n})
        by_name: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for start in range(0, len(wanted_names), CHUNK):
            for row in Person.objects.filter(
                commune_id=commune_code, folded_name__in=wanted_names[start : start + CHUNK]
            ).values(*PERSON_VALUES):
                by_name[row["folded_name"]].append(row)
        finder.by_name = dict(by_name)
        return finder

    def find(
        self,
        *,
        cccd: str = "",
        code: str = "",
        name: str = "",
        born: dt.date | None = None,
        year_only: bool = False,
        household_only: bool = False,
    ) -> Found:
        """The person of a row (``household_only``: the household the row names, by any of
        its members). ``year_only``: the file gives only the year of birth.
        Long on purpose: the matching rules one after another, in the order they are tried."""

        def same_birth(person: dict[str, Any]) -> bool:
            if born is None:
                return True
            if year_only:
                return bool(person["date_of_birth"].year == born.year)
            return bool(person["date_of_birth"] == born)

        if cccd and cccd in self.by_cccd:
            hit = self.by_cccd[cccd]
            if hit["commune_id"] != self.commune_code:
                return Found(
                    problem=(
                        "cccd",
                        gettext_noop("This personal ID is already registered elsewhere."),
                        {},
                    )
                )
            return Found(person=hit, household_id=hit["household_id"])
        key = folded(name)
        if code:
            household_id = self.households.get(code.upper())
            if household_id is None:
                return Found(
                    problem=(
                        "household_code",
                        gettext_noop(
                            "No household of this commune has the code %(code)s: import the "
                            "households first, or correct the code."
                        ),
                        {"code": code},
                    )
                )
            members = self.members.get(household_id, [])
            hits = [p for p in members if key and p["folded_name"] == key and same_birth(p)]
            if household_only and (not key or hits):
                return Found(person=hits[0] if hits else None, household_id=household_id)
            if len(hits) == 1:
                return Found(person=hits[0], household_id=household_id)
            if len(hits) > 1:
                return Found(
                    problem=(
                        "full_name",
                        gettext_noop(
                            "Several members of household %(code)s have this name: add the "
                            "CCCD or the date of birth."
                        ),
                        {"code": code},
                    )
                )
            return Found(
                problem=(
                    "full_name",
                    gettext_noop(
                        "Household %(code)s has no member named %(name)s born on %(born)s."
                    ),
                    {"code": code, "name": name, "born": _day(born, year_only)},
                )
                if born
                else (
                    "full_name",
                    gettext_noop("Household %(code)s has no member named %(name)s."),
                    {"code": code, "name": name},
                )
            )
        if key and born is not None:
            hits = [p for p in self.by_name.get(key, []) if same_birth(p)]
            if len(hits) == 1:
                return Found(person=hits[0], household_id=hits[0]["household_id"], confirm=True)
            if len(hits) > 1:
                return Found(
                    problem=(
                        "full_name",
                        gettext_noop(
                            "%(count)s persons of this commune have this name and date of birth: "
                            "add the CCCD or the household code."
                        ),
                        {"count": len(hits)},
                    )
                )
        column = "cccd" if cccd else ("full_name" if key else "cccd")
        return Found(problem=(column, NOT_FOUND, {}))


def _day(day: dt.date | None, year_only: bool = False) -> str:
    if day is None:
        return ""
    return str(day.year) if year_only else f"{day:%d/%m/%Y}"
