"""One place decides who may do what; services take a Scope; the system is an explicit actor
that the audit log names (no ``actor=None`` that skips every check)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from ansinh.accounts.permissions import allows, require
from ansinh.accounts.scopes import Scope, scope_for
from ansinh.core.models import AuditEntry
from ansinh.registry import display
from ansinh.registry import services as registry
from tests import factories as f

pytestmark = pytest.mark.django_db
OTHER_COMMUNE = 26740  # Phường Sài Gòn, Thành phố Hồ Chí Minh


def test_the_system_must_say_which_job_acts():
    with pytest.raises(ValueError, match="named job"):
        Scope.system(f.TAN_DONG, " ")
    system = Scope.system(f.TAN_DONG, "reminders plan")
    assert system.is_system
    assert system.user is None
    assert allows(system, f.TAN_DONG, "edit")
    assert not allows(system, OTHER_COMMUNE, "edit")  # the system of one commune only


@pytest.mark.parametrize(
    ("role", "edit", "approve", "propose"),
    [
        (f.Role.OFFICER, True, True, False),
        (f.Role.COMMITTEE, False, True, False),
        (f.Role.VILLAGE_HEAD, False, False, True),
        (f.Role.AUDITOR, False, False, False),
    ],
)
def test_rights_by_role(tan_dong, role, edit, approve, propose):
    scope = scope_for(f.user(f"u_{role}", role, villages=[tan_dong]))
    assert allows(scope, f.TAN_DONG, "edit") is edit
    assert allows(scope, f.TAN_DONG, "approve") is approve
    assert allows(scope, f.TAN_DONG, "propose") is propose
    assert not allows(scope, OTHER_COMMUNE, "approve")


def test_require_says_the_services_message(auditor):
    with pytest.raises(PermissionDenied, match="Chỉ cán bộ"):
        require(scope_for(auditor), f.TAN_DONG, can="edit", message="Chỉ cán bộ văn hóa – xã hội")


def test_another_communes_officer_cannot_write_here(tan_dong):
    other_village = f.village(OTHER_COMMUNE, name="Khu phố 1", code="KP1")
    stranger = f.user("canbo_khac", f.Role.OFFICER, commune_code=OTHER_COMMUNE)
    assert other_village.commune_id == OTHER_COMMUNE
    with pytest.raises(PermissionDenied, match="không có quyền thay đổi dữ liệu hộ gia đình"):
        registry.household_register(
            scope=scope_for(stranger),
            village=tan_dong,
            members=[f.person("Võ Văn Lạ", dt.date(1970, 1, 1))],
        )


def test_the_system_acts_with_its_name_in_the_audit_log(tan_dong):
    household = registry.household_register(
        scope=Scope.system(f.TAN_DONG, "import households"),
        village=tan_dong,
        members=[f.person("Đặng Văn Nhập", dt.date(1965, 3, 3))],
    )
    entry = AuditEntry.objects.filter(household_id=household.pk).first()
    assert entry is not None
    assert entry.actor is None
    assert entry.system == "import households"
    with translation.override("vi"):
        assert entry.by == "Hệ thống: import households"
        rows = display.history_rows([entry])
        assert rows[0].by == "Hệ thống: import households"
    with translation.override("en"):
        assert entry.by == "System: import households"


def test_no_service_takes_an_actor_any_more():
    """Services take a Scope: a parameter named ``actor`` (a user, or None to skip every
    check) is gone from every service module (messaging sits below accounts and keeps it)."""
    import ast
    from pathlib import Path

    import ansinh

    root = Path(ansinh.__file__).parent
    files = [p for p in root.glob("*/services.py") if p.parent.name not in {"messaging", "core"}]
    files += list(root.glob("*/services/*.py"))  # apps whose services are a package
    files += list(root.glob("assistance/payroll/*.py")) + list(root.glob("assistance/reconcile.py"))
    assert len(files) >= 8
    offenders = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                names = [a.arg for a in node.args.args + node.args.kwonlyargs]
                if "actor" in names:
                    offenders.append(f"{path.relative_to(root)}:{node.name}")
    assert offenders == []
