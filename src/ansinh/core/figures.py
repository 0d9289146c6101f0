"""Figures of a commune that take long to count on a big register — coverage per village and
month, the home page's households and people per village — counted once and kept until the
commune's data changes.

*What changes them*: every write in ansinh is audited (``core/audit.py``), and the audit
helpers call :func:`changed` with the commune of the record. After the transaction commits
(once per commune and transaction, however many rows it wrote) the commune's
:class:`~ansinh.core.models.FigureStamp` moves on. A rolled-back transaction moves nothing.

*Where they are kept*: Django's cache (``CACHES``: files under ``VAR_DIR/cache`` that every
web process of a server reads, by default; each process's memory in the tests), under a key
made of the commune, its stamp (version and time of the last change), the figure's name and
its arguments, prefixed by the database's identity. A reader
asks for the stamp (one indexed row) and finds the figures of that stamp, or counts them.
Because the stamp lives in the database, several web processes or servers agree without a
shared cache; each counts a figure once per change. ``ANSINH_FIGURES_MAX_AGE`` (seconds,
default 600) bounds how long a figure is kept even when nothing is recorded as changed (a
change made outside ansinh, straight in the database).

Counts that must be exact at the moment of a decision (a payroll, a guard, a list to act on)
never come from here: only figures shown for reading.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from ansinh.core.models import FigureStamp

T = TypeVar("T")
ALL_COMMUNES = -1  # the stamp moved when the commune of a change is not known


@dataclass(frozen=True)
class Counted(Generic[T]):
    value: T
    counted_at: dt.datetime


def changed(commune_code: int | None) -> None:
    """The commune's data changed (``None``: a commune not known, which moves every commune's
    figures on). Inside a transaction, the stamp moves once it commits."""
    code = ALL_COMMUNES if commune_code is None else int(commune_code)
    if not connection.in_atomic_block:
        _bump(code)
        return
    # Once per commune and transaction: an import of 100,000 rows queues one update.
    for entry in connection.run_on_commit:  # (savepoints, function, robust)
        if getattr(entry[1], "figure_stamp_of", None) == code:
            return

    def bump() -> None:
        _bump(code)

    bump.figure_stamp_of = code  # type: ignore[attr-defined]
    transaction.on_commit(bump, robust=True)


def _bump(code: int) -> None:
    now = timezone.now()
    rows = FigureStamp.objects.all()
    if code == ALL_COMMUNES:
        # Every commune moves, and so does the stamp of the unknown commune, which the key of
        # a commune without a stamp of its own (never changed yet) also contains.
        FigureStamp.objects.get_or_create(commune_code=ALL_COMMUNES, defaults={"version": 0})
    else:
        rows = rows.filter(commune_code=code)
    if not rows.update(version=F("version") + 1, changed_at=now):
        FigureStamp.objects.get_or_create(
            commune_code=code, defaults={"version": 1, "changed_at": now}
        )


def stamp(commune_code: int) -> tuple[str, str]:
    """The commune's stamp and the stamp of changes to an unknown commune: each its version
    and when it moved (a database rebuilt or restored from a backup counts its versions again;
    the time tells them apart in a cache that outlived it)."""
    rows = FigureStamp.objects.filter(commune_code__in=[commune_code, ALL_COMMUNES])
    versions = {
        code: f"{version}@{at.timestamp() if at else 0}"
        for code, version, at in rows.values_list("commune_code", "version", "changed_at")
    }
    return versions.get(commune_code, "0"), versions.get(ALL_COMMUNES, "0")


def counted(commune_code: int, name: str, count: Callable[[], T], *args: Any) -> Counted[T]:
    """The figure ``name`` of the commune for ``args`` (a date, …): kept, or counted now by
    ``count()`` and kept. ``args`` must say everything the count depends on besides the
    commune's data."""
    version, everyone = stamp(commune_code)
    key = ":".join(
        ["figures", str(commune_code), str(version), str(everyone), name, *map(str, args)]
    )
    kept = cache.get(key)
    if isinstance(kept, Counted):
        return kept
    figure = Counted(count(), timezone.now())
    cache.set(key, figure, timeout=settings.ANSINH_FIGURES_MAX_AGE)
    return figure
