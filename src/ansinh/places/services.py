"""Writes for places: loading the national list, villages."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from vietnam_provinces import Province as VnProvince
from vietnam_provinces import VietNamDivisionType, Ward

from ansinh.core import audit
from ansinh.places.choices import CommuneType, ProvinceType
from ansinh.places.models import Commune, Province, Village

_COMMUNE_KIND = {
    VietNamDivisionType.XA: CommuneType.COMMUNE,
    VietNamDivisionType.PHUONG: CommuneType.WARD,
    VietNamDivisionType.DAC_KHU: CommuneType.SPECIAL_ZONE,
}


@transaction.atomic
def places_sync(*, province_model: Any = Province, commune_model: Any = Commune) -> tuple[int, int]:
    """Create or update the 34 provinces and 3,321 communes from ``vietnam-provinces``.

    Codes are never reused, so an existing row keeps its local ``area_type`` choice.
    Takes the model classes so a data migration can pass its historical models.
    """
    existing_p = set(province_model.objects.values_list("code", flat=True))
    new_p: list[Any] = []
    upd_p: list[Any] = []
    for p in VnProvince.iter_all():
        kind = (
            ProvinceType.CITY
            if p.division_type == VietNamDivisionType.THANH_PHO_TRUNG_UONG
            else ProvinceType.PROVINCE
        )
        obj = province_model(code=int(p.code), name=p.name, kind=kind, codename=p.codename)
        (upd_p if obj.code in existing_p else new_p).append(obj)
    province_model.objects.bulk_create(new_p)
    province_model.objects.bulk_update(upd_p, ["name", "kind", "codename"])

    existing_c = set(commune_model.objects.values_list("code", flat=True))
    new_c: list[Any] = []
    upd_c: list[Any] = []
    for w in Ward.iter_all():
        commune_kind = _COMMUNE_KIND[w.division_type]
        obj = commune_model(
            code=int(w.code),
            province_id=int(w.province_code),
            name=w.name,
            kind=commune_kind,
            codename=w.codename,
            area_type=Commune.default_area_type(commune_kind),
        )
        (upd_c if obj.code in existing_c else new_c).append(obj)
    commune_model.objects.bulk_create(new_c, batch_size=500)
    commune_model.objects.bulk_update(upd_c, ["name", "kind", "codename"], batch_size=500)
    return len(new_p) + len(upd_p), len(new_c) + len(upd_c)


VILLAGE_FIELDS = ["name", "kind", "code", "area_type_override"]


def _ensure_officer(scope: Any, commune: Commune) -> None:
    """Only the commune's officer (or the system) manages its villages. ``scope`` is an
    ``ansinh.accounts.scopes.Scope``: places sits below accounts, so it reads the scope's
    answer (``can_edit``, which ``accounts.permissions`` also uses) instead of importing it."""
    if scope.commune_code != commune.code or not scope.can_edit:
        raise PermissionDenied(_("Only the commune officer can manage villages."))


@transaction.atomic
def village_update(
    *, scope: Any, village: Village, name: str, kind: str, area_type_override: str = ""
) -> Village:
    _ensure_officer(scope, village.commune)
    with audit.tracked(scope, village, VILLAGE_FIELDS, commune_code=village.commune_id):
        village.name = name.strip()
        village.kind = kind
        village.area_type_override = area_type_override
        clash = Village.objects.filter(commune=village.commune, name__iexact=village.name)
        if clash.exclude(pk=village.pk).exists():
            raise ValidationError({"name": [_("This village already exists.")]})
        village.full_clean()
        village.save()
    return village


@transaction.atomic
def village_create(
    *, scope: Any, commune: Commune, name: str, kind: str, code: str, area_type_override: str = ""
) -> Village:
    _ensure_officer(scope, commune)
    village = Village(
        commune=commune,
        name=name.strip(),
        kind=kind,
        code=code.strip().upper(),
        area_type_override=area_type_override,
    )
    if not re.fullmatch(r"[A-Z0-9]{1,8}", village.code):
        raise ValidationError({"code": [_("Use 1 to 8 letters or digits without accents.")]})
    if Village.objects.filter(commune=commune, code=village.code).exists():
        raise ValidationError({"code": [_("Another village already uses this code.")]})
    if Village.objects.filter(commune=commune, name__iexact=village.name).exists():
        raise ValidationError({"name": [_("This village already exists.")]})
    village.full_clean()
    village.save()
    audit.created(scope, village, VILLAGE_FIELDS, commune_code=commune.code)
    return village
