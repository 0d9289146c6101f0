"""A user's own choice of coordination messages ("nhận tin nhắn điều phối")."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ansinh.accounts.permissions import require
from ansinh.accounts.scopes import Scope
from ansinh.coordination.choices import NotifyChoice
from ansinh.coordination.models import NotifySetting
from ansinh.core import audit

SETTING_FIELDS = ["choice"]


@transaction.atomic
def notify_choice_set(*, scope: Scope, choice: str) -> NotifySetting:
    """Set the signed-in user's choice: all, only assigned and mentions, none."""
    require(scope, scope.commune_code, can="contribute")
    if scope.user is None:
        raise PermissionDenied
    if choice not in NotifyChoice.values:
        raise ValidationError({"choice": [_("Choose which messages you want.")]})
    setting = NotifySetting.objects.select_for_update().filter(user=scope.user).first()
    if setting is None:
        setting = NotifySetting.objects.create(user=scope.user, choice=choice)
        audit.created(scope, setting, SETTING_FIELDS, commune_code=scope.commune_code)
        return setting
    with audit.tracked(scope, setting, SETTING_FIELDS, commune_code=scope.commune_code):
        setting.choice = choice
        setting.save()
    return setting
