"""``ansinh cards import FILE --commune CODE [--skip-invalid]``: load the agency's card list.

The card import of the shared framework (kind ``cards``), at once; ``ansinh import cards``
does the same with ``--dry-run``, ``--mapping`` and ``--confirm-matches``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ansinh.accounts.scopes import Scope
from ansinh.insurance.imports import cards_import
from ansinh.places.models import Commune


class Command(BaseCommand):
    help = "Import health-insurance card periods from a CSV or XLSX file (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import")
        imp.add_argument("file", type=Path)
        imp.add_argument("--commune", type=int, required=True)
        imp.add_argument("--skip-invalid", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        commune = Commune.objects.filter(code=options["commune"]).first()
        if commune is None:
            raise CommandError(f"Không có xã mã {options['commune']}.")
        if not options["file"].exists():
            raise CommandError(f"Không thấy tệp {options['file']}.")
        try:
            report = cards_import(
                path=options["file"],
                commune=commune,
                scope=Scope.system(commune.code, "cards import"),
                skip_invalid=options["skip_invalid"],
            )
        except ValidationError as exc:
            raise CommandError(f"{options['file'].name}: {' '.join(exc.messages)}") from exc
        for row, column, problem in report.problems:
            self.stderr.write(f"{options['file'].name}: dòng {row}, cột {column}: {problem}")
        self.stdout.write(
            f"{report.rows} dòng: {report.created} thẻ mới, {report.updated} thẻ sửa, "
            f"{report.already} đã có, {report.to_confirm} cần xác nhận, "
            f"{len(report.problems)} lỗi."
        )
        if report.problems and not options["skip_invalid"]:
            raise CommandError("Có dòng lỗi: chưa ghi gì. Sửa tệp hoặc dùng --skip-invalid.")
