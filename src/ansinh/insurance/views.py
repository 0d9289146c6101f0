"""Health-insurance pages: coverage, people to follow up, a household's cards, reminder
stages and the campaign view. Reads through scoped selectors, writes through services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ansinh.accounts.decorators import scoped
from ansinh.accounts.scopes import Scope
from ansinh.core.audit import record_export
from ansinh.core.spreadsheet import xlsx_text_bytes
from ansinh.core.web import (
    PROBLEMS_SHOWN,
    date_param,
    form_action,
    int_param,
    page_of,
    post_action,
    problems_download,
)
from ansinh.insurance import documents, followup, selectors, services
from ansinh.insurance.choices import FollowUpReason, Payer
from ansinh.insurance.forms import CardForm, CardImportForm, StageForm, TargetForm
from ansinh.insurance.imports import cards_import
from ansinh.insurance.models import CommuneInsuranceSettings
from ansinh.places import selectors as places
from ansinh.registry import selectors as registry
from ansinh.registry.choices import LifeStatus
from ansinh.rules.errors import MissingParameterError

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _day(request: HttpRequest) -> dt.date:
    return date_param(request.GET.get("date")) or timezone.localdate()


def _settings(scope: Scope) -> CommuneInsuranceSettings:
    return selectors.insurance_settings(scope)


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
        {"x": round(20 + i * step, 1), "y": y(r), "label": f"{d:%m/%Y}", "rate": r}
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
    if scope.can_edit and form_action(
        request,
        form,
        lambda: services.insurance_settings_update(scope=scope, **form.cleaned_data),
    ):
        messages.success(request, _("Saved."))
        return redirect("insurance:coverage")
    rows = selectors.coverage_by_village(scope, day)
    target_percent = conf.coverage_target_percent or Decimal(0)
    target = float(target_percent) / 100 if target_percent else None
    series = selectors.coverage_series(scope, day, months=12)
    return render(
        request,
        "insurance/coverage.html",
        {
            "day": day,
            "rows": rows[:-1],
            "total": rows[-1],
            "target": target,
            # "90%", not "90,0%"; "87,5%" keeps its decimal
            "target_digits": 0 if target_percent == target_percent.to_integral_value() else 1,
            "chart": _chart(series, target),
            "form": form,
            "expiring_days": conf.expiring_days,
        },
    )


@dataclass(frozen=True)
class _FollowUpQuery:
    """What the follow-up list is asked for: the date, the reason, the village."""

    day: dt.date
    reason: str
    village_id: int | None
    expiring_days: int

    @property
    def query(self) -> str:
        return urlencode(
            {"date": self.day.isoformat(), "reason": self.reason, "village": self.village_id or ""}
        )

    def due(self, scope: Scope) -> followup.DueList:
        return followup.due_list(
            scope,
            self.day,
            self.reason,
            expiring_days=self.expiring_days,
            village_id=self.village_id,
        )


def _followup_query(request: HttpRequest, scope: Scope) -> _FollowUpQuery:
    # ``status`` is the parameter's former name (links kept from before)
    reason = followup.reason_of(request.GET.get("reason") or request.GET.get("status"))
    return _FollowUpQuery(
        day=_day(request),
        reason=reason,
        village_id=int_param(request.GET.get("village")),
        expiring_days=_settings(scope).expiring_days,
    )


@scoped()
def people(request: HttpRequest, scope: Scope) -> HttpResponse:
    """Who to follow up: one row per household with a member whose card is missing, expiring
    or expired, a page at a time, with the totals, the workbook and the printed lists."""
    q = _followup_query(request, scope)
    due = q.due(scope)
    page = page_of(request, due.household_ids)
    rows = followup.followup_rows(
        followup.households_in_order(list(page.object_list)),
        q.day,
        q.reason,
        expiring_days=q.expiring_days,
    )
    return render(
        request,
        "insurance/people.html",
        {
            "day": q.day,
            "page": page,
            "rows": rows,
            "households_due": len(due.household_ids),
            "people_due": due.people,
            "reason": q.reason,
            "reasons": FollowUpReason.choices,
            "villages": registry.villages_for(scope),
            "village_id": q.village_id,
            "expiring_days": q.expiring_days,
            "query": q.query,
        },
    )


@scoped()
def people_xlsx(request: HttpRequest, scope: Scope) -> HttpResponse:
    """The follow-up list as a workbook: one row per member due (logged as an export)."""
    q = _followup_query(request, scope)
    rows = followup.followup_all(
        q.due(scope).household_ids, q.day, q.reason, expiring_days=q.expiring_days
    )
    lines = list(documents.xlsx_rows(rows))
    record_export(
        actor=scope,
        what="insurance.followup.xlsx",
        rows=len(lines),
        commune_code=scope.commune_code,
        note=q.query,
    )
    content = xlsx_text_bytes("BHYT", documents.XLSX_HEADINGS, lines)
    return _file(content, f"bhyt-can-theo-doi-{q.day:%Y%m%d}.xlsx", XLSX, attachment=True)


@scoped()
def people_pdf(request: HttpRequest, scope: Scope) -> HttpResponse:
    """The printed follow-up list for the village heads: one section per ấp (only the chosen
    ấp when one is), each on its own pages (logged as an export)."""
    q = _followup_query(request, scope)
    rows = followup.followup_all(
        q.due(scope).household_ids, q.day, q.reason, expiring_days=q.expiring_days
    )
    by_village: dict[int, list[followup.FollowUpHousehold]] = {}
    for row in rows:
        by_village.setdefault(row.household.village_id, []).append(row)
    villages = registry.villages_for(scope)
    if q.village_id:
        villages = villages.filter(pk=q.village_id)
    sections = [(v.name, by_village.get(v.pk, [])) for v in villages]
    commune = places.commune_get(scope.commune_code)
    with translation.override("vi"):
        reason = str(FollowUpReason(q.reason).label)
    content = documents.followup_pdf(
        sections,
        commune_name=commune.name,
        place=_place_name(commune.name),
        on=q.day,
        reason=reason,
    )
    record_export(
        actor=scope,
        what="insurance.followup.pdf",
        rows=sum(len(r.due_members) for _name, rs in sections for r in rs),
        commune_code=scope.commune_code,
        note=q.query,
    )
    return _file(content, f"bhyt-can-theo-doi-{q.day:%Y%m%d}.pdf", PDF)


def _place_name(commune_name: str) -> str:
    """ "Xã Tân Đông" -> "Tân Đông" (the place in "Tân Đông, ngày …")."""
    for prefix in ("Xã ", "Phường ", "Đặc khu "):
        commune_name = commune_name.removeprefix(prefix)
    return commune_name


def _file(content: bytes, name: str, kind: str, *, attachment: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type=kind)
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    return response


@scoped()
def household_cards(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    household = registry.household_get(scope, pk)
    today = _day(request)
    members = list(registry.household_members(household))
    living = [m for m in members if m.life_status == LifeStatus.LIVING]
    form = CardForm(
        request.POST or None,
        members=household.members.filter(life_status=LifeStatus.LIVING),
    )
    if scope.can_edit and form_action(
        request, form, lambda: services.card_register(scope=scope, **form.cleaned_data)
    ):
        messages.success(request, _("Card saved."))
        return redirect("insurance:household_cards", pk=household.pk)
    cards = {m.pk: list(selectors.person_cards(m)) for m in members}
    expiring_days = _settings(scope).expiring_days
    who = selectors.who_pays(living, today)
    rows = []
    for m in living:
        coverage = selectors.card_status(cards[m.pk], today, expiring_days)
        rows.append(
            {
                "person": m,
                "cards": cards[m.pk],
                "status": coverage.status,
                "last_to": coverage.last_to,
                "coverage": coverage,
                "payer": who[m],
            }
        )
    # Only the members who pay through the household are on the ladder (not those paid by an
    # employer, social insurance, the state or a school); near-poor and farming-household
    # members pay their own subsidised share.
    try:
        contribution = selectors.household_contribution(
            living, today, 12, province=household.commune.province_id, who=who
        )
        ladder_error = ""
    except MissingParameterError as exc:
        contribution, ladder_error = None, str(exc)
    paying = len([m for m in living if who[m].payer == Payer.HOUSEHOLD])
    return render(
        request,
        "insurance/household_cards.html",
        {
            "household": household,
            "day": today,
            "is_today": today == timezone.localdate(),
            "rows": rows,
            "form": form,
            "ladder": contribution.ladder if contribution else [],
            "ladder_total": contribution.ladder_total if contribution else 0,
            "own_shares": contribution.own_shares if contribution else [],
            "ladder_error": ladder_error,
            "paying": paying,
        },
    )


@scoped()
def stages(request: HttpRequest, scope: Scope) -> HttpResponse:
    commune_obj = places.commune_get(scope.commune_code)
    if request.method == "POST":
        if not scope.can_edit:
            raise PermissionDenied
        if post_action(request, lambda: services.stages_keep_defaults(scope=scope)):
            messages.success(request, _("Saved."))
        return redirect("insurance:stages")
    all_stages = selectors.reminder_stages(scope)
    longest = services.longest_head_name(commune_obj)
    example = services.sample_context(commune_obj, longest)
    zalo_example = services.sample_context(commune_obj, longest, zalo=True)
    rows = [
        {
            "stage": stage,
            "sms": services.render(stage.sms_template, example),
            "zalo": services.render(stage.zalo_template, zalo_example)
            if stage.zalo_template
            else "",
        }
        for stage in all_stages
    ]
    saved = all(stage.pk for stage in all_stages)
    return render(
        request, "insurance/stages.html", {"rows": rows, "example": example, "saved": saved}
    )


@scoped(need="can_edit")
def stage_edit(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    stage = selectors.reminder_stage_get(scope, pk)
    form = StageForm(
        request.POST or None,
        initial={
            "sms_template": stage.sms_template,
            "zalo_template": stage.zalo_template,
            "is_active": stage.is_active,
        },
    )
    if form_action(
        request, form, lambda: services.stage_update(scope=scope, stage=stage, **form.cleaned_data)
    ):
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
    """Upload the agency's card list and import it at once (the shared import framework's
    steps; the import pages do the same with a preview and a confirmation)."""
    form = CardImportForm(request.POST or None, request.FILES or None)
    report = None
    context: dict[str, Any] = {}
    done = form_action(
        request,
        form,
        lambda: cards_import(
            upload=form.cleaned_data["file"],
            filename=form.cleaned_data["file"].name,
            commune=places.commune_get(scope.commune_code),
            scope=scope,
            skip_invalid=form.cleaned_data["skip_invalid"],
        ),
    )
    if done is not None:
        report = done.value
        context["imports_url"] = reverse("imports:upload", args=["cards"])
        if not report.problems:
            messages.success(
                request,
                _("%(created)s cards imported, %(already)s already recorded.")
                % {"created": report.created, "already": report.already},
            )
        else:
            # the first problems on the page, the full list as a download
            context["problems_shown"] = report.problems[:PROBLEMS_SHOWN]
            if len(report.problems) > PROBLEMS_SHOWN:
                context["problems_url"] = problems_download(
                    request,
                    what="insurance.card_import",
                    headings=[_("Row"), _("Column"), _("Problem")],
                    rows=report.problems,
                    commune_code=scope.commune_code,
                )
    return render(
        request, "insurance/card_import.html", {"form": form, "report": report, **context}
    )
