"""How the audit log reads the notes of messaging entries (``core.audit_display``)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ansinh.core.audit_vocabulary import describe

describe(
    "messaging.suppression",
    notes={"inbound opt-out": lambda match, name: _("The person replied asking for no messages")},
)
