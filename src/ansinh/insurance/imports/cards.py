"""The ``cards`` import kind: :meth:`CardsImport.check` reads each row (the identifiers, the
group, the period's dates), finds its person and the card period it repeats or corrects
(:mod:`ansinh.insurance.imports.matching`), and :meth:`CardsImport.apply` writes the plan
through the insurance services (:func:`~ansinh.insurance.services.card_register`,
:func:`~ansinh.insurance.services.card_update`), each card audited like one entered on the form.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils.translation import gettext_lazy, gettext_noop

from ansinh.accounts.scopes import Scope
from ansinh.imports import values
from ansinh.imports.kinds import CREATE, UPDATE, Column, ImportKind, Plan, Progress, Result
from ansinh.insurance.choices import CardSource
from ansinh.insurance.imports.columns import (
    COLUMNS,
    IDENTIFIERS,
    LEGACY_CODE,
    CardRow,
    group_code,
)
from ansinh.insurance.imports.matching import card_actions, card_numbers, person_of
from ansinh.insurance.models import Card
from ansinh.insurance.services import card_register, card_update
from ansinh.places.models import Commune
from ansinh.registry.finder import Finder
from ansinh.registry.models import Person


class CardsImport(ImportKind):
    name = "cards"
    label = gettext_lazy("Health-insurance cards")
    description = gettext_lazy(
        "The social-insurance agency's card list, one row per card period: CCCD, social "
        "insurance number or card code (or the household code and name, or the name and "
        "date of birth), the group printed on the card, valid from, valid to, paid on."
    )
    matching = gettext_lazy(
        "A person is found by CCCD, else by a number on an earlier card, else by household "
        "code and name; one found only by name and date of birth is imported when you "
        "confirm it. A card period already recorded (same person, same first day) is "
        "unchanged, or corrected."
    )
    columns = COLUMNS

    def required_missing(self, mapping: dict[str, int], commune: Commune) -> list[Column]:
        missing = [
            c
            for c in super().required_missing(mapping, commune)
            if not (c.key == "group_code" and "legacy_code" in mapping)
        ]
        if not {*IDENTIFIERS, "full_name"} & set(mapping):
            missing.append(self.column("cccd"))
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
        read = []
        for row, cells in rows:
            parsed = self._read(plan, row, cells)
            if parsed is not None:
                read.append((row, parsed, cells))
        finder = Finder.load(
            commune.code,
            cccds=[p["cccd"] for _r, p, _c in read],
            codes=[p["code"] for _r, p, _c in read],
            names=[(p["name"], p["born"]) for _r, p, _c in read],
        )
        by_number = card_numbers(commune)
        units: list[CardRow] = []
        for done, (row, p, cells) in enumerate(read, start=1):
            if done % 2000 == 0:
                progress(done, total)
            person_id, confirm = person_of(plan, row, p, cells, finder, by_number)
            if person_id is None:
                continue
            units.append(
                CardRow(
                    row=row,
                    person_id=person_id,
                    group_code=p["group"],
                    valid_from=p["valid_from"],
                    valid_to=p["valid_to"],
                    paid_on=p["paid_on"],
                    number=p["number"],
                    legacy=p["legacy"],
                    cccd=p["cccd"],
                    confirm=confirm,
                )
            )
        card_actions(plan, units)
        invalid = plan.invalid_rows
        plan.units = [u for u in units if u.row not in invalid]
        progress(total, total)
        return plan

    def _read(self, plan: Plan, row: int, cells: dict[str, Any]) -> dict[str, Any] | None:
        before = len(plan.problems)
        cccd = values.digits(cells.get("cccd"), length=12)
        number = values.digits(cells.get("social_insurance_number"), length=10)
        legacy = re.sub(r"\s", "", values.text(cells.get("legacy_code"))).upper()
        name = values.text(cells.get("full_name"))
        code = values.text(cells.get("household_code")).upper()
        if number and not re.fullmatch(r"\d{10}", number):
            plan.problem(
                row,
                "social_insurance_number",
                cells.get("social_insurance_number"),
                gettext_noop("A social insurance number has 10 digits."),
            )
        if legacy and not LEGACY_CODE.match(legacy):
            plan.problem(
                row,
                "legacy_code",
                cells.get("legacy_code"),
                gettext_noop(
                    "A card code has 15 characters: 2 letters, benefit level 1–5, "
                    "2-digit province, 10 digits."
                ),
            )
        born: dt.date | None = None
        year_only = False
        if values.text(cells.get("date_of_birth")):
            try:
                born, year_only = values.date(cells.get("date_of_birth"))
            except values.CellError as exc:
                value = cells.get("date_of_birth")
                plan.problem(row, "date_of_birth", value, exc.message, **exc.params)
        if not (cccd or number or legacy or code or (name and born)):
            plan.problem(
                row,
                "cccd",
                "",
                gettext_noop(
                    "No personal ID, social insurance number or card code (nor household code "
                    "and name, nor name and date of birth) to find the person."
                ),
            )
        try:
            group = group_code(cells.get("group_code"), legacy if LEGACY_CODE.match(legacy) else "")
        except values.CellError as exc:
            plan.problem(row, "group_code", cells.get("group_code"), exc.message, **exc.params)
            group = ""
        dates: dict[str, dt.date | None] = {}
        for column in ("valid_from", "valid_to", "paid_on"):
            dates[column] = None
            if column == "paid_on" and not values.text(cells.get(column)):
                continue
            try:
                dates[column] = values.date(cells.get(column))[0]
            except values.CellError as exc:
                plan.problem(row, column, cells.get(column), exc.message, **exc.params)
        start, end = dates["valid_from"], dates["valid_to"]
        if start and end and end < start:
            plan.problem(
                row,
                "valid_to",
                cells.get("valid_to"),
                gettext_noop("The card ends before it starts."),
            )
        if len(plan.problems) > before or start is None or end is None:
            return None
        return {
            "cccd": cccd,
            "number": number,
            "legacy": legacy,
            "name": name,
            "code": code,
            "born": born,
            "year_only": year_only,
            "group": group,
            "valid_from": start,
            "valid_to": end,
            "paid_on": dates["paid_on"],
        }

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
        units: list[CardRow] = [u for u in plan.units if u.row not in skip]
        persons = Person.objects.in_bulk([u.person_id for u in units if u.action == CREATE])
        cards = Card.objects.select_related("person").in_bulk(
            [u.card_id for u in units if u.action == UPDATE and u.card_id]
        )
        for done, unit in enumerate(units, start=1):
            if unit.action == CREATE:
                card_register(
                    scope=scope,
                    person=persons[unit.person_id],
                    group_code=unit.group_code,
                    valid_from=unit.valid_from,
                    valid_to=unit.valid_to,
                    social_insurance_number=unit.number,
                    legacy_code=unit.legacy,
                    cccd=unit.cccd,
                    paid_on=unit.paid_on,
                    source=CardSource.IMPORTED,
                )
                result.created += 1
            elif unit.action == UPDATE and unit.card_id:
                card_update(
                    scope=scope,
                    card=cards[unit.card_id],
                    group_code=unit.group_code,
                    valid_to=unit.valid_to,
                    social_insurance_number=unit.number,
                    legacy_code=unit.legacy,
                    cccd=unit.cccd,
                    paid_on=unit.paid_on,
                    note=note,
                )
                result.updated += 1
            else:
                result.unchanged += 1
            if done % 500 == 0:
                progress(done, len(units))
        progress(len(units), len(units))
        return result
