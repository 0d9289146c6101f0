"""Bearer-token authentication: ``Authorization: Bearer ansinh_…``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from ansinh.accounts.models import ApiToken, hash_token
from ansinh.accounts.scopes import scope_for


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        try:
            record = ApiToken.objects.select_related("user").get(
                key_hash=hash_token(token), revoked_at__isnull=True
            )
        except ApiToken.DoesNotExist:
            return None
        if not record.is_valid():  # expired, or issued before the last password change
            return None
        user = record.user
        if not user.is_active:
            return None
        try:
            request.scope = scope_for(user)  # type: ignore[attr-defined]
        except PermissionDenied:
            return None
        request.user = user
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=timezone.now())
        return user
