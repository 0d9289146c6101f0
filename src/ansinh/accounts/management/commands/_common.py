"""What the accounts commands share: refusals as exit codes, the terminal check."""

from __future__ import annotations

import sys

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError

#: Exit codes: 0 done, 1 refused (the message says why), 2 a usage error.
REFUSED, USAGE = 1, 2


def refusal(exc: ValidationError | PermissionDenied) -> CommandError:
    """A service's refusal as the command's error (its messages, exit code 1)."""
    text = "\n".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    return CommandError(text, returncode=REFUSED)


def stdin_is_tty() -> bool:
    """Whether a password can be asked for (a person at a terminal)."""
    return sys.stdin is not None and sys.stdin.isatty()
