"""Sensitive numbers are masked wherever a displayed audit value hides them, and the
``identifier`` tag follows ``Scope.sees_full_identifiers``."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone, translation

from ansinh.accounts.choices import Role
from ansinh.accounts.scopes import scope_for
from ansinh.core import audit
from ansinh.core.audit_display import entries_display
from ansinh.core.models import AuditAction, AuditEntry


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Gọi 0912 345 678 nhé", "Gọi •••••••678 nhé"),
        ("số +84912345678", "số •••••••678"),
        ("CCCD 079203001234.", "CCCD •••••••••234."),
        ("TK 7100205123456", "TK ••••••••••456"),
        ("1.500.000 đ ngày 02/01/2026, hộ TD-0001, năm 2026", None),
        ("12345678 (8 chữ số)", None),
        ("", None),
    ],
)
def test_mask_text(text, shown):
    assert audit.mask_text(text) == (text if shown is None else shown)


def test_masked_reaches_every_depth():
    value = {
        "kind": "update_person",
        "members": [
            {"full_name": "Nguyễn Văn An", "cccd": "072080000123", "phone": "+84912345678"},
            {"full_name": "Trần Thị Bích", "cccd": None, "bank_account_number": "7100205123456"},
        ],
        "answers": {"contact": {"contact_phone": "+84987654321"}, "income": 1500000},
        "note": "gọi 0912345678",
    }
    assert audit.masked(value) == {
        "kind": "update_person",
        "members": [
            {"full_name": "Nguyễn Văn An", "cccd": "•••••••••123", "phone": "•••••••678"},
            {"full_name": "Trần Thị Bích", "cccd": None, "bank_account_number": "••••••••••456"},
        ],
        "answers": {"contact": {"contact_phone": "•••••••321"}, "income": 1500000},
        "note": "gọi •••••••678",
    }


def test_display_of_nested_values_masks_at_every_depth():
    entry = AuditEntry(
        action=AuditAction.UPDATE,
        model_label="registry.changeproposal",
        object_id=1,
        at=timezone.now(),
        changes={
            "members": [[], [{"cccd": "072080000123", "phone": "+84912345678"}]],
            "notes": ["", "Số mới 0912 345 678"],
        },
    )
    with translation.override("en"):
        [row] = entries_display([entry], commune_code=None)
    shown = {c.label: c.after for c in row.changes}
    text = " ".join(c.text for c in row.changes)
    assert "072080000123" not in text
    assert "0912345678" not in text
    assert shown["Members › 1 › Personal ID (CCCD)"] == "•••••••••123"
    assert shown["Members › 1 › Phone"] == "•••••••678"
    assert shown["Notes"] == "Số mới •••••••678"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "full"),
    [
        (Role.OFFICER, True),
        (Role.VILLAGE_HEAD, True),
        (Role.AUDITOR, False),
        (Role.COMMITTEE, False),
    ],
)
def test_who_sees_full_identifiers(tan_dong, role, full):
    from tests import factories as f

    user = f.user(f"u_{role}", role, villages=[tan_dong] if role == Role.VILLAGE_HEAD else None)
    scope = scope_for(user)
    assert scope.sees_full_identifiers is full
    request = RequestFactory().get("/")
    html = Template(
        '{% load ansinh %}{% identifier cccd scope "cccd" "/reveal/" %} '
        '{% identifier phone scope "phone" "/reveal/" %} {% identifier "" scope "cccd" %}'
    ).render(
        Context(
            {"scope": scope, "cccd": "072190000123", "phone": "+84912345678", "request": request}
        )
    )
    if full:
        assert html == (
            '<span class="identifier">072190000123</span> '
            '<span class="identifier">0912 345 678</span> —'
        )
    else:
        assert "072190000123" not in html
        assert "0912 345 678" not in html
        assert "•••••••••123" in html
        assert "•••••••678" in html
        assert html.count('action="/reveal/"') == 2
        assert 'name="csrfmiddlewaretoken"' in html


def test_identifier_without_a_scope_is_masked_without_a_button():
    html = Template('{% load ansinh %}{% identifier "072190000123" None "cccd" "/r/" %}').render(
        Context({})
    )
    assert html == '<span class="identifier">•••••••••123</span>'
