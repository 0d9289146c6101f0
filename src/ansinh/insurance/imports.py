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

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from openpyxl import load_workbook

from ansinh.accounts.models import User
from ansinh.insurance.models import Card
from ansinh.insurance.services import card_register
from ansinh.places.models import Commune
from ansinh.registry.models import Person

REQUIRED = ("group_code", "valid_from", "valid_to")
IDENTIFIERS = ("cccd", "social_insurance_number", "legacy_code")


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    already: int = 0
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # (row, column, text)


def _rows(path: Path) -> list[dict[str, str]]:
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        sheet = load_workbook(path, read_only=True, data_only=True).active
        values = list(sheet.iter_rows(values_only=True)) if sheet is not None else []
        header = [str(h or "").strip().lower() for h in (values[0] if values else [])]
        return [{h: _cell(v) for h, v in zip(header, row, strict=False)} for row in values[1:]]
    text = path.read_bytes().decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    return [{(k or "").strip().lower(): (v or "").strip() for k, v in r.items()} for r in reader]


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
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(value)


def cards_import(
    *, path: Path, commune: Commune, actor: User | None = None, skip_invalid: bool = False
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
        person_id = by_cccd.get(row.get("cccd", "")) or by_number.get(
            row.get("social_insurance_number", "")
        ) or by_number.get(row.get("legacy_code", "").upper())  # fmt: skip
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
                        actor=actor,
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
