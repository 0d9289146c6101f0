"""The coordination board: items, their assignees, their thread (comments and events), photos,
mentions and who has seen what.

Every record carries its commune (and an item its village) so that the selectors filter on
them; an announcement is the commune's (no village, no household). Times are set by the
services (``created_at`` is not ``auto_now_add``: the demo and the tests tell the time), and
the measured times — the first response and the resolution — are kept on the item, so the
figures are read without going through the thread.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ansinh.coordination.choices import (
    OPEN_STATUSES,
    Audience,
    EntryKind,
    ItemKind,
    ItemStatus,
    NotifyChoice,
    Priority,
    Topic,
)
from ansinh.places.models import Commune, Village
from ansinh.registry.models import Household

USER = settings.AUTH_USER_MODEL


class Item(models.Model):
    """A problem report, task, question or announcement of a commune's board.

    ``first_response_at``: the first comment, status change or assignment by someone other
    than the reporter. ``resolved_at``: when it was first done (or closed without being done);
    cleared when it is reopened. ``comment_count`` and ``photo_count`` are kept by the services
    so that the board lists items without counting their threads."""

    commune = models.ForeignKey(
        Commune, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="+"
    )
    village = models.ForeignKey(
        Village,
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="coordination_items",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ItemKind.choices)
    topic = models.CharField(_("topic"), max_length=16, choices=Topic.choices)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ItemStatus.choices, default=ItemStatus.NEW
    )
    audience = models.CharField(_("for"), max_length=16, choices=Audience.choices, blank=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("details"), blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    reported_by = models.ForeignKey(
        USER,
        verbose_name=_("reported by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    assignees: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        USER,
        verbose_name=_("assigned to"),
        through="Assignment",
        through_fields=("item", "user"),
        related_name="+",
    )
    created_at = models.DateTimeField(_("reported at"), default=timezone.now)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopened = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    comment_count = models.PositiveIntegerField(_("comments"), default=0)
    photo_count = models.PositiveSmallIntegerField(_("photos"), default=0)
    # The idempotency key of the form that sent it: the same form sent twice is one item.
    submit_key = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("coordination item")
        verbose_name_plural = _("coordination items")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind=ItemKind.ANNOUNCEMENT, village__isnull=True, household__isnull=True)
                    | (~Q(kind=ItemKind.ANNOUNCEMENT) & Q(village__isnull=False))
                ),
                name="coordination_item_village",
            ),
            models.CheckConstraint(
                condition=Q(status__in=OPEN_STATUSES) | Q(resolved_at__isnull=False),
                name="coordination_item_resolved",
            ),
            models.UniqueConstraint(
                fields=["commune", "reported_by", "submit_key"],
                condition=~Q(submit_key=""),
                name="coordination_item_unique_key",
            ),
        ]
        indexes = [
            models.Index(fields=["commune", "-last_activity_at"], name="coord_item_activity_idx"),
            models.Index(
                fields=["commune", "village", "-last_activity_at"], name="coord_item_village_idx"
            ),
            models.Index(fields=["commune", "status", "due_date"], name="coord_item_status_idx"),
            models.Index(fields=["commune", "created_at"], name="coord_item_created_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_announcement(self) -> bool:
        return self.kind == ItemKind.ANNOUNCEMENT

    def is_overdue(self, today: dt.date | None = None) -> bool:
        day = today or timezone.localdate()
        return self.is_open and self.due_date is not None and self.due_date < day


class Assignment(models.Model):
    """A user assigned to an item (an officer, a committee member or a village head of the
    item's village)."""

    item = models.ForeignKey(
        Item, verbose_name=_("item"), on_delete=models.CASCADE, related_name="assignments"
    )
    user = models.ForeignKey(
        USER, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    assigned_by = models.ForeignKey(
        USER,
        verbose_name=_("assigned by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(fields=["item", "user"], name="coordination_assignment_unique")
        ]
        indexes = [models.Index(fields=["user", "item"], name="coord_assignment_user_idx")]

    def __str__(self) -> str:
        return f"{self.item_id} → {self.user_id}"


class Comment(models.Model):
    """A line of an item's thread: a comment, or an event written by a service (a status
    change with its outcome or reason, an assignment naming the assignees)."""

    item = models.ForeignKey(
        Item, verbose_name=_("item"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        USER,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(
        _("kind"), max_length=8, choices=EntryKind.choices, default=EntryKind.COMMENT
    )
    text = models.TextField(_("text"), blank=True)
    status_to = models.CharField(
        _("new status"), max_length=12, choices=ItemStatus.choices, blank=True
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    # The idempotency key of the form that sent it: the same form sent twice is one comment.
    key = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "key"], condition=~Q(key=""), name="coordination_comment_unique_key"
            )
        ]
        indexes = [models.Index(fields=["item", "created_at"], name="coord_comment_item_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%d/%m/%Y %H:%M}"


class Photo(models.Model):
    """A photo of an item (or of one of its comments), resized and re-encoded as JPEG without
    its metadata, kept under ``VAR_DIR/coordination/`` (see :mod:`.photos`) and shown only
    through a scoped view."""

    item = models.ForeignKey(
        Item, verbose_name=_("item"), on_delete=models.CASCADE, related_name="photos"
    )
    comment = models.ForeignKey(
        Comment,
        verbose_name=_("comment"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="photos",
    )
    uploaded_by = models.ForeignKey(
        USER,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    stored_name = models.CharField(max_length=80, unique=True, editable=False)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    size = models.PositiveIntegerField(_("size (bytes)"))
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.width}×{self.height}"


class Mention(models.Model):
    """``@username`` in a comment (or in an item's details), resolved to a user of the commune
    who can see the item. The notification itself is a later step (``seen_at`` then)."""

    item = models.ForeignKey(
        Item, verbose_name=_("item"), on_delete=models.CASCADE, related_name="mentions"
    )
    comment = models.ForeignKey(
        Comment,
        verbose_name=_("comment"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="mentions",
    )
    user = models.ForeignKey(
        USER, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    seen_at = models.DateTimeField(_("seen at"), null=True, blank=True)

    class Meta:
        verbose_name = _("mention")
        verbose_name_plural = _("mentions")
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="coordination_mention_unique")
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="coord_mention_user_idx")]

    def __str__(self) -> str:
        return f"@{self.user_id} ({self.item_id})"


class ItemRead(models.Model):
    """When a user last opened an item: the unread marks and counters of a later step compare
    it with the item's ``last_activity_at``."""

    item = models.ForeignKey(
        Item, verbose_name=_("item"), on_delete=models.CASCADE, related_name="reads"
    )
    user = models.ForeignKey(
        USER, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    seen_at = models.DateTimeField(_("seen at"))

    class Meta:
        verbose_name = _("item read")
        verbose_name_plural = _("items read")
        constraints = [
            models.UniqueConstraint(fields=["user", "item"], name="coordination_read_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.item_id}"


from ansinh.coordination.meetings.models import AgendaEntry, Meeting, MeetingStatus  # noqa: E402, F401

# --- Notifications and announcements' read receipts (issue 14, items 3 and 4) --------------


class NotifySetting(models.Model):
    """A user's choice of coordination messages ("nhận tin nhắn điều phối"); no row: all."""

    user = models.OneToOneField(
        USER,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="coordination_notify",
    )
    choice = models.CharField(
        _("coordination messages"),
        max_length=8,
        choices=NotifyChoice.choices,
        default=NotifyChoice.ALL,
    )

    class Meta:
        verbose_name = _("coordination message setting")
        verbose_name_plural = _("coordination message settings")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.choice}"


class Recipient(models.Model):
    """Someone an announcement is for, with the read receipt (``read_at``: when they first
    opened it) and the last reminder sent to them."""

    item = models.ForeignKey(
        Item, verbose_name=_("announcement"), on_delete=models.CASCADE, related_name="recipients"
    )
    user = models.ForeignKey(
        USER, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("announcement recipient")
        verbose_name_plural = _("announcement recipients")
        constraints = [
            models.UniqueConstraint(fields=["item", "user"], name="coordination_recipient_unique")
        ]
        indexes = [models.Index(fields=["user", "item"], name="coord_recipient_user_idx")]

    def __str__(self) -> str:
        return f"{self.item_id} → {self.user_id}"
