"""Health-insurance pages: coverage, people to follow up, a household's cards, reminder
stages and the campaign view. Reads through scoped selectors, writes through services."""

from __future__ import annotations

import datetime as dt
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.accounts.decorators import actor_of, scoped
from ansinh.accounts.scopes import Scope
from ansinh.insurance import selectors, services
from ansinh.insurance.choices import STATE_PAID_GROUPS, CoverageStatus
from ansinh.insurance.forms import CardForm, CardImportForm, StageForm, TargetForm
from ansinh.insurance.imports import cards_import
from ansinh.insurance.models import CommuneInsuranceSettings, ReminderStage
from ansinh.places.models import Commune
from ansinh.registry import selectors as registry
from ansinh.registry.choices import LifeStatus
from ansinh.registry.forms import apply_errors
from ansinh.rules.errors import MissingParameterError
from ansinh.rules.insurance import household_contributions


def _day(request: HttpRequest) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return timezone.localdate()


def _settings(scope: Scope) -> CommuneInsuranceSettings:
    obj, _created = CommuneInsuranceSettings.objects.get_or_create(commune_id=scope.commune_code)
    return obj


def _chart(series: list[tuple[dt.date, float]], target: float | None) -> dict[str, Any]:
    """An inline SVG line chart (no JavaScript, no CDN): points in a 600×200 box."""
    if not series:
        return {}
    rates = [r for _, r in series] + ([target] if target is not None else [])
    low = max(0.0, min(rates) - 0.03)
    high = min(1.0, max(rates) + 0.02)
    span = (high - low) or 0.01
    step = 560 / max(1, len(series) - 1)

    def y(rate: float) -> float:
        return round(180 - (rate - low) / span * 160, 1)

    points = [
        {"x": round(20 + i * step, 1), "y": y(r), "label": f"{d:%m/%Y}", "rate": r * 100}
        for i, (d, r) in enumerate(series)
    ]
    return {
        "points": points,
        "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
        "target_y": y(target) if target is not None else None,
        "low": low * 100,
        "high": high * 100,
    }


@scoped()
def coverage(request: HttpRequest, scope: Scope) -> HttpResponse:
    day = _day(request)
    conf = _settings(scope)
    form = TargetForm(
        request.POST or None,
        initial={
            "coverage_target_percent": conf.coverage_target_percent,
            "expiring_days": conf.expiring_days,
        },
    )
    if request.method == "POST" and scope.can_edit and form.is_valid():
        conf.coverage_target_percent = form.cleaned_data["coverage_target_percent"]
        conf.expiring_days = form.cleaned_data["expiring_days"]
        conf.save()
        messages.success(request, _("Saved."))
        return redirect("insurance:coverage")
    rows = selectors.coverage_by_village(scope, day)
    target = float(conf.coverage_target_percent) / 100 if conf.coverage_target_percent else None
    series = selectors.coverage_series(scope, day, months=12)
    return render(
        request,
        "insurance/coverage.html",
        {
            "day": day,
            "rows": rows[:-1],
            "total": rows[-1],
            "target": target,
            "chart": _chart(series, target),
            "form": form,
            "expiring_days": conf.expiring_days,
        },
    )


@scoped()
def people(request: HttpRequest, scope: Scope) -> HttpResponse:
    day = _day(request)
    status = request.GET.get("status") or CoverageStatus.EXPIRING
    if status not in CoverageStatus.values:
        status = CoverageStatus.EXPIRING
    village_id = int(request.GET["village"]) if request.GET.get("village", "").isdigit() else None
    conf = _settings(scope)
    rows = selectors.people_by_status(
        scope, day, status, expiring_days=conf.expiring_days, village_id=village_id
    )
    return render(
        request,
        "insurance/people.html",
        {
            "day": day,
            "rows": rows,
            "status": status,
            "statuses": [s for s in CoverageStatus.choices if s[0] != CoverageStatus.COVERED],
            "villages": registry.villages_for(scope),
            "village_id": village_id,
            "expiring_days": conf.expiring_days,
        },
    )


@scoped()
def household_cards(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    household = registry.household_get(scope, pk)
    today = timezone.localdate()
    members = list(registry.household_members(household))
    living = [m for m in members if m.life_status == LifeStatus.LIVING]
    form = CardForm(
        request.POST or None,
        members=household.members.filter(life_status=LifeStatus.LIVING),
    )
    if request.method == "POST" and scope.can_edit and form.is_valid():
        try:
            services.card_register(actor=actor_of(request), **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Card saved."))
            return redirect("insurance:household_cards", pk=household.pk)
    cards = {m.pk: list(selectors.person_cards(m)) for m in members}
    rows = []
    paying = 0
    for m in living:
        last = cards[m.pk][0] if cards[m.pk] else None
        last_to = max((c.valid_to for c in cards[m.pk] if c.valid_from <= today), default=None)
        status = selectors.status_of(last_to, today, _settings(scope).expiring_days)
        state_paid = last is not None and last.group_code in STATE_PAID_GROUPS
        paying += not state_paid
        rows.append({"person": m, "cards": cards[m.pk], "status": status, "last_to": last_to})
    try:
        ladder = household_contributions(paying, today, 12) if paying else []
        ladder_error = ""
    except MissingParameterError as exc:
        ladder, ladder_error = [], str(exc)
    return render(
        request,
        "insurance/household_cards.html",
        {
            "household": household,
            "rows": rows,
            "form": form,
            "ladder": ladder,
            "ladder_total": sum(c.amount for c in ladder),
            "ladder_error": ladder_error,
            "paying": paying,
        },
    )


@scoped()
def stages(request: HttpRequest, scope: Scope) -> HttpResponse:
    commune_obj = Commune.objects.get(code=scope.commune_code)
    services.stages_ensure_defaults(commune=commune_obj)
    all_stages = ReminderStage.objects.filter(commune=commune_obj).order_by("days")
    longest = services.longest_head_name(commune_obj)
    example = services.sample_context(commune_obj, longest)
    zalo_example = services.sample_context(commune_obj, longest, zalo=True)
    rows = []
    for stage in all_stages:
        rows.append(
            {
                "stage": stage,
                "sms": services.render(stage.sms_template, example),
                "zalo": services.render(stage.zalo_template, zalo_example)
                if stage.zalo_template
                else "",
            }
        )
    return render(request, "insurance/stages.html", {"rows": rows, "example": example})


@scoped(need="can_edit")
def stage_edit(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    stage = get_object_or_404(ReminderStage, pk=pk, commune_id=scope.commune_code)
    form = StageForm(
        request.POST or None,
        initial={
            "sms_template": stage.sms_template,
            "zalo_template": stage.zalo_template,
            "is_active": stage.is_active,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.stage_update(actor=actor_of(request), stage=stage, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("insurance:stages")
    return render(request, "insurance/stage_form.html", {"form": form, "stage": stage})


@scoped()
def campaign(request: HttpRequest, scope: Scope) -> HttpResponse:
    day = _day(request)
    months = selectors.campaign(scope, day, months=8)
    conf = _settings(scope)
    target = float(conf.coverage_target_percent) / 100 if conf.coverage_target_percent else None
    chart = _chart([(m.month, m.coverage) for m in months], target)
    return render(
        request, "insurance/campaign.html", {"months": months, "chart": chart, "day": day}
    )


@scoped(need="can_edit")
def card_import(request: HttpRequest, scope: Scope) -> HttpResponse:
    form = CardImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        if suffix not in {".csv", ".xlsx", ".xlsm"}:
            form.add_error("file", _("Choose a .csv or .xlsx file."))
        else:
            with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
                for chunk in upload.chunks():
                    tmp.write(chunk)
                tmp.flush()
                try:
                    report = cards_import(
                        path=Path(tmp.name),
                        commune=Commune.objects.get(code=scope.commune_code),
                        actor=actor_of(request),
                        skip_invalid=form.cleaned_data["skip_invalid"],
                    )
                except (ValueError, KeyError, OSError, zipfile.BadZipFile) as exc:
                    form.add_error("file", _("The file cannot be read: %(error)s") % {"error": exc})
            if report is not None and not report.problems:
                messages.success(
                    request,
                    _("%(created)s cards imported, %(already)s already recorded.")
                    % {"created": report.created, "already": report.already},
                )
    return render(request, "insurance/card_import.html", {"form": form, "report": report})
