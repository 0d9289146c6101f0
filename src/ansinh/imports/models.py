"""An import of a commune's own list, from upload to result, and the column mapping each
commune keeps per kind of list."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ansinh.imports.choices import JobState
from ansinh.places.models import Commune


class ImportJob(models.Model):
    """One uploaded file on its way in: the mapping chosen, what the check found (counts and
    the first problems; every problem is in the refused-rows workbook), the progress of a
    running step and the result. The file itself is kept under ``VAR_DIR/imports/`` until the
    job is done (it holds personal data: it is deleted once imported or cancelled)."""

    commune = models.ForeignKey(
        Commune, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("list"), max_length=30)
    filename = models.CharField(_("file"), max_length=200)
    stored_name = models.CharField(max_length=80, unique=True)
    sha256 = models.CharField(max_length=64)
    size = models.BigIntegerField(_("size"), default=0)
    sheet = models.CharField(_("sheet"), max_length=100, blank=True)
    header_row = models.PositiveIntegerField(_("header row"), null=True, blank=True)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(_("columns"), default=dict)  # column key -> header index
    state = models.CharField(
        _("state"), max_length=12, choices=JobState.choices, default=JobState.UPLOADED
    )
    skip_invalid = models.BooleanField(_("skip the rows with problems"), default=False)
    confirm_matches = models.BooleanField(
        _("the matches by name and date of birth are confirmed"), default=False
    )
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict)  # what the check found, per action
    problems = models.JSONField(default=list)  # the first problems (Problem.as_json)
    problems_total = models.PositiveIntegerField(default=0)
    notes = models.JSONField(default=list)  # the first "confirm" rows: [row, message, params]
    result = models.JSONField(default=dict)
    error = models.CharField(_("error"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    system = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["commune", "-created_at"], name="import_commune_idx")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.filename}"

    @property
    def kind_label(self) -> str:
        from ansinh.imports.kinds import get

        kind = get(self.kind)
        return str(kind.label) if kind else self.kind

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.done / self.total)) if self.total else 0


class ImportMapping(models.Model):
    """The columns a commune's list of one kind uses, by header text, remembered from the
    last import so that next month's file is recognised at once."""

    commune = models.ForeignKey(
        Commune, verbose_name=_("commune"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("list"), max_length=30)
    columns = models.JSONField(default=dict)  # column key -> folded header text
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["commune", "kind"], name="import_mapping_unique")
        ]

    def __str__(self) -> str:
        return f"{self.commune_id} {self.kind}"
