"""Every cell of the permission table (``ansinh.coordination.permissions``), through the
services: who may create, comment, edit, assign and move an item, by role, village, owner
and assignment. A refusal is ``PermissionDenied`` and writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from ansinh.accounts.scopes import scope_for
from ansinh.coordination import services
from ansinh.coordination.models import Comment, Item
from tests.coordination.conftest import report

pytestmark = pytest.mark.django_db

ROLES = ("officer", "committee", "head_td", "head_dh", "auditor", "officer_b")
COORDINATORS = {"officer", "committee"}

#: (action, situation) -> the roles allowed besides the officer and the committee member.
#: The item is of ấp Tân Đông; "own": reported by its village head (truongap1); "others":
#: reported by the officer; "assigned": truongap1 is assigned to it.
TABLE: dict[tuple[str, str], set[str]] = {
    ("report", "new"): {"head_td"},
    ("task", "new"): set(),
    # an announcement has no village: commune B's officer publishes in commune B (below)
    ("announce", "new"): {"officer_b"},
    ("comment", "others"): {"head_td"},
    ("edit", "own"): {"head_td"},
    ("edit", "others"): set(),
    ("assign", "own"): set(),
    ("acknowledge", "assigned"): {"head_td"},
    ("acknowledge", "others"): set(),
    ("start", "assigned"): {"head_td"},
    ("start", "others"): set(),
    ("finish", "assigned"): {"head_td"},
    ("finish", "others"): set(),
    ("close", "own"): {"head_td"},
    ("close", "others"): set(),
    ("reopen", "own"): {"head_td"},
    ("reopen", "others"): set(),
}
CELLS = [
    (action, situation, role, role in COORDINATORS or role in extra)
    for (action, situation), extra in TABLE.items()
    for role in ROLES
]


@pytest.fixture
def people(officer, committee, head_td, head_dh, auditor, officer_b) -> dict[str, Any]:
    return {
        "officer": officer,
        "committee": committee,
        "head_td": head_td,
        "head_dh": head_dh,
        "auditor": auditor,
        "officer_b": officer_b,
    }


def _item(situation: str, action: str, people: dict[str, Any], village: Any) -> Item | None:
    if situation == "new":
        return None
    owner = people["head_td"] if situation == "own" else people["officer"]
    item = report(owner, village)
    officer = scope_for(people["officer"])
    if situation == "assigned":
        services.item_assign(scope=officer, item=item, users=[people["head_td"]])
    if action == "reopen":
        item = services.item_transition(scope=officer, item=item, action="finish", note="Xong.")
    return item


def _attempt(action: str, user: Any, item: Item | None, village: Any, officer: Any) -> None:
    scope = scope_for(user)
    if action in ("report", "task", "announce"):
        kind = {"report": "problem", "task": "task", "announce": "announcement"}[action]
        where = None if kind == "announcement" else village
        services.item_report(scope=scope, kind=kind, topic="other", title="Thử", village=where)
        return
    assert item is not None
    if action == "comment":
        services.comment_add(scope=scope, item=item, text="Ý kiến thử.")
    elif action == "edit":
        services.item_update(
            scope=scope,
            item=item,
            title="Sửa",
            body="",
            topic=item.topic,
            priority=item.priority,
            due_date=None,
            household=None,
        )
    elif action == "assign":
        services.item_assign(scope=scope, item=item, users=[officer])
    else:
        services.item_transition(scope=scope, item=item, action=action, note="Ghi chú.")


@pytest.mark.parametrize(("action", "situation", "role", "allowed"), CELLS)
def test_the_permission_table(action, situation, role, allowed, people, tan_dong):
    item = _item(situation, action, people, tan_dong)
    before = (Item.objects.count(), Comment.objects.count())
    if allowed:
        _attempt(action, people[role], item, tan_dong, people["officer"])
        return
    with pytest.raises(PermissionDenied, match=r"\w"):
        _attempt(action, people[role], item, tan_dong, people["officer"])
    assert (Item.objects.count(), Comment.objects.count()) == before


def test_a_village_head_reports_only_for_own_villages(head_td, dong_hiep):
    with pytest.raises(PermissionDenied, match=r"own villages|ấp của mình"):
        report(head_td, dong_hiep)


def test_another_commune_s_announcement_stays_there(officer_b, head_td):
    from ansinh.coordination.selectors import items_for

    item = report(officer_b, None, kind="announcement", title="Thông báo xã Tân Phú")
    assert item.commune_id == officer_b.commune_id
    assert not items_for(scope_for(head_td)).exists()


def test_the_table_covers_every_action():
    from ansinh.coordination.choices import Action

    actions = {a for a, _s in TABLE}
    assert actions == {"report", "task", "announce", "comment", "edit", "assign", *Action.values}
