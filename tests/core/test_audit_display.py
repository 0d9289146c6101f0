"""The audit log as people read it (``core.audit_display``): field labels, values as labels
and dd/mm/yyyy, each status with its own model's choices, records by name (scoped, without a
query per entry), what changed inside a survey's answers, old entries."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.text import capfirst

from ansinh.accounts.scopes import scope_for
from ansinh.core.audit_display import NESTED_LINES, EntryView, entries_display
from ansinh.core.audit_vocabulary import EVERY, vocabulary
from ansinh.core.models import AuditAction, AuditEntry
from ansinh.registry import services
from tests import factories as f

OTHER_COMMUNE = 26740  # Phường Sài Gòn, Thành phố Hồ Chí Minh


def entry(label: str, changes: dict[str, Any], action: str = AuditAction.UPDATE, **kw: Any):
    return AuditEntry(
        action=action,
        model_label=label,
        object_id=kw.pop("object_id", 1),
        object_repr=kw.pop("object_repr", "x"),
        changes=changes,
        at=kw.pop("at", timezone.now()),
        **kw,
    )


def read(*entries: AuditEntry, lang: str = "en", commune: int | None = f.TAN_DONG):
    """The entries as read; in English unless told (new labels are translated by the lead)."""
    with translation.override(lang):
        return entries_display(list(entries), commune_code=commune)


def lines(view: EntryView) -> list[str]:
    return [c.text for c in view.changes]


@pytest.mark.django_db
def test_fields_read_as_their_labels_in_both_languages():
    payroll = entry(
        "assistance.payroll",
        {"status": ["draft", "prepared"], "prepared_by": [None, 999_999]},
    )
    case = entry("assistance.case", {"decision_number": ["", "12/QĐ-UBND"]})
    survey = entry("poverty.roundhousehold", {"answers": [{}, {"b2": {"internet": True}}]})
    vi = [line for view in read(payroll, case, lang="vi") for line in lines(view)]
    assert vi == [
        "Tình trạng: Đang lập → Chờ duyệt",
        "Người lập: — → #999999",  # no such account: its id
        "Số quyết định: — → 12/QĐ-UBND",
    ]
    en = [line for view in read(payroll, case, survey) for line in lines(view)]
    assert en == [
        "Status: Draft → Waiting for approval",
        "Prepared by: — → #999999",
        "Decision number: — → 12/QĐ-UBND",
        "Answers › Form B2: living conditions › A member uses the internet: — → Yes",
    ]
    raw = re.compile(r"Prepared_by|Decision_number|prepared_by|draft|prepared\b")
    assert not raw.search(" ".join(vi + en))


def test_a_status_reads_with_its_own_models_choices():
    """``active`` is an allowance case's "receiving"; a household's "current" is its own."""
    case, person, household = read(
        entry("assistance.case", {"status": ["verified", "active"]}),
        entry("registry.person", {"life_status": ["living", "deceased"]}),
        entry("registry.household", {"status": ["dissolved", "active"]}),
        lang="vi",
    )
    assert lines(case) == ["Tình trạng: Đã xác minh → Đang hưởng (đã có quyết định)"]
    assert lines(person) == ["Tình trạng: Đang sinh sống → Đã mất"]
    assert lines(household) == ["Tình trạng: Đã đóng (không còn nhân khẩu) → Đang cư trú"]
    assert "Đang cư trú" not in lines(case)[0]


def test_values_read_as_people_write_them():
    (case,) = read(
        entry(
            "assistance.case",
            {
                "groups": [[], ["disability_severe"]],
                "basis": ["", "disability_severe"],
                "coefficient": ["1.5", "2.0"],
                "amount": [750000, 1000000],
                "effective_month": [None, "2026-12-01"],
                "decision_date": [None, "2026-12-03"],
                "payment_method": ["cash", "bank"],
            },
        ),
        lang="vi",
    )
    assert lines(case) == [
        "Nhóm đối tượng: — → Người khuyết tật nặng",
        "Căn cứ: — → Người khuyết tật nặng",
        "Hệ số: 1,5 → 2,0",
        "Mức trợ cấp hằng tháng: 750.000 đ → 1.000.000 đ",
        "Hưởng từ tháng: — → 12/2026",
        "Ngày quyết định: — → 03/12/2026",
        "Hình thức chi trả: Bằng tiền mặt → Qua tài khoản ngân hàng",
    ]
    (policy,) = read(entry("policy.policyvalue", {"illustrative": [False, True]}), lang="vi")
    assert lines(policy) == ["Giá trị minh họa: Không → Có"]
    assert not re.search(r"\d{4}-\d{2}-\d{2}|disability_severe|True|False", str(lines(case)))


@pytest.mark.django_db
def test_records_and_users_read_by_name_within_the_readers_commune(officer, hh_td, tan_dong):
    stranger_village = f.village(OTHER_COMMUNE, name="Khu phố Một", code="KP")
    stranger = f.household(stranger_village, f.person("Võ Văn Lạ", dt.date(1970, 1, 1)))
    head = hh_td.members.get(relationship="head")
    payroll, moved, committee = read(
        entry("assistance.payroll", {"prepared_by": [None, officer.pk]}),
        entry("registry.person", {"household": [hh_td.pk, stranger.pk]}),
        entry("poverty.committeemember", {"user": [None, officer.pk]}),
        lang="vi",
    )
    assert lines(payroll) == [f"Người lập: — → {officer.full_name}"]
    # another commune's household is never named to this commune's reader
    assert lines(moved) == [f"Hộ: {hh_td.code} → #{stranger.pk}"]
    assert lines(committee) == [f"Người dùng: — → {officer.full_name}"]
    (request,) = read(
        entry(
            "poverty.roundhousehold",
            {"request_members": [None, {str(head.pk): "working"}]},
            action=AuditAction.CREATE,
        ),
        lang="vi",
    )
    assert lines(request) == [f"Tình trạng nhân khẩu (Mẫu số 01) › {head.full_name}: Đang làm việc"]


@pytest.mark.django_db
def test_a_page_of_entries_reads_its_records_in_a_few_queries(officer, tan_dong):
    given = [
        "An",
        "Bình",
        "Chi",
        "Dũng",
        "Em",
        "Giang",
        "Hà",
        "Khánh",
        "Lan",
        "Minh",
        "Nga",
        "Oanh",
    ]
    households = [
        f.household(tan_dong, f.person(f"Trần Văn {name}", dt.date(1970, 1, i + 1)), actor=officer)
        for i, name in enumerate(given)
    ]

    def queries(n: int) -> int:
        rows = [
            entry("registry.person", {"household": [households[i].pk, households[i + 1].pk]})
            for i in range(n)
        ]
        rows += [entry("assistance.payroll", {"approved_by": [None, officer.pk]})] * n
        with CaptureQueriesContext(connection) as ctx:
            shown = read(*rows)
        assert [v.changes[0].after for v in shown[:n]] == [h.code for h in households[1 : n + 1]]
        assert shown[-1].changes[0].after == officer.full_name
        return len(ctx.captured_queries)

    assert queries(2) == queries(11) == 2  # the households, the users


def test_a_surveys_answers_show_only_what_changed():
    member = "10787"
    before = {
        "a": {"screened_out": False, "note": ""},
        "b2": {"house_type": "semi_durable", "safe_water": False, "internet": True},
        "members": {member: {"full_name": "Lê Thị Hoa", "work": "unemployed", "sex": "female"}},
        "notes": {},
    }
    after = {
        "a": {"screened_out": False, "note": ""},
        "b2": {"house_type": "durable", "safe_water": True, "internet": True},
        "members": {member: {"full_name": "Lê Thị Hoa", "work": "wage_contract", "sex": "male"}},
        "notes": {f"{member}.sex": "Sổ ghi nhầm"},
    }
    (view,) = read(
        entry(
            "poverty.roundhousehold",
            {"answers": [before, after], "deprived_count": [3, 1]},
            note="section b2",
        ),
        commune=None,  # nobody is named to a reader without a commune: the member's id
    )
    b2 = "Answers › Form B2: living conditions"
    assert lines(view) == [
        f"{b2} › House: Semi-durable house → Durable house",
        f"{b2} › Safe domestic water: No → Yes",
        (
            f"Answers › Members › #{member} › Work: "
            "Unemployed, looking for work → Wage work with a contract"
        ),
        f"Answers › Members › #{member} › Sex: Female → Male",
        f"Answers › Why a registry value was corrected › #{member} · Sex: — → Sổ ghi nhầm",
        "Deprived indicators: 3 → 1",
    ]
    assert view.note == "Survey saved: Form B2: living conditions"


@pytest.mark.django_db
def test_a_survey_names_its_members_in_the_readers_commune(hh_td):
    head = hh_td.members.get(relationship="head")
    answers = [
        {"members": {str(head.pk): {"work": None}}},
        {"members": {str(head.pk): {"work": "unemployed"}}},
    ]
    (view,) = read(
        entry("poverty.roundhousehold", {"answers": answers}, note=f"section member:{head.pk}")
    )
    assert lines(view) == [
        f"Answers › Members › {head.full_name} › Work: — → Unemployed, looking for work"
    ]
    assert view.note == f"Survey saved: {head.full_name}"


def test_a_long_document_change_is_counted_after_the_first_lines():
    before = {"members": {str(i): {"work": "unemployed"} for i in range(NESTED_LINES + 5)}}
    after = {"members": {str(i): {"work": "self_employed"} for i in range(NESTED_LINES + 5)}}
    (view,) = read(entry("poverty.roundhousehold", {"answers": [before, after]}), commune=None)
    assert len(view.changes) == NESTED_LINES + 1
    assert view.changes[-1].text == "Answers: … and 5 more changes"


@pytest.mark.django_db
def test_entries_written_before_this_display_read_the_same():
    """Old entries: plain values instead of pairs, an export, a reveal, a backup, a record
    type or field that no longer exists, English notes written in code words."""
    old = read(
        entry("registry.household", {"event": "death", "date": "2026-01-01"}, AuditAction.EVENT),
        entry(
            "export",
            {"rows": 12},
            AuditAction.EVENT,
            object_repr="registry.households.xlsx",
            note="village 999999",
        ),
        entry("registry.person", {"revealed": [None, "cccd"]}, AuditAction.EVENT),
        entry("backup", {"file": "x.sqlite3", "bytes": 12_900_000}, AuditAction.EVENT),
        entry("gone.model", {"whatever_it_was": [1, 2]}),
        entry("assistance.payroll", {"lines": [None, 3]}, AuditAction.EVENT, note="payment file"),
    )
    event, export, reveal, backup, gone, payroll = old
    assert lines(event) == ["Event: Death", "Date: 01/01/2026"]
    assert (export.record_type, export.record, lines(export)) == (
        "File handed out",
        "Households (Excel)",
        ["Number of rows: 12"],
    )
    assert export.note == "Only #999999"
    assert lines(reveal) == ["Identifier viewed: Personal ID (CCCD)"]
    assert (backup.record_type, lines(backup)) == ("Backup", ["File: x.sqlite3", "Size: 12,3 MB"])
    assert lines(gone) == ["Whatever_it_was: 1 → 2"]  # nothing is lost, nothing raises
    assert (payroll.note, lines(payroll)) == ("Payment file made", ["Payments in the file: 3"])


def test_the_system_is_named_by_what_it_was_doing():
    (view,) = read(entry("registry.person", {}, system="demo"))
    assert view.by == "System: demo data"
    (unknown,) = read(entry("registry.person", {}, system="nightly tidy"))
    assert unknown.by == "System: nightly tidy"


#: Records of these models are never written to the log.
NEVER_LOGGED = {"imports.importmapping"}
# Fields never written to the log (tokens, technical counters): they need no label.
NOT_AUDITED = {
    "id",
    "key_hash",
    "claim_token",
    "sha256",
    "stored_name",
    "codename",
    "inputs_version",
    "guarded_version",
    "message_key",
    "message_params",
    "text_pdf_name",
    "entered_system",
    "decided_system",
    "headers",
    "counts",
    "problems",
    "problems_total",
    "notes",
    "result",
    "total",
    "done",
    "system",
    "checked_at",
    "columns",
    "updated_at",
    "provider",
    "paused_until",
    "recorded_at",
    "created_at",
    "surveyors",
    "surveyed_at",
    "approved_at",
    "flags",
    "explanation",
    "explanation_text",
    "parameter_versions",
    "found_at",
    "at",
}


def _named(model: Any, name: str) -> bool:
    """Whether the display layer has a translatable label for the field (its verbose_name,
    a label an app said, or the related model's name)."""
    field = model._meta.get_field(name)
    said = vocabulary(model._meta.label_lower).labels | vocabulary(EVERY).labels
    related = field.related_model
    return (
        isinstance(field.verbose_name, Promise)
        or name in said
        or (related is not None and isinstance(related._meta.verbose_name, Promise))
    )


def test_every_field_of_every_model_reads_as_a_label():
    """A field added without a translated label would show as ``Prepared_by``: each field of
    ansinh's models has a ``verbose_name`` or a label said in an ``audit_labels`` module."""
    unnamed = []
    for model in apps.get_models():
        if not model.__module__.startswith("ansinh."):
            continue
        label = model._meta.label_lower
        if label in NEVER_LOGGED:
            continue
        names = [
            x.name
            for x in model._meta.concrete_fields
            if x.editable and x.name not in NOT_AUDITED  # not editable: a key, a stamp
        ]
        unnamed += [f"{label}.{name}" for name in names if not _named(model, name)]
        (view,) = read(entry(label, {name: [None, "x"] for name in names}), lang="en")
        unnamed += [f"{label}: {c.label}" for c in view.changes if "_" in c.label]
        if not isinstance(model._meta.verbose_name, Promise) and label not in NEVER_LOGGED:
            unnamed.append(label)
    assert unnamed == []


def test_every_app_says_what_its_events_mean():
    """The vocabulary of the apps is found (``audit_labels`` modules)."""
    assert vocabulary("export").records["registry.households.xlsx"]
    assert vocabulary("poverty.roundhousehold").keyed["members"] == "registry.person"
    assert vocabulary("accounts.user").notes


@pytest.mark.django_db
def test_a_recorded_death_reads_well(officer, tan_dong):
    member = f.household(tan_dong, f.person("Trần Văn Mất", dt.date(1950, 2, 3)), actor=officer)
    person = member.members.get()
    services.person_record_death(
        scope=scope_for(officer), person=person, date=dt.date(2026, 10, 26)
    )
    logged = AuditEntry.objects.filter(household_id=member.pk).select_related("actor")
    shown = read(*logged, lang="vi")
    text = "\n".join(line for view in shown for line in lines(view))
    assert "Ngày: 26/10/2026" in text
    assert "Biến động: Qua đời" in text
    assert "Tình trạng: Đang sinh sống → Đã mất" in text
    assert not re.search(r"\d{4}-\d{2}-\d{2}|_", text), text


#: What may keep code words: a policy value reads as the policy pages show it.
SHOWN_AS_STORED = {
    ("policy.policyvalue", "value"),
    # templates read with their placeholders ({ten_xa}), as the officer wrote them
    ("outreach.leaflet", "title"),
    ("outreach.leaflet", "body"),
    ("outreach.groupmessage", "text"),
}


def test_the_demo_communes_whole_log_reads_without_codes(demo_commune):
    """Every entry the demo writes (cases, payrolls, a review, proposals, policy values …):
    no field name, no ISO date, no code word, no raw dictionary, in either language."""
    logged = list(AuditEntry.objects.filter(commune_code=f.TAN_DONG).select_related("actor"))
    assert len({e.model_label for e in logged}) >= 10
    code = re.compile(r"[a-z]+_[a-z_]+|\d{4}-\d{2}-\d{2}|[{}]|\b(True|False|None)\b")
    for lang in ("vi", "en"):
        with translation.override(lang):
            kept = {
                (label, str(capfirst(apps.get_model(label)._meta.get_field(name).verbose_name)))
                for label, name in SHOWN_AS_STORED
            }
        problems = set()
        for view in read(*logged, lang=lang):
            texts = [view.record_type, view.record, view.note, view.by]
            for c in view.changes:
                if (view.entry.model_label, c.label) not in kept:
                    texts += [c.label, c.before, c.after]
            problems |= {f"{view.entry.model_label}: {t}" for t in texts if code.search(t)}
        assert sorted(problems) == [], lang
