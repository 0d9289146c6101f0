"""A card list imported in one go, for the card page (``insurance:card_import``) and the
command ``ansinh cards import``: :func:`cards_import` runs the framework's steps (upload,
then check and commit in one pass: ``import_run``) and returns an :class:`ImportReport`; a
file that cannot be read or lacks the columns is a ``ValidationError`` on ``file``, and with
bad rows nothing is written unless the caller skips them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ansinh.accounts.scopes import Scope
from ansinh.imports import services
from ansinh.imports.choices import JobState
from ansinh.imports.kinds import CONFIRM
from ansinh.insurance.imports.cards import CardsImport
from ansinh.places.models import Commune


@dataclass
class ImportReport:
    """What :func:`cards_import` did: ``problems`` are (sheet row, column key, message)."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    already: int = 0  # unchanged
    to_confirm: int = 0  # found only by name: left out (confirm them on the import page)
    problems: list[tuple[int, str, str]] = field(default_factory=list)
    job_id: int | None = None


def cards_import(
    *,
    commune: Commune,
    scope: Scope,
    path: Path | None = None,
    upload: IO[bytes] | None = None,
    filename: str = "",
    skip_invalid: bool = False,
) -> ImportReport:
    """Upload, check and (when every row is good, or ``skip_invalid``) import a card list at
    once: the framework's steps, for the card page and ``ansinh cards import``. A file that
    cannot be read, or without the columns, is a ``ValidationError`` on ``file``."""
    source: Path | IO[bytes] | None = path if path is not None else upload
    if source is None:
        raise ValidationError({"file": [_("Choose a file.")]})
    name = filename or (path.name if path is not None else "cards.csv")
    job = services.import_upload(
        scope=scope, kind_name=CardsImport.name, commune=commune, source=source, filename=name
    )
    kind = services.kind_of(job)
    missing = kind.required_missing(job.mapping, commune)
    if missing:
        services.import_cancel(scope=scope, job=job)
        labels = ", ".join(str(c.label) for c in missing)
        raise ValidationError(
            {"file": [_("Columns not found in the file: %(labels)s.") % {"labels": labels}]}
        )
    # checked as it is imported (nobody reads a preview in between): rows with problems stop
    # it before anything is written, unless skip_invalid
    job = services.import_run(scope=scope, job=job, skip_invalid=skip_invalid)
    job.refresh_from_db()
    stopped = job.state == JobState.CHECKED and not job.problems_total
    if job.state not in (JobState.CHECKED, JobState.DONE) or stopped:
        error = job.error or _("The import did not finish.")
        if job.state != JobState.IMPORTING:
            services.import_cancel(scope=scope, job=job)
        raise ValidationError({"file": [error]})
    report = ImportReport(rows=job.total, job_id=job.pk, to_confirm=job.counts.get(CONFIRM, 0))
    problems = sorted(services.all_problems(job), key=lambda p: p.row)
    report.problems = [(p.row, p.column, services.render(p.message, p.params)) for p in problems]
    if job.state != JobState.DONE:  # rows with problems: nothing written
        services.import_cancel(scope=scope, job=job)
        return report
    report.created = job.result["created"]
    report.updated = job.result["updated"]
    report.already = job.result["unchanged"]
    return report
