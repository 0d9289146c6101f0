"""Monthly payrolls: the lines a month owes (lines), the steps from generation to close with the
guard run again before every step that moves money (steps), and how an officer resolves a guard
item or a failed payment (resolve). ADR 0007.
"""

from ansinh.assistance.payroll.lines import (
    insert_regular_lines,
    planned_lines,
    reference,
    regular_lines_query,
)
from ansinh.assistance.payroll.resolve import (
    GuardResolution,
    actions_for,
    guard_resolve,
    line_failed_resolve,
)
from ansinh.assistance.payroll.steps import (
    cash_paid_confirm,
    payroll_approve,
    payroll_close,
    payroll_export_begin,
    payroll_file_lines,
    payroll_generate,
    payroll_prepare,
    payroll_total,
)

__all__ = [
    "GuardResolution",
    "actions_for",
    "cash_paid_confirm",
    "guard_resolve",
    "insert_regular_lines",
    "line_failed_resolve",
    "payroll_approve",
    "payroll_close",
    "payroll_export_begin",
    "payroll_file_lines",
    "payroll_generate",
    "payroll_prepare",
    "payroll_total",
    "planned_lines",
    "reference",
    "regular_lines_query",
]
