"""An announcement's reminder to those who have not read it; the user's own choice of
coordination messages."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from ansinh.accounts.decorators import scoped
from ansinh.accounts.scopes import Scope
from ansinh.coordination import notify, selectors, services
from ansinh.coordination.forms import NotifyForm
from ansinh.core.web import form_action, post_action


@require_POST
@scoped()
def remind(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    item = selectors.item_get(scope, pk)
    done = post_action(request, lambda: services.announcement_remind(scope=scope, item=item))
    if done:
        n = done.value
        messages.success(
            request,
            ngettext(
                "A reminder was sent to %(n)s person who has not read it.",
                "A reminder was sent to %(n)s people who have not read it.",
                n,
            )
            % {"n": n},
        )
    return redirect("coordination:item", pk=item.pk)


@scoped()
def notify_settings(request: HttpRequest, scope: Scope) -> HttpResponse:
    """ "Nhận tin nhắn điều phối": all, only assigned and mentions, none."""
    user = request.user
    form = NotifyForm(request.POST or None, initial={"choice": notify.choice_of(user)})  # type: ignore[arg-type]
    done = form_action(
        request,
        form,
        lambda: services.notify_choice_set(scope=scope, choice=form.cleaned_data["choice"]),
    )
    if done:
        messages.success(request, _("Saved."))
        return redirect("coordination:notify_settings")
    context = {"form": form, "phone": notify.phone_of(user)}  # type: ignore[arg-type]
    return render(request, "coordination/notify_settings.html", context)
