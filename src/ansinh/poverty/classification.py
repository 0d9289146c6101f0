"""From stored survey answers to the rules engine and back (no database access).

A survey's ``answers`` (JSON) hold the sections of forms A, B1 and B2::

    {"a": {"screened_out": false, "note": ""},
     "b1": {"route": "income", "income_per_capita": 1200000, "b1_score": null},
     "b2": {"house_type": "durable", "floor_area_m2": 40.0, "safe_water": true, ...},
     "members": {"<person id>": {"full_name": ..., "date_of_birth": "1980-05-17", "sex": ...,
                                 "health_insurance": null, "work": ..., ...}},
     "registry": {"<person id>": {"date_of_birth": ..., "sex": ...}},   # pre-filled values
     "notes": {"<person id>.<field>": "why the registry value was corrected"}}

``None`` means "not answered yet". Health insurance is not read from the insurance app (the
poverty app may not import it): the surveyor answers it, pre-filled as unknown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ansinh.rules.errors import MissingParameterError, RulesError
from ansinh.rules.explain import explain_poverty, render, uses_illustrative
from ansinh.rules.parameters import ParameterSet, default_parameters
from ansinh.rules.poverty import (
    HOUSEHOLD_SCHEMA,
    INDICATORS,
    MEMBER_SCHEMA,
    classify,
    missing_for,
    parameters_for,
)

MEMBER_FIELDS = (
    "date_of_birth",
    "sex",
    "health_insurance",
    "work",
    "studying",
    "qualification",
    "malnourished",
    "disability",
    "monthly_allowance",
)
HOUSE_FIELDS = ("house_type", "floor_area_m2", "safe_water", "hygienic_latrine", "internet")
FLAG_CODES = INDICATORS  # every indicator, in the decree order of the batch format

# Vietnamese labels of the answers (for the "missing" list and the forms).
LABELS_VI = {
    "route": "cách tính thu nhập",
    "income_per_capita": "thu nhập bình quân/người/tháng",
    "b1_score": "điểm B1",
    "house_type": "loại nhà",
    "floor_area_m2": "diện tích nhà ở",
    "safe_water": "nước sinh hoạt hợp vệ sinh",
    "hygienic_latrine": "nhà tiêu hợp vệ sinh",
    "internet": "sử dụng internet",
    "info_assets": "tài sản tiếp cận thông tin",
    "waste_treatment": "xử lý rác thải",
    "date_of_birth": "ngày sinh",
    "sex": "giới tính",
    "health_insurance": "thẻ BHYT",
    "work": "việc làm",
    "studying": "đang đi học",
    "qualification": "trình độ",
    "malnourished": "suy dinh dưỡng",
    "disability": "khuyết tật",
    "monthly_allowance": "trợ cấp xã hội hằng tháng",
}


def indicators_on(on: dt.date) -> list[str]:
    return list(default_parameters().value("poverty.indicators", on).value)


def household_fields(on: dt.date) -> list[str]:
    codes = indicators_on(on)
    extra = ["info_assets"] if "info_assets" in codes else []
    extra += ["waste_treatment"] if "waste" in codes else []
    return [*HOUSE_FIELDS, *extra]


def missing_answers(answers: Mapping[str, Any], on: dt.date) -> list[str]:
    """Vietnamese labels of what is still unanswered (empty when the survey is complete)."""
    a = answers.get("a") or {}
    if a.get("screened_out"):
        return []
    out: list[str] = []
    b1 = answers.get("b1") or {}
    route = b1.get("route")
    if route not in ("income", "b1"):
        out.append(LABELS_VI["route"])
    elif b1.get("income_per_capita" if route == "income" else "b1_score") is None:
        out.append(LABELS_VI["income_per_capita" if route == "income" else "b1_score"])
    b2 = answers.get("b2") or {}
    out += [LABELS_VI[f] for f in household_fields(on) if b2.get(f) is None]
    members = answers.get("members") or {}
    if not members:
        out.append("thành viên")
    for member in members.values():
        gaps = [LABELS_VI[f] for f in MEMBER_FIELDS if member.get(f) is None]
        if gaps:
            out.append(f"{member.get('full_name', '?')}: {', '.join(gaps)}")
    return out


def refusal_message(exc: RulesError) -> str:
    """The engine's refusal in the officer's language. The rules package stays free of Django
    (its messages are English); a missing parameter is said again here from its name and date:
    what *ansinh* lacks (the law may well set it), with the parameter's label, the document it
    belongs to and the date as dd/mm/yyyy, and where a policy administrator enters it. Other
    errors (a malformed parameter file) are configuration faults and keep the engine's text."""
    if not isinstance(exc, MissingParameterError) or not exc.missing:
        return str(exc)
    params = default_parameters()
    vietnamese = (get_language() or "vi").startswith("vi")
    by_date: dict[str, tuple[list[str], list[str]]] = {}
    for name, date_iso, _message in exc.missing:
        labels, documents = by_date.setdefault(date_iso, ([], []))
        try:
            p = params.parameter(name)
        except RulesError:
            label, document = name, ""
        else:
            label = p.label_vi if vietnamese else p.label_en
            document = p.document_on(date_iso, vietnamese)
        if label not in labels:
            labels.append(label)
        if document and document not in documents:
            documents.append(document)
    parts = []
    for date_iso, (labels, documents) in by_date.items():
        names = "; ".join(labels)
        try:
            day = dt.date.fromisoformat(date_iso[:10])
        except ValueError:
            parts.append(_("ansinh has no parameter %(names)s.") % {"names": names})
            continue
        values = {"date": day.strftime("%d/%m/%Y"), "names": names}
        if documents:
            values["documents"] = ", ".join(documents)
            parts.append(
                _("ansinh has no value for %(date)s of: %(names)s (%(documents)s).") % values
            )
        else:
            parts.append(_("ansinh has no value for %(date)s of: %(names)s.") % values)
    parts.append(_("A policy administrator enters it on the Policy parameters page."))
    return " ".join(parts)


@dataclass
class Result:
    result_class: str = ""
    flags: dict[str, bool | None] = field(default_factory=dict)
    deprived_count: int | None = None
    explanation: dict[str, Any] = field(default_factory=dict)
    text: str = ""
    versions: dict[str, str] = field(default_factory=dict)
    problem: str = ""
    missing: list[str] = field(default_factory=list)


def frames(
    items: Iterable[tuple[str, str, Mapping[str, Any]]],
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The engine's household and member frames from ``(code, area, answers)`` items."""
    hrows: list[dict[str, Any]] = []
    mrows: list[dict[str, Any]] = []
    for code, area, answers in items:
        b1 = answers.get("b1") or {}
        b2 = answers.get("b2") or {}
        route = b1.get("route")
        hrows.append(
            {
                "household_code": code,
                "area": area,
                "income_per_capita": b1.get("income_per_capita") if route == "income" else None,
                "b1_score": b1.get("b1_score") if route == "b1" else None,
                "house_type": b2.get("house_type"),
                "floor_area_m2": float(b2["floor_area_m2"])
                if b2.get("floor_area_m2") is not None
                else None,
                "safe_water": b2.get("safe_water"),
                "hygienic_latrine": b2.get("hygienic_latrine"),
                "internet": b2.get("internet"),
                "info_assets": b2.get("info_assets"),
                "waste_treatment": b2.get("waste_treatment"),
            }
        )
        for pid, m in (answers.get("members") or {}).items():
            dob = m.get("date_of_birth")
            mrows.append(
                {
                    "household_code": code,
                    "member_code": str(pid),
                    "date_of_birth": dt.date.fromisoformat(dob) if isinstance(dob, str) else dob,
                    **{f: m.get(f) for f in MEMBER_FIELDS if f != "date_of_birth"},
                }
            )
    return (
        pl.DataFrame(hrows, schema=HOUSEHOLD_SCHEMA),
        pl.DataFrame(mrows, schema=MEMBER_SCHEMA),
    )


def _result(
    row: Mapping[str, Any],
    explain: bool = True,
    *,
    on: dt.date,
    params: ParameterSet | None = None,
) -> Result:
    if row.get("b1_missing"):  # partial classification: the B1 scores are not configured
        b1 = missing_for(on, params)["b1"]
        return Result(problem=refusal_message(MissingParameterError(b1)))
    flags = {c: row.get(c) for c in FLAG_CODES if row.get(c) is not None}
    res = Result(result_class=row["class"], flags=flags, deprived_count=row["deprived_count"])
    if explain:
        full = explain_poverty(row, params)
        res.text = render(full, lang="vi")
        res.versions = {p["name"]: p["version"] for p in full["parameters"]}
        res.explanation = compact(full)
    return res


def compact(full: Mapping[str, Any]) -> dict[str, Any]:
    """The explanation as stored with a result: the facts, tests and thresholds, without the
    legal references (about 1/10 of the size; the references follow from the parameter
    versions stored next to it)."""
    test = {k: v for k, v in full["income_test"].items() if k != "reference"}
    return {
        "class": full["class"],
        "date": full["date"],
        "area": full["area"],
        "standard": full["standard"]["code"],
        "income_test": test,
        "deprived_count": full["deprived_count"],
        "indicator_total": full["indicator_total"],
        "min_deprived": full["min_deprived"],
        "indicators": [
            {k: i[k] for k in ("code", "deprived", "fact", "threshold", "parameter")}
            for i in full["indicators"]
        ],
        "inputs": full["inputs"],
        **({"band_missing": True} if full.get("band_missing") else {}),
        **({"illustrative": True} if uses_illustrative(full) else {}),
    }


def classify_answers(code: str, area: str, answers: Mapping[str, Any], on: dt.date) -> Result:
    """Classify one surveyed household; a refusal (e.g. the 2027 thresholds) or missing
    answers come back as ``problem`` / ``missing`` instead of an exception."""
    if (answers.get("a") or {}).get("screened_out"):
        note = (answers.get("a") or {}).get("note") or ""
        return Result(
            result_class="not_poor",
            text="Không thuộc diện rà soát qua Phiếu A" + (f": {note}" if note else ""),
        )
    route = (answers.get("b1") or {}).get("route")
    try:  # the standard first: a refused standard (2027) is said before any missing answer
        # (the B1 scores are needed only on the B1 route; the average-living band never
        # stops a classification: without it a household above the line is "not poor")
        parameters_for(on, need_b1=route == "b1", need_band=False)
        missing = missing_answers(answers, on)
    except RulesError as exc:
        return Result(problem=refusal_message(exc))
    if missing:
        return Result(missing=missing)
    households, members = frames([(code, area, answers)])
    try:
        frame = classify(households, members, on, partial=True)
    except RulesError as exc:
        return Result(problem=refusal_message(exc))
    return _result(frame.row(0, named=True), on=on)


def classify_many(
    items: Sequence[tuple[str, str, Mapping[str, Any]]],
    on: dt.date,
    *,
    explain: bool = True,
    params: ParameterSet | None = None,
) -> dict[str, Result]:
    """Classify a batch of complete surveys in one call of the engine (used when closing a
    round). Raises the engine's error when the standard is refused for ``on``."""
    params = params or default_parameters()  # one set for the whole batch
    screened = {c: classify_answers(c, a, ans, on) for c, a, ans in items if _out(ans)}
    rest = [i for i in items if not _out(i[2])]
    out = dict(screened)
    if rest:
        households, members = frames(rest)
        frame = classify(households, members, on, params, partial=True)
        for row in frame.iter_rows(named=True):
            out[row["household_code"]] = _result(row, explain, on=on, params=params)
    return out


def _out(answers: Mapping[str, Any]) -> bool:
    return bool((answers.get("a") or {}).get("screened_out"))
