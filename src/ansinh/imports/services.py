"""The steps of an import, the same for every kind of list:

1. :func:`import_upload` keeps the file (``VAR_DIR/imports/``, readable only by ansinh),
   finds the header row and recognises the columns (the commune's saved mapping first);
2. :func:`import_map` changes the mapping (and saves it for the commune's next file);
3. :func:`import_check` reads, validates and matches every row, writing nothing: the preview
   (counts, each problem with its sheet row, column, value and message, the refused rows as a
   workbook);
4. :func:`import_commit` checks again (the records may have changed since the preview: what
   was true then is not trusted now) and writes all or nothing — or, when the officer says so,
   everything but the bad rows — in one transaction, with one audit event naming the file;
   :func:`import_run` does steps 3 and 4 in one pass, for the command line, where nobody reads
   a preview in between (the check before writing is then the only one);
5. :func:`import_cancel` forgets a job and its file.

Steps 3 and 4 run as background tasks (:mod:`ansinh.imports.tasks`) and report their
progress in a small file beside the upload (a running transaction's own writes are invisible
to the page that polls). With the default "immediate" task backend they run in the request.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.accounts.permissions import require
from ansinh.accounts.scopes import Scope
from ansinh.core import audit
from ansinh.core.models import AuditAction
from ansinh.core.spreadsheet import SpreadsheetError
from ansinh.core.web import upload_error
from ansinh.imports import kinds as kinds_
from ansinh.imports import values
from ansinh.imports.choices import JobState
from ansinh.imports.files import (
    ProgressFile,
    imports_dir,
    progress_of,
    progress_path,
    refused_path,
    render,
    stored_path,
    write_refused,
)
from ansinh.imports.kinds import CONFIRM, INVALID, ImportKind, Plan, Problem
from ansinh.imports.models import ImportJob, ImportMapping
from ansinh.imports.table import Table, find_header, read_table
from ansinh.places.models import Commune

logger = logging.getLogger(__name__)

#: Problems kept on the job for the preview page; every one is in the refused-rows workbook.
PROBLEMS_KEPT = 200
ALLOWED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")


def kind_of(job: ImportJob) -> ImportKind:
    kind = kinds_.get(job.kind)
    if kind is None:
        raise ValidationError(_("This kind of list cannot be imported."))
    return kind


def _require(scope: Scope, kind: ImportKind, commune_code: int) -> None:
    require(
        scope,
        commune_code,
        can=kind.right,  # type: ignore[arg-type]
        message=_("Your role cannot import this list."),
    )


# --------------------------------------------------------------------------- 1. upload


def import_upload(
    *, scope: Scope, kind_name: str, commune: Commune, source: IO[bytes] | Path, filename: str
) -> ImportJob:
    """Keep the file, find its header and recognise its columns."""
    kind = kinds_.get(kind_name)
    if kind is None:
        raise ValidationError({"kind": [_("This kind of list cannot be imported.")]})
    _require(scope, kind, commune.code)
    suffix = Path(filename).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise ValidationError(
            {"file": [_("Choose an Excel workbook (.xlsx, .xls, .ods) or a CSV file.")]}
        )
    stored = f"{secrets.token_urlsafe(18)}{suffix}"
    target = imports_dir() / stored
    digest = hashlib.sha256()
    with open(target, "xb") as out:
        os.chmod(target, 0o600)
        if isinstance(source, Path):
            with open(source, "rb") as handle:
                _copy(handle, out, digest)
        else:
            _copy(source, out, digest)
    try:
        table = _table(kind, target)
    except SpreadsheetError as exc:
        target.unlink(missing_ok=True)
        raise ValidationError({"file": [upload_error(exc)]}) from exc
    if table.header_index is None:
        target.unlink(missing_ok=True)
        raise ValidationError({"file": [_("The file is empty.")]})
    mapping = _saved_mapping(commune, kind, table.headers) or kinds_.recognise(
        kind.columns, table.headers
    )
    return ImportJob.objects.create(
        commune=commune,
        kind=kind.name,
        filename=Path(filename).name[:200],
        stored_name=stored,
        sha256=digest.hexdigest(),
        size=target.stat().st_size,
        sheet=table.sheet[:100],
        header_row=table.header_row_number,
        headers=table.headers,
        mapping=dict(mapping.items()),
        created_by=audit.actor_user(scope),
        system=audit.actor_system(scope),
    )


def _copy(handle: IO[bytes], out: IO[bytes], digest: Any) -> None:
    for chunk in iter(lambda: handle.read(1 << 20), b""):
        digest.update(chunk)
        out.write(chunk)


def _table(kind: ImportKind, path: Path) -> Table:
    return find_header(read_table(path), kinds_.header_score(kind.columns))


def _saved_mapping(commune: Commune, kind: ImportKind, headers: list[str]) -> dict[str, int]:
    """The commune's saved mapping, where every header it names is in this file."""
    saved = ImportMapping.objects.filter(commune=commune, kind=kind.name).first()
    if saved is None:
        return {}
    folded = [values.key(h) for h in headers]
    mapping: dict[str, int] = {}
    for key, header in saved.columns.items():
        if header in folded and any(c.key == key for c in kind.columns):
            mapping[key] = folded.index(header)
    recognised = kinds_.recognise(kind.columns, headers)
    for key, index in recognised.items():  # columns added to the file since
        if key not in mapping and index not in mapping.values():
            mapping[key] = index
    return mapping


# --------------------------------------------------------------------------- 2. mapping


@transaction.atomic
def import_map(*, scope: Scope, job: ImportJob, mapping: dict[str, int | None]) -> ImportJob:
    """Set which column of the file holds each field; saved for the commune's next file."""
    kind = kind_of(job)
    _require(scope, kind, job.commune_id)
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.state not in {JobState.UPLOADED, JobState.CHECKED, JobState.FAILED}:
        raise ValidationError(_("This import is running or finished: its columns are fixed."))
    chosen: dict[str, int] = {}
    errors: dict[str, list[str]] = {}
    for column in kind.columns:
        index = mapping.get(column.key)
        if index is None:
            continue
        if not 0 <= index < len(job.headers):
            errors[column.key] = [_("Choose a column of the file.")]
        elif index in chosen.values():
            errors[column.key] = [_("This column of the file is already used for another field.")]
        else:
            chosen[column.key] = index
    for column in kind.required_missing(chosen, job.commune):
        errors.setdefault(column.key, []).append(_("Choose the column that holds this field."))
    if errors:
        raise ValidationError(errors)
    job.mapping = chosen
    job.state = JobState.UPLOADED
    job.save(update_fields=["mapping", "state"])
    ImportMapping.objects.update_or_create(
        commune_id=job.commune_id,
        kind=job.kind,
        defaults={"columns": {k: values.key(job.headers[i]) for k, i in chosen.items()}},
    )
    return job


# --------------------------------------------------------------------------- 3. check


def _scope_of(job: ImportJob) -> Scope:
    if job.created_by_id is None:
        return Scope.system(job.commune_id, job.system or "import")
    from ansinh.accounts.scopes import scope_for

    return scope_for(job.created_by)  # type: ignore[arg-type]


def _rows(job: ImportJob, table: Table) -> list[tuple[int, dict[str, Any]]]:
    mapping = {k: int(i) for k, i in job.mapping.items()}
    rows = []
    for number, cells in table.data():
        rows.append((number, {k: cells[i] if i < len(cells) else None for k, i in mapping.items()}))
    return rows


def _plan(job: ImportJob, phase: str) -> tuple[ImportKind, Table, Plan]:
    kind = kind_of(job)
    path = stored_path(job)
    try:
        table = _table(kind, path)
    except (SpreadsheetError, OSError) as exc:
        message = upload_error(exc) if isinstance(exc, SpreadsheetError) else str(exc)
        raise ValidationError(message) from exc
    if table.headers != job.headers:
        raise ValidationError(_("The stored file has changed: upload it again."))
    rows = _rows(job, table)
    plan = kind.check(
        scope=_scope_of(job),
        commune=job.commune,
        rows=rows,
        progress=ProgressFile(job, phase),
    )
    for number, _cells in rows:  # a kind that forgot a row: it is not imported silently
        plan.actions.setdefault(number, INVALID)
    return kind, table, plan


def import_check(*, scope: Scope, job: ImportJob, now: bool = False) -> ImportJob:
    """Start the check (a background task; immediate with the default backend). ``now``:
    run it in this process, whatever the backend (the command line waits for it)."""
    _require(scope, kind_of(job), job.commune_id)
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.state not in {JobState.UPLOADED, JobState.CHECKED, JobState.FAILED}:
            raise ValidationError(_("This import is already running or finished."))
        job.state, job.error = JobState.CHECKING, ""
        job.save(update_fields=["state", "error"])
    if now:
        _run_here(run_check, job)
    else:
        from ansinh.imports import tasks

        tasks.run_check.enqueue(job.pk)
    job.refresh_from_db()
    return job


def _run_here(body: Callable[..., None], job: ImportJob, **options: Any) -> None:
    """Run a task's body in this process. An error is recorded on the job by the body
    (state FAILED, the error) and logged here; the caller reads the job."""
    try:
        body(job.pk, **options)
    except Exception:
        logger.exception("%s of import %s stopped", body.__name__, job.pk)


def run_check(job_id: int) -> None:
    """The check itself (the task's body)."""
    job = ImportJob.objects.select_related("commune").get(pk=job_id)
    if job.state != JobState.CHECKING:
        return
    try:
        kind, table, plan = _plan(job, "check")
    except ValidationError as exc:
        _fail(job, exc.messages[0], back_to=JobState.UPLOADED)
        return
    except Exception as exc:
        _fail(job, _("The check stopped on an unexpected error: %(error)s") % {"error": exc})
        raise
    _store_plan(job, kind, table, plan)
    job.state, job.checked_at = JobState.CHECKED, timezone.now()
    job.save()
    progress_path(job).unlink(missing_ok=True)


def _store_plan(job: ImportJob, kind: ImportKind, table: Table, plan: Plan) -> None:
    job.total = len(plan.actions)
    job.counts = plan.counts()
    job.problems = [p.as_json() for p in plan.problems[:PROBLEMS_KEPT]]
    job.problems_total = len(plan.problems)
    notes: list[tuple[int, str, dict[str, Any]]] = [(r, m, p) for r, (m, p) in plan.notes.items()]
    notes += plan.more_notes
    notes.sort(key=lambda n: n[0])  # stable: a row's first note stays first
    job.notes = [list(n) for n in notes[:PROBLEMS_KEPT]]
    write_refused(job, kind, table, plan, skipped_confirm=not job.confirm_matches)


def problems_of(job: ImportJob) -> list[Problem]:
    return [Problem.from_json(p) for p in job.problems]


def all_problems(job: ImportJob) -> list[Problem]:
    """Every problem of a checked job: the job keeps the first ``PROBLEMS_KEPT``; when the
    check found more, it is run again (writing nothing) to list them all."""
    if job.problems_total <= len(job.problems):
        return problems_of(job)
    try:
        _kind, _table, plan = _plan(job, "check")
    except ValidationError:
        return problems_of(job)
    return plan.problems


def _fail(job: ImportJob, message: str, back_to: str = JobState.FAILED) -> None:
    job.state, job.error = back_to, message[:500]
    job.save(update_fields=["state", "error"])
    progress_path(job).unlink(missing_ok=True)


# --------------------------------------------------------------------------- 4. commit


def import_commit(
    *, scope: Scope, job: ImportJob, skip_invalid: bool = False, confirm_matches: bool = False
) -> ImportJob:
    """Start the import of a checked file (a background task)."""
    _require(scope, kind_of(job), job.commune_id)
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.state != JobState.CHECKED:
            raise ValidationError(_("Check the file before importing it."))
        if job.problems_total and not skip_invalid:
            raise ValidationError(
                _(
                    "%(count)s rows have problems: fix them in the file and upload it again, "
                    "or choose to import without them."
                )
                % {"count": job.counts.get(INVALID, 0)}
            )
        job.state, job.error = JobState.IMPORTING, ""
        job.skip_invalid, job.confirm_matches = skip_invalid, confirm_matches
        job.save(update_fields=["state", "error", "skip_invalid", "confirm_matches"])
    from ansinh.imports.tasks import run_commit

    run_commit.enqueue(job.pk)
    job.refresh_from_db()
    return job


def import_run(
    *, scope: Scope, job: ImportJob, skip_invalid: bool = False, confirm_matches: bool = False
) -> ImportJob:
    """Check and import in one pass, in this process whatever the task backend (the command
    line and the card page wait for the result; nobody reads a preview in between, so the
    check every import makes before it writes is the only one). Rows with problems stop it
    unless ``skip_invalid``: nothing is written and the job is left checked, with its
    problems, as :func:`import_check` leaves it."""
    _require(scope, kind_of(job), job.commune_id)
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.state not in {JobState.UPLOADED, JobState.CHECKED, JobState.FAILED}:
            raise ValidationError(_("This import is already running or finished."))
        job.state, job.error, job.checked_at = JobState.IMPORTING, "", None
        job.skip_invalid, job.confirm_matches = skip_invalid, confirm_matches
        job.save(update_fields=["state", "error", "checked_at", "skip_invalid", "confirm_matches"])
    _run_here(run_commit, job, previewed=False)
    job.refresh_from_db()
    return job


def run_commit(job_id: int, *, previewed: bool = True) -> None:
    """The import itself (the task's body): check again, then write in one transaction.
    ``previewed``: the officer saw a check before (not so for :func:`import_run`)."""
    job = ImportJob.objects.select_related("commune").get(pk=job_id)
    if job.state != JobState.IMPORTING:
        return
    try:
        _commit(job, previewed=previewed)
    except ValidationError as exc:
        _fail(job, "; ".join(exc.messages), back_to=JobState.CHECKED)
    except Exception as exc:
        _fail(job, _("The import stopped on an unexpected error: %(error)s") % {"error": exc})
        raise


def _commit(job: ImportJob, *, previewed: bool) -> None:
    kind, table, plan = _plan(job, "check")
    bad = plan.invalid_rows
    if bad and not job.skip_invalid:
        _store_plan(job, kind, table, plan)
        job.checked_at = timezone.now()
        job.save()
        if not previewed:
            raise ValidationError(
                _("%(count)s rows have problems: nothing was imported.") % {"count": len(bad)}
            )
        raise ValidationError(
            _(
                "The records changed since the check: %(count)s rows now have problems. "
                "Nothing was imported; look at the check again."
            )
            % {"count": len(bad)}
        )
    skip = set(bad)
    if not job.confirm_matches:
        skip |= {row for row, action in plan.actions.items() if action == CONFIRM}
    scope = _scope_of(job)
    note = _("Imported from %(file)s") % {"file": job.filename}
    with transaction.atomic():
        result = kind.apply(
            scope=scope,
            commune=job.commune,
            plan=plan,
            skip=skip,
            note=note[:300],
            progress=ProgressFile(job, "import"),
        )
        result.skipped = len(skip)
        _store_plan(job, kind, table, plan)
        job.checked_at = job.checked_at or timezone.now()
        job.result = result.as_json()
        job.state, job.finished_at = JobState.DONE, timezone.now()
        job.save()
        audit.record(
            actor=scope,
            instance=job,
            action=AuditAction.EVENT,
            note=(
                _(
                    "Import of %(file)s (%(kind)s): %(created)s created, %(updated)s updated, "
                    "%(unchanged)s unchanged, %(skipped)s rows skipped"
                )
                % {"file": job.filename, "kind": kind.label, **job.result}
            )[:300],
            commune_code=job.commune_id,
        )
    stored_path(job).unlink(missing_ok=True)
    progress_path(job).unlink(missing_ok=True)


# --------------------------------------------------------------------------- 5. cancel


@transaction.atomic
def import_cancel(*, scope: Scope, job: ImportJob) -> ImportJob:
    _require(scope, kind_of(job), job.commune_id)
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.state in {JobState.IMPORTING, JobState.DONE}:
        raise ValidationError(_("This import is running or finished: it cannot be cancelled."))
    job.state, job.finished_at = JobState.CANCELLED, timezone.now()
    job.save(update_fields=["state", "finished_at"])
    for path in (stored_path(job), refused_path(job), progress_path(job)):
        path.unlink(missing_ok=True)
    return job


def iter_chunks(items: list[Any], size: int = 1000) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


__all__ = [
    "all_problems",
    "import_cancel",
    "import_check",
    "import_commit",
    "import_map",
    "import_run",
    "import_upload",
    "imports_dir",
    "iter_chunks",
    "problems_of",
    "progress_of",
    "refused_path",
    "render",
    "run_check",
    "run_commit",
    "stored_path",
]
