"""Forms of the coordination board. They collect input; the services check and write, and a
service's refusal goes back on the form (``core.web.form_action``).

Each form that creates something carries an idempotency key (``key``, a hidden field made when
the form is drawn): the same form sent twice makes one item or one comment."""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ansinh.accounts.choices import Role
from ansinh.accounts.models import User
from ansinh.accounts.scopes import Scope
from ansinh.coordination import selectors
from ansinh.coordination.choices import Action, Audience, ItemKind, NotifyChoice, Priority, Topic
from ansinh.coordination.photos import MAX_PHOTOS
from ansinh.coordination.services.common import TEXT_MAX, TITLE_MAX
from ansinh.core.forms import DateField, DateInput, UploadField
from ansinh.places.models import Village


class PhotoInput(forms.FileInput):
    """A file input for photos: several at once, or the phone's camera (``capture``)."""

    allow_multiple_selected = True

    def __init__(self, *, camera: bool = False) -> None:
        attrs: dict[str, Any] = {"accept": "image/*", "multiple": True}
        if camera:  # the back camera opens at once on a phone
            attrs = {"accept": "image/*", "capture": "environment"}
        super().__init__(attrs=attrs)


class PhotosField(UploadField):
    """Up to :data:`MAX_PHOTOS` files, each within the upload limit; the service reads them."""

    widget = PhotoInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = [f for f in data if f] if isinstance(data, list | tuple) else [data] if data else []
        if len(files) > MAX_PHOTOS:
            raise ValidationError(
                _("At most %(n)s photos at a time.") % {"n": MAX_PHOTOS}, code="too_many_photos"
            )
        if not files and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        return [super(PhotosField, self).clean(f, initial) for f in files]


def new_key() -> str:
    return secrets.token_urlsafe(16)


class KeyedForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("key", new_key())


class HouseholdCodeMixin(forms.Form):
    """A household typed by its code ("TD-0012"), found among the scope's households."""

    scope: Scope

    household_code = forms.CharField(
        label=_("Household code"),
        max_length=20,
        required=False,
        help_text=_("If the matter is about one household, e.g. TD-0012."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def clean_household_code(self) -> Any:
        code = self.cleaned_data.get("household_code", "").strip()
        if not code:
            return None
        household = selectors.household_by_code(self.scope, code)
        if household is None:
            raise ValidationError(
                _("No household with code %(code)s in your villages.") % {"code": code.upper()}
            )
        return household


def _text_field(label: Any, *, rows: int = 4, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=TEXT_MAX,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class PeopleField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """Users to assign, each with the role ("Lê Văn Tám · Trưởng ấp")."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Assign to"))
        super().__init__(
            queryset=User.objects.none(),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            **kwargs,
        )

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} · {obj.get_role_display()}"


class ItemForm(HouseholdCodeMixin, KeyedForm):
    """A new item. On the phone screen (``phone``): a problem or a question, its village,
    topic, title, details, household and photos from the camera; on the desktop also the
    priority, due date, audience and assignees (the officer, the committee)."""

    kind = forms.ChoiceField(label=_("What is it?"), widget=forms.RadioSelect)
    village = forms.ModelChoiceField(
        queryset=Village.objects.none(), label=_("Village"), required=False
    )
    topic = forms.ChoiceField(label=_("Topic"), choices=[("", _("Choose a topic")), *Topic.choices])
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Roof of an elderly woman's house")}),
    )
    body = _text_field(_("Details"))
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=Priority.choices, coerce=int, initial=Priority.NORMAL
    )
    due_date = DateField(label=_("Due date"), required=False, widget=DateInput())
    audience = forms.ChoiceField(
        label=_("Announcement for"), choices=Audience.choices, required=False
    )
    assignees = PeopleField()
    recipients = PeopleField(
        label=_("Only these village heads"),
        help_text=_(
            "An announcement only for the village heads ticked here; none ticked: for the "
            "audience chosen above."
        ),
    )
    photos = PhotosField(label=_("Photos"), required=False)

    def __init__(
        self,
        *args: Any,
        scope: Scope,
        kinds: list[str],
        assignable: Any = None,
        phone: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.scope = scope
        self.phone = phone
        villages = selectors.villages_for(scope)
        self.fields["village"].queryset = villages  # type: ignore[attr-defined]
        self.fields["kind"].choices = [(k, ItemKind(k).label) for k in kinds]  # type: ignore[attr-defined]
        if len(kinds) == 1 or not self.is_bound:
            self.initial.setdefault("kind", kinds[0])
        self.fields["due_date"].lo = timezone.localdate()  # type: ignore[attr-defined]
        self.fields["photos"].widget = PhotoInput(camera=phone)
        if phone or assignable is None:
            for name in ("priority", "due_date", "audience", "assignees", "recipients"):
                del self.fields[name]
        else:
            self.fields["assignees"].queryset = assignable  # type: ignore[attr-defined]
            heads = assignable.filter(role=Role.VILLAGE_HEAD)
            self.fields["recipients"].queryset = heads  # type: ignore[attr-defined]
            if ItemKind.ANNOUNCEMENT not in kinds:
                del self.fields["recipients"]
        if scope.village_ids is not None and len(scope.village_ids) == 1:
            self.initial.setdefault("village", next(iter(scope.village_ids)))

    def item_kwargs(self) -> dict[str, Any]:
        """The cleaned data as the service ``item_report`` takes it."""
        d = self.cleaned_data
        return {
            "kind": d["kind"],
            "village": d.get("village"),
            "household": d.get("household_code"),
            "topic": d["topic"],
            "title": d["title"],
            "body": d.get("body", ""),
            "priority": d.get("priority") or Priority.NORMAL,
            "due_date": d.get("due_date"),
            "audience": d.get("audience", ""),
            "assignees": list(d.get("assignees") or []),
            "recipients": list(d.get("recipients") or []),
            "photos": d.get("photos") or [],
            "key": d.get("key", ""),
        }


class EditForm(HouseholdCodeMixin, forms.Form):
    """What an item says: its title, details and triage."""

    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    body = _text_field(_("Details"))
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices)
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int)
    due_date = DateField(label=_("Due date"), required=False, widget=DateInput())

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope = scope


class CommentForm(KeyedForm):
    text = _text_field(_("Comment"), rows=3)
    photos = PhotosField(label=_("Photos"), required=False)


class TransitionForm(forms.Form):
    action = forms.ChoiceField(choices=Action.choices)
    note = _text_field(_("Outcome or reason"), rows=2)


class AssignForm(forms.Form):
    assignees = PeopleField()

    def __init__(self, *args: Any, assignable: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignees"].queryset = assignable  # type: ignore[attr-defined]


class NotifyForm(forms.Form):
    """The user's own choice of coordination messages."""

    choice = forms.ChoiceField(
        label=_("Coordination messages (Zalo, SMS)"),
        choices=NotifyChoice.choices,
        widget=forms.RadioSelect,
    )
