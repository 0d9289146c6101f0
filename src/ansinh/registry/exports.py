"""XLSX export of the household list with members (scoped). Texts are written as text
cells (``core.spreadsheet``): a name typed as ``=HYPERLINK(…)`` is never a formula."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from ansinh.accounts.scopes import Scope
from ansinh.core.identifiers import format_phone
from ansinh.core.spreadsheet import append_row
from ansinh.registry import selectors


def households_xlsx(scope: Scope, *, village_id: int | None = None) -> bytes:
    return households_export(scope, village_id=village_id)[0]


def households_export(scope: Scope, *, village_id: int | None = None) -> tuple[bytes, int]:
    """The workbook and its number of person rows (for the export log)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Households"))
    header = [
        _("Household code"),
        _("Village"),
        _("Address"),
        _("Full name"),
        _("Relationship to head"),
        _("Date of birth"),
        _("Sex"),
        _("Ethnicity"),
        _("Personal ID (CCCD)"),
        _("Phone"),
        _("Status"),
    ]
    append_row(ws, header)
    persons = selectors.persons_for(scope).select_related("household", "village")
    if village_id:
        persons = persons.filter(village_id=village_id)
    persons = persons.order_by("household__code", "date_of_birth")
    count = 0
    for p in persons.iterator(chunk_size=2000):
        count += 1
        append_row(
            ws,
            [
                p.household.code,
                p.village.name,
                p.household.address,
                p.full_name,
                p.get_relationship_display(),
                p.date_of_birth.strftime("%d/%m/%Y"),
                p.get_sex_display(),
                p.get_ethnicity_display(),
                p.cccd or "",
                format_phone(p.phone),
                p.get_life_status_display(),
            ],
        )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue(), count
