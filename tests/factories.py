"""Test data builders. They go through the services, like the product does."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from ansinh.accounts.choices import Role
from ansinh.accounts.models import User
from ansinh.accounts.scopes import Scope, scope_for
from ansinh.accounts.services import api_token_issue
from ansinh.core.identifiers import cccd_century_sex_digit
from ansinh.places.choices import VillageKind
from ansinh.places.models import Commune, Village
from ansinh.places.services import places_sync
from ansinh.registry import services
from ansinh.registry.models import Household
from ansinh.registry.validation import PersonData

TAN_DONG = 25522  # Xã Tân Đông, Tây Ninh (rural)
_serial = itertools.count(1)


def make_cccd(dob: dt.date, sex: str, province: str = "072") -> str:
    return (
        f"{province}{cccd_century_sex_digit(dob.year, sex)}{dob.year % 100:02d}{next(_serial):06d}"
    )


def village(commune_code: int = TAN_DONG, name: str = "Ấp Tân Đông", code: str = "TD") -> Village:
    if not Commune.objects.filter(code=commune_code).exists():
        places_sync()  # a transactional test flushed the data migration's rows
    obj, _ = Village.objects.get_or_create(
        commune=Commune.objects.get(code=commune_code),
        code=code,
        defaults={"name": name, "kind": VillageKind.AP},
    )
    return obj


def user(
    username: str, role: str, *, commune_code: int = TAN_DONG, villages: list[Village] | None = None
) -> User:
    u = User.objects.create_user(
        username=username,
        password="pw-for-tests-1",
        role=role,
        commune_id=commune_code,
        full_name=username.title(),
    )
    if villages:
        u.villages.set(villages)
    return u


def person(
    full_name: str = "Nguyễn Văn An",
    dob: dt.date = dt.date(1980, 5, 17),
    sex: str = "male",
    relationship: str = "head",
    *,
    with_cccd: bool = True,
    **extra: Any,
) -> PersonData:
    return PersonData(
        full_name=full_name,
        date_of_birth=dob,
        sex=sex,
        relationship=relationship,
        cccd=make_cccd(dob, sex) if with_cccd else "",
        **extra,
    )


def system(commune_code: int = TAN_DONG) -> Scope:
    """The system acting in a commune (what commands and jobs do)."""
    return Scope.system(commune_code, "tests")


def household(v: Village, *members: PersonData, actor: User | None = None, **kw: Any) -> Household:
    if not members:
        members = (
            person(),
            person("Trần Thị Bích", dt.date(1983, 2, 3), "female", "spouse"),
            person("Nguyễn Minh Khang", dt.date(2012, 9, 1), "male", "child", with_cccd=False),
        )
    scope = scope_for(actor) if actor is not None else Scope.system(v.commune_id, "tests")
    return services.household_register(scope=scope, village=v, members=list(members), **kw)


def api_token(u: User, *, name: str = "test") -> str:
    """A new API token for ``u``; returns the raw bearer value (only its hash is stored)."""
    _token, raw = api_token_issue(user=u, name=name)
    return raw


__all__ = [
    "Role",
    "api_token",
    "dt",
    "household",
    "make_cccd",
    "person",
    "system",
    "user",
    "village",
]
