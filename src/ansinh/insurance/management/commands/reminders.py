"""``ansinh reminders plan [--date D] [--commune CODE]``: create the day's renewal reminders.

Idempotent: run it from cron every morning (or several times a day); a household gets one
reminder per expiry date and stage whatever happens. ``ansinh messages dispatch`` sends them.
The report names each stage and the channel as the pages do ("30 days before expiry", "SMS"),
in the language of the installation (Vietnamese), never by their codes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ansinh.accounts.scopes import Scope
from ansinh.core.numbers import format_number
from ansinh.insurance.models import ReminderStage
from ansinh.insurance.services import PlanReport, reminders_plan
from ansinh.messaging.choices import Channel
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
                raise CommandError(_("No commune with code %(code)s.") % {"code": code})
            report = reminders_plan(
                scope=Scope.system(commune.code, "reminders plan"),
                commune=commune,
                on=on,
                catch_up_days=options["catch_up_days"],
                channel=options["channel"],
            )
            self.stdout.write("\n".join(report_lines(commune, report, options["channel"])))


def report_lines(commune: Commune, report: PlanReport, channel: str) -> list[str]:
    """The plan of one commune as an officer reads it: the stages by their names, the
    channel by its label, every count with its meaning."""
    lang = "vi" if (translation.get_language() or "vi").startswith("vi") else "en"
    stages = {stage.code: stage.label for stage in ReminderStage.objects.filter(commune=commune)}

    def n(value: int) -> str:
        return format_number(value, lang=lang)

    lines = [
        ngettext(
            "%(commune)s, %(date)s: %(created)s new reminder (channel: %(channel)s).",
            "%(commune)s, %(date)s: %(created)s new reminders (channel: %(channel)s).",
            report.created,
        )
        % {
            "commune": commune.name,
            "date": f"{report.on:%d/%m/%Y}",
            "created": n(report.created),
            "channel": Channel(channel).label,
        }
    ]
    lines += [f"  {stages[code]}: {n(count)}" for code, count in report.by_stage.items()]
    lines += [
        "  " + _("Already planned: %(n)s") % {"n": n(report.already_planned)},
        "  " + _("Households without a mobile number: %(n)s") % {"n": n(report.no_phone)},
        "  "
        + _("Households with nothing to pay themselves: %(n)s") % {"n": n(report.nothing_to_pay)},
    ]
    return lines
