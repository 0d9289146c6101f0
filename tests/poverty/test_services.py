from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ansinh.core.models import AuditEntry
from ansinh.poverty import services
from ansinh.poverty.choices import EntryStatus, ListReason, RoundStatus, Transition
from ansinh.poverty.models import HouseholdStatus
from ansinh.poverty.selectors import rates, status_on
from tests import factories as f
from tests.poverty.conftest import TODAY, fill

pytestmark = pytest.mark.django_db


def test_round_lists_current_poor_and_near_poor(annual_round, poor_td, near_poor_dh):
    entries = {e.household_id: e for e in annual_round.entries.all()}
    assert entries[poor_td.pk].reason == ListReason.CURRENT_POOR
    assert entries[near_poor_dh.pk].reason == ListReason.CURRENT_NEAR_POOR
    assert annual_round.standard_date == dt.date(2026, 1, 1)


def test_regular_round_lists_only_requests(officer, commune, poor_td):
    rnd = services.round_open(actor=officer, commune=commune, kind="regular", year=2026, month=3)
    assert (rnd.start, rnd.deadline, rnd.standard_date) == (
        dt.date(2026, 3, 15),
        dt.date(2026, 3, 30),
        dt.date(2026, 3, 15),
    )
    assert rnd.entries.count() == 0


def test_annual_round_dates(officer, commune):
    rnd = services.round_open(actor=officer, commune=commune, kind="annual", year=2026)
    assert (rnd.start, rnd.deadline, rnd.standard_date) == (
        dt.date(2026, 9, 1),
        dt.date(2026, 12, 14),
        dt.date(2027, 1, 1),
    )
    with pytest.raises(ValidationError):
        services.round_open(actor=officer, commune=commune, kind="annual", year=2026)


def test_request_form01_and_committee_addition(annual_round, officer, committee, tan_dong):
    other = f.household(tan_dong, f.person("Phạm Văn Bình", dt.date(1960, 1, 1)), actor=officer)
    with pytest.raises(ValidationError):
        services.household_add(
            actor=officer, rnd=annual_round, household=other, reason=ListReason.REQUEST, note=""
        )
    entry = services.household_add(
        actor=officer,
        rnd=annual_round,
        household=other,
        reason=ListReason.REQUEST,
        note="Mất mùa, chồng ốm",
        request_date=TODAY,
        members={"1": "not_working"},
    )
    assert entry.previous_class == "not_poor"
    assert entry.request_members == {"1": "not_working"}
    third = f.household(
        tan_dong, f.person("Võ Thị Cúc", dt.date(1950, 1, 1), "female"), actor=officer
    )
    with pytest.raises(PermissionDenied):
        services.household_add(
            actor=f.user("x", f.Role.AUDITOR),
            rnd=annual_round,
            household=third,
            reason=ListReason.COMMITTEE,
            note="?",
        )
    e3 = services.household_add(
        actor=committee,
        rnd=annual_round,
        household=third,
        reason=ListReason.COMMITTEE,
        note="Người già neo đơn",
    )
    assert e3.reason_note == "Người già neo đơn"


def test_survey_prefills_registry_and_classifies(annual_round, officer, poor_td):
    entry = annual_round.entries.get(household=poor_td)
    services.survey_save(
        actor=officer,
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
    with pytest.raises(ValidationError) as err:
        services.survey_save(
            actor=officer,
            entry=entry,
            section=f"member:{key}",
            data={"date_of_birth": "1981-05-17"},
        )
    assert "note_date_of_birth" in err.value.message_dict
    services.survey_save(
        actor=officer,
        entry=entry,
        section=f"member:{key}",
        data={"date_of_birth": "1981-05-17", "note_date_of_birth": "Theo giấy khai sinh"},
    )
    entry.refresh_from_db()
    assert entry.answers["notes"][f"{key}.date_of_birth"] == "Theo giấy khai sinh"


def test_2027_standard_is_refused_not_crashing(officer, commune, poor_td):
    rnd = services.round_open(actor=officer, commune=commune, kind="annual", year=2026, as_of=TODAY)
    entry = fill(rnd.entries.get(household=poor_td), officer)
    assert entry.result_class == ""
    assert "2027" in entry.problem


def test_screened_out_by_form_a(annual_round, officer, poor_td):
    entry = annual_round.entries.get(household=poor_td)
    services.survey_save(
        actor=officer, entry=entry, section="a", data={"screened_out": "yes", "note": "Lương cao"}
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
    return services.survey_approve(actor=approver, entry=entry)


def test_meeting_under_half_goes_back_to_survey(
    annual_round, officer, committee, poor_td, tan_dong
):
    entry = _approved(annual_round, poor_td, officer, committee)
    with pytest.raises(ValidationError):
        services.meeting_record(
            actor=officer,
            rnd=annual_round,
            village=tan_dong,
            held_on=TODAY,
            attendees=20,
            agreements={},
        )
    services.meeting_record(
        actor=officer,
        rnd=annual_round,
        village=tan_dong,
        held_on=TODAY,
        attendees=20,
        agreements={entry.pk: 9},
    )
    entry.refresh_from_db()
    assert entry.status == EntryStatus.RESURVEY
    entry = fill(entry, officer)
    services.survey_approve(actor=committee, entry=entry)
    services.meeting_record(
        actor=officer,
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
    with pytest.raises(PermissionDenied):
        services.survey_approve(actor=officer, entry=entry)
    assert services.survey_approve(actor=committee, entry=entry).status == EntryStatus.APPROVED


def test_village_head_surveys_only_own_village(annual_round, head_td, poor_td, near_poor_dh):
    own = annual_round.entries.get(household=poor_td)
    other = annual_round.entries.get(household=near_poor_dh)
    services.survey_save(actor=head_td, entry=own, section="a", data={"screened_out": "no"})
    with pytest.raises(PermissionDenied):
        services.survey_save(actor=head_td, entry=other, section="a", data={})


def test_assigned_surveyor(annual_round, officer, surveyor, poor_td, near_poor_dh, tan_dong):
    own = annual_round.entries.get(household=poor_td)
    with pytest.raises(PermissionDenied):
        services.survey_save(actor=surveyor, entry=own, section="a", data={})
    services.committee_set(
        actor=officer, rnd=annual_round, user=surveyor, role="surveyor", villages=[tan_dong]
    )
    services.survey_save(actor=surveyor, entry=own, section="a", data={"screened_out": "no"})
    with pytest.raises(PermissionDenied):
        services.survey_save(
            actor=surveyor,
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
    assert services.transition_of(previous, new, escaped) == expected


def _to_agreed(rnd, officer, committee, village, hh, **kw):
    entry = _approved(rnd, hh, officer, committee, **kw)
    services.meeting_record(
        actor=officer,
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
    counts = services.decide(
        actor=committee,
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
    old = HouseholdStatus.objects.get(household=poor_td, valid_from=dt.date(2026, 1, 1))
    assert old.valid_to == dt.date(2026, 11, 30)
    with pytest.raises(ValidationError):
        services.decide(
            actor=committee, rnd=annual_round, number="x", signed_on=TODAY, effective_date=TODAY
        )


def test_complaint_sends_back_to_survey(annual_round, officer, committee, poor_td, tan_dong):
    entry = _to_agreed(annual_round, officer, committee, tan_dong, poor_td)
    services.complaint_record(
        actor=officer,
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
    rows = rates(f.TAN_DONG, TODAY)
    total = rows[-1]
    assert (total["households"], total["poor"], total["near_poor"]) == (4, 1, 1)
    assert total["rate_both"] == 0.5


def test_classify_round_in_batches_and_refusal(annual_round, officer, poor_td, near_poor_dh):
    for hh, deprived in ((poor_td, True), (near_poor_dh, False)):
        fill(annual_round.entries.get(household=hh), officer, deprived=deprived)
    annual_round.entries.update(result_class="", explanation={})
    assert services.classify_round(rnd=annual_round, batch=1) == 2
    results = dict(annual_round.entries.values_list("household_id", "result_class"))
    assert results == {poor_td.pk: "poor", near_poor_dh.pk: "near_poor"}
    entry = annual_round.entries.get(household=poor_td)
    assert entry.explanation["indicators"][0]["code"] == "employment"
    assert "reference" not in entry.explanation["income_test"]
    annual_round.standard_date = dt.date(2027, 1, 1)
    annual_round.save()
    services.classify_round(rnd=annual_round)
    assert all("2027" in p for p in annual_round.entries.values_list("problem", flat=True))
