"""The demo's allowances: realistic groups, closed history, the current month a draft with
its checks."""

from __future__ import annotations

import datetime as dt

from ansinh.assistance.models import Case, GuardItem, Payroll, PayrollLine


def test_demo_assistance(demo_commune):
    result = demo_commune.built["assistance"]
    current = demo_commune.options["as_of"].replace(day=1)
    active = Case.objects.filter(status="active")
    assert result["cases"] == active.count() > 100
    assert set(active.values_list("basis", flat=True)) >= {
        "child_no_support",
        "elderly_80_no_pension",
        "disability_severe",
        "social_pension",
    }
    assert result["by_bank"] == result["cases"]
    payrolls = Payroll.objects.order_by("month")
    # the current month waits for the officer: a payroll with blocking checks is not sent
    assert [p.status for p in payrolls] == ["closed"] * 12 + ["draft"]
    assert payrolls.filter(status="draft").get().month == current == dt.date(2026, 11, 1)
    assert not PayrollLine.objects.filter(payroll__status="closed", exported_at=None).exists()
    assert not PayrollLine.objects.filter(payroll__status="closed", status="pending").exists()
    open_items = GuardItem.objects.filter(month=current, resolved_at=None)
    assert {"bank_account", "shared_account"} <= set(open_items.values_list("rule", flat=True))
