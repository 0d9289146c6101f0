"""The guard's rules, as a table: :data:`RULES` (what a guard run checks, in the order it runs)
and :data:`EVENT_RULES` (checks only events after generation raise), and :func:`findings`,
which runs the table over the frames the web app builds from its database.

Adding a rule is adding an entry here (and the Vietnamese of its msgids to the catalogue):
see ``docs/how-to/add-a-guard-rule.md`` and the fields in :mod:`ansinh.rules.guard`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import polars as pl

from ansinh.rules.guard.derive import _arrears_per_case, _expected_amount, _kept_case
from ansinh.rules.guard.schema import (
    ACCOUNT_NUMBER_PATTERN,
    FINDINGS_SCHEMA,
    Context,
    EventRule,
    Param,
    Rule,
    gettext_noop,
)
from ansinh.rules.parameters import ParameterSet, Reference

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

HOUSEHOLD_LABELS = {
    "poor": gettext_noop("poor household"),
    "near_poor": gettext_noop("near-poor household"),
    "other": gettext_noop("neither poor nor near-poor"),
}

# the actions (values of ``assistance.choices.GuardAction``)
CONFIRMED, STOPPED, RECOMPUTED = "confirmed", "stopped", "recomputed"
CASH, HELD, NOT_OWED = "cash", "held", "not_owed"
_CHECK_ACTIONS = (CONFIRMED, CASH, HELD)


# --- what events say -----------------------------------------------------------------------
# An event recorded after the payroll was made (``assistance.holds``) says what happened on the
# items it raises and on the lines it holds or flags for recovery: ``<event>`` on a held line,
# ``<event>_held`` (``_owed`` while the payroll's month is still owed) on the item,
# ``<event>_recover`` on a line already in a payment file. Parameters: :data:`EVENT_PARAMS`.

_PERSON_GONE_EVENTS = {
    "died": gettext_noop("Recorded: the recipient died on %(date)s."),
    "moved": gettext_noop("Recorded: the recipient moved away on %(date)s."),
    "died_held_owed": gettext_noop(
        "Recorded: the recipient died on %(date)s. Payments held, not yet in a payment file: "
        "%(count)s (%(total)s). %(month)s is still owed: find who receives it, then pay, or "
        "hold it."
    ),
    "died_held": gettext_noop(
        "Recorded: the recipient died on %(date)s. Payments held, not yet in a payment file: "
        "%(count)s (%(total)s). No longer owed: stop the allowance or hold it."
    ),
    "moved_held_owed": gettext_noop(
        "Recorded: the recipient moved away on %(date)s. Payments held, not yet in a payment "
        "file: %(count)s (%(total)s). %(month)s is still owed: find who receives it, then "
        "pay, or hold it."
    ),
    "moved_held": gettext_noop(
        "Recorded: the recipient moved away on %(date)s. Payments held, not yet in a payment "
        "file: %(count)s (%(total)s). No longer owed: stop the allowance or hold it."
    ),
    "died_recover": gettext_noop(
        "Recorded: the recipient died on %(date)s. Already in a payment file: follow up its "
        "recovery."
    ),
    "moved_recover": gettext_noop(
        "Recorded: the recipient moved away on %(date)s. Already in a payment file: follow up "
        "its recovery."
    ),
}

_CASE_ENDED_EVENTS = {
    "stopped": gettext_noop("The case was stopped on %(date)s; nothing is paid from %(end)s."),
    "transferred": gettext_noop(
        "The case was transferred to %(to)s on %(date)s; nothing is paid from %(end)s."
    ),
    "stopped_held": gettext_noop(
        "The case was stopped on %(date)s; nothing is paid from %(end)s. Payments held, not "
        "yet in a payment file: %(count)s (%(total)s). No longer owed: stop the allowance or "
        "hold it."
    ),
    "transferred_held": gettext_noop(
        "The case was transferred to %(to)s on %(date)s; nothing is paid from %(end)s. "
        "Payments held, not yet in a payment file: %(count)s (%(total)s). No longer owed: "
        "stop the allowance or hold it."
    ),
    "stopped_recover": gettext_noop(
        "The case was stopped on %(date)s; nothing is paid from %(end)s. Already in a payment "
        "file: follow up its recovery."
    ),
    "transferred_recover": gettext_noop(
        "The case was transferred to %(to)s on %(date)s; nothing is paid from %(end)s. "
        "Already in a payment file: follow up its recovery."
    ),
}


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
        event_messages=_PERSON_GONE_EVENTS,
        demo_action=STOPPED,
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
        demo_action=STOPPED,
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
        demo_action=RECOMPUTED,
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
        demo_action=RECOMPUTED,
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
        demo_action=CASH,
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

_BANK_AMOUNT_EVENTS = {
    "overpaid_recover": gettext_noop(
        "The bank paid %(paid)s instead of %(due)s and the officer accepted it: recover the "
        "%(total)s paid too much."
    ),
    "underpaid_rest": gettext_noop(
        "The bank paid %(paid)s instead of %(due)s and the officer accepted it: the rest, "
        "%(total)s, is paid in the next payroll."
    ),
}

EVENT_RULES: tuple[EventRule, ...] = (
    EventRule(
        code="case_ended",
        label=gettext_noop("Case ended after the payroll was made"),
        actions=(NOT_OWED,),
        event_messages=_CASE_ENDED_EVENTS,
        demo_action=NOT_OWED,
    ),
    EventRule(
        code="bank_amount",
        label=gettext_noop("The bank paid another amount"),
        event_messages=_BANK_AMOUNT_EVENTS,
    ),
)

_BY_CODE = {r.code: r for r in RULES}
_EVERY: tuple[Rule | EventRule, ...] = (*RULES, *EVENT_RULES)
#: Every check by its code, guard rules then event rules.
CHECKS: dict[str, Rule | EventRule] = {r.code: r for r in _EVERY}
#: Every check's label (msgid), guard rules then event rules.
LABELS: dict[str, str] = {r.code: r.label for r in _EVERY}
#: The actions that resolve an item of a check, where not the default ones.
ACTIONS: dict[str, tuple[str, ...]] = {r.code: r.actions for r in _EVERY if r.actions is not None}


def rule(code: str) -> Rule:
    return _BY_CODE[code]


def check(code: str) -> Rule | EventRule:
    """The guard rule or event rule ``code``."""
    return CHECKS[code]


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
