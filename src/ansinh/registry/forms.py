"""Forms collect input; the services validate and write. Errors from a service are put
back on the form fields (``apply_errors``)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ansinh.core.forms import DateField, DateInput, PhoneField
from ansinh.places.choices import AreaType
from ansinh.places.models import Village
from ansinh.registry.choices import Bank, Ethnicity, EventKind, Relationship, Sex
from ansinh.registry.models import Person
from ansinh.registry.validation import PersonData


class HouseholdForm(forms.Form):
    village = forms.ModelChoiceField(queryset=Village.objects.none(), label=_("Village"))
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    phone = PhoneField(label=_("Contact phone"), required=False)
    area_type_override = forms.ChoiceField(
        label=_("Area type"),
        choices=[("", _("Same as the village")), *list(AreaType.choices)],
        required=False,
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, villages: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages  # type: ignore[attr-defined]


class PersonForm(forms.Form):
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "Nguyễn Thị Tím"}),
    )
    date_of_birth = DateField(label=_("Date of birth"), widget=DateInput())
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    relationship = forms.ChoiceField(label=_("Relationship to head"), choices=Relationship.choices)
    ethnicity = forms.ChoiceField(
        label=_("Ethnicity"), choices=Ethnicity.choices, initial=Ethnicity.KINH
    )
    cccd = forms.CharField(
        label=_("Personal ID (CCCD)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("12 digits; checked against the date of birth and sex."),
    )
    phone = PhoneField(label=_("Phone"), required=False)
    bank = forms.ChoiceField(
        label=_("Bank"), choices=[("", _("No bank account")), *list(Bank.choices)], required=False
    )
    bank_account_number = forms.CharField(
        label=_("Account number"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    bank_account_holder = forms.CharField(label=_("Account holder"), max_length=100, required=False)
    confirm_duplicate = forms.BooleanField(
        label=_("This is a different person (same name and date of birth)"), required=False
    )

    def person_data(self) -> PersonData:
        d = self.cleaned_data
        return PersonData(
            full_name=d["full_name"],
            date_of_birth=d["date_of_birth"],
            sex=d["sex"],
            relationship=d["relationship"],
            ethnicity=d["ethnicity"],
            cccd=d.get("cccd") or "",
            phone=d.get("phone") or "",
            bank=d.get("bank") or "",
            bank_account_number=d.get("bank_account_number") or "",
            bank_account_holder=d.get("bank_account_holder") or "",
        )

    @staticmethod
    def initial_from(person: Person) -> dict[str, Any]:
        return asdict(PersonData.from_person(person))


class BasePersonFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    #: Every member row removed or left empty: said as the registry says it.
    default_error_messages = {"too_few_forms": _("Add at least the head of household.")}

    def _filled_forms(self) -> list[Any]:
        """The member forms filled in and not removed: rows left empty are not members."""
        return [
            f
            for f in self.forms
            if f.has_changed() and not self._should_delete_form(f)  # type: ignore[attr-defined]
        ]

    def person_data(self) -> list[PersonData]:
        return [f.person_data() for f in self._filled_forms()]

    def add_fields(self, form: Any, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this member")

    def by_form(self, error: ValidationError) -> ValidationError:
        """A service's ``<prefix>-<i>-<field>`` errors (``i``: the position in
        :meth:`person_data`) keyed by the form they belong to, so that each shows under its
        own row when an empty row was skipped before it."""
        if not hasattr(error, "error_dict"):
            return error
        filled = self._filled_forms()
        keyed: dict[str, list[str]] = {}
        for key, texts in error.message_dict.items():
            index, _dash, field = key.removeprefix(f"{self.prefix}-").partition("-")
            if key.startswith(f"{self.prefix}-") and index.isdigit() and int(index) < len(filled):
                key = f"{filled[int(index)].prefix}-{field}"
            keyed.setdefault(key, []).extend(texts)
        return ValidationError(keyed)


PersonFormSet = forms.formset_factory(
    PersonForm, formset=BasePersonFormSet, extra=0, min_num=1, validate_min=True, max_num=30
)


class JoinForm(forms.Form):
    event_kind = forms.ChoiceField(
        label=_("How did the person join?"),
        choices=[
            (EventKind.BIRTH, EventKind.BIRTH.label),
            (EventKind.MARRIAGE, EventKind.MARRIAGE.label),
            (EventKind.MOVE_IN, EventKind.MOVE_IN.label),
        ],
    )
    event_date = DateField(
        label=_("Date"),
        required=False,
        widget=DateInput(),
        help_text=_("For a birth: the date of birth."),
    )
    place = forms.CharField(label=_("Moved from"), max_length=200, required=False)


class LeaveForm(forms.Form):
    date = DateField(label=_("Date"), widget=DateInput())
    place = forms.CharField(label=_("Moved to"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ChangeHeadForm(forms.Form):
    new_head = forms.ModelChoiceField(queryset=Person.objects.none(), label=_("New head"))
    date = DateField(label=_("Date"), widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_head"].queryset = members  # type: ignore[attr-defined]


class SplitForm(forms.Form):
    members = forms.ModelMultipleChoiceField(
        queryset=Person.objects.none(),
        label=_("Members who leave"),
        widget=forms.CheckboxSelectMultiple,
    )
    new_head = forms.ModelChoiceField(
        queryset=Person.objects.none(), label=_("Head of the new household")
    )
    village = forms.ModelChoiceField(queryset=Village.objects.none(), label=_("Village"))
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    date = DateField(label=_("Date"), widget=DateInput())

    def __init__(self, *args: Any, members: Any, villages: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = members  # type: ignore[attr-defined]
        self.fields["new_head"].queryset = members  # type: ignore[attr-defined]
        self.fields["village"].queryset = villages  # type: ignore[attr-defined]


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


# --- a village head proposes a new household ---------------------------------------------


def _chosen(choices: Any) -> list[tuple[str, Any]]:
    """Choices with an empty first one: nothing is chosen until the person chooses."""
    return [("", _("Choose…")), *list(choices)]


class HouseholdProposalForm(forms.Form):
    """The household part of a village head's proposal of a new household."""

    village = forms.ModelChoiceField(queryset=Village.objects.none(), label=_("Village"))
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    phone = PhoneField(label=_("Contact phone"), required=False)
    note = forms.CharField(
        label=_("Note for the officer"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, villages: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["village"]
        field.queryset = villages  # type: ignore[attr-defined]
        if len(villages) == 1:  # a village head of one village: nothing to choose
            field.empty_label = None  # type: ignore[attr-defined]
            field.initial = villages[0]


class ProposedMemberForm(PersonForm):
    """One member of the proposed household: the person's details without the bank account
    (the officer's business). Sex and relationship start unchosen, so that a row left empty
    is no member; the first row starts as the head."""

    sex = forms.ChoiceField(label=_("Sex"), choices=_chosen(Sex.choices))
    relationship = forms.ChoiceField(
        label=_("Relationship to head"), choices=_chosen(Relationship.choices)
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("bank", "bank_account_number", "bank_account_holder", "confirm_duplicate"):
            del self.fields[name]


#: Three rows on the page (the head and two more) work without JavaScript; with it, rows are
#: added and removed (household_form.js).
ProposedMemberFormSet = forms.formset_factory(
    ProposedMemberForm,
    formset=BasePersonFormSet,
    extra=2,
    min_num=1,
    validate_min=True,
    max_num=30,
    validate_max=True,
    can_delete=True,
)
