from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ansinh.accounts.models import User
from ansinh.accounts.scopes import Scope
from ansinh.core.forms import DateField, DateInput
from ansinh.poverty.choices import CommitteeRole, ListReason, MemberStatus, RoundKind
from ansinh.poverty.models import DEFAULT_POSTING_DAYS
from ansinh.registry import selectors as registry
from ansinh.registry.choices import LifeStatus
from ansinh.registry.models import Household, Person


class RoundForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=RoundKind.choices)
    year = forms.IntegerField(label=_("Year"), min_value=2022, max_value=2100)
    month = forms.IntegerField(
        label=_("Month (regular review)"), min_value=1, max_value=12, required=False
    )
    standard_date = DateField(
        label=_("Date whose standard applies"),
        required=False,
        widget=DateInput(),
        help_text=_("Empty: 1 January of the following year (annual) or the 15th (regular)."),
    )
    posting_days = forms.IntegerField(
        label=_("Days of public posting"), min_value=1, max_value=60, initial=DEFAULT_POSTING_DAYS
    )
    plan_escape_target = forms.IntegerField(
        label=_("Plan: households to escape poverty"),
        min_value=0,
        max_value=100_000,
        required=False,
    )

    def clean_year(self) -> int | None:
        """A round is opened for last year, this year or next year: never 2100."""
        year = self.cleaned_data.get("year")
        today = timezone.localdate()
        if year is not None and not (today.year - 1 <= year <= today.year + 1):
            raise forms.ValidationError(
                _("Choose a year from %(lo)s to %(hi)s.")
                % {"lo": today.year - 1, "hi": today.year + 1}
            )
        return year


class HouseholdAddForm(forms.Form):
    """A household put on the list. For a request (Form 01/04) the member table of the law:
    one select per living member of the household (working / not working / studying), built
    from the household code in the data (POST) or the initial values (GET)."""

    household_code = forms.CharField(label=_("Household code"), max_length=20)
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[
            (ListReason.REQUEST, ListReason.REQUEST.label),
            (ListReason.ESCAPE_REQUEST, ListReason.ESCAPE_REQUEST.label),
            (ListReason.COMMITTEE, ListReason.COMMITTEE.label),
        ],
    )
    request_date = DateField(label=_("Date of the request"), required=False, widget=DateInput())
    note = forms.CharField(label=_("Reason given"), max_length=300)

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope = scope
        if not scope.can_edit:  # requests are entered by the officer
            self.fields["reason"].choices = [  # type: ignore[attr-defined]
                (ListReason.COMMITTEE, ListReason.COMMITTEE.label)
            ]
        source = self.data if self.is_bound else self.initial
        code = str(source.get("household_code") or "").strip().upper()
        self.household: Household | None = (
            registry.households_for(scope).filter(code=code).select_related("village").first()
            if code
            else None
        )
        self.members: list[Person] = []
        if self.household is not None:
            self.members = [
                p
                for p in registry.household_members(self.household)
                if p.life_status == LifeStatus.LIVING
            ]
        for p in self.members:
            self.fields[f"member_{p.pk}"] = forms.ChoiceField(
                label=p.full_name,
                choices=[("", "—"), *MemberStatus.choices],
                required=False,
                widget=forms.Select(attrs={"aria-label": f"{gettext('Status')}: {p.full_name}"}),
            )

    def member_rows(self) -> list[tuple[Person, forms.BoundField]]:
        return [(p, self[f"member_{p.pk}"]) for p in self.members]

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("reason", "request_date", "note")]

    def member_statuses(self) -> dict[str, str]:
        """``{person id: status}`` of the members whose status was chosen."""
        return {
            str(p.pk): self.cleaned_data[f"member_{p.pk}"]
            for p in self.members
            if self.cleaned_data.get(f"member_{p.pk}")
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("household_code") and self.household is None:
            self.add_error("household_code", _("No household with this code."))
        data["household"] = self.household
        return data


class MeetingForm(forms.Form):
    held_on = DateField(label=_("Date of the meeting"), widget=DateInput())
    attendees = forms.IntegerField(label=_("Number of attendees"), min_value=1, max_value=100_000)
    chair = forms.CharField(label=_("Chaired by"), max_length=100, required=False)
    secretary = forms.CharField(label=_("Secretary"), max_length=100, required=False)

    def __init__(self, *args: Any, entries: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.entries = entries
        for e in entries:
            self.fields[f"agree_{e.pk}"] = forms.IntegerField(
                label=f"{e.household.code} {getattr(e, 'head_name', '')}",
                min_value=0,
                max_value=100_000,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )

    def agreements(self) -> dict[int, int]:
        return {e.pk: self.cleaned_data[f"agree_{e.pk}"] for e in self.entries}


class ComplaintForm(forms.Form):
    received_on = DateField(label=_("Received on"), widget=DateInput())
    text = forms.CharField(label=_("Complaint"), widget=forms.Textarea(attrs={"rows": 3}))
    outcome = forms.CharField(
        label=_("Outcome"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    resolved_on = DateField(label=_("Resolved on"), required=False, widget=DateInput())
    resurvey = forms.BooleanField(label=_("Survey the household again"), required=False)


class DecisionForm(forms.Form):
    number = forms.CharField(label=_("Decision number"), max_length=50)
    signed_on = DateField(label=_("Signed on"), widget=DateInput())
    effective_date = DateField(label=_("Effective from"), widget=DateInput())


class ReportForm(forms.Form):
    number = forms.CharField(label=_("Report number"), max_length=50)
    reported_on = DateField(label=_("Report date"), widget=DateInput())
    recipient = forms.CharField(
        label=_("Sent to"),
        max_length=200,
        help_text=_("Districts no longer exist since 1 July 2025: by default the province."),
    )


class CommitteeForm(forms.Form):
    user = forms.ModelChoiceField(label=_("User"), queryset=User.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=CommitteeRole.choices)
    villages = forms.ModelMultipleChoiceField(
        label=_("Villages (village heads and surveyors)"),
        queryset=User.objects.none(),
        required=False,
    )

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            commune_id=scope.commune_code, is_active=True
        ).order_by("username")
        self.fields["villages"].queryset = registry.villages_for(scope)  # type: ignore[attr-defined]


class PostingForm(forms.Form):
    """The day a village's list goes up on the notice board (checked by the service: not
    before the review starts, not far ahead)."""

    posted_on = DateField(label=_("Posted on"), widget=DateInput())
