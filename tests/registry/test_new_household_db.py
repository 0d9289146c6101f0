"""A new-household proposal and the database: the migration puts every existing proposal in
its household's village; two officers applying the same proposal at the same moment register
one household (PostgreSQL: real concurrency)."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor

from ansinh.accounts.scopes import scope_for
from ansinh.registry import services
from ansinh.registry.choices import ProposalStatus
from ansinh.registry.models import ChangeProposal, Household, Person
from ansinh.registry.services import proposals as proposal_services
from tests import factories as f

BEFORE = ("registry", "0004_proposal_fingerprint")


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_migration_puts_each_proposal_in_its_households_village():
    td, dh = f.village(), f.village(name="Ấp Đông Hiệp", code="DH")
    head = f.user("truongap1", f.Role.VILLAGE_HEAD, villages=[td])
    households = [f.household(td), f.household(dh, f.person("Lê Thị Tím", dt.date(1975, 8, 8)))]
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    old = _migrate([BEFORE])
    try:
        old_proposals = old.get_model("registry", "ChangeProposal")
        for household in households:
            old_proposals.objects.create(
                household_id=household.pk,
                kind="update_household",
                payload={"address": "Tổ 1"},
                proposed_by_id=head.pk,
            )
    finally:
        _migrate(leaves)
    found = dict(ChangeProposal.objects.values_list("household_id", "village_id"))
    assert found == {households[0].pk: td.pk, households[1].pk: dh.pk}


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL locks")
def test_two_officers_applying_at_once_register_one_household(monkeypatch):
    village = f.village()
    officers = [f.user("canbo", f.Role.OFFICER), f.user("canbo2", f.Role.OFFICER)]
    head = f.user("truongap1", f.Role.VILLAGE_HEAD, villages=[village])
    proposal = services.proposal_submit_household(
        scope=scope_for(head),
        village=village,
        members=[
            f.person("Phan Văn Tư", dt.date(1985, 6, 1)),
            f.person("Lâm Thị Mai", dt.date(1988, 2, 9), "female", "spouse"),
        ],
    )
    # Registering is slowed down, so that both officers would be inside it before either
    # commits if nothing serialised them.
    register = proposal_services.household_register

    def slow_register(**kwargs: Any) -> Household:
        household = register(**kwargs)
        time.sleep(0.3)
        return household

    monkeypatch.setattr(proposal_services, "household_register", slow_register)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def officer_applies(i: int) -> None:
        try:
            barrier.wait()
            services.proposal_apply(scope=scope_for(officers[i]), proposal=proposal)
            outcomes.append("applied")
        except ValidationError as exc:
            outcomes.append("decided" if "status" in exc.message_dict else repr(exc))
        except Exception as exc:
            outcomes.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=officer_applies, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["applied", "decided"]
    assert Household.objects.count() == 1
    assert Person.objects.count() == 2
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPLIED
    assert proposal.created_household == Household.objects.get()
