from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ansinh.accounts.models import User
from ansinh.accounts.services import user_password_change
from ansinh.core.forms import PhoneField
from ansinh.places.choices import VillageKind
from ansinh.places.models import Village


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Wrong user name or password. Both are case-sensitive."),
        "inactive": _("This account is disabled."),
    }


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's form (current password, new password twice, the password validators) with
    our labels; saving goes through ``user_password_change`` (flag, timestamp, audit)."""

    error_messages = {
        "password_mismatch": _("The two new passwords are not the same."),
        "password_incorrect": _("The current password is wrong. Please type it again."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("Current password")
        self.fields["new_password1"].label = _("New password")
        self.fields["new_password2"].label = _("New password again")
        self.fields["new_password2"].help_text = ""

    def save(self, commit: bool = True) -> User:
        user: User = self.user
        return user_password_change(user=user, new_password=self.cleaned_data["new_password1"])


class SetupForm(forms.Form):
    """The set-up page: the commune (a radio choice among the search results), its villages
    (typed or pasted), the first officer. The commune is read again by the service."""

    commune = forms.IntegerField(
        label=_("Commune"),
        min_value=1,
        max_value=99999,
        error_messages={"required": _("Search for the commune and choose it in the list.")},
    )
    villages = forms.CharField(
        label=_("Names of the villages"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": "Ấp Tân Đông\nẤp Đông Hiệp"}),
        help_text=_(
            "One a line, or paste a column from Excel. Thôn, ấp, khu phố or tổ dân phố is read "
            "from the name; the others get the type below."
        ),
        error_messages={"required": _("Enter the villages of the commune, one a line.")},
    )
    default_kind = forms.ChoiceField(
        label=_("Type of a village whose name does not say it"),
        choices=[("", _("Thôn in a commune, tổ dân phố in a ward")), *VillageKind.choices],
        required=False,
    )
    full_name = forms.CharField(label=_("Officer's full name"), max_length=100, required=False)
    username = forms.CharField(
        label=_("Officer's user name"),
        max_length=30,
        help_text=_("Letters without accents, digits, dots or dashes, e.g. canbo.tandong."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not a common password."),
    )
    password_again = forms.CharField(
        label=_("Password again"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, again = data.get("password"), data.get("password_again")
        if first and again and first != again:
            self.add_error("password_again", _("The two passwords are not the same."))
        return data


class UserForm(forms.Form):
    """An account of the commune: created with a user name, then its role, villages, name and
    phone can change (the user name cannot)."""

    username = forms.CharField(
        label=_("User name"),
        max_length=30,
        help_text=_("Letters without accents, digits, dots or dashes, e.g. truongap.tandong."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    full_name = forms.CharField(label=_("Full name"), max_length=100)
    role = forms.ChoiceField(label=_("Role"))
    villages = forms.ModelMultipleChoiceField(
        label=_("Villages (village heads only)"),
        queryset=Village.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    phone = PhoneField(label=_("Phone"), required=False)

    def __init__(
        self,
        *args: Any,
        villages: QuerySet[Village],
        roles: list[tuple[str, str]],
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["villages"].queryset = villages  # type: ignore[attr-defined]
        self.fields["role"].choices = [("", "—"), *roles]  # type: ignore[attr-defined]
        if editing:
            del self.fields["username"]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "role": data["role"],
            "full_name": data["full_name"],
            "phone": data.get("phone") or "",
            "villages": list(data.get("villages") or []),
        }
