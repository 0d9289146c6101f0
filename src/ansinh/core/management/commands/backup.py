"""``ansinh backup [--to DIR] [--keep N]``: a consistent, dated copy of the whole database and
of the files it refers to (the data folders apps register: the coordination photos), in one
archive (ADR 0013).

Safe while the application runs (SQLite's online backup API; ``pg_dump`` on PostgreSQL).
Run it daily from a systemd timer or cron (docs/deploy.md); the officer's home warns when the
newest backup is older than two days. See :mod:`ansinh.core.backups`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ansinh.core.backups import BackupError, backup_create, backup_dir


class Command(BaseCommand):
    help = (
        "Back up the whole database and the files it refers to (consistent while the app "
        "runs), dated, with retention."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--to",
            type=Path,
            default=None,
            help=f"folder (default ANSINH_BACKUP_DIR: {backup_dir()})",
        )
        parser.add_argument(
            "--keep",
            type=int,
            default=None,
            help="newest backups kept (default ANSINH_BACKUP_KEEP, 14); the newest of each "
            "of the last 12 months is kept too",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = backup_create(to=options["to"], keep=options["keep"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        backup = report.backup
        self.stdout.write(
            _("Backup written: %(path)s (%(size)s, %(seconds).1f s, taken %(at)s).")
            % {
                "path": backup.path,
                "size": filesizeformat(backup.size),
                "seconds": report.seconds,
                "at": timezone.localtime(backup.taken_at).strftime("%d/%m/%Y %H:%M:%S"),
            }
        )
        self.stdout.write(_("Files of the data folders carried: %(n)s.") % {"n": report.files})
        if report.missing:
            self.stderr.write(
                ngettext(
                    "Warning: %(n)s file the database refers to is missing on disk and is not "
                    "in the backup:",
                    "Warning: %(n)s files the database refers to are missing on disk and are "
                    "not in the backup:",
                    len(report.missing),
                )
                % {"n": len(report.missing)}
            )
            for name in report.missing:
                self.stderr.write(f"  {name}")
        for old in report.removed:
            self.stdout.write(_("Old backup removed: %(name)s") % {"name": old.name})
