"""What the audit log's display layer (``core.audit_display``) needs to know of the registry's
entries: households and persons by name, a household's events, a proposal's payload (the
fields of the household and of the persons it would change)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ansinh.core.audit_vocabulary import (
    EVERY,
    choice,
    describe,
    name_records,
    record_type_label,
)
from ansinh.core.models import AuditAction
from ansinh.registry.choices import EventKind, ProposalStatus
from ansinh.registry.models import Household, Person

name_records("registry.household", "code", commune="commune_id")
name_records("registry.person", "full_name", commune="commune_id")


def _fields(*models: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The labels and choices of the models' fields (a proposal holds them as a payload)."""
    labels: dict[str, Any] = {}
    values: dict[str, Any] = {}
    for model in models:
        for field in model._meta.concrete_fields:
            labels.setdefault(field.name, field.verbose_name)
            if field.choices:
                values.setdefault(field.name, choice(field.flatchoices))
    return labels, values


describe(
    EVERY,
    labels={"household": _("Household"), "person": _("Person")},
    refs={"household": "registry.household"},
)
describe(
    "registry.household",
    labels={"person": _("Person")},
    values={"event": choice(EventKind.choices)},
)
_labels, _values = _fields(Person, Household)
describe(
    "registry.changeproposal",
    labels={
        **_labels,
        "place": _("Moved to"),
        "event_kind": _("Event"),
        "event_date": _("Date of the event"),
        "decision": _("Decision"),
        "members": _("Members"),
    },
    values={
        **_values,
        "event_kind": choice(EventKind.choices),
        "decision": choice(ProposalStatus.choices),
    },
    refs={"village": "places.village"},
)


def _village(match: re.Match[str], name: Callable[[str, Any], str]) -> str:
    """An export's note ``village 3``: "Chỉ Ấp Tân Đông"."""
    return gettext("Only %(name)s") % {"name": name("places.village", match["id"])}


def _filters(match: re.Match[str], name: Callable[[str, Any], str]) -> str:
    """The audit log export's note ``audit type=registry.person&user=3``: the filters it was
    made with ("Loại hồ sơ: Nhân khẩu · Người thực hiện: Nguyễn Thị Hồng")."""
    typed = dict(parse_qsl(match["query"]))
    if not typed:
        return gettext("The whole log")
    labels = {
        "type": gettext("Record type"),
        "q": gettext("Person or household"),
        "user": gettext("Done by"),
        "action": gettext("Kind of change"),
        "date_from": gettext("From (day)"),
        "date_to": gettext("To (day)"),
    }
    values: dict[str, Callable[[str], str]] = {
        "type": record_type_label,
        "user": lambda v: gettext("the system") if v == "system" else name("accounts.user", v),
        "action": lambda v: str(dict(AuditAction.choices).get(v, v)),
    }
    return " · ".join(
        f"{labels[key]}: {values.get(key, str)(value)}"
        for key, value in typed.items()
        if key in labels
    )


describe(
    "export",
    records={
        "registry.households.xlsx": _("Households (Excel)"),
        "registry.audit_log.xlsx": _("Audit log (Excel)"),
    },
    notes={r"village (?P<id>\d+)": _village, r"audit ?(?P<query>.*)": _filters},
)
