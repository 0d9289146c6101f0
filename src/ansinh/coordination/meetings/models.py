"""A committee meeting (cuộc họp Ban Chỉ đạo) and its agenda entries, one per board item,
each with the decision of the minutes (or postponed: carried to the next meeting) and the
follow-up task it created."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ansinh.places.models import Commune

USER = settings.AUTH_USER_MODEL


class MeetingStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("meeting status", "Draft")
    HELD = "held", pgettext_lazy("meeting status", "Held")
    CLOSED = "closed", pgettext_lazy("meeting status", "Closed")


class Outcome(models.TextChoices):
    """What the minutes say of an agenda entry."""

    PENDING = "", pgettext_lazy("agenda entry", "Not decided yet")
    DECIDED = "decided", pgettext_lazy("agenda entry", "Decided")
    POSTPONED = "postponed", pgettext_lazy("agenda entry", "Postponed")


class Meeting(models.Model):
    """A meeting of the commune's steering committee. Draft: the agenda is being prepared;
    held: it took place, the minutes are written; closed: the minutes are final, postponed
    items went on to the next meeting."""

    commune = models.ForeignKey(
        Commune, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="+"
    )
    held_on = models.DateField(_("meeting date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    chair = models.ForeignKey(
        USER,
        verbose_name=_("chaired by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    secretary = models.ForeignKey(
        USER,
        verbose_name=_("secretary"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    attendees: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        USER, verbose_name=_("attendees"), blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=8, choices=MeetingStatus.choices, default=MeetingStatus.DRAFT
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("committee meeting")
        verbose_name_plural = _("committee meetings")
        indexes = [models.Index(fields=["commune", "-held_on"], name="coord_meeting_date_idx")]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.held_on:%d/%m/%Y}"


class AgendaEntry(models.Model):
    """An item of the board on a meeting's agenda, in its order, with the decision taken
    (``outcome`` decided) or postponed; ``follow_up`` is the task the decision created and
    ``carried_from`` the entry of an earlier meeting that postponed it."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="entries"
    )
    item = models.ForeignKey(
        "coordination.Item",
        verbose_name=_("item"),
        on_delete=models.PROTECT,
        related_name="agenda_entries",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    outcome = models.CharField(
        pgettext_lazy("agenda entry", "outcome"),
        max_length=10,
        choices=Outcome.choices,
        blank=True,
        default="",
    )
    decision = models.TextField(_("decision"), blank=True)
    follow_up = models.ForeignKey(
        "coordination.Item",
        verbose_name=_("follow-up task"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decided_in",
    )
    carried_from = models.ForeignKey(
        "self",
        verbose_name=_("carried over from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("agenda entry")
        verbose_name_plural = _("agenda entries")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "item"], name="coord_agenda_unique_item")
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}#{self.order} {self.item_id}"
