"""The allowance case page shows the bank account number masked to auditors and committee
members; revealing it is logged and scoped (issue 10, item 9)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ansinh.core.models import AuditEntry
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("role", "full"), [("officer", True), ("auditor", False)])
def test_case_page_masks_the_account_for_auditors(request, client, cases, role, full):
    case = cases["disabled"]
    assert case.payment_method == "bank"
    assert case.bank_account_number
    client.force_login(request.getfixturevalue(role))
    page = client.get(reverse("assistance:case_detail", args=[case.pk])).content.decode()
    reveal = reverse("assistance:case_reveal", args=[case.pk])
    if full:
        assert case.bank_account_number in page
        assert reveal not in page
    else:
        assert case.bank_account_number not in page
        assert "•" * 9 + case.bank_account_number[-3:] in page
        assert f'action="{reveal}"' in page


def test_reveal_the_case_account_is_logged_and_scoped(client, auditor, dong_hiep, cases):
    case = cases["disabled"]
    url = reverse("assistance:case_reveal", args=[case.pk])
    client.force_login(f.user("truongap2", f.Role.VILLAGE_HEAD, villages=[dong_hiep]))
    assert client.post(url, {"field": "bank_account_number"}).status_code == 404
    client.force_login(auditor)
    response = client.post(url, {"field": "bank_account_number"}, HTTP_HX_REQUEST="true")
    assert case.bank_account_number in response.content.decode()
    entry = AuditEntry.objects.get(changes__has_key="revealed")
    assert (entry.actor, entry.model_label, entry.object_id) == (
        auditor,
        "assistance.case",
        case.pk,
    )
    assert case.bank_account_number not in entry.note
