"""Provinces and communes (the two-level list in force since 2025-07-01) and villages."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ansinh.core.models import TimeStampedModel
from ansinh.places.choices import AreaType, CommuneType, ProvinceType, VillageKind


class Province(models.Model):
    code = models.PositiveSmallIntegerField(_("code"), primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("type"), max_length=12, choices=ProvinceType.choices)
    codename = models.CharField(max_length=100)

    class Meta:
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Commune(models.Model):
    """A commune, ward or special zone. Code from Decision 19/2025/QĐ-TTg (5 digits)."""

    code = models.PositiveIntegerField(_("code"), primary_key=True)
    province = models.ForeignKey(
        Province, verbose_name=_("province"), on_delete=models.PROTECT, related_name="communes"
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("type"), max_length=12, choices=CommuneType.choices)
    codename = models.CharField(max_length=100)
    area_type = models.CharField(
        _("area type"),
        max_length=5,
        choices=AreaType.choices,
        help_text=_("Wards are urban, communes and special zones rural, unless changed."),
    )

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["province_id", "name"]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def default_area_type(kind: str) -> str:
        return AreaType.URBAN if kind == CommuneType.WARD else AreaType.RURAL


class Village(TimeStampedModel):
    """Thôn / ấp / khu phố / tổ dân phố: not in any national list, entered by the commune."""

    commune = models.ForeignKey(
        Commune, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="villages"
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("type"), max_length=12, choices=VillageKind.choices)
    code = models.CharField(
        _("short code"),
        max_length=8,
        help_text=_("Letters or digits used in household codes, e.g. TD for ấp Tân Đông."),
    )
    area_type_override = models.CharField(
        _("area type (if different from the commune)"),
        max_length=5,
        choices=AreaType.choices,
        blank=True,
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("village")
        verbose_name_plural = _("villages")
        ordering = ["commune_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "name"], name="village_unique_name"),
            models.UniqueConstraint(fields=["commune", "code"], name="village_unique_code"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def area_type(self) -> str:
        return self.area_type_override or self.commune.area_type
