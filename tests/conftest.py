from __future__ import annotations

import os

import pytest

from tests import factories as f


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Real password hashing costs ~0.3 s per user; tests only need a working check."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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


def pytest_collection_modifyitems(config, items):
    """Browser tests need Debian's chromium; outside CI they are skipped (loudly) if absent."""
    if os.path.exists("/usr/bin/chromium"):
        return
    if os.environ.get("CI") == "true":
        return  # the test itself fails: CI must have the browser
    skip = pytest.mark.skip(reason="Debian's chromium is not installed (make browser)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)
