"""Exceptions of the rules engine.

Every refusal of the engine is one of these, with a message an officer can act on:

* :class:`ParameterError` — a parameter file is malformed (bad YAML, a value without legal
  reference, dates out of order …);
* :class:`MissingParameterError` — a value the law has not fixed yet (marked ``[missing]`` in
  the policy note) or a date outside every configured period; the message names the value and
  the date, e.g. "no B1 score threshold is configured for 2027";
* :class:`InputError` — data handed to a rule function breaks its preconditions (a household
  without members, an unknown code). The file reader in :mod:`ansinh.rules.io` reports such
  problems row by row before the rules run; this exception is the last line of defence for
  callers that build data frames themselves.
"""

from __future__ import annotations


class RulesError(Exception):
    """Base class of every error raised by :mod:`ansinh.rules`."""


class ParameterError(RulesError):
    """A parameter file is malformed or a parameter has an unexpected shape."""


class MissingParameterError(RulesError):
    """A parameter has no value for the requested date (or was never published).

    ``missing`` lists every ``(name, date, message)`` that was needed and is absent, so that a
    command can report all of them at once instead of one per run.
    """

    def __init__(self, missing: list[tuple[str, str, str]]) -> None:
        self.missing = missing
        lines = [message for _, _, message in missing]
        super().__init__("; ".join(lines))


class InputError(RulesError):
    """Input data does not satisfy the preconditions of a rule function."""
