from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings
from django.utils import translation

from tests import factories as f

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Real password hashing costs ~0.3 s per user; tests only need a working check."""
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language (Vietnamese): a request in English leaves
    English active in its thread (LocaleMiddleware activates, nothing deactivates), and the
    refusals that tests match would then depend on the order of the tests."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def tan_dong(db):
    return f.village()


@pytest.fixture
def dong_hiep(db):
    return f.village(name="Ấp Đông Hiệp", code="DH")


@pytest.fixture
def officer(tan_dong, dong_hiep):
    return f.user("canbo", f.Role.OFFICER)


@pytest.fixture
def committee(tan_dong):
    return f.user("phochutich", f.Role.COMMITTEE)


@pytest.fixture
def auditor(tan_dong):
    return f.user("kiemtra", f.Role.AUDITOR)


@pytest.fixture
def head_td(tan_dong):
    """Village head of ấp Tân Đông only."""
    return f.user("truongap1", f.Role.VILLAGE_HEAD, villages=[tan_dong])


@pytest.fixture
def hh_td(tan_dong, officer):
    return f.household(tan_dong, actor=officer)


@pytest.fixture
def hh_dh(dong_hiep, officer):
    return f.household(
        dong_hiep,
        f.person("Lê Thị Tím", f.dt.date(1975, 8, 8), "female", "head"),
        actor=officer,
    )


# --- the demo commune, built once per test session -----------------------------------------------

DEMO_OPTIONS: dict[str, Any] = {"households": 60, "seed": 7, "as_of": dt.date(2026, 11, 1)}


@dataclass
class DemoCommune:
    """What ``ansinh demo`` printed, and what each of its builders returned."""

    output: str
    options: dict[str, Any]
    built: dict[str, Any] = field(default_factory=dict)


def _build_demo() -> DemoCommune:
    """``ansinh demo --if-empty`` with ``DEMO_OPTIONS``, keeping each builder's result."""
    from ansinh.demo.management.commands import demo as command

    f.village()  # the national list of communes, if a transactional test flushed it
    names = ("build_registry", "build_poverty", "build_insurance", "build_assistance")
    originals = {name: getattr(command, name) for name in names}
    built: dict[str, Any] = {}

    def recording(name: str) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            built[name.removeprefix("build_")] = result = originals[name](*args, **kwargs)
            return result

        return wrapper

    out = io.StringIO()
    try:
        for name in names:
            setattr(command, name, recording(name))
        call_command("demo", stdout=out, if_empty=True, **DEMO_OPTIONS)
    finally:
        for name, original in originals.items():
            setattr(command, name, original)
    return DemoCommune(output=out.getvalue(), options=dict(DEMO_OPTIONS), built=built)


@pytest.fixture(scope="session")
def demo_build(django_db_setup, django_db_blocker) -> Iterator[DemoCommune]:
    """The demo commune (``ansinh demo``, 60 households), built once per test session (per
    xdist worker) for the tests that read it: use ``demo_commune``, not this one.

    It is built in a transaction that stays open to the end of the session and is then rolled
    back. Each test runs in a savepoint inside it (pytest-django's ``db``): what a test writes
    is undone after it, and every test sees the same demo. The tests that use it run last
    (``pytest_collection_modifyitems``), so that no other test sees the demo.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
                demo = _build_demo()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield demo
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def demo_commune(demo_build, db) -> DemoCommune:
    """The demo commune, shared: a test may write, its changes are rolled back after it. Not
    for a test with its own database (``transactional_db``, ``live_server``)."""
    return demo_build


@pytest.hookimpl(trylast=True)  # after pytest-django's reordering (database tests first)
def pytest_collection_modifyitems(config, items):
    # The tests on the shared demo commune last: its transaction is open from the first of them
    # to the end of the session (stable sort: their order among themselves is kept).
    items.sort(key=lambda item: "demo_build" in getattr(item, "fixturenames", ()))
    # Browser tests need Debian's chromium; outside CI they are skipped (loudly) if absent.
    if os.path.exists("/usr/bin/chromium"):
        return
    if os.environ.get("CI") == "true":
        return  # the test itself fails: CI must have the browser
    skip = pytest.mark.skip(reason="Debian's chromium is not installed (make browser)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fresh_figures():
    """Kept figures (``core/figures``) live in the process's cache, which outlives a test's
    database: each test starts with none."""
    from django.core.cache import cache

    cache.clear()
