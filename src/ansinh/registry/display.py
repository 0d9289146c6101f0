"""How registry values read on a page: field labels and stored values as people read them.

Used by the proposals list and the survey's pre-filled values, so that "sex: female" or
"date: 2026-10-26" never reaches an officer. Audit entries (the history tables, the audit log)
are read by ``core.audit_display``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ansinh.core.audit import SENSITIVE_FIELDS
from ansinh.core.audit_display import EntryView, entries_display
from ansinh.core.identifiers import identifier_text, mask_identifier
from ansinh.core.models import AuditEntry
from ansinh.places.choices import AreaType, VillageKind
from ansinh.places.models import Village
from ansinh.registry.choices import (
    Bank,
    Ethnicity,
    EventKind,
    HouseholdStatus,
    LifeStatus,
    ProposalKind,
    ProposalStatus,
    Relationship,
    Sex,
)
from ansinh.registry.models import ChangeProposal, Household, Person

_EXTRA_LABELS = {
    "date": _("Date"),
    "place": _("Moved to"),
    "event": _("Event"),
    "event_kind": _("Event"),
    "event_date": _("Date of the event"),
    "person": _("Person"),
    "kind": _("Change"),
    "village": _("Village"),
    "revealed": _("Identifier viewed"),
    "decision": _("Decision"),
}


def _choice(choices: Iterable[tuple[str, Any]]) -> Callable[[Any], str]:
    mapping = dict(choices)
    return lambda value: str(mapping.get(value, value))


def _date(value: Any) -> str:
    try:
        return dt.date.fromisoformat(str(value)[:10]).strftime("%d/%m/%Y")
    except ValueError:
        return str(value)


def _village(value: Any) -> str:
    name = Village.objects.filter(pk=value).values_list("name", flat=True).first()
    return name or str(value)


def _household(value: Any) -> str:
    code = Household.objects.filter(pk=value).values_list("code", flat=True).first()
    return code or str(value)


FORMATTERS: dict[str, Callable[[Any], str]] = {
    "household": _household,
    "sex": _choice(Sex.choices),
    "relationship": _choice(Relationship.choices),
    "ethnicity": _choice(Ethnicity.choices),
    "bank": _choice(Bank.choices),
    "life_status": _choice(LifeStatus.choices),
    "status": _choice([*HouseholdStatus.choices, *LifeStatus.choices]),
    "decision": _choice(ProposalStatus.choices),
    "event": _choice(EventKind.choices),
    "event_kind": _choice(EventKind.choices),
    "kind": _choice([*ProposalKind.choices, *VillageKind.choices]),
    "area_type_override": _choice(AreaType.choices),
    "date_of_birth": _date,
    "status_date": _date,
    "date": _date,
    "event_date": _date,
    "village": _village,
    "revealed": lambda value: labels().get(value, str(value)),
}


def labels() -> dict[str, str]:
    out: dict[str, str] = {}
    for model in (Village, Household, Person, ChangeProposal):
        for field in model._meta.get_fields():
            out[field.name] = str(getattr(field, "verbose_name", field.name))
    out.update({k: str(v) for k, v in _EXTRA_LABELS.items()})
    return out


def history_rows(
    entries: QuerySet[AuditEntry] | Iterable[AuditEntry], *, commune_code: int | None = None
) -> list[EntryView]:
    """A household's or a person's history as read (``core.audit_display``): labels, values,
    identifiers masked; the records the changes name are read once for the whole list, in
    ``commune_code`` (the entries' own commune when not given)."""
    rows = list(entries)
    if commune_code is None:
        commune_code = next((e.commune_code for e in rows if e.commune_code is not None), None)
    return entries_display(rows, commune_code=commune_code)


def payload_rows(payload: dict[str, Any], *, full: bool = True) -> list[tuple[str, str]]:
    """A proposal's values with labels; sensitive numbers are shown in full to the officer
    who must check them against the papers (``full``), masked to other roles."""
    names = labels()
    rows = []
    for key, value in payload.items():
        if key in {"folded_name", "given_key", "members"} or value in ("", None):
            continue  # a new household's members: ``member_rows``
        rows.append((names.get(key, key), _payload_value(key, value, full)))
    return rows


def _payload_value(key: str, value: Any, full: bool) -> str:
    if key in SENSITIVE_FIELDS:
        return identifier_text(str(value), key) if full else mask_identifier(str(value), key)
    return FORMATTERS[key](value) if key in FORMATTERS else str(value)


#: What a proposed household's members table shows of each member.
MEMBER_FIELDS = ("full_name", "date_of_birth", "sex", "relationship", "ethnicity", "cccd", "phone")


def member_rows(payload: dict[str, Any], *, full: bool = True) -> list[dict[str, str]]:
    """A new household's proposed members as a page reads them (labels, dd/mm/yyyy; CCCD
    and phone masked unless ``full``), one dict of ``MEMBER_FIELDS`` each."""
    return [
        {
            key: _payload_value(key, member[key], full) if member.get(key) else ""
            for key in MEMBER_FIELDS
        }
        for member in payload.get("members") or []
        if isinstance(member, dict)
    ]
