"""How registry values read on a page: field labels and stored values as people read them.

Used by the history tables, the audit log and the proposals list, so that "sex: female" or
"date: 2026-10-26" never reaches an officer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ansinh.core.audit import SENSITIVE_FIELDS, display_changes, mask_text
from ansinh.core.identifiers import mask_identifier
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


def _ids(entries: list[AuditEntry], field: str) -> set[int]:
    found: set[int] = set()
    for e in entries:
        pair = (e.changes or {}).get(field)
        for value in pair if isinstance(pair, list) else [pair]:
            if isinstance(value, int) and not isinstance(value, bool):
                found.add(value)
    return found


def _named(ids: set[int], qs: QuerySet[Any], attr: str) -> Callable[[Any], str]:
    """A formatter answering from one query for every id of the page (not one per row)."""
    names = dict(qs.filter(pk__in=ids).values_list("pk", attr)) if ids else {}
    return lambda value: str(names.get(value) or value)


def history_rows(entries: QuerySet[AuditEntry] | Iterable[AuditEntry]) -> list[dict[str, Any]]:
    """Entries as shown: every CCCD, phone and bank number masked, in the changes (at any
    depth), in the record's name and in the note. The villages and households the changes
    name are read in one query each for the whole list."""
    names = labels()
    rows = list(entries)
    formatters = {
        **FORMATTERS,
        "village": _named(_ids(rows, "village"), Village.objects.all(), "name"),
        "household": _named(_ids(rows, "household"), Household.objects.all(), "code"),
    }
    return [
        {
            "entry": e,
            "changes": display_changes(e, names, formatters),
            "object_repr": mask_text(e.object_repr),
            "note": mask_text(e.note),
        }
        for e in rows
    ]


def payload_rows(payload: dict[str, Any], *, full: bool = True) -> list[tuple[str, str]]:
    """A proposal's values with labels; sensitive numbers are shown in full to the officer
    who must check them against the papers (``full``), masked to other roles."""
    names = labels()
    rows = []
    for key, value in payload.items():
        if key in {"folded_name", "given_key"} or value in ("", None):
            continue
        if key in SENSITIVE_FIELDS and not full:
            text = mask_identifier(str(value), key)
        else:
            text = FORMATTERS[key](value) if key in FORMATTERS else str(value)
        rows.append((names.get(key, key), text))
    return rows
