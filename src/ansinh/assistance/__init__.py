"""Monthly social allowances: cases, decisions, eligibility guard, payroll, payments,
reconciliation and funeral support."""
