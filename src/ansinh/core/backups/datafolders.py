"""Data folders: files kept outside the database that the database refers to, carried in
every backup (ADR 0013).

An app that keeps files on disk registers its folder once, in its ``AppConfig.ready()``::

    register_data_folder(
        "coordination", folder=photos.photos_root, referenced=photos.referenced
    )

``folder()`` is called when a backup or a restore runs (so it follows ``VAR_DIR`` of that
run). ``referenced(using)`` lists the files the database refers to, as paths relative to the
folder with ``/`` between parts: a backup warns about those missing on disk. Files whose name
starts with a dot are temporary (written, then renamed) and are never carried.

The rule an app must keep for a backup to be consistent: a file is written **before** the row
that refers to it is committed, and a file whose row was committed is never deleted while
ansinh runs (removing the files of a write that failed is fine: no committed row refers to
them). A backup copies the files after the database snapshot, so it holds every file the
snapshot refers to, and perhaps a few newer ones nothing refers to yet.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

_KEY = re.compile(r"[a-z][a-z0-9_-]{0,39}")


@dataclass(frozen=True)
class DataFolder:
    """One registered folder: its name inside a backup, where it is, what the database uses."""

    key: str
    folder: Callable[[], Path]
    referenced: Callable[[str], Iterable[str]] | None = None


_REGISTRY: dict[str, DataFolder] = {}


def register_data_folder(
    key: str,
    *,
    folder: Callable[[], Path],
    referenced: Callable[[str], Iterable[str]] | None = None,
) -> None:
    """Carry ``folder()`` in every backup under the name ``key`` (lower-case letters, digits,
    ``-``, ``_``). Registering a key again replaces it (``ready()`` may run twice in tests)."""
    if not _KEY.fullmatch(key):
        raise ValueError(f"not a data folder key: {key!r}")
    _REGISTRY[key] = DataFolder(key=key, folder=folder, referenced=referenced)


def unregister_data_folder(key: str) -> None:
    """Stop carrying ``key`` (for tests)."""
    _REGISTRY.pop(key, None)


def data_folders() -> list[DataFolder]:
    """The registered data folders, by key."""
    return [_REGISTRY[k] for k in sorted(_REGISTRY)]


def data_folder(key: str) -> DataFolder | None:
    return _REGISTRY.get(key)
