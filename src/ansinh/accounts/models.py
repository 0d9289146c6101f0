"""Users, their role and the area they may see."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ansinh.accounts.choices import Role
from ansinh.places.models import Commune, Village


class User(AbstractUser):
    """A person who works in one commune with one role.

    Village heads are limited to ``villages``; every other role sees the whole commune.
    """

    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    commune = models.ForeignKey(
        Commune,
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, blank=True)
    villages = models.ManyToManyField(
        Village, verbose_name=_("villages"), blank=True, related_name="heads"
    )
    phone = models.CharField(_("phone"), max_length=16, blank=True)
    must_change_password = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_("The password is temporary: the user must choose a new one after signing in."),
    )
    password_changed_at = models.DateTimeField(_("password changed"), null=True, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role="") | models.Q(commune__isnull=False),
                name="user_role_needs_commune",
            ),
            # "CanBo" and "canbo" are one name to a person: refused by the services with a
            # message, and here whatever writes.
            models.UniqueConstraint(Lower("username"), name="user_username_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The one place where ``password_changed_at`` is set: ``set_password()`` keeps the new
        # raw password in ``_password`` until the save (Django clears it for a mere hash
        # upgrade at sign-in, which is not a change). Every way of changing a password — the
        # password page, ``create_user``, ``ansinh changepassword`` — passes through here.
        if getattr(self, "_password", None) is not None:
            self.password_changed_at = timezone.now()
            update_fields = kwargs.get("update_fields")
            if update_fields is not None and "password" in update_fields:
                kwargs["update_fields"] = {*update_fields, "password_changed_at"}
        super().save(*args, **kwargs)


def token_expiry() -> dt.datetime:
    """When a token issued now expires: ``ANSINH_API_TOKEN_DAYS`` days later."""
    return timezone.now() + dt.timedelta(days=settings.ANSINH_API_TOKEN_DAYS)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the REST API. Only its SHA-256 is stored."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), default=token_expiry)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def generate() -> str:
        return "ansinh_" + secrets.token_urlsafe(32)

    def is_valid(self, now: dt.datetime | None = None) -> bool:
        """Not revoked, not expired, and issued after the user's last password change."""
        now = now or timezone.now()
        if self.revoked_at is not None or self.expires_at <= now:
            return False
        changed = self.user.password_changed_at
        return changed is None or self.created_at >= changed
