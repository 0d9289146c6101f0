"""Every file of personal data handed out is in the audit log: who, what, when, how many rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from ansinh.accounts.scopes import scope_for
from ansinh.assistance import payroll as pr
from ansinh.assistance import services as assistance_services
from ansinh.core.audit import record_export
from ansinh.core.models import AuditAction, AuditEntry
from tests import factories as f
from tests.assistance.conftest import cases, people  # noqa: F401 - fixtures
from tests.poverty.conftest import (  # noqa: F401 - fixtures
    RECIPIENT,
    annual_round,
    commune,
    fill,
    near_poor_dh,
    poor_td,
)

pytestmark = pytest.mark.django_db


def _one_export(client, url, *, what: str) -> AuditEntry:
    """Download ``url``; exactly one export entry is written, about ``what``."""
    before = set(AuditEntry.objects.filter(model_label="export").values_list("pk", flat=True))
    response = client.get(url)
    assert response.status_code == 200, url
    new = list(AuditEntry.objects.filter(model_label="export").exclude(pk__in=before))
    assert len(new) == 1, (url, [e.object_repr for e in new])
    entry = new[0]
    assert entry.action == AuditAction.EVENT
    assert entry.object_repr == what
    assert entry.actor is not None
    return entry


def test_record_export(officer):
    entry = record_export(
        actor=scope_for(officer), what="registry.households.xlsx", rows=12, commune_code=f.TAN_DONG
    )
    assert (entry.model_label, entry.object_id, entry.changes) == ("export", 0, {"rows": 12})
    assert entry.actor == officer


def test_registry_export_is_logged(client, officer, hh_td, hh_dh, tan_dong):
    client.force_login(officer)
    entry = _one_export(client, "/registry/households/export.xlsx", what="registry.households.xlsx")
    assert entry.changes == {"rows": 4}  # 3 people in TD, 1 in DH
    assert entry.commune_code == f.TAN_DONG
    entry = _one_export(
        client,
        f"/registry/households/export.xlsx?village={tan_dong.pk}",
        what="registry.households.xlsx",
    )
    assert entry.changes == {"rows": 3}


@pytest.fixture
def approved(cases, officer, committee):  # noqa: F811 - the imported fixture
    month = dt.date(2026, 11, 1)
    payroll = pr.payroll_generate(scope=scope_for(officer), commune_code=f.TAN_DONG, month=month)
    pr.payroll_prepare(scope=scope_for(officer), payroll=payroll)
    return pr.payroll_approve(scope=scope_for(committee), payroll=payroll)


def test_payroll_files_and_case_decision_are_logged(client, officer, approved, cases):  # noqa: F811
    assistance_services.payment_account_set(
        scope=scope_for(officer),
        commune_code=f.TAN_DONG,
        holder="Ủy ban nhân dân xã Tân Đông",
        bank="agribank",
        account_number="5700 2010 04417",
        bic="vbaavnvx",
    )
    client.force_login(officer)
    for fmt, rows in (("csv", 2), ("xlsx", 2), ("xml", 2), ("cash", 1)):
        url = reverse("assistance:payroll_export", args=[approved.pk, fmt])
        entry = _one_export(client, url, what=f"assistance.payroll.{fmt}")
        assert entry.changes == {"rows": rows}, fmt
        assert entry.object_id == approved.pk
    url = reverse("assistance:payroll_export", args=[approved.pk, "csv"]) + "?bank=agribank"
    assert _one_export(client, url, what="assistance.payroll.csv").changes == {"rows": 2}
    case = cases["disabled"]
    url = reverse("assistance:case_decision_pdf", args=[case.pk])
    entry = _one_export(client, url, what="assistance.case_decision.pdf")
    assert entry.changes == {"rows": 1}
    assert (entry.object_id, entry.household_id) == (case.pk, case.household_id)


def test_poverty_documents_and_exports_are_logged(
    client,
    annual_round,  # noqa: F811
    officer,
    committee,
    poor_td,  # noqa: F811
    tan_dong,
):
    rnd = annual_round
    entry = fill(rnd.entries.get(household=poor_td), officer)
    client.force_login(committee)
    client.post(reverse("poverty:approve", args=[entry.pk]))
    client.force_login(officer)
    client.post(
        reverse("poverty:meeting", args=[rnd.pk, tan_dong.pk]),
        {"held_on": "2026-11-20", "attendees": "30", f"agree_{entry.pk}": "25"},
    )
    meeting = rnd.meetings.get()
    logged = _one_export(
        client, reverse("poverty:minutes_pdf", args=[meeting.pk]), what="poverty.minutes.pdf"
    )
    assert logged.changes == {"rows": 1}
    posting = client.post(
        reverse("poverty:posting", args=[rnd.pk, tan_dong.pk]), {"posted_on": "2026-11-21"}
    )
    logged = _one_export(client, posting["Location"], what="poverty.posting.pdf")
    assert logged.changes == {"rows": 1}
    client.post(
        reverse("poverty:report_up", args=[rnd.pk]),
        {"number": "21/BC-UBND", "reported_on": "2026-11-22", "recipient": RECIPIENT},
    )
    logged = _one_export(
        client, reverse("poverty:report_pdf", args=[rnd.pk]), what="poverty.report.pdf"
    )
    assert logged.changes == {"rows": None}  # figures only
    decision = {"number": "88/QĐ-UBND", "signed_on": "2026-11-29", "effective_date": "2026-12-01"}
    assert client.post(reverse("poverty:decide", args=[rnd.pk]), decision).status_code == 302
    logged = _one_export(
        client, reverse("poverty:decision_pdf", args=[rnd.pk]), what="poverty.decision.pdf"
    )
    assert logged.changes == {"rows": 1}  # the TD household, decided poor
    logged = _one_export(
        client, reverse("poverty:certificate", args=[entry.pk]), what="poverty.certificate.pdf"
    )
    assert logged.changes == {"rows": 1}
    assert logged.household_id == poor_td.pk
    for which, rows in (("entries", 2), ("poor", 1), ("rates", 3)):
        url = reverse("poverty:export", args=[rnd.pk, which])
        logged = _one_export(client, url, what=f"poverty.export.{which}.xlsx")
        assert logged.changes == {"rows": rows}, which
