"""What the poverty review tells the apps built on it (allowances, insurance).

Sent inside the service's transaction."""

from __future__ import annotations

from django.dispatch import Signal

# Official household statuses changed from a date (a decision of a review round).
# Arguments: ``commune_code``, ``household_ids``, ``effective_date``.
statuses_changed = Signal()
