from __future__ import annotations

import datetime as dt

import pytest

from ansinh.demo.builder import build_registry
from ansinh.demo.poverty import build_poverty
from ansinh.poverty.choices import RoundStatus
from ansinh.poverty.models import ReviewRound

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
    assert all("2027" in e.problem and not e.result_class for e in surveyed)
    regular = ReviewRound.objects.get(pk=out["regular_round"])
    assert regular.meetings.count() == 1
    assert build_poverty(commune=reg.commune, as_of=AS_OF, seed=3) == {"skipped": True}
