"""Forms of committee meetings: the meeting itself, an item to add to the agenda, and the
minutes of one agenda entry (its decision and the follow-up task). The services check and
write."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ansinh.accounts.models import User
from ansinh.coordination.forms import PeopleField
from ansinh.coordination.models import Item
from ansinh.coordination.services.common import TEXT_MAX, TITLE_MAX
from ansinh.core.forms import DateField, DateInput


class PersonChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} · {obj.get_role_display()}"


class MeetingForm(forms.Form):
    held_on = DateField(label=_("Meeting date"), widget=DateInput())
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    chair = PersonChoice(queryset=User.objects.none(), label=_("Chaired by"), required=False)
    attendees = PeopleField(label=_("Attendees"))

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = people  # type: ignore[attr-defined]
        self.fields["attendees"].queryset = people  # type: ignore[attr-defined]


class AddItemForm(forms.Form):
    item = forms.ModelChoiceField(
        queryset=Item.objects.none(), label=_("Item of the board"), empty_label=None
    )

    def __init__(self, *args: Any, items: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items  # type: ignore[attr-defined]


class DecisionForm(forms.Form):
    """The minutes of one entry; the button pressed says decided or postponed."""

    decision = forms.CharField(
        label=_("Decision"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    follow_up_title = forms.CharField(
        label=_("Follow-up task"),
        max_length=TITLE_MAX,
        required=False,
        help_text=_("If the decision gives someone a task: what it is."),
    )
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False)
    due_date = DateField(label=_("Due date"), required=False, widget=DateInput())

    def __init__(self, *args: Any, people: Sequence[User], **kwargs: Any) -> None:
        """``people``: a list read once for every entry's form of the page."""
        super().__init__(*args, **kwargs)
        self.people = {str(u.pk): u for u in people}
        self.fields["assignee"].choices = [  # type: ignore[attr-defined]
            ("", "---------"),
            *((str(u.pk), f"{u} · {u.get_role_display()}") for u in people),
        ]

    def clean_assignee(self) -> User | None:
        return self.people.get(self.cleaned_data.get("assignee") or "")
