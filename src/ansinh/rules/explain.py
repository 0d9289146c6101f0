"""Explanations: why a household got its class, why a person gets an amount.

Public interface::

    explain_poverty(row, params=None) -> dict
    explain_allowance(row, params=None, province=None) -> dict
    render(explanation, lang="vi", detail=False) -> str
    format_dong(amount, lang="vi") -> str            # 1.500.000 đ / 1,500,000 VND

``row`` is one row of :func:`ansinh.rules.poverty.classify` or
:func:`ansinh.rules.allowance.compute` as a mapping (``frame.row(i, named=True)`` or
``frame.iter_rows(named=True)``). Pass the same ``params`` the rule was run with (default: the
shipped parameters plus environment overlays).

The structured explanation (a JSON-friendly dict, meant to be stored with each decision) holds
the inputs used, every indicator with the fact that raised it (or not) and its threshold, the
income or score test, and every parameter used with its version id and legal reference.
:func:`render` turns it into one sentence, e.g.

    Hộ nghèo: thu nhập 1.200.000 đ/người/tháng ≤ 1.500.000 đ (nông thôn) và thiếu hụt 4/12 chỉ
    số: BHYT, chất lượng nhà ở, … (Nghị định 07/2021/NĐ-CP, Điều 3)

    Trợ cấp xã hội hằng tháng: 500.000 đ × hệ số 1,5 = 750.000 đ (người khuyết tật nặng,
    Nghị định 20/2021/NĐ-CP, Điều 5.6)

``detail=True`` adds one line per deprived indicator with its fact.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from typing import Any

from ansinh.core.money import format_vnd
from ansinh.rules.allowance import group_parameters
from ansinh.rules.dates import age_years
from ansinh.rules.parameters import ParameterSet, ParamValue, default_parameters
from ansinh.rules.poverty import INDICATORS, YES_NO_INDICATOR_COLUMNS, parameters_for

__all__ = [
    "CLASS_LABELS",
    "INDICATOR_LABELS",
    "explain_allowance",
    "explain_poverty",
    "format_dong",
    "render",
]

#: Official short names of the indicators (vi, en).
INDICATOR_LABELS: dict[str, tuple[str, str]] = {
    "employment": ("việc làm", "employment"),
    "dependants": ("người phụ thuộc trong hộ", "dependants"),
    "nutrition": ("dinh dưỡng", "nutrition"),
    "health_insurance": ("BHYT", "health insurance"),
    "adult_education": ("trình độ giáo dục của người lớn", "adult education"),
    "school_attendance": ("tình trạng đi học của trẻ em", "school attendance"),
    "housing_quality": ("chất lượng nhà ở", "housing quality"),
    "floor_area": ("diện tích nhà ở bình quân đầu người", "floor area per person"),
    "water": ("nguồn nước sinh hoạt", "domestic water"),
    "latrine": ("nhà tiêu hợp vệ sinh", "hygienic latrine"),
    "telecom": ("sử dụng dịch vụ viễn thông", "telecom use"),
    "info_assets": ("phương tiện phục vụ tiếp cận thông tin", "information assets"),
    "waste": ("xử lý rác thải", "waste treatment"),
}
CLASS_LABELS: dict[str, tuple[str, str]] = {
    "poor": ("Hộ nghèo", "Poor household"),
    "near_poor": ("Hộ cận nghèo", "Near-poor household"),
    "average": ("Hộ có mức sống trung bình", "Household with average living standard"),
    "not_poor": ("Không thuộc hộ nghèo, hộ cận nghèo", "Neither poor nor near-poor"),
}
AREA_LABELS = {"rural": ("nông thôn", "rural"), "urban": ("thành thị", "urban")}
HOUSE_LABELS = {
    "durable": ("kiên cố", "durable"),
    "semi_durable": ("bán kiên cố", "semi-durable"),
    "less_durable": ("thiếu kiên cố", "less durable"),
    "makeshift": ("đơn sơ", "makeshift"),
}
_HOUSEHOLD_VI = {"poor": "hộ nghèo", "near_poor": "hộ cận nghèo"}
_HOUSEHOLD_EN = {"poor": "poor household", "near_poor": "near-poor household"}


def format_dong(amount: int, lang: str = "vi") -> str:
    """``1.500.000 đ`` (vi) or ``1,500,000 VND`` (en): the core money format."""
    return format_vnd(int(amount), lang=lang)


def _decimal(text: str, lang: str) -> str:
    return text.replace(".", ",") if lang == "vi" else text


def _month(d: dt.date) -> str:
    return f"{d.month:02d}/{d.year}"


def _pv(pv: ParamValue) -> dict[str, Any]:
    return pv.as_dict()


# --------------------------------------------------------------------------- poverty


@functools.lru_cache(maxsize=64)
def _poverty_values(
    on: dt.date, params: ParameterSet, need_b1: bool, need_band: bool
) -> dict[str, ParamValue]:
    return parameters_for(on, params, need_b1=need_b1, need_band=need_band)


def _fact(code: str, row: Mapping[str, Any]) -> dict[str, Any]:
    n = row.get("n_members")
    if code == "dependants":
        k = row.get("dependants_n") or 0
        return {
            "dependants": k,
            "members": n,
            "share_percent": round(100 * k / n, 1) if n else None,
        }
    if code in (
        "employment",
        "nutrition",
        "health_insurance",
        "adult_education",
        "school_attendance",
    ):
        fact: dict[str, Any] = {"members": row.get(f"{code}_members")}
        codes = row.get(f"{code}_member_codes")
        if codes is not None:
            fact["member_codes"] = list(codes)
        return fact
    if code == "housing_quality":
        return {"house_type": row.get("house_type")}
    if code == "floor_area":
        area = row.get("floor_area_m2")
        per = round(area / n, 2) if n and area is not None else None
        return {"floor_area_m2": area, "members": n, "m2_per_person": per}
    column = YES_NO_INDICATOR_COLUMNS[code]
    return {column: row.get(f"answer_{column}")}


def explain_poverty(row: Mapping[str, Any], params: ParameterSet | None = None) -> dict[str, Any]:
    """Structured explanation of one classified household (see module docs).

    Long on purpose: the explanation's fields, one after another, as the sentence reads them.
    """
    params = params or default_parameters()
    on = row["date"]
    route = row["route"]
    band_missing = bool(row.get("band_missing"))
    # a partial classification without the average-living band leaves band_max empty
    need_band = route == "income" and row.get("band_max") is not None
    values = dict(_poverty_values(on, params, route == "b1", False))
    if need_band:  # only this household's area's band (the other one may be missing)
        name = f"poverty.average_band_max.{row['area']}"
        values[name] = params.value(name, on)
    indicators = list(values["poverty.indicators"].value)
    items = []
    for code in INDICATORS:
        if code not in indicators:
            continue
        pv = values[f"poverty.indicator.{code}"]
        items.append(
            {
                "code": code,
                "label_vi": INDICATOR_LABELS[code][0],
                "label_en": INDICATOR_LABELS[code][1],
                "deprived": bool(row.get(code)),
                "fact": _fact(code, row),
                "threshold": pv.value,
                "status": pv.status,
                "parameter": pv.version,
                "reference": pv.reference.as_dict(),
            }
        )
    area = row["area"]
    standard = values["poverty.standard"]
    if route == "b1":
        line_pv = values[f"poverty.b1_threshold.{area}"]
        test: dict[str, Any] = {
            "route": "b1",
            "measure": row["b1_score"],
            "line": row["income_line"],
            "b_score": row.get("b_score"),
            "b_poor_min": values["poverty.b2_poor_min_score"].value,
            "parameter": line_pv.version,
            "reference": line_pv.reference.as_dict(),
        }
    else:
        line_pv = values[f"poverty.income_line.{area}"]
        band_pv = values.get(f"poverty.average_band_max.{area}")
        test = {
            "route": "income",
            "measure": row["income_per_capita"],
            "line": row["income_line"],
            "band_max": row.get("band_max"),
            "parameter": line_pv.version,
            "band_parameter": band_pv.version if band_pv else None,
            "reference": line_pv.reference.as_dict(),
        }
    used = sorted(values.values(), key=lambda pv: pv.name)
    return {
        "kind": "poverty",
        "household_code": row["household_code"],
        "date": on.isoformat(),
        "class": row["class"],
        "area": area,
        "standard": {
            "code": standard.value,
            "reference": standard.reference.as_dict(),
            "note": standard.note,
        },
        "income_test": test,
        "deprived_count": row["deprived_count"],
        "indicator_total": len(indicators),
        "min_deprived": values["poverty.min_deprived_indicators"].value,
        "indicators": items,
        "inputs": {
            "area": area,
            "income_per_capita": row.get("income_per_capita"),
            "b1_score": row.get("b1_score"),
            "n_members": row.get("n_members"),
            "house_type": row.get("house_type"),
            "floor_area_m2": row.get("floor_area_m2"),
            **{
                column: row.get(f"answer_{column}")
                for column in YES_NO_INDICATOR_COLUMNS.values()
                if f"answer_{column}" in row
            },
        },
        "parameters": [_pv(pv) for pv in used],
        **({"band_missing": True} if band_missing else {}),
    }


ILLUSTRATIVE = (
    "GIÁ TRỊ MINH HỌA – không phải văn bản pháp luật",
    "ILLUSTRATIVE VALUES – not a legal text",
)


def uses_illustrative(explanation: Mapping[str, Any]) -> bool:
    """True when a parameter behind the explanation is an illustrative (demonstration) value."""
    return any(p.get("illustrative") for p in explanation.get("parameters", ()))


def _ref_text(ref: Mapping[str, Any], lang: str) -> str:
    doc = ref["document_vi"] if lang == "vi" else ref["document"]
    art = ref["article_vi"] if lang == "vi" else ref["article"]
    return ", ".join(p for p in (doc, art) if p)


def _indicator_fact_text(item: Mapping[str, Any], lang: str) -> str:
    code = item["code"]
    fact = item["fact"]
    t = item["threshold"] or {}
    vi = lang == "vi"
    if code == "dependants":
        share = _decimal(str(fact["share_percent"]), lang)
        who = "người phụ thuộc" if vi else "dependants"
        return (
            f"{fact['dependants']}/{fact['members']} {who} ({share}%) "
            f"> {t.get('max_share_percent')}%"
        )
    if code == "floor_area":
        per = _decimal(str(fact["m2_per_person"]), lang)
        return f"{per} m²/{'người' if vi else 'person'} < {t.get('min_m2_per_person')} m²"
    if code == "housing_quality":
        label = HOUSE_LABELS.get(str(fact["house_type"]), (fact["house_type"], fact["house_type"]))
        return f"{'nhà' if vi else 'house'} {label[0] if vi else label[1]}"
    if code in YES_NO_INDICATOR_COLUMNS:
        return "trả lời “không”" if vi else "answered “no”"
    members = fact.get("members")
    codes = fact.get("member_codes")
    who = f" ({', '.join(codes)})" if codes else ""
    texts_vi = {
        "employment": "người trong độ tuổi lao động thất nghiệp hoặc làm công không có hợp đồng",
        "nutrition": "trẻ em dưới 16 tuổi suy dinh dưỡng",
        "health_insurance": f"người từ {t.get('from_age')} tuổi trở lên không có thẻ BHYT",
        "adult_education": "người 16–30 tuổi không đi học và chưa đạt trình độ theo độ tuổi",
        "school_attendance": "trẻ em 3 đến dưới 16 tuổi không đi học",
    }
    texts_en = {
        "employment": "working-age member(s) unemployed or working for wages without a contract",
        "nutrition": "child(ren) under 16 stunted or underweight",
        "health_insurance": f"member(s) aged {t.get('from_age')} or more without health insurance",
        "adult_education": "person(s) aged 16–30 not studying and below the expected level",
        "school_attendance": "child(ren) aged 3 to under 16 not in school",
    }
    return f"{members} {(texts_vi if vi else texts_en)[code]}{who}"


def _render_poverty(e: Mapping[str, Any], lang: str, detail: bool) -> str:
    vi = lang == "vi"
    klass = e["class"]
    label = CLASS_LABELS[klass][0 if vi else 1]
    area = AREA_LABELS[e["area"]][0 if vi else 1]
    test = e["income_test"]
    deprived = [i for i in e["indicators"] if i["deprived"]]
    names = ", ".join(i["label_vi" if vi else "label_en"] for i in deprived)
    count = f"{e['deprived_count']}/{e['indicator_total']}"
    if deprived:
        dep = (
            f"thiếu hụt {count} chỉ số: {names}"
            if vi
            else f"deprived on {count} indicators: {names}"
        )
    else:
        dep = (
            f"không thiếu hụt chỉ số nào (0/{e['indicator_total']})"
            if vi
            else (f"deprived on no indicator (0/{e['indicator_total']})")
        )
    if test["route"] == "b1":
        measure = f"{'điểm A (Phiếu B1)' if vi else 'score A (form B1)'} {test['measure']}"
        line = str(test["line"])
        below = test["measure"] <= test["line"]
        if below and test.get("b_score") is not None:
            sign = "≥" if test["b_score"] >= test["b_poor_min"] else "<"
            word = "điểm B" if vi else "score B"
            dep = f"{word} {test['b_score']} {sign} {test['b_poor_min']} ({dep})"
        test_text = f"{measure} {'≤' if below else '>'} {line} ({area})"
    else:
        unit = "/người/tháng" if vi else " per person per month"
        income = format_dong(test["measure"], lang)
        line = format_dong(test["line"], lang)
        word = "thu nhập" if vi else "income"
        if klass in ("poor", "near_poor"):
            test_text = f"{word} {income}{unit} ≤ {line} ({area})"
        elif klass == "average":
            test_text = (
                f"{word} {income}{unit} > {line} {'và' if vi else 'and'} ≤ "
                f"{format_dong(test['band_max'], lang)} ({area})"
            )
        else:
            band = test.get("band_max")
            limit = format_dong(band, lang) if band is not None else line
            test_text = f"{word} {income}{unit} > {limit} ({area})"
    joiner = " và " if vi else " and "
    body = f"{test_text}{joiner}{dep}" if klass in ("poor", "near_poor") else f"{test_text}; {dep}"
    refs = [_ref_text(test["reference"], lang)]
    standard_ref = _ref_text(e["standard"]["reference"], lang)
    if standard_ref not in refs:
        refs.append(standard_ref)
    sentence = f"{label}: {body} ({'; '.join(refs)})"
    if e.get("band_missing"):
        sentence += (
            "; chưa xét hộ có mức sống trung bình: ansinh chưa có mức thu nhập tối đa của hộ "
            "có mức sống trung bình cho chuẩn này"
            if vi
            else "; the average-living band is not configured in ansinh for this standard"
        )
    if uses_illustrative(e):
        sentence += f" [{ILLUSTRATIVE[0 if vi else 1]}]"
    if detail and deprived:
        lines = [
            f"– {i['label_vi' if vi else 'label_en']}: {_indicator_fact_text(i, lang)}"
            for i in deprived
        ]
        sentence += "\n" + "\n".join(lines)
    return sentence


# --------------------------------------------------------------------------- allowances


@functools.lru_cache(maxsize=64)
def _allowance_values(
    month: dt.date, params: ParameterSet, province: int | None
) -> tuple[ParamValue, dict[str, ParamValue], ParamValue | None, ParamValue | None]:
    return (
        params.value("assistance.standard_level", month, province),
        group_parameters(month, params),
        params.get("social_pension.amount", month, province),
        params.get("social_pension.eligibility", month),
    )


def explain_allowance(
    row: Mapping[str, Any], params: ParameterSet | None = None, province: int | None = None
) -> dict[str, Any]:
    """Structured explanation of one person's monthly entitlement (see module docs)."""
    params = params or default_parameters()
    month: dt.date = row["month"]
    level, groups, pension_amount, pension_rules = _allowance_values(month, params, province)
    used = [level]
    group_pv = (
        groups.get(f"assistance.group.{row['assistance_basis']}")
        if row.get("assistance_basis")
        else None
    )
    if group_pv is not None:
        used.append(group_pv)
    if row.get("pension_eligible") and pension_amount is not None and pension_rules is not None:
        used += [pension_amount, pension_rules]
    age = age_years(row["date_of_birth"], month) if row.get("date_of_birth") else None
    return {
        "kind": "allowance",
        "person_code": row["person_code"],
        "month": month.isoformat()[:7],
        "age": max(age, 0) if age is not None else None,
        "household": row.get("household"),
        "scheme": row["scheme"],
        "basis": row.get("basis"),
        "reason": row.get("reason"),
        "coefficient": row.get("coefficient"),
        "standard_level": row.get("standard_level"),
        "amount": row["amount"],
        "assistance": {
            "basis": row.get("assistance_basis"),
            "amount": row.get("assistance_amount"),
        },
        "pension": {
            "eligible": bool(row.get("pension_eligible")),
            "amount": row.get("pension_amount"),
        },
        "decision_month": row["decision_month"].isoformat()[:7]
        if row.get("decision_month")
        else None,
        "group": (
            {
                "code": row["assistance_basis"],
                "label_vi": params.parameter(group_pv.name).label_vi,
                "label_en": params.parameter(group_pv.name).label_en,
                "reference": group_pv.reference.as_dict(),
                "parameter": group_pv.version,
            }
            if group_pv is not None
            else None
        ),
        "pension_reference": pension_amount.reference.as_dict() if pension_amount else None,
        "parameters": [_pv(pv) for pv in used],
    }


def _render_allowance(e: Mapping[str, Any], lang: str) -> str:
    vi = lang == "vi"
    month = dt.date.fromisoformat(e["month"] + "-01")
    if e["reason"] == "before_decision_month":
        decision = dt.date.fromisoformat(e["decision_month"] + "-01")
        return (
            f"Chưa hưởng trợ cấp tháng {_month(month)}: quyết định trợ cấp tính từ tháng "
            f"{_month(decision)}"
            if vi
            else f"No payment for {_month(month)}: entitlement starts in {_month(decision)}"
        )
    if e["scheme"] == "social_assistance":
        group = e["group"]
        coefficient = _decimal(e["coefficient"], lang)
        level = format_dong(e["standard_level"], lang)
        amount = format_dong(e["amount"], lang)
        ref = _ref_text(group["reference"], lang)
        label = group["label_vi"] if vi else group["label_en"]
        head = "Trợ cấp xã hội hằng tháng" if vi else "Monthly social allowance"
        coef_word = "hệ số" if vi else "coefficient"
        text = f"{head}: {level} × {coef_word} {coefficient} = {amount} ({label}, {ref})"
        if e["pension"]["eligible"] and e["pension"]["amount"] is not None:
            pension = format_dong(e["pension"]["amount"], lang)
            text += (
                f"; không thấp hơn trợ cấp hưu trí xã hội {pension}"
                if vi
                else f"; not lower than the social pension of {pension}"
            )
        return text
    if e["scheme"] == "social_pension":
        amount = format_dong(e["amount"], lang)
        ref = _ref_text(e["pension_reference"], lang)
        status = str(e["household"])
        who = f"người {e['age']} tuổi" if vi else f"aged {e['age']}"
        if status in _HOUSEHOLD_VI:
            who += f", thuộc {_HOUSEHOLD_VI[status]}" if vi else f", {_HOUSEHOLD_EN[status]}"
        text = (
            f"Trợ cấp hưu trí xã hội: {amount}/tháng ({who}; {ref})"
            if vi
            else f"Social pension: {amount} a month ({who}; {ref})"
        )
        if e["assistance"]["amount"] is not None:
            other = format_dong(e["assistance"]["amount"], lang)
            text += (
                f"; cao hơn trợ cấp xã hội hằng tháng {other}"
                if vi
                else f"; higher than the monthly social allowance of {other}"
            )
        return text
    return (
        f"Không hưởng trợ cấp tháng {_month(month)}: không thuộc nhóm đối tượng nào đủ điều kiện"
        if vi
        else f"No allowance for {_month(month)}: no group or scheme applies this month"
    )


def render(explanation: Mapping[str, Any], lang: str = "vi", detail: bool = False) -> str:
    """One sentence (``lang`` ``vi`` or ``en``); ``detail`` adds a line per deprived indicator."""
    if lang not in ("vi", "en"):
        raise ValueError(f"unknown language {lang!r} (vi or en)")
    if explanation["kind"] == "poverty":
        return _render_poverty(explanation, lang, detail)
    if explanation["kind"] == "allowance":
        return _render_allowance(explanation, lang)
    raise ValueError(f"unknown explanation kind {explanation['kind']!r}")
