"""The households kind: grouping the rows into households, checking each person as the forms
do, and writing new households and persons in bulk (changes through the services)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy, gettext_noop

from ansinh.accounts.scopes import Scope
from ansinh.core import audit, bulk
from ansinh.imports import values
from ansinh.imports.kinds import (
    CONFIRM,
    CREATE,
    INVALID,
    UNCHANGED,
    UPDATE,
    Column,
    ImportKind,
    Plan,
    Progress,
    Result,
)
from ansinh.places.models import Commune, Village
from ansinh.registry.choices import Ethnicity, Relationship
from ansinh.registry.imports.columns import (
    ADDRESS_MAX,
    BATCH,
    COLUMNS,
    ETHNIC_GROUPS,
    HOUSEHOLD_CODE_MAX,
    NAME_MAX,
    PERSON_COLUMNS,
    Group,
    Member,
)
from ansinh.registry.imports.matching import _Matcher, _NextCodes, _VillageFinder
from ansinh.registry.models import Household, Person
from ansinh.registry.services.common import HOUSEHOLD_FIELDS, PERSON_FIELDS
from ansinh.registry.services.households import household_update
from ansinh.registry.services.persons import person_update
from ansinh.registry.validation import PersonData, clean_person


class HouseholdsImport(ImportKind):
    name = "households"
    label = gettext_lazy("Households and members")
    description = gettext_lazy(
        "One row per person: name, date of birth, sex, relationship to the head, CCCD, "
        "village, address, phone, ethnicity. Members are grouped by household code, or by "
        "the rows under each head of household."
    )
    matching = gettext_lazy(
        "A person is matched by CCCD, a household by its code; a household found only by "
        "its head's name and date of birth is applied when you confirm it."
    )
    columns = COLUMNS

    def required_missing(self, mapping: dict[str, int], commune: Commune) -> list[Column]:
        missing = super().required_missing(mapping, commune)
        has_birth = "date_of_birth" in mapping or {"birth_male", "birth_female"} <= set(mapping)
        if not has_birth:
            missing.append(self.column("date_of_birth"))
        if "sex" not in mapping and not {"birth_male", "birth_female"} <= set(mapping):
            missing.append(self.column("sex"))
        if "village" not in mapping and Village.objects.filter(commune=commune).count() != 1:
            missing.append(self.column("village"))
        return missing

    # ------------------------------------------------------------------ check

    def check(
        self,
        *,
        scope: Scope,
        commune: Commune,
        rows: list[tuple[int, dict[str, Any]]],
        progress: Progress,
    ) -> Plan:
        plan = Plan()
        total = len(rows)
        villages = _VillageFinder(commune)
        groups = self._group(plan, rows, villages, progress, total)
        _Matcher(commune, plan).match(groups)
        for group in groups:
            if group.invalid:
                continue
            for member in group.members:
                if plan.actions.get(member.row) == INVALID:
                    continue
                if group.confirm and not _nothing_to_write(group):
                    plan.actions[member.row] = CONFIRM
                elif member.person_id is None:
                    plan.actions[member.row] = CREATE
                elif member.changed or (
                    member.data.relationship == Relationship.HEAD and group.household_changes
                ):
                    plan.actions[member.row] = UPDATE
                else:
                    plan.actions[member.row] = UNCHANGED
        plan.units = [g for g in groups if not g.invalid]
        progress(total, total)
        return plan

    def _group(
        self,
        plan: Plan,
        rows: list[tuple[int, dict[str, Any]]],
        villages: _VillageFinder,
        progress: Progress,
        total: int,
    ) -> list[Group]:
        groups: list[Group] = []
        by_code: dict[str, Group] = {}
        current: Group | None = None
        today = timezone.localdate()  # once, not once per row
        for done, (row, cells) in enumerate(rows, start=1):
            if done % 2000 == 0:
                progress(done, total)
            data = self._person(plan, row, cells, today)
            code = values.text(cells.get("household_code")).upper()
            if len(code) > HOUSEHOLD_CODE_MAX:
                plan.problem(
                    row,
                    "household_code",
                    code,
                    gettext_noop("At most %(n)s characters."),
                    n=HOUSEHOLD_CODE_MAX,
                )
                code = ""
            is_head = data is not None and data.relationship == Relationship.HEAD
            if code:
                group = by_code.get(code)
                if group is None:
                    group = by_code[code] = Group(code=code)
                    groups.append(group)
            elif is_head or current is None or (data is None and _looks_like_head(cells)):
                group = Group()
                groups.append(group)
            else:
                group = current
            current = group
            group.rows.append(row)
            self._household_cells(plan, group, row, cells, villages)
            if data is not None:
                group.members.append(Member(row=row, data=data))
        for group in groups:
            self._check_group(plan, group, villages)
        return groups

    def _person(
        self, plan: Plan, row: int, cells: dict[str, Any], today: dt.date
    ) -> PersonData | None:
        """The person of a row, cleaned as the forms clean it; None (and problems) if bad."""
        before = len(plan.problems)
        name = values.text(cells.get("full_name"))
        if not name:
            plan.problem(row, "full_name", "", gettext_noop("The name is empty."))
        elif len(name) > NAME_MAX:
            plan.problem(
                row, "full_name", name, gettext_noop("At most %(n)s characters."), n=NAME_MAX
            )
        sex = ""
        born: dt.date | None = None
        by_sex = False  # a year of birth in the "Nam" or "Nữ" column
        for column, column_sex in (("birth_male", "male"), ("birth_female", "female")):
            if column in cells and values.text(cells[column]):
                sex, by_sex = column_sex, True
                born = self._date(plan, row, column, cells[column])
        if "date_of_birth" in cells and values.text(cells["date_of_birth"]):
            born = self._date(plan, row, "date_of_birth", cells["date_of_birth"])
        elif born is None and not by_sex:
            plan.problem(row, "date_of_birth", "", gettext_noop("The date of birth is empty."))
        if "sex" in cells:
            try:
                sex = values.sex(cells.get("sex"))
            except values.CellError as exc:
                if not sex:
                    plan.problem(row, "sex", cells.get("sex"), exc.message, **exc.params)
        try:
            relationship = values.relationship(cells.get("relationship"))
        except values.CellError as exc:
            plan.problem(row, "relationship", cells.get("relationship"), exc.message, **exc.params)
            relationship = ""
        try:
            ethnicity = values.ethnicity(cells.get("ethnicity"), ETHNIC_GROUPS)
        except values.CellError as exc:
            plan.problem(row, "ethnicity", cells.get("ethnicity"), exc.message, **exc.params)
            ethnicity = Ethnicity.KINH
        if len(plan.problems) > before or born is None:
            return None
        data = PersonData(
            full_name=name,
            date_of_birth=born,
            sex=sex,
            relationship=relationship,
            ethnicity=ethnicity,
            cccd=values.digits(cells.get("cccd"), length=12),
            phone=values.phone(cells.get("phone")),
        )
        try:
            return clean_person(data, today=today)
        except ValidationError as exc:
            for name_, messages in exc.message_dict.items():
                column = name_ if name_ in PERSON_COLUMNS else "full_name"
                if name_ == "date_of_birth" and "date_of_birth" not in cells:
                    column = "birth_male" if sex == "male" else "birth_female"
                for message in messages:
                    plan.problem(row, column, cells.get(column), message)
            return None

    @staticmethod
    def _date(plan: Plan, row: int, column: str, value: Any) -> dt.date | None:
        try:
            return values.date(value)[0]
        except values.CellError as exc:
            plan.problem(row, column, value, exc.message, **exc.params)
            return None

    @staticmethod
    def _household_cells(
        plan: Plan, group: Group, row: int, cells: dict[str, Any], villages: _VillageFinder
    ) -> None:
        """Village, address and the head's phone: the first value in the group holds for
        the rows under it; a different value on a later row is a problem."""
        raw_village = values.text(cells.get("village"))
        if raw_village:
            village = villages.find(raw_village)
            if village is None:
                plan.problem(
                    row,
                    "village",
                    raw_village,
                    gettext_noop(
                        "“%(value)s” is not a village of this commune (add it first, or "
                        "correct the name)."
                    ),
                    value=raw_village[:60],
                )
            elif group.village is None:
                group.village = village
            elif group.village != village:
                plan.problem(
                    row,
                    "village",
                    raw_village,
                    gettext_noop("A member in another village than the household (%(village)s)."),
                    village=group.village.name,
                )
        address = values.text(cells.get("address"))
        if len(address) > ADDRESS_MAX:
            plan.problem(
                row, "address", address, gettext_noop("At most %(n)s characters."), n=ADDRESS_MAX
            )
        elif address and not group.address:
            group.address = address

    def _check_group(self, plan: Plan, group: Group, villages: _VillageFinder) -> None:
        if group.village is None:
            group.village = villages.only
        heads = [m for m in group.members if m.data.relationship == Relationship.HEAD]
        first = group.rows[0]
        reason = ""
        if group.village is None:
            if not any(plan.actions.get(r) == INVALID for r in group.rows):
                plan.problem(first, "village", "", gettext_noop("The village is empty."))
            reason = gettext_noop("The household's village is missing or wrong (row %(row)s).")
        elif len(heads) > 1:
            for member in heads[1:]:
                plan.problem(
                    member.row,
                    "relationship",
                    "Chủ hộ",
                    gettext_noop(
                        "A second head of household in the same household (row %(head)s)."
                    ),
                    head=heads[0].row,
                )
            reason = gettext_noop("The household has two heads (row %(row)s).")
        elif not heads:
            head_rows = [r for r in group.rows if plan.actions.get(r) == INVALID]
            if head_rows:
                reason = gettext_noop(
                    "The row of the head of household has a problem (row %(row)s)."
                )
                first = head_rows[0]
            else:
                plan.problem(
                    first,
                    "relationship",
                    "",
                    gettext_noop("This household has no head (“Chủ hộ”) in the file."),
                )
                reason = gettext_noop("The household has no head (row %(row)s).")
        if reason:
            group.invalid = True
            for row in group.rows:
                if plan.actions.get(row) != INVALID:
                    plan.problem(row, "", "", reason, row=first)
        else:
            head = heads[0]
            group.phone = head.data.phone

    # ------------------------------------------------------------------ apply

    def apply(
        self,
        *,
        scope: Scope,
        commune: Commune,
        plan: Plan,
        skip: set[int],
        note: str,
        progress: Progress,
    ) -> Result:
        result = Result()
        groups: list[Group] = [g for g in plan.units if not set(g.rows) <= skip]
        total = sum(len(g.members) for g in groups)
        done = 0
        new_groups = [g for g in groups if g.household_id is None]
        self._create_households(scope, commune, new_groups, skip, note)
        # the new persons, built and written a batch at a time (100,000 model instances at
        # once would take some 100 MB)
        wanted = [
            (group, member)
            for group in groups
            for member in group.members
            if member.row not in skip and member.person_id is None
        ]
        for start in range(0, len(wanted), BATCH):
            batch = [
                Person(
                    household_id=group.household_id,  # type: ignore[misc]
                    commune_id=commune.code,
                    village_id=group.village.pk,  # type: ignore[union-attr]
                    **member.data.as_model_fields(),
                )
                for group, member in wanted[start : start + BATCH]
            ]
            bulk.create_all(Person, batch)
            audit.created_many(
                scope,
                batch,
                PERSON_FIELDS,
                commune_code=commune.code,
                household_id=lambda p: p.household_id,
                note=note,
            )
            done += len(batch)
            progress(done, total)
        result.created = len(wanted)
        result.updated, result.unchanged = self._update(scope, groups, skip)
        progress(total, total)
        return result

    @staticmethod
    def _create_households(
        scope: Scope, commune: Commune, groups: list[Group], skip: set[int], note: str
    ) -> None:
        groups = [g for g in groups if any(m.row not in skip for m in g.members)]
        heads_skipped = [
            g
            for g in groups
            if any(m.row in skip and m.data.relationship == Relationship.HEAD for m in g.members)
        ]
        for group in heads_skipped:  # a household is not created without its head
            skip.update(group.rows)
        groups = [g for g in groups if g not in heads_skipped]
        next_number = _NextCodes(commune)
        households = []
        for group in groups:
            village = group.village
            assert village is not None
            households.append(
                Household(
                    commune_id=commune.code,
                    village=village,
                    code=group.code or next_number(village),
                    address=group.address,
                    phone=group.phone,
                )
            )
        for start in range(0, len(households), BATCH):
            batch = households[start : start + BATCH]
            bulk.create_all(Household, batch)
            audit.created_many(
                scope,
                batch,
                HOUSEHOLD_FIELDS,
                commune_code=commune.code,
                household_id=lambda h: h.pk,
                note=note,
            )
        for group, household in zip(groups, households, strict=True):
            group.household_id = household.pk

    @staticmethod
    def _update(scope: Scope, groups: list[Group], skip: set[int]) -> tuple[int, int]:
        updated = unchanged = 0
        for group in groups:
            if group.household_id is None:
                continue
            if group.household_changes and not set(group.rows) & skip:
                household = Household.objects.get(pk=group.household_id)
                household_update(scope=scope, household=household, **group.household_changes)
            for member in group.members:
                if member.row in skip or member.person_id is None:
                    continue
                if member.changed:
                    person = Person.objects.get(pk=member.person_id)
                    person_update(
                        scope=scope, person=person, data=member.data, confirm_duplicate=True
                    )
                    updated += 1
                else:
                    unchanged += 1
        return updated, unchanged


def _nothing_to_write(group: Group) -> bool:
    """A household matched by name whose file rows would change nothing: there is nothing
    for the officer to confirm (re-importing a list without household codes)."""
    return (
        group.household_id is not None
        and not group.household_changes
        and all(m.person_id is not None and not m.changed for m in group.members)
    )


def _looks_like_head(cells: dict[str, Any]) -> bool:
    try:
        return values.relationship(cells.get("relationship")) == Relationship.HEAD
    except values.CellError:
        return False
