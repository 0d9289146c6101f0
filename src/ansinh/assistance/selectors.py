"""Reads for allowances, scoped: village heads see only their villages' cases and lines."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from ansinh.accounts.scopes import Scope
from ansinh.assistance.choices import (
    BankCheck,
    CaseStatus,
    LineKind,
    LineStatus,
    PaymentMethod,
)
from ansinh.assistance.models import Case, GuardItem, PaymentAccount, Payroll, PayrollLine
from ansinh.core.models import AuditEntry
from ansinh.core.periods import age_on
from ansinh.core.selectors import get_or_404
from ansinh.places.models import Commune


def cases_for(scope: Scope) -> QuerySet[Case]:
    qs = Case.objects.filter(commune_id=scope.commune_code)
    qs = scope.restrict(qs, "village_id")
    return qs


def case_list(
    scope: Scope,
    *,
    status: str = "",
    group: str = "",
    village_id: int | None = None,
    scheme: str = "",
    q: str = "",
) -> QuerySet[Case]:
    qs = cases_for(scope).select_related("person", "village")
    if status:
        qs = qs.filter(status=status)
    if scheme:
        qs = qs.filter(scheme=scheme)
    if village_id:
        qs = qs.filter(village_id=village_id)
    if group:
        qs = qs.filter(basis=group)
    if q:
        from ansinh.core.text import fold

        qs = qs.filter(person__folded_name__contains=fold(q))
    return qs.order_by("village__name", "person__given_key", "id")


def case_get(scope: Scope, pk: int) -> Case:
    return get_or_404(
        cases_for(scope).select_related("person", "household", "village", "commune"), pk
    )


def payrolls_for(scope: Scope) -> QuerySet[Payroll]:
    return Payroll.objects.filter(commune_id=scope.commune_code)


def payroll_get(scope: Scope, pk: int) -> Payroll:
    return get_or_404(payrolls_for(scope), pk)


def payroll_lines(scope: Scope, payroll: Payroll) -> QuerySet[PayrollLine]:
    qs = payroll.lines.select_related("case__person", "case__village")
    qs = scope.restrict(qs, "case__village_id")
    return qs.order_by("case__village__name", "case__person__given_key", "month", "id")


def payroll_summary(scope: Scope, payroll: Payroll) -> dict[str, Any]:
    """Totals of what the payroll pays (held lines apart: they are not paid unless released)."""
    all_lines = payroll_lines(scope, payroll).order_by()
    held = all_lines.filter(status=LineStatus.HELD).aggregate(n=Count("id"), total=Sum("amount"))
    lines = all_lines.exclude(status=LineStatus.HELD)
    by = {
        (r["method"], r["kind"]): r
        for r in lines.values("method", "kind").annotate(n=Count("id"), total=Sum("amount"))
    }
    total = sum(r["total"] or 0 for r in by.values())
    bank = sum(r["total"] or 0 for (m, _k), r in by.items() if m == PaymentMethod.BANK)
    statuses = dict(
        all_lines.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    rows = [  # with labels for the page (the codes stay for sorting)
        {
            **r,
            "method_label": PaymentMethod(r["method"]).label,
            "kind_label": LineKind(r["kind"]).label,
        }
        for r in sorted(by.values(), key=lambda r: (r["method"], r["kind"]))
    ]
    return {
        "rows": rows,
        "total": total,
        "bank": bank,
        "cash": total - bank,
        "count": sum(r["n"] for r in by.values()),
        "statuses": statuses,
        "held": held["total"] or 0,
        "held_count": held["n"],
    }


def guard_items(scope: Scope, payroll: Payroll) -> QuerySet[GuardItem]:
    qs = GuardItem.objects.filter(commune_id=payroll.commune_id, month=payroll.month)
    qs = scope.restrict(qs, "case__village_id")
    return qs.select_related("case__person", "resolved_by").order_by(
        "-blocking", "resolved_at", "case__person__given_key"
    )


AGE_BANDS = [(0, 3, "0–3"), (4, 15, "4–15"), (16, 59, "16–59"), (60, 79, "60–79"), (80, 200, "80+")]


def report(scope: Scope, on: dt.date) -> dict[str, Any]:
    """Recipients by group and age band, amounts per month, share paid by bank."""
    active = cases_for(scope).filter(status=CaseStatus.ACTIVE)
    groups: Counter[str] = Counter()
    bands: dict[str, Counter[str]] = defaultdict(Counter)
    for basis, dob in active.values_list("basis", "person__date_of_birth"):
        groups[basis] += 1
        age = age_on(dob, on)
        label = next(b[2] for b in AGE_BANDS if b[0] <= age <= b[1])
        bands[basis][label] += 1
    months = []
    for p in payrolls_for(scope).order_by("-month")[:24]:
        lines = payroll_lines(scope, p).order_by()
        agg = lines.aggregate(
            total=Sum("amount"),
            bank=Sum("amount", filter=Q(method="bank")),
            people=Count("case_id", distinct=True),
        )
        total = agg["total"] or 0
        months.append(
            {
                "payroll": p,
                "total": total,
                "people": agg["people"],
                "bank_share": (agg["bank"] or 0) / total if total else None,
            }
        )
    n = active.count()
    by_bank = active.filter(payment_method=PaymentMethod.BANK).count()
    return {
        "groups": sorted(groups.items(), key=lambda kv: -kv[1]),
        "bands": {k: [v.get(b[2], 0) for b in AGE_BANDS] for k, v in bands.items()},
        "band_labels": [b[2] for b in AGE_BANDS],
        "months": months,
        "active": n,
        "bank_share": by_bank / n if n else None,
    }


def person_history(scope: Scope, person_id: int) -> QuerySet[PayrollLine]:
    return (
        PayrollLine.objects.filter(case__in=cases_for(scope).filter(person_id=person_id))
        .select_related("payroll", "case")
        .order_by("-month", "kind")
    )


def commune_of(scope: Scope) -> Commune:
    return Commune.objects.get(code=scope.commune_code)


def paying_account(scope: Scope) -> PaymentAccount | None:
    """The commune's paying account (not personal data: the commune's own)."""
    return PaymentAccount.objects.filter(commune_id=scope.commune_code).first()


def guard_item_get(scope: Scope, pk: int) -> GuardItem:
    qs = GuardItem.objects.filter(commune_id=scope.commune_code).select_related("case__person")
    qs = scope.restrict(qs, "case__village_id")
    return get_or_404(qs, pk)


def line_get(scope: Scope, pk: int) -> PayrollLine:
    qs = PayrollLine.objects.filter(payroll__commune_id=scope.commune_code).select_related(
        "payroll", "case__person"
    )
    qs = scope.restrict(qs, "case__village_id")
    return get_or_404(qs, pk)


def blocking_count(payroll: Payroll) -> int:
    return GuardItem.objects.filter(
        commune_id=payroll.commune_id, month=payroll.month, blocking=True, resolved_at=None
    ).count()


def cash_pending_references(payroll: Payroll) -> list[str]:
    return list(
        payroll.lines.filter(method=PaymentMethod.CASH, status=LineStatus.PENDING).values_list(
            "reference", flat=True
        )
    )


def recovery_lines(scope: Scope, payroll: Payroll) -> QuerySet[PayrollLine]:
    """Lines already sent to the bank (or on the cash list) whose money must be recovered."""
    return payroll_lines(scope, payroll).exclude(recovery="")


def bank_checks(scope: Scope, payroll: Payroll) -> QuerySet[PayrollLine]:
    """Lines the bank said it paid with another amount, still to accept or being followed up."""
    return payroll_lines(scope, payroll).filter(
        bank_check__in=[BankCheck.WRONG_AMOUNT, BankCheck.FOLLOW_UP]
    )


def case_history(scope: Scope, case: Case) -> QuerySet[AuditEntry]:
    """Audit entries of a case already fetched through :func:`case_get`."""
    return AuditEntry.objects.filter(
        commune_code=scope.commune_code, model_label="assistance.case", object_id=case.pk
    ).select_related("actor")


def case_guard_items(scope: Scope, case: Case) -> QuerySet[GuardItem]:
    return GuardItem.objects.filter(commune_id=scope.commune_code, case=case).order_by("-month")
