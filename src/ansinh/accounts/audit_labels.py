"""How the audit log reads the entries of accounts (``core.audit_display``): users named by
their full name, the notes of a password change or a set-up in the reader's language."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ansinh.core.audit_vocabulary import describe, name_records

# Accounts are named wherever they appear: a name of a colleague is no one's personal data
# in this log (its actor column names them too), and an approver may be a province officer.
name_records("accounts.user", "full_name", "username")


def _setup(match: re.Match[str], name: Callable[[str, Any], str]) -> str:
    created, kept = int(match["created"]), int(match["kept"])
    villages = (
        ngettext("%(created)d village created", "%(created)d villages created", created)
        % {"created": created}
        + ", "
        + ngettext("%(kept)d kept", "%(kept)d kept", kept) % {"kept": kept}
    )
    officer = match["officer"]
    if match["how"] == "created":
        return _("Set-up: %(villages)s; officer account %(officer)s created") % {
            "villages": villages,
            "officer": officer,
        }
    return _("Set-up: %(villages)s; officer account %(officer)s kept") % {
        "villages": villages,
        "officer": officer,
    }


describe(
    "accounts.user",
    notes={
        "password changed": lambda match, name: _("Password changed"),
        "password reset: one-time password issued": lambda match, name: _(
            "Password reset: a one-time password was issued"
        ),
    },
)
describe(
    "places.commune",
    notes={
        r"set-up: (?P<created>\d+) village\(s\) created, (?P<kept>\d+) kept; "
        r"officer (?P<officer>\S+) (?P<how>created|kept)": _setup
    },
)
