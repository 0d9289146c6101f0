"""Import card periods from the social-insurance agency's list (CSV or XLSX).

Columns (header names matched case-insensitively, order free, unknown columns ignored):
``cccd`` and/or ``social_insurance_number`` and/or ``legacy_code`` (at least one, to find the
person), ``group_code``, ``valid_from``, ``valid_to`` (dates YYYY-MM-DD or DD/MM/YYYY) and
optional ``paid_on``. A person is found by personal ID, else by a number on an earlier card.
Every bad row is reported (row number, column, problem); nothing is written unless every row
is good, or ``skip_invalid`` is set. A period already recorded is skipped, so re-importing the
same file changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from ansinh.accounts.scopes import Scope
from ansinh.core.spreadsheet import SpreadsheetError, read_csv, read_xlsx
from ansinh.core.web import MAX_DATE, MIN_DATE
from ansinh.insurance.models import Card
from ansinh.insurance.services import card_register
from ansinh.places.models import Commune
from ansinh.registry.models import Person

REQUIRED = ("group_code", "valid_from", "valid_to")
IDENTIFIERS = ("cccd", "social_insurance_number", "legacy_code")
#: A commune's card list is a few thousand rows; a file with more is refused.
MAX_ROWS = 100_000


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    already: int = 0
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # (row, column, text)


def _rows(path: Path) -> list[dict[str, str]]:
    """The rows as ``{column: text}``. A file that cannot be read (not a workbook, a zip
    bomb, not UTF-8, a malformed CSV, too many rows) raises ``SpreadsheetError``."""
    values: list[list[Any]]
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        values = read_xlsx(path, max_rows=MAX_ROWS)
    else:
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SpreadsheetError("the CSV file is not UTF-8 text", "not_utf8") from exc
        values = list(read_csv(text, max_rows=MAX_ROWS))
    header = [str(h or "").strip().lower() for h in (values[0] if values else [])]
    return [{h: _cell(v) for h, v in zip(header, row, strict=False) if h} for row in values[1:]]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value).strip()


def _date(value: str) -> dt.date:
    value = value[:10]
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = dt.datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
        if MIN_DATE <= day <= MAX_DATE:  # 0001-01-01 would overflow date arithmetic later
            return day
        break
    raise ValueError(value)


def cards_import(
    *, path: Path, commune: Commune, scope: Scope, skip_invalid: bool = False
) -> ImportReport:
    report = ImportReport()
    rows = _rows(path)
    report.rows = len(rows)
    by_cccd = dict(
        Person.objects.filter(commune=commune).exclude(cccd=None).values_list("cccd", "pk")
    )
    by_number: dict[str, int] = {}
    for number, legacy, pk in Card.objects.filter(commune=commune).values_list(
        "social_insurance_number", "legacy_code", "person_id"
    ):
        for key in (number, legacy):
            if key:
                by_number[key] = pk
    good: list[tuple[int, dict[str, Any]]] = []
    for index, row in enumerate(rows, start=2):  # row 1 is the header
        errors = [(c, "missing value") for c in REQUIRED if not row.get(c)]
        if not any(row.get(c) for c in IDENTIFIERS):
            errors.append(("cccd", "no personal ID, social insurance number or card code"))
        person_id = (
            by_cccd.get(row.get("cccd", ""))
            or by_number.get(row.get("social_insurance_number", ""))
            or by_number.get(row.get("legacy_code", "").upper())
        )
        if person_id is None and not errors:
            errors.append(("cccd", "no person of this commune has this identifier"))
        dates: dict[str, dt.date | None] = {}
        for column in ("valid_from", "valid_to", "paid_on"):
            if row.get(column):
                try:
                    dates[column] = _date(row[column])
                except ValueError:
                    errors.append((column, f"not a date: {row[column]!r}"))
        if errors:
            report.problems += [(index, c, t) for c, t in errors]
            continue
        good.append((index, {"person_id": person_id, **row, **dates}))
    if report.problems and not skip_invalid:
        return report
    with transaction.atomic():
        persons = Person.objects.in_bulk([g["person_id"] for _, g in good])
        for index, data in good:
            person = persons[data["person_id"]]
            if Card.objects.filter(person=person, valid_from=data["valid_from"]).exists():
                report.already += 1
                continue
            try:
                with transaction.atomic():
                    card_register(
                        scope=scope,
                        person=person,
                        group_code=data["group_code"].upper(),
                        valid_from=data["valid_from"],
                        valid_to=data["valid_to"],
                        social_insurance_number=data.get("social_insurance_number", ""),
                        legacy_code=data.get("legacy_code", ""),
                        cccd=data.get("cccd", ""),
                        paid_on=data.get("paid_on"),
                        source="imported",
                    )
            except ValidationError as exc:
                for column, messages in exc.message_dict.items():
                    report.problems += [(index, column, m) for m in messages]
                continue
            report.created += 1
        if report.problems and not skip_invalid:
            transaction.set_rollback(True)
            report.created = 0
    return report
