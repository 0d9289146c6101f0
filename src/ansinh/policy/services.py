"""Entering, approving, rejecting, importing and exporting policy values.

A value is checked when it is entered and again when it is approved, by merging it on top of
the values in force exactly as an overlay file would be (``ansinh.rules.parameters``): the same
validation, the same version ids. Approved entries are never edited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.accounts.scopes import Scope
from ansinh.assistance import holds
from ansinh.core import audit
from ansinh.policy import permissions, provider
from ansinh.policy.choices import EntryOrigin, EntryState, ValueStatus
from ansinh.policy.models import PolicyValue
from ansinh.rules.errors import RulesError
from ansinh.rules.parameters import (
    ParameterSet,
    entry_version,
    read_document,
    shipped_parameters,
)

FIELDS = [
    "name",
    "province",
    "valid_from",
    "value",
    "status",
    "illustrative",
    "document",
    "document_vi",
    "document_date",
    "article",
    "article_vi",
    "note",
    "state",
    "decision_note",
    "version",
]
MAX_PDF = 10 * 1024 * 1024
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2100, 12, 31)


def _trial(entries: list[PolicyValue]) -> ParameterSet:
    """The values in force with ``entries`` merged last; refuses like a malformed overlay."""
    try:
        return provider.merged(shipped_parameters(), [*provider.approved_entries(), *entries])
    except RulesError as exc:
        raise ValidationError(
            _("The value cannot be used by the rules engine: %(error)s") % {"error": exc}
        ) from exc


def _check_shape(params: ParameterSet, name: str, value: Any) -> None:
    """The value has the shape of the parameter's earlier values (keys and kinds)."""
    try:
        parameter = params.parameter(name)
    except RulesError:
        raise ValidationError(
            {"name": _("ansinh has no parameter named %(name)s.") % {"name": name}}
        ) from None
    template = next((e.value for e in reversed(parameter.entries) if e.missing is None), None)
    if template is None:
        return
    problem = _shape_problem(template, value)
    if problem:
        raise ValidationError({"value": problem})


def _shape_problem(template: Any, value: Any) -> str:
    if isinstance(template, bool) or isinstance(value, bool):
        ok = isinstance(template, bool) and isinstance(value, bool)
        return "" if ok else _("Expected yes or no.")
    if isinstance(template, int | float):
        if not isinstance(value, int | float):
            return _("Expected a number.")
        if value < 0:
            return _("The value cannot be negative.")
        return ""
    if isinstance(template, str):
        return "" if isinstance(value, str) and value.strip() else _("Expected a text.")
    if isinstance(template, list):
        return "" if isinstance(value, list) and value else _("Expected a list.")
    if isinstance(template, dict):
        if not isinstance(value, dict):
            return _("Expected the fields %(keys)s.") % {"keys": ", ".join(template)}
        missing = [k for k in template if k not in value]
        extra = [k for k in value if k not in template]
        if missing:
            return _("Missing fields: %(keys)s.") % {"keys": ", ".join(missing)}
        if extra:
            return _("Unknown fields: %(keys)s.") % {"keys": ", ".join(extra)}
        for k in template:
            problem = _shape_problem(template[k], value[k])
            if problem:
                return f"{k}: {problem}"
    return ""


@transaction.atomic
def policy_value_enter(
    *,
    scope: Scope,
    name: str,
    valid_from: dt.date,
    value: Any,
    document: str,
    document_vi: str,
    article: str = "",
    article_vi: str = "",
    document_date: dt.date | None = None,
    status: str = ValueStatus.FIRM,
    province: int | None = None,
    note: str = "",
    illustrative: bool = False,
    text_pdf: bytes | None = None,
    text_pdf_name: str = "",
    origin: str = "",
) -> PolicyValue:
    """Enter a dated value with its legal reference; it applies once a second person approves."""
    permissions.require_enter(scope)
    if not FIRST_DAY <= valid_from <= LAST_DAY:
        raise ValidationError({"valid_from": _("Enter a date between 2000 and 2100.")})
    if status not in ValueStatus.values:
        raise ValidationError({"status": _("Choose firm or to check.")})
    if not document_vi.strip():
        raise ValidationError({"document_vi": _("Name the legal document (number and type).")})
    if text_pdf is not None and (len(text_pdf) > MAX_PDF or not text_pdf.startswith(b"%PDF")):
        raise ValidationError({"text_pdf": _("Attach a PDF file of at most 10 MB.")})
    params = _trial([])
    _check_shape(params, name, value)
    if province is not None and params.parameter(name).province_override == "none":
        raise ValidationError(
            {"province": _("This parameter has no province values: it is set nationally.")}
        )
    entry = PolicyValue(
        name=name,
        province=province,
        valid_from=valid_from,
        value=value,
        status=status,
        illustrative=illustrative,
        document=(document or document_vi).strip(),
        document_vi=document_vi.strip(),
        document_date=document_date,
        article=(article or article_vi).strip(),
        article_vi=article_vi.strip(),
        note=note.strip(),
        text_pdf=text_pdf,
        text_pdf_name=text_pdf_name[:200],
        origin=origin or (EntryOrigin.PROVINCE if scope.is_province else EntryOrigin.COMMUNE),
        commune_code=scope.commune_code,
        entered_by=scope.user,
        entered_system=scope.via,
    )
    _trial([entry])  # the same validation as an overlay file, before anything is stored
    entry.save()
    audit.created(
        scope,
        entry,
        FIELDS,
        note=_("Policy value entered: %(entry)s") % {"entry": entry},
        commune_code=scope.commune_code,
    )
    return entry


def _lock(entry: PolicyValue) -> PolicyValue:
    locked = PolicyValue.objects.select_for_update().get(pk=entry.pk)
    if locked.state != EntryState.PROPOSED:
        raise ValidationError(
            _("This value was already decided (%(state)s).") % {"state": locked.get_state_display()}
        )
    return locked


@transaction.atomic
def policy_value_approve(*, scope: Scope, entry: PolicyValue, note: str = "") -> PolicyValue:
    """A second person approves: the value applies from now on, in every computation."""
    permissions.require_decide(scope, entry)
    entry = _lock(entry)
    params = _trial([entry])
    with audit.tracked(
        scope,
        entry,
        FIELDS,
        note=_("Policy value approved: %(entry)s") % {"entry": entry},
        commune_code=scope.commune_code,
    ):
        _decide(scope, entry, EntryState.APPROVED, note)
        entry.version = version_of(params, entry)
        entry.save()
    # the amounts of open payrolls may change: each is checked again before money leaves
    holds.payrolls_touch_everywhere()
    return entry


def _decide(scope: Scope, entry: PolicyValue, state: str, note: str) -> None:
    entry.state = state
    entry.decided_by = scope.user
    entry.decided_system = scope.via
    entry.decided_at = timezone.now()
    entry.decision_note = note.strip()


@transaction.atomic
def policy_value_reject(*, scope: Scope, entry: PolicyValue, note: str) -> PolicyValue:
    """A second person refuses the value, saying why; it never applies."""
    permissions.require_decide(scope, entry)
    if not note.strip():
        raise ValidationError({"note": _("Say why the value is rejected.")})
    entry = _lock(entry)
    with audit.tracked(
        scope,
        entry,
        FIELDS,
        note=_("Policy value rejected: %(entry)s") % {"entry": entry},
        commune_code=scope.commune_code,
    ):
        _decide(scope, entry, EntryState.REJECTED, note)
        entry.save()
    return entry


def version_of(params: ParameterSet, entry: PolicyValue) -> str:
    """The version id the rules engine gives the entry (``name@from#hash``)."""
    parameter = params.parameter(entry.name)
    entries = parameter.entries if entry.province is None else parameter.provinces[entry.province]
    return next(e.version for e in entries if e.valid_from == entry.valid_from)


# --------------------------------------------------------------------------- sharing


def export_yaml(entries: list[PolicyValue] | None = None) -> str:
    """The approved values as an overlay file (docs/rules.md), labels included."""
    entries = provider.approved_entries() if entries is None else entries
    document = provider.overlay_document(entries)
    shipped = shipped_parameters()
    for name, spec in document["parameters"].items():
        p = shipped.parameter(name)
        spec["label_en"], spec["label_vi"] = p.label_en, p.label_vi
        document["parameters"][name] = {
            "label_en": p.label_en,
            "label_vi": p.label_vi,
            **{k: v for k, v in spec.items() if k not in ("label_en", "label_vi")},
        }
    header = (
        "# ansinh policy values (overlay format, docs/rules.md), exported "
        f"{timezone.localtime():%d/%m/%Y %H:%M}\n"
    )
    return header + yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)


@transaction.atomic
def policy_import(*, scope: Scope, text: str, source: str) -> list[PolicyValue]:
    """Enter every value of an overlay file that is not already in force; each then waits for
    a second person's approval like a value entered by hand. Refuses the whole file, storing
    nothing, when any of it is malformed."""
    permissions.require_enter(scope)
    try:
        document = read_document(text, source)
        shipped_parameters().with_document(document, source)
    except RulesError as exc:
        raise ValidationError(_("The file cannot be used: %(error)s") % {"error": exc}) from exc
    in_force = provider.parameters_in_force()
    created: list[PolicyValue] = []
    for name, spec in document["parameters"].items():
        groups: list[tuple[int | None, list[dict[str, Any]]]] = [(None, spec.get("values") or [])]
        groups += [(int(code), raw) for code, raw in (spec.get("provinces") or {}).items()]
        for province, raw_entries in groups:
            for raw in raw_entries:
                if "missing" in raw:
                    continue  # a file says what it lacks; nothing to enter
                if _already_in_force(in_force, name, province, raw):
                    continue
                ref = raw["reference"]
                created.append(
                    policy_value_enter(
                        scope=scope,
                        name=name,
                        province=province,
                        valid_from=raw["from"],
                        value=raw["value"],
                        status=raw["status"],
                        document=ref["document"],
                        document_vi=ref["document_vi"],
                        article=ref.get("article") or "",
                        article_vi=ref.get("article_vi") or "",
                        note=raw.get("note") or "",
                        illustrative=bool(raw.get("illustrative", False)),
                        origin=EntryOrigin.IMPORT,
                    )
                )
    return created


def _already_in_force(
    params: ParameterSet, name: str, province: int | None, raw: dict[str, Any]
) -> bool:
    try:
        parameter = params.parameter(name)
    except RulesError:
        return False
    entries = parameter.entries if province is None else parameter.provinces.get(province, [])
    return entry_version(name, province, raw) in {e.version for e in entries}
