"""Writes of a user's own sign-in: changing the password, API tokens."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ansinh.accounts.models import ApiToken, User, hash_token, token_expiry
from ansinh.core.audit import record
from ansinh.core.models import AuditAction


@transaction.atomic
def user_password_change(*, user: User, new_password: str) -> User:
    """Set a user's new password (already validated by the form), end a temporary password,
    and log the change. ``User.save`` records ``password_changed_at``, which also ends every
    API token issued before now. The password itself is never written to the log."""
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    record(
        actor=user,
        instance=user,
        action=AuditAction.EVENT,
        note="password changed",
        commune_code=user.commune_id,
    )
    return user


@transaction.atomic
def api_token_issue(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token; the raw value is returned once and never stored.

    It expires after ``ANSINH_API_TOKEN_DAYS`` days (and when the user's password changes).
    """
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        user=user,
        name=name.strip() or "API",
        prefix=raw[:12],
        key_hash=hash_token(raw),
        expires_at=token_expiry(),
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
