"""Dated legal parameters, loaded once from YAML and looked up by date.

Every number the rules use (income lines, thresholds, coefficients, salary bases …) lives in a
YAML file under this folder (``poverty/``, ``assistance/``, ``insurance/``, ``labour/``), with
the date from which it is valid and its legal reference (document and article). A value that
the policy note marks ``[check]`` carries ``status: check`` and a ``# [check] …`` comment; a
value marked ``[missing]`` is an entry with ``missing: <reason>`` instead of a value, and every
lookup of it refuses with :class:`~ansinh.rules.errors.MissingParameterError`.

File format (see ``docs/rules.md`` for the full description)::

    parameters:
      poverty.income_line.rural:
        label_en: income poverty line (rural)
        label_vi: chuẩn nghèo về thu nhập (nông thôn)
        unit: dong
        values:
          - from: 2022-01-01
            value: 1500000
            status: firm
            reference: {document: Decree 07/2021/ND-CP, document_vi: Nghị định 07/2021/NĐ-CP,
                        article: Art. 3, article_vi: Điều 3}

A value is valid from its ``from`` date until the next entry's ``from`` date. A parameter may
allow province overrides (``province_override: at_least_national``: a province may set a
higher value, never a lower one; ``replace``: the province value replaces the national one).

Overlays: further files or folders with the same format (a province's own decisions, values
the law has since fixed) are merged on top of the shipped files: an overlay entry replaces the
shipped entry with the same ``from`` date or adds a new one. Overlays come from
``load_parameters(path, …)``, from the environment variable ``ANSINH_RULES_PARAMETERS``
(paths separated by ``os.pathsep``) for :func:`default_parameters`, and from the ``--parameters``
option of the batch commands.

Public interface::

    value(name, on_date, province=None) -> ParamValue   # the parameters in force (below)
    default_parameters() -> ParameterSet                 # the provider's set, else shipped + env
    shipped_parameters() -> ParameterSet                 # shipped files + environment overlays
    load_parameters(*overlays) -> ParameterSet           # shipped files + the given overlays
    set_provider(fn | None)                              # who answers default_parameters()
    ParameterSet.value / .get / .resolve                 # lookups on a given set
    ParameterSet.with_document(doc, source)              # a copy with an overlay document merged

The web application keeps the values that policy administrators enter and approve in its
database and registers a *provider* (:func:`set_provider`): :func:`default_parameters` then
returns the shipped files and environment overlays with those values merged on top, by the same
code that merges overlay files (same validation, same version ids). The rules package itself
never reads a database.

:class:`ParamValue` carries the value, its :class:`Reference`, its status, its validity and a
``version`` id (``name@from#hash``) that changes whenever the entry's content changes; results
store these ids so a decision can always be traced back to the exact values used.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import functools
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ansinh.rules.errors import MissingParameterError, ParameterError

__all__ = [
    "PACKAGE_DIR",
    "ParamValue",
    "Parameter",
    "ParameterSet",
    "Reference",
    "default_parameters",
    "entry_version",
    "env_overlays",
    "load_parameters",
    "read_document",
    "set_provider",
    "shipped_parameters",
    "value",
]

PACKAGE_DIR = Path(__file__).resolve().parent
ENV_VAR = "ANSINH_RULES_PARAMETERS"

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


@dataclass(frozen=True)
class Reference:
    """Legal reference of a value: document and article, in English and Vietnamese."""

    document: str
    document_vi: str
    article: str | None
    article_vi: str | None
    note: str | None = None

    def text(self, lang: str = "vi") -> str:
        """``Nghị định 07/2021/NĐ-CP, Điều 3`` (vi) or ``Decree 07/2021/ND-CP, Art. 3`` (en)."""
        if lang == "vi":
            return ", ".join(p for p in (self.document_vi, self.article_vi) if p)
        return ", ".join(p for p in (self.document, self.article) if p)

    def as_dict(self) -> dict[str, str | None]:
        return {
            "document": self.document,
            "document_vi": self.document_vi,
            "article": self.article,
            "article_vi": self.article_vi,
            "note": self.note,
        }


@dataclass(frozen=True)
class _Entry:
    valid_from: dt.date
    value: Any
    missing: str | None
    status: str
    reference: Reference
    note: str | None
    source: str
    version: str
    illustrative: bool = False


@dataclass(frozen=True)
class ParamValue:
    """One parameter value as found for a date."""

    name: str
    value: Any
    valid_from: dt.date
    valid_to: dt.date | None  # exclusive; None = open-ended
    status: str  # "firm" or "check"
    reference: Reference
    version: str
    province: int | None = None
    note: str | None = None
    source: str = ""
    illustrative: bool = False  # a demonstration value, not a legal text

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form, stored with explanations."""
        out = {
            "name": self.name,
            "value": self.value,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "status": self.status,
            "province": self.province,
            "version": self.version,
            "reference": self.reference.as_dict(),
        }
        if self.illustrative:
            out["illustrative"] = True
        return out


@dataclass
class Parameter:
    """A named parameter with its dated entries (national and per province)."""

    name: str
    label_en: str
    label_vi: str
    description: str = ""
    unit: str = ""
    unit_vi: str = ""
    province_override: str = "none"
    entries: list[_Entry] = field(default_factory=list)
    provinces: dict[int, list[_Entry]] = field(default_factory=dict)

    def _find(self, entries: list[_Entry], on: dt.date) -> tuple[_Entry, dt.date | None] | None:
        starts = [e.valid_from for e in entries]
        i = bisect.bisect_right(starts, on) - 1
        if i < 0:
            return None
        valid_to = entries[i + 1].valid_from if i + 1 < len(entries) else None
        return entries[i], valid_to

    def _to_value(
        self, entry: _Entry, valid_to: dt.date | None, province: int | None
    ) -> ParamValue:
        return ParamValue(
            name=self.name,
            value=entry.value,
            valid_from=entry.valid_from,
            valid_to=valid_to,
            status=entry.status,
            reference=entry.reference,
            version=entry.version,
            province=province,
            note=entry.note,
            source=entry.source,
            illustrative=entry.illustrative,
        )

    def entry_on(self, on: dt.date) -> tuple[ParamValue | None, str | None]:
        """(value in force, None), or (None, reason) when the entry in force is ``missing``,
        or (None, None) when ``on`` is before the first entry. National values only."""
        found = self._find(self.entries, on)
        if found is None:
            return None, None
        entry, valid_to = found
        if entry.missing is not None:
            return self._to_value(entry, valid_to, None), entry.missing
        return self._to_value(entry, valid_to, None), None

    def document_on(self, on: dt.date | str, vietnamese: bool = True) -> str:
        """The legal document of the entry in force on ``on`` (also a missing one), or ""."""
        day = dt.date.fromisoformat(on[:10]) if isinstance(on, str) else on
        found = self._find(self.entries, day)
        if found is None:
            return ""
        ref = found[0].reference
        return ref.document_vi if vietnamese else ref.document

    def missing_message(self, on: dt.date, entry: _Entry | None) -> str:
        if entry is None:
            first = self.entries[0].valid_from.isoformat() if self.entries else "—"
            return (
                f"no {self.label_en} is configured for {on.isoformat()} "
                f"(configured values start on {first})"
            )
        return f"no {self.label_en} is configured for {on.year} ({entry.missing})"

    def lookup(self, on: dt.date, province: int | None = None) -> ParamValue | None:
        """The value on ``on``; None if ``on`` is before the first entry.

        Raises :class:`MissingParameterError` when the entry in force is a ``missing`` one.
        """
        found = self._find(self.entries, on)
        national: ParamValue | None = None
        if found is not None:
            entry, valid_to = found
            if entry.missing is not None:
                raise MissingParameterError(
                    [(self.name, on.isoformat(), self.missing_message(on, entry))]
                )
            national = self._to_value(entry, valid_to, None)
        if province is None or province not in self.provinces:
            return national
        pfound = self._find(self.provinces[province], on)
        if pfound is None or pfound[0].missing is not None:
            return national
        local = self._to_value(pfound[0], pfound[1], province)
        if self.province_override == "replace" or national is None:
            return local
        # at_least_national: a province may pay more, never less.
        return local if local.value > national.value else national


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


class ParameterSet:
    """All parameters, national and per province, from the shipped files plus overlays."""

    def __init__(self, parameters: dict[str, Parameter], sources: Sequence[str]) -> None:
        self._parameters = parameters
        self.sources = tuple(sources)

    @classmethod
    def load(cls, paths: Iterable[Path | str]) -> ParameterSet:
        """Load the first path as the base and merge every further path on top of it."""
        parameters: dict[str, Parameter] = {}
        sources: list[str] = []
        for index, path in enumerate(paths):
            files = _yaml_files(Path(path))
            sources.append(str(path))
            for file in files:
                _load_file(file, parameters, overlay=index > 0)
        return cls(parameters, sources)

    def with_document(self, doc: Mapping[str, Any], source: str) -> ParameterSet:
        """A copy of this set with an overlay *document* (the parsed form of an overlay file:
        ``{"parameters": {...}}``) merged on top, exactly as an overlay file would be."""
        parameters = {
            name: dataclasses.replace(
                p, entries=list(p.entries), provinces={k: list(v) for k, v in p.provinces.items()}
            )
            for name, p in self._parameters.items()
        }
        _load_document(doc, source, parameters, overlay=True)
        return ParameterSet(parameters, [*self.sources, source])

    def names(self) -> list[str]:
        return sorted(self._parameters)

    def illustrative_versions(self, versions: Iterable[str]) -> list[str]:
        """Those of ``versions`` that name an illustrative (demonstration) value."""
        wanted = set(versions)
        found = []
        for p in self._parameters.values():
            for entries in (p.entries, *p.provinces.values()):
                found += [e.version for e in entries if e.illustrative and e.version in wanted]
        return sorted(found)

    def parameter(self, name: str) -> Parameter:
        try:
            return self._parameters[name]
        except KeyError:
            raise MissingParameterError(
                [(name, "", f"no parameter named {name!r} is configured")]
            ) from None

    def get(self, name: str, on: dt.date, province: int | None = None) -> ParamValue | None:
        """The value on ``on``, or None if the parameter only starts later (not yet in force).

        Raises :class:`MissingParameterError` if the value in force is marked missing.
        """
        return self.parameter(name).lookup(on, province)

    def value(self, name: str, on: dt.date, province: int | None = None) -> ParamValue:
        """The value on ``on``; refuses (MissingParameterError) when there is none."""
        found = self.get(name, on, province)
        if found is None:
            p = self.parameter(name)
            raise MissingParameterError([(name, on.isoformat(), p.missing_message(on, None))])
        return found

    def resolve(
        self, names: Iterable[str], on: dt.date, province: int | None = None
    ) -> dict[str, ParamValue]:
        """Look up several values at once; refuses listing *every* missing one."""
        found: dict[str, ParamValue] = {}
        missing: list[tuple[str, str, str]] = []
        for name in names:
            try:
                found[name] = self.value(name, on, province)
            except MissingParameterError as exc:
                missing.extend(exc.missing)
        if missing:
            raise MissingParameterError(missing)
        return found


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


def env_overlays() -> tuple[str, ...]:
    """Overlay paths named in ``ANSINH_RULES_PARAMETERS`` (``os.pathsep``-separated)."""
    raw = os.environ.get(ENV_VAR, "")
    return tuple(p for p in raw.split(os.pathsep) if p.strip())


@functools.lru_cache(maxsize=16)
def _load_cached(overlays: tuple[str, ...]) -> ParameterSet:
    return ParameterSet.load([PACKAGE_DIR, *overlays])


def load_parameters(*overlays: Path | str) -> ParameterSet:
    """The shipped parameters with ``overlays`` merged on top (cached per list of paths)."""
    return _load_cached(tuple(str(Path(p).resolve()) for p in overlays))


def shipped_parameters() -> ParameterSet:
    """The shipped parameters plus the overlays named in ``ANSINH_RULES_PARAMETERS``."""
    return load_parameters(*env_overlays())


_provider: Callable[[], ParameterSet] | None = None


def set_provider(provider: Callable[[], ParameterSet] | None) -> None:
    """Make ``provider()`` the answer of :func:`default_parameters` (None: the shipped set).

    The web application registers one that merges the values approved in its database on top
    of :func:`shipped_parameters`; the provider must be cheap (it caches) and must not fail
    for lack of a database (it then returns the shipped set).
    """
    global _provider
    _provider = provider


def default_parameters() -> ParameterSet:
    """The parameters in force: the provider's set when one is registered (the web application
    with its approved values), else the shipped files plus the environment overlays."""
    if _provider is not None:
        return _provider()
    return shipped_parameters()


def value(name: str, on_date: dt.date, province: int | None = None) -> ParamValue:
    """Dated lookup in :func:`default_parameters`: value + legal reference + version id."""
    return default_parameters().value(name, on_date, province)
