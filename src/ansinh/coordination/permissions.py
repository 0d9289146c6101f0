"""Who may do what on the coordination board: the one table, asked by the services (which
raise ``PermissionDenied`` with the action's message) and by the pages (which show only what
applies). The role and the commune are decided by ``accounts.permissions.require``
(``coordinate``: officer, committee member, the system; ``contribute``: those and village
heads); the village and the item's owner here.

=====================================  ==============================  =========================
action                                 officer, committee (system)     village head
=====================================  ==============================  =========================
see an item                            every item of the commune       items of own villages and
                                                                       every announcement
report a problem, ask a question       any village                     own villages
create a task                          any village                     —
publish an announcement                yes                             —
comment (item not closed)              every item                      the items they see
edit title, details, topic, priority,  every item                      own item while it is new
due date, household
assign                                 every item                      —
acknowledge, start, mark as done       every item                      items assigned to them
close, reopen                          every item                      own items (they reported)
=====================================  ==============================  =========================

Auditors and province officers read every item of the commune and do nothing else; another
commune's users see nothing (a 404). Which status an action leads to, and from which, is the
table of :mod:`ansinh.coordination.workflow`.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from ansinh.accounts.permissions import allows, require, require_village
from ansinh.accounts.scopes import Scope
from ansinh.coordination.choices import Action, ItemKind, ItemStatus
from ansinh.coordination.models import Assignment, Item

REPORT = "report"
TASK = "task"
ANNOUNCE = "announce"
COMMENT = "comment"
EDIT = "edit"
ASSIGN = "assign"
#: The steps a village head may take on an item assigned to them.
ASSIGNEE_STEPS = frozenset({Action.ACKNOWLEDGE, Action.START, Action.FINISH})
#: The steps a village head may take on an item they reported.
OWNER_STEPS = frozenset({Action.CLOSE, Action.REOPEN})
#: What creating an item of each kind is, as an action of the table.
CREATE_ACTION: dict[str, str] = {
    ItemKind.PROBLEM: REPORT,
    ItemKind.QUESTION: REPORT,
    ItemKind.TASK: TASK,
    ItemKind.ANNOUNCEMENT: ANNOUNCE,
}


def _message(action: str) -> str:
    messages = {
        REPORT: _("You can report only for your own villages."),
        TASK: _("Only the commune officer and the steering committee create tasks."),
        ANNOUNCE: _("Only the commune officer and the steering committee publish announcements."),
        COMMENT: _("You cannot comment on this item."),
        EDIT: _("You cannot change this item."),
        ASSIGN: _("Only the commune officer and the steering committee assign items."),
    }
    if action in ASSIGNEE_STEPS:
        return _("Only the people assigned to this item, the officer or the committee can do this.")
    if action in OWNER_STEPS:
        return _(
            "Only the person who reported this item, the officer or the committee can do this."
        )
    return messages.get(action, _("Your role cannot do this here."))


def sees(scope: Scope, item: Item) -> bool:
    """What the selectors show: the commune's items; a village head's villages and every
    announcement."""
    if scope.commune_code != item.commune_id:
        return False
    return item.kind == ItemKind.ANNOUNCEMENT or (
        item.village_id is not None and scope.allows_village(item.village_id)
    )


def _is_reporter(scope: Scope, item: Item) -> bool:
    return scope.user is not None and item.reported_by_id == scope.user.pk


def _is_assignee(scope: Scope, item: Item) -> bool:
    if scope.user is None:
        return False
    ids = getattr(item, "assignee_ids", None)  # set by the item page's selector
    if ids is not None:
        return scope.user.pk in ids
    return Assignment.objects.filter(item=item, user=scope.user).exists()


def allowed(
    scope: Scope,
    action: str,
    *,
    commune_code: int,
    village_id: int | None = None,
    item: Item | None = None,
) -> bool:
    """Whether ``scope`` may take ``action`` (``report``, ``task``, ``announce`` for a new item
    in ``village_id``; ``comment``, ``edit``, ``assign`` or a workflow step on ``item``)."""
    try:
        ensure(scope, action, commune_code=commune_code, village_id=village_id, item=item)
    except PermissionDenied:
        return False
    return True


def ensure(
    scope: Scope,
    action: str,
    *,
    commune_code: int,
    village_id: int | None = None,
    item: Item | None = None,
) -> None:
    """Raise ``PermissionDenied`` (with the action's message) unless the table allows it."""
    message = _message(action)
    require(scope, commune_code, can="contribute", message=message)
    if item is not None and not sees(scope, item):
        raise PermissionDenied(message)
    if allows(scope, commune_code, "coordinate"):
        return
    # A village head from here on.
    if action in (TASK, ANNOUNCE, ASSIGN):
        raise PermissionDenied(message)
    if action == REPORT:
        if village_id is None:
            raise PermissionDenied(message)
        require_village(scope, village_id, message)
        return
    if item is None:
        raise PermissionDenied(message)
    if action == COMMENT:
        return
    if action == EDIT and _is_reporter(scope, item) and item.status == ItemStatus.NEW:
        return
    if action in ASSIGNEE_STEPS and _is_assignee(scope, item):
        return
    if action in OWNER_STEPS and _is_reporter(scope, item):
        return
    raise PermissionDenied(message)


def kinds_for(scope: Scope) -> list[str]:
    """The kinds of item ``scope`` may create."""
    return [
        kind
        for kind, action in CREATE_ACTION.items()
        if allows(scope, scope.commune_code, "contribute")
        and (action == REPORT or allows(scope, scope.commune_code, "coordinate"))
    ]
