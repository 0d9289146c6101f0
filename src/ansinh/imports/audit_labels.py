"""What the audit log calls the files the import pages hand out (``core.audit_display``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ansinh.core.audit_vocabulary import describe

describe("export", records={"imports.refused_rows": _("Refused rows of an import (Excel)")})
