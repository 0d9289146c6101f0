from typing import Any

from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from ansinh.accounts.models import User
from ansinh.accounts.services import user_password_change


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
