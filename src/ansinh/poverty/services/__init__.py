"""Writes of the poverty review (Decision 24/2021/QĐ-TTg), one module per step: rounds and the
household list, the survey, meetings/posting/complaints, report and decision.

Style as in the registry: keyword-only arguments, the caller's ``scope`` (checked by
``ansinh.poverty.permissions`` on top of ``ansinh.accounts.permissions``), one transaction, an
audit entry for every change. Callers import this package: ``services.round_open(...)``.
"""

from ansinh.poverty.permissions import can_approve, can_survey, survey_villages
from ansinh.poverty.services.decision import (
    RESULT_FIELDS,
    can_report,
    default_report_recipient,
    report_record,
    round_classify,
    round_decide,
    round_results_apply,
)
from ansinh.poverty.services.meeting import (
    POSTING_AHEAD_DAYS,
    agreement_reached,
    check_posting_date,
    complaint_record,
    meeting_record,
    posting_record,
)
from ansinh.poverty.services.rounds import (
    committee_set,
    default_standard_date,
    household_add,
    round_advance,
    round_list_current,
    round_open,
    validate_request_members,
)
from ansinh.poverty.services.survey import survey_approve, survey_prefill, survey_save

__all__ = [
    "POSTING_AHEAD_DAYS",
    "RESULT_FIELDS",
    "agreement_reached",
    "can_approve",
    "can_report",
    "can_survey",
    "check_posting_date",
    "committee_set",
    "complaint_record",
    "default_report_recipient",
    "default_standard_date",
    "household_add",
    "meeting_record",
    "posting_record",
    "report_record",
    "round_advance",
    "round_classify",
    "round_decide",
    "round_list_current",
    "round_open",
    "round_results_apply",
    "survey_approve",
    "survey_prefill",
    "survey_save",
    "survey_villages",
    "validate_request_members",
]
