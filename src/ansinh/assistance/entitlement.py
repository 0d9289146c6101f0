"""The bridge to the rules engine: what each case is entitled to in a month."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from ansinh.assistance.choices import Scheme
from ansinh.core.periods import first_of_month
from ansinh.poverty.selectors import status_in_commune, status_on
from ansinh.rules.allowance import GROUP_CODES, compute
from ansinh.rules.explain import explain_allowance, render
from ansinh.rules.parameters import ParameterSet

RULES_STATUS = {"poor": "poor", "near_poor": "near_poor"}


def household_statuses(
    household_ids: Iterable[int], on: dt.date, chunk: int = 5000, commune_code: int | None = None
) -> dict[int, str]:
    """The official status as the rules engine reads it: poor, near_poor or other (asked in
    chunks: SQLite limits the number of query parameters). With ``commune_code`` and more ids
    than a chunk, the commune's statuses are read at once (a million ids: one query, not 200)."""
    ids = list(household_ids)
    if commune_code is not None and len(ids) > chunk:
        known = status_in_commune(commune_code, on)
        return {h: RULES_STATUS.get(known.get(h, ""), "other") for h in ids}
    out: dict[int, str] = {}
    for i in range(0, len(ids), chunk):
        for k, v in status_on(ids[i : i + chunk], on).items():
            out[k] = RULES_STATUS.get(v, "other")
    return out


@dataclass(frozen=True)
class CaseInput:
    key: int
    scheme: str
    groups: Sequence[str]
    date_of_birth: dt.date
    household: str
    children: int = 0
    pension: int = 0


def compute_cases(
    inputs: Sequence[CaseInput],
    month: dt.date,
    province: int | None = None,
    params: ParameterSet | None = None,
) -> pl.DataFrame:
    """One row per input (``key`` column = ``CaseInput.key``) with the engine's columns; the
    amount is the one of the case's scheme (the higher-of rule between cases is the guard's)."""
    if not inputs:
        return pl.DataFrame()
    pension = [i.scheme == Scheme.SOCIAL_PENSION for i in inputs]
    frame = pl.DataFrame(
        {
            "person_code": [str(i.key) for i in inputs],
            "date_of_birth": [i.date_of_birth for i in inputs],
            "sex": ["male"] * len(inputs),
            "household": [i.household for i in inputs],
            "groups": [
                "" if p else ";".join(i.groups) for i, p in zip(inputs, pension, strict=False)
            ],
            "children": [i.children for i in inputs],
            "pension": [i.pension for i in inputs],
            "social_pension_request": pension,
            "decision_month": [month] * len(inputs),
        },
        schema_overrides={"children": pl.Int64, "pension": pl.Int64},
    )
    out = compute(frame, month, province, params)
    return out.with_columns(pl.col("person_code").cast(pl.Int64).alias("key"))


def compute_one(
    case_input: CaseInput, month: dt.date, province: int | None = None
) -> tuple[dict[str, Any], dict[str, Any], str]:
    """(row, explanation, Vietnamese sentence) for one case."""
    row = compute_cases([case_input], month, province).row(0, named=True)
    explanation = explain_allowance(row, province=province)
    return row, explanation, render(explanation, "vi")


def possible_groups(
    date_of_birth: dt.date, household: str, on: dt.date, province: int | None = None
) -> list[str]:
    """The Decree 20 groups that a person born on ``date_of_birth``, in a household of status
    ``household`` (``poor``/``near_poor``/``other``), can belong to in the month of ``on``:
    each group alone through the rules engine (its age bounds and household statuses), with
    one child and no pension, the facts the application itself records. Art. 5 order."""
    month = first_of_month(on)
    inputs = [
        CaseInput(
            key=index,
            scheme=Scheme.SOCIAL_ASSISTANCE,
            groups=[code],
            date_of_birth=date_of_birth,
            household=household,
            children=1,
            pension=0,
        )
        for index, code in enumerate(GROUP_CODES)
    ]
    rows = compute_cases(inputs, month, province)
    open_to = set(rows.filter(pl.col("assistance_basis").is_not_null())["key"].to_list())
    return [code for index, code in enumerate(GROUP_CODES) if index in open_to]


def person_groups(person: Any, on: dt.date) -> tuple[list[str], str]:
    """(the groups ``person`` can belong to on ``on``, the household's status as the rules
    engine reads it)."""
    status = household_statuses([person.household_id], first_of_month(on))[person.household_id]
    province = person.commune.province_id
    return possible_groups(person.date_of_birth, status, on, province), status


def commune_inputs(commune_code: int, month: dt.date) -> list[CaseInput]:
    """The inputs of every decided case of the commune that is open in ``month`` (what-ifs)."""
    from ansinh.assistance.choices import OPEN_STATUSES
    from ansinh.assistance.models import Case

    cases = list(
        Case.objects.filter(commune_id=commune_code, status__in=OPEN_STATUSES)
        .exclude(effective_month__isnull=True)
        .filter(effective_month__lte=month)
        .select_related("person")
        .only(
            "pk",
            "scheme",
            "groups",
            "household_id",
            "children",
            "pension",
            "person__date_of_birth",
        )
    )
    statuses = household_statuses({c.household_id for c in cases}, month)
    return [
        CaseInput(
            key=c.pk,
            scheme=c.scheme,
            groups=list(c.groups or []),
            date_of_birth=c.person.date_of_birth,
            household=statuses.get(c.household_id, "other"),
            children=c.children,
            pension=c.pension,
        )
        for c in cases
    ]
