"""Reads for the policy page: every parameter on a date, with where its value comes from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ansinh.core.selectors import get_or_404
from ansinh.policy import provider
from ansinh.policy.choices import EntryState
from ansinh.policy.models import PolicyValue
from ansinh.rules.errors import RulesError
from ansinh.rules.parameters import ParameterSet, ParamValue, default_parameters

# (name prefix, group label); the first matching prefix wins.
GROUPS = [
    ("poverty.indicator.", gettext_lazy("Deprivation indicators")),
    ("poverty.b", gettext_lazy("Scores (forms B1 and B2)")),
    ("poverty.", gettext_lazy("Poverty standard")),
    ("assistance.", gettext_lazy("Social assistance (Decree 20/2021)")),
    ("social_pension.", gettext_lazy("Social pension")),
    ("insurance.", gettext_lazy("Health insurance (BHYT)")),
    ("labour.", gettext_lazy("Labour")),
]

# Why a value is needed and what its absence blocks (for missing values).
NEEDS = [
    (
        "poverty.indicator.",
        gettext_lazy("Decides whether a household is deprived on this indicator."),
        gettext_lazy("Every classification under the standard from this date."),
    ),
    (
        "poverty.average_band_max.",
        gettext_lazy("Decides which households above the poverty line have an average living."),
        gettext_lazy(
            "Only households above the poverty line: they are recorded as not poor, with the "
            "note that the average-living band is not configured."
        ),
    ),
    (
        "poverty.b",
        gettext_lazy("Classifies households surveyed with a B1 score."),
        gettext_lazy("Only the households on the B1-score route wait; the others are classified."),
    ),
    (
        "insurance.state_subsidy_percent.",
        gettext_lazy("The State budget's share of this group's health-insurance contribution."),
        gettext_lazy("The subsidy of this group only."),
    ),
]


@dataclass
class Row:
    name: str
    label: str
    value: Any
    valid_from: dt.date | None
    status: str  # firm, check, missing, illustrative, none
    reference: str
    source: str
    missing: str = ""
    needed_for: str = ""
    blocks: str = ""
    pending: int = 0
    entry_id: int | None = None
    unit: str = ""


def group_of(name: str) -> str:
    return next((str(label) for prefix, label in GROUPS if name.startswith(prefix)), _("Other"))


def _needs(name: str) -> tuple[str, str]:
    for prefix, needed, blocks in NEEDS:
        if name.startswith(prefix):
            return str(needed), str(blocks)
    return _("Used by the computations that read it."), _("Those computations only.")


def _source(pv: ParamValue, by_version: dict[str, PolicyValue]) -> tuple[str, int | None]:
    if pv.source == provider.SOURCE:
        entry = by_version.get(pv.version)
        if entry is not None:
            return entry.get_origin_display(), entry.pk
        return _("Entered in ansinh"), None
    if pv.source.endswith(".yaml") and not pv.source.startswith("/"):
        return _("Shipped with ansinh"), None
    return _("Overlay file on the server"), None


def parameters_on(on: dt.date, params: ParameterSet | None = None) -> list[tuple[str, list[Row]]]:
    """Every parameter on ``on``, grouped; within a group missing values come first."""
    params = params or default_parameters()
    approved = provider.approved_entries()
    by_version = {e.version: e for e in approved}
    pending: dict[str, int] = {}
    for name in PolicyValue.objects.filter(state=EntryState.PROPOSED).values_list(
        "name", flat=True
    ):
        pending[name] = pending.get(name, 0) + 1
    vietnamese = True
    try:  # the indicators of the standard on the date (others are listed, but unused)
        in_force = set(params.value("poverty.indicators", on).value)
    except RulesError:
        in_force = set()
    groups: dict[str, list[Row]] = {}
    for name in params.names():
        p = params.parameter(name)
        pv, missing = p.entry_on(on)
        label = p.label_vi if vietnamese else p.label_en
        unused = name.startswith("poverty.indicator.") and name.rsplit(".", 1)[1] not in in_force
        if pv is None or (unused and in_force):
            row = Row(name, label, None, None, "unused" if pv else "none", "", "")
        else:
            source, entry_id = _source(pv, by_version)
            status = "missing" if missing else ("illustrative" if pv.illustrative else pv.status)
            row = Row(
                name,
                label,
                None if missing else pv.value,
                pv.valid_from,
                status,
                pv.reference.text("vi"),
                source,
                missing=missing or "",
                entry_id=entry_id,
            )
            if missing:
                row.needed_for, row.blocks = _needs(name)
            if isinstance(pv.value, str) and pv.value == pv.reference.document:
                row.value = pv.reference.document_vi  # e.g. the standard's decree, in Vietnamese
        row.unit = p.unit_vi or p.unit
        row.pending = pending.get(name, 0)
        groups.setdefault(group_of(name), []).append(row)
    order = [str(label) for _p, label in GROUPS]
    out = []
    for label in sorted(groups, key=lambda g: order.index(g) if g in order else len(order)):
        rows = sorted(groups[label], key=lambda r: (r.status != "missing", r.name))
        out.append((label, rows))
    return out


def missing_count(groups: list[tuple[str, list[Row]]]) -> int:
    return sum(1 for _g, rows in groups for r in rows if r.status == "missing")


def entries(state: str | None = None) -> QuerySet[PolicyValue]:
    qs = PolicyValue.objects.defer("text_pdf").select_related("entered_by", "decided_by")
    return qs.filter(state=state) if state else qs


def entries_of(name: str) -> QuerySet[PolicyValue]:
    return entries().filter(name=name).order_by("-entered_at", "-pk")


def entry_get(pk: int) -> PolicyValue:
    return get_or_404(entries(), pk)


def pdf_of(pk: int) -> PolicyValue:
    return get_or_404(PolicyValue.objects.exclude(text_pdf=None), pk)


def province_of(commune_code: int) -> int | None:
    from ansinh.places.models import Commune

    return Commune.objects.filter(pk=commune_code).values_list("province_id", flat=True).first()
