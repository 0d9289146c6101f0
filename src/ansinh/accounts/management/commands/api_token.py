"""``ansinh api_token create USER --name N`` / ``list`` / ``revoke PREFIX``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ansinh.accounts.models import ApiToken, User
from ansinh.accounts.services import api_token_issue, api_token_revoke


class Command(BaseCommand):
    help = "Create, list or revoke API tokens (the raw token is shown once)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("username")
        create.add_argument("--name", default="API")
        sub.add_parser("list")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            user = User.objects.filter(username=options["username"]).first()
            if user is None:
                raise CommandError(f"Không có người dùng {options['username']!r} (no such user).")
            _token, raw = api_token_issue(user=user, name=options["name"])
            self.stdout.write(raw)
        elif action == "list":
            now = timezone.now()
            for t in ApiToken.objects.select_related("user").order_by("created_at"):
                if t.revoked_at:
                    state = "revoked"
                elif t.expires_at <= now:
                    state = "expired"
                elif not t.is_valid(now):
                    state = "password changed"
                else:
                    state = "active"
                expires = timezone.localtime(t.expires_at).strftime("%d/%m/%Y %H:%M")
                self.stdout.write(
                    f"{t.prefix}…  {t.user.username:<12} {t.name:<20} expires {expires}  {state}"
                )
        else:
            matches = list(ApiToken.objects.filter(prefix=options["prefix"]))
            if len(matches) != 1:
                raise CommandError("Không tìm thấy đúng một mã có tiền tố này (prefix not unique).")
            api_token_revoke(token=matches[0])
            self.stdout.write("revoked")
