"""What a message's topic is called on a page. The outbox stores a topic as a code chosen by the
app that sends it ("bhyt-reminder"); that app names it here when Django starts
(``register`` in its ``AppConfig.ready``), so messaging depends on no app above it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

_LABELS: dict[str, Any] = {}


def register(code: str, label: Any) -> None:
    """Name the topic ``code`` (a lazy translated string)."""
    _LABELS[code] = label


def topic_label(code: str) -> str:
    """The topic's name in the reader's language; a topic nobody named: "Other messages"."""
    if not code:
        return ""
    return str(_LABELS[code]) if code in _LABELS else _("Other messages")
