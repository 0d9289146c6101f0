"""Forms of the outreach pages (bounded fields from core/forms.py; dates dd/mm/yyyy, times
hh:mm in text inputs)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ansinh.core.forms import DateField
from ansinh.outreach.choices import Group, PaperSize
from ansinh.outreach.services.announcements import TEXT_MAX as ANNOUNCEMENT_MAX
from ansinh.outreach.services.leaflets import BODY_MAX, PLACE_MAX, TITLE_MAX
from ansinh.outreach.services.messages import TEXT_MAX as MESSAGE_MAX
from ansinh.places.models import Village

TIME_ATTRS = {"placeholder": "19:00", "inputmode": "numeric", "pattern": r"[0-9]{1,2}[:.h][0-9]{2}"}


def new_key() -> str:
    return secrets.token_urlsafe(16)


class TimeField(forms.TimeField):
    """A time typed "19:00" (or "19.00", "19h00")."""

    default_error_messages = {"invalid": _("Enter the time as hh:mm, e.g. 19:00.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs=TIME_ATTRS))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> dt.time | None:
        if isinstance(value, str):
            value = value.strip().lower().replace("h", ":").replace(".", ":")
        return super().to_python(value)


class LeafletForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    size = forms.ChoiceField(label=_("Paper size"), choices=PaperSize.choices)
    body = forms.CharField(
        label=_("Text"), max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 18})
    )


class LeafletPrintForm(forms.Form):
    deadline = DateField(label=_("Deadline ({han_nop})"), required=False)
    place = forms.CharField(
        label=_("Place ({dia_diem})"),
        max_length=PLACE_MAX,
        required=False,
        help_text=_("Empty: the commune's one-stop desk."),
    )


class AnnouncementForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, required=False)
    text = forms.CharField(
        label=_("Text to read"),
        max_length=ANNOUNCEMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    villages = forms.ModelMultipleChoiceField(
        label=_("Villages"),
        queryset=Village.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    planned_date = DateField(label=_("Broadcast day"))
    planned_time = TimeField(label=_("Time"))

    def __init__(self, *args: Any, villages: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["villages"].queryset = villages  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("key", new_key())


class BroadcastForm(forms.Form):
    date = DateField(label=_("Day"))
    time = TimeField(label=_("Time"))


class GroupMessageForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, required=False)
    # What the preview showed (group, village, text): a text changed after it is previewed again.
    seen = forms.CharField(widget=forms.HiddenInput, required=False)
    group = forms.ChoiceField(label=_("Send to"), choices=Group.choices)
    village = forms.ModelChoiceField(
        label=_("Village"),
        queryset=Village.objects.none(),
        required=False,
        empty_label=_("Every village"),
    )
    text = forms.CharField(
        label=_("Message"),
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args: Any, villages: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages  # type: ignore[attr-defined]

    def signature(self) -> str:
        """A digest of what the preview shows figures for."""
        data = self.cleaned_data
        village = data.get("village")
        raw = f"{data.get('group')}|{village.pk if village else ''}|{data.get('text', '').strip()}"
        return hashlib.sha256(raw.encode()).hexdigest()[:32]
