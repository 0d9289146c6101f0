"""How the audit log reads the coordination board's entries (see
:mod:`ansinh.core.audit_vocabulary`): committee meetings (their attendees, the printed
minutes)."""

from django.utils.translation import gettext_lazy as _

from ansinh.core.audit_vocabulary import describe

describe(
    "coordination.meeting",
    labels={"attendees": _("Attendees")},
    refs={"attendees": "accounts.user"},
)
describe(
    "export",
    records={"coordination.meeting.minutes.pdf": _("Minutes of the committee meeting (PDF)")},
)
# An announcement's reminder: who was reminded (the recipients who had not read it).
describe(
    "coordination.item",
    labels={"reminded": _("Reminded (had not read it)")},
    refs={"reminded": "accounts.user"},
    notes={
        "announcement reminder": lambda match, name: str(
            _("Reminder to those who have not read the announcement")
        )
    },
)
