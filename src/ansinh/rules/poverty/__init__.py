"""Multidimensional poverty classification, vectorised over a whole batch of households.

Public interface::

    classify(households, members, on, params=None, *, member_detail=False, check=True)
        -> pl.DataFrame   # one row per household, in input order

Each deprivation indicator is one polars expression over the batch: member-level facts are
computed for every member at once and aggregated per household; household-level facts are
column comparisons. One household is simply a batch of one. Every threshold comes from the
dated parameters (:mod:`ansinh.rules.parameters`); the set of indicators is itself dated
(2022–2026: twelve with information assets; from 2027: information assets dropped, waste
treatment added).

Input columns (types as produced by :mod:`ansinh.rules.io`; see ``docs/rules.md``):

* households — ``household_code`` (str, unique), ``area`` (``rural``/``urban``),
  ``income_per_capita`` (int đồng, optional), ``b1_score`` (int, optional; used instead of
  income when present), ``house_type``, ``floor_area_m2`` (float), ``safe_water``,
  ``hygienic_latrine``, ``internet``, ``info_assets`` (standards to 2026), ``waste_treatment``
  (from 2027) — booleans;
* members — ``household_code``, ``member_code``, ``date_of_birth`` (date), ``sex``,
  ``health_insurance`` (bool), ``work``, ``studying`` (bool), ``qualification``,
  ``malnourished`` (bool), ``disability``, ``monthly_allowance`` (bool).

Output columns: ``household_code``, ``date``, ``standard``, ``area``, ``route`` (``income`` or
``b1``), ``income_per_capita``, ``b1_score``, ``income_line`` (the line in đồng, or the score
threshold on the B1 route), ``band_max`` (upper income of the average-living band, income route
only), ``n_members``, the thirteen indicator flags named by their codes (null when the
indicator is not in force on ``on``), ``deprived_count``, ``b_score`` (B1 route),
``deprived`` (codes joined by ``;``), ``class`` (``poor``/``near_poor``/``average``/
``not_poor``), and the facts explanations quote: ``<indicator>_members`` counts for the member
indicators, ``dependants_n``, ``house_type``, ``floor_area_m2`` and the yes/no answers of the
indicators in force as ``answer_<column>`` (e.g. ``answer_safe_water``). With
``member_detail=True`` each member indicator also gets ``<indicator>_member_codes`` (list).

Classification (Decree 07/2021/NĐ-CP Art. 3; Decree 351/2025/NĐ-CP from 2027): a household is
poor when its income (or B1 score A) is at most the line of its area and at least three
indicators are deprived (on the B1 route: score B = 10 × deprived ≥ 30); near-poor when at most
the line with fewer deprivations; of average living standard when its income is above the
line and at most the band; otherwise not poor. The average class exists on the income route
only.

Refusals: parameters marked missing for the date raise
:class:`~ansinh.rules.errors.MissingParameterError` listing all of them (e.g. the 2027
indicator thresholds and average-living band, the 2027 B1 threshold). The average-living band
is needed as soon as one household is classified by income, the B1 threshold as soon as one has
a B1 score. Broken input raises :class:`~ansinh.rules.errors.InputError` (unless
``check=False``, for callers such as :mod:`ansinh.rules.io` that validated it already).
"""

from __future__ import annotations

from ansinh.rules.poverty.classification import classify, members_aligned
from ansinh.rules.poverty.standard import (
    AREAS,
    CLASS_RANK,
    CLASSES,
    DISABILITIES,
    HOUSE_TYPES,
    HOUSEHOLD_SCHEMA,
    INDICATORS,
    MEMBER_INDICATORS,
    MEMBER_SCHEMA,
    QUALIFICATIONS,
    SEXES,
    WORK_STATUSES,
    YES_NO_INDICATOR_COLUMNS,
    missing_for,
    parameters_for,
)

__all__ = [
    "AREAS",
    "CLASSES",
    "CLASS_RANK",
    "DISABILITIES",
    "HOUSEHOLD_SCHEMA",
    "HOUSE_TYPES",
    "INDICATORS",
    "MEMBER_INDICATORS",
    "MEMBER_SCHEMA",
    "QUALIFICATIONS",
    "SEXES",
    "WORK_STATUSES",
    "YES_NO_INDICATOR_COLUMNS",
    "classify",
    "members_aligned",
    "missing_for",
    "parameters_for",
]
