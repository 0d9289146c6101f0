"""Writes of the coordination board: keyword-only, the caller's ``scope`` first, asked of
:mod:`.permissions` (``require`` underneath), atomic, audited; the status moves through the
table of :mod:`.workflow`.

The same form sent twice (a double tap, a slow network sending again) makes one item or one
comment: each form carries an idempotency key (``key``), and a comment with the same text
by the same person on the same item within :data:`REPEAT_WINDOW` is taken as the same one.
Photos are checked and resized before anything is written (:mod:`.photos`); a write that fails
afterwards removes the files it stored. ``at`` (default now) is the time of the act: the demo
and the tests use it.
"""

from ansinh.coordination.services.announcements import announcement_remind
from ansinh.coordination.services.items import (
    item_assign,
    item_report,
    item_transition,
    item_update,
)
from ansinh.coordination.services.settings import notify_choice_set
from ansinh.coordination.services.thread import comment_add, item_seen

__all__ = [
    "announcement_remind",
    "comment_add",
    "item_assign",
    "item_report",
    "item_seen",
    "item_transition",
    "item_update",
    "notify_choice_set",
]
