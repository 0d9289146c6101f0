"""Dated legal parameters, loaded once from YAML and looked up by date.

Every number the rules use (income lines, thresholds, coefficients, salary bases …) lives in a
YAML file under this folder (``poverty/``, ``assistance/``, ``insurance/``, ``labour/``), with
the date from which it is valid and its legal reference (document and article). A value that
the policy note marks ``[check]`` carries ``status: check`` and a ``# [check] …`` comment; a
value marked ``[missing]`` is an entry with ``missing: <reason>`` instead of a value, and every
lookup of it refuses with :class:`~ansinh.rules.errors.MissingParameterError`.

File format (see ``docs/rules.md`` for the full description)::

    parameters:
      poverty.income_line.rural:
        label_en: income poverty line (rural)
        label_vi: chuẩn nghèo về thu nhập (nông thôn)
        unit: dong
        values:
          - from: 2022-01-01
            value: 1500000
            status: firm
            reference: {document: Decree 07/2021/ND-CP, document_vi: Nghị định 07/2021/NĐ-CP,
                        article: Art. 3, article_vi: Điều 3}

A value is valid from its ``from`` date until the next entry's ``from`` date. A parameter may
allow province overrides (``province_override: at_least_national``: a province may set a
higher value, never a lower one; ``replace``: the province value replaces the national one).

Overlays: further files or folders with the same format (a province's own decisions, values
the law has since fixed) are merged on top of the shipped files: an overlay entry replaces the
shipped entry with the same ``from`` date or adds a new one. Overlays come from
``load_parameters(path, …)``, from the environment variable ``ANSINH_RULES_PARAMETERS``
(paths separated by ``os.pathsep``) for :func:`default_parameters`, and from the ``--parameters``
option of the batch commands.

Public interface::

    value(name, on_date, province=None) -> ParamValue   # the parameters in force (below)
    default_parameters() -> ParameterSet                 # the provider's set, else shipped + env
    shipped_parameters() -> ParameterSet                 # shipped files + environment overlays
    load_parameters(*overlays) -> ParameterSet           # shipped files + the given overlays
    set_provider(fn | None)                              # who answers default_parameters()
    ParameterSet.value / .get / .resolve                 # lookups on a given set
    ParameterSet.with_document(doc, source)              # a copy with an overlay document merged

The web application keeps the values that policy administrators enter and approve in its
database and registers a *provider* (:func:`set_provider`): :func:`default_parameters` then
returns the shipped files and environment overlays with those values merged on top, by the same
code that merges overlay files (same validation, same version ids). The rules package itself
never reads a database.

:class:`ParamValue` carries the value, its :class:`Reference`, its status, its validity and a
``version`` id (``name@from#hash``) that changes whenever the entry's content changes; results
store these ids so a decision can always be traced back to the exact values used.

The package, by job: :mod:`~ansinh.rules.parameters.values` (:class:`Parameter`,
:class:`ParamValue`, :class:`Reference`: the value in force on a date),
:mod:`~ansinh.rules.parameters.loading` (the YAML files read and validated, overlays merged),
:mod:`~ansinh.rules.parameters.sets` (:class:`ParameterSet` and its lookups) and
:mod:`~ansinh.rules.parameters.provider` (which set is in force: :func:`default_parameters`,
:func:`set_provider`).
"""

from __future__ import annotations

from ansinh.rules.parameters.loading import PACKAGE_DIR, entry_version, read_document
from ansinh.rules.parameters.provider import (
    ENV_VAR,
    default_parameters,
    env_overlays,
    load_parameters,
    set_provider,
    shipped_parameters,
    value,
)
from ansinh.rules.parameters.sets import ParameterSet
from ansinh.rules.parameters.values import Parameter, ParamValue, Reference

__all__ = [
    "ENV_VAR",
    "PACKAGE_DIR",
    "ParamValue",
    "Parameter",
    "ParameterSet",
    "Reference",
    "default_parameters",
    "entry_version",
    "env_overlays",
    "load_parameters",
    "read_document",
    "set_provider",
    "shipped_parameters",
    "value",
]
