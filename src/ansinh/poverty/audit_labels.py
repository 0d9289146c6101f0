"""How the audit log reads the poverty review's entries (``core.audit_display``): a survey's
answers part by part (forms A, B1, B2, each member by name), a request's member table, a
village meeting's agreements by household, a decision's counts by movement, the documents
handed out."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ansinh.core.audit_vocabulary import choice, describe, money, name_records
from ansinh.poverty.choices import CommitteeRole, MemberStatus, Transition
from ansinh.poverty.views.documents import EXPORTS
from ansinh.poverty.views.survey import ANSWER_LABELS
from ansinh.registry.choices import Sex

name_records("poverty.roundhousehold", "household__code", commune="round__commune_id")

_FORMS = {
    "a": gettext_lazy("Form A: quick screen"),
    "b1": gettext_lazy("Form B1: income"),
    "b2": gettext_lazy("Form B2: living conditions"),
}
ANSWER_KEYS = {
    **_FORMS,
    "members": gettext_lazy("Members"),
    "registry": gettext_lazy("Values from the registry"),
    "notes": gettext_lazy("Why a registry value was corrected"),
    "screened_out": gettext_lazy("Clearly outside the review"),
    "note": gettext_lazy("Note"),
    "route": gettext_lazy("How income is assessed"),
    "income_per_capita": gettext_lazy("Estimated income per person per month (đồng)"),
    "b1_score": gettext_lazy("B1 score (score A)"),
    "house_type": gettext_lazy("House"),
    "floor_area_m2": gettext_lazy("Floor area of the house (m²)"),
    "safe_water": gettext_lazy("Safe domestic water"),
    "hygienic_latrine": gettext_lazy("Hygienic latrine"),
    "internet": gettext_lazy("A member uses the internet"),
    "info_assets": gettext_lazy("TV, radio, computer or smartphone"),
    "waste_treatment": gettext_lazy("Waste treatment"),
    "full_name": gettext_lazy("Full name"),
    "date_of_birth": gettext_lazy("Date of birth"),
    "sex": gettext_lazy("Sex"),
    "health_insurance": gettext_lazy("Has a valid health-insurance card"),
    "work": gettext_lazy("Work"),
    "studying": gettext_lazy("Studying now"),
    "qualification": gettext_lazy("Qualification"),
    "malnourished": gettext_lazy("Stunted or underweight (children)"),
    "disability": gettext_lazy("Disability"),
    "monthly_allowance": gettext_lazy("Receives a monthly social allowance"),
}
_ROUTES = {"income": gettext_lazy("Income per person"), "b1": gettext_lazy("B1 score")}


def _section(match: re.Match[str], name: Callable[[str, Any], str]) -> str:
    """The note of a survey save, ``section b2`` or ``section member:10787``: what was saved."""
    section = match["section"]
    if section.startswith("member:"):
        return _("Survey saved: %(part)s") % {"part": name("registry.person", section[7:])}
    return _("Survey saved: %(part)s") % {"part": _FORMS.get(section, section)}


_answer = choice(ANSWER_LABELS.items())
describe(
    "poverty.roundhousehold",
    labels={**ANSWER_KEYS, "deprived_count": gettext_lazy("Deprived indicators")},
    values={
        "request_members": choice(MemberStatus.choices),
        "route": choice(_ROUTES.items()),
        "house_type": _answer,
        "work": _answer,
        "qualification": _answer,
        "disability": _answer,
        "sex": choice(Sex.choices),
        "income_per_capita": money,
    },
    keyed={
        "request_members": "registry.person",
        "members": "registry.person",
        "registry": "registry.person",
        "notes": "registry.person",
    },
    notes={r"section (?P<section>\S+)": _section},
)
describe(
    "poverty.reviewround",
    labels={"decision": gettext_lazy("Decision number"), **dict(Transition.choices)},
    notes={
        "report": lambda match, name: _("Results reported upward"),
        "decision": lambda match, name: _("Recognition decision recorded"),
    },
)
describe(
    "poverty.villagemeeting",
    labels={"agreements": gettext_lazy("attendees agreeing")},
    keyed={"agreements": "poverty.roundhousehold"},
)
describe("poverty.complaint", labels={"resurvey": gettext_lazy("Survey again")})


def _member(match: re.Match[str], name: Callable[[str, Any], str]) -> str:
    """A committee member's name as written, ``Trần Văn Lợi (head)``, with the role's label."""
    role = dict(CommitteeRole.choices).get(match["role"], match["role"])
    return f"{match['name']} ({role})"


describe(
    "poverty.committeemember",
    record_patterns={r"(?P<name>.*) \((?P<role>[a-z_]+)\)": _member},
)

_DOCUMENTS: dict[str, Any] = {
    "poverty.minutes.pdf": gettext_lazy("Minutes of the village meeting (PDF)"),
    "poverty.posting.pdf": gettext_lazy("Public posting list (PDF)"),
    "poverty.decision.pdf": gettext_lazy("Decision (Form 02, PDF)"),
    "poverty.certificate.pdf": gettext_lazy("Certificate (Form 03, PDF)"),
    "poverty.report.pdf": gettext_lazy("Report on the review results (PDF)"),
    "poverty.request_01.pdf": gettext_lazy("Request (Form 01, PDF)"),
    "poverty.request_04.pdf": gettext_lazy("Request (Form 04, PDF)"),
}
_LISTS: dict[str, Any] = {
    "entries": gettext_lazy("Households under review (Excel)"),
    "poor": gettext_lazy("Poor households (Excel)"),
    "near_poor": gettext_lazy("Near-poor households (Excel)"),
    "escaped_poor": gettext_lazy("Households that escaped poverty (Excel)"),
    "escaped_near_poor": gettext_lazy("Households that escaped near-poverty (Excel)"),
    "rates": gettext_lazy("Poverty rates by village (Excel)"),
}
describe(
    "export",
    records={
        **_DOCUMENTS,
        **{f"poverty.export.{which}.xlsx": _LISTS.get(which, which) for which in EXPORTS},
    },
)
