"""Base models and the audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")
    EVENT = "event", _("Event")


class AuditEntry(models.Model):
    """Who changed what, when, with the values before and after.

    Values are stored as they were (the log is also how a mistake is undone); CCCD, phone
    and bank numbers are masked when the log is displayed (``ansinh.core.audit``).
    """

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # When the system acted (a command, a scheduled job, the demo builder): which one. The
    # audit log names it instead of a person ("Hệ thống: reminders plan").
    system = models.CharField(_("by the system"), max_length=60, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=AuditAction.choices)
    model_label = models.CharField(_("record type"), max_length=64)
    object_id = models.BigIntegerField(_("record id"))
    object_repr = models.CharField(_("record"), max_length=200)
    changes = models.JSONField(_("changes"), default=dict)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # Denormalised scope keys so that a scoped reader can list entries without joins.
    commune_code = models.IntegerField(_("commune code"), null=True, blank=True)
    household_id = models.BigIntegerField(_("household id"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["model_label", "object_id", "-at"], name="audit_object_idx"),
            models.Index(fields=["household_id", "-at"], name="audit_household_idx"),
            models.Index(fields=["commune_code", "-at"], name="audit_commune_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.model_label}#{self.object_id}"

    @property
    def by(self) -> str:
        """Who acted, as the log shows it: a person, or the system and its job."""
        if self.actor_id is not None:
            return str(self.actor)
        if self.system:
            return str(_("System: %(job)s") % {"job": self.system})
        return str(_("system"))


class FigureStamp(models.Model):
    """How many times a commune's data has changed: the key of its cached figures
    (``ansinh.core.figures``). Every audited write moves it on, after its transaction commits."""

    commune_code = models.IntegerField(_("commune code"), primary_key=True)
    version = models.BigIntegerField(_("version"), default=0)
    changed_at = models.DateTimeField(_("changed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("figure stamp")
        verbose_name_plural = _("figure stamps")

    def __str__(self) -> str:
        return f"{self.commune_code} v{self.version}"
