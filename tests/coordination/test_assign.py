"""Assigning an item writes its new assignees in one statement: the queries of an assignment
do not grow with the number of people assigned; the audit log keeps one entry per change
(the assignees before and after) and each new assignee gets their message."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ansinh.accounts.scopes import scope_for
from ansinh.coordination import services
from ansinh.coordination.models import Assignment
from ansinh.core.models import AuditEntry
from tests import factories as f
from tests.coordination.conftest import report

pytestmark = pytest.mark.django_db


def _phone(user, number: str):  # type: ignore[no-untyped-def]
    user.phone = number
    user.save(update_fields=["phone"])
    return user


@pytest.fixture
def people(officer, committee, head_td, tan_dong):  # type: ignore[no-untyped-def]
    """Seven people who may be assigned an item of ấp Tân Đông, each with a mobile number."""
    extra = [f.user(f"canbo{n}", f.Role.OFFICER) for n in range(2, 4)]
    heads = [f.user(f"phoap{n}", f.Role.VILLAGE_HEAD, villages=[tan_dong]) for n in range(2, 4)]
    everyone = [head_td, committee, *extra, *heads, officer]  # a village head first
    return [_phone(u, f"+8491823645{n}") for n, u in enumerate(everyone)]


def _assign(officer, item, users) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        services.item_assign(scope=scope_for(officer), item=item, users=users)
    inserts = [q for q in ctx.captured_queries if "INSERT INTO" in q["sql"].upper()]
    assigned = [q for q in inserts if '"coordination_assignment"' in q["sql"]]
    assert len(assigned) == 1, "the new assignees are written in one statement"
    return len(ctx.captured_queries)


def test_assigning_many_costs_the_queries_of_assigning_one(officer, head_td, tan_dong, people):
    one = report(head_td, tan_dong, title="Mái nhà bà Tư bị tốc")
    many = report(head_td, tan_dong, title="Cầu khỉ bị gãy")
    alone = _assign(officer, one, people[:1])
    together = _assign(officer, many, people[:6])
    assert together == alone
    assert Assignment.objects.filter(item=many).count() == 6


def test_the_audit_and_the_messages_of_an_assignment(officer, head_td, tan_dong, people):
    from ansinh.messaging.models import OutboxMessage

    item = report(head_td, tan_dong, title="Đường vào nhà ông Năm ngập nước")
    services.item_assign(scope=scope_for(officer), item=item, users=people[:3])
    services.item_assign(scope=scope_for(officer), item=item, users=people[1:5])
    rows = Assignment.objects.filter(item=item)
    assert sorted(rows.values_list("user_id", flat=True)) == sorted(u.pk for u in people[1:5])
    assert {r.assigned_by_id for r in rows} == {officer.pk}
    entries = AuditEntry.objects.filter(model_label="coordination.item", action="update")
    changes = [e.changes["assignees"] for e in entries.order_by("pk")]
    first = sorted(u.pk for u in people[:3])
    assert changes == [[[], first], [first, sorted(u.pk for u in people[1:5])]]
    sent = OutboxMessage.objects.filter(topic="coordination", key__contains=":assigned:")
    # three, then the two new ones (those already assigned are not told again)
    assert sent.count() == 5
    assert set(sent.values_list("to", flat=True)) == {u.phone for u in people[:5]}
