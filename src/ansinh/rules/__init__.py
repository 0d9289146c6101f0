"""The rules engine of ansinh: Vietnamese social-protection law as code.

Pure Python on polars — it never imports Django, django-ninja or another ``ansinh`` app (an
import-linter contract enforces this), so a province analyst can run it on a spreadsheet
without a database, and the web app calls the same functions.

Every rule is a vectorised function over the columns of a whole batch (one household is a batch
of one); every number comes from a dated parameter with its legal reference; every result can
be explained in Vietnamese and English. Money is int64 đồng everywhere.

Modules and their public functions:

* :mod:`ansinh.rules.parameters` — ``value(name, on_date, province=None)``,
  ``default_parameters()``, ``load_parameters(*overlays)``; YAML files in ``parameters/``.
* :mod:`ansinh.rules.poverty` — ``classify(households, members, on)``: the 12 (13 over time)
  indicator flags, deprivation count, income or B1-score test, class.
* :mod:`ansinh.rules.b1` — ``load_table(path)``, ``score(answers, households, table, on)``:
  the B1 point table is data a province imports (none is shipped).
* :mod:`ansinh.rules.allowance` — ``compute(people, month, province=None)``,
  ``funeral_support(on, province=None)``, ``standard_level(on, province=None)``.
* :mod:`ansinh.rules.insurance` — ``household_contributions(n_members, on, months)``,
  ``household_totals(frame, on)``, ``state_subsidy_percent(group, on)``, ``subsidy_split(…)``.
* :mod:`ansinh.rules.guard` — ``RULES`` (the payroll guard's rules as a table: predicate,
  message key and parameters, validity, legal reference, actions, what events say),
  ``findings(frames, month)``, ``render(code, key, params, translate, lang)``.
* :mod:`ansinh.rules.explain` — ``explain_poverty(row)``, ``explain_allowance(row)``,
  ``render(explanation, lang="vi"|"en")``, ``format_dong(amount)``.
* :mod:`ansinh.rules.reading`, :mod:`ansinh.rules.io` — reading the batch files (CSV/XLSX)
  into text columns, then parsing and validating their rows.
* :mod:`ansinh.rules.cli` — ``main(argv)``: ``ansinh rules poverty|allowance|bhyt``.

Refusals are exceptions from :mod:`ansinh.rules.errors`; a value the law has not fixed (marked
[missing] in the policy note) is never invented: the lookup raises
``MissingParameterError`` with a message such as "no B1 score threshold (rural) is configured
for 2027".
"""
