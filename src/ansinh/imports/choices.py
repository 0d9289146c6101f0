from django.db import models
from django.utils.translation import gettext_lazy as _


class JobState(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded: check the columns")
    CHECKING = "checking", _("Checking the rows")
    CHECKED = "checked", _("Checked: ready to import")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Could not be finished")
    CANCELLED = "cancelled", _("Cancelled")


RUNNING = (JobState.CHECKING, JobState.IMPORTING)
