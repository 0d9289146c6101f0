"""The "Tham số chính sách" pages: parameters on a date, entering a value, approving it after
seeing its effect on the commune's own data, sharing the approved values as a file."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ansinh.accounts.decorators import scoped
from ansinh.accounts.scopes import Scope
from ansinh.core.web import date_param, form_action, post_action
from ansinh.policy import permissions, selectors, services, whatif
from ansinh.policy.choices import EntryState
from ansinh.policy.forms import DecisionForm, ImportForm, PolicyValueForm
from ansinh.rules.errors import RulesError
from ansinh.rules.parameters import Parameter, default_parameters


@scoped()
def index(request: HttpRequest, scope: Scope) -> HttpResponse:
    on = date_param(request.GET.get("on")) or timezone.localdate()
    groups = selectors.parameters_on(on)
    return render(
        request,
        "policy/index.html",
        {
            "on": on,
            "groups": groups,
            "missing": selectors.missing_count(groups),
            "proposed": selectors.entries(EntryState.PROPOSED).order_by("entered_at"),
            "can_enter": permissions.can_enter(scope),
            "import_form": ImportForm(),
        },
    )


def _parameter(name: str) -> Parameter:
    try:
        return default_parameters().parameter(name)
    except RulesError:
        raise Http404 from None


@scoped()
def enter(request: HttpRequest, scope: Scope, name: str) -> HttpResponse:
    parameter = _parameter(name)
    if not permissions.can_enter(scope):
        messages.error(request, _("Only the policy administrator enters policy values."))
        return redirect("policy:index")
    form = PolicyValueForm(
        request.POST or None,
        request.FILES or None,
        parameter=parameter,
        province=selectors.province_of(scope.commune_code),
    )

    def run() -> object:
        data = form.cleaned_data
        upload = data.get("text_pdf")
        return services.policy_value_enter(
            scope=scope,
            name=name,
            valid_from=data["valid_from"],
            value=form.value(),
            document=data.get("document") or "",
            document_vi=data["document_vi"],
            article=data.get("article") or "",
            article_vi=data.get("article_vi") or "",
            document_date=data.get("document_date"),
            status=data["status"],
            province=data.get("province"),
            note=data.get("note") or "",
            text_pdf=upload.read() if upload else None,
            text_pdf_name=upload.name if upload else "",
        )

    if done := form_action(request, form, run):
        messages.success(
            request,
            _("Value entered. It applies once a second person approves it; its effect is below."),
        )
        return redirect("policy:entry", done.value.pk)  # type: ignore[attr-defined]
    history = selectors.entries_of(name)
    return render(
        request,
        "policy/enter.html",
        {"parameter": parameter, "form": form, "history": history},
    )


@scoped()
def entry_detail(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    entry = selectors.entry_get(pk)
    parameter = _parameter(entry.name)
    # the what-if lists households: only for the roles that see the whole commune
    whole_commune = scope.village_ids is None
    proposed = entry.state == EntryState.PROPOSED
    effect = whatif.effect_of(scope, entry) if proposed and whole_commune else None
    return render(
        request,
        "policy/entry.html",
        {
            "entry": entry,
            "parameter": parameter,
            "effect": effect,
            "can_decide": permissions.can_decide(scope, entry)
            and entry.state == EntryState.PROPOSED,
            "decided_by_other": permissions.can_decide(scope),
            "form": DecisionForm(),
        },
    )


@scoped()
def entry_approve(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    entry = selectors.entry_get(pk)
    if request.method == "POST":
        form = DecisionForm(request.POST)
        note = form.data.get("note", "")[:2000]
        if post_action(
            request, lambda: services.policy_value_approve(scope=scope, entry=entry, note=note)
        ):
            messages.success(request, _("Value approved: it applies from now on."))
    return redirect("policy:entry", entry.pk)


@scoped()
def entry_reject(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    entry = selectors.entry_get(pk)
    if request.method == "POST":
        note = request.POST.get("note", "")[:2000]
        if post_action(
            request, lambda: services.policy_value_reject(scope=scope, entry=entry, note=note)
        ):
            messages.success(request, _("Value rejected: it will not apply."))
    return redirect("policy:entry", entry.pk)


@scoped()
def entry_pdf(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    entry = selectors.pdf_of(pk)
    response = HttpResponse(bytes(entry.text_pdf or b""), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="policy-{entry.pk}.pdf"'
    return response


@scoped()
@require_GET
def export(request: HttpRequest, scope: Scope) -> HttpResponse:
    text = services.export_yaml()
    response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="ansinh-tham-so-{stamp}.yaml"'
    return response


@scoped()
def import_file(request: HttpRequest, scope: Scope) -> HttpResponse:
    if not permissions.can_enter(scope):
        messages.error(request, _("Only the policy administrator enters policy values."))
        return redirect("policy:index")
    form = ImportForm(request.POST or None, request.FILES or None)

    def run() -> list[object]:
        upload = form.cleaned_data["file"]
        try:
            text = upload.read().decode("utf-8")
        except UnicodeDecodeError:
            from django.core.exceptions import ValidationError

            raise ValidationError({"file": _("The file is not UTF-8 text.")}) from None
        return services.policy_import(scope=scope, text=text, source=upload.name)  # type: ignore[return-value]

    if done := form_action(request, form, run):
        count = len(done.value)
        if count:
            messages.success(
                request,
                _("%(count)s values entered from the file; each applies once approved.")
                % {"count": count},
            )
        else:
            messages.info(request, _("Every value of the file is already in force."))
        return redirect("policy:index")
    for error in form.errors.get("file", []) + form.non_field_errors():
        messages.error(request, str(error))
    return redirect("policy:index")
