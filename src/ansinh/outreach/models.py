"""Leaflets, loudspeaker announcements and their broadcasts per village, messages to a group
of households.

Every record carries its commune (a broadcast its village) so that the selectors filter on
them. Times are set by the services (the demo and the tests tell the time).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ansinh.outreach.choices import Group, PaperSize
from ansinh.outreach.texts import PLACEHOLDER
from ansinh.places.models import Commune, Village

USER = settings.AUTH_USER_MODEL


class Leaflet(models.Model):
    """A leaflet's template: a title and a body with placeholders (``{ten_xa}``,
    ``{han_nop}`` …) filled when it is printed, on A4 or A5. ``code`` names the templates
    ansinh ships ("bhyt", "review", "allowance"); an officer's own template has none."""

    commune = models.ForeignKey(
        Commune, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(_("shipped template"), max_length=32, blank=True, default="")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    size = models.CharField(
        _("paper size"), max_length=2, choices=PaperSize.choices, default=PaperSize.A5
    )
    updated_at = models.DateTimeField(_("changed at"), default=timezone.now)
    updated_by = models.ForeignKey(
        USER,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("leaflet")
        verbose_name_plural = _("leaflets")
        ordering = ["title", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "code"], condition=~Q(code=""), name="outreach_leaflet_code"
            ),
            models.CheckConstraint(
                condition=Q(size__in=PaperSize.values), name="outreach_leaflet_size"
            ),
        ]

    def __str__(self) -> str:
        return PLACEHOLDER.sub("…", self.title)  # a name, not a template


class Announcement(models.Model):
    """A loudspeaker announcement: its text, read in the chosen villages at the planned time.
    Each village's broadcast is a :class:`Broadcast`."""

    commune = models.ForeignKey(
        Commune, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("text to read"))
    planned_at = models.DateTimeField(_("planned broadcast time"))
    created_by = models.ForeignKey(
        USER,
        verbose_name=_("written by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("written at"), default=timezone.now)
    # The idempotency key of the form that sent it: the same form sent twice is one record.
    submit_key = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("loudspeaker announcement")
        verbose_name_plural = _("loudspeaker announcements")
        ordering = ["-planned_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "submit_key"],
                condition=~Q(submit_key=""),
                name="outreach_announcement_key",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class Broadcast(models.Model):
    """One village's reading of an announcement: planned, then marked "đã phát" by the
    village head (or the officer) with the actual time."""

    announcement = models.ForeignKey(
        Announcement,
        verbose_name=_("announcement"),
        on_delete=models.CASCADE,
        related_name="broadcasts",
    )
    commune = models.ForeignKey(
        Commune, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="+"
    )
    village = models.ForeignKey(
        Village, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    planned_at = models.DateTimeField(_("planned broadcast time"))
    broadcast_at = models.DateTimeField(_("broadcast at"), null=True, blank=True)
    marked_by = models.ForeignKey(
        USER,
        verbose_name=_("marked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("broadcast")
        verbose_name_plural = _("broadcasts")
        ordering = ["-planned_at", "village__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "village"], name="outreach_broadcast_once"
            ),
        ]
        indexes = [
            models.Index(fields=["commune", "village", "planned_at"], name="outreach_bc_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.village_id} {self.planned_at:%d/%m/%Y %H:%M}"


class GroupMessage(models.Model):
    """A message sent to a chosen group of households through the outbox, with the figures
    shown before it was sent (households, mobiles, refusals, SMS parts, cost)."""

    commune = models.ForeignKey(
        Commune, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="+"
    )
    group = models.CharField(_("group"), max_length=12, choices=Group.choices)
    village = models.ForeignKey(
        Village,
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    text = models.TextField(_("message"))
    households = models.PositiveIntegerField(_("households"), default=0)
    with_mobile = models.PositiveIntegerField(_("with a mobile phone"), default=0)
    opted_out = models.PositiveIntegerField(_("on the refusal list"), default=0)
    queued = models.PositiveIntegerField(_("messages queued"), default=0)
    parts = models.PositiveIntegerField(_("SMS parts"), default=0)
    cost = models.BigIntegerField(_("estimated cost (đồng)"), default=0)
    sent_by = models.ForeignKey(
        USER,
        verbose_name=_("sent by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    submit_key = models.CharField(max_length=64, editable=False)

    class Meta:
        verbose_name = _("message to a group of households")
        verbose_name_plural = _("messages to groups of households")
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "submit_key"], name="outreach_group_message_key"
            ),
            models.CheckConstraint(condition=Q(group__in=Group.values), name="outreach_group"),
            models.CheckConstraint(condition=Q(cost__gte=0), name="outreach_cost_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_group_display()} {self.sent_at:%d/%m/%Y %H:%M}"
