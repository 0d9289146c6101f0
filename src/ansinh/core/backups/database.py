"""The database side of a backup or restore: is the target empty, the audit events, migrate.

A restore never overwrites data: :func:`_holds_data` lists what the target holds (user
accounts, audit entries) and :func:`_refuse_if_not_empty` refuses when it holds anything.
:func:`_record` writes one audit event per commune that has users (a backup or a restore
concerns everybody's data), and :func:`_migrate` brings a restored older backup to the
installed version."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.translation import gettext as _

from ansinh.core.backups.files import _REQUIRED_TABLES, BackupError
from ansinh.core.models import AuditAction, AuditEntry


def _communes(connection: BaseDatabaseWrapper) -> list[int | None]:
    """The communes this installation serves (those with users), or [None] if none."""
    users = get_user_model()._default_manager.using(connection.alias)
    codes = sorted(
        {c for c in users.values_list("commune_id", flat=True).distinct() if c is not None}
    )
    return list(codes) or [None]


def _record(
    connection: BaseDatabaseWrapper, *, system: str, what: str, changes: dict[str, Any]
) -> None:
    """One audit event per commune: a backup or a restore concerns everybody's data."""
    AuditEntry.objects.using(connection.alias).bulk_create(
        AuditEntry(
            actor=None,
            system=system,
            action=AuditAction.EVENT,
            model_label=system,
            object_id=0,
            object_repr=what[:200],
            changes=changes,
            commune_code=code,
        )
        for code in _communes(connection)
    )


def _holds_data(connection: BaseDatabaseWrapper) -> list[str]:
    """What the target database holds that a restore would destroy: user accounts, audit
    entries (a database where only ``migrate`` ran holds neither)."""
    tables = set(connection.introspection.table_names())
    held = []
    user_table = get_user_model()._meta.db_table
    for table, label in ((user_table, _("user accounts")), (_REQUIRED_TABLES[1], _("audit log"))):
        if table in tables:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
                n = cursor.fetchone()[0]
            if n:
                held.append(f"{label}: {n}")
    return held


def _refuse_if_not_empty(connection: BaseDatabaseWrapper) -> None:
    held = _holds_data(connection)
    if held:
        name = connection.settings_dict.get("NAME")
        raise BackupError(
            _(
                "The database %(name)s is not empty (%(held)s): a restore never overwrites "
                "data. Restore into a new data folder (ANSINH_VAR_DIR or ANSINH_SQLITE_PATH) "
                "or a new PostgreSQL database (DATABASE_URL), or move the old one away first."
            )
            % {"name": name, "held": ", ".join(held)}
        )


def _migrate(using: str) -> bool:
    """Bring a restored older backup to the installed version; True if anything ran."""
    from django.db.migrations.executor import MigrationExecutor

    connection = connections[using]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        call_command("migrate", database=using, interactive=False, verbosity=0)
    return bool(plan)
