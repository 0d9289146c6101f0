"""The demo's allowances: realistic groups, closed history, the current month a draft with
its checks."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from ansinh.assistance.models import Case, GuardItem, Payroll, PayrollLine
from ansinh.demo.assistance import build_assistance
from ansinh.places.models import Commune

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 11, 20)


def test_demo_assistance():
    call_command("demo", stdout=io.StringIO(), households=500, seed=7, as_of=AS_OF, no_story=True)
    result = build_assistance(commune=Commune.objects.get(code=25522), as_of=AS_OF, seed=7)
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
    assert payrolls.filter(status="draft").get().month == dt.date(2026, 11, 1)
    assert not PayrollLine.objects.filter(payroll__status="closed", exported_at=None).exists()
    assert not PayrollLine.objects.filter(payroll__status="closed", status="pending").exists()
    open_items = GuardItem.objects.filter(month=dt.date(2026, 11, 1), resolved_at=None)
    assert {"bank_account", "shared_account"} <= set(open_items.values_list("rule", flat=True))
