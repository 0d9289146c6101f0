from typing import Any

from django.db import models


class SearchKeyField(models.CharField):  # type: ignore[type-arg]
    """A folded ASCII search key compared byte by byte.

    Prefix searches become index range scans (``key >= q AND key < q + '~'``). That needs
    binary ordering: SQLite's default, and the "C" collation on PostgreSQL (a locale
    collation would ignore spaces and break the range).
    """

    def db_parameters(self, connection: Any) -> dict[str, Any]:
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params
