"""``ansinh policy export [--output FILE]`` and ``ansinh policy import FILE --commune CODE``.

Export writes the approved values as a parameter file (overlay format, docs/rules.md) — the
file a province distributes and that the batch commands read with ``--parameters``. Import
enters the file's values that are not in force yet; each waits for a second person's approval
on the Policy parameters page, as a value entered by hand.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ansinh.accounts.scopes import Scope
from ansinh.places.models import Commune
from ansinh.policy import services


class Command(BaseCommand):
    help = "Export the approved policy values, or import a parameter file for approval."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        exp = sub.add_parser("export")
        exp.add_argument("--output", type=Path)
        imp = sub.add_parser("import")
        imp.add_argument("file", type=Path)
        imp.add_argument("--commune", type=int, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "export":
            text = services.export_yaml()
            if options.get("output"):
                options["output"].write_text(text, encoding="utf-8")
                self.stdout.write(f"Đã ghi {options['output']}.")
            else:
                self.stdout.write(text, ending="")
            return
        commune = Commune.objects.filter(code=options["commune"]).first()
        if commune is None:
            raise CommandError(f"Không có xã mã {options['commune']}.")
        path: Path = options["file"]
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Không đọc được tệp {path}: {exc}") from exc
        try:
            created = services.policy_import(
                scope=Scope.system(commune.code, "policy import"), text=text, source=path.name
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            f"{len(created)} giá trị đã nhập, chờ người thứ hai phê duyệt tại trang "
            "Tham số chính sách."
        )
