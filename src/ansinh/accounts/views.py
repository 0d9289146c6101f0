"""Sign-in pages (signing in, changing one's password, the lockout page of django-axes),
the set-up page of a new installation and the officer's accounts pages."""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ansinh.accounts import selectors, services
from ansinh.accounts.choices import Role
from ansinh.accounts.decorators import scoped
from ansinh.accounts.forms import LoginForm, PasswordChangeForm, SetupForm, UserForm
from ansinh.accounts.models import User
from ansinh.accounts.scopes import Scope
from ansinh.accounts.services import SetupResult
from ansinh.core.identifiers import format_phone
from ansinh.core.text import fold
from ansinh.core.web import form_action, int_param, page_of, post_action
from ansinh.places import selectors as places_selectors
from ansinh.places.choices import VillageKind
from ansinh.places.models import Commune


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


class LoginView(auth_views.LoginView):
    """Django's sign-in page; while the installation is new (no commune in use) there is
    nobody to sign in yet, and the page sends to the set-up page."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if selectors.installation_is_new():
            return redirect("accounts:setup")
        return super().get(request, *args, **kwargs)


# --------------------------------------------------------------------------- set-up

SETUP_VIA = "set-up page"
_QUERY_MAX = 60


def _commune_query(request: HttpRequest) -> str:
    return str(request.POST.get("q") or request.GET.get("q") or "").strip()[:_QUERY_MAX]


def _commune_choices(query: str, chosen: int | None) -> list[Commune]:
    """The search results, with the commune already chosen first if the search lost it."""
    results = places_selectors.communes_search(query) if len(fold(query)) >= 2 else []
    if chosen is not None and all(c.code != chosen for c in results):
        commune = places_selectors.commune_find(chosen)
        if commune is not None:
            results.insert(0, commune)
    return results


def setup(request: HttpRequest) -> HttpResponse:
    """The first-run page: while no commune is in use, anyone who opens ansinh finds the
    commune, enters its villages and creates the first officer. Afterwards it does not exist
    (404), so nobody can run it again to take over an installation."""
    if not selectors.installation_is_new():
        raise Http404
    query = _commune_query(request)
    chosen = int_param(request.POST.get("commune"), hi=99999)
    communes = _commune_choices(query, chosen)
    if len(communes) == 1 and chosen is None:
        chosen = communes[0].code
    context: dict[str, Any] = {"q": query, "communes": communes, "chosen": chosen}
    if request.method == "GET" and getattr(request, "htmx", False):
        return render(request, "accounts/_commune_choices.html", context)

    form = SetupForm(request.POST or None, initial={"commune": chosen})

    def run() -> SetupResult:
        data = form.cleaned_data
        return services.installation_setup(
            scope=Scope.system(data["commune"], via=SETUP_VIA),
            villages=data["villages"],
            default_kind=data["default_kind"],
            officer_username=data["username"],
            officer_password=data["password"],
            officer_full_name=data["full_name"],
            only_if_new=True,
        )

    if done := form_action(request, form, run):
        result = done.value
        messages.success(
            request,
            _(
                "ansinh is set up for %(commune)s (%(province)s) with %(villages)s villages. "
                "Sign in as %(username)s."
            )
            % {
                "commune": result.commune.name,
                "province": result.commune.province.name,
                "villages": len(result.created) + len(result.kept),
                "username": result.officer.username,
            },
        )
        _setup_notices(request, result)
        return redirect("accounts:login")
    context.update(
        form=form,
        already=form.has_error(NON_FIELD_ERRORS, "already_set_up"),
        kinds=VillageKind.choices,
    )
    return render(request, "accounts/setup.html", context)


def _setup_notices(request: HttpRequest, result: SetupResult) -> None:
    if result.duplicates:
        messages.info(
            request,
            _("Names entered twice were kept once: %(names)s.")
            % {"names": ", ".join(result.duplicates)},
        )
    if result.ignored:
        messages.info(
            request,
            _("Numbers and headings were left out: %(cells)s.")
            % {"cells": ", ".join(result.ignored)},
        )


# --------------------------------------------------------------------------- accounts


def _roles(current: str = "") -> list[tuple[str, str]]:
    """The roles an officer can give: province officer only where the installation serves
    several communes (or the account already has it)."""
    offer_province = current == Role.PROVINCE or selectors.serves_province()
    return [(v, str(label)) for v, label in Role.choices if v != Role.PROVINCE or offer_province]


def _one_time_password_page(
    request: HttpRequest, account: User, password: str, *, created: bool
) -> HttpResponse:
    """The one-time password, in this response only: never in a URL, a message or a cache."""
    response = render(
        request,
        "accounts/one_time_password.html",
        {"account": account, "password": password, "created": created},
    )
    add_never_cache_headers(response)
    return response


@scoped(need="can_edit")
def user_list(request: HttpRequest, scope: Scope) -> HttpResponse:
    page = page_of(request, selectors.users_of(scope))
    return render(request, "accounts/user_list.html", {"page": page})


@scoped(need="can_edit")
def user_create(request: HttpRequest, scope: Scope) -> HttpResponse:
    commune = places_selectors.commune_get(scope.commune_code)
    form = UserForm(
        request.POST or None, villages=places_selectors.villages_of(commune), roles=_roles()
    )
    if done := form_action(
        request,
        form,
        lambda: services.user_create(
            scope=scope, username=form.cleaned_data["username"], **form.service_kwargs()
        ),
    ):
        account, password = done.value
        return _one_time_password_page(request, account, password, created=True)
    return render(request, "accounts/user_form.html", {"form": form, "account": None})


@scoped(need="can_edit")
def user_edit(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    account = selectors.user_get(scope, pk)
    commune = places_selectors.commune_get(scope.commune_code)
    form = UserForm(
        request.POST or None,
        villages=places_selectors.villages_of(commune),
        roles=_roles(account.role),
        editing=True,
        initial={
            "full_name": account.full_name,
            "role": account.role,
            "villages": list(account.villages.all()),
            "phone": format_phone(account.phone),
        },
    )
    if form_action(
        request,
        form,
        lambda: services.user_update(scope=scope, user=account, **form.service_kwargs()),
    ):
        messages.success(request, _("Account %(username)s saved.") % {"username": account})
        return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "account": account})


@scoped(need="can_edit")
@require_POST
def user_deactivate(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    account = selectors.user_get(scope, pk)
    if post_action(request, lambda: services.user_deactivate(scope=scope, user=account)):
        messages.success(
            request,
            _("%(name)s can no longer sign in. The account and its history are kept.")
            % {"name": account},
        )
    return redirect("accounts:user_edit", pk=account.pk)


@scoped(need="can_edit")
@require_POST
def user_reactivate(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    account = selectors.user_get(scope, pk)
    if post_action(request, lambda: services.user_reactivate(scope=scope, user=account)):
        messages.success(request, _("%(name)s can sign in again.") % {"name": account})
    return redirect("accounts:user_edit", pk=account.pk)


@scoped(need="can_edit")
def user_password_reset(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    """GET: what a reset does, and the button. POST: a new one-time password, shown once."""
    account = selectors.user_get(scope, pk)
    if request.method == "POST":
        done = post_action(request, lambda: services.user_password_reset(scope=scope, user=account))
        if done:
            return _one_time_password_page(request, account, done.value, created=False)
        return redirect("accounts:user_edit", pk=account.pk)
    return render(request, "accounts/user_password_reset.html", {"account": account})
