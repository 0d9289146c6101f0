"""API read endpoints: same scopes as the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from ninja.testing import TestClient

from ansinh.accounts.scopes import scope_for
from ansinh.assistance import payroll as pr
from ansinh.assistance.api import router
from tests import factories as f

pytestmark = pytest.mark.django_db


def _get(user, path):
    client = TestClient(router)
    headers = {"Authorization": f"Bearer {f.api_token(user)}"}
    return client.get(path, headers=headers, scope=scope_for(user))


def test_cases_and_payrolls(officer, cases):
    payroll = pr.payroll_generate(
        scope=scope_for(officer), commune_code=f.TAN_DONG, month=dt.date(2026, 11, 1)
    )
    body = _get(officer, "/cases").json()
    assert body["count"] == 3
    disabled = next(c for c in body["items"] if c["full_name"] == "Trần Văn Hùng")
    assert disabled["amount"] == 750_000
    assert disabled["account"].startswith("•")
    detail = _get(officer, f"/cases/{disabled['id']}").json()
    assert "hệ số 1,5" in detail["explanation_text"]
    assert detail["events"]
    assert _get(officer, "/payrolls").json()["count"] == 1
    data = _get(officer, f"/payrolls/{payroll.pk}").json()
    assert data["total"] == 2_500_000 == sum(line["amount"] for line in data["lines"])


def test_village_head_scope(head_td, officer, cases):
    payroll = pr.payroll_generate(
        scope=scope_for(officer), commune_code=f.TAN_DONG, month=dt.date(2026, 11, 1)
    )
    names = {c["full_name"] for c in _get(head_td, "/cases").json()["items"]}
    assert names == {"Trần Văn Hùng", "Phạm Thị Lan"}
    assert _get(head_td, f"/cases/{cases['orphan'].pk}").status_code == 404
    assert _get(head_td, f"/payrolls/{payroll.pk}").json()["total"] == 1_250_000
