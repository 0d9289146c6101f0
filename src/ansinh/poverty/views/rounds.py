"""Review rounds: the list, a round's page, its committee, its steps, the committee check and
decision, movements and the report upward.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ansinh.accounts.decorators import scoped
from ansinh.accounts.scopes import Scope
from ansinh.core.web import form_action, int_param, post_action
from ansinh.places import selectors as places
from ansinh.poverty import selectors, services
from ansinh.poverty.choices import (
    ROUND_STATUS_ORDER,
    EntryStatus,
    RoundStatus,
)
from ansinh.poverty.forms import (
    CommitteeForm,
    DecisionForm,
    HouseholdAddForm,
    ReportForm,
    RoundForm,
)
from ansinh.poverty.views.common import _commune_wide
from ansinh.registry import selectors as registry


@scoped()
def rounds(request: HttpRequest, scope: Scope) -> HttpResponse:
    form = RoundForm(request.POST or None)
    if request.method == "POST" and not scope.can_edit:
        raise PermissionDenied
    if done := form_action(
        request,
        form,
        lambda: services.round_open(
            scope=scope, commune=places.commune_get(scope.commune_code), **form.cleaned_data
        ),
    ):
        messages.success(request, _("Round opened."))
        return redirect("poverty:round", done.value.pk)
    today = timezone.localdate()
    return render(
        request,
        "poverty/rounds.html",
        {
            "rounds": selectors.rounds_for(scope),
            "form": form,
            "rates": selectors.rates_shown(scope, today),
            "today": today,
        },
    )


@scoped()
def round_detail(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    rnd = selectors.round_get(scope, pk)
    entries = selectors.entries_for(scope, rnd)
    village = request.GET.get("village", "")
    village_id = int_param(village)
    if village_id is not None:
        entries = entries.filter(village_id=village_id)
    status = request.GET.get("status", "")
    if status in EntryStatus.values:
        entries = entries.filter(status=status)
    rows = list(entries)
    heads = selectors.head_names([e.household_id for e in rows])
    for e in rows:
        e.head_name = heads.get(e.household_id, "")  # type: ignore[attr-defined]
    counts = selectors.status_counts(rnd, scope)
    return render(
        request,
        "poverty/round.html",
        {
            "round": rnd,
            "rows": rows,
            "counts": [(label, counts.get(value, 0)) for value, label in EntryStatus.choices],
            "statuses": EntryStatus.choices,
            "villages": registry.villages_for(scope),
            "village": village,
            "status": status,
            "today": timezone.localdate(),
            "illustrative": selectors.round_uses_illustrative(rnd),
            "committee_form": CommitteeForm(scope=scope),
            "committee": rnd.committee.select_related("user").prefetch_related("villages"),
            "meetings": rnd.meetings.select_related("village"),
            "postings": rnd.postings.select_related("village"),
            "next_statuses": [
                s
                for s in (RoundStatus.SURVEYING, RoundStatus.MEETINGS, RoundStatus.POSTING)
                if ROUND_STATUS_ORDER.index(s) > ROUND_STATUS_ORDER.index(rnd.status)
            ],
            "check": selectors.committee_check(rnd, scope) if scope.can_approve else None,
        },
    )


@scoped(need="can_approve")
def household_add(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    """Put a household on the list. The officer types the household code (GET): the page then
    shows the household's living members, each with its status for the request's member table
    (Form 01/04); htmx swaps that part in as the code is typed, a plain GET does the same."""
    rnd = selectors.round_get(scope, pk)
    if rnd.status in (RoundStatus.DECIDED, RoundStatus.CLOSED):
        raise PermissionDenied
    if request.method == "POST":
        form = HouseholdAddForm(request.POST, scope=scope)
        if done := form_action(
            request,
            form,
            lambda: services.household_add(
                scope=scope,
                rnd=rnd,
                household=form.cleaned_data["household"],
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                request_date=form.cleaned_data.get("request_date"),
                members=form.member_statuses(),
            ),
        ):
            messages.success(request, _("Household added to the list."))
            return redirect("poverty:survey", done.value.pk)
    else:
        code = request.GET.get("household_code", "").strip()
        form = HouseholdAddForm(
            initial={"household_code": code, "request_date": timezone.localdate()}, scope=scope
        )
    context = {
        "round": rnd,
        "form": form,
        "code": form["household_code"].value() or "",
        "head_name": selectors.head_names([form.household.pk]).get(form.household.pk, "")
        if form.household
        else "",
    }
    if request.htmx and request.method == "GET":  # type: ignore[attr-defined]
        return render(request, "poverty/_household_request.html", context)
    return render(request, "poverty/household_add.html", context)


@scoped(need="can_edit")
@require_POST
def committee(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    rnd = selectors.round_get(scope, pk)
    form = CommitteeForm(request.POST, scope=scope)
    if form.is_valid():
        if post_action(
            request, lambda: services.committee_set(scope=scope, rnd=rnd, **form.cleaned_data)
        ):
            messages.success(request, _("Committee member saved."))
    else:
        messages.error(request, _("Choose a user and a role."))
    return redirect("poverty:round", rnd.pk)


@scoped(need="can_edit")
@require_POST
def round_advance(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    rnd = selectors.round_get(scope, pk)
    try:
        services.round_advance(scope=scope, rnd=rnd, status=request.POST["status"])
    except (ValidationError, KeyError, ValueError) as exc:
        messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("poverty:round", rnd.pk)


@scoped(need="can_approve")
def decide(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    rnd = selectors.round_get(scope, pk)
    form = DecisionForm(request.POST or None)
    if form_action(
        request, form, lambda: services.round_decide(scope=scope, rnd=rnd, **form.cleaned_data)
    ):
        messages.success(request, _("Decision recorded: the results are now official."))
        return redirect("poverty:report", rnd.pk)
    return render(
        request,
        "poverty/decide.html",
        {"round": rnd, "form": form, "check": selectors.committee_check(rnd, scope)},
    )


@scoped()
def report(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    rnd = selectors.round_get(scope, pk)
    data = selectors.round_report(rnd, scope, timezone.localdate())
    return render(
        request,
        "poverty/report.html",
        {"round": rnd, "moves": data["moves"], "rates": data["rows"], "on": data["on"]},
    )


@scoped()
def report_up(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    """Step 5: the commune reports the results upward before the chairman's decision."""
    rnd = selectors.round_get(scope, pk)
    _commune_wide(scope)
    initial = {
        "number": rnd.report_number,
        "reported_on": rnd.report_date or timezone.localdate(),
        "recipient": rnd.report_recipient or services.default_report_recipient(rnd.commune),
    }
    form = ReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and not scope.can_edit:
        raise PermissionDenied
    if form_action(
        request,
        form,
        lambda: services.report_record(
            scope=scope,
            rnd=rnd,
            number=form.cleaned_data["number"],
            reported_on=form.cleaned_data["reported_on"],
            recipient=form.cleaned_data["recipient"],
        ),
    ):
        messages.success(request, _("Report recorded."))
        return redirect("poverty:round", rnd.pk)
    data = selectors.round_report(rnd, scope, rnd.report_date or timezone.localdate())
    return render(
        request,
        "poverty/report_up.html",
        {
            "round": rnd,
            "form": form,
            "can_record": scope.can_edit and services.can_report(rnd),
            "data": data,
            "today": timezone.localdate(),
        },
    )
