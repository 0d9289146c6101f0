"""The poverty review's pages, by step: rounds (list, detail, committee, decision, report), surveys
(forms A/B1/B2 on a phone, approval, complaints), village meetings and posting, and the
documents (PDFs and XLSX).
"""

from ansinh.poverty.views.documents import (
    certificate_pdf,
    decision_pdf,
    export,
    minutes_pdf,
    posting_pdf,
    report_pdf,
    request_pdf,
)
from ansinh.poverty.views.meetings import meeting, posting
from ansinh.poverty.views.rounds import (
    committee,
    decide,
    household_add,
    report,
    report_up,
    round_advance,
    round_detail,
    rounds,
)
from ansinh.poverty.views.survey import approve, complaint, survey

__all__ = [
    "approve",
    "certificate_pdf",
    "committee",
    "complaint",
    "decide",
    "decision_pdf",
    "export",
    "household_add",
    "meeting",
    "minutes_pdf",
    "posting",
    "posting_pdf",
    "report",
    "report_pdf",
    "report_up",
    "request_pdf",
    "round_advance",
    "round_detail",
    "rounds",
    "survey",
]
