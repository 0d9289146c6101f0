"""The lines a payroll owes: regular lines inserted set-based from the guard's one definition of
who is payable, then arrears, adjustments and carried-over payments.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import connection
from django.db.models import (
    BigIntegerField,
    CharField,
    Count,
    DateField,
    F,
    Min,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models import Case as SqlCase
from django.db.models.functions import Cast, Concat

from ansinh.assistance.choices import (
    BankCheck,
    CaseStatus,
    GuardAction,
    GuardRule,
    LineKind,
    LineStatus,
    PaymentMethod,
)
from ansinh.assistance.guard import (
    held_cases,
    payable_cases,
    regular_line_cases,
)
from ansinh.assistance.models import Case, GuardItem, Payroll, PayrollLine
from ansinh.core.periods import (
    months_between,
)

KIND_LETTER: dict[str, str] = {
    LineKind.REGULAR: "R",
    LineKind.ARREARS: "A",
    LineKind.ADJUSTMENT: "D",
    LineKind.CARRIED: "C",
    LineKind.SHORTFALL: "S",
}


def reference(commune_code: int, case_id: int, kind: str, month: dt.date) -> str:
    return f"TC{commune_code}-{case_id}-{KIND_LETTER[kind]}{month:%y%m}"


def _line(
    payroll: Payroll, case: dict[str, Any], month: dt.date, kind: str, amount: int, **extra: Any
) -> PayrollLine:
    method = extra.pop("method", case["payment_method"])
    bank = method == PaymentMethod.BANK
    return PayrollLine(
        payroll_id=payroll.pk,
        case_id=case["id"],
        month=month,
        kind=kind,
        amount=amount,
        method=method,
        bank=case["bank"] if bank else "",
        account_number=case["bank_account_number"] if bank else "",
        account_holder=case["bank_account_holder"] if bank else "",
        reference=reference(payroll.commune_id, case["id"], kind, month),
        **extra,
    )


CASE_COLUMNS = [
    "id",
    "amount",
    "amount_from",
    "effective_month",
    "end_month",
    "payment_method",
    "bank",
    "bank_account_number",
    "bank_account_holder",
]


def planned_lines(payroll: Payroll) -> list[PayrollLine]:
    """Arrears, adjustments and carried payments (regular lines: :func:`insert_regular_lines`);
    existing ones are skipped by the constraints."""
    month, commune = payroll.month, payroll.commune_id
    held = set(held_cases(commune, month).values_list("case_id", flat=True))
    lines: list[PayrollLine] = []
    first = Payroll.objects.filter(commune_id=commune).aggregate(m=Min("month"))["m"] or month
    # only cases started before the month or adjusted since can miss a month or need an
    # adjustment; before the commune's first payroll nothing can be missing (paid outside)
    earlier = Case.objects.filter(payable_cases(commune, month)).filter(
        Q(effective_month__lt=month) | Q(amount_from__lt=month)
    )
    candidates = list(earlier.values(*CASE_COLUMNS))
    covered = _covered(earlier, first, month) if candidates and first < month else {}
    late = []
    for c in candidates:
        if c["id"] in held:
            continue
        adjusted = c["amount_from"] and c["effective_month"] < c["amount_from"] < month
        if _misses_a_month(c, covered, first, month) or adjusted:
            late.append(c)
    late += _ended_with_arrears(payroll, first, held)
    lines += _arrears_and_adjustments(payroll, late)
    lines += _carried(payroll)
    lines += _shortfalls(payroll)
    return lines


def _ended_with_arrears(payroll: Payroll, first: dt.date, held: set[int]) -> list[dict[str, Any]]:
    """Cases ended (stopped or transferred) before this month that still miss a month of their
    paid period, e.g. a decision signed late and a death before the next payroll. Their
    arrears are proposed (the guard asks the officer who receives them) unless the officer has
    recorded that they are not owed."""
    month, commune = payroll.month, payroll.commune_id
    waived = _waived(commune)
    ended = (
        Case.objects.filter(
            commune_id=commune,
            status__in=[CaseStatus.STOPPED, CaseStatus.TRANSFERRED],
            end_month__lte=month,
            end_month__gt=first,
            effective_month__isnull=False,
        )
        .filter(effective_month__lt=F("end_month"))
        .exclude(id__in=waived)
    )
    if first >= month:  # no month of a payroll made here can be missing yet
        return []
    candidates = [c for c in ended.values(*CASE_COLUMNS) if c["id"] not in held]
    covered = _covered(ended, first, month) if candidates else {}
    return [c for c in candidates if _misses_a_month(c, covered, first, month)]


def _covered(cases: QuerySet[Case], first: dt.date, before: dt.date) -> dict[int, int]:
    """Months with a regular or arrears line per case, from ``first`` to ``before`` (excluded):
    one grouped query."""
    return dict(
        PayrollLine.objects.filter(
            case__in=cases,
            kind__in=[LineKind.REGULAR, LineKind.ARREARS],
            month__gte=first,
            month__lt=before,
        )
        .values("case_id")
        .annotate(n=Count("id"))
        .values_list("case_id", "n")
    )


def _misses_a_month(
    c: dict[str, Any], covered: dict[int, int], first: dt.date, month: dt.date
) -> bool:
    """A month of the case's paid period before ``month`` (and from ``first``) has no line."""
    end = min(month, c["end_month"]) if c["end_month"] else month
    return covered.get(c["id"], 0) < len(months_between(max(c["effective_month"], first), end))


def _arrears_and_adjustments(payroll: Payroll, cases: list[dict[str, Any]]) -> list[PayrollLine]:
    """Arrears: months from the effective month never paid (not before the commune's first
    payroll: earlier months were paid outside ansinh). Adjustments: months already paid at
    another amount than the current one (from ``amount_from``)."""
    if not cases:
        return []
    month, commune = payroll.month, payroll.commune_id
    first = Payroll.objects.filter(commune_id=commune).aggregate(m=Min("month"))["m"] or month
    paid: dict[tuple[int, dt.date], int] = defaultdict(int)
    entitled: set[tuple[int, dt.date]] = set()
    adjusted: set[tuple[int, dt.date]] = set()
    ids = [c["id"] for c in cases]
    for i in range(0, len(ids), 5000):
        rows = PayrollLine.objects.filter(case_id__in=ids[i : i + 5000], month__lt=month)
        for case_id, m, kind, amount in rows.values_list("case_id", "month", "kind", "amount"):
            if kind in (LineKind.REGULAR, LineKind.ARREARS):
                entitled.add((case_id, m))
            if kind == LineKind.ADJUSTMENT:
                adjusted.add((case_id, m))
            if kind not in (LineKind.CARRIED, LineKind.SHORTFALL):  # they complete a line
                paid[(case_id, m)] += amount
    out = []
    for c in cases:
        end = min(month, c["end_month"]) if c["end_month"] else month
        for m in months_between(max(c["effective_month"], first), end):
            key = (c["id"], m)
            if key not in entitled:
                out.append(_line(payroll, c, m, LineKind.ARREARS, c["amount"]))
            elif (
                c["amount_from"]
                and m >= c["amount_from"]
                and key not in adjusted
                and paid[key] != c["amount"]
            ):
                out.append(_line(payroll, c, m, LineKind.ADJUSTMENT, c["amount"] - paid[key]))
    return out


def _waived(commune_code: int) -> QuerySet[GuardItem, Any]:
    """Cases whose unpaid months the officer recorded as not owed after they ended."""
    return GuardItem.objects.filter(
        commune_id=commune_code, rule=GuardRule.ENDED_ARREARS, action=GuardAction.NOT_OWED
    ).values("case_id")


def _earlier(payroll: Payroll, condition: Q) -> QuerySet[PayrollLine]:
    """Lines of the commune's earlier payrolls matching ``condition``, of cases whose unpaid
    months were not waived, with their case."""
    return (
        PayrollLine.objects.filter(
            condition, payroll__commune_id=payroll.commune_id, payroll__month__lt=payroll.month
        )
        .exclude(case_id__in=_waived(payroll.commune_id))
        .select_related("case")
    )


def _completing(payroll: Payroll, line: PayrollLine, kind: str, amount: int) -> PayrollLine:
    """A line of ``payroll`` that completes an earlier ``line`` (same case and month, to the
    case's current account; its note names the line's reference)."""
    case = {f: getattr(line.case, f) for f in CASE_COLUMNS}
    return _line(payroll, case, line.month, kind, amount, note=line.reference)


def _carried(payroll: Payroll) -> list[PayrollLine]:
    """Failed payments the officer carried to a later payroll."""
    failed = _earlier(payroll, Q(status=LineStatus.CARRIED))
    return [_completing(payroll, line, LineKind.CARRIED, line.amount) for line in failed]


def _shortfalls(payroll: Payroll) -> list[PayrollLine]:
    """The rest of each earlier payment the bank paid short and the officer accepted
    (:func:`~ansinh.assistance.services.line_bank_amount_accept`): due less what the bank paid,
    once per case and month (the constraint skips a rest already in a payroll)."""
    short = _earlier(
        payroll,
        Q(bank_check=BankCheck.ACCEPTED, status=LineStatus.PAID, bank_amount__lt=F("amount"))
        & ~Q(kind=LineKind.SHORTFALL),
    )
    return [
        _completing(payroll, line, LineKind.SHORTFALL, line.amount - (line.bank_amount or 0))
        for line in short
    ]


def regular_lines_query(payroll: Payroll) -> tuple[str, list[Any]]:
    """``SELECT`` of the month's regular lines: one row per case of
    :func:`~ansinh.assistance.guard.regular_line_cases` (the guard's definition of who is
    payable, less the cases held), columns in the order of :data:`REGULAR_COLUMNS`."""
    month, commune = payroll.month, payroll.commune_id
    bank = Q(payment_method=PaymentMethod.BANK)

    def if_bank(field: str) -> SqlCase:
        return SqlCase(When(bank, then=F(field)), default=Value(""), output_field=CharField())

    qs = regular_line_cases(commune, month).values_list(
        Value(payroll.pk, output_field=BigIntegerField()),
        "id",
        Value(month, output_field=DateField()),
        Value(LineKind.REGULAR.value, output_field=CharField()),
        "amount",
        "payment_method",
        if_bank("bank"),
        if_bank("bank_account_number"),
        if_bank("bank_account_holder"),
        Concat(
            Value(f"TC{commune}-"),
            Cast("id", output_field=CharField()),
            Value(f"-{KIND_LETTER[LineKind.REGULAR]}{month:%y%m}"),
            output_field=CharField(),
        ),
        Value(LineStatus.PENDING.value, output_field=CharField()),
        Value("", output_field=CharField()),
    )
    sql, params = qs.query.sql_with_params()
    return sql, list(params)


# the columns of a regular line the query gives (result_reason, note, recovery, bank_check:
# empty; bank_amount: null)
REGULAR_COLUMNS = (
    "payroll_id",
    "case_id",
    "month",
    "kind",
    "amount",
    "method",
    "bank",
    "account_number",
    "account_holder",
    "reference",
    "status",
    "result_reason",
)


def insert_regular_lines(payroll: Payroll) -> int:
    """The month's regular lines, set-based: one ``INSERT … SELECT`` (SQLite and PostgreSQL),
    so a million cases never become Python objects.

    The first time (the month has no regular line, and no arrears for it in a later payroll)
    a plain insert: under :func:`_generation_lock` no other transaction can add a line
    meanwhile. Later ``ON CONFLICT DO NOTHING`` skips the lines that exist. (On PostgreSQL it
    makes every row check each unique index twice: 40 % of the first insert of a million
    lines.)"""
    select, params = regular_lines_query(payroll)
    table = PayrollLine._meta.db_table
    columns = ", ".join([*REGULAR_COLUMNS, "note", "recovery", "bank_check"])
    sql = f"INSERT INTO {table} ({columns}) SELECT t.*, '', '', '' FROM ({select}) t"  # noqa: S608
    owed_later = PayrollLine.objects.filter(
        payroll__commune_id=payroll.commune_id,
        payroll__month__gt=payroll.month,
        month=payroll.month,
        kind=LineKind.ARREARS,
    )
    if payroll.lines.filter(kind=LineKind.REGULAR).exists() or owed_later.exists():
        sql += " WHERE true ON CONFLICT DO NOTHING"  # (SQLite needs the WHERE to parse it)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)
