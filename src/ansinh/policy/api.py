"""Read endpoint: the parameters in force on a date (django-ninja Router).

Mounted by ``ansinh.api.api`` at ``/api/policy``. The same values as the page and every
computation of the application (shipped files, overlays and approved entries).
"""

# No `from __future__ import annotations`: django-ninja reads these annotations at import time.
import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema

from ansinh.core.web import MAX_DATE, MIN_DATE
from ansinh.policy import selectors

router = Router(tags=["policy"])


class ParameterOut(Schema):
    name: str
    group: str
    label: str
    value: Any = None
    valid_from: dt.date | None = None
    status: str
    missing: str = ""
    reference: str
    source: str
    unit: str = ""


class OnQuery(Schema):
    on: dt.date | None = None


@router.get("/parameters", response=list[ParameterOut])
def parameters(request: HttpRequest, query: Query[OnQuery]) -> list[dict[str, Any]]:
    """Every parameter on ``on`` (default today): value, validity, status (firm, check,
    illustrative, missing, none), legal reference and where the value comes from."""
    on = query.on or timezone.localdate()
    on = min(max(on, MIN_DATE), MAX_DATE)
    return [
        {
            "name": r.name,
            "group": group,
            "label": r.label,
            "value": r.value,
            "valid_from": r.valid_from,
            "status": r.status,
            "missing": r.missing,
            "reference": r.reference,
            "source": r.source,
            "unit": r.unit,
        }
        for group, rows in selectors.parameters_on(on)
        for r in rows
    ]
