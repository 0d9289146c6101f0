"""How the audit log reads what the health-insurance pages hand out (``core.audit_display``):
the follow-up list and the filter it was printed with."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ansinh.core.audit_vocabulary import describe, plain
from ansinh.insurance.choices import FollowUpReason


def _filter(match: re.Match[str], name: Callable[[str, Any], str]) -> str:
    """``date=2026-11-30&reason=expiring&village=3``: "30/11/2026 · Sắp hết hạn · Ấp Tân Đông"."""
    values = dict(parse_qsl(match.group(0)))
    parts = [plain(values.get("date", ""))]
    parts.append(str(dict(FollowUpReason.choices).get(values.get("reason", ""), "")))
    if values.get("village"):
        parts.append(name("places.village", values["village"]))
    else:
        parts.append(_("every village"))
    return " · ".join(str(p) for p in parts if p and p != "—")


describe(
    "export",
    records={
        "insurance.followup.xlsx": gettext_lazy("Health insurance follow-up list (Excel)"),
        "insurance.followup.pdf": gettext_lazy("Health insurance follow-up list (PDF)"),
    },
    notes={r"date=[^&]*&reason=[^&]*&village=[^&]*": _filter},
)
