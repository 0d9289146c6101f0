# What an event says after a payroll was made (a death, a move, a case ended: assistance.holds)
# became a key of its check's event_messages in the guard's table with its parameters, like a
# guard run's findings: shown in the reader's language. The Vietnamese sentences stored before
# are recognised and converted: on guard items to message_key/message_params, on a line's note
# and recovery to the packed form "code:key {json}" (ansinh.rules.guard.pack). A sentence that
# is not recognised (cut at the column's length, written otherwise) is left as it was and shown
# as stored. Backwards, the keys become the Vietnamese sentences again.
#
# Self-contained on purpose: the formats here are those of the code at the time of writing.

import json
import re

from django.db import migrations
from django.db.models import Q

DATE = r"(?P<day>\d{2})/(?P<mon>\d{2})/(?P<year>\d{4})"
END = r"(?P<end_mon>\d{2})/(?P<end_year>\d{4})"
PERSON = rf"Đã ghi nhận người hưởng (?P<what>chết|chuyển đi) ngày {DATE}\."
CASE = rf"Hồ sơ (?:dừng trợ cấp|chuyển đến (?P<to>.+)) ngày {DATE}, không chi từ tháng {END}\."
HELD = (
    r" Đã giữ lại (?P<count>\d+) khoản chi chưa xuất file \((?P<total>\d[\d.]*) đ\)\. "
    r"(?:Tháng (?P<owed_mon>\d{2})/(?P<owed_year>\d{4}) vẫn được hưởng: xác định người nhận "
    r"rồi chi, hoặc giữ lại\.|Không còn được hưởng: dừng trợ cấp hoặc giữ lại\.)"
)
RECOVER = r" Đã xuất file chi trả: theo dõi thu hồi\."
EVENTS = {"person_gone": re.compile(PERSON, re.DOTALL), "case_ended": re.compile(CASE, re.DOTALL)}
ITEMS = {rule: re.compile(p.pattern + HELD, re.DOTALL) for rule, p in EVENTS.items()}
RECOVERIES = {rule: re.compile(p.pattern + RECOVER, re.DOTALL) for rule, p in EVENTS.items()}
PACKED = re.compile(
    r"(?P<rule>person_gone|case_ended):(?P<key>[a-z_]+) (?P<params>\{.*\})", re.DOTALL
)
KEYS = {
    f"{event}{part}"
    for event in ("died", "moved", "stopped", "transferred")
    for part in ("", "_held", "_held_owed", "_recover")
}
LINE_TEXT = 300
BATCH = 2000

# the Vietnamese of each message, as the code wrote it before (for the way back)
VI_EVENT = {
    "died": "Đã ghi nhận người hưởng chết ngày {date}.",
    "moved": "Đã ghi nhận người hưởng chuyển đi ngày {date}.",
    "stopped": "Hồ sơ dừng trợ cấp ngày {date}, không chi từ tháng {end}.",
    "transferred": "Hồ sơ chuyển đến {to} ngày {date}, không chi từ tháng {end}.",
}
VI_HELD = " Đã giữ lại {count} khoản chi chưa xuất file ({total} đ). "
VI_OWED = "Tháng {month} vẫn được hưởng: xác định người nhận rồi chi, hoặc giữ lại."
VI_NOT_OWED = "Không còn được hưởng: dừng trợ cấp hoặc giữ lại."
VI_RECOVER = " Đã xuất file chi trả: theo dõi thu hồi."


def _event(rule, match):
    """The event's key and parameters from a recognised sentence."""
    date = f"{match['year']}-{match['mon']}-{match['day']}"
    if rule == "person_gone":
        return ("died" if match["what"] == "chết" else "moved"), {"date": date}
    params = {"date": date, "end": f"{match['end_year']}-{match['end_mon']}-01"}
    if match["to"] is None:
        return "stopped", params
    return "transferred", {**params, "to": match["to"]}


def _pack(rule, key, params):
    def packed(values):
        text = json.dumps(values, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        return f"{rule}:{key} {text}"

    text = packed(params)
    if len(text) <= LINE_TEXT or not params.get("to"):
        return text
    to, fits, longer = params["to"], 0, len(params["to"])
    while fits < longer:  # the longest start of "to" that fits (JSON may escape some of it)
        mid = (fits + longer + 1) // 2
        if len(packed({**params, "to": to[:mid]})) <= LINE_TEXT:
            fits = mid
        else:
            longer = mid - 1
    return packed({**params, "to": to[:fits]})


def _line_text(text, patterns, suffix):
    """The packed form of a line's note or recovery, or None when not recognised."""
    for rule, pattern in patterns.items():
        match = pattern.fullmatch(text)
        if match is not None:
            key, params = _event(rule, match)
            return _pack(rule, key + suffix, params)
    return None


def _update(model, items):
    """One update per item: reading ``item.message`` renders the key (GuardMessageField), so
    the items are not saved from instances (bulk_update would store that rendering). Events
    raise few items."""
    for pk, values in items:
        model.objects.filter(pk=pk).update(**values)


def forwards(apps, schema_editor):
    GuardItem = apps.get_model("assistance", "GuardItem")
    PayrollLine = apps.get_model("assistance", "PayrollLine")
    items = []
    for item in GuardItem.objects.filter(origin="event").exclude(message="").iterator():
        pattern = ITEMS.get(item.rule)
        match = pattern.fullmatch(item.message) if pattern is not None else None
        if match is None:
            continue
        key, params = _event(item.rule, match)
        params["count"] = int(match["count"])
        params["total"] = int(match["total"].replace(".", ""))
        if match["owed_mon"] is not None:
            key += "_held_owed"
            params["month"] = f"{match['owed_year']}-{match['owed_mon']}-01"
        else:
            key += "_held"
        items.append((item.pk, {"message": "", "message_key": key, "message_params": params}))
    _update(GuardItem, items)
    written = Q(note__startswith="Đã ghi nhận người hưởng ") | Q(note__startswith="Hồ sơ ")
    lines = []
    for line in PayrollLine.objects.filter(written | ~Q(recovery="")).iterator():
        note = _line_text(line.note, EVENTS, "")
        recovery = _line_text(line.recovery, RECOVERIES, "_recover")
        if note is None and recovery is None:
            continue
        line.note = note if note is not None else line.note
        line.recovery = recovery if recovery is not None else line.recovery
        lines.append(line)
    PayrollLine.objects.bulk_update(lines, ["note", "recovery"], batch_size=BATCH)


def _vi_date(value):
    return f"{value[8:10]}/{value[5:7]}/{value[:4]}"


def _vi_month(value):
    return f"{value[5:7]}/{value[:4]}"


def _vi(key, params):
    """The Vietnamese sentence of an event message, as the code wrote it before."""
    event, _sep, part = key.partition("_")
    shown = {
        "date": _vi_date(params.get("date") or "0000-00-00"),
        "end": _vi_month(params.get("end") or "0000-00-00"),
        "to": params.get("to", ""),
    }
    text = VI_EVENT[event].format(**shown)
    if part == "recover":
        return text + VI_RECOVER
    if part.startswith("held"):
        total = f"{int(params.get('total', 0)):,}".replace(",", ".")
        text += VI_HELD.format(count=params.get("count", 0), total=total)
        if part == "held_owed":
            return text + VI_OWED.format(month=_vi_month(params.get("month") or "0000-00-00"))
        return text + VI_NOT_OWED
    return text


def backwards(apps, schema_editor):
    GuardItem = apps.get_model("assistance", "GuardItem")
    PayrollLine = apps.get_model("assistance", "PayrollLine")
    items = []
    events = GuardItem.objects.filter(origin="event", message="", rule__in=list(EVENTS)).exclude(
        message_key=""
    )
    for item in events.iterator():
        if item.message_key not in KEYS:
            continue
        message = _vi(item.message_key, item.message_params)[:400]
        items.append((item.pk, {"message": message, "message_key": "", "message_params": {}}))
    _update(GuardItem, items)
    packed = Q(note__startswith="person_gone:") | Q(note__startswith="case_ended:")
    lines = []
    for line in PayrollLine.objects.filter(packed | ~Q(recovery="")).iterator():
        changed = False
        for field in ("note", "recovery"):
            match = PACKED.fullmatch(getattr(line, field))
            if match is None or match["key"] not in KEYS:
                continue
            try:
                params = json.loads(match["params"])
            except ValueError:
                continue
            setattr(line, field, _vi(match["key"], params)[:300])
            changed = True
        if changed:
            lines.append(line)
    PayrollLine.objects.bulk_update(lines, ["note", "recovery"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("assistance", "0005_guard_item_message_key"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
