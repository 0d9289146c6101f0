"""``ansinh restore FILE [--yes]``: put a backup back, into an empty database only.

The target is the configured database (``ANSINH_SQLITE_PATH`` / ``ANSINH_VAR_DIR`` or
``DATABASE_URL``). It must hold no user accounts and no audit entries (a new data folder or
database; one where only ``migrate`` ran is fine): anything else is refused, never
overwritten. The files a backup carries go back into the data folders, which must hold no
files (a new data folder). Stop the web servers and task workers first. Afterwards the
database is migrated to the installed version and the restore is written to the audit log. See
:mod:`ansinh.core.backups` and docs/deploy.md (the restore drill).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils.translation import gettext as _

from ansinh.core.backups import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup (ansinh backup) into an empty database."
    # The checks would open the database before the restore has looked at it.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file",
            type=Path,
            help="a backup file (.sqlite3.tar, -pg.tar; older: .sqlite3.gz, -pg.dump)",
        )
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        target = connection.settings_dict.get("NAME")
        if not options["yes"]:
            if not sys.stdin.isatty():
                raise CommandError(
                    _("Confirm with --yes to restore %(file)s into %(target)s.")
                    % {"file": path, "target": target}
                )
            question = _("Restore %(file)s into %(target)s? [y/N] ") % {
                "file": path,
                "target": target,
            }
            if input(question).strip().lower() not in {"y", "yes", "c", "có", "co"}:
                raise CommandError(_("Nothing was restored."))
        try:
            report = backup_restore(path=path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("Restored %(file)s into %(target)s in %(seconds).1f s.")
            % {"file": path.name, "target": target, "seconds": report.seconds}
        )
        if report.files:
            self.stdout.write(
                _("Files put back into the data folders: %(n)s.") % {"n": report.files}
            )
        if report.migrated:
            self.stdout.write(_("The database was brought to the installed version (migrate)."))
