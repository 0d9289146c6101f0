"""The columns of a households list and what a check builds from its rows: a household of the
file (:class:`Group`) and its members (:class:`Member`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy

from ansinh.imports.kinds import (
    Column,
)
from ansinh.places.models import Village
from ansinh.registry.choices import Ethnicity
from ansinh.registry.models import Household, Person
from ansinh.registry.validation import PersonData

HOUSEHOLD_CODE_MAX = Household._meta.get_field("code").max_length or 20
ADDRESS_MAX = Household._meta.get_field("address").max_length or 200
NAME_MAX = Person._meta.get_field("full_name").max_length or 100
BATCH = 1000
ETHNIC_GROUPS = Ethnicity.choices  # computed once: a TextChoices builds it on each access

COLUMNS = (
    Column(
        "household_code",
        gettext_lazy("Household code"),
        ("Mã hộ", "Mã số hộ", "Mã hộ gia đình", "Mã HGĐ", "Số hộ", "Mã hộ GĐ"),
    ),
    Column(
        "full_name",
        gettext_lazy("Full name"),
        ("Họ và tên", "Họ tên", "Họ và tên thành viên", "Họ và tên người", "Tên thành viên"),
        required=True,
    ),
    Column(
        "date_of_birth",
        gettext_lazy("Date of birth"),
        (
            "Ngày sinh",
            "Ngày tháng năm sinh",
            "Ngày, tháng, năm sinh",
            "Ngày/tháng/năm sinh",
            "Năm sinh",
            "NS",
        ),
    ),
    Column(
        "birth_male",
        gettext_lazy("Date of birth (column Nam)"),
        ("Năm sinh Nam", "Ngày sinh Nam", "Ngày tháng năm sinh Nam", "Nam"),
    ),
    Column(
        "birth_female",
        gettext_lazy("Date of birth (column Nữ)"),
        ("Năm sinh Nữ", "Ngày sinh Nữ", "Ngày tháng năm sinh Nữ", "Nữ"),
    ),
    Column("sex", gettext_lazy("Sex"), ("Giới tính", "Giới", "GT", "Nam/Nữ", "Nam Nữ")),
    Column(
        "relationship",
        gettext_lazy("Relationship to the head"),
        (
            "Quan hệ với chủ hộ",
            "Quan hệ với CH",
            "QH với chủ hộ",
            "Quan hệ chủ hộ",
            "Mối quan hệ",
            "Quan hệ",
        ),
        required=True,
    ),
    Column(
        "cccd",
        gettext_lazy("Personal ID (CCCD)"),
        (
            "Số CCCD",
            "CCCD",
            "Số định danh",
            "Số định danh cá nhân",
            "Mã định danh",
            "Số CMND/CCCD",
            "CMND/CCCD",
            "CCCD/CMND",
            "Số CMND",
            "CMND",
        ),
    ),
    Column("ethnicity", gettext_lazy("Ethnicity"), ("Dân tộc", "DT")),
    Column(
        "village",
        gettext_lazy("Village"),
        (
            "Ấp",
            "Thôn",
            "Khu phố",
            "Tổ dân phố",
            "Thôn/ấp",
            "Ấp/khu phố",
            "Thôn/xóm",
            "Thôn/tổ dân phố",
            "Tên ấp",
            "Tên thôn",
            "Địa bàn",
        ),
    ),
    Column(
        "address",
        gettext_lazy("Address"),
        ("Địa chỉ", "Địa chỉ thường trú", "Nơi ở hiện nay", "Nơi ở", "Số nhà"),
    ),
    Column(
        "phone",
        gettext_lazy("Phone"),
        ("Số điện thoại", "Điện thoại", "SĐT", "ĐT", "Số ĐT", "Di động", "ĐTDĐ"),
    ),
)
PERSON_COLUMNS = {
    "full_name": "full_name",
    "date_of_birth": "date_of_birth",
    "sex": "sex",
    "relationship": "relationship",
    "ethnicity": "ethnicity",
    "cccd": "cccd",
    "phone": "phone",
}


@dataclass
class Member:
    row: int
    data: PersonData
    person_id: int | None = None  # the recorded person it matches
    changed: bool = False


@dataclass
class Group:
    """One household of the file."""

    rows: list[int] = field(default_factory=list)
    code: str = ""
    village: Village | None = None
    address: str = ""
    phone: str = ""
    members: list[Member] = field(default_factory=list)
    household_id: int | None = None
    confirm: bool = False  # matched only by a member's name and date of birth
    household_changes: dict[str, Any] = field(default_factory=dict)
    invalid: bool = False


def aliases_of(key: str) -> tuple[str, ...]:
    """The header texts of the households list's column ``key``: the other kinds of list
    (poverty, allowances, cards) name the same person columns the same way."""
    return next(c.aliases for c in COLUMNS if c.key == key)
