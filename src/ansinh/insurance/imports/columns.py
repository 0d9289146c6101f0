"""The columns of a card list and what a check builds from each good row: a :class:`CardRow`
(the person found, the card period, the numbers printed on the card). The Vietnamese headers
and the English ones of earlier files are both aliases here, the person's taking those of the
households list; :func:`group_code` reads the group printed on the card. The shape of the
15-character card code, :data:`LEGACY_CODE`, is the card service's
(:mod:`ansinh.insurance.cards`), as are the rules a row must meet to be written
(:func:`~ansinh.insurance.cards.card_errors`, on :meth:`CardRow.fields`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy, gettext_noop

from ansinh.imports import values
from ansinh.imports.kinds import CREATE, Column
from ansinh.insurance.cards import LEGACY_CODE as LEGACY_CODE
from ansinh.insurance.choices import GroupCode
from ansinh.registry.imports import aliases_of

IDENTIFIERS = ("cccd", "social_insurance_number", "legacy_code")


COLUMNS = (
    Column("cccd", gettext_lazy("Personal ID (CCCD)"), ("cccd", *aliases_of("cccd"))),
    Column(
        "social_insurance_number",
        gettext_lazy("Social insurance number"),
        (
            "social_insurance_number",
            "Mã số BHXH",
            "Mã BHXH",
            "Số BHXH",
            "Mã số bảo hiểm xã hội",
            "Mã số BHXH/BHYT",
            "MSBHXH",
        ),
    ),
    Column(
        "legacy_code",
        gettext_lazy("Card code (15 characters)"),
        ("legacy_code", "Mã thẻ", "Mã thẻ BHYT", "Số thẻ", "Số thẻ BHYT", "Mã số thẻ"),
    ),
    Column(
        "household_code",
        gettext_lazy("Household code"),
        ("household_code", *aliases_of("household_code")),
    ),
    Column("full_name", gettext_lazy("Full name"), ("full_name", *aliases_of("full_name"))),
    Column(
        "date_of_birth",
        gettext_lazy("Date of birth"),
        ("date_of_birth", *aliases_of("date_of_birth")),
    ),
    Column(
        "group_code",
        gettext_lazy("Group on the card"),
        (
            "group_code",
            "Mã đối tượng",
            "Mã nhóm đối tượng",
            "Nhóm đối tượng",
            "Đối tượng",
            "Mã nhóm",
        ),
        required=True,
        help=gettext_lazy("Not needed when the 15-character card code starts with it."),
    ),
    Column(
        "valid_from",
        gettext_lazy("Valid from"),
        (
            "valid_from",
            "Giá trị sử dụng từ ngày",
            "Giá trị sử dụng từ",
            "Giá trị từ ngày",
            "Hạn thẻ từ",
            "Hạn từ",
            "Từ ngày",
            "Hiệu lực từ",
            "Ngày bắt đầu",
        ),
        required=True,
    ),
    Column(
        "valid_to",
        gettext_lazy("Valid to"),
        (
            "valid_to",
            "Giá trị sử dụng đến ngày",
            "Giá trị sử dụng đến",
            "Giá trị đến ngày",
            "Hạn thẻ đến",
            "Hạn đến",
            "Đến ngày",
            "Hiệu lực đến",
            "Ngày hết hạn",
        ),
        required=True,
    ),
    Column(
        "paid_on",
        gettext_lazy("Paid on"),
        ("paid_on", "Ngày đóng", "Ngày đóng tiền", "Ngày nộp tiền", "Ngày nộp"),
    ),
)

_GROUP_WORDS = {
    "ho ngheo": "HN",
    "ngheo": "HN",
    "ho can ngheo": "CN",
    "can ngheo": "CN",
    "tre em": "TE",
    "tre em duoi 6 tuoi": "TE",
    "bao tro xa hoi": "BT",
    "ho gia dinh": "GD",
    "hgd": "GD",
    "hoc sinh": "HS",
    "sinh vien": "SV",
    "huu tri": "HT",
    "nong lam ngu nghiep": "GB",
    "nguoi co cong": "CC",
    "cuu chien binh": "CB",
}


def group_code(value: Any, legacy: str = "") -> str:
    """The group printed on the card: its two letters ("GD", "hn"), a usual word ("Hộ gia
    đình", "Cận nghèo"), or the first two letters of the 15-character card code."""
    raw = values.text(value)
    code = raw.upper() if len(raw) == 2 else _GROUP_WORDS.get(values.key(raw), "")
    if not raw and legacy:
        code = legacy[:2]
    if code not in GroupCode.values:
        raise values.CellError(
            gettext_noop(
                "“%(value)s” is not a card group: write the two letters printed on the card "
                "(HN, CN, TE, GD, HS…)."
            ),
            value=raw[:40] or legacy[:2],
        )
    return code


@dataclass
class CardRow:
    row: int
    person_id: int
    group_code: str
    valid_from: dt.date
    valid_to: dt.date
    paid_on: dt.date | None
    number: str
    legacy: str
    cccd: str
    holder_cccd: str = ""  # the personal ID recorded for the person ("" when none, or unread)
    card_id: int | None = None
    confirm: bool = False
    action: str = CREATE

    def fields(self) -> dict[str, Any]:
        """The values the card service checks (:func:`~ansinh.insurance.cards.card_errors`),
        by column key."""
        return {
            "group_code": self.group_code,
            "valid_from": self.valid_from,
            "valid_to": self.valid_to,
            "social_insurance_number": self.number,
            "legacy_code": self.legacy,
            "cccd": self.cccd,
        }
