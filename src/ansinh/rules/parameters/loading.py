"""Reading the parameter files: YAML parsed and validated, overlays merged on top.

Every refusal is a :class:`~ansinh.rules.errors.ParameterError` naming the file, the parameter
and what is wrong (an unknown key, a value without ``status`` or ``reference``, ``from`` dates
out of order, a key written twice). The format is in ``docs/rules.md``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from ansinh.rules.errors import ParameterError
from ansinh.rules.parameters.values import Parameter, Reference, _Entry

#: The folder of the shipped parameter files.
PACKAGE_DIR = Path(__file__).resolve().parent

_PARAMETER_KEYS = {
    "label_en",
    "label_vi",
    "description",
    "unit",
    "unit_vi",
    "province_override",
    "values",
    "provinces",
}
_ENTRY_KEYS = {"from", "value", "missing", "status", "reference", "note", "illustrative"}
_REFERENCE_KEYS = {"document", "document_vi", "article", "article_vi", "note"}
_OVERRIDE_RULES = {"none", "at_least_national", "replace"}


def entry_version(name: str, province: int | None, raw: Mapping[str, Any]) -> str:
    """The version id of one entry as written in a file: ``name@from#hash`` of its content."""
    payload = json.dumps(
        {"name": name, "province": province, **raw}, sort_keys=True, default=str
    ).encode()
    return f"{name}@{raw['from']}#{hashlib.sha256(payload).hexdigest()[:8]}"


def _parse_reference(raw: Any, where: str) -> Reference:
    if not isinstance(raw, dict):
        raise ParameterError(f"{where}: 'reference' must be a mapping with document and article")
    unknown = set(raw) - _REFERENCE_KEYS
    if unknown:
        raise ParameterError(f"{where}: unknown reference keys {sorted(unknown)}")
    for key in ("document", "document_vi", "article", "article_vi"):
        if key not in raw:
            raise ParameterError(
                f"{where}: reference needs '{key}' (write 'null' for an article the sources "
                "do not give)"
            )
    if not raw["document"] or not raw["document_vi"]:
        raise ParameterError(f"{where}: reference document must not be empty")
    return Reference(
        document=str(raw["document"]),
        document_vi=str(raw["document_vi"]),
        article=None if raw["article"] is None else str(raw["article"]),
        article_vi=None if raw["article_vi"] is None else str(raw["article_vi"]),
        note=None if raw.get("note") is None else str(raw["note"]),
    )


def _parse_entries(name: str, raw_entries: Any, source: str, province: int | None) -> list[_Entry]:
    where = f"{source}: {name}" + (f" (province {province})" if province is not None else "")
    if not isinstance(raw_entries, list) or not raw_entries:
        raise ParameterError(f"{where}: 'values' must be a non-empty list")
    entries: list[_Entry] = []
    for raw in raw_entries:
        if not isinstance(raw, dict):
            raise ParameterError(f"{where}: each value must be a mapping")
        unknown = set(raw) - _ENTRY_KEYS
        if unknown:
            raise ParameterError(f"{where}: unknown keys {sorted(unknown)}")
        start = raw.get("from")
        if not isinstance(start, dt.date) or isinstance(start, dt.datetime):
            raise ParameterError(f"{where}: 'from' must be a date YYYY-MM-DD, got {start!r}")
        has_value = "value" in raw
        has_missing = "missing" in raw
        if has_value == has_missing:
            raise ParameterError(f"{where} from {start}: give exactly one of 'value' or 'missing'")
        illustrative = raw.get("illustrative", False)
        if not isinstance(illustrative, bool):
            raise ParameterError(f"{where} from {start}: 'illustrative' must be true or false")
        if has_value:
            status = raw.get("status")
            if status not in ("firm", "check"):
                raise ParameterError(f"{where} from {start}: 'status' must be firm or check")
        else:
            status = "missing"
            if not isinstance(raw["missing"], str) or not raw["missing"].strip():
                raise ParameterError(f"{where} from {start}: 'missing' must give the reason")
        entries.append(
            _Entry(
                valid_from=start,
                value=raw.get("value"),
                missing=raw["missing"].strip() if has_missing else None,
                status=status,
                reference=_parse_reference(raw.get("reference"), f"{where} from {start}"),
                note=None if raw.get("note") is None else str(raw["note"]),
                source=source,
                version=entry_version(name, province, raw),
                illustrative=illustrative,
            )
        )
    starts = [e.valid_from for e in entries]
    if starts != sorted(starts) or len(set(starts)) != len(starts):
        raise ParameterError(f"{where}: 'from' dates must be strictly increasing")
    return entries


def _merge(base: list[_Entry], extra: list[_Entry]) -> list[_Entry]:
    by_date = {e.valid_from: e for e in base}
    by_date.update({e.valid_from: e for e in extra})
    return [by_date[d] for d in sorted(by_date)]


def _yaml_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if path.is_dir():
        return sorted(p for p in path.rglob("*.yaml") if p.is_file())
    raise ParameterError(f"parameters path not found: {path}")


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses a key written twice in one mapping (YAML keeps the last one
    silently, which would hide a mistyped correction)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        keys = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in keys:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} appears twice", key_node.start_mark
                )
            keys.add(key)
        return super().construct_mapping(node, deep=deep)


def read_document(text: str, source: str) -> Any:
    """Parse the text of a parameters file (refusing a key written twice)."""
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506
    except yaml.YAMLError as exc:
        raise ParameterError(f"{source}: cannot read parameters: {exc}") from exc


def _load_file(file: Path, parameters: dict[str, Parameter], *, overlay: bool) -> None:
    source = _display_path(file)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ParameterError(f"{source}: cannot read parameters: {exc}") from exc
    _load_document(read_document(text, source), source, parameters, overlay=overlay)


def _load_document(
    doc: Any, source: str, parameters: dict[str, Parameter], *, overlay: bool
) -> None:
    if not isinstance(doc, dict) or not isinstance(doc.get("parameters"), dict):
        raise ParameterError(f"{source}: expected a top-level 'parameters:' mapping")
    for name, spec in doc["parameters"].items():
        if not isinstance(spec, dict):
            raise ParameterError(f"{source}: {name}: expected a mapping")
        unknown = set(spec) - _PARAMETER_KEYS
        if unknown:
            raise ParameterError(f"{source}: {name}: unknown keys {sorted(unknown)}")
        existing = parameters.get(name)
        if existing is None:
            for key in ("label_en", "label_vi"):
                if not spec.get(key):
                    raise ParameterError(f"{source}: {name}: '{key}' is required")
            existing = Parameter(
                name=name, label_en=str(spec["label_en"]), label_vi=str(spec["label_vi"])
            )
            parameters[name] = existing
        elif not overlay:
            raise ParameterError(f"{source}: {name} is already defined in another file")
        for key in ("label_en", "label_vi", "description", "unit", "unit_vi"):
            if spec.get(key):
                setattr(existing, key, str(spec[key]))
        if "province_override" in spec:
            rule = spec["province_override"]
            if rule not in _OVERRIDE_RULES:
                raise ParameterError(
                    f"{source}: {name}: province_override must be one of {sorted(_OVERRIDE_RULES)}"
                )
            existing.province_override = rule
        if "values" in spec:
            existing.entries = _merge(
                existing.entries, _parse_entries(name, spec["values"], source, None)
            )
        if not existing.entries:
            raise ParameterError(f"{source}: {name}: no 'values'")
        provinces = spec.get("provinces") or {}
        if not isinstance(provinces, dict):
            raise ParameterError(f"{source}: {name}: 'provinces' must map province codes to values")
        if provinces and existing.province_override == "none":
            raise ParameterError(f"{source}: {name}: this parameter has no province overrides")
        for code, raw_entries in provinces.items():
            try:
                province = int(code)
            except (TypeError, ValueError):
                raise ParameterError(f"{source}: {name}: bad province code {code!r}") from None
            existing.provinces[province] = _merge(
                existing.provinces.get(province, []),
                _parse_entries(name, raw_entries, source, province),
            )


def _display_path(file: Path) -> str:
    try:
        return str(file.resolve().relative_to(PACKAGE_DIR))
    except ValueError:
        return str(file)
