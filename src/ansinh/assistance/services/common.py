"""What every write of allowance cases shares: the audited fields of a case, who may write,
and a change of a case as a dated, audited event."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ansinh.accounts.permissions import require
from ansinh.accounts.scopes import Scope
from ansinh.assistance import holds
from ansinh.assistance.choices import CaseEventKind
from ansinh.assistance.models import Case, CaseEvent
from ansinh.core import audit

CASE_FIELDS = [
    "scheme",
    "groups",
    "children",
    "pension",
    "status",
    "applied_on",
    "documents",
    "verified_on",
    "decision_number",
    "decision_date",
    "decision_signer",
    "effective_month",
    "backdate_reason",
    "basis",
    "coefficient",
    "amount",
    "amount_from",
    "payment_method",
    "bank",
    "bank_account_number",
    "stop_reason",
    "end_month",
    "transferred_to",
]


def ensure_officer(scope: Scope, commune_code: int) -> None:
    """Only the commune's officer (or the system) writes allowance cases and payrolls."""
    require(
        scope,
        commune_code,
        can="edit",
        message=_("Only the commune officer can change allowance cases."),
    )


@contextmanager
def _event(
    case: Case,
    kind: str,
    *,
    scope: Scope,
    date: dt.date,
    month: dt.date | None = None,
    note: str = "",
) -> Iterator[audit.Tracked]:
    """A change of ``case`` in the block, as a dated event: the event (its amount and note as
    the block leaves them; the block may set ``.note``) and the audited change of the case's
    fields (noted with the event's kind if there is no note). A decided case's payrolls are
    then checked again."""
    with audit.tracked(
        scope,
        case,
        CASE_FIELDS,
        note=note,
        commune_code=case.commune_id,
        household_id=case.household_id,
    ) as change:
        yield change
        CaseEvent.objects.create(
            case=case,
            kind=kind,
            date=date,
            month=month,
            amount=case.amount,
            note=change.note[:300],
            actor=scope.user,
        )
        change.note = change.note or str(CaseEventKind(kind).label)
    if case.effective_month is not None:  # a decided case: its payments may change
        holds.payrolls_touch(case.commune_id)


def _need_status(case: Case, *allowed: str) -> None:
    if case.status not in allowed:
        raise ValidationError(
            _("This case is %(status)s: the action is not possible.")
            % {"status": case.get_status_display()}
        )
