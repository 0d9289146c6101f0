"""Sign-in pages: changing one's password and the lockout page of django-axes."""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from ansinh.accounts.forms import PasswordChangeForm


class PasswordChangeView(auth_views.PasswordChangeView):
    """Current password, new password twice. Django keeps the session signed in; the form
    saves through ``user_password_change`` (clears a temporary password, logs the change)."""

    template_name = "accounts/password_change.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("home")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Your password has been changed."))
        return response


def client_ip(request: HttpRequest) -> str:
    """The address whose failed sign-ins django-axes counts (``AXES_CLIENT_IP_CALLABLE``).

    Behind our reverse proxy (``ANSINH_BEHIND_PROXY``) every request comes from the proxy, so
    the client is the last ``X-Forwarded-For`` entry: the one the proxy itself appended, which
    a client cannot forge. Otherwise the peer address.
    """
    if settings.ANSINH_BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return str(last)
    return str(request.META.get("REMOTE_ADDR", ""))


def locked_out(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """The page of a locked (user name, address) pair (``AXES_LOCKOUT_CALLABLE``), HTTP 429."""
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)
