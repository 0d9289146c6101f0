from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from ansinh.accounts.scopes import scope_for
from ansinh.assistance import services
from ansinh.assistance.models import Case
from tests import factories as f
from tests.browser.conftest import browser_page  # noqa: F401 - the browser test's fixture

D = dt.date
_accounts = itertools.count(1)
SEPT_15 = D(2026, 9, 15)


def bank(name: str) -> dict[str, Any]:
    return {
        "bank": "agribank",
        "bank_account_number": f"5700{next(_accounts):08d}",
        "bank_account_holder": name.upper(),
    }


@pytest.fixture
def people(tan_dong, dong_hiep, officer):
    """Three recipients: a person with a severe disability (TD), an 80-year-old (TD, by bank)
    and a 2-year-old orphan (DH, paid in cash)."""
    h1 = f.household(
        tan_dong,
        f.person("Trần Văn Hùng", D(1990, 4, 10), "male", "head", **bank("Trần Văn Hùng")),
        f.person("Phạm Thị Lan", D(1946, 2, 5), "female", "parent", **bank("Phạm Thị Lan")),
        actor=officer,
    )
    h2 = f.household(
        dong_hiep,
        f.person("Lê Văn Tư", D(1960, 1, 1), "male", "head"),
        f.person("Lê Minh Bé", D(2024, 12, 20), "male", "grandchild", with_cccd=False),
        actor=officer,
    )
    m1 = {p.full_name: p for p in h1.members.all()}
    m2 = {p.full_name: p for p in h2.members.all()}
    return {
        "disabled": m1["Trần Văn Hùng"],
        "elderly": m1["Phạm Thị Lan"],
        "orphan": m2["Lê Minh Bé"],
    }


def decide(
    officer,
    person,
    groups=("disability_severe",),
    *,
    scheme="social_assistance",
    signed=SEPT_15,
    effective=None,
    reason="",
    number=None,
) -> Case:
    case = services.case_apply(
        scope=scope_for(officer),
        person=person,
        scheme=scheme,
        groups=list(groups),
        applied_on=signed - dt.timedelta(days=20),
        documents="Đơn, CCCD",
    )
    services.case_verify(
        scope=scope_for(officer), case=case, verified_on=signed - dt.timedelta(days=5)
    )
    return services.case_decide(
        scope=scope_for(officer),
        case=case,
        decision_number=number or f"{case.pk}/QĐ-UBND",
        decision_date=signed,
        signer="Nguyễn Văn Chủ Tịch",
        effective_month=effective,
        backdate_reason=reason,
    )


@pytest.fixture
def cases(people, officer):
    """The three recipients decided in September 2026."""
    return {
        "disabled": decide(officer, people["disabled"]),
        "elderly": decide(officer, people["elderly"], ["elderly_80_no_pension"]),
        "orphan": decide(officer, people["orphan"], ["child_no_support"]),
    }
