"""Village heads' proposals (issue 10, item 8): the same change cannot wait twice, the
village head sees what became of each proposal, and the officer's decision is audited."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from ansinh.accounts.scopes import scope_for
from ansinh.core.models import AuditAction, AuditEntry
from ansinh.registry import services
from ansinh.registry.choices import ProposalKind
from ansinh.registry.models import ChangeProposal

pytestmark = pytest.mark.django_db

ALREADY_SENT = "This proposal was already sent and is waiting for the officer."


def ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def _death(head_td, hh_td, *, date=None, note=""):
    spouse = hh_td.members.get(relationship="spouse")
    return services.proposal_submit(
        scope=scope_for(head_td),
        household=hh_td,
        person=spouse,
        kind=ProposalKind.RECORD_DEATH,
        payload={"date": (date or ago(3)).isoformat(), "place": ""},
        note=note,
    )


@pytest.fixture
def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# --- the same change twice ---------------------------------------------------------------


def test_the_same_pending_proposal_cannot_be_sent_twice(head_td, hh_td):
    _death(head_td, hh_td, note="báo lần 1")
    with (
        translation.override("en"),
        pytest.raises(
            ValidationError, match="This proposal was already sent and is waiting for the officer"
        ) as err,
    ):
        _death(head_td, hh_td, note="báo lần 2")  # the note is not part of the change
    assert err.value.messages == [ALREADY_SENT]
    assert ChangeProposal.objects.count() == 1
    assert AuditEntry.objects.filter(model_label="registry.changeproposal").count() == 1


def test_payload_key_order_does_not_make_it_new(head_td, hh_td):
    services.proposal_submit(
        scope=scope_for(head_td),
        household=hh_td,
        kind=ProposalKind.UPDATE_HOUSEHOLD,
        payload={"address": "Tổ 5", "notes": "nhà mới"},
    )
    with (
        translation.override("en"),
        pytest.raises(
            ValidationError, match="This proposal was already sent and is waiting for the officer"
        ),
    ):
        services.proposal_submit(
            scope=scope_for(head_td),
            household=hh_td,
            kind=ProposalKind.UPDATE_HOUSEHOLD,
            payload={"notes": "nhà mới", "address": "Tổ 5"},
        )


def test_a_different_change_or_a_decided_one_can_be_sent(officer, head_td, hh_td):
    first = _death(head_td, hh_td, date=ago(3))
    _death(head_td, hh_td, date=ago(4))  # another date: another change
    services.proposal_reject(scope=scope_for(officer), proposal=first, reason="Sai ngày")
    again = _death(head_td, hh_td, date=ago(3))  # no longer waiting: may be sent again
    assert again.pk != first.pk
    assert ChangeProposal.objects.count() == 3


def test_the_database_refuses_a_second_pending_copy(head_td, hh_td):
    """Two requests at the same moment both pass the check; the unique constraint stops one."""
    first = _death(head_td, hh_td)
    with pytest.raises(IntegrityError), transaction.atomic():
        ChangeProposal.objects.create(
            household=hh_td,
            person=first.person,
            kind=first.kind,
            payload=first.payload,
            proposed_by=head_td,
            fingerprint=first.fingerprint,
        )


def test_the_migration_computes_the_same_fingerprint(hh_td):
    migration = importlib.import_module("ansinh.registry.migrations.0004_proposal_fingerprint")
    payload = {"date": "2026-01-02", "place": "Tây Ninh"}
    assert migration._fingerprint(hh_td.pk, 7, "record_death", payload) == (
        ChangeProposal.fingerprint_of(hh_td.pk, 7, "record_death", dict(reversed(payload.items())))
    )


def test_village_head_double_submitting_the_form_gets_a_clear_message(en, head_td, hh_td):
    en.force_login(head_td)
    spouse = hh_td.members.get(relationship="spouse")
    url = reverse("registry:person_death", args=[spouse.pk])
    data = {"date": ago(2).isoformat(), "note": ""}
    assert en.post(url, data).status_code == 302
    page = en.post(url, data)
    assert page.status_code == 200
    assert ALREADY_SENT in page.content.decode()
    assert ChangeProposal.objects.count() == 1


# --- the decision is audited and shown to the village head --------------------------------


def test_applying_and_rejecting_are_audited(officer, head_td, hh_td):
    applied = services.proposal_submit(
        scope=scope_for(head_td),
        household=hh_td,
        kind=ProposalKind.UPDATE_HOUSEHOLD,
        payload={"address": "Tổ 9"},
    )
    rejected = _death(head_td, hh_td)
    services.proposal_apply(scope=scope_for(officer), proposal=applied)
    services.proposal_reject(
        scope=scope_for(officer), proposal=rejected, reason="Chưa có giấy báo tử"
    )

    def decision(proposal):
        return AuditEntry.objects.get(
            model_label="registry.changeproposal",
            object_id=proposal.pk,
            action=AuditAction.UPDATE,
        )

    entry = decision(applied)
    assert (entry.actor, entry.household_id, entry.commune_code) == (
        officer,
        hh_td.pk,
        hh_td.commune_id,
    )
    assert entry.changes == {"decision": ["pending", "applied"]}
    assert decision(rejected).changes == {
        "decision": ["pending", "rejected"],
        "decision_note": ["", "Chưa có giấy báo tử"],
    }


def test_a_refused_apply_writes_no_decision(officer, head_td, hh_td):
    proposal = _death(head_td, hh_td, date=timezone.localdate() + dt.timedelta(days=5))
    with (
        translation.override("en"),
        pytest.raises(ValidationError, match="The date is in the future"),
    ):
        services.proposal_apply(scope=scope_for(officer), proposal=proposal)
    assert not AuditEntry.objects.filter(
        model_label="registry.changeproposal", action=AuditAction.UPDATE
    ).exists()


def test_village_head_sees_who_decided_when_and_why(en, officer, head_td, hh_td):
    applied = services.proposal_submit(
        scope=scope_for(head_td),
        household=hh_td,
        kind=ProposalKind.UPDATE_HOUSEHOLD,
        payload={"address": "Tổ 9"},
    )
    rejected = _death(head_td, hh_td)
    services.proposal_apply(scope=scope_for(officer), proposal=applied)
    services.proposal_reject(
        scope=scope_for(officer), proposal=rejected, reason="Chưa có giấy báo tử"
    )
    applied.refresh_from_db()
    rejected.refresh_from_db()
    en.force_login(head_td)
    for url in (
        reverse("registry:proposal_list"),
        reverse("registry:household_detail", args=[hh_td.pk]),
    ):
        page = en.get(url).content.decode()
        assert ">Approved</span>" in page
        assert ">Rejected</span>" in page
        assert "Reason: Chưa có giấy báo tử" in page
        for proposal in (applied, rejected):
            when = timezone.localtime(proposal.decided_at).strftime("%d/%m/%Y %H:%M")
            assert f"Decided by {officer}, {when}" in page
