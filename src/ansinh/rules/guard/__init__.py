"""The payroll guard's rules: every reason not to pay a case as is in a month, as a table.

Pure polars, like the rest of the rules engine: the web app builds the frames from its
database (:mod:`ansinh.assistance.guard`), calls :func:`findings` and stores what it returns;
nothing here reads a database or imports Django.

Public interface::

    RULES: tuple[Rule, ...]                     # the guard's rules, in the order they run
    EVENT_RULES: tuple[EventRule, ...]          # checks raised only by events after generation
    findings(frames, month, province=None, params=None) -> pl.DataFrame
    render(code, key, params, translate=str, lang="vi") -> str | None
    pack(code, key, params) -> str; render_text(text, translate=str, lang="vi") -> str
    LABELS, ACTIONS                             # code -> label msgid / allowed actions
    rule(code) -> Rule; check(code) -> Rule | EventRule

The package, by job: :mod:`~ansinh.rules.guard.schema` (the frames, :class:`Rule`,
:class:`EventRule`, :class:`Param`, :class:`Context`), :mod:`~ansinh.rules.guard.derive` (the
vectorised columns some rules add: ``_expected_amount``, ``_kept_case``,
``_arrears_per_case``), :mod:`~ansinh.rules.guard.table` (the entries, :func:`findings`) and
:mod:`~ansinh.rules.guard.display` (:func:`render`: messages made sentences when read).

A rule (:class:`Rule`) is one entry of :data:`RULES`:

* ``code`` (stored on the guard item), ``label`` and ``blocking``;
* ``frame``: what it reads — ``cases`` (one row per case payable in the month, the columns of
  :data:`CASES_SCHEMA`) or ``ended_arrears`` (one row per arrears line on the month's payroll
  of a case that has ended, :data:`ARREARS_SCHEMA`); ``_month``, the payroll's month, is added;
* ``scope``: the rows it looks at (a boolean expression, ``None`` = all), ``derive``: columns it
  adds to them (e.g. the amount the allowance rules give), ``when``: the vectorised predicate,
  true for every row with a finding (``None`` = every scoped row). Window expressions in
  ``when`` and in the parameters see the scoped rows;
* its message: ``messages`` (key -> msgid with ``%(name)s`` placeholders), ``choose`` (an
  expression giving the key per row; ``None`` = the only one) and ``params``: one typed
  expression per placeholder (:class:`Param`). A finding stores the key and the values, never
  a sentence: :func:`render` makes the sentence in the reader's language when it is shown;
* the months it applies to (``valid_from`` inclusive, ``valid_to`` excluded), its legal
  reference where one exists, and ``actions``: what the officer may do with an item (``None``
  = the default actions for a case, decided by the payroll);
* ``event_messages``: what an event recorded after the payroll was made says on the items it
  raises and the lines it holds (``assistance.holds``), key -> msgid with the parameters of
  :data:`EVENT_PARAMS`; stored as keys too;
* ``demo_action``: what the demo commune's officer does with an item (``ansinh demo``).

An :class:`EventRule` (a check only events raise) has a code, a label, its actions, its
``event_messages`` and its ``demo_action``.

Adding a rule is adding an entry to :data:`RULES` in :mod:`ansinh.rules.guard.table` (and the
Vietnamese of its msgids to the catalogue): see ``docs/how-to/add-a-guard-rule.md``.
"""

from __future__ import annotations

from ansinh.rules.guard.display import pack, render, render_text, unpack
from ansinh.rules.guard.schema import (
    ACCOUNT_NUMBER_PATTERN,
    ARREARS_SCHEMA,
    CASES_SCHEMA,
    EVENT_PARAMS,
    FINDINGS_SCHEMA,
    PARAM_KINDS,
    Context,
    EventRule,
    Param,
    Rule,
)
from ansinh.rules.guard.table import (
    ACTIONS,
    CHECKS,
    EVENT_RULES,
    HOUSEHOLD_LABELS,
    LABELS,
    RULES,
    check,
    findings,
    rule,
)

__all__ = [
    "ACCOUNT_NUMBER_PATTERN",
    "ACTIONS",
    "ARREARS_SCHEMA",
    "CASES_SCHEMA",
    "CHECKS",
    "EVENT_PARAMS",
    "EVENT_RULES",
    "FINDINGS_SCHEMA",
    "HOUSEHOLD_LABELS",
    "LABELS",
    "PARAM_KINDS",
    "RULES",
    "Context",
    "EventRule",
    "Param",
    "Rule",
    "check",
    "findings",
    "pack",
    "render",
    "render_text",
    "rule",
    "unpack",
]
