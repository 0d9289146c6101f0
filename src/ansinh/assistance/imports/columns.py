"""The columns of an allowance-recipients list and what a check builds from each good row: a
:class:`Recipient` — the person found in the registry, the case the row decides, and the
rules engine's figures beside it. The limits a cell is held to (decision number, account
holder, monthly amount, children) are here too; the person's columns take the aliases of the
households list (:data:`ansinh.registry.imports.COLUMNS`), so a file officers keep for both
reads the same.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy

from ansinh.assistance.models import Case
from ansinh.imports.kinds import CREATE, Column
from ansinh.registry.imports import aliases_of

DECISION_MAX = Case._meta.get_field("decision_number").max_length or 40
HOLDER_MAX = Case._meta.get_field("bank_account_holder").max_length or 100
MAX_AMOUNT = 1_000_000_000  # đồng a month: more is a typing mistake
MAX_CHILDREN = 30
PENSION = "social_pension"


COLUMNS = (
    Column("household_code", gettext_lazy("Household code"), aliases_of("household_code")),
    Column(
        "full_name",
        gettext_lazy("Full name"),
        (
            "Họ và tên đối tượng",
            "Họ tên đối tượng",
            "Tên đối tượng",
            "Họ và tên người hưởng",
            "Người hưởng",
            "Họ và tên người hưởng trợ cấp",
            *aliases_of("full_name"),
        ),
        required=True,
    ),
    Column("date_of_birth", gettext_lazy("Date of birth"), aliases_of("date_of_birth")),
    Column("cccd", gettext_lazy("Personal ID (CCCD)"), aliases_of("cccd")),
    Column(
        "group",
        gettext_lazy("Beneficiary group"),
        (
            "Đối tượng",
            "Nhóm đối tượng",
            "Diện đối tượng",
            "Loại đối tượng",
            "Đối tượng hưởng",
            "Thuộc đối tượng",
            "Diện hưởng",
            "Diện",
            "Mã đối tượng",
            "Nhóm",
        ),
        required=True,
    ),
    Column(
        "decision_number",
        gettext_lazy("Decision number"),
        ("Số quyết định", "Quyết định số", "Số QĐ", "QĐ số", "Quyết định"),
        required=True,
    ),
    Column(
        "decision_date",
        gettext_lazy("Decision date"),
        ("Ngày quyết định", "Ngày QĐ", "Ngày ký quyết định", "Ngày ký QĐ", "Ngày ký"),
        required=True,
    ),
    Column(
        "start_month",
        gettext_lazy("Paid from (month)"),
        (
            "Hưởng từ tháng",
            "Thời điểm hưởng",
            "Tháng bắt đầu hưởng",
            "Thời gian hưởng",
            "Hưởng từ",
            "Từ tháng",
            "Ngày hưởng",
        ),
    ),
    Column(
        "amount",
        gettext_lazy("Monthly amount (đồng)"),
        (
            "Mức trợ cấp",
            "Mức trợ cấp hằng tháng",
            "Mức trợ cấp hàng tháng",
            "Mức hưởng",
            "Số tiền",
            "Số tiền hưởng",
            "Số tiền được hưởng",
            "Số tiền trợ cấp",
            "Thành tiền",
        ),
        required=True,
    ),
    Column(
        "children",
        gettext_lazy("Children raised"),
        ("Số con", "Số con đang nuôi", "Số con nuôi dưỡng"),
    ),
    Column(
        "method",
        gettext_lazy("Payment method"),
        ("Hình thức chi trả", "Phương thức chi trả", "Hình thức nhận", "Hình thức", "Cách nhận"),
    ),
    Column(
        "bank",
        gettext_lazy("Bank"),
        ("Ngân hàng", "Tên ngân hàng", "Mở tại ngân hàng", "Nơi mở tài khoản", "Mở tại"),
    ),
    Column(
        "account_number",
        gettext_lazy("Account number"),
        ("Số tài khoản", "STK", "Số TK", "Tài khoản", "Số tài khoản ngân hàng"),
    ),
    Column(
        "account_holder",
        gettext_lazy("Account holder"),
        ("Chủ tài khoản", "Tên chủ tài khoản", "Tên tài khoản", "Chủ TK"),
        help=gettext_lazy("Empty: the recipient's name, as banks print it."),
    ),
)


@dataclass
class Recipient:
    """One row: the person, the case it decides, and what the engine says of it."""

    row: int
    person_id: int
    household_id: int
    born: dt.date
    name: str
    scheme: str
    group: str
    decision_number: str
    decision_date: dt.date
    effective_month: dt.date
    amount: int
    children: int | None
    method: str
    bank: str
    account_number: str
    account_holder: str
    confirm: bool = False
    case_id: int | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    action: str = CREATE
    engine: dict[str, Any] = field(default_factory=dict)  # household, basis, coefficient, amount

    @property
    def groups(self) -> list[str]:
        return [self.group] if self.group else []
