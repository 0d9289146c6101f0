"""Finding the file's households and persons among the recorded ones, the villages by what
officers write, and the next free household codes."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.utils.translation import gettext_noop

from ansinh.core.text import fold
from ansinh.imports import values
from ansinh.imports.kinds import (
    INVALID,
    Plan,
)
from ansinh.places.models import Commune, Village
from ansinh.registry.choices import LifeStatus, Relationship
from ansinh.registry.imports.columns import PERSON_COLUMNS, Group
from ansinh.registry.models import Household, Person
from ansinh.registry.validation import PersonData


class _VillageFinder:
    """A village by what officers write: "Ấp Cây Cầy", "ấp cây cầy", "Cây Cầy", "Ap 3", "3",
    or its short code."""

    PREFIXES = ("ap", "thon", "khu pho", "to dan pho", "to", "xom", "ban", "buon", "kp", "tdp")

    def __init__(self, commune: Commune) -> None:
        self.by_key: dict[str, Village] = {}
        found = list(Village.objects.filter(commune=commune, is_active=True))
        for village in found:
            for key in {values.key(village.name), values.key(village.code)}:
                self.by_key.setdefault(key, village)
                self.by_key.setdefault(self._bare(key), village)
        self.only = found[0] if len(found) == 1 else None
        self.cache: dict[str, Village | None] = {}

    def _bare(self, key: str) -> str:
        for prefix in sorted(self.PREFIXES, key=len, reverse=True):
            if key.startswith(prefix + " "):
                return key[len(prefix) + 1 :]
        return key

    def find(self, raw: str) -> Village | None:
        if raw not in self.cache:
            key = values.key(raw)
            self.cache[raw] = self.by_key.get(key) or self.by_key.get(self._bare(key))
        return self.cache[raw]


class _NextCodes:
    """The next free household code of each village (VILLAGECODE-NNNN), counted in memory."""

    def __init__(self, commune: Commune) -> None:
        self.commune = commune
        self.next: dict[int, int] = {}
        self.taken = set(Household.objects.filter(commune=commune).values_list("code", flat=True))

    def __call__(self, village: Village) -> str:
        if village.pk not in self.next:
            prefix = f"{village.code}-"
            highest = 0
            for code in self.taken:
                if code.startswith(prefix) and code[len(prefix) :].isdigit():
                    highest = max(highest, int(code[len(prefix) :]))
            self.next[village.pk] = highest + 1
        while True:
            code = f"{village.code}-{self.next[village.pk]:04d}"
            self.next[village.pk] += 1
            if code not in self.taken:
                self.taken.add(code)
                return code


class _Matcher:
    """Finds what the file's households and persons are among the recorded ones."""

    def __init__(self, commune: Commune, plan: Plan) -> None:
        self.commune, self.plan = commune, plan

    def match(self, groups: list[Group]) -> None:
        live = [g for g in groups if not g.invalid]
        self._file_duplicates(live)
        codes = {g.code for g in live if g.code}
        households: dict[str, tuple[int, int, str, str]] = {}
        ordered = sorted(codes)
        for start in range(0, len(ordered), 900):
            for code, pk, village_id, address, phone in Household.objects.filter(
                commune=self.commune, code__in=ordered[start : start + 900]
            ).values_list("code", "pk", "village_id", "address", "phone"):
                households[code] = (pk, village_id, address, phone)
        cccds = [m.data.cccd for g in live for m in g.members if m.data.cccd]
        by_cccd = self._by_cccd(cccds)
        here = self.commune.code
        # only the households found neither by code nor by a CCCD are looked for by name
        people = self._people_by_name(
            [
                g
                for g in live
                if g.code not in households
                and not any(by_cccd.get(m.data.cccd, (0, 0, 0))[2] == here for m in g.members)
            ]
        )
        for group in live:
            self._find_household(group, households, by_cccd, people)
        # the matched households and their members, compared a batch at a time (a whole
        # commune's members at once would take hundreds of MB)
        found = [g for g in live if g.household_id is not None]
        found.sort(key=lambda g: g.household_id or 0)
        for start in range(0, len(found), 900):
            batch = found[start : start + 900]
            recorded, members = self._recorded(sorted({g.household_id or 0 for g in batch}))
            for group in batch:
                if group.household_id in recorded:
                    self._compare(group, recorded[group.household_id], members[group.household_id])

    def _file_duplicates(self, groups: list[Group]) -> None:
        seen: dict[str, int] = {}
        for group in groups:
            for member in group.members:
                cccd = member.data.cccd
                if not cccd:
                    continue
                if cccd in seen:
                    self.plan.problem(
                        member.row,
                        "cccd",
                        cccd,
                        gettext_noop("The same personal ID is on row %(row)s of the file."),
                        row=seen[cccd],
                    )
                else:
                    seen[cccd] = member.row

    def _by_cccd(self, cccds: list[str]) -> dict[str, tuple[int, int, int]]:
        """CCCD → (person, household, commune) for every recorded person with one of them."""
        found: dict[str, tuple[int, int, int]] = {}
        for start in range(0, len(cccds), 900):
            chunk = cccds[start : start + 900]
            for cccd, pk, household_id, commune_id in Person.objects.filter(
                cccd__in=chunk
            ).values_list("cccd", "pk", "household_id", "commune_id"):
                found[str(cccd)] = (pk, household_id, commune_id)
        return found

    def _people_by_name(self, groups: list[Group]) -> dict[tuple[str, dt.date], list[Any]]:
        """(folded name, date of birth) → recorded persons of the commune with them."""
        wanted = {(fold(m.data.full_name), m.data.date_of_birth) for g in groups for m in g.members}
        if not wanted:
            return {}
        found: dict[tuple[str, dt.date], list[Any]] = defaultdict(list)
        names = sorted({name for name, _ in wanted})
        for start in range(0, len(names), 900):
            for pk, household_id, name, born, cccd in Person.objects.filter(
                commune=self.commune, folded_name__in=names[start : start + 900]
            ).values_list("pk", "household_id", "folded_name", "date_of_birth", "cccd"):
                if (name, born) in wanted:
                    found[(name, born)].append(
                        {"pk": pk, "household_id": household_id, "cccd": cccd}
                    )
        return found

    @staticmethod
    def _recorded(
        ids: list[int],
    ) -> tuple[dict[int, dict[str, Any]], dict[int, list[dict[str, Any]]]]:
        """The matched households and their members, read in batches."""
        households: dict[int, dict[str, Any]] = {}
        members: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            for row in Household.objects.filter(pk__in=chunk).values(
                "pk", "village_id", "address", "phone", "code"
            ):
                households[row["pk"]] = dict(row)
            for row in Person.objects.filter(household_id__in=chunk).values(
                "pk",
                "household_id",
                "folded_name",
                "date_of_birth",
                "cccd",
                *PERSON_COLUMNS,
                "bank",
                "bank_account_number",
                "bank_account_holder",
                "life_status",
            ):
                members[row["household_id"]].append(row)
        return households, members

    def _find_household(
        self,
        group: Group,
        households: dict[str, tuple[int, int, str, str]],
        by_cccd: dict[str, tuple[int, int, int]],
        people: dict[tuple[str, dt.date], list[Any]],
    ) -> None:
        plan = self.plan
        # 1. the household: by code, else by a member's CCCD, else by name + birth (confirm)
        household_id = households[group.code][0] if group.code in households else None
        for member in group.members:
            hit = by_cccd.get(member.data.cccd) if member.data.cccd else None
            if hit is None:
                continue
            _pk, hh, commune_id = hit
            if commune_id != self.commune.code:
                plan.problem(
                    member.row,
                    "cccd",
                    member.data.cccd,
                    gettext_noop("This personal ID is already registered elsewhere."),
                )
            elif household_id is None:
                household_id = hh
            elif hh != household_id:
                plan.problem(
                    member.row,
                    "cccd",
                    member.data.cccd,
                    gettext_noop(
                        "This person is recorded in another household: change households "
                        "on the household page (split or move), not by an import."
                    ),
                )
        confirm_note: tuple[str, dict[str, Any]] | None = None
        if household_id is None:
            for member in group.members:
                hits = [
                    p
                    for p in people.get(
                        (fold(member.data.full_name), member.data.date_of_birth), []
                    )
                    if not (p["cccd"] and member.data.cccd and p["cccd"] != member.data.cccd)
                ]
                if len(hits) == 1:
                    household_id = hits[0]["household_id"]
                    group.confirm = True
                    confirm_note = (
                        gettext_noop(
                            "Matched only by name and date of birth (%(name)s): "
                            "confirm it is the same household."
                        ),
                        {"name": member.data.full_name},
                    )
                    break
        if household_id is None:
            self._new_group_duplicates(group, people)
            return
        group.household_id = household_id
        if confirm_note:
            for member in group.members:
                self.plan.notes[member.row] = confirm_note

    def _compare(
        self, group: Group, recorded: dict[str, Any], recorded_members: list[dict[str, Any]]
    ) -> None:
        """What the file changes in a matched household: its own fields (an empty cell never
        erases) and its members, found by CCCD, else by name and date of birth in it."""
        plan = self.plan
        if group.village is not None and group.village.pk != recorded["village_id"]:
            group.household_changes["village"] = group.village
        if group.address and group.address != recorded["address"]:
            group.household_changes["address"] = group.address
        # the members: by CCCD, else by name and birth inside the household
        for member in group.members:
            if plan.actions.get(member.row) == INVALID:
                continue
            match = None
            if member.data.cccd:
                match = next((p for p in recorded_members if p["cccd"] == member.data.cccd), None)
            if match is None:
                key = (fold(member.data.full_name), member.data.date_of_birth)
                match = next(
                    (
                        p
                        for p in recorded_members
                        if (p["folded_name"], p["date_of_birth"]) == key
                        and not (p["cccd"] and member.data.cccd)
                    ),
                    None,
                )
            if match is None:
                if member.data.relationship == Relationship.HEAD and any(
                    p["relationship"] == Relationship.HEAD and p["life_status"] == LifeStatus.LIVING
                    for p in recorded_members
                ):
                    plan.problem(
                        member.row,
                        "relationship",
                        "Chủ hộ",
                        gettext_noop(
                            "The household already has another head: change the head on "
                            "the household page first."
                        ),
                    )
                continue
            member.person_id = match["pk"]
            member.data = _merged(member.data, match)
            member.changed = (
                any(
                    getattr(member.data, name) != (match[name] or "")
                    for name in PERSON_COLUMNS
                    if name != "date_of_birth"
                )
                or member.data.date_of_birth != match["date_of_birth"]
            )
            if (
                member.changed
                and member.data.relationship != match["relationship"]
                and (Relationship.HEAD in (member.data.relationship, match["relationship"]))
            ):
                plan.problem(
                    member.row,
                    "relationship",
                    member.data.relationship,
                    gettext_noop(
                        "Change the head of household on the household page, not by an import."
                    ),
                )

    def _new_group_duplicates(
        self, group: Group, people: dict[tuple[str, dt.date], list[Any]]
    ) -> None:
        """A new household's member with the name and birth date of a recorded person of the
        commune: the officer confirms they are different people (as on the form)."""
        for member in group.members:
            hits = people.get((fold(member.data.full_name), member.data.date_of_birth), [])
            if hits:
                group.confirm = True
                self.plan.notes[member.row] = (
                    gettext_noop(
                        "A person with the same name and date of birth is already registered "
                        "(%(name)s): confirm these are different people."
                    ),
                    {"name": member.data.full_name},
                )


def _merged(data: PersonData, recorded: dict[str, Any]) -> PersonData:
    """The file's values, with what the file leaves empty kept as recorded."""
    keep = {}
    for name in ("cccd", "phone"):
        if not getattr(data, name) and recorded.get(name):
            keep[name] = recorded[name]
    for name in ("bank", "bank_account_number", "bank_account_holder"):
        keep[name] = recorded.get(name) or ""
    return data.changed(keep) if keep else data
