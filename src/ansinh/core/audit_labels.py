"""What the audit log's display layer (``core.audit_display``) needs to know of the entries
core writes: exports, backups and restores, reveals, and keys every record type may carry."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ansinh.core.audit_vocabulary import EVERY, FIELD_LABEL, describe, money

describe(
    EVERY,
    labels={
        "date": _("Date"),
        "event": _("Event"),
        "revealed": _("Identifier viewed"),
        "rows": _("Number of rows"),
        "file": _("File"),
        "amount": _("Amount"),
    },
    values={"amount": money, "revealed": FIELD_LABEL},
    systems={
        "demo": _("demo data"),
        "backup": _("backup"),
        "restore": _("restore"),
        "import": _("import"),
        "ansinh import": _("import command"),
        "ansinh users": _("accounts command"),
        "ansinh setup": _("set-up command"),
        "set-up page": _("set-up page"),
        "reminders plan": _("health insurance reminders"),
        "reminders task": _("health insurance reminders"),
        "cards import": _("health insurance cards import"),
        "policy import": _("policy values import"),
    },
)
describe(
    "export",
    name=_("File handed out"),
    record_patterns={
        r"problems: (?P<what>.*)": lambda match, name: (
            gettext("Problems found in an import: %(what)s") % {"what": match["what"]}
        )
    },
)


def _size(size: Any) -> str:
    """A backup's size in bytes as "12,3 MB"."""
    if not isinstance(size, int):
        return str(size)
    return f"{size / 1_048_576:.1f} MB".replace(".", ",")


def _database(vendor: Any) -> str:
    return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(vendor, str(vendor))


for _label, _name in (("backup", _("Backup")), ("restore", _("Restore from a backup"))):
    describe(
        _label,
        name=_name,
        labels={
            "bytes": _("Size"),
            "database": _("Database"),
            "files": _("Files of the data folders"),
            "missing": _("Files missing on disk"),
        },
        values={"bytes": _size, "database": _database},
    )
