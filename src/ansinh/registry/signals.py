"""What the registry tells the apps built on it, without knowing them (they sit above it).

Sent inside the service's transaction, so a receiver's writes commit or roll back with the
change itself: a death recorded and the payments it holds are one unit.
"""

from __future__ import annotations

from django.dispatch import Signal

# A living person left the commune's registry: died or moved away.
# Arguments: ``person`` (saved, with ``life_status`` and ``status_date``), ``scope`` (who acted).
person_left = Signal()

# A person's recorded facts changed (birth date, bank account, …).
# Arguments: ``person``, ``fields`` (the names of the changed fields), ``scope`` (who acted).
person_changed = Signal()
