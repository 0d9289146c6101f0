"""``ansinh demo``: build the demo commune (used by ``make demo`` and the benchmarks)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from ansinh.demo.assistance import build_assistance
from ansinh.demo.builder import DEMO_COMMUNE_CODE, build_registry
from ansinh.demo.coordination import build_coordination
from ansinh.demo.insurance import REMINDERS_MONTHS, build_insurance
from ansinh.demo.outreach import build_outreach
from ansinh.demo.poverty import build_poverty
from ansinh.demo.story import play
from ansinh.registry.models import Household


class Command(BaseCommand):
    help = "Build a realistic demo commune (Xã Tân Đông, Tây Ninh) with demo users."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--households", type=int, default=4700)
        parser.add_argument("--commune", type=int, default=DEMO_COMMUNE_CODE)
        parser.add_argument(
            "--as-of",
            type=dt.date.fromisoformat,
            default=None,
            help="Reference date (YYYY-MM-DD); default today.",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has households.",
        )
        parser.add_argument(
            "--no-story", action="store_true", help="Skip the worked examples (history, proposals)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Household.objects.exists():
            self.stdout.write("Dữ liệu đã có: không tạo lại xã mẫu. (Database not empty.)")
            return
        started = time.perf_counter()
        result = build_registry(
            seed=options["seed"],
            households=options["households"],
            commune_code=options["commune"],
            as_of=options["as_of"],
            progress=lambda m: self.stdout.write(f"  … {m}") if options["verbosity"] > 1 else None,
        )
        if not options["no_story"]:
            with transaction.atomic():
                play(result.commune.code)
            as_of = options["as_of"] or timezone.localdate()
            review = build_poverty(commune=result.commune, as_of=as_of, seed=options["seed"])
            self.stdout.write(f"Rà soát hộ nghèo: {review}")
            cards = build_insurance(commune=result.commune, as_of=as_of, seed=options["seed"])
            self.stdout.write(
                f"BHYT: {cards['cards']:,} thẻ, {cards['reminders']:,} tin nhắc gia hạn "
                f"trong {REMINDERS_MONTHS} tháng."
            )
            allowances = build_assistance(commune=result.commune, as_of=as_of, seed=options["seed"])
            self.stdout.write(f"Trợ cấp xã hội: {allowances}")
            board = build_coordination(commune=result.commune, as_of=as_of)
            self.stdout.write(
                f"Điều phối: {board['items']} việc trong 4 tuần, {board['open']} việc chưa xong, "
                f"{board['messages']} tin nhắn báo cho cán bộ, trưởng ấp."
            )
            outreach = build_outreach(commune=result.commune, as_of=as_of)
            self.stdout.write(
                f"Tuyên truyền: {outreach['broadcasts']} lượt phát thanh, "
                f"{outreach['messages']} tin nhắn gửi hộ dân."
            )
        cache.clear()  # figures kept for an earlier database in the same folder
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Xã mẫu {result.commune.name} ({result.commune.province.name}): "
                f"{len(result.villages)} ấp, {result.households:,} hộ, "
                f"{result.persons:,} nhân khẩu "
                f"({seconds:.1f} s)."
            )
        )
        self.stdout.write("Tài khoản mẫu / demo logins:")
        for username, password, who in result.users:
            self.stdout.write(f"  {username:<12} {password:<14} {who}")
