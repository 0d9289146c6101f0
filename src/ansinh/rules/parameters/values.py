"""One parameter and its dated entries: the value in force on a date, its legal reference.

:class:`Parameter` holds a parameter's national entries and its provinces' entries, sorted by
their ``from`` date; :meth:`Parameter.lookup` finds the value in force (a province's value
where the parameter allows it) as a :class:`ParamValue`.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ansinh.rules.errors import MissingParameterError


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
