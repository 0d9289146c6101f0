"""Leaflets: the shipped templates, an officer's edits, printing to PDF (logged)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.accounts.permissions import require
from ansinh.accounts.scopes import Scope
from ansinh.core import audit
from ansinh.core.pdf import VnDocument
from ansinh.outreach.choices import PaperSize
from ansinh.outreach.models import Leaflet
from ansinh.outreach.texts import LEAFLET_FIELDS, SHIPPED, fill, leaflet_values, unknown_names
from ansinh.places.models import Commune

LEAFLET_FIELDS_AUDITED = ["code", "title", "body", "size"]
TITLE_MAX = 200
BODY_MAX = 6000
PLACE_MAX = 200


@transaction.atomic
def leaflets_ensure_defaults(*, scope: Scope) -> int:
    """The shipped leaflets the commune does not have yet (one that was removed or renamed
    stays as it is: only a missing code is added). Returns how many were added."""
    require(scope, scope.commune_code, can="edit", message=_("Only the officer edits leaflets."))
    have = set(Leaflet.objects.filter(commune_id=scope.commune_code).values_list("code", flat=True))
    added = 0
    for shipped in SHIPPED:
        if shipped.code in have:
            continue
        leaflet = Leaflet.objects.create(
            commune_id=scope.commune_code,
            code=shipped.code,
            title=shipped.title,
            body=shipped.body,
            size=shipped.size,
            updated_by=scope.user,
        )
        audit.created(scope, leaflet, LEAFLET_FIELDS_AUDITED, commune_code=scope.commune_code)
        added += 1
    return added


def _check(title: str, body: str, size: str) -> tuple[str, str]:
    errors: dict[str, list[str]] = {}
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        errors["title"] = [_("Write the leaflet's title.")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [_("At most %(n)s characters.") % {"n": TITLE_MAX}]
    if not body:
        errors["body"] = [_("Write the leaflet's text.")]
    elif len(body) > BODY_MAX:
        errors["body"] = [_("At most %(n)s characters.") % {"n": BODY_MAX}]
    for field, text in (("title", title), ("body", body)):
        if wrong := unknown_names(text, LEAFLET_FIELDS):
            errors.setdefault(field, []).append(
                _("Unknown placeholder: %(names)s. Use only the ones listed beside the text.")
                % {"names": ", ".join("{" + n + "}" for n in wrong)}
            )
    if size not in PaperSize.values:
        errors["size"] = [_("Choose A4 or A5.")]
    if errors:
        raise ValidationError(errors)
    return title, body


@transaction.atomic
def leaflet_save(
    *, scope: Scope, leaflet: Leaflet | None = None, title: str, body: str, size: str
) -> Leaflet:
    """A new leaflet (``leaflet`` None) or the officer's edit of one."""
    require(scope, scope.commune_code, can="edit", message=_("Only the officer edits leaflets."))
    if leaflet is not None and leaflet.commune_id != scope.commune_code:
        require(scope, leaflet.commune_id, can="edit")
    title, body = _check(title, body, size)
    target = leaflet or Leaflet(commune_id=scope.commune_code)
    with audit.tracked(scope, target, LEAFLET_FIELDS_AUDITED, commune_code=scope.commune_code):
        target.title, target.body, target.size = title, body, size
        target.updated_at = timezone.now()
        target.updated_by = scope.user
        target.save()
    return target


def leaflet_pdf(
    *,
    scope: Scope,
    leaflet: Leaflet,
    on: dt.date,
    deadline: dt.date | None = None,
    place: str = "",
) -> bytes:
    """The leaflet filled for ``on`` (deadline and place as typed), as a PDF of its size;
    the printing is logged."""
    require(scope, leaflet.commune_id, can="edit", message=_("Only the officer prints leaflets."))
    if len(place or "") > PLACE_MAX:
        raise ValidationError({"place": [_("At most %(n)s characters.") % {"n": PLACE_MAX}]})
    commune = Commune.objects.get(code=leaflet.commune_id)
    values = leaflet_values(commune.name, on, deadline, place or "")
    title = fill(leaflet.title, values)
    doc = VnDocument(title=title, size=leaflet.size)
    doc.set_font("DejaVu", "B", 9 if leaflet.size == PaperSize.A5 else 10)
    doc.multi_cell(0, 5, f"UBND {commune.name.upper()}", align="C")
    doc.ln(3)
    doc.heading(title)
    for paragraph in fill(leaflet.body, values).split("\n"):
        if paragraph.strip():
            doc.paragraph(paragraph, size=10 if leaflet.size == PaperSize.A5 else 11)
        else:
            doc.ln(2)
    doc.ln(4)
    doc.set_font("DejaVu", "I", 9)
    doc.multi_cell(0, 5, f"{values['ten_xa']}, ngày {values['ngay']}", align="R")
    data = doc.bytes()
    audit.record_export(
        actor=scope,
        what=f"Tờ rơi: {title}",
        rows=None,
        commune_code=leaflet.commune_id,
        object_id=leaflet.pk,
        note=f"{leaflet.size}",
    )
    return data
