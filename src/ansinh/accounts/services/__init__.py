"""Writes for accounts (services: keyword-only, the caller's ``scope`` first, atomic,
audited).

- :mod:`.signin`: a user's own password change, API tokens.
- :mod:`.users`: the accounts of a commune (create, update, deactivate, reactivate, reset a
  password), managed by its officer or by ``ansinh users``.
- :mod:`.setup`: setting up an installation (``ansinh setup`` and the set-up page).
"""

from ansinh.accounts.services.setup import SetupResult, installation_setup
from ansinh.accounts.services.signin import api_token_issue, api_token_revoke, user_password_change
from ansinh.accounts.services.users import (
    one_time_password,
    user_create,
    user_deactivate,
    user_password_reset,
    user_reactivate,
    user_update,
    villages_named,
)

__all__ = [
    "SetupResult",
    "api_token_issue",
    "api_token_revoke",
    "installation_setup",
    "one_time_password",
    "user_create",
    "user_deactivate",
    "user_password_change",
    "user_password_reset",
    "user_reactivate",
    "user_update",
    "villages_named",
]
