"""The shape of the guard's table: the frames the rules read, what a run finds, and a rule.

:class:`Rule` (a check a guard run makes), :class:`EventRule` (a check only an event after
generation raises), :class:`Param` (one typed message parameter) and :class:`Context` (what a
rule's ``derive`` reads besides its frame). The entries themselves are in
:mod:`ansinh.rules.guard.table`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import polars as pl

from ansinh.rules.parameters import ParameterSet, Reference


def gettext_noop(message: str) -> str:
    """Marks a msgid for the catalogue (``makemessages`` extracts it); translated on display."""
    return message


#: A bank account number the banks accept: 6 to 19 digits.
ACCOUNT_NUMBER_PATTERN = r"^\d{6,19}$"

#: The ``cases`` frame: one row per case payable in the month. ``groups`` joined with ``;``;
#: ``household_now`` is the household's official status on the month as the allowance rules
#: read it (``poor``, ``near_poor`` or ``other``); ``failed_*`` describe the case's bank payment
#: that failed in the previous payroll (null when none).
CASES_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "id": pl.Int64,
    "person_id": pl.Int64,
    "household_id": pl.Int64,
    "scheme": pl.String,
    "groups": pl.String,
    "children": pl.Int64,
    "pension": pl.Int64,
    "amount": pl.Int64,
    "household_status": pl.String,
    "payment_method": pl.String,
    "bank": pl.String,
    "bank_account_number": pl.String,
    "date_of_birth": pl.Date,
    "life_status": pl.String,
    "status_date": pl.Date,
    "status": pl.String,
    "household_now": pl.String,
    "failed_month": pl.Date,
    "failed_account": pl.String,
    "failed_reason": pl.String,
}

#: The ``ended_arrears`` frame: one row per arrears line on the month's payroll of a case whose
#: allowance has ended (stopped or transferred) by the month.
ARREARS_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "id": pl.Int64,
    "end_month": pl.Date,
    "amount": pl.Int64,
    "month": pl.Date,
}

#: What :func:`~ansinh.rules.guard.findings` returns: one row per case and rule; ``params`` is
#: a JSON object.
FINDINGS_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "case_id": pl.Int64,
    "rule": pl.String,
    "blocking": pl.Boolean,
    "message": pl.String,
    "params": pl.String,
}

#: How a parameter is shown: ``money`` (integer đồng), ``date`` (dd/mm/yyyy), ``month``
#: (mm/yyyy), ``months`` (a list of months), ``decimal`` (``1,5`` in Vietnamese), ``label`` (a
#: code shown by its translated label), ``text`` and ``count`` (as they are).
PARAM_KINDS = frozenset({"money", "date", "month", "months", "decimal", "label", "text", "count"})

#: The parameters of the messages events raise (``event_messages``), and how each is shown:
#: the event's date, the month it is no longer paid from (``end``), where a case was
#: transferred to, how many payments were held (``count``, ``total``) and the payroll month
#: still owed (``month``).
EVENT_PARAMS: Mapping[str, str] = {
    "date": "date",
    "end": "month",
    "to": "text",
    "count": "count",
    "total": "money",
    "month": "month",
    "paid": "money",
    "due": "money",
}


@dataclass(frozen=True)
class Param:
    """One message parameter: its value per row and how it is shown."""

    expr: pl.Expr
    kind: str = "text"
    labels: Mapping[str, str] | None = None  # for ``label``: code -> msgid

    def __post_init__(self) -> None:
        if self.kind not in PARAM_KINDS:
            raise ValueError(f"unknown parameter kind {self.kind!r}")
        if (self.kind == "label") != (self.labels is not None):
            raise ValueError("a label parameter, and only one, has labels")


@dataclass(frozen=True)
class Context:
    """What a rule's ``derive`` may read besides its frame."""

    month: dt.date
    province: int | None = None
    params: ParameterSet | None = None


def _distinct_keys(code: str, found: Mapping[str, str], raised: Mapping[str, str]) -> None:
    """A key names one message of a rule: a guard run's or an event's, never both."""
    clash = set(found) & set(raised)
    if clash:
        raise ValueError(f"rule {code}: {sorted(clash)} both a guard and an event message")


@dataclass(frozen=True)
class Rule:
    """One reason not to pay a case as is (see :mod:`ansinh.rules.guard` for each field)."""

    code: str
    label: str
    blocking: bool
    when: pl.Expr | None
    messages: Mapping[str, str]
    params: Mapping[str, Param] = field(default_factory=dict)
    choose: pl.Expr | None = None
    frame: str = "cases"
    key: str = "id"
    scope: pl.Expr | None = None
    derive: Callable[[pl.DataFrame, Context], pl.DataFrame] | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    reference: Reference | None = None
    actions: tuple[str, ...] | None = None
    event_messages: Mapping[str, str] = field(default_factory=dict)
    demo_action: str = "confirmed"  # a value of ``assistance.choices.GuardAction``

    def __post_init__(self) -> None:
        _distinct_keys(self.code, self.messages, self.event_messages)

    def applies(self, month: dt.date) -> bool:
        """In force for ``month``."""
        return (self.valid_from is None or self.valid_from <= month) and (
            self.valid_to is None or month < self.valid_to
        )

    def run(self, frame: pl.DataFrame, context: Context) -> pl.DataFrame:
        """This rule's findings in ``frame`` (:data:`FINDINGS_SCHEMA`). The message and its
        parameters are evaluated over the scoped rows (window expressions see them all), then
        kept for the rows with a finding only."""
        if not self.applies(context.month) or frame.is_empty():
            return pl.DataFrame(schema=FINDINGS_SCHEMA)
        rows = frame.with_columns(pl.lit(context.month).alias("_month"))
        if self.scope is not None:
            rows = rows.filter(self.scope.fill_null(False))
        if self.derive is not None and not rows.is_empty():
            rows = self.derive(rows, context)
        if self.when is not None and not rows.is_empty():
            hit = rows.select(self.when.fill_null(False).alias("hit")).get_column("hit")
            if not hit.any():
                return pl.DataFrame(schema=FINDINGS_SCHEMA)
        else:
            hit = None
        if rows.is_empty():
            return pl.DataFrame(schema=FINDINGS_SCHEMA)
        message = pl.lit(next(iter(self.messages))) if self.choose is None else self.choose
        found = rows.select(
            pl.col(self.key).cast(pl.Int64).alias("case_id"),
            message.alias("message"),
            *[p.expr.alias(name) for name, p in self.params.items()],
        )
        if hit is not None:
            found = found.filter(hit)
        unknown = set(found.get_column("message").unique()) - set(self.messages)
        if unknown:
            raise ValueError(f"rule {self.code}: no message {sorted(map(str, unknown))}")
        values = pl.struct(list(self.params)).struct.json_encode() if self.params else pl.lit("{}")
        return found.select(
            "case_id",
            pl.lit(self.code).alias("rule"),
            pl.lit(self.blocking).alias("blocking"),
            "message",
            values.alias("params"),
        )


@dataclass(frozen=True)
class EventRule:
    """A check raised only by an event recorded after the payroll was made (see
    ``assistance.holds``), never by a guard run."""

    code: str
    label: str
    actions: tuple[str, ...] | None = None
    event_messages: Mapping[str, str] = field(default_factory=dict)
    demo_action: str = "confirmed"
