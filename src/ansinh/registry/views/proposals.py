"""Village heads' proposals: a new household proposed from a phone, the list (each with its
outcome), one proposal, and the officer's decision."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ansinh.accounts.decorators import scoped
from ansinh.accounts.scopes import Scope
from ansinh.core.web import first_of, form_action, post_action
from ansinh.registry import display, selectors, services
from ansinh.registry.forms import HouseholdProposalForm, ProposedMemberFormSet, RejectForm
from ansinh.registry.models import ChangeProposal


def _decorated(scope: Scope, proposals: Sequence[ChangeProposal]) -> list[ChangeProposal]:
    """Each proposal with what its page shows: ``rows`` (the values proposed), ``members``
    (a new household's, as table rows) and ``duplicates`` (members already recorded)."""
    full = scope.sees_full_identifiers
    duplicates = selectors.proposal_duplicates(scope, proposals)
    for proposal in proposals:
        proposal.rows = display.payload_rows(proposal.payload, full=full)  # type: ignore[attr-defined]
        proposal.members = display.member_rows(proposal.payload, full=full)  # type: ignore[attr-defined]
        proposal.duplicates = duplicates.get(proposal.pk, [])  # type: ignore[attr-defined]
    return list(proposals)


def _context(scope: Scope, proposals: Sequence[ChangeProposal]) -> dict[str, Any]:
    return {
        "proposals": _decorated(scope, proposals),
        "reject_form": RejectForm(),
    }


@scoped()
def proposal_list(request: HttpRequest, scope: Scope) -> HttpResponse:
    proposals = first_of(selectors.proposals_for(scope), 200)
    context = _context(scope, proposals.items)
    return render(
        request, "registry/proposal_list.html", {**context, "proposals_total": proposals.total}
    )


@scoped()
def proposal_detail(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    proposal = selectors.proposal_get(scope, pk)
    context = _context(scope, [proposal])
    return render(request, "registry/proposal_detail.html", {**context, "p": proposal})


@scoped(need="can_propose")
def proposal_household(request: HttpRequest, scope: Scope) -> HttpResponse:
    """A village head proposes a new household with its members (a phone form: three rows
    of members without JavaScript, rows added and removed with it)."""
    form = HouseholdProposalForm(request.POST or None, villages=selectors.villages_for(scope))
    formset = ProposedMemberFormSet(
        request.POST or None,
        prefix="members",
        initial=None if request.POST else [{"relationship": "head"}],
    )

    def submit() -> ChangeProposal:
        try:
            return services.proposal_submit_household(
                scope=scope,
                village=form.cleaned_data["village"],
                members=formset.person_data(),  # type: ignore[attr-defined]
                address=form.cleaned_data["address"],
                phone=form.cleaned_data["phone"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:  # each member's errors under the member's own row
            raise formset.by_form(exc) from exc  # type: ignore[attr-defined]

    if done := form_action(request, form, submit, also=[formset]):
        messages.success(request, _("Your proposal was sent to the commune officer."))
        if selectors.proposal_duplicates(scope, [done.value]):
            messages.warning(
                request,
                _(
                    "Someone with the same name and date of birth as a member is already "
                    "registered in the commune: the officer will check it."
                ),
            )
        return redirect("registry:proposal_list")
    return render(request, "registry/proposal_household.html", {"form": form, "formset": formset})


@require_POST
@scoped(need="can_edit")
def proposal_decide(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    proposal = selectors.proposal_get(scope, pk)
    back = (
        redirect("registry:proposal_detail", pk=proposal.pk)
        if request.POST.get("back") == "detail"
        else redirect("registry:proposal_list")
    )
    if request.POST.get("action") == "apply":
        done = post_action(
            request,
            lambda: services.proposal_apply(
                scope=scope,
                proposal=proposal,
                confirm_duplicates=bool(request.POST.get("confirm_duplicates")),
            ),
        )
        if done and done.value.created_household is not None:
            household = done.value.created_household
            messages.success(
                request, _("Household %(code)s registered.") % {"code": household.code}
            )
            return redirect("registry:household_detail", pk=household.pk)
        if done:
            messages.success(request, _("The change was applied."))
    elif post_action(
        request,
        lambda: services.proposal_reject(
            scope=scope, proposal=proposal, reason=request.POST.get("reason", "")
        ),
    ):
        messages.info(request, _("The proposal was rejected."))
    return back
