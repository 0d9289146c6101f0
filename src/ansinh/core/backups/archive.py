"""One backup, one file: a tar archive holding the database copy and the data folders.

Members, in this order::

    database.sqlite3.gz | database-pg.dump    the database copy (as the older backups were)
    files/<key>/<path>                        the files of each registered data folder
    manifest.json                             last: format, database, counts, missing files

The manifest comes last so that a complete archive is recognised by it: a file cut short
(a full disk, an interrupted copy to another machine) has none and is refused. Files are
copied *after* the database snapshot (see :mod:`.datafolders` for why that is consistent);
a file the database refers to but that is missing on disk is listed, not fatal.

A restore checks the whole archive first, refuses if a data folder of this installation
already holds files, unpacks the files into a hidden folder beside each target (``0700``
folders, ``0600`` files), restores the database, and only then puts the folders in place."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.utils.translation import gettext as _

from ansinh.core.backups.datafolders import DataFolder, data_folder, data_folders
from ansinh.core.backups.files import BackupError

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE = {"sqlite": "database.sqlite3.gz", "postgresql": "database-pg.dump"}
FILES = "files"
_STAGING_PREFIX = ".ansinh-restore-"


@dataclass(frozen=True)
class Carried:
    """What a backup carried besides the database."""

    files: int = 0
    bytes: int = 0
    missing: list[str] = field(default_factory=list)  # "<key>/<path>", referenced, not on disk


def is_archive(head: bytes) -> bool:
    """A tar archive (POSIX ustar magic at offset 257)."""
    return head[257:262] == b"ustar"


# --------------------------------------------------------------------------- writing


def _files_of(root: Path) -> Iterator[tuple[str, Path]]:
    """The regular files under ``root`` (relative names); hidden (temporary) files and
    symbolic links are left out."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if name.startswith(".") or path.is_symlink() or not path.is_file():
                continue
            yield path.relative_to(root).as_posix(), path


def _plain(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def write_archive(target: Path, database: Path, vendor: str, *, using: str) -> Carried:
    """Write the archive ``target``: the database copy ``database`` (already checked), then
    every registered data folder, then the manifest. Raises ``OSError`` (a full disk)."""
    files = size = 0
    missing: list[str] = []
    with tarfile.open(target, "w", format=tarfile.PAX_FORMAT) as tar:
        tar.add(database, arcname=DATABASE[vendor], filter=_plain)
        for folder in data_folders():
            root = folder.folder()
            carried = set()
            for rel, path in _files_of(root) if root.is_dir() else iter(()):
                try:
                    with path.open("rb") as fh:
                        info = _plain(
                            tar.gettarinfo(fileobj=fh, arcname=f"{FILES}/{folder.key}/{rel}")
                        )
                        tar.addfile(info, fh)
                except FileNotFoundError:  # removed meanwhile: a write that failed
                    continue
                carried.add(rel)
                files += 1
                size += info.size
            if folder.referenced is not None:
                missing += [
                    f"{folder.key}/{r}" for r in folder.referenced(using) if r not in carried
                ]
        manifest = {
            "format": FORMAT,
            "database": vendor,
            "folders": [f.key for f in data_folders()],
            "files": files,
            "bytes": size,
            "missing": missing,
        }
        data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(data)
        info.mode = 0o600
        info.mtime = int(time.time())
        tar.addfile(info, io.BytesIO(data))
    return Carried(files=files, bytes=size, missing=missing)


# --------------------------------------------------------------------------- reading


def _damaged(path: Path, reason: object) -> BackupError:
    return BackupError(
        _("%(file)s is damaged or incomplete: %(reason)s.") % {"file": path.name, "reason": reason}
    )


def read_manifest(tar: tarfile.TarFile, path: Path) -> dict[str, Any]:
    """The manifest of a complete archive (the last member); else :class:`BackupError`."""
    try:
        members = tar.getmembers()
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise _damaged(path, exc) from exc
    if not members or members[-1].name != MANIFEST:
        raise _damaged(path, _("the end of the backup is missing"))
    try:
        handle = tar.extractfile(members[-1])
        manifest = json.loads(handle.read() if handle else b"")
    except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
        raise _damaged(path, exc) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(
            _("%(file)s was written by a newer version of ansinh.") % {"file": path.name}
        )
    found = sum(1 for m in members if m.isfile() and m.name.startswith(f"{FILES}/"))
    if manifest.get("database") not in DATABASE or found != manifest.get("files"):
        raise _damaged(path, _("the list of files does not match"))
    return manifest


def _member_path(member: tarfile.TarInfo) -> tuple[str, PurePosixPath] | None:
    """``(key, relative path)`` of a file member, or None when it is not one of ours (a name
    leaving its folder is never extracted)."""
    parts = PurePosixPath(member.name).parts
    if len(parts) < 3 or parts[0] != FILES or not member.isfile():
        return None
    rel = PurePosixPath(*parts[2:])
    if rel.is_absolute() or any(p in ("..", "") or p.startswith(".") for p in rel.parts):
        return None
    return parts[1], rel


def _holds_files(folder: Path) -> bool:
    return folder.is_dir() and any(p.is_file() or p.is_symlink() for p in folder.rglob("*"))


def refuse_if_folders_hold_files(manifest: dict[str, Any]) -> list[tuple[DataFolder, Path]]:
    """The registered folders the archive carries, with their place on this installation;
    :class:`BackupError` if one already holds files (a restore never overwrites them)."""
    targets = []
    for key in manifest.get("folders", []):
        folder = data_folder(str(key))
        if folder is None:  # an app this installation no longer has
            continue
        root = folder.folder()
        if _holds_files(root):
            raise BackupError(
                _(
                    "The data folder %(folder)s already holds files: a restore never "
                    "overwrites them. Restore into a new data folder (ANSINH_VAR_DIR), or move "
                    "the old one away first."
                )
                % {"folder": root}
            )
        targets.append((folder, root))
    return targets


def extract_database(tar: tarfile.TarFile, manifest: dict[str, Any], work_dir: Path) -> Path:
    """The database copy, unpacked to a temporary file in ``work_dir`` (the caller removes
    it)."""
    name = DATABASE[manifest["database"]]
    fd, tmp = tempfile.mkstemp(prefix=".ansinh-partial-", suffix=f"-{name}", dir=work_dir)
    os.close(fd)
    out = Path(tmp)
    try:
        source = tar.extractfile(name)
        if source is None:
            raise BackupError(_("The backup holds no database copy."))
        with source, out.open("wb") as dst:
            shutil.copyfileobj(source, dst, 1024 * 1024)
    except KeyError as exc:
        out.unlink(missing_ok=True)
        raise BackupError(_("The backup holds no database copy.")) from exc
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    return out


def stage_files(
    tar: tarfile.TarFile, path: Path, targets: list[tuple[DataFolder, Path]]
) -> dict[str, Path]:
    """Unpack each carried folder into a hidden folder beside its target; on any failure
    nothing is left. Returns ``{key: staging folder}``."""
    staged: dict[str, Path] = {}
    roots = {folder.key: root for folder, root in targets}
    try:
        for key, root in roots.items():
            root.parent.mkdir(parents=True, exist_ok=True)
            staged[key] = Path(tempfile.mkdtemp(prefix=_STAGING_PREFIX, dir=root.parent))
        for member in tar:
            found = _member_path(member)
            if found is None or found[0] not in staged:
                continue
            key, rel = found
            out = staged[key].joinpath(*rel.parts)
            out.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            source = tar.extractfile(member)
            assert source is not None  # a regular file
            fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with source, os.fdopen(fd, "wb") as dst:
                shutil.copyfileobj(source, dst, 1024 * 1024)
    except (tarfile.TarError, EOFError) as exc:
        discard(staged)
        raise _damaged(path, exc) from exc
    except OSError as exc:
        discard(staged)
        raise BackupError(
            _("The files of the backup cannot be written: %(reason)s. Nothing was restored.")
            % {"reason": exc.strerror or exc}
        ) from exc
    except BaseException:
        discard(staged)
        raise
    return staged


def discard(staged: dict[str, Path]) -> None:
    for folder in staged.values():
        shutil.rmtree(folder, ignore_errors=True)


def put_in_place(staged: dict[str, Path], targets: list[tuple[DataFolder, Path]]) -> None:
    """Rename each staging folder to its target (which holds no file: checked before)."""
    for folder, root in targets:
        if folder.key not in staged:
            continue
        if root.exists():
            shutil.rmtree(root)  # empty folders only (refuse_if_folders_hold_files)
        os.replace(staged[folder.key], root)
        with contextlib.suppress(OSError):
            root.chmod(0o700)
