"""Policy values entered in the application: dated, with their legal reference, approved by a
second person before they apply."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ansinh.policy.choices import EntryOrigin, EntryState, ValueStatus


class PolicyValue(models.Model):
    """One dated value of one rules-engine parameter, as an overlay entry.

    Once approved it is merged on top of the shipped parameter files exactly like an overlay
    file (``ansinh.rules.parameters``). Nothing stored is changed afterwards: a correction is a
    new entry (for the same ``valid_from`` it replaces this one from its approval on; for a
    later date it adds a value from that date).
    """

    name = models.CharField(_("parameter"), max_length=100)
    province = models.PositiveSmallIntegerField(
        _("province"),
        null=True,
        blank=True,
        help_text=_("Empty: the national value. A province code: the province's own value."),
    )
    valid_from = models.DateField(_("valid from"))
    value = models.JSONField(_("value"))
    status = models.CharField(
        _("status"), max_length=8, choices=ValueStatus.choices, default=ValueStatus.FIRM
    )
    illustrative = models.BooleanField(
        _("illustrative value"),
        default=False,
        help_text=_("A demonstration value, not taken from a legal text."),
    )
    document = models.CharField(_("document (English)"), max_length=200)
    document_vi = models.CharField(_("document"), max_length=200)
    document_date = models.DateField(_("date of the document"), null=True, blank=True)
    article = models.CharField(_("article (English)"), max_length=200, blank=True)
    article_vi = models.CharField(_("article"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    text_pdf = models.BinaryField(_("text of the document (PDF)"), null=True, blank=True)
    text_pdf_name = models.CharField(max_length=200, blank=True)

    origin = models.CharField(_("entered by"), max_length=8, choices=EntryOrigin.choices)
    commune_code = models.PositiveIntegerField(_("entered in commune"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    entered_system = models.CharField(max_length=60, blank=True)
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    state = models.CharField(
        _("state"), max_length=10, choices=EntryState.choices, default=EntryState.PROPOSED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_system = models.CharField(max_length=60, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True, max_length=2000)
    version = models.CharField(_("version"), max_length=160, blank=True)

    class Meta:
        verbose_name = _("policy value")
        verbose_name_plural = _("policy values")
        ordering = ["name", "valid_from", "pk"]
        indexes = [models.Index(fields=["state", "decided_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state=EntryState.APPROVED) | models.Q(decided_at__isnull=False),
                name="policy_value_approved_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} @ {self.valid_from:%d/%m/%Y}"

    def reference_text(self) -> str:
        return ", ".join(p for p in (self.document_vi, self.article_vi) if p)

    def overlay_entry(self) -> dict[str, object]:
        """This value as one entry of an overlay file (same keys, same version hash)."""
        entry: dict[str, object] = {
            "from": self.valid_from,
            "value": self.value,
            "status": self.status,
            "reference": {
                "document": self.document,
                "document_vi": self.document_vi,
                "article": self.article or None,
                "article_vi": self.article_vi or None,
            },
        }
        if self.note:
            entry["note"] = self.note
        if self.illustrative:
            entry["illustrative"] = True
        return entry
