"""The rules engine beside an allowance list: for each decision's month, one computation of
what the engine gives each row's person and group (:mod:`ansinh.assistance.entitlement`); a
difference from the file's amount — which is what is imported — is a note on the preview, and
a month the engine refuses (a policy value missing) gives only its own rows a note saying so.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.utils.translation import gettext_noop

from ansinh.assistance.entitlement import CaseInput, compute_cases, household_statuses
from ansinh.assistance.imports.cells import group_label, in_vietnamese
from ansinh.assistance.imports.columns import Recipient
from ansinh.core.money import format_vnd
from ansinh.core.periods import first_of_month
from ansinh.imports.kinds import Plan
from ansinh.places.models import Commune
from ansinh.poverty.classification import refusal_message
from ansinh.rules.errors import RulesError


def compare_with_engine(plan: Plan, commune: Commune, units: list[Recipient]) -> None:
    """The rules engine's amount in each decision's month, beside the file's: every
    difference is a note. One computation per month; a month the engine refuses (a
    policy value missing) gives its rows a note saying so."""
    by_month: dict[dt.date, list[Recipient]] = defaultdict(list)
    for unit in units:
        by_month[first_of_month(unit.decision_date)].append(unit)
    province = commune.province_id
    lang = "vi" if in_vietnamese() else "en"
    for month, group in sorted(by_month.items()):
        statuses = household_statuses({u.household_id for u in group}, month)
        inputs = [
            CaseInput(
                key=u.row,
                scheme=u.scheme,
                groups=u.groups,
                date_of_birth=u.born,
                household=statuses.get(u.household_id, "other"),
                children=u.children or 0,
            )
            for u in group
        ]
        try:
            frame = compute_cases(inputs, month, province)
        except RulesError as exc:
            why = refusal_message(exc)
            for unit in group:
                plan.note(
                    unit.row,
                    gettext_noop(
                        "The rules engine cannot compute this allowance for %(month)s: "
                        "%(why)s The file's amount (%(file)s) is imported."
                    ),
                    month=f"{month:%m/%Y}",
                    why=why,
                    file=format_vnd(unit.amount, lang=lang),
                )
            continue
        rows = {int(r["key"]): r for r in frame.iter_rows(named=True)}
        for unit in group:
            found = rows.get(unit.row, {})
            engine_amount = int(found.get("amount") or 0)
            if found.get("scheme") != unit.scheme:
                engine_amount = 0
            unit.engine = {
                "household": found.get("household") or "",
                "basis": found.get("basis") or "",
                "coefficient": found.get("coefficient") or "",
                "amount": engine_amount,
            }
            label = group_label(unit.scheme, unit.group)
            if engine_amount == 0:
                plan.note(
                    unit.row,
                    gettext_noop(
                        "The rules engine gives nothing for %(group)s in %(month)s (the "
                        "person's age or the household's official status does not "
                        "qualify); the file says %(file)s, which is imported."
                    ),
                    group=label,
                    month=f"{month:%m/%Y}",
                    file=format_vnd(unit.amount, lang=lang),
                )
            elif engine_amount != unit.amount:
                plan.note(
                    unit.row,
                    gettext_noop(
                        "The rules engine gives %(engine)s a month for %(group)s in "
                        "%(month)s, the file %(file)s (%(difference)s): the file's amount "
                        "is imported."
                    ),
                    engine=format_vnd(engine_amount, lang=lang),
                    group=label,
                    month=f"{month:%m/%Y}",
                    file=format_vnd(unit.amount, lang=lang),
                    difference=("+" if unit.amount > engine_amount else "")
                    + format_vnd(unit.amount - engine_amount, lang=lang),
                )
