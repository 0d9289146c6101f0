"""Demo data of the policy parameters: illustrative 2027 indicator thresholds.

Decree 351/2025/NĐ-CP sets the 2027–2030 standard, but the thresholds of its indicators are not
in the texts ansinh has (the shipped files keep them ``missing``). So that a newcomer can follow
the whole 2027 review, the demo officer enters the thresholds of 2022–2026 again as
*illustrative* 2027 values and the committee's vice-chair approves them, through the same
services as the page. Every page and explanation that uses them says "GIÁ TRỊ MINH HỌA – không
phải văn bản pháp luật". The average-living band and the B1 scores stay missing: the demo also
shows a classification that goes on without them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ansinh.accounts.models import User
from ansinh.accounts.scopes import Scope, scope_for
from ansinh.places.models import Commune
from ansinh.policy import services
from ansinh.policy.models import PolicyValue
from ansinh.rules.parameters import shipped_parameters

STANDARD_2027 = dt.date(2027, 1, 1)
NOTE = (
    "GIÁ TRỊ MINH HỌA – không phải văn bản pháp luật. Dữ liệu mẫu dùng lại ngưỡng của giai "
    "đoạn 2022–2026 để minh họa rà soát theo chuẩn 2027."
)


def _scope(username: str, commune: Commune) -> Scope:
    user = User.objects.filter(username=username, is_active=True).first()
    return scope_for(user) if user is not None else Scope.system(commune.code, "demo")


def build_policy(*, commune: Commune) -> dict[str, Any]:
    if PolicyValue.objects.filter(illustrative=True).exists():
        return {"skipped": True}
    officer, chair = _scope("canbo", commune), _scope("phochutich", commune)
    params = shipped_parameters()
    indicators = params.value("poverty.indicators", STANDARD_2027).value
    approved = 0
    for code in indicators:
        parameter = params.parameter(f"poverty.indicator.{code}")
        in_force, missing = parameter.entry_on(STANDARD_2027)
        if in_force is None or missing is None:
            continue  # the law texts give it (or nothing applies): nothing to illustrate
        earlier = next(e.value for e in reversed(parameter.entries) if e.missing is None)
        entry = services.policy_value_enter(
            scope=officer,
            name=parameter.name,
            valid_from=STANDARD_2027,
            value=earlier,
            status="check",
            document="Decree 351/2025/ND-CP",
            document_vi="Nghị định 351/2025/NĐ-CP",
            document_date=dt.date(2025, 12, 30),
            note=NOTE,
            illustrative=True,
        )
        services.policy_value_approve(
            scope=chair, entry=entry, note="Duyệt để minh họa rà soát năm 2027 (dữ liệu mẫu)."
        )
        approved += 1
    return {"illustrative values": approved}
