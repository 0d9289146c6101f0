"""A set of parameters (the shipped files plus overlays) and the lookups on it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ansinh.rules.errors import MissingParameterError
from ansinh.rules.parameters.loading import _load_document, _load_file, _yaml_files
from ansinh.rules.parameters.values import Parameter, ParamValue


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
