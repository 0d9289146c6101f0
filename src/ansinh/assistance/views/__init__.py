"""The allowance pages: cases (list, application, one case with its actions and decision PDF) and
payrolls (monthly payrolls, the guard, payment files, the paying account, reports).
"""

from ansinh.assistance.views.cases import (
    case_apply,
    case_decision_pdf,
    case_detail,
    case_list,
    case_reveal,
)
from ansinh.assistance.views.payrolls import (
    guard_item_resolve,
    line_bank_check,
    line_resolve,
    payment_account,
    payroll_detail,
    payroll_export,
    payroll_list,
    reports,
)

__all__ = [
    "case_apply",
    "case_decision_pdf",
    "case_detail",
    "case_list",
    "case_reveal",
    "guard_item_resolve",
    "line_bank_check",
    "line_resolve",
    "payment_account",
    "payroll_detail",
    "payroll_export",
    "payroll_list",
    "reports",
]
