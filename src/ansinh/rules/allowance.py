"""Monthly social allowances (Decree 20/2021/NĐ-CP) and the social pension, vectorised.

Public interface::

    compute(people, month, province=None, params=None, *, check=True) -> pl.DataFrame
    funeral_support(on, province=None, params=None) -> int
    standard_level(on, province=None, params=None) -> int

``people`` columns (as produced by :func:`ansinh.rules.io.parse_people`): ``person_code``,
``date_of_birth`` (date), ``household`` (``poor``/``near_poor``/``other``), ``groups`` (list of
Decree 20 group codes, or a ``;``-separated string), ``children`` (int), ``pension`` (int đồng),
``social_pension_request`` (bool), ``decision_month`` (date, first day of the month, or
``YYYY-MM`` text). ``sex`` may be present; no rule uses it.

Rules (every number from :mod:`ansinh.rules.parameters`):

* age in completed years on the first day of ``month`` (0 for someone born during the month);
* each verified group is checked for the month: age bounds, household status, no pension where
  the group requires it, at least one child for single parents; its coefficient depends on the
  age band (e.g. a child without support: 2.5 under 4, 1.5 from 4);
* amount = standard level × coefficient, exactly in whole đồng (coefficients are integer
  tenths: 500,000 × 15 / 10 = 750,000; a non-integral result is rounded half up). The standard
  level is 360,000 from 2021-07-01 and 500,000 from 2024-07-01; with ``province`` a province's
  higher level applies, never a lower one;
* one allowance per person, the highest; among equal coefficients the group first in Art. 5
  order is named;
* the social pension (from 2025-07-01): on request, aged 75+ (or 70–<75 in a poor or near-poor
  household), without a pension at least as high as the social pension; paid instead of the
  Decree 20 allowance only when strictly higher (on a tie the Decree 20 allowance is kept);
* before ``decision_month`` nothing is paid (scheme ``none``).

Output columns: ``person_code``, ``month``, ``date_of_birth``, ``household``, ``scheme``
(``social_assistance``/``social_pension``/``none``), ``basis`` (group code, ``social_pension`` or
null), ``coefficient`` (text like ``1.5``; null for the pension), ``coefficient_tenths``,
``standard_level``, ``amount`` (int64 đồng), ``assistance_basis``/``assistance_amount`` (best
Decree 20 allowance, before the higher-of rule), ``pension_eligible``, ``pension_amount``,
``decision_month``, ``reason`` (``paid``, ``before_decision_month`` or ``not_eligible``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import polars as pl

from ansinh.core.periods import next_month
from ansinh.rules._frame import problems, round_half_up_div
from ansinh.rules.dates import at_least, parse_month
from ansinh.rules.errors import InputError, ParameterError
from ansinh.rules.parameters import ParameterSet, ParamValue, default_parameters

__all__ = [
    "GROUP_CODES",
    "HOUSEHOLD_STATUSES",
    "SCHEMES",
    "compute",
    "funeral_support",
    "group_parameters",
    "standard_level",
]

#: Decree 20 group codes, in the order of Art. 5.
GROUP_CODES: tuple[str, ...] = (
    "child_no_support",
    "student_no_support",
    "child_hiv_poor",
    "single_parent",
    "elderly_poor_no_supporter",
    "elderly_difficult_area",
    "elderly_80_no_pension",
    "elderly_community_care",
    "disability_severe",
    "disability_extreme",
    "child_under3_difficult_area",
    "hiv_poor",
)
HOUSEHOLD_STATUSES = ("poor", "near_poor", "other")
SCHEMES = ("social_assistance", "social_pension", "none")


def standard_level(
    on: dt.date, province: int | None = None, params: ParameterSet | None = None
) -> int:
    """Standard social-assistance level (đồng/month) on ``on``, province override applied."""
    params = params or default_parameters()
    return int(params.value("assistance.standard_level", on, province).value)


def funeral_support(
    on: dt.date, province: int | None = None, params: ParameterSet | None = None
) -> int:
    """Funeral support when a recipient dies: 20 × the standard level (Decree 20 Art. 11)."""
    params = params or default_parameters()
    multiplier = int(params.value("assistance.funeral_multiplier", on).value)
    return multiplier * standard_level(on, province, params)


def _tenths(text: Any, name: str) -> int:
    """``"1.5"`` → 15, exactly; refuses coefficients finer than a tenth."""
    value = Decimal(str(text)) * 10
    if value != value.to_integral_value() or value < 0:
        raise ParameterError(f"{name}: coefficient {text!r} must be a multiple of 0.1")
    return int(value)


def group_parameters(on: dt.date, params: ParameterSet | None = None) -> dict[str, ParamValue]:
    """The parameter of every Decree 20 group on ``on`` (refuses if any is missing)."""
    params = params or default_parameters()
    return params.resolve([f"assistance.group.{code}" for code in GROUP_CODES], on)


_BITS = {code: 1 << i for i, code in enumerate(GROUP_CODES)}
_STATUS_BITS = {status: 1 << i for i, status in enumerate(HOUSEHOLD_STATUSES)}


def _age_between(dob: pl.Expr, on: dt.date, spec: dict[str, Any]) -> pl.Expr:
    """min_age <= age <= max_age (completed years, inclusive), as birth-date comparisons."""
    cond = pl.lit(True)
    if spec.get("min_age") is not None:
        cond = cond & at_least(dob, on, years=int(spec["min_age"]))
    if spec.get("max_age") is not None:
        cond = cond & ~at_least(dob, on, years=int(spec["max_age"]) + 1)
    return cond


def _group_exprs(code: str, pv: ParamValue, on: dt.date) -> tuple[pl.Expr, pl.Expr]:
    """(eligible, coefficient in tenths) for one group."""
    spec = pv.value
    if not isinstance(spec, dict) or not spec.get("coefficients"):
        raise ParameterError(f"{pv.name} ({pv.version}): needs 'coefficients'")
    dob = pl.col("date_of_birth")
    eligible = ((pl.col("_mask") & _BITS[code]) != 0) & _age_between(dob, on, spec)
    households = list(spec.get("households", HOUSEHOLD_STATUSES))
    unknown = set(households) - set(HOUSEHOLD_STATUSES)
    if unknown:
        raise ParameterError(f"{pv.name} ({pv.version}): unknown household statuses {unknown}")
    if set(households) != set(HOUSEHOLD_STATUSES):
        allowed = sum(_STATUS_BITS[h] for h in set(households))
        eligible = eligible & ((pl.col("_status") & allowed) != 0)
    if spec.get("no_pension"):
        eligible = eligible & (pl.col("pension") == 0)
    coefficient: Any = None
    for band in reversed(list(spec["coefficients"])):
        tenths = pl.lit(_tenths(band["coefficient"], pv.name), pl.Int64)
        coefficient = (
            tenths
            if coefficient is None
            else pl.when(_age_between(dob, on, band)).then(tenths).otherwise(coefficient)
        )
    if spec.get("per_child"):
        eligible = eligible & (pl.col("children") > 0)
        coefficient = coefficient * pl.col("children")
    return eligible, coefficient


def _decimal_text(tenths: pl.Expr) -> pl.Expr:
    """Integer tenths → ``"1.5"`` (null stays null), without formatting every row."""
    return tenths.map_batches(
        lambda s: s.replace_strict(
            {int(t): f"{int(t) // 10}.{int(t) % 10}" for t in s.drop_nulls().unique()},
            default=None,
            return_dtype=pl.String,
        ),
        return_dtype=pl.String,
    )


def _normalise(people: pl.DataFrame) -> pl.DataFrame:
    out = people
    if "groups" not in out.columns:
        out = out.with_columns(pl.lit([], dtype=pl.List(pl.String)).alias("groups"))
    elif out.schema["groups"] == pl.String:
        out = out.with_columns(
            pl.col("groups")
            .fill_null("")
            .str.split(";")
            .list.eval(pl.element().str.strip_chars())
            .list.eval(pl.element().filter(pl.element() != ""))
        )
    elif out.schema["groups"] != pl.List(pl.String):
        out = out.with_columns(pl.col("groups").cast(pl.List(pl.String)))
    defaults = {"children": 0, "pension": 0}
    out = out.with_columns(
        pl.col(c).fill_null(v).cast(pl.Int64) if c in out.columns else pl.lit(v, pl.Int64).alias(c)
        for c, v in defaults.items()
    )
    if "social_pension_request" not in out.columns:
        out = out.with_columns(pl.lit(False).alias("social_pension_request"))
    if "decision_month" in out.columns and out.schema["decision_month"] == pl.String:
        out = out.with_columns(
            (pl.col("decision_month") + "-01").str.to_date("%Y-%m-%d", strict=False)
        )
    return out


def _check(people: pl.DataFrame, month: dt.date) -> None:
    required = ("person_code", "date_of_birth", "household", "decision_month")
    missing = [c for c in required if c not in people.columns]
    if missing:
        raise InputError(f"missing columns: {', '.join(missing)}")
    end = next_month(month)
    checks = [
        (
            "date_of_birth missing or after the month",
            ~(pl.col("date_of_birth") < end).fill_null(False),
        ),
        ("bad household status", ~pl.col("household").is_in(HOUSEHOLD_STATUSES).fill_null(False)),
        ("decision_month missing", pl.col("decision_month").is_null()),
        ("negative children or pension", (pl.col("children") < 0) | (pl.col("pension") < 0)),
        ("person_code missing", pl.col("person_code").is_null()),
        (
            "unknown group code",
            pl.col("groups")
            .list.eval(~pl.element().is_in(GROUP_CODES))
            .list.any()
            .fill_null(False),
        ),
    ]
    found = problems(people, "person_code", checks)
    if found:
        raise InputError("; ".join(found))


def compute(
    people: pl.DataFrame,
    month: dt.date | str,
    province: int | None = None,
    params: ParameterSet | None = None,
    *,
    check: bool = True,
) -> pl.DataFrame:
    """The allowance each person is entitled to in ``month`` (see module docs).

    Long on purpose: one vectorised expression graph, its steps in the order of Decree 20's
    articles.
    """
    params = params or default_parameters()
    first = parse_month(month)
    people = _normalise(people)
    if check:
        _check(people, first)
    level = int(params.value("assistance.standard_level", first, province).value)
    groups = group_parameters(first, params)
    pension_amount_pv = params.get("social_pension.amount", first, province)
    pension_rules = params.get("social_pension.eligibility", first)

    candidates = []
    for code in GROUP_CODES:
        eligible, tenths = _group_exprs(code, groups[f"assistance.group.{code}"], first)
        candidates.append(
            pl.when(eligible).then(tenths).otherwise(pl.lit(None, pl.Int64)).alias(f"_c_{code}")
        )
    best = pl.max_horizontal(*[pl.col(f"_c_{code}") for code in GROUP_CODES])
    basis_chain: Any = pl.lit(None, pl.String)
    for code in reversed(GROUP_CODES):
        basis_chain = (
            pl.when(pl.col(f"_c_{code}") == pl.col("_best"))
            .then(pl.lit(code))
            .otherwise(basis_chain)
        )

    base = (
        people.lazy()
        .select(
            "person_code",
            "date_of_birth",
            "household",
            "children",
            "pension",
            "social_pension_request",
            "decision_month",
            pl.col("groups")
            .list.eval(
                pl.element().replace_strict(_BITS, default=0, return_dtype=pl.Int64).bitwise_or()
            )
            .list.first()
            .fill_null(0)
            .alias("_mask"),
        )
        .collect()
    )
    # Decree 20 groups: evaluated only for the people who hold at least one verified group.
    holders = base.get_column("_mask") != 0
    positions = holders.arg_true()
    best_sub = (
        base.lazy()
        .filter(holders)
        .with_columns(
            pl.col("household")
            .replace_strict(_STATUS_BITS, default=0, return_dtype=pl.Int64)
            .alias("_status")
        )
        .with_columns(candidates)
        .with_columns(best.alias("_best"))
        .select("_best", basis_chain.alias("_basis"))
        .collect()
    )
    n = base.height
    best_full = pl.repeat(None, n, dtype=pl.Int64, eager=True).alias("_best")
    basis_full = pl.repeat(None, n, dtype=pl.String, eager=True).alias("assistance_basis")
    if positions.len():
        best_full = best_full.scatter(positions, best_sub.get_column("_best"))
        basis_full = basis_full.scatter(positions, best_sub.get_column("_basis"))
    base = base.with_columns(best_full, basis_full)

    dob = pl.col("date_of_birth")
    if pension_amount_pv is not None and pension_rules is not None:
        rules = pension_rules.value
        p_amount = int(pension_amount_pv.value)
        pension_ok = (
            pl.col("pension") < p_amount
            if rules.get("pension_below_amount", True)
            else pl.col("pension") == 0
        )
        pension_eligible = (
            pl.col("social_pension_request")
            & pension_ok
            & (
                at_least(dob, first, years=int(rules["min_age"]))
                | (
                    at_least(dob, first, years=int(rules["min_age_poor_household"]))
                    & pl.col("household").is_in(list(rules["poor_households"]))
                )
            )
        ).fill_null(False)
        pension_amount: pl.Expr = pl.when(pl.col("pension_eligible")).then(pl.lit(p_amount))
    else:
        pension_eligible = pl.lit(False)
        pension_amount = pl.lit(None, pl.Int64)

    before = (pl.col("decision_month") > first).fill_null(True)
    takes_pension = pl.col("pension_eligible") & (
        pl.col("pension_amount") > pl.col("assistance_amount").fill_null(0)
    )
    scheme = (
        pl.when(before)
        .then(pl.lit("none"))
        .when(takes_pension)
        .then(pl.lit("social_pension"))
        .when(pl.col("_best").is_not_null())
        .then(pl.lit("social_assistance"))
        .otherwise(pl.lit("none"))
    )
    assisted = pl.col("scheme") == "social_assistance"
    pensioned = pl.col("scheme") == "social_pension"
    tenths = pl.col("coefficient_tenths")
    result = (
        base.lazy()
        .with_columns(
            round_half_up_div(pl.col("_best") * level, 10)
            .cast(pl.Int64)
            .alias("assistance_amount"),
            pension_eligible.alias("pension_eligible"),
        )
        .with_columns(pension_amount.cast(pl.Int64).alias("pension_amount"))
        .with_columns(scheme.alias("scheme"))
        .with_columns(
            pl.when(assisted)
            .then(pl.col("assistance_basis"))
            .when(pensioned)
            .then(pl.lit("social_pension"))
            .alias("basis"),
            pl.when(assisted).then(pl.col("_best")).cast(pl.Int64).alias("coefficient_tenths"),
            pl.when(assisted)
            .then(pl.col("assistance_amount"))
            .when(pensioned)
            .then(pl.col("pension_amount"))
            .otherwise(pl.lit(0))
            .cast(pl.Int64)
            .alias("amount"),
            pl.when(before)
            .then(pl.lit("before_decision_month"))
            .when(pl.col("scheme") == "none")
            .then(pl.lit("not_eligible"))
            .otherwise(pl.lit("paid"))
            .alias("reason"),
        )
        .with_columns(
            _decimal_text(tenths).alias("coefficient"),
            pl.lit(first).alias("month"),
            pl.lit(level, pl.Int64).alias("standard_level"),
        )
        .select(
            "person_code",
            "month",
            "date_of_birth",
            pl.col("household").cast(pl.String),
            "scheme",
            "basis",
            "coefficient",
            "coefficient_tenths",
            "standard_level",
            "amount",
            "assistance_basis",
            "assistance_amount",
            "pension_eligible",
            "pension_amount",
            "decision_month",
            "reason",
        )
    )
    return result.collect()
