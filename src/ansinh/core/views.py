from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ansinh.accounts.decorators import scoped
from ansinh.accounts.scopes import Scope
from ansinh.registry import selectors
from ansinh.registry.choices import HouseholdStatus, LifeStatus


@scoped()
def home(request: HttpRequest, scope: Scope) -> HttpResponse:
    villages = selectors.villages_for(scope).annotate(
        household_count=Count(
            "households", filter=Q(households__status=HouseholdStatus.ACTIVE), distinct=True
        ),
    )
    person_counts = dict(
        selectors.persons_for(scope)
        .filter(life_status=LifeStatus.LIVING)
        .values_list("village_id")
        .annotate(n=Count("id"))
        .values_list("village_id", "n")
    )
    rows = [{"village": v, "households": v.household_count, "persons": person_counts.get(v.id, 0)} for v in villages]
    return render(
        request,
        "core/home.html",
        {
            "rows": rows,
            "total_households": sum(r["households"] for r in rows),
            "total_persons": sum(r["persons"] for r in rows),
            "pending_proposals": selectors.proposals_for(scope, pending_only=True).count(),
        },
    )


def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
