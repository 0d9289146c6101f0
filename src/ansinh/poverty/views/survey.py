"""One household's survey (forms A, B1, B2), its approval and complaints."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ansinh.accounts.decorators import scoped
from ansinh.accounts.scopes import Scope
from ansinh.core.web import form_action, post_action
from ansinh.poverty import selectors, services
from ansinh.poverty.choices import (
    REQUEST_REASONS,
    EntryStatus,
    MemberStatus,
    PovertyClass,
)
from ansinh.poverty.classification import MEMBER_FIELDS, household_fields
from ansinh.poverty.forms import (
    ComplaintForm,
)
from ansinh.poverty.models import RoundHousehold
from ansinh.registry import display
from ansinh.rules.poverty import DISABILITIES, HOUSE_TYPES, QUALIFICATIONS, WORK_STATUSES

# the member facts pre-filled from the registry: present before anything is surveyed
REGISTRY_FIELDS = ("date_of_birth", "sex")


ANSWER_LABELS = {
    "durable": gettext_lazy("Durable house"),
    "semi_durable": gettext_lazy("Semi-durable house"),
    "less_durable": gettext_lazy("Less durable house"),
    "makeshift": gettext_lazy("Makeshift house"),
    "wage_contract": gettext_lazy("Wage work with a contract"),
    "wage_no_contract": gettext_lazy("Wage work without a contract"),
    "self_employed": gettext_lazy("Self-employed (farming, trade …)"),
    "unemployed": gettext_lazy("Unemployed, looking for work"),
    "not_working": gettext_lazy("Not working (child, student, retired, ill)"),
    "none": gettext_lazy("None"),
    "primary": gettext_lazy("Primary school"),
    "lower_secondary": gettext_lazy("Lower secondary school"),
    "upper_secondary": gettext_lazy("Upper secondary school"),
    "vocational": gettext_lazy("Vocational training"),
    "college_or_higher": gettext_lazy("College or higher"),
    "mild": gettext_lazy("Mild disability"),
    "severe": gettext_lazy("Severe disability"),
    "extremely_severe": gettext_lazy("Extremely severe disability"),
}


def _survey_context(request: HttpRequest, scope: Scope, entry: RoundHousehold) -> dict[str, Any]:
    answers = entry.answers or services.survey_prefill(entry)
    members = []
    for key, m in (answers.get("members") or {}).items():
        registry_values = (answers.get("registry") or {}).get(key, {})
        members.append(
            {
                "key": key,
                "m": m,
                "registry": registry_values,
                # the pre-filled values as people read them ("Nữ", "02/03/1950")
                "registry_display": {
                    f: display.FORMATTERS[f](v) if f in display.FORMATTERS else v
                    for f, v in registry_values.items()
                },
                "notes": {
                    f: (answers.get("notes") or {}).get(f"{key}.{f}", "")
                    for f in ("date_of_birth", "sex")
                },
            }
        )
    is_request = entry.reason in REQUEST_REASONS
    fields = household_fields(entry.round.standard_date)
    # what the server holds already, so each section can say "saved" before anything is typed
    stored = entry.answers or {}
    saved_sections = {s: bool(stored.get(s)) for s in ("a", "b1", "b2")}
    for mem in members:
        held = (stored.get("members") or {}).get(mem["key"]) or {}
        mem["saved"] = any(
            held.get(f) is not None for f in MEMBER_FIELDS if f not in REGISTRY_FIELDS
        )
    return {
        "entry": entry,
        "answers": answers,
        "members": members,
        "can_survey": services.can_survey(scope, entry),
        "can_approve": services.can_approve(scope, entry),
        "house_types": [(c, ANSWER_LABELS[c]) for c in HOUSE_TYPES],
        "work_statuses": [(c, ANSWER_LABELS[c]) for c in WORK_STATUSES],
        "qualifications": [(c, ANSWER_LABELS[c]) for c in QUALIFICATIONS],
        "disabilities": [(c, ANSWER_LABELS[c]) for c in DISABILITIES],
        "yes_no_fields": [f for f in fields if f not in ("house_type", "floor_area_m2")],
        "class_label": dict(PovertyClass.choices).get(entry.result_class, ""),
        "can_certificate": entry.status == EntryStatus.DECIDED
        and entry.result_class in selectors.POOR_SET,
        "is_request": is_request,
        "request_members": selectors.request_members(entry) if is_request else [],
        "saved_sections": saved_sections,
        "member_statuses": dict(MemberStatus.choices),
        "member_yes_no": [
            ("health_insurance", _("Has a valid health-insurance card")),
            ("studying", _("Studying now")),
            ("malnourished", _("Stunted or underweight (children)")),
            ("monthly_allowance", _("Receives a monthly social allowance")),
        ],
    }


@scoped()
def survey(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    """One household per screen; each section is saved on its own (htmx)."""
    entry = selectors.entry_get(scope, pk)
    if request.method == "POST":
        section = request.POST.get("section", "")
        error = ""
        try:
            entry = services.survey_save(
                scope=scope, entry=entry, section=section, data=request.POST
            )
        except ValidationError as exc:
            error = "; ".join(exc.messages)
        context = _survey_context(request, scope, entry)
        context["error"] = error
        context["saved_section"] = "" if error else section
        if request.htmx:  # type: ignore[attr-defined]
            response = render(request, "poverty/_result.html", context)
            if error:
                response.status_code = 422
            return response
        if error:
            messages.error(request, error)
        return redirect("poverty:survey", entry.pk)
    context = _survey_context(request, scope, entry)
    context["survey_texts"] = _survey_texts()
    return render(request, "poverty/survey.html", context)


def _survey_texts() -> dict[str, str]:
    """What survey.js says, translated here (the script itself holds no text)."""
    return {
        # the short state shown next to each section's title
        "chip_saved": _("Saved"),
        "chip_empty": _("No answers yet"),
        "chip_dirty": _("Not saved"),
        "chip_sending": _("Saving…"),
        "chip_pending": _("Waiting to be sent"),
        "chip_failed": _("Save failed"),
        # the longer line under the section's save button
        "saved": _("Saved."),
        "dirty": _("Changes not saved yet: press Save to send them."),
        "restored": _("Not saved: restored from what was typed on this phone."),
        "offline": _("Save failed – will retry when the network is back"),
        "kept": _("Not saved yet: kept on this phone, sent again when online."),
        "server": _("Save failed: server error (%(code)s). Kept on this phone, retried shortly."),
        "auth": _("Your session has expired. The answers are kept on this phone."),
        "sign_in": _("Sign in again (new tab)"),
        "invalid": _("Not saved: correct the answers and save again."),
        # the bar at the top of the page
        "count": _("%(n)s section(s) waiting to be sent"),
        "send_now": _("Send now"),
    }


@scoped(need="can_approve")
@require_POST
def approve(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    entry = selectors.entry_get(scope, pk)
    if post_action(request, lambda: services.survey_approve(scope=scope, entry=entry)):
        messages.success(request, _("Survey approved."))
    nxt = request.POST.get("next", "")
    return redirect(nxt) if nxt.startswith("/") else redirect("poverty:survey", entry.pk)


@scoped(need="can_edit")
def complaint(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    entry = selectors.entry_get(scope, pk)
    form = ComplaintForm(request.POST or None)
    if form_action(
        request,
        form,
        lambda: services.complaint_record(scope=scope, entry=entry, **form.cleaned_data),
    ):
        messages.success(request, _("Complaint recorded."))
        return redirect("poverty:survey", entry.pk)
    return render(
        request,
        "poverty/complaint.html",
        {"entry": entry, "form": form, "complaints": entry.complaints.all()},
    )
