"""The registry's start page (villages, counts, pending proposals)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ansinh.accounts.choices import Role
from ansinh.accounts.decorators import scoped
from ansinh.accounts.scopes import Scope
from ansinh.core.backups import backup_status
from ansinh.registry import selectors


@scoped()
def home(request: HttpRequest, scope: Scope) -> HttpResponse:
    rows = [
        {"village": c.village, "households": c.households, "persons": c.persons}
        for c in selectors.village_counts(scope)
    ]
    return render(
        request,
        "registry/home.html",
        {
            "rows": rows,
            "total_households": sum(r["households"] for r in rows),
            "total_persons": sum(r["persons"] for r in rows),
            "pending_proposals": selectors.proposals_for(scope, pending_only=True).count(),
            # The officer looks after the installation: the newest backup (a folder read).
            "backup": backup_status() if scope.role == Role.OFFICER else None,
        },
    )
