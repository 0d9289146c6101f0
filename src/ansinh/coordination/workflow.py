"""The status transitions of an item: one table, read by the services (which refuse any other
move with a message) and by the item page (which shows only the buttons that apply).

Problems, tasks and questions go ``new → acknowledged → in progress → done → closed``; a step
may be skipped (a question answered at once is done from new), and a done or closed item may be
reopened (back to in progress). Announcements are published (new) and closed (archived), and
may be reopened.

=============  ===========================================  ============
action         from                                         to
=============  ===========================================  ============
acknowledge    new                                          acknowledged
start          new, acknowledged                            in progress
finish         new, acknowledged, in progress               done
close          new, acknowledged, in progress, done         closed
reopen         done, closed                                 in progress
=============  ===========================================  ============

Announcements: ``close`` new → closed, ``reopen`` closed → new.

``finish`` needs the outcome (what was done, or the answer); ``close`` of an item not done and
``reopen`` need a reason: the item is followed to the end, and the village head reads why.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ansinh.coordination.choices import Action, ItemKind, ItemStatus

S = ItemStatus
#: action -> (the statuses it starts from, the status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    Action.ACKNOWLEDGE: (frozenset({S.NEW}), S.ACKNOWLEDGED),
    Action.START: (frozenset({S.NEW, S.ACKNOWLEDGED}), S.IN_PROGRESS),
    Action.FINISH: (frozenset({S.NEW, S.ACKNOWLEDGED, S.IN_PROGRESS}), S.DONE),
    Action.CLOSE: (frozenset({S.NEW, S.ACKNOWLEDGED, S.IN_PROGRESS, S.DONE}), S.CLOSED),
    Action.REOPEN: (frozenset({S.DONE, S.CLOSED}), S.IN_PROGRESS),
}
ANNOUNCEMENT_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    Action.CLOSE: (frozenset({S.NEW}), S.CLOSED),
    Action.REOPEN: (frozenset({S.CLOSED}), S.NEW),
}


def transitions_of(kind: str) -> dict[str, tuple[frozenset[str], str]]:
    return ANNOUNCEMENT_TRANSITIONS if kind == ItemKind.ANNOUNCEMENT else TRANSITIONS


def possible_actions(kind: str, status: str) -> list[str]:
    """The actions that apply to an item of ``kind`` in ``status``, in the table's order."""
    return [a for a, (sources, _to) in transitions_of(kind).items() if status in sources]


def target(kind: str, status: str, action: str) -> str:
    """The status ``action`` leads to from ``status``, or a ``ValidationError`` saying why
    the item cannot move ("An item that is “Done” cannot be acknowledged.")."""
    if action not in Action.values:
        raise ValidationError(_("Unknown action."), code="unknown_action")
    step = transitions_of(kind).get(action)
    if step is None or status not in step[0]:
        raise ValidationError(
            _("This item is “%(status)s”: it cannot be moved with “%(action)s”.")
            % {"status": ItemStatus(status).label, "action": Action(action).label},
            code="invalid_transition",
        )
    return step[1]


def needs_note(kind: str, status: str, action: str) -> bool:
    """Whether the step needs a text: the outcome of ``finish``, the reason of ``reopen`` and
    of closing an item that is not done (an announcement closes without one)."""
    if kind == ItemKind.ANNOUNCEMENT:
        return False
    if action in (Action.FINISH, Action.REOPEN):
        return True
    return action == Action.CLOSE and status != ItemStatus.DONE
