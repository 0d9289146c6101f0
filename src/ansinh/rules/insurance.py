"""Health insurance (BHYT): household-based contributions and state subsidy shares.

Public interface::

    household_contributions(n_members, on, months, params=None) -> list[Contribution]
    household_totals(frame, on, params=None) -> pl.DataFrame     # vectorised, many households
    first_member_monthly(on, params=None) -> int
    state_subsidy_percent(group, on, province=None, params=None) -> ParamValue
    subsidy_split(group, on, months, province=None, params=None) -> SubsidySplit

Household-based contribution: the first member pays 4.5 % of the base salary a month; the 2nd,
3rd and 4th members 70 %, 60 %, 50 % of the first member's contribution; the 5th onward 40 %
(dated parameters ``insurance.base_salary``, ``insurance.household_rate_permille`` and
``insurance.household_ladder``).

Rounding rule: the monthly contribution of member *k* is computed in integers directly from the
base salary — ``base × 45 × ladder_k / 100 000`` — and rounded half up to a whole đồng; the
amount for K months is that monthly figure × K. At 2,340,000 đ every step is exact: 105,300 /
73,710 / 63,180 / 52,650 / 42,120 đ per member-month. (Rounding the first member's figure
first and applying the ladder to it gives the same results at every base salary so far.)

State subsidy (``insurance.state_subsidy_percent.<GROUP>``): HN poor 100 %, TE child under 6
100 %, BT social-allowance recipient 100 %, CN near-poor 70 % [check: "at least"], GB
average-living agricultural household 30 % [check: "at least"]; a province may pay more
(never less). Other group codes are not configured: asking for them is refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from ansinh.rules.errors import InputError, MissingParameterError, ParameterError
from ansinh.rules.parameters import ParameterSet, ParamValue, default_parameters

__all__ = [
    "Contribution",
    "SubsidySplit",
    "first_member_monthly",
    "household_contributions",
    "household_totals",
    "state_subsidy_percent",
    "subsidy_split",
]


@dataclass(frozen=True)
class Contribution:
    """One member's household-based contribution."""

    member: int  # rank in the household, from 1
    rate_percent: int  # share of the first member's contribution (100, 70, 60, 50, 40)
    monthly: int  # đồng per month
    amount: int  # đồng for the whole period

    @property
    def rate(self) -> str:
        """Share as a decimal, as in the batch output: ``1.0``, ``0.7`` …"""
        whole, fraction = divmod(self.rate_percent, 100)
        text = f"{whole}.{fraction:02d}".rstrip("0")
        return text + "0" if text.endswith(".") else text


@dataclass(frozen=True)
class SubsidySplit:
    """Who pays an individual card's contribution in a subsidised group."""

    group: str
    percent: int
    full: int
    state: int
    person: int
    parameter: ParamValue


def _ladder(on: dt.date, params: ParameterSet) -> tuple[int, int, list[int]]:
    values = params.resolve(
        [
            "insurance.base_salary",
            "insurance.household_rate_permille",
            "insurance.household_ladder",
        ],
        on,
    )
    ladder = [int(x) for x in values["insurance.household_ladder"].value]
    if not ladder or ladder[0] != 100:
        raise ParameterError("insurance.household_ladder must start with 100 (the first member)")
    return (
        int(values["insurance.base_salary"].value),
        int(values["insurance.household_rate_permille"].value),
        ladder,
    )


def _monthly(base: int, permille: int, percent: int) -> int:
    numerator = base * permille * percent
    return (numerator + 50_000) // 100_000


def first_member_monthly(on: dt.date, params: ParameterSet | None = None) -> int:
    """The first member's monthly contribution (4.5 % of the base salary) on ``on``."""
    base, permille, _ = _ladder(on, params or default_parameters())
    return _monthly(base, permille, 100)


def household_contributions(
    n_members: int, on: dt.date, months: int, params: ParameterSet | None = None
) -> list[Contribution]:
    """The contribution of each of ``n_members`` members joining together for ``months``."""
    if n_members < 1 or months < 1:
        raise InputError("n_members and months must be at least 1")
    base, permille, ladder = _ladder(on, params or default_parameters())
    out = []
    for member in range(1, n_members + 1):
        percent = ladder[min(member, len(ladder)) - 1]
        monthly = _monthly(base, permille, percent)
        out.append(Contribution(member, percent, monthly, monthly * months))
    return out


def household_totals(
    frame: pl.DataFrame, on: dt.date, params: ParameterSet | None = None
) -> pl.DataFrame:
    """Vectorised totals: adds ``monthly_total`` and ``amount`` to a frame with columns
    ``n_members`` and ``months`` (one row per household)."""
    base, permille, ladder = _ladder(on, params or default_parameters())
    monthly = [_monthly(base, permille, p) for p in ladder]
    n = pl.col("n_members")
    total = pl.lit(0, pl.Int64)
    for rank, value in enumerate(monthly[:-1], start=1):
        total = total + pl.when(n >= rank).then(pl.lit(value)).otherwise(pl.lit(0))
    tail_from = len(monthly)
    total = total + (n - (tail_from - 1)).clip(lower_bound=0) * monthly[-1]
    return frame.with_columns(total.cast(pl.Int64).alias("monthly_total")).with_columns(
        (pl.col("monthly_total") * pl.col("months")).cast(pl.Int64).alias("amount")
    )


def state_subsidy_percent(
    group: str, on: dt.date, province: int | None = None, params: ParameterSet | None = None
) -> ParamValue:
    """State share (percent) of the contribution for a card group code on ``on``.

    Refuses (MissingParameterError) for a group whose share the policy note does not give.
    """
    params = params or default_parameters()
    name = f"insurance.state_subsidy_percent.{group.strip().upper()}"
    if name not in params.names():
        raise MissingParameterError(
            [(name, on.isoformat(), f"no state subsidy share is configured for group {group}")]
        )
    return params.value(name, on, province)


def subsidy_split(
    group: str,
    on: dt.date,
    months: int,
    province: int | None = None,
    params: ParameterSet | None = None,
) -> SubsidySplit:
    """Split one card's contribution (4.5 % of the base salary × months) between the state and
    the person; the state share is rounded half up to a whole đồng, the person pays the rest."""
    params = params or default_parameters()
    share = state_subsidy_percent(group, on, province, params)
    full = first_member_monthly(on, params) * months
    percent = int(share.value)
    state = (full * percent + 50) // 100
    return SubsidySplit(group.upper(), percent, full, state, full - state, share)
