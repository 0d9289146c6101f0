from django.db import models
from django.utils.translation import gettext_lazy as _


class ProvinceType(models.TextChoices):
    PROVINCE = "province", _("province")
    CITY = "city", _("centrally-run city")


class CommuneType(models.TextChoices):
    COMMUNE = "commune", _("commune")
    WARD = "ward", _("ward")
    SPECIAL_ZONE = "special_zone", _("special zone")


class AreaType(models.TextChoices):
    RURAL = "rural", _("rural")
    URBAN = "urban", _("urban")


class VillageKind(models.TextChoices):
    THON = "thon", _("village (thôn)")
    AP = "ap", _("hamlet (ấp)")
    KHU_PHO = "khu_pho", _("quarter (khu phố)")
    TO_DAN_PHO = "to_dan_pho", _("residential group (tổ dân phố)")
