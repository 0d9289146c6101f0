"""Which parameters are in force: the shipped files, the environment's overlays and the
values the web application registers (:func:`set_provider`)."""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Callable
from pathlib import Path

from ansinh.rules.parameters.loading import PACKAGE_DIR
from ansinh.rules.parameters.sets import ParameterSet
from ansinh.rules.parameters.values import ParamValue

ENV_VAR = "ANSINH_RULES_PARAMETERS"


def env_overlays() -> tuple[str, ...]:
    """Overlay paths named in ``ANSINH_RULES_PARAMETERS`` (``os.pathsep``-separated)."""
    raw = os.environ.get(ENV_VAR, "")
    return tuple(p for p in raw.split(os.pathsep) if p.strip())


@functools.lru_cache(maxsize=16)
def _load_cached(overlays: tuple[str, ...]) -> ParameterSet:
    return ParameterSet.load([PACKAGE_DIR, *overlays])


def load_parameters(*overlays: Path | str) -> ParameterSet:
    """The shipped parameters with ``overlays`` merged on top (cached per list of paths)."""
    return _load_cached(tuple(str(Path(p).resolve()) for p in overlays))


def shipped_parameters() -> ParameterSet:
    """The shipped parameters plus the overlays named in ``ANSINH_RULES_PARAMETERS``."""
    return load_parameters(*env_overlays())


_provider: Callable[[], ParameterSet] | None = None


def set_provider(provider: Callable[[], ParameterSet] | None) -> None:
    """Make ``provider()`` the answer of :func:`default_parameters` (None: the shipped set).

    The web application registers one that merges the values approved in its database on top
    of :func:`shipped_parameters`; the provider must be cheap (it caches) and must not fail
    for lack of a database (it then returns the shipped set).
    """
    global _provider
    _provider = provider


def default_parameters() -> ParameterSet:
    """The parameters in force: the provider's set when one is registered (the web application
    with its approved values), else the shipped files plus the environment overlays."""
    if _provider is not None:
        return _provider()
    return shipped_parameters()


def value(name: str, on_date: dt.date, province: int | None = None) -> ParamValue:
    """Dated lookup in :func:`default_parameters`: value + legal reference + version id."""
    return default_parameters().value(name, on_date, province)
