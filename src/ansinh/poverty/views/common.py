"""What every poverty page shares: the export log and file responses."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from ansinh.accounts.scopes import Scope
from ansinh.core.audit import record_export
from ansinh.poverty.models import RoundHousehold

PDF = "application/pdf"


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _log(
    request: HttpRequest,
    scope: Scope,
    what: str,
    rows: int | None,
    *,
    object_id: int,
    household: RoundHousehold | None = None,
) -> None:
    """A file of personal data handed out: one entry in the audit log (who, what, rows)."""
    record_export(
        actor=scope,
        what=what,
        rows=rows,
        commune_code=scope.commune_code,
        household_id=household.household_id if household is not None else None,
        object_id=object_id,
    )


def _file(content: bytes, name: str, kind: str) -> HttpResponse:
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


def _commune_wide(scope: Scope) -> None:
    """The report upward is a document of the whole commune: not for village heads."""
    if scope.village_ids is not None:
        raise PermissionDenied
