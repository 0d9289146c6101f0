"""The commune's BHYT coverage target as an officer writes it: "90", never "90.0"; "87,5"
with the Vietnamese decimal comma; typed "90", "87,5" or "87.5"."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from ansinh.core.models import AuditEntry
from ansinh.insurance.forms import PercentField
from ansinh.insurance.models import CommuneInsuranceSettings
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "kept"),
    [("90", Decimal(90)), ("87,5", Decimal("87.5")), ("87.5", Decimal("87.5")), ("95 %", 95)],
)
def test_target_is_read_with_a_comma_or_a_point(typed, kept):
    assert PercentField(required=False).clean(typed) == kept


@pytest.mark.parametrize(
    ("typed", "why"),
    [("87,55", "decimal place"), ("101", "less than or equal to 100"), ("chín", "a number")],
)
def test_a_wrong_target_is_refused(typed, why):
    with translation.override("en"), pytest.raises(ValidationError, match=why):
        PercentField(required=False).clean(typed)


def test_target_is_shown_without_a_needless_decimal():
    field = PercentField(required=False)
    with translation.override("vi"):
        assert field.prepare_value(Decimal("90.0")) == "90"
        assert field.prepare_value(Decimal("87.5")) == "87,5"
    with translation.override("en"):
        assert field.prepare_value(Decimal("87.5")) == "87.5"
    assert field.prepare_value("87,5x") == "87,5x"  # what was typed stays as typed
    assert field.prepare_value(None) is None


def _target_input(page: str) -> str:
    match = re.search(r'<input[^>]*name="coverage_target_percent"[^>]*>', page)
    assert match, "no target field"
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else ""


@pytest.mark.parametrize(
    ("typed", "kept", "shown", "stat"),
    [
        ("90", Decimal("90.0"), "90", "90%"),
        ("87,5", Decimal("87.5"), "87,5", "87,5%"),
        ("87.5", Decimal("87.5"), "87,5", "87,5%"),
    ],
)
def test_officer_sets_the_target_and_sees_it_as_typed(client, officer, typed, kept, shown, stat):
    client.force_login(officer)
    url = reverse("insurance:coverage")
    with translation.override("vi"):
        response = client.post(
            url,
            {"coverage_target_percent": typed, "expiring_days": "30"},
            HTTP_ACCEPT_LANGUAGE="vi",
        )
        assert response.status_code == 302
        assert (
            CommuneInsuranceSettings.objects.get(commune_id=f.TAN_DONG).coverage_target_percent
            == kept
        )
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert _target_input(page) == shown
    assert "90.0" not in page
    assert "90,0" not in page
    assert f"<b>{stat}</b>" in page
    entry = AuditEntry.objects.get(model_label="insurance.communeinsurancesettings")
    before, after = entry.changes["coverage_target_percent"]
    assert (before, Decimal(after)) == (None, kept)
