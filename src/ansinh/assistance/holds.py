"""What happens to payments when something changes after the payroll was made.

The guard checks a payroll when it is generated, prepared and approved; money leaves later,
when the payment files are exported. Between the two, a recipient may be recorded as dead,
move away, or have their case ended. This module keeps the promise *not one improper
payment* until the effect leaves the system:

- every change that matters to the payments (a person's life status or facts, a case, a bank
  account, a poverty status, a payment result) makes the commune's payrolls that can still pay
  **stale** (:func:`payrolls_touch`): prepare, approve and export run the guard again first;
- a death or a move recorded in the registry, or a case ended, **holds** that person's pending
  lines that are not yet in a payment file, in every payroll not closed, and raises a blocking
  guard item naming the event (:func:`lines_hold`); a line already exported cannot be held:
  when its month is no longer owed it is flagged for recovery (truy thu) in reconciliation.

Receivers of the registry's and the poverty review's signals are connected in
``AssistanceConfig.ready``; they run inside the transaction of the change itself.

What an event says is stored as a key of its check's ``event_messages`` in the guard's table
(:mod:`ansinh.rules.guard`) and its parameters, never as a sentence, and made a sentence in
the reader's language when shown: on the item as ``message_key``/``message_params``
(:attr:`GuardItem.message`), on a line's ``note`` and ``recovery`` packed into the text
(:func:`ansinh.rules.guard.pack`, shown by :attr:`PayrollLine.note_text` and
:attr:`PayrollLine.recovery_text`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import F, Sum
from django.utils import timezone

from ansinh.assistance.choices import (
    CaseStatus,
    GuardOrigin,
    GuardRule,
    LineStatus,
    PayrollStatus,
)
from ansinh.assistance.models import Case, GuardItem, Payroll, PayrollLine
from ansinh.core.periods import first_of_month, next_month
from ansinh.registry.choices import LifeStatus
from ansinh.rules import guard as guard_rules

CAN_PAY = (PayrollStatus.DRAFT, PayrollStatus.PREPARED, PayrollStatus.APPROVED)
#: The ``note`` and ``recovery`` columns of a line hold 300 characters.
_LINE_TEXT = 300


def payrolls_touch(commune_code: int) -> int:
    """Something that matters to the payments changed: every payroll of the commune that can
    still pay needs a new guard run before it is prepared, approved or exported."""
    return Payroll.objects.filter(commune_id=commune_code, status__in=CAN_PAY).update(
        inputs_version=F("inputs_version") + 1
    )


def payrolls_touch_everywhere() -> int:
    """A value every commune's payments read changed (an approved policy value): every payroll
    that can still pay, in every commune, needs a new guard run before money leaves."""
    return Payroll.objects.filter(status__in=CAN_PAY).update(inputs_version=F("inputs_version") + 1)


def _open_lines(case_ids: list[int]) -> Any:
    return PayrollLine.objects.filter(
        case_id__in=case_ids, status=LineStatus.PENDING, payroll__status__in=CAN_PAY
    )


def line_text(rule: str, key: str, params: dict[str, Any]) -> str:
    """Message ``key`` of ``rule`` packed for a line's ``note`` or ``recovery`` (300
    characters): a long ``to`` (where a case was transferred) is shortened to fit."""
    text = guard_rules.pack(rule, key, params)
    if len(text) <= _LINE_TEXT or not params.get("to"):
        return text
    to, fits, longer = str(params["to"]), 0, len(str(params["to"]))
    while fits < longer:  # the longest start of ``to`` that fits (JSON may escape some of it)
        mid = (fits + longer + 1) // 2
        if len(guard_rules.pack(rule, key, {**params, "to": to[:mid]})) <= _LINE_TEXT:
            fits = mid
        else:
            longer = mid - 1
    return guard_rules.pack(rule, key, {**params, "to": to[:fits]})


def lines_hold(
    *,
    case_ids: list[int],
    rule: str,
    event: str,
    params: dict[str, Any],
    not_owed_from: dt.date | None,
) -> int:
    """Hold the pending, not yet exported lines of ``case_ids`` in every payroll that can still
    pay, and raise (or reopen) one blocking item per case and payroll month that names the
    event; exported lines for months from ``not_owed_from`` are flagged for recovery. Returns
    the number of lines held.

    ``event`` is a key of ``rule``'s ``event_messages`` in the guard's table and ``params``
    its parameters (:data:`ansinh.rules.guard.EVENT_PARAMS`): the held lines carry
    ``event``, the items ``<event>_held`` (``<event>_held_owed`` while their month is still
    owed) with the number and total of the lines held, the lines to recover
    ``<event>_recover``."""
    if not case_ids:
        return 0
    lines = _open_lines(case_ids)
    held = lines.filter(exported_at__isnull=True)
    if not_owed_from is not None and rule == GuardRule.CASE_ENDED:
        held = held.filter(month__gte=not_owed_from)
    per_item: dict[tuple[int, int, dt.date], list[int]] = defaultdict(list)
    for case_id, commune_id, month, amount in held.values_list(
        "case_id", "payroll__commune_id", "payroll__month", "amount"
    ):
        per_item[(case_id, commune_id, month)].append(amount)
    count = held.update(status=LineStatus.HELD, note=line_text(rule, event, params))
    now = timezone.now()
    for (case_id, commune_id, month), amounts in per_item.items():
        # an ended case holds only months from its end: its items are never still owed
        owed = not_owed_from is None or month < not_owed_from
        key = f"{event}_held_owed" if owed else f"{event}_held"
        values = {**params, "count": len(amounts), "total": sum(amounts)}
        if owed:
            values["month"] = month.isoformat()
        item, created = GuardItem.objects.get_or_create(
            case_id=case_id,
            month=month,
            rule=rule,
            defaults={
                "commune_id": commune_id,
                "blocking": True,
                "message": "",
                "message_key": key,
                "message_params": values,
                "origin": GuardOrigin.EVENT,
            },
        )
        if not created:  # new facts reopen an item resolved before
            GuardItem.objects.filter(pk=item.pk).update(
                blocking=True,
                message="",
                message_key=key,
                message_params=values,
                origin=GuardOrigin.EVENT,
                resolved_at=None,
                resolved_by=None,
                action="",
                note="",
                found_at=now,
            )
    if not_owed_from is not None:
        recovery = PayrollLine.objects.filter(
            case_id__in=case_ids,
            exported_at__isnull=False,
            month__gte=not_owed_from,
            status__in=[LineStatus.PENDING, LineStatus.PAID],
        )
        recovery.update(recovery=line_text(rule, f"{event}_recover", params))
    return int(count)


def lines_release(*, case_id: int, payroll: Payroll, method: str | None = None) -> int:
    """Held lines of a case in ``payroll`` become payable again (the officer checked them)."""
    qs = PayrollLine.objects.filter(payroll=payroll, case_id=case_id, status=LineStatus.HELD)
    if method is None:
        return qs.update(status=LineStatus.PENDING)
    return qs.update(
        status=LineStatus.PENDING, method=method, bank="", account_number="", account_holder=""
    )


def held_total(payroll: Payroll) -> int:
    return int(payroll.lines.filter(status=LineStatus.HELD).aggregate(t=Sum("amount"))["t"] or 0)


def event_items_resolve(
    *, case_id: int, month: dt.date, rule: str, scope: Any, action: str, note: str
) -> int:
    """Close the event items of ``rule`` for a case and month (the action that resolved
    another item already dealt with them)."""
    return GuardItem.objects.filter(
        case_id=case_id, month=month, rule=rule, resolved_at__isnull=True
    ).update(
        resolved_at=timezone.now(),
        resolved_by=scope.user,
        action=action,
        note=note[:300],
    )


# --- receivers -----------------------------------------------------------------------------


def on_person_left(sender: Any, *, person: Any, **kwargs: Any) -> None:
    """A recipient died or moved away: hold every line not yet in a payment file."""
    case_ids = list(Case.objects.filter(person_id=person.pk).values_list("id", flat=True))
    if not case_ids:
        return
    payrolls_touch(person.commune_id)
    when: dt.date = person.status_date
    lines_hold(
        case_ids=case_ids,
        rule=GuardRule.PERSON_GONE,
        event="moved" if person.life_status == LifeStatus.MOVED_AWAY else "died",
        params={"date": when.isoformat()},
        not_owed_from=next_month(first_of_month(when)),
    )


def on_person_changed(sender: Any, *, person: Any, fields: list[str], **kwargs: Any) -> None:
    if Case.objects.filter(person_id=person.pk).exists():
        payrolls_touch(person.commune_id)


def on_statuses_changed(sender: Any, *, commune_code: int, **kwargs: Any) -> None:
    payrolls_touch(commune_code)


def case_ended(case: Case, *, event_date: dt.date) -> int:
    """A case stopped or transferred (its status says which): its lines from ``end_month`` on
    are held."""
    payrolls_touch(case.commune_id)
    assert case.end_month is not None
    params = {"date": event_date.isoformat(), "end": case.end_month.isoformat()}
    if case.status == CaseStatus.TRANSFERRED:
        event, params["to"] = "transferred", case.transferred_to
    else:
        event = "stopped"
    return lines_hold(
        case_ids=[case.pk],
        rule=GuardRule.CASE_ENDED,
        event=event,
        params=params,
        not_owed_from=case.end_month,
    )
