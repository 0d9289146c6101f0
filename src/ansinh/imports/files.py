"""Where an import's files live and what it writes beside the upload: the stored file
(mode 0600 under ``VAR_DIR/imports/``), the progress of a running step (a small JSON file:
a running transaction's own writes are invisible to the page that polls) and the workbook of
the rows not imported, with the reason in a last column."""

from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from ansinh.core.spreadsheet import xlsx_bytes
from ansinh.imports.kinds import CONFIRM, ImportKind, Plan
from ansinh.imports.models import ImportJob
from ansinh.imports.table import Table, column_letter


def imports_dir() -> Path:
    folder = Path(settings.VAR_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        folder.chmod(0o700)
    return folder


def stored_path(job: ImportJob) -> Path:
    return imports_dir() / job.stored_name


def refused_path(job: ImportJob) -> Path:
    return imports_dir() / f"{job.stored_name}.refused.xlsx"


def progress_path(job: ImportJob) -> Path:
    return imports_dir() / f"{job.stored_name}.progress"


class ProgressFile:
    """Writes (done, total) to the job's progress file at most twice a second."""

    def __init__(self, job: ImportJob, phase: str) -> None:
        self.path, self.phase, self.last = progress_path(job), phase, 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.5 and done < total:
            return
        self.last = now
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"phase": self.phase, "done": done, "total": total}))
        tmp.replace(self.path)


def progress_of(job: ImportJob) -> dict[str, Any]:
    """The running step's progress as the page shows it ({} when unknown)."""
    try:
        data = json.loads(progress_path(job).read_text())
    except (OSError, ValueError):
        return {}
    total = int(data.get("total") or 0)
    done = int(data.get("done") or 0)
    return {**data, "percent": min(100, round(100 * done / total)) if total else 0}


def write_refused(
    job: ImportJob, kind: ImportKind, table: Table, plan: Plan, *, skipped_confirm: bool
) -> None:
    """The rows that are not imported, as they were in the file, with the reason in a last
    column (and the column's letter), so the officer can fix them and import that file."""
    reasons: dict[int, list[str]] = {}
    labels = {c.key: str(c.label) for c in kind.columns}
    letters = {k: column_letter(int(i)) for k, i in job.mapping.items()}
    for problem in plan.problems:
        where = labels.get(problem.column, "")
        if problem.column in letters:
            where = _("%(field)s (column %(letter)s)") % {
                "field": where,
                "letter": letters[problem.column],
            }
        text = render(problem.message, problem.params)
        reasons.setdefault(problem.row, []).append(f"{where}: {text}" if where else text)
    if skipped_confirm:
        for row, (message, params) in plan.notes.items():
            if plan.actions.get(row) == CONFIRM:
                reasons.setdefault(row, []).append(render(message, params))
    path = refused_path(job)
    if not reasons:
        path.unlink(missing_ok=True)
        return
    width = len(job.headers)
    rows = []
    by_number = dict(zip(table.numbers, table.rows, strict=True))
    for number in sorted(reasons):
        cells = list(by_number.get(number, []))[:width]
        cells += [None] * (width - len(cells))
        rows.append([number, *[_cell(v) for v in cells], "; ".join(reasons[number])])
    headings = [_("Row in the file"), *job.headers, _("Why it was not imported")]
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(xlsx_bytes(_("Not imported"), headings, rows))
    os.chmod(tmp, 0o600)
    tmp.replace(path)


def _cell(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def render(message: str, params: dict[str, Any]) -> str:
    """A problem's message in the reader's language."""
    text = _(message)
    try:
        return text % params if params else text
    except (KeyError, TypeError, ValueError):
        return text
