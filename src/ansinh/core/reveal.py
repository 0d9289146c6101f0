"""Showing one masked identifier in full, on request, logged.

Roles that do not work with full identifiers (``Scope.sees_full_identifiers`` is false) see
CCCD, phone and bank account numbers masked; the "Show" button next to one POSTs to a scoped
view of the app that owns the record, which calls :func:`reveal_response`. The audit entry
says who looked at which field of whose record; the number itself is masked in it.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html
from django.utils.translation import gettext as _

from ansinh.core import audit
from ansinh.core.identifiers import identifier_text, mask_identifier
from ansinh.core.models import AuditAction, AuditEntry


def _field_label(instance: models.Model, field: str) -> str:
    return str(getattr(instance._meta.get_field(field), "verbose_name", field))


def identifier_reveal_record(
    *,
    actor: Any,
    instance: models.Model,
    field: str,
    value: str,
    commune_code: int | None,
    household_id: int | None = None,
) -> AuditEntry | None:
    """The audit entry of one reveal (action EVENT): who, whose record, which field."""
    return audit.record(
        actor=actor,
        instance=instance,
        action=AuditAction.EVENT,
        after={"revealed": field},
        note=_("Identifier revealed (%(value)s)") % {"value": mask_identifier(value, field)},
        commune_code=commune_code,
        household_id=household_id,
    )


def reveal_response(
    request: HttpRequest,
    *,
    actor: Any,
    instance: models.Model,
    field: str,
    commune_code: int | None,
    household_id: int | None = None,
    back_url: str = "",
) -> HttpResponse:
    """Log the reveal and answer with the full number: the span that replaces the masked
    one (htmx), or a page that shows it once."""
    value = getattr(instance, field) or ""
    if value:
        identifier_reveal_record(
            actor=actor,
            instance=instance,
            field=field,
            value=value,
            commune_code=commune_code,
            household_id=household_id,
        )
    text = identifier_text(value, field) or "—"
    if getattr(request, "htmx", False):
        response = HttpResponse(format_html('<span class="identifier revealed">{}</span>', text))
    else:
        response = render(
            request,
            "core/identifier_revealed.html",
            {
                "label": _field_label(instance, field),
                "whose": str(instance),
                "text": text,
                "back_url": back_url,
            },
        )
    add_never_cache_headers(response)
    return response
