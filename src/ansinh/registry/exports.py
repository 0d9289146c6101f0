"""XLSX export of the household list with members (scoped)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from ansinh.accounts.scopes import Scope
from ansinh.core.identifiers import format_phone
from ansinh.registry import selectors


def households_xlsx(scope: Scope, *, village_id: int | None = None) -> bytes:
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
    ws.append(header)
    persons = selectors.persons_for(scope).select_related("household", "village")
    if village_id:
        persons = persons.filter(village_id=village_id)
    persons = persons.order_by("household__code", "date_of_birth")
    for p in persons.iterator(chunk_size=2000):
        ws.append(
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
            ]
        )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
