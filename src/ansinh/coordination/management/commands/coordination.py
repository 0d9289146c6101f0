"""``ansinh coordination digest [--date D] [--commune CODE]``: queue the officers' daily
digest of overdue coordination items (idempotent: one message per officer and day)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ansinh.coordination.digest import digest_send
from ansinh.coordination.models import Item
from ansinh.places.models import Commune


class Command(BaseCommand):
    help = "Coordination board jobs: the officers' daily digest of overdue items."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        digest = sub.add_parser("digest", help="queue the digest of overdue items")
        digest.add_argument("--date", type=dt.date.fromisoformat, default=None)
        digest.add_argument(
            "--commune",
            type=int,
            action="append",
            default=None,
            help="commune code (repeatable); default: every commune with items",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = options["date"] or timezone.localdate()
        codes = options["commune"] or sorted(
            set(Item.objects.values_list("commune_id", flat=True).distinct())
        )
        for code in codes:
            commune = Commune.objects.filter(code=code).first()
            if commune is None:
                raise CommandError(f"Không có xã mã {code} (no commune {code}).")
            report = digest_send(commune_code=code, today=today)
            self.stdout.write(
                f"{commune.name} {today:%d/%m/%Y}: {report.overdue} việc quá hạn, "
                f"{report.queued} tin nhắn mới cho {report.officers} cán bộ."
            )
