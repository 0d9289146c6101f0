"""Whom and what a card list's rows are about: the person of each row (:func:`person_of` —
by CCCD, else by a number on an earlier card of the commune (:func:`card_numbers`), else by
household code and name, else by name and date of birth, a match the officer confirms), and
the card period already recorded for that person and first day (:func:`card_actions` — a new
period, unchanged, or corrected; the same period twice in the file is a problem).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_noop

from ansinh.imports.kinds import CREATE, UNCHANGED, UPDATE, Plan
from ansinh.imports.persons import decide, note_match_by_name
from ansinh.insurance.imports.columns import IDENTIFIERS, CardRow
from ansinh.insurance.models import Card
from ansinh.places.models import Commune
from ansinh.registry.finder import NOT_FOUND, Finder

_KEYS = {
    "cccd": "cccd",
    "social_insurance_number": "number",
    "legacy_code": "legacy",
    "full_name": "name",
}


def card_numbers(commune: Commune) -> dict[str, int]:
    """Social-insurance numbers and card codes on the commune's cards → their person."""
    by_number: dict[str, int] = {}
    for number, legacy, person_id in Card.objects.filter(commune=commune).values_list(
        "social_insurance_number", "legacy_code", "person_id"
    ):
        for key in (number, legacy):
            if key:
                by_number[key] = person_id
    return by_number


def person_of(
    plan: Plan,
    row: int,
    p: dict[str, Any],
    cells: dict[str, Any],
    finder: Finder,
    by_number: dict[str, int],
) -> tuple[int | None, str, bool]:
    """(the person of the row, the personal ID recorded for them ("" when none, or when found
    by a number on their card), found only by name), or (None, …) and a problem."""
    if p["cccd"] and p["cccd"] in finder.by_cccd:
        found = finder.find(cccd=p["cccd"])
    elif by_number.get(p["number"]) or by_number.get(p["legacy"]):
        if p["cccd"]:  # the card's holder has another CCCD (or none): not written over it
            plan.problem(
                row,
                "cccd",
                cells.get("cccd"),
                gettext_noop(
                    "The card number belongs to a person of the commune, but this personal "
                    "ID is not theirs: check the row."
                ),
            )
            return None, "", False
        return by_number.get(p["number"]) or by_number[p["legacy"]], "", False
    elif p["code"] or (p["name"] and p["born"]):
        found = finder.find(
            code=p["code"], name=p["name"], born=p["born"], year_only=p["year_only"]
        )
    else:
        found = None
    if found is not None and found.person is not None:
        if found.confirm:
            note_match_by_name(plan, row, p["name"])
        return int(found.person["pk"]), found.person["cccd"] or "", found.confirm
    if found is not None and found.problem is not None and found.problem[1] != NOT_FOUND:
        column, message, params = found.problem
        plan.problem(row, column, cells.get(column), message, **params)
        return None, "", False
    column = next((c for c in (*IDENTIFIERS, "full_name") if p.get(_KEYS[c])), "cccd")
    plan.problem(
        row,
        column,
        cells.get(column),
        gettext_noop(
            "No person of this commune has this personal ID, card number, or name and "
            "date of birth: import the households first."
        ),
    )
    return None, "", False


def card_actions(plan: Plan, units: list[CardRow]) -> None:
    ids = sorted({u.person_id for u in units})
    recorded: dict[tuple[int, dt.date], dict[str, Any]] = {}
    for start in range(0, len(ids), 900):
        for row in Card.objects.filter(person_id__in=ids[start : start + 900]).values(
            "pk",
            "person_id",
            "valid_from",
            "valid_to",
            "group_code",
            "paid_on",
            "social_insurance_number",
            "legacy_code",
            "cccd",
        ):
            recorded[(row["person_id"], row["valid_from"])] = dict(row)
    seen: dict[tuple[int, dt.date], int] = {}
    for unit in units:
        key = (unit.person_id, unit.valid_from)
        if key in seen:
            plan.problem(
                unit.row,
                "valid_from",
                f"{unit.valid_from:%d/%m/%Y}",
                gettext_noop("The same card period is on row %(row)s of the file."),
                row=seen[key],
            )
            continue
        seen[key] = unit.row
        found = recorded.get(key)
        if found is None:
            unit.action = CREATE
        else:
            card = found
            unit.card_id = card["pk"]
            changed = (
                unit.group_code != card["group_code"]
                or unit.valid_to != card["valid_to"]
                or (unit.paid_on is not None and unit.paid_on != card["paid_on"])
                or (unit.number and unit.number != card["social_insurance_number"])
                or (unit.legacy and unit.legacy != card["legacy_code"])
                or (unit.cccd and unit.cccd != card["cccd"])
            )
            unit.action = UPDATE if changed else UNCHANGED
        decide(plan, unit)
