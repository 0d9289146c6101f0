"""Read endpoints for allowance cases and payrolls (django-ninja Router).

Mounted by ``ansinh.api.api`` (``api.add_router("/assistance", router)``), whose ``TokenAuth``
sets ``request.scope``: the same scoped selectors as the pages (village heads see only their
villages; a case elsewhere is a 404). Bank account numbers are masked.
"""

# No `from __future__ import annotations`: django-ninja builds its query models from these
# annotations at import time and must see the bounded types themselves.
import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from ansinh.accounts.scopes import Scope
from ansinh.assistance import selectors
from ansinh.core.api import BoundedLimitOffsetPagination, DbId
from ansinh.core.identifiers import mask

router = Router(tags=["assistance"])
Word = Annotated[str, Field(max_length=100)]


def _scope(request: HttpRequest) -> Scope:
    scope: Scope = request.scope  # type: ignore[attr-defined]
    return scope


class CaseOut(Schema):
    id: int
    person_id: int
    full_name: str = Field(alias="person.full_name")
    household_id: int
    village_id: int
    scheme: str
    groups: list[str]
    basis: str
    status: str
    applied_on: dt.date
    decision_number: str
    decision_date: dt.date | None
    effective_month: dt.date | None
    end_month: dt.date | None
    coefficient: str
    amount: int
    payment_method: str
    bank: str
    account: str

    @staticmethod
    def resolve_account(obj: Any) -> str:
        return mask(obj.bank_account_number) if obj.bank_account_number else ""


class CaseEventOut(Schema):
    kind: str
    date: dt.date
    month: dt.date | None
    amount: int | None
    note: str


class CaseDetailOut(CaseOut):
    explanation_text: str
    explanation: dict[str, Any]
    events: list[CaseEventOut]

    @staticmethod
    def resolve_events(obj: Any) -> list[Any]:
        return list(obj.events.all())


class PayrollOut(Schema):
    id: int
    month: dt.date
    status: str
    prepared_at: dt.datetime | None
    approved_at: dt.datetime | None
    closed_at: dt.datetime | None


class LineOut(Schema):
    id: int
    case_id: int
    full_name: str = Field(alias="case.person.full_name")
    month: dt.date
    kind: str
    amount: int
    method: str
    bank: str
    reference: str
    status: str
    result_reason: str


class PayrollDetailOut(PayrollOut):
    total: int
    bank_total: int
    cash_total: int
    lines: list[LineOut]


@router.get("/cases", response=list[CaseOut])
@paginate(BoundedLimitOffsetPagination)
def list_cases(
    request: HttpRequest,
    status: Word = "",
    group: Word = "",
    village_id: DbId | None = None,
    scheme: Word = "",
) -> Any:
    return selectors.case_list(
        _scope(request), status=status, group=group, village_id=village_id, scheme=scheme
    )


@router.get("/cases/{case_id}", response=CaseDetailOut)
def get_case(request: HttpRequest, case_id: DbId) -> Any:
    return selectors.case_get(_scope(request), case_id)


@router.get("/payrolls", response=list[PayrollOut])
@paginate(BoundedLimitOffsetPagination)
def list_payrolls(request: HttpRequest) -> Any:
    return selectors.payrolls_for(_scope(request)).order_by("-month")


@router.get("/payrolls/{payroll_id}", response=PayrollDetailOut)
def get_payroll(request: HttpRequest, payroll_id: DbId) -> Any:
    scope = _scope(request)
    payroll = selectors.payroll_get(scope, payroll_id)
    summary = selectors.payroll_summary(scope, payroll)
    return {
        "id": payroll.pk,
        "month": payroll.month,
        "status": payroll.status,
        "prepared_at": payroll.prepared_at,
        "approved_at": payroll.approved_at,
        "closed_at": payroll.closed_at,
        "total": summary["total"],
        "bank_total": summary["bank"],
        "cash_total": summary["cash"],
        "lines": list(selectors.payroll_lines(scope, payroll)),
    }
