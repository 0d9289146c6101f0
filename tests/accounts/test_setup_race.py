"""Two first visitors submit the set-up page at the same moment (PostgreSQL: real
concurrency). One installation results; the other visitor is told it was just set up."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from ansinh.accounts import selectors
from ansinh.accounts.models import User
from ansinh.accounts.scopes import Scope
from ansinh.accounts.services import installation_setup
from ansinh.accounts.services import setup as setup_service
from ansinh.places.models import Village

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL locks"),
]

COMMUNES = [25522, 28723]  # Xã Tân Đông of Tây Ninh and of Đồng Tháp


def test_two_first_visitors_make_one_installation(monkeypatch):
    # Each visitor's check of "new" is slowed down, so that both would pass it before either
    # commits if nothing serialised them.
    check = setup_service._check_commune

    def slow_check(*args: Any, **kwargs: Any) -> None:
        check(*args, **kwargs)
        time.sleep(0.3)

    monkeypatch.setattr(setup_service, "_check_commune", slow_check)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def visitor(i: int) -> None:
        try:
            barrier.wait()
            installation_setup(
                scope=Scope.system(COMMUNES[i], via="set-up page"),
                villages=f"Ấp Một {i}\nẤp Hai {i}",
                officer_username=f"canbo{i}",
                officer_password="Lua-chin-vang-2026",
                only_if_new=True,
            )
            outcomes.append("done")
        except ValidationError as exc:
            outcomes.append(exc.code or "")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=visitor, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["already_set_up", "done"]
    assert len(selectors.communes_in_use()) == 1
    assert User.objects.count() == 1
    assert Village.objects.count() == 2
