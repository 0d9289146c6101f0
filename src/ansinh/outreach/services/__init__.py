"""Writes of the outreach app: keyword-only, ``scope`` first, atomic, audited."""

from ansinh.outreach.services.announcements import announcement_create, broadcast_mark
from ansinh.outreach.services.leaflets import (
    leaflet_pdf,
    leaflet_save,
    leaflets_ensure_defaults,
)
from ansinh.outreach.services.messages import group_message_send

__all__ = [
    "announcement_create",
    "broadcast_mark",
    "group_message_send",
    "leaflet_pdf",
    "leaflet_save",
    "leaflets_ensure_defaults",
]
