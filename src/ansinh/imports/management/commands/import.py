# ruff: noqa: N999 - the command is "ansinh import": Django names it by its module
"""``ansinh import KIND FILE --commune CODE [--dry-run] [--skip-invalid] [--mapping FILE]``:
the web import's steps from the shell, as the system ("ansinh import").

Prints a one-line summary and exits 0 (all good), 1 (rows with problems: nothing written
unless ``--skip-invalid``) or 2 (the file cannot be read, or the command is wrong).
``--mapping`` is a JSON file ``{"full_name": "Họ và tên", ...}`` (column key → header text)
for a file whose headers are not recognised; ``--problems FILE`` writes every problem as
an XLSX workbook (the refused rows with the reason).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from ansinh.accounts.scopes import Scope
from ansinh.imports import kinds, services, values
from ansinh.imports.choices import JobState
from ansinh.imports.kinds import CONFIRM, CREATE, INVALID, UNCHANGED, UPDATE
from ansinh.places.models import Commune


class Command(BaseCommand):
    help = "Import a commune's own list (households, poverty, allowances, cards) from XLSX or CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help="households | poverty | allowances | cards")
        parser.add_argument("file", type=Path)
        parser.add_argument("--commune", type=int, required=True)
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument("--skip-invalid", action="store_true")
        parser.add_argument(
            "--confirm-matches",
            action="store_true",
            help="apply the matches found only by name and date of birth",
        )
        parser.add_argument("--mapping", type=Path, help="JSON: column key -> header text")
        parser.add_argument("--problems", type=Path, help="write the refused rows (XLSX) here")

    def handle(self, *args: Any, **options: Any) -> None:
        sys.exit(self.run(**options))

    def _fail(self, message: str, code: int = 2) -> int:
        self.stderr.write(message)
        return code

    def run(self, **options: Any) -> int:
        kind = kinds.get(options["kind"])
        if kind is None:
            names = ", ".join(k.name for k in kinds.kinds())
            return self._fail(
                _("Unknown list “%(kind)s”: %(names)s.") % {"kind": options["kind"], "names": names}
            )
        commune = Commune.objects.filter(code=options["commune"]).first()
        if commune is None:
            return self._fail(_("No commune has the code %(code)s.") % {"code": options["commune"]})
        path: Path = options["file"]
        if not path.is_file():
            return self._fail(_("File not found: %(path)s") % {"path": path})
        scope = Scope.system(commune.code, "ansinh import")
        try:
            job = services.import_upload(
                scope=scope, kind_name=kind.name, commune=commune, source=path, filename=path.name
            )
        except ValidationError as exc:
            return self._fail(f"{path.name}: {' '.join(exc.messages)}")
        try:
            if options["mapping"]:
                job = services.import_map(
                    scope=scope, job=job, mapping=self._mapping(options["mapping"], job.headers)
                )
            missing = kind.required_missing(job.mapping, commune)
            if missing:
                services.import_cancel(scope=scope, job=job)
                labels = ", ".join(str(c.label) for c in missing)
                return self._fail(
                    _("Columns not found in %(file)s: %(labels)s (use --mapping).")
                    % {"file": path.name, "labels": labels}
                )
            if options["dry_run"]:  # (in this process: a server's queue is not waited for)
                job = services.import_check(scope=scope, job=job, now=True)
            else:  # checked as it is imported: nothing is written if a row has a problem
                job = services.import_run(
                    scope=scope,
                    job=job,
                    skip_invalid=options["skip_invalid"],
                    confirm_matches=options["confirm_matches"],
                )
            job.refresh_from_db()
            stopped = job.state == JobState.CHECKED and job.error and not job.problems_total
            if options["dry_run"] and (job.state != JobState.CHECKED or stopped):
                services.import_cancel(scope=scope, job=job)
                return self._fail(job.error or _("The check did not finish."))
            if job.state not in (JobState.CHECKED, JobState.DONE) or stopped:
                return self._fail(job.error or _("The import did not finish."), 1)
            self._problems(job, options["problems"])
            counts = job.counts
            invalid = counts.get(INVALID, 0)
            if job.state == JobState.CHECKED:  # a dry run, or rows with problems
                self.stdout.write(self._summary(path, counts, dry=True))
                services.import_cancel(scope=scope, job=job)
                return 1 if invalid else 0
            result = job.result
            self.stdout.write(
                _(
                    "%(file)s: %(created)s created, %(updated)s updated, %(unchanged)s "
                    "unchanged, %(skipped)s rows skipped."
                )
                % {"file": path.name, **result}
            )
            return 1 if invalid else 0
        except ValidationError as exc:
            return self._fail(" ".join(exc.messages), 1)

    @staticmethod
    def _mapping(path: Path, headers: list[str]) -> dict[str, int | None]:
        try:
            wanted = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValidationError(
                _("The mapping file is not JSON: %(error)s") % {"error": exc}
            ) from exc
        folded = [values.key(h) for h in headers]
        mapping: dict[str, int | None] = {}
        for key, header in dict(wanted).items():
            if values.key(header) not in folded:
                raise ValidationError(
                    _("The mapping names a column the file does not have: %(header)s")
                    % {"header": header}
                )
            mapping[key] = folded.index(values.key(header))
        return mapping

    def _problems(self, job: Any, target: Path | None) -> None:
        if target is None:
            return
        source = services.refused_path(job)
        if source.exists():
            shutil.copyfile(source, target)

    def _summary(self, path: Path, counts: dict[str, int], *, dry: bool) -> str:
        return _(
            "%(file)s (checked, nothing written): %(create)s to create, %(update)s to "
            "update, %(unchanged)s unchanged, %(confirm)s to confirm, %(invalid)s rows with "
            "problems."
        ) % {
            "file": path.name,
            "create": counts.get(CREATE, 0),
            "update": counts.get(UPDATE, 0),
            "unchanged": counts.get(UNCHANGED, 0),
            "confirm": counts.get(CONFIRM, 0),
            "invalid": counts.get(INVALID, 0),
        }
