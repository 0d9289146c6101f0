"""The payroll guard's rules: every reason not to pay a case as is in a month, as a table.

Pure polars, like the rest of the rules engine: the web app builds the frames from its
database (:mod:`ansinh.assistance.guard`), calls :func:`findings` and stores what it returns;
nothing here reads a database or imports Django.

Public interface::

    RULES: tuple[Rule, ...]                     # the guard's rules, in the order they run
    EVENT_RULES: tuple[EventRule, ...]          # checks raised only by events after generation
    findings(frames, month, province=None, params=None) -> pl.DataFrame
    render(code, key, params, translate=str, lang="vi") -> str | None
    LABELS, ACTIONS                             # code -> label msgid / allowed actions
    rule(code) -> Rule

A rule (:class:`Rule`) is one entry of :data:`RULES`:

* ``code`` (stored on the guard item), ``label`` and ``blocking``;
* ``frame``: what it reads — ``cases`` (one row per case payable in the month, the columns of
  :data:`CASES_SCHEMA`) or ``ended_arrears`` (one row per arrears line on the month's payroll
  of a case that has ended, :data:`ARREARS_SCHEMA`); ``_month``, the payroll's month, is added;
* ``scope``: the rows it looks at (a boolean expression, ``None`` = all), ``derive``: columns it
  adds to them (e.g. the amount the allowance rules give), ``when``: the vectorised predicate,
  true for every row with a finding (``None`` = every scoped row). Window expressions in
  ``when`` and in the parameters see the scoped rows;
* its message: ``messages`` (key -> msgid with ``%(name)s`` placeholders), ``choose`` (an
  expression giving the key per row; ``None`` = the only one) and ``params``: one typed
  expression per placeholder (:class:`Param`). A finding stores the key and the values, never
  a sentence: :func:`render` makes the sentence in the reader's language when it is shown;
* the months it applies to (``valid_from`` inclusive, ``valid_to`` excluded), its legal
  reference where one exists, and ``actions``: what the officer may do with an item (``None``
  = the default actions for a case, decided by the payroll).

Adding a rule is adding an entry here (and the Vietnamese of its msgids to the catalogue):
see ``docs/how-to/add-a-guard-rule.md``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from ansinh.core.money import format_vnd
from ansinh.rules.allowance import compute
from ansinh.rules.parameters import ParameterSet, Reference

__all__ = [
    "ACCOUNT_NUMBER_PATTERN",
    "ACTIONS",
    "ARREARS_SCHEMA",
    "CASES_SCHEMA",
    "EVENT_RULES",
    "FINDINGS_SCHEMA",
    "LABELS",
    "RULES",
    "Context",
    "EventRule",
    "Param",
    "Rule",
    "findings",
    "render",
    "rule",
]


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

#: What :func:`findings` returns: one row per case and rule; ``params`` is a JSON object.
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


@dataclass(frozen=True)
class Rule:
    """One reason not to pay a case as is (see the module's docstring for each field)."""

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


# --- legal references -----------------------------------------------------------------------

_DECREE_20 = {"document": "Decree 20/2021/ND-CP", "document_vi": "Nghị định 20/2021/NĐ-CP"}
DECREE_20_STOP = Reference(
    **_DECREE_20,
    article=None,
    article_vi=None,
    note="[check] a stop or change takes effect from the month after death or the change of "
    "condition (policy note §2.2); the article is not in the policy note",
)
DECREE_20_ONE_ALLOWANCE = Reference(
    **_DECREE_20,
    article="Art. 6.2",
    article_vi="Điều 6.2",
    note="one allowance, the highest; the social pension or the Decree 20 allowance, never "
    "both (Law on Social Insurance 2024 Art. 21)",
)
DECREE_20_AMOUNT = Reference(
    **_DECREE_20,
    article="Art. 6.1",
    article_vi="Điều 6.1",
    note="standard level × the coefficient of the group and age band",
)
DECREE_20_GROUPS = Reference(
    **_DECREE_20,
    article="Art. 5",
    article_vi="Điều 5",
    note="several groups require a poor or near-poor household",
)

# --- labels ---------------------------------------------------------------------------------

LIVING, DECEASED, MOVED_AWAY = "living", "deceased", "moved_away"
ACTIVE = "active"
BANK = "bank"
SOCIAL_ASSISTANCE = "social_assistance"
SOCIAL_PENSION = "social_pension"

HOUSEHOLD_LABELS = {
    "poor": gettext_noop("poor household"),
    "near_poor": gettext_noop("near-poor household"),
    "other": gettext_noop("neither poor nor near-poor"),
}

# the actions (values of ``assistance.choices.GuardAction``)
CONFIRMED, STOPPED, CASH, HELD, NOT_OWED = "confirmed", "stopped", "cash", "held", "not_owed"
_CHECK_ACTIONS = (CONFIRMED, CASH, HELD)


# --- derived columns ------------------------------------------------------------------------


def _expected_amount(rows: pl.DataFrame, context: Context) -> pl.DataFrame:
    """``expected_amount``, ``expected_scheme``, ``coefficient``: what the allowance rules give
    each case for the month (a pension case is checked against the social pension only)."""
    pension = pl.col("scheme") == SOCIAL_PENSION
    people = rows.select(
        pl.col("id").alias("person_code"),
        "date_of_birth",
        pl.col("household_now").alias("household"),
        pl.when(pension).then(pl.lit("")).otherwise(pl.col("groups")).alias("groups"),
        "children",
        "pension",
        pension.alias("social_pension_request"),
        pl.lit(context.month).alias("decision_month"),
    )
    result = compute(people, context.month, context.province, context.params)
    if not result.get_column("person_code").equals(people.get_column("person_code")):
        raise AssertionError("the allowance rules changed the order of the rows")
    return rows.with_columns(
        result.get_column("amount").alias("expected_amount"),
        result.get_column("scheme").alias("expected_scheme"),
        result.get_column("coefficient").alias("coefficient"),
    )


def _kept_case(rows: pl.DataFrame, context: Context) -> pl.DataFrame:
    """``kept_id``, ``kept_amount``: of a person's cases, the one paid — the higher amount, on
    a tie the Decree 20 allowance (as the allowance rules decide), then the older case."""
    order = [pl.col("amount"), (pl.col("scheme") == SOCIAL_ASSISTANCE), pl.col("id")]
    descending = [True, True, False]
    return rows.with_columns(
        pl.col("id")
        .sort_by(order, descending=descending)
        .first()
        .over("person_id")
        .alias("kept_id"),
        pl.col("amount")
        .sort_by(order, descending=descending)
        .first()
        .over("person_id")
        .alias("kept_amount"),
    )


def _arrears_per_case(rows: pl.DataFrame, context: Context) -> pl.DataFrame:
    """One row per case: its end month, the months still owed and their total."""
    return (
        rows.sort("id", "month")
        .group_by("id", maintain_order=True)
        .agg(
            pl.col("end_month").first(),
            pl.col("amount").sum().alias("total"),
            pl.col("month").alias("months"),
        )
    )


# --- the rules ------------------------------------------------------------------------------

_bank = pl.col("payment_method") == BANK
_account = pl.col("bank_account_number").fill_null("")

RULES: tuple[Rule, ...] = (
    Rule(
        code="person_gone",
        label=gettext_noop("Deceased or moved away"),
        blocking=True,
        when=(pl.col("life_status") != LIVING) & (pl.col("status") == ACTIVE),
        # died or moved before the month: nothing is owed for it; during the month: it is paid
        choose=pl.concat_str(
            pl.when(pl.col("life_status") == MOVED_AWAY)
            .then(pl.lit("moved"))
            .otherwise(pl.lit("died")),
            pl.when((pl.col("status_date") < pl.col("_month")).fill_null(False))
            .then(pl.lit("_before"))
            .otherwise(pl.lit("_this_month")),
        ),
        messages={
            "died_before": gettext_noop(
                "The recipient died on %(date)s: do not pay, stop the allowance."
            ),
            "died_this_month": gettext_noop(
                "The recipient died on %(date)s: pay this month, stop the allowance from next "
                "month."
            ),
            "moved_before": gettext_noop(
                "The recipient moved away on %(date)s: do not pay, stop the allowance."
            ),
            "moved_this_month": gettext_noop(
                "The recipient moved away on %(date)s: pay this month, stop the allowance from "
                "next month."
            ),
        },
        params={"date": Param(pl.col("status_date"), "date")},
        reference=DECREE_20_STOP,
        actions=(STOPPED, CONFIRMED, CASH, HELD),
    ),
    Rule(
        code="two_cases",
        label=gettext_noop("Two active cases"),
        blocking=True,
        scope=pl.len().over("person_id") > 1,
        derive=_kept_case,
        when=pl.col("id") != pl.col("kept_id"),
        messages={
            "stop_lower": gettext_noop(
                "This person has %(count)s allowance cases: only the highest amount is paid "
                "(%(kept)s); stop the case of %(amount)s."
            ),
        },
        params={
            "count": Param(pl.len().over("person_id"), "count"),
            "kept": Param(pl.col("kept_amount"), "money"),
            "amount": Param(pl.col("amount"), "money"),
        },
        reference=DECREE_20_ONE_ALLOWANCE,
    ),
    Rule(
        code="amount_changed",
        label=gettext_noop("Amount changes this month"),
        blocking=True,
        scope=pl.col("life_status") == LIVING,
        derive=_expected_amount,
        when=(pl.col("expected_amount") != pl.col("amount"))
        | (pl.col("expected_scheme") != pl.col("scheme")),
        choose=pl.when(pl.col("coefficient").is_null())
        .then(pl.lit("amount"))
        .otherwise(pl.lit("amount_coefficient")),
        messages={
            "amount_coefficient": gettext_noop(
                "The amount for %(month)s under the rules is %(new)s (coefficient "
                "%(coefficient)s), not the %(amount)s being paid: adjust it before paying."
            ),
            "amount": gettext_noop(
                "The amount for %(month)s under the rules is %(new)s, not the %(amount)s being "
                "paid: adjust it before paying."
            ),
        },
        params={
            "month": Param(pl.col("_month"), "month"),
            # another scheme: nothing more is owed under this case's scheme
            "new": Param(
                pl.when(pl.col("expected_scheme") == pl.col("scheme"))
                .then(pl.col("expected_amount"))
                .otherwise(0),
                "money",
            ),
            "coefficient": Param(pl.col("coefficient"), "decimal"),
            "amount": Param(pl.col("amount"), "money"),
        },
        valid_from=dt.date(2021, 7, 1),  # the allowance rules start with Decree 20
        reference=DECREE_20_AMOUNT,
    ),
    Rule(
        code="household_status",
        label=gettext_noop("Household status changed"),
        blocking=True,
        when=(pl.col("household_status").fill_null("") != "")
        & (pl.col("household_status") != pl.col("household_now")),
        messages={
            "changed": gettext_noop(
                "Poverty review: the household went from %(before)s to %(now)s; check the "
                "eligibility again."
            ),
        },
        params={
            "before": Param(pl.col("household_status"), "label", HOUSEHOLD_LABELS),
            "now": Param(pl.col("household_now"), "label", HOUSEHOLD_LABELS),
        },
        reference=DECREE_20_GROUPS,
    ),
    Rule(
        code="bank_account",
        label=gettext_noop("Missing or invalid bank account"),
        blocking=True,
        scope=_bank,
        when=(pl.col("bank").fill_null("") == "") | ~_account.str.contains(ACCOUNT_NUMBER_PATTERN),
        messages={
            "invalid": gettext_noop(
                "Paid by bank but the account number is missing or wrong (6–19 digits): add "
                "the account or pay in cash."
            ),
        },
        # no "pay as is": a bank payment without a valid account cannot be paid; correct the
        # account on the case (the next check clears the item), switch to cash or hold
        actions=(CASH, HELD),
    ),
    Rule(
        code="shared_account",
        label=gettext_noop("Bank account shared across households"),
        blocking=True,
        # accounts whose hash is met twice: a cheap superset of the accounts shared
        scope=_bank & (_account != "") & _account.hash().is_duplicated(),
        when=pl.col("household_id").n_unique().over(["bank", "bank_account_number"]) > 1,
        messages={
            "shared": gettext_noop(
                "Account number …%(account)s also receives allowances for someone in another "
                "household: check who holds the account."
            ),
        },
        params={"account": Param(_account.str.slice(-3), "text")},
    ),
    Rule(
        code="bank_failed",
        label=gettext_noop("Last bank payment failed"),
        blocking=True,
        scope=_bank & pl.col("failed_month").is_not_null(),
        # the account has not been corrected since: paying the same way would fail again
        when=pl.col("failed_account").fill_null("") == _account,
        choose=pl.when(pl.col("failed_reason").fill_null("") == "")
        .then(pl.lit("failed"))
        .otherwise(pl.lit("failed_reason")),
        messages={
            "failed_reason": gettext_noop(
                "The payment of %(month)s to account …%(account)s failed (%(reason)s): check "
                "it, correct the account number or pay in cash."
            ),
            "failed": gettext_noop(
                "The payment of %(month)s to account …%(account)s failed (reason unknown): "
                "check it, correct the account number or pay in cash."
            ),
        },
        params={
            "month": Param(pl.col("failed_month"), "month"),
            "account": Param(pl.col("failed_account").fill_null("").str.slice(-3), "text"),
            "reason": Param(pl.col("failed_reason").fill_null(""), "text"),
        },
        actions=_CHECK_ACTIONS,
    ),
    Rule(
        code="ended_arrears",
        label=gettext_noop("Arrears for a stopped case"),
        blocking=True,
        frame="ended_arrears",
        derive=_arrears_per_case,
        when=None,
        messages={
            "unpaid": gettext_noop(
                "The case stopped from %(end)s but %(count)s months are still unpaid "
                "(%(months)s; %(total)s): find who receives them (the heirs if the recipient "
                "has died) and pay, or record that they are not owed."
            ),
        },
        params={
            "end": Param(pl.col("end_month"), "month"),
            "count": Param(pl.col("months").list.len(), "count"),
            "months": Param(pl.col("months"), "months"),
            "total": Param(pl.col("total"), "money"),
        },
        actions=(*_CHECK_ACTIONS, NOT_OWED),
    ),
)

EVENT_RULES: tuple[EventRule, ...] = (
    EventRule(
        code="case_ended",
        label=gettext_noop("Case ended after the payroll was made"),
        actions=(NOT_OWED,),
    ),
)

_BY_CODE = {r.code: r for r in RULES}
_EVERY: tuple[Rule | EventRule, ...] = (*RULES, *EVENT_RULES)
#: Every check's label (msgid), guard rules then event rules.
LABELS: dict[str, str] = {r.code: r.label for r in _EVERY}
#: The actions that resolve an item of a check, where not the default ones.
ACTIONS: dict[str, tuple[str, ...]] = {r.code: r.actions for r in _EVERY if r.actions is not None}


def rule(code: str) -> Rule:
    return _BY_CODE[code]


def findings(
    frames: Mapping[str, pl.DataFrame],
    month: dt.date,
    province: int | None = None,
    params: ParameterSet | None = None,
    rules: Iterable[Rule] = RULES,
) -> pl.DataFrame:
    """Every rule in force for ``month`` over its frame (a missing frame is empty): one row
    per case and rule (:data:`FINDINGS_SCHEMA`), in the order of the rules."""
    context = Context(month, province, params)
    out = []
    for r in rules:
        frame = frames.get(r.frame)
        if frame is None or frame.is_empty():
            continue
        out.append(r.run(frame, context))
    found = [f for f in out if not f.is_empty()]
    return pl.concat(found) if found else pl.DataFrame(schema=FINDINGS_SCHEMA)


# --- display --------------------------------------------------------------------------------


_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _month_text(value: str) -> str:
    return f"{value[5:7]}/{value[:4]}"


def _format(param: Param | None, value: Any, translate: Callable[[str], str], lang: str) -> str:
    if value is None:
        return ""
    kind = param.kind if param is not None else "text"
    if kind == "money":
        return format_vnd(int(value), lang=lang)
    if kind == "date":
        return f"{value[8:10]}/{value[5:7]}/{value[:4]}"
    if kind == "month":
        return _month_text(value)
    if kind == "months":
        return ", ".join(_month_text(v) for v in value)
    if kind == "decimal":
        return str(value).replace(".", ",") if lang == "vi" else str(value)
    if kind == "label" and param is not None and param.labels is not None:
        label = param.labels.get(value)
        return translate(label) if label else str(value)
    return str(value)


def render(
    code: str,
    key: str,
    params: Mapping[str, Any] | str,
    translate: Callable[[str], str] = str,
    lang: str = "vi",
) -> str | None:
    """The message ``key`` of rule ``code`` as a sentence, or None when the table no longer
    has it: ``translate`` (e.g. Django's ``gettext``) gives the msgid and the labels in the
    reader's language, ``lang`` (``vi`` or ``en``) the number formats."""
    r = _BY_CODE.get(code)
    if r is None or key not in r.messages:
        return None
    msgid = r.messages[key]
    values = json.loads(params) if isinstance(params, str) else dict(params)
    shown = {name: _format(r.params.get(name), v, translate, lang) for name, v in values.items()}
    shown.update(dict.fromkeys(_placeholders(msgid) - set(shown), ""))
    try:
        return translate(msgid) % shown
    except (KeyError, ValueError, TypeError):  # a translation out of step with its msgid
        return msgid % shown


def _placeholders(message: str) -> set[str]:
    return set(_PLACEHOLDER.findall(message))
