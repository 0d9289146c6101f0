"""The kinds, topics, priorities and statuses of the coordination board (never bare strings)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ItemKind(models.TextChoices):
    PROBLEM = "problem", _("Problem report")
    TASK = "task", _("Task")
    QUESTION = "question", _("Question")
    ANNOUNCEMENT = "announcement", _("Announcement")


class Topic(models.TextChoices):
    POVERTY_REVIEW = "poverty_review", _("Poverty review")
    ALLOWANCES = "allowances", _("Social allowances")
    BHYT = "bhyt", _("Health insurance (BHYT)")
    HOUSING = "housing", _("Housing")
    SUPPORT = "support", _("Support programmes")
    OTHER = "other", _("Other matters")


class Priority(models.IntegerChoices):
    """Stored as a number so that the board can sort by it."""

    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


class ItemStatus(models.TextChoices):
    # "Done" and "Closed" name other things elsewhere (a payroll, a round): a context of
    # their own here.
    NEW = "new", pgettext_lazy("coordination status", "New")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("coordination status", "Acknowledged")
    IN_PROGRESS = "in_progress", pgettext_lazy("coordination status", "In progress")
    DONE = "done", pgettext_lazy("coordination status", "Done")
    CLOSED = "closed", pgettext_lazy("coordination status", "Closed")


#: An item still waiting for someone: counted as open (and overdue after its due date).
OPEN_STATUSES = (ItemStatus.NEW, ItemStatus.ACKNOWLEDGED, ItemStatus.IN_PROGRESS)


class Audience(models.TextChoices):
    """Whom an announcement is for (every user of the commune sees it; the audience is who
    is expected to read it: the read receipts of a later step count them)."""

    EVERYONE = "everyone", _("Everyone in the commune")
    VILLAGE_HEADS = "village_heads", _("Village heads")
    COMMITTEE = "committee", _("Committee members")


class Action(models.TextChoices):
    """What a button on an item does: a step of :mod:`ansinh.coordination.workflow`."""

    ACKNOWLEDGE = "acknowledge", _("Acknowledge")
    START = "start", _("Start work")
    FINISH = "finish", _("Mark as done")
    CLOSE = "close", _("Close")
    REOPEN = "reopen", _("Reopen")


class EntryKind(models.TextChoices):
    """A line of an item's thread: a comment, or an event (a status change, an assignment)."""

    COMMENT = "comment", _("Comment")
    STATUS = "status", _("Status change")
    ASSIGN = "assign", _("Assignment")


class NotifyChoice(models.TextChoices):
    """What coordination messages (Zalo, SMS) a user wants: the setting "nhận tin nhắn điều
    phối". In the application everything is shown whatever the choice."""

    ALL = "all", _("Everything about my items")
    MINE = "mine", _("Only when I am assigned or mentioned")
    NONE = "none", _("No messages")
