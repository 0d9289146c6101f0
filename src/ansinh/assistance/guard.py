"""The eligibility guard, Django side: who is payable, the frames the rules read, the items.

The rules themselves (what is checked, how it is said, which actions resolve it) are a table
in the rules engine, :mod:`ansinh.rules.guard`. This module builds the frames from the
database, runs the table and stores its findings as :class:`GuardItem` rows (one per case,
month and rule: running again adds nothing). An item keeps its message as a key and
parameters; it is made a sentence in the reader's language when shown
(:attr:`GuardItem.message`).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from typing import Any

import polars as pl
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from ansinh.assistance.choices import (
    CaseStatus,
    GuardAction,
    GuardOrigin,
    LineKind,
    LineStatus,
    PaymentMethod,
)
from ansinh.assistance.entitlement import RULES_STATUS
from ansinh.assistance.models import Case, GuardItem, Payroll, PayrollLine
from ansinh.poverty.selectors import status_in_commune
from ansinh.rules import guard as rules

ACCOUNT_NUMBER = re.compile(rules.ACCOUNT_NUMBER_PATTERN)


def payable_cases(commune_code: int, month: dt.date) -> Q:
    """THE definition of who is paid for ``month``: cases started, and active, or
    stopped/transferred from a later month. The guard checks these cases; the regular lines
    are these cases but the ones held (:func:`regular_line_cases`)."""
    return (
        Q(commune_id=commune_code, effective_month__lte=month)
        & (
            Q(status=CaseStatus.ACTIVE)
            | Q(status__in=[CaseStatus.STOPPED, CaseStatus.TRANSFERRED], end_month__gt=month)
        )
        & (Q(end_month__isnull=True) | Q(end_month__gt=month))
    )


def held_cases(commune_code: int, month: dt.date) -> QuerySet[GuardItem, Any]:
    """Case ids whose payment the officer held or stopped this month (a subquery)."""
    return GuardItem.objects.filter(
        commune_id=commune_code, month=month, action__in=[GuardAction.HELD, GuardAction.STOPPED]
    ).values("case_id")


def regular_line_cases(commune_code: int, month: dt.date) -> QuerySet[Case]:
    """The cases that get a regular line for ``month``: payable and not held."""
    return (
        Case.objects.filter(payable_cases(commune_code, month))
        .exclude(id__in=held_cases(commune_code, month))
        .order_by()
    )


# The guard reads every payable case of the month. At a million cases, turning each row into a
# tuple of 16 Python values (and dates and JSON parsed per row by the driver) was most of its
# time; instead the database writes the rows as text and polars parses it into typed columns
# in bulk: PostgreSQL with ``COPY … TO STDOUT (FORMAT csv)``, SQLite one line of
# unit-separated fields per row (``printf``: one string per row, not fifteen concatenations).
# The fields are ids, codes, digits, dates and the JSON list of groups (no free text), and the
# unit separator (U+001F) cannot be typed into a form.
_SEP = "\x1f"
_FIELDS = {
    "id": ("id", pl.Int64),
    "person_id": ("person_id", pl.Int64),
    "household_id": ("household_id", pl.Int64),
    "scheme": ("scheme", pl.String),
    "groups": ("groups", pl.String),
    "children": ("children", pl.Int64),
    "pension": ("pension", pl.Int64),
    "amount": ("amount", pl.Int64),
    "household_status": ("household_status", pl.String),
    "payment_method": ("payment_method", pl.String),
    "bank": ("bank", pl.String),
    "bank_account_number": ("bank_account_number", pl.String),
    "date_of_birth": ("person__date_of_birth", pl.String),
    "life_status": ("person__life_status", pl.String),
    "status_date": ("person__status_date", pl.String),
    "status": ("status", pl.String),
}
RAW_SCHEMA = {name: dtype for name, (_field, dtype) in _FIELDS.items()}


def _parse(text: bytes, separator: str, quote_char: str | None) -> pl.DataFrame:
    return pl.read_csv(
        io.BytesIO(text),
        has_header=False,
        separator=separator,
        quote_char=quote_char,
        new_columns=list(RAW_SCHEMA),
        schema_overrides=RAW_SCHEMA,
    )


def _read_raw(qs: QuerySet[Case, Any], chunk: int) -> pl.DataFrame:
    """The rows of ``qs`` (the values of :data:`_FIELDS`, in order) as a frame of text and
    integer columns."""
    inner, params = qs.query.sql_with_params()
    if connection.vendor == "postgresql":
        buffer = io.BytesIO()
        with connection.cursor() as cursor:
            copy_sql = f"COPY ({inner}) TO STDOUT WITH (FORMAT csv)"
            with cursor.cursor.copy(copy_sql, params) as copy:
                for block in copy:
                    buffer.write(block)
        return _parse(buffer.getvalue(), ",", '"') if buffer.tell() else pl.DataFrame()
    columns = [f"c{i}" for i in range(len(_FIELDS))]
    fmt = _SEP.join(["%s"] * len(columns))  # printf: NULL gives an empty field
    sql = (
        f"WITH t({', '.join(columns)}) AS ({inner}) "  # noqa: S608 - ours, values as params
        f"SELECT printf(%s, {', '.join(columns)}) FROM t"
    )
    frames = []
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, [*params, fmt])
        while batch := cursor.fetchmany(chunk):
            frames.append(_parse("\n".join(row[0] for row in batch).encode(), _SEP, None))
    return pl.concat(frames) if frames else pl.DataFrame()


def load_frame(commune_code: int, month: dt.date, chunk: int = 100_000) -> pl.DataFrame:
    """The month's payable cases as the columns the rules read from the case and the person
    (``groups`` joined with ``;``). The ORM writes the query from :func:`payable_cases`."""
    fields = [field for field, _type in _FIELDS.values()]
    qs = Case.objects.filter(payable_cases(commune_code, month)).values_list(*fields).order_by()
    raw = _read_raw(qs, chunk)
    if raw.is_empty():
        raw = pl.DataFrame(schema=RAW_SCHEMA)
    return raw.with_columns(
        pl.col("groups").fill_null("").str.replace_all(r'[\[\]"\s]', "").str.replace_all(",", ";"),
        pl.col("bank").fill_null(""),
        pl.col("bank_account_number").fill_null(""),
        pl.col("household_status").fill_null(""),
        pl.col("date_of_birth").str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False),
        pl.col("status_date").str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False),
    )


def with_household_status(frame: pl.DataFrame, commune_code: int, month: dt.date) -> pl.DataFrame:
    """Add ``household_now``: the official status on ``month`` as the rules engine reads it
    (poor, near_poor or other), joined from the commune's recorded statuses (read in one
    query; most households have none)."""
    known = {
        household: status
        for household, status in status_in_commune(commune_code, month).items()
        if status in RULES_STATUS
    }
    statuses = pl.DataFrame(
        {"household_id": list(known), "household_now": list(known.values())},
        schema={"household_id": pl.Int64, "household_now": pl.String},
    )
    return frame.join(statuses, on="household_id", how="left").with_columns(
        pl.col("household_now").fill_null("other")
    )


FAILED_STATUSES = [LineStatus.FAILED, LineStatus.CARRIED, LineStatus.CASH]


def with_failed_payment(frame: pl.DataFrame, commune_code: int, month: dt.date) -> pl.DataFrame:
    """Add ``failed_month``, ``failed_account``, ``failed_reason``: the case's bank payment
    that failed in the previous payroll (null when none)."""
    previous = (
        Payroll.objects.filter(commune_id=commune_code, month__lt=month).order_by("-month").first()
    )
    rows = (
        list(
            PayrollLine.objects.filter(
                payroll=previous, method=PaymentMethod.BANK, status__in=FAILED_STATUSES
            )
            .order_by("id")
            .values_list("case_id", "account_number", "result_reason")
        )
        if previous is not None
        else []
    )
    failed = pl.DataFrame(
        rows,
        schema={"id": pl.Int64, "failed_account": pl.String, "failed_reason": pl.String},
        orient="row",
    ).unique("id", keep="last", maintain_order=True)
    failed = failed.with_columns(
        pl.lit(previous.month if previous else None, pl.Date).alias("failed_month")
    )
    return frame.join(failed, on="id", how="left")


#: The lines that pay an earlier month: of a case ended since, the officer says who receives
#: them (``ended_arrears``), else a dead recipient's account would still be paid.
OWED_EARLIER = (LineKind.ARREARS, LineKind.CARRIED, LineKind.SHORTFALL)


def load_arrears(commune_code: int, month: dt.date) -> pl.DataFrame:
    """The ``ended_arrears`` frame: lines on this month's payroll that pay an earlier month
    (arrears, a carried payment, the rest of a short one) of a case that has ended (stopped
    or transferred) by the month."""
    rows = PayrollLine.objects.filter(
        payroll__commune_id=commune_code,
        payroll__month=month,
        kind__in=OWED_EARLIER,
        case__end_month__lte=month,
    ).values_list("case_id", "case__end_month", "amount", "month")
    return pl.DataFrame(list(rows), schema=rules.ARREARS_SCHEMA, orient="row")


def guard_frames(commune_code: int, month: dt.date) -> dict[str, pl.DataFrame]:
    """The frames the rule table reads (:data:`ansinh.rules.guard.CASES_SCHEMA`, …)."""
    cases = load_frame(commune_code, month)
    if not cases.is_empty():
        cases = with_household_status(cases, commune_code, month)
        cases = with_failed_payment(cases, commune_code, month)
    else:
        cases = pl.DataFrame(schema=rules.CASES_SCHEMA)
    return {"cases": cases, "ended_arrears": load_arrears(commune_code, month)}


def guard_findings(commune_code: int, month: dt.date) -> pl.DataFrame:
    """Every rule of the table in force for ``month``, over this commune's frames
    (:data:`ansinh.rules.guard.FINDINGS_SCHEMA`)."""
    from ansinh.places.models import Commune

    frames = guard_frames(commune_code, month)
    province = None
    if not frames["cases"].is_empty():
        province = Commune.objects.values_list("province_id", flat=True).get(code=commune_code)
    return rules.findings(frames, month, province)


def guard_run(*, commune_code: int, month: dt.date) -> int:
    """Store this month's findings; items a guard run raised that are no longer found are
    closed as "no longer applies" (items raised by an event stay until resolved). Returns the
    number of unresolved blocking items.

    Atomic: a crash leaves the previous findings and the payroll's ``guarded_version`` as
    they were, so a payroll whose guard failed can be neither prepared, approved nor
    exported. The version is read *before* the data: a change committed while the guard runs
    leaves the payroll stale."""
    with transaction.atomic():
        payroll = Payroll.objects.filter(commune_id=commune_code, month=month).first()
        version = payroll.inputs_version if payroll else None
        findings = guard_findings(commune_code, month)
        found = set(zip(findings["case_id"], findings["rule"], strict=True))
        if found:
            _store(findings, commune_code, month)
        open_items = GuardItem.objects.filter(
            commune_id=commune_code,
            month=month,
            resolved_at__isnull=True,
            origin=GuardOrigin.GUARD,
        ).values_list("id", "case_id", "rule")
        stale = [pk for pk, case_id, rule in open_items if (case_id, rule) not in found]
        if stale:
            GuardItem.objects.filter(id__in=stale).update(
                resolved_at=timezone.now(), action=GuardAction.CLEARED
            )
        if payroll is not None:
            Payroll.objects.filter(pk=payroll.pk).update(
                guarded_version=version, guarded_at=timezone.now()
            )
        return blocking_count(commune_code, month)


def _store(findings: pl.DataFrame, commune_code: int, month: dt.date) -> None:
    """New items for findings not stored yet (the unique constraint skips the others)."""
    GuardItem.objects.bulk_create(
        (
            GuardItem(
                case_id=case_id,
                commune_id=commune_code,
                month=month,
                rule=rule,
                blocking=blocking,
                message_key=key,
                message_params=json.loads(params),
            )
            for case_id, rule, blocking, key, params in findings.iter_rows()
        ),
        ignore_conflicts=True,
        batch_size=5000,
    )


def blocking_count(commune_code: int, month: dt.date) -> int:
    return GuardItem.objects.filter(
        commune_id=commune_code, month=month, blocking=True, resolved_at__isnull=True
    ).count()
