from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from django.utils.translation import trans_real

from ansinh.accounts.scopes import scope_for
from ansinh.core.models import AuditEntry
from ansinh.poverty import services
from ansinh.poverty.choices import CommitteeRole, EntryStatus, ListReason, RoundStatus, Transition
from ansinh.poverty.classification import refusal_message
from ansinh.poverty.models import PovertyStatusPeriod
from ansinh.poverty.selectors import rates, round_report, status_on, transition_of
from ansinh.registry import services as registry_services
from ansinh.rules.errors import MissingParameterError, RulesError
from tests import factories as f
from tests.poverty.conftest import RECIPIENT, TODAY, fill, post_and_report, registered_on

pytestmark = pytest.mark.django_db


def test_round_lists_current_poor_and_near_poor(annual_round, poor_td, near_poor_dh):
    entries = {e.household_id: e for e in annual_round.entries.all()}
    assert entries[poor_td.pk].reason == ListReason.CURRENT_POOR
    assert entries[near_poor_dh.pk].reason == ListReason.CURRENT_NEAR_POOR
    assert annual_round.standard_date == dt.date(2026, 1, 1)


def test_regular_round_lists_only_requests(officer, commune, poor_td):
    rnd = services.round_open(
        scope=scope_for(officer), commune=commune, kind="regular", year=2026, month=3
    )
    assert (rnd.start, rnd.deadline, rnd.standard_date) == (
        dt.date(2026, 3, 15),
        dt.date(2026, 3, 30),
        dt.date(2026, 3, 15),
    )
    assert rnd.entries.count() == 0


def test_annual_round_dates(officer, commune):
    rnd = services.round_open(scope=scope_for(officer), commune=commune, kind="annual", year=2026)
    assert (rnd.start, rnd.deadline, rnd.standard_date) == (
        dt.date(2026, 9, 1),
        dt.date(2026, 12, 14),
        dt.date(2027, 1, 1),
    )
    with pytest.raises(ValidationError, match="Đợt rà soát này đã được mở"):
        services.round_open(scope=scope_for(officer), commune=commune, kind="annual", year=2026)


def test_request_form01_and_committee_addition(annual_round, officer, committee, tan_dong):
    other = f.household(tan_dong, f.person("Phạm Văn Bình", dt.date(1960, 1, 1)), actor=officer)
    binh = other.members.get()
    with pytest.raises(ValidationError, match="Vui lòng nhập ngày đề nghị"):
        services.household_add(
            scope=scope_for(officer),
            rnd=annual_round,
            household=other,
            reason=ListReason.REQUEST,
            note="",
        )
    entry = services.household_add(
        scope=scope_for(officer),
        rnd=annual_round,
        household=other,
        reason=ListReason.REQUEST,
        note="Mất mùa, chồng ốm",
        request_date=TODAY,
        members={binh.pk: "not_working"},
    )
    assert entry.previous_class == "not_poor"
    assert entry.request_members == {str(binh.pk): "not_working"}
    audit = AuditEntry.objects.filter(model_label="poverty.roundhousehold", object_id=entry.pk)
    assert audit.get().changes["request_members"][1] == {str(binh.pk): "not_working"}
    third = f.household(
        tan_dong, f.person("Võ Thị Cúc", dt.date(1950, 1, 1), "female"), actor=officer
    )
    with pytest.raises(PermissionDenied, match="không được phép duyệt kết quả rà soát"):
        services.household_add(
            scope=scope_for(f.user("x", f.Role.AUDITOR)),
            rnd=annual_round,
            household=third,
            reason=ListReason.COMMITTEE,
            note="?",
        )
    with pytest.raises(
        PermissionDenied,
        match="Chỉ công chức Văn hóa – Xã hội của xã mới được thực hiện thao tác này",
    ):  # a request is entered by the officer
        services.household_add(
            scope=scope_for(committee),
            rnd=annual_round,
            household=third,
            reason=ListReason.REQUEST,
            note="?",
            request_date=TODAY,
            members={third.members.get().pk: "working"},
        )
    e3 = services.household_add(
        scope=scope_for(committee),
        rnd=annual_round,
        household=third,
        reason=ListReason.COMMITTEE,
        note="Người già neo đơn",
    )
    assert e3.reason_note == "Người già neo đơn"
    assert e3.request_members == {}  # optional for the committee


def test_request_member_table_is_validated(annual_round, officer, tan_dong, hh_td):
    """Form 01/04: every key a living member of the household, every value working / not
    working / studying, every living member given a status."""
    hh = f.household(
        tan_dong,
        f.person("Đỗ Văn Dũng", dt.date(1970, 4, 4)),
        f.person("Đỗ Thị Mai", dt.date(2010, 6, 6), "female", "child", with_cccd=False),
        actor=officer,
    )
    dung, mai = hh.members.order_by("date_of_birth")
    stranger = hh_td.members.first()

    def add(members, reason=ListReason.REQUEST):
        return services.household_add(
            scope=scope_for(officer),
            rnd=annual_round,
            household=hh,
            reason=reason,
            note="Thu nhập thấp",
            request_date=TODAY,
            members=members,
        )

    with pytest.raises(
        ValidationError, match="không phải là nhân khẩu đang sinh sống trong hộ này"
    ) as err:
        add({dung.pk: "working", mai.pk: "studying", stranger.pk: "working"})
    assert "members" in err.value.message_dict
    with pytest.raises(
        ValidationError, match="Chọn đang làm việc, không làm việc hoặc đang đi học cho Đỗ Văn Dũng"
    ) as err:
        add({dung.pk: "retired", mai.pk: "studying"})
    assert any("Đỗ Văn Dũng" in m for m in err.value.message_dict["members"])
    with pytest.raises(
        ValidationError, match="Chọn tình trạng của tất cả nhân khẩu: Đỗ Thị Mai"
    ) as err:
        add({dung.pk: "working"})
    assert any("Đỗ Thị Mai" in m for m in err.value.message_dict["members"])
    with pytest.raises(
        ValidationError, match="không phải là nhân khẩu đang sinh sống trong hộ này"
    ):
        add({"abc": "working", dung.pk: "working", mai.pk: "studying"})
    registry_services.person_record_death(
        scope=scope_for(officer), person=mai, date=dt.date(2026, 10, 1)
    )
    with pytest.raises(
        ValidationError, match="không phải là nhân khẩu đang sinh sống trong hộ này"
    ):  # no longer a living member
        add({dung.pk: "working", mai.pk: "studying"})
    entry = add({str(dung.pk): "not_working"}, reason=ListReason.ESCAPE_REQUEST)
    assert entry.request_members == {str(dung.pk): "not_working"}
    assert annual_round.entries.filter(household=hh).count() == 1


def test_survey_prefills_registry_and_classifies(annual_round, officer, poor_td):
    entry = annual_round.entries.get(household=poor_td)
    services.survey_save(
        scope=scope_for(officer),
        entry=entry,
        section="b1",
        data={"route": "income", "income_per_capita": "1200000"},
    )
    entry.refresh_from_db()
    assert len(entry.answers["members"]) == 3
    member = next(iter(entry.answers["members"].values()))
    assert member["health_insurance"] is None  # surveyor answers it
    assert entry.result_class == ""
    assert "Còn thiếu" in entry.problem
    entry = fill(entry, officer)
    assert entry.result_class == "poor"
    assert entry.deprived_count == 4
    assert entry.explanation_text.startswith("Hộ nghèo")
    assert any(v.startswith("poverty.income_line.rural") for v in entry.parameter_versions.values())
    assert entry.flags["water"] is True
    assert AuditEntry.objects.filter(model_label="poverty.roundhousehold").count() >= 4


def test_correcting_a_registry_value_needs_a_note(annual_round, officer, poor_td):
    entry = fill(annual_round.entries.get(household=poor_td), officer)
    key = next(iter(entry.answers["members"]))
    with pytest.raises(
        ValidationError, match="Vui lòng ghi lý do sửa thông tin so với dữ liệu hộ gia đình"
    ) as err:
        services.survey_save(
            scope=scope_for(officer),
            entry=entry,
            section=f"member:{key}",
            data={"date_of_birth": "1981-05-17"},
        )
    assert "note_date_of_birth" in err.value.message_dict
    services.survey_save(
        scope=scope_for(officer),
        entry=entry,
        section=f"member:{key}",
        data={"date_of_birth": "1981-05-17", "note_date_of_birth": "Theo giấy khai sinh"},
    )
    entry.refresh_from_db()
    assert entry.answers["notes"][f"{key}.date_of_birth"] == "Theo giấy khai sinh"


def test_2027_standard_is_refused_not_crashing(officer, commune, poor_td):
    rnd = services.round_open(
        scope=scope_for(officer), commune=commune, kind="annual", year=2026, as_of=TODAY
    )
    entry = fill(rnd.entries.get(household=poor_td), officer)
    assert entry.result_class == ""
    assert "2027" in entry.problem


def test_screened_out_by_form_a(annual_round, officer, poor_td):
    entry = annual_round.entries.get(household=poor_td)
    services.survey_save(
        scope=scope_for(officer),
        entry=entry,
        section="a",
        data={"screened_out": "yes", "note": "Lương cao"},
    )
    entry.refresh_from_db()
    assert entry.result_class == "not_poor"
    assert "Phiếu A" in entry.explanation_text


def test_agreement_rule():
    assert services.agreement_reached(5, 10)
    assert not services.agreement_reached(4, 9)
    assert services.agreement_reached(5, 9)
    assert not services.agreement_reached(0, 0)


def _approved(rnd, hh, surveyor, approver, **kw):
    entry = fill(rnd.entries.get(household=hh), surveyor, **kw)
    return services.survey_approve(scope=scope_for(approver), entry=entry)


def test_meeting_under_half_goes_back_to_survey(
    annual_round, officer, committee, poor_td, tan_dong
):
    entry = _approved(annual_round, poor_td, officer, committee)
    with pytest.raises(ValidationError, match="Vui lòng nhập số người đồng ý cho từng hộ"):
        services.meeting_record(
            scope=scope_for(officer),
            rnd=annual_round,
            village=tan_dong,
            held_on=TODAY,
            attendees=20,
            agreements={},
        )
    services.meeting_record(
        scope=scope_for(officer),
        rnd=annual_round,
        village=tan_dong,
        held_on=TODAY,
        attendees=20,
        agreements={entry.pk: 9},
    )
    entry.refresh_from_db()
    assert entry.status == EntryStatus.RESURVEY
    entry = fill(entry, officer)
    services.survey_approve(scope=scope_for(committee), entry=entry)
    services.meeting_record(
        scope=scope_for(officer),
        rnd=annual_round,
        village=tan_dong,
        held_on=TODAY,
        attendees=20,
        agreements={entry.pk: 10},
    )
    entry.refresh_from_db()
    assert entry.status == EntryStatus.AGREED
    assert annual_round.meetings.count() == 2


def test_surveyor_cannot_approve_own_survey(annual_round, officer, committee, poor_td):
    entry = fill(annual_round.entries.get(household=poor_td), officer)
    with pytest.raises(
        PermissionDenied, match="Bạn không được duyệt phiếu rà soát mà chính mình đã tham gia"
    ):
        services.survey_approve(scope=scope_for(officer), entry=entry)
    assert (
        services.survey_approve(scope=scope_for(committee), entry=entry).status
        == EntryStatus.APPROVED
    )


def test_village_head_surveys_only_own_village(annual_round, head_td, poor_td, near_poor_dh):
    own = annual_round.entries.get(household=poor_td)
    other = annual_round.entries.get(household=near_poor_dh)
    services.survey_save(
        scope=scope_for(head_td), entry=own, section="a", data={"screened_out": "no"}
    )
    with pytest.raises(PermissionDenied, match="Tài khoản của bạn không được rà soát hộ này"):
        services.survey_save(scope=scope_for(head_td), entry=other, section="a", data={})


def test_assigned_surveyor(annual_round, officer, surveyor, poor_td, near_poor_dh, tan_dong):
    own = annual_round.entries.get(household=poor_td)
    with pytest.raises(PermissionDenied, match="Tài khoản của bạn không được rà soát hộ này"):
        services.survey_save(scope=scope_for(surveyor), entry=own, section="a", data={})
    services.committee_set(
        scope=scope_for(officer),
        rnd=annual_round,
        user=surveyor,
        role="surveyor",
        villages=[tan_dong],
    )
    services.survey_save(
        scope=scope_for(surveyor), entry=own, section="a", data={"screened_out": "no"}
    )
    with pytest.raises(PermissionDenied, match="Tài khoản của bạn không được rà soát hộ này"):
        services.survey_save(
            scope=scope_for(surveyor),
            entry=annual_round.entries.get(household=near_poor_dh),
            section="a",
            data={},
        )


@pytest.mark.parametrize(
    ("previous", "new", "escaped", "expected"),
    [
        ("poor", "poor", False, Transition.STAYS_POOR),
        ("near_poor", "poor", False, Transition.NEAR_POOR_TO_POOR),
        ("not_poor", "poor", False, Transition.NEW_POOR),
        ("not_poor", "poor", True, Transition.RELAPSED_POOR),
        ("average", "poor", False, Transition.NEW_POOR),
        ("poor", "near_poor", False, Transition.POOR_TO_NEAR_POOR),
        ("near_poor", "near_poor", False, Transition.STAYS_NEAR_POOR),
        ("not_poor", "near_poor", False, Transition.NEW_NEAR_POOR),
        ("not_poor", "near_poor", True, Transition.RELAPSED_NEAR_POOR),
        ("poor", "not_poor", False, Transition.ESCAPED_POOR),
        ("poor", "average", False, Transition.ESCAPED_POOR),
        ("near_poor", "not_poor", False, Transition.ESCAPED_NEAR_POOR),
        ("not_poor", "not_poor", True, Transition.STAYS_OUT),
    ],
)
def test_transitions_table(previous, new, escaped, expected):
    assert transition_of(previous, new, escaped) == expected


def _to_agreed(rnd, officer, committee, village, hh, **kw):
    entry = _approved(rnd, hh, officer, committee, **kw)
    services.meeting_record(
        scope=scope_for(officer),
        rnd=rnd,
        village=village,
        held_on=TODAY,
        attendees=10,
        agreements={entry.pk: 8},
    )
    entry.refresh_from_db()
    return entry


def test_decision_sets_official_status_with_history(
    annual_round, officer, committee, poor_td, near_poor_dh, tan_dong, dong_hiep
):
    annual_round.plan_escape_target = 1
    annual_round.save()
    _to_agreed(
        annual_round, officer, committee, tan_dong, poor_td, income=2_500_000, deprived=False
    )
    _to_agreed(annual_round, officer, committee, dong_hiep, near_poor_dh)
    with pytest.raises(ValidationError, match="24/2021"):  # an annual round reports first
        services.round_decide(
            scope=scope_for(committee),
            rnd=annual_round,
            number="125/QĐ-UBND",
            signed_on=TODAY,
            effective_date=dt.date(2026, 12, 1),
        )
    annual_round = post_and_report(annual_round, officer, tan_dong)
    counts = services.round_decide(
        scope=scope_for(committee),
        rnd=annual_round,
        number="125/QĐ-UBND",
        signed_on=TODAY,
        effective_date=dt.date(2026, 12, 1),
    )
    assert counts == {Transition.ESCAPED_POOR: 1, Transition.NEAR_POOR_TO_POOR: 1}
    annual_round.refresh_from_db()
    assert annual_round.status == RoundStatus.DECIDED
    assert status_on([poor_td.pk, near_poor_dh.pk], dt.date(2026, 12, 1)) == {
        poor_td.pk: "not_poor",
        near_poor_dh.pk: "poor",
    }
    assert status_on([poor_td.pk], dt.date(2026, 11, 30)) == {poor_td.pk: "poor"}
    old = PovertyStatusPeriod.objects.get(household=poor_td, valid_from=dt.date(2026, 1, 1))
    assert old.valid_to == dt.date(2026, 11, 30)
    with pytest.raises(ValidationError, match="Đợt rà soát này đã có quyết định công nhận"):
        services.round_decide(
            scope=scope_for(committee),
            rnd=annual_round,
            number="x",
            signed_on=TODAY,
            effective_date=TODAY,
        )


def test_complaint_sends_back_to_survey(annual_round, officer, committee, poor_td, tan_dong):
    entry = _to_agreed(annual_round, officer, committee, tan_dong, poor_td)
    services.complaint_record(
        scope=scope_for(officer),
        entry=entry,
        received_on=TODAY,
        text="Hộ đã có việc làm ổn định",
        outcome="Rà soát lại",
        resurvey=True,
    )
    entry.refresh_from_db()
    assert entry.status == EntryStatus.RESURVEY
    assert entry.complaints.count() == 1


def test_rates(officer, tan_dong, poor_td, near_poor_dh):
    for year in (1990, 1991):
        f.household(tan_dong, f.person("Đỗ Văn Dũng", dt.date(year, 1, 1)), actor=officer)
    registered_on(dt.date(2026, 1, 5))
    rows = rates(f.TAN_DONG, TODAY)
    total = rows[-1]
    assert (total["households"], total["poor"], total["near_poor"]) == (4, 1, 1)
    assert total["rate_both"] == 0.5


def test_rates_on_a_date_count_only_the_households_registered_by_then(
    officer, tan_dong, poor_td, near_poor_dh
):
    """A household registered after the date is in neither the denominator nor the
    numerator, even with a status dated earlier (recorded when it was registered)."""
    registered_on(dt.date(2026, 1, 5))
    late = f.household(tan_dong, f.person("Đỗ Văn Dũng", dt.date(1990, 1, 1)), actor=officer)
    PovertyStatusPeriod.objects.create(
        household=late, poverty_class="poor", valid_from=dt.date(2026, 1, 1), basis="test"
    )
    registered_on(dt.date(2026, 12, 1), late)
    total = rates(f.TAN_DONG, TODAY)[-1]
    assert (total["households"], total["poor"], total["near_poor"]) == (2, 1, 1)
    assert rates(f.TAN_DONG, dt.date(2026, 12, 1))[-1]["households"] == 3  # that very day
    assert rates(f.TAN_DONG, dt.date(2026, 12, 1))[-1]["poor"] == 2
    assert rates(f.TAN_DONG, dt.date(2026, 1, 4))[-1]["households"] == 0  # none yet


def test_classify_round_in_batches_and_refusal(annual_round, officer, poor_td, near_poor_dh):
    for hh, deprived in ((poor_td, True), (near_poor_dh, False)):
        fill(annual_round.entries.get(household=hh), officer, deprived=deprived)
    annual_round.entries.update(result_class="", explanation={})
    assert services.round_classify(rnd=annual_round, batch=1) == 2
    results = dict(annual_round.entries.values_list("household_id", "result_class"))
    assert results == {poor_td.pk: "poor", near_poor_dh.pk: "near_poor"}
    entry = annual_round.entries.get(household=poor_td)
    assert entry.explanation["indicators"][0]["code"] == "employment"
    assert "reference" not in entry.explanation["income_test"]
    annual_round.standard_date = dt.date(2027, 1, 1)
    annual_round.save()
    services.round_classify(rnd=annual_round)
    assert all("2027" in p for p in annual_round.entries.values_list("problem", flat=True))


# --- report upward (step 5) ---------------------------------------------------------------


def test_report_deadlines(officer, commune):
    annual = services.round_open(
        scope=scope_for(officer), commune=commune, kind="annual", year=2026
    )
    assert (annual.report_preliminary_due, annual.report_due) == (
        dt.date(2026, 11, 15),
        dt.date(2026, 12, 20),
    )
    march = services.round_open(
        scope=scope_for(officer), commune=commune, kind="regular", year=2026, month=3
    )
    assert (march.report_preliminary_due, march.report_due) == (None, dt.date(2026, 4, 5))
    december = services.round_open(
        scope=scope_for(officer), commune=commune, kind="regular", year=2026, month=12
    )
    assert december.report_due == dt.date(2027, 1, 5)


def test_default_recipient_is_the_province(commune):
    assert services.default_report_recipient(commune) == RECIPIENT


def test_report_record_rules(annual_round, officer, committee, poor_td, tan_dong):
    entry = _to_agreed(annual_round, officer, committee, tan_dong, poor_td)
    kwargs = {"number": "15/BC-UBND", "reported_on": TODAY, "recipient": RECIPIENT}
    with pytest.raises(ValidationError, match="niêm yết"):  # before the public posting
        services.report_record(scope=scope_for(officer), rnd=annual_round, **kwargs)
    services.posting_record(
        scope=scope_for(officer), rnd=annual_round, village=tan_dong, posted_on=TODAY
    )
    with pytest.raises(PermissionDenied, match="mới được thực hiện thao tác này"):
        services.report_record(scope=scope_for(committee), rnd=annual_round, **kwargs)
    with pytest.raises(ValidationError, match="Nhập số báo cáo") as err:
        services.report_record(
            scope=scope_for(officer), rnd=annual_round, number=" ", reported_on=None, recipient=""
        )
    assert set(err.value.message_dict) == {"number", "reported_on", "recipient"}
    rnd = services.report_record(scope=scope_for(officer), rnd=annual_round, **kwargs)
    assert (rnd.report_number, rnd.report_date, rnd.report_recipient) == (
        "15/BC-UBND",
        TODAY,
        RECIPIENT,
    )
    rnd = services.report_record(  # corrected before the decision
        scope=scope_for(officer), rnd=rnd, **{**kwargs, "reported_on": dt.date(2026, 11, 29)}
    )
    logged = AuditEntry.objects.filter(
        model_label="poverty.reviewround", object_id=rnd.pk, note="report"
    )
    assert logged.count() == 2
    assert logged.order_by("pk").last().changes["report_date"] == ["2026-11-28", "2026-11-29"]
    with pytest.raises(
        ValidationError, match="Không thể ký quyết định trước ngày báo cáo kết quả rà soát"
    ) as err:  # the decision comes after the report
        services.round_decide(
            scope=scope_for(committee),
            rnd=rnd,
            number="1/QĐ-UBND",
            signed_on=TODAY,
            effective_date=dt.date(2027, 1, 1),
        )
    assert "signed_on" in err.value.message_dict
    services.round_decide(
        scope=scope_for(committee),
        rnd=rnd,
        number="1/QĐ-UBND",
        signed_on=dt.date(2026, 12, 1),
        effective_date=dt.date(2027, 1, 1),
    )
    entry.refresh_from_db()
    assert entry.status == EntryStatus.DECIDED
    with pytest.raises(ValidationError, match="quyết định công nhận"):
        services.report_record(scope=scope_for(officer), rnd=rnd, **kwargs)


def test_regular_round_decides_without_report(officer, committee, commune, tan_dong, hh_td):
    rnd = services.round_open(
        scope=scope_for(officer), commune=commune, kind="regular", year=2026, month=11
    )
    services.household_add(
        scope=scope_for(officer),
        rnd=rnd,
        household=hh_td,
        reason=ListReason.REQUEST,
        note="Chủ hộ bệnh nặng",
        request_date=TODAY,
        members={p.pk: "not_working" for p in hh_td.members.all()},
    )
    entry = _to_agreed(rnd, officer, committee, tan_dong, hh_td)
    services.round_decide(
        scope=scope_for(committee),
        rnd=rnd,
        number="3/QĐ-UBND",
        signed_on=TODAY,
        effective_date=TODAY,
    )
    entry.refresh_from_db()
    assert entry.status == EntryStatus.DECIDED


def test_round_report_before_and_after_the_decision(
    annual_round, officer, committee, poor_td, near_poor_dh, tan_dong, dong_hiep
):
    """The report upward is made before the decision: the agreed results replace the official
    class (rates) and give the movements they would make; after the decision the same figures
    come from the official statuses and the recorded movements."""
    annual_round.plan_escape_target = 2
    annual_round.save()
    registered_on(dt.date(2026, 1, 5))
    _to_agreed(
        annual_round, officer, committee, tan_dong, poor_td, income=2_500_000, deprived=False
    )
    scope = scope_for(officer)
    before = round_report(annual_round, scope, TODAY)
    moves = before["moves"]
    assert moves["provisional"]
    assert moves["counts"] == {Transition.ESCAPED_POOR: 1}  # Đông Hiệp is not agreed yet
    assert moves["by_village"] == {tan_dong.pk: {Transition.ESCAPED_POOR: 1}}
    assert moves["fulfilment"] == 0.5
    rows = {r["village"].pk if r["village"] else None: r for r in before["rows"]}
    assert (rows[tan_dong.pk]["poor"], rows[tan_dong.pk]["households"]) == (0, 1)
    assert rows[tan_dong.pk]["moves"] == {Transition.ESCAPED_POOR: 1}
    assert (rows[dong_hiep.pk]["near_poor"], rows[None]["both"]) == (1, 1)  # unchanged
    assert (before["listed"], before["agreed"]) == (2, 1)
    assert rates(f.TAN_DONG, TODAY)[-1]["both"] == 2  # the official figures are untouched
    rnd = post_and_report(annual_round, officer, tan_dong)
    services.round_decide(
        scope=scope_for(committee),
        rnd=rnd,
        number="9/QĐ-UBND",
        signed_on=TODAY,
        effective_date=dt.date(2027, 1, 1),
    )
    rnd.refresh_from_db()
    after = round_report(rnd, scope, TODAY)
    assert not after["moves"]["provisional"]
    assert after["on"] == dt.date(2027, 1, 1)
    assert after["moves"]["counts"] == moves["counts"]
    assert [(r["poor"], r["near_poor"]) for r in after["rows"]] == [
        (r["poor"], r["near_poor"]) for r in before["rows"]
    ]


# --- refusals in Vietnamese -------------------------------------------------------------------


def test_refusal_of_the_2027_standard_is_said_from_name_and_date(officer, commune, poor_td):
    rnd = services.round_open(
        scope=scope_for(officer), commune=commune, kind="annual", year=2026, as_of=TODAY
    )
    entry = fill(rnd.entries.get(household=poor_td), officer)
    assert entry.result_class == ""
    assert "01/01/2027" in entry.problem
    assert "ngưỡng thiếu hụt chỉ số việc làm" in entry.problem  # the parameter's label
    assert "2027-01-01" not in entry.problem
    assert "is configured" not in entry.problem  # not the engine's English text
    rnd.entries.update(problem="")
    services.round_classify(rnd=rnd)
    assert rnd.entries.get(pk=entry.pk).problem == entry.problem


def test_refusal_message_goes_through_gettext(monkeypatch):
    exc = MissingParameterError(
        [
            ("poverty.indicator.employment", "2027-01-01", "no threshold …"),
            ("poverty.indicator.employment", "2027-01-01", "no threshold …"),
            ("poverty.unknown", "", "no parameter named 'poverty.unknown'"),
        ]
    )
    with translation.override("en"):
        text = refusal_message(exc)
    assert text == (
        "ansinh has no value for 01/01/2027 of: threshold of the employment indicator (Decree "
        "351/2025/ND-CP). ansinh has no parameter poverty.unknown. A policy administrator "
        "enters it on the Policy parameters page."
    )
    msgid = (
        "No parameter applies on %(date)s: %(names)s. The legal texts do not set it yet; "
        "enter it once they do."
    )
    catalog = trans_real.translation("vi")._catalog._catalogs[0]
    monkeypatch.setitem(
        catalog,
        msgid,
        "Chưa có tham số áp dụng cho ngày %(date)s: %(names)s. Văn bản pháp luật chưa quy "
        "định; nhập khi có văn bản.",
    )
    with translation.override("vi"):
        text = refusal_message(exc)
    # what ansinh lacks (not "the law"), the document, and where it is entered
    assert text.startswith(
        "ansinh chưa có tham số áp dụng cho ngày 01/01/2027: ngưỡng thiếu hụt chỉ số việc làm "
        "(Nghị định 351/2025/NĐ-CP). "
    )
    assert text.endswith("Người quản trị chính sách nhập tại trang Tham số chính sách.")
    assert refusal_message(RulesError("broken file")) == "broken file"


def test_committee_member_role_has_its_own_context(monkeypatch):
    catalog = trans_real.translation("vi")._catalog._catalogs[0]
    monkeypatch.setitem(catalog, "committee role\x04Member", "Ủy viên")
    with translation.override("vi"):
        assert str(CommitteeRole.MEMBER.label) == "Ủy viên"
        assert translation.gettext("Member") != "Ủy viên"
