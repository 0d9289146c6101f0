"""Printable documents of the review (Vietnamese PDFs) and XLSX exports of every list: the
documents of each step (review), the commune's report (report), what they share (common)."""

from ansinh.poverty.documents.report import report_pdf, xlsx
from ansinh.poverty.documents.review import (
    PostingSheet,
    certificate_pdf,
    decision_pdf,
    minutes_pdf,
    posting_pdf,
    posting_sheet,
    request_pdf,
)

__all__ = [
    "PostingSheet",
    "certificate_pdf",
    "decision_pdf",
    "minutes_pdf",
    "posting_pdf",
    "posting_sheet",
    "report_pdf",
    "request_pdf",
    "xlsx",
]
