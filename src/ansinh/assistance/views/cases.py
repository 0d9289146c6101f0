"""Allowance cases: the list, the application, one case's page with its actions (verify, decide,
adjust, suspend, resume, stop, transfer, payment details, funeral support), the decision PDF and
revealing a bank account.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ansinh.accounts.decorators import scoped
from ansinh.accounts.scopes import Scope
from ansinh.assistance import entitlement, forms, selectors, services
from ansinh.assistance.choices import CaseStatus, HouseholdStatus, Scheme
from ansinh.assistance.documents import decision_pdf
from ansinh.assistance.models import Case
from ansinh.core.audit import record_export
from ansinh.core.periods import age_on
from ansinh.core.reveal import reveal_response
from ansinh.core.web import (
    first_of,
    form_action,
    int_param,
    page_of,
)
from ansinh.registry import selectors as registry
from ansinh.registry.choices import LifeStatus


@scoped()
def case_list(request: HttpRequest, scope: Scope) -> HttpResponse:
    g = request.GET
    status = g.get("status", CaseStatus.ACTIVE) if "status" in g else CaseStatus.ACTIVE
    filters = {
        "status": status,
        "group": g.get("group", ""),
        "village_id": int_param(g.get("village")),
        "scheme": g.get("scheme", ""),
        "q": g.get("q", ""),
    }
    qs = selectors.case_list(scope, **filters)  # type: ignore[arg-type]
    page = page_of(request, qs)
    villages = registry.villages_for(scope)
    return render(
        request,
        "assistance/case_list.html",
        {
            "page": page,
            "filters": filters,
            "statuses": CaseStatus.choices,
            "groups": forms.group_choices(),
            "villages": villages,
            "schemes": Scheme.choices,
            "can_edit": scope.can_edit,
        },
    )


ACTIONS: dict[str, tuple[type, Callable[..., Any]]] = {}


def _action(name: str, form: type) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        ACTIONS[name] = (form, fn)
        return fn

    return register


@_action("verify", forms.VerifyForm)
def _verify(scope: Scope, case: Case, d: dict[str, Any]) -> Any:
    return services.case_verify(
        scope=scope, case=case, verified_on=d["verified_on"], note=d["note"]
    )


@_action("decide", forms.DecideForm)
def _decide(scope: Scope, case: Case, d: dict[str, Any]) -> Any:
    return services.case_decide(
        scope=scope,
        case=case,
        decision_number=d["decision_number"],
        decision_date=d["decision_date"],
        signer=d["signer"],
        effective_month=d["effective_month"],
        backdate_reason=d["backdate_reason"],
    )


@_action("adjust", forms.AdjustForm)
def _adjust(scope: Scope, case: Case, d: dict[str, Any]) -> Any:
    return services.case_adjust(
        scope=scope,
        case=case,
        from_month=d["from_month"],
        groups=d["groups"] or None,
        note=d["note"],
    )


@_action("suspend", forms.NoteDateForm)
def _suspend(scope: Scope, case: Case, d: dict[str, Any]) -> Any:
    return services.case_suspend(scope=scope, case=case, on=d["on"], note=d["note"])


@_action("resume", forms.NoteDateForm)
def _resume(scope: Scope, case: Case, d: dict[str, Any]) -> Any:
    return services.case_resume(scope=scope, case=case, on=d["on"], note=d["note"])


@_action("stop", forms.StopForm)
def _stop(scope: Scope, case: Case, d: dict[str, Any]) -> Any:
    return services.case_stop(
        scope=scope, case=case, reason=d["reason"], event_date=d["event_date"], note=d["note"]
    )


@_action("transfer", forms.TransferForm)
def _transfer(scope: Scope, case: Case, d: dict[str, Any]) -> Any:
    return services.case_transfer(scope=scope, case=case, to=d["to"], event_date=d["event_date"])


@_action("payment", forms.PaymentForm)
def _payment(scope: Scope, case: Case, d: dict[str, Any]) -> Any:
    return services.case_payment_set(
        scope=scope,
        case=case,
        method=d["method"],
        bank=d["bank"],
        account_number=d["account_number"],
        account_holder=d["account_holder"],
    )


@_action("funeral", forms.FuneralForm)
def _funeral(scope: Scope, case: Case, d: dict[str, Any]) -> Any:
    return services.funeral_claim_record(
        scope=scope,
        case=case,
        claimant_name=d["claimant_name"],
        claimant_relationship=d["claimant_relationship"],
        claimed_on=d["claimed_on"],
    )


@scoped()
def case_detail(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    case = selectors.case_get(scope, pk)
    bound: dict[str, Any] = {}
    if request.method == "POST":
        if not scope.can_edit:
            raise PermissionDenied
        name = request.POST.get("action", "")
        if name not in ACTIONS:
            raise Http404
        form_class, fn = ACTIONS[name]
        form = form_class(request.POST, prefix=name)
        if form_action(request, form, lambda: fn(scope, case, form.cleaned_data)):
            messages.success(request, _("Saved."))
            return redirect("assistance:case_detail", pk=case.pk)
        bound[name] = form
    today = timezone.localdate()
    initial = {
        "verify": {"verified_on": today},
        "decide": {"decision_date": today},
        "adjust": {"from_month": today.replace(day=1)},
        "suspend": {"on": today},
        "resume": {"on": today},
        "stop": {"event_date": today},
        "transfer": {"event_date": today},
        "payment": {
            "method": case.payment_method,
            "bank": case.bank,
            "account_number": case.bank_account_number,
            "account_holder": case.bank_account_holder,
        },
        "funeral": {"claimed_on": today},
    }
    action_forms = {
        name: bound.get(name) or form_class(prefix=name, initial=initial.get(name))
        for name, (form_class, _fn) in ACTIONS.items()
    }
    history = selectors.case_history(scope, case)
    return render(
        request,
        "assistance/case_detail.html",
        {
            "case": case,
            "events": case.events.select_related("actor"),
            "forms": action_forms,
            "can_edit": scope.can_edit,
            "audit": history[:50],
            "lines": first_of(selectors.person_history(scope, case.person_id), 60),
            "guard": first_of(selectors.case_guard_items(scope, case), 20),
            "funeral": getattr(case.person, "funeral_claim", None),
        },
    )


#: How many people the application's person search shows (the page says how many match).
SEARCH_SHOWN = 20


@scoped(need="can_edit")
def case_apply(request: HttpRequest, scope: Scope) -> HttpResponse:
    person_id = int_param(request.GET.get("person") or request.POST.get("person"))
    person = registry.person_get(scope, person_id) if person_id else None
    today = timezone.localdate()
    open_groups, household_status = (
        entitlement.person_groups(person, today) if person is not None else (None, "")
    )
    form = forms.ApplyForm(
        request.POST or None,
        initial={"person": person_id, "applied_on": today},
        open_groups=open_groups,
        has_account=bool(person and person.bank),
    )

    def apply() -> Case:
        assert person is not None
        d = form.cleaned_data
        return services.case_apply(
            scope=scope,
            person=person,
            scheme=d["scheme"],
            groups=d["groups"],
            applied_on=d["applied_on"],
            documents=d["documents"],
            children=d["children"],
            pension=d["pension"],
            payment_method=d["payment_method"] or None,
        )

    if person is not None and (done := form_action(request, form, apply)):
        messages.success(request, _("Application recorded."))
        return redirect("assistance:case_detail", pk=done.value.pk)
    q = request.GET.get("q", "").strip()
    found = None
    if q and person is None:
        found = first_of(registry.person_search(scope, q, status=LifeStatus.LIVING), SEARCH_SHOWN)
    return render(
        request,
        "assistance/case_apply.html",
        {
            "form": form,
            "person": person,
            "found": found,
            "q": q,
            "age": age_on(person.date_of_birth, today) if person else None,
            "household_status": dict(HouseholdStatus.choices).get(household_status, ""),
        },
    )


@scoped()
def case_decision_pdf(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    case = selectors.case_get(scope, pk)
    if not case.decision_number:
        raise Http404
    response = HttpResponse(decision_pdf(case), content_type="application/pdf")
    record_export(
        actor=scope,
        what="assistance.case_decision.pdf",
        rows=1,
        commune_code=scope.commune_code,
        household_id=case.household_id,
        object_id=case.pk,
    )
    response["Content-Disposition"] = f'inline; filename="quyet-dinh-{case.pk}.pdf"'
    return response


@require_POST
@scoped()
def case_reveal(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    """The case's bank account number in full, for a role that sees it masked; logged.
    A case outside the scope is a 404."""
    case = selectors.case_get(scope, pk)
    if request.POST.get("field", "") != "bank_account_number":
        raise Http404
    return reveal_response(
        request,
        actor=scope,
        instance=case,
        field="bank_account_number",
        commune_code=case.commune_id,
        household_id=case.household_id,
        back_url=reverse("assistance:case_detail", args=[case.pk]),
    )
