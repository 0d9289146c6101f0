"""The ``cards`` import kind, on the loop the kinds of persons share
(:class:`~ansinh.imports.persons.PersonImport`): :meth:`CardsImport.read` reads each row (the
identifiers, the group, the period's dates), :meth:`CardsImport.matcher` finds its person and
:meth:`CardsImport.settle` the card period it repeats or corrects
(:mod:`ansinh.insurance.imports.matching`), and :meth:`CardsImport.write` writes the plan
through the insurance services (:func:`~ansinh.insurance.services.card_register`,
:func:`~ansinh.insurance.services.card_update`), each card audited like one entered on the form.

Every rule of those services is checked on the rows by their own
:func:`~ansinh.insurance.cards.card_errors` (the row's numbers and dates when it is read, the
number a new period needs once its person is known), so a row they would refuse is a problem
of the check, listed with its sheet row and column, never a failure of the import.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils.translation import gettext_lazy, gettext_noop

from ansinh.accounts.scopes import Scope
from ansinh.imports import values
from ansinh.imports.kinds import CREATE, INVALID, UPDATE, Column, Plan, Progress, Result
from ansinh.imports.persons import Cells, Matcher, Parsed, PersonImport, birth, write_each
from ansinh.insurance.cards import card_errors
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

_ORDER = {c.key: index for index, c in enumerate(COLUMNS)}  # a row's problems: by column


class CardsImport(PersonImport[Finder, CardRow]):
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

    finder = Finder

    def matcher(self, commune: Commune, finder: Finder) -> Matcher[CardRow]:
        by_number = card_numbers(commune)

        def match(plan: Plan, row: int, p: Parsed, cells: Cells) -> CardRow | None:
            person_id, holder_cccd, confirm = person_of(plan, row, p, cells, finder, by_number)
            if person_id is None:
                return None
            return CardRow(
                row=row,
                person_id=person_id,
                group_code=p["group"],
                valid_from=p["valid_from"],
                valid_to=p["valid_to"],
                paid_on=p["paid_on"],
                number=p["number"],
                legacy=p["legacy"],
                cccd=p["cccd"],
                holder_cccd=holder_cccd,
                confirm=confirm,
            )

        return match

    def settle(self, plan: Plan, commune: Commune, units: list[CardRow]) -> list[CardRow]:
        card_actions(plan, units)
        for unit in units:  # a new period: now its person is known, the number it needs
            if unit.action == CREATE and plan.actions.get(unit.row) != INVALID:
                fields = unit.fields()
                errors = card_errors(**fields, holder_cccd=unit.holder_cccd)
                for column, (message, params) in errors.items():
                    plan.problem(unit.row, column, fields[column], message, **params)
        invalid = plan.invalid_rows
        return [u for u in units if u.row not in invalid]

    def read(self, plan: Plan, row: int, cells: Cells) -> Parsed | None:
        before = len(plan.problems)
        cccd = values.digits(cells.get("cccd"), length=12)
        number = values.digits(cells.get("social_insurance_number"), length=10)
        legacy = re.sub(r"\s", "", values.text(cells.get("legacy_code"))).upper()
        name = values.text(cells.get("full_name"))
        code = values.text(cells.get("household_code")).upper()
        born, year_only = birth(plan, row, cells)
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
        unread = {p.column for p in plan.problems[before:]}  # not refused twice
        fields: dict[str, Any] = {
            "group_code": group,
            "valid_from": start,
            "valid_to": end,
            "social_insurance_number": number,
            "legacy_code": legacy,
            "cccd": cccd,
        }
        for column, (message, params) in card_errors(**fields, new=False).items():
            if column not in unread:
                plan.problem(row, column, cells.get(column), message, **params)
        mine = plan.problems[before:]  # listed in the order of the columns
        plan.problems[before:] = sorted(mine, key=lambda p: _ORDER.get(p.column, 0))
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

    def write(
        self,
        *,
        scope: Scope,
        commune: Commune,
        units: list[CardRow],
        note: str,
        progress: Progress,
    ) -> Result:
        persons = Person.objects.in_bulk([u.person_id for u in units if u.action == CREATE])
        cards = Card.objects.select_related("person").in_bulk(
            [u.card_id for u in units if u.action == UPDATE and u.card_id]
        )

        def create(unit: CardRow) -> None:
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

        def update(unit: CardRow) -> bool:
            if not unit.card_id:
                return False
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
            return True

        return write_each(units, progress, create=create, update=update)
