"""The audit log names villages by their name (``core.audit_display``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ansinh.core.audit_vocabulary import EVERY, describe, name_records

name_records("places.village", "name", commune="commune_id")
describe(EVERY, labels={"village": _("Village")}, refs={"village": "places.village"})
# A commune named in a change (an account's): only the reader's own is named.
name_records("places.commune", "name", commune="pk")
