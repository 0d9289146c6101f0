from __future__ import annotations

import datetime as dt

import pytest

from ansinh.demo.builder import build_registry
from ansinh.demo.poverty import build_poverty
from ansinh.policy.models import PolicyValue
from ansinh.poverty.choices import ListReason, MemberStatus, RoundStatus
from ansinh.poverty.models import ReviewRound
from ansinh.registry.choices import LifeStatus

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 11, 28)


def test_demo_rounds():
    reg = build_registry(households=400, seed=3, as_of=AS_OF)
    out = build_poverty(commune=reg.commune, as_of=AS_OF, seed=3)
    last = ReviewRound.objects.get(pk=out["last_round"])
    assert last.status == RoundStatus.CLOSED
    assert last.decision_number
    assert out["poor_and_near_poor"] >= 3
    current = ReviewRound.objects.get(pk=out["current_round"])
    assert current.standard_date == dt.date(2027, 1, 1)
    surveyed = current.entries.exclude(answers={})
    assert surveyed.exists()
    # classified on the illustrative 2027 thresholds the demo entered and approved on the
    # policy page; every explanation says so; without the average-living band a household
    # above the line is "not poor" with that said, and the others are classified as usual
    assert all(e.result_class and not e.problem for e in surveyed)
    assert all(
        "GIÁ TRỊ MINH HỌA – không phải văn bản pháp luật" in e.explanation_text for e in surveyed
    )
    assert {e.result_class for e in surveyed} <= {"poor", "near_poor", "not_poor"}
    above = [e for e in surveyed if e.result_class == "not_poor"]
    assert all("chưa xét hộ có mức sống trung bình" in e.explanation_text for e in above)
    illustrative = PolicyValue.objects.filter(illustrative=True)
    assert illustrative.count() == 8
    assert all(v.state == "approved" and v.entered_by.username == "canbo" for v in illustrative)
    assert all(v.decided_by.username == "phochutich" for v in illustrative)
    # last year's results were reported upward before the decision (step 5)
    assert last.report_number.endswith("/BC-UBND")
    assert last.report_date < last.decision_signed_on
    assert last.report_recipient == "Ủy ban nhân dân tỉnh Tây Ninh"
    # this year's requests: Form 01 with the member table, and one Form 04
    requests = list(current.entries.filter(reason=ListReason.REQUEST))
    assert 2 <= len(requests) <= 3
    escape = current.entries.get(reason=ListReason.ESCAPE_REQUEST)
    assert escape.previous_class in ("poor", "near_poor")
    for e in [*requests, escape]:
        living = {
            str(pk)
            for pk in e.household.members.filter(life_status=LifeStatus.LIVING).values_list(
                "pk", flat=True
            )
        }
        assert set(e.request_members) == living
        assert set(e.request_members.values()) <= set(MemberStatus.values)
        assert e.request_date
    regular = ReviewRound.objects.get(pk=out["regular_round"])
    assert all(
        set(e.request_members.values()) <= set(MemberStatus.values) for e in regular.entries.all()
    )
    assert regular.meetings.count() == 1
    assert build_poverty(commune=reg.commune, as_of=AS_OF, seed=3) == {"skipped": True}
