"""The audit log: who changed what and when, filtered, paged, and exported for the auditor.

Every entry is read by the one display layer (``core.audit_display``): field labels, values
as labels and dd/mm/yyyy, what changed inside a survey's answers, identifiers masked.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.accounts.decorators import scoped
from ansinh.accounts.scopes import Scope
from ansinh.core.audit import record_export
from ansinh.core.audit_display import entries_display
from ansinh.core.spreadsheet import xlsx_bytes
from ansinh.core.web import page_of
from ansinh.registry import auditlog

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PER_PAGE = 50


@scoped(need="can_see_audit_log")
def audit_log(request: HttpRequest, scope: Scope) -> HttpResponse:
    form = auditlog.AuditFilterForm(scope, request.GET)
    page = page_of(request, auditlog.entries(scope, form), per_page=PER_PAGE)
    rows = entries_display(page.object_list, commune_code=scope.commune_code)
    return render(
        request,
        "registry/audit_log.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": auditlog.query_string(form),
            "export_limit": auditlog.EXPORT_LIMIT,
        },
    )


@scoped(need="can_see_audit_log")
def audit_log_export(request: HttpRequest, scope: Scope) -> HttpResponse:
    """The filtered log as a workbook (the newest ``EXPORT_LIMIT`` entries), one row per
    entry, its changes one per line; handing it out is itself logged."""
    form = auditlog.AuditFilterForm(scope, request.GET)
    chosen = auditlog.entries(scope, form)[: auditlog.EXPORT_LIMIT]
    rows = entries_display(chosen, commune_code=scope.commune_code)
    headings = [
        _("Time"),
        _("By"),
        _("Kind of change"),
        _("Record type"),
        _("Which record"),
        _("Changes"),
        _("Note"),
    ]
    lines = [
        [
            row.at,
            row.by,
            row.action,
            row.record_type,
            row.record,
            "\n".join(change.text for change in row.changes),
            row.note,
        ]
        for row in rows
    ]
    record_export(
        actor=scope,
        what="registry.audit_log.xlsx",
        rows=len(lines),
        commune_code=scope.commune_code,
        note=f"audit {auditlog.query_string(form)}".strip(),
    )
    content = xlsx_bytes(_("Audit log"), headings, lines)
    response = HttpResponse(content, content_type=XLSX)
    name = f"nhat-ky-thay-doi-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
