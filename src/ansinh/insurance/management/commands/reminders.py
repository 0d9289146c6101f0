"""``ansinh reminders plan [--date D] [--commune CODE]``: create the day's renewal reminders.

Idempotent: run it from cron every morning (or several times a day); a household gets one
reminder per expiry date and stage whatever happens. ``ansinh messages dispatch`` sends them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ansinh.accounts.scopes import Scope
from ansinh.insurance.services import reminders_plan
from ansinh.places.models import Commune
from ansinh.registry.models import Household


class Command(BaseCommand):
    help = "Plan health-insurance renewal reminders for a day (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        plan = sub.add_parser("plan", help="create the reminders due on a date")
        plan.add_argument("--date", type=dt.date.fromisoformat, default=None)
        plan.add_argument(
            "--commune",
            type=int,
            action="append",
            default=None,
            help="commune code (repeatable); default: every commune with households",
        )
        plan.add_argument("--catch-up-days", type=int, default=2)
        plan.add_argument("--channel", choices=["sms", "zalo", "outbox"], default="sms")

    def handle(self, *args: Any, **options: Any) -> None:
        on = options["date"] or timezone.localdate()
        codes = options["commune"] or list(
            Household.objects.values_list("commune_id", flat=True).distinct()
        )
        for code in codes:
            commune = Commune.objects.filter(code=code).first()
            if commune is None:
                raise CommandError(f"Không có xã mã {code} (no commune {code}).")
            report = reminders_plan(
                scope=Scope.system(commune.code, "reminders plan"),
                commune=commune,
                on=on,
                catch_up_days=options["catch_up_days"],
                channel=options["channel"],
            )
            self.stdout.write(
                f"{commune.name} {on:%d/%m/%Y}: {report.created} nhắc mới "
                f"({', '.join(f'{k} {v}' for k, v in report.by_stage.items()) or '-'}), "
                f"{report.already_planned} đã có, {report.no_phone} hộ không có số di động, "
                f"{report.nothing_to_pay} hộ không phải tự đóng."
            )
