"""The outreach tests' world: commune A's two ấp with households that have (or lack) a mobile
phone, a village head of each ấp, a commune B with its officer."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ansinh.accounts.scopes import Scope, scope_for
from tests import factories as f

COMMUNE_B = 28468  # Xã Tân Phú, Đồng Tháp


@pytest.fixture
def head_dh(dong_hiep):
    return f.user("truongap2", f.Role.VILLAGE_HEAD, villages=[dong_hiep])


@pytest.fixture
def village_b(db):
    return f.village(commune_code=COMMUNE_B, name="Ấp Phú Mỹ", code="PM")


@pytest.fixture
def officer_b(village_b):
    return f.user("canbo_b", f.Role.OFFICER, commune_code=COMMUNE_B)


def scope(user: Any) -> Scope:
    return scope_for(user)


def home(village: Any, officer: Any, head: str, phone: str = "", **kw: Any) -> Any:
    """A household of two whose head is ``head`` (with ``phone`` on the head)."""
    extra = {"phone": phone} if phone else {}
    return f.household(
        village,
        f.person(head, dt.date(1970, 3, 4), "male", "head", **extra),
        f.person(f"Phạm Thị {head.split()[-1]}", dt.date(1972, 6, 7), "female", "spouse"),
        actor=officer,
        **kw,
    )


@pytest.fixture
def homes(tan_dong, dong_hiep, officer):
    """Three households in ấp Tân Đông (two mobiles, one without a phone), one in Đông Hiệp."""
    return {
        "an": home(tan_dong, officer, "Nguyễn Văn An", "0912345601"),
        "binh": home(tan_dong, officer, "Trần Văn Bình", "0912345602"),
        "cuong": home(tan_dong, officer, "Lê Văn Cường"),
        "dung": home(dong_hiep, officer, "Võ Văn Dũng", "0912345604"),
    }
