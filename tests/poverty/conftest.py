from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from ansinh.accounts.scopes import scope_for
from ansinh.places.models import Commune
from ansinh.poverty import services
from ansinh.poverty.choices import PovertyClass
from ansinh.poverty.models import PovertyStatusPeriod, RoundHousehold
from ansinh.registry.models import Household
from tests import factories as f
from tests.browser.conftest import browser_page  # noqa: F401 (Chromium at 390×844)

TODAY = dt.date(2026, 11, 28)


def registered_on(day: dt.date, *households: Household) -> None:
    """Date the registration of ``households`` (every household when none is given) to
    ``day``: the households a test makes are registered today, after ``TODAY``, and the
    rates on a date count only the households registered by then."""
    qs = Household.objects.all()
    if households:
        qs = qs.filter(pk__in=[h.pk for h in households])
    qs.update(created_at=timezone.make_aware(dt.datetime.combine(day, dt.time(8))))


@pytest.fixture
def commune(tan_dong):
    return Commune.objects.get(code=f.TAN_DONG)


@pytest.fixture
def surveyor(tan_dong):
    """A committee member working as surveyor in ấp Tân Đông."""
    return f.user("khaosat", f.Role.COMMITTEE)


@pytest.fixture
def head_dh(dong_hiep):
    return f.user("truongap2", f.Role.VILLAGE_HEAD, villages=[dong_hiep])


def set_status(household, cls, start=dt.date(2026, 1, 1)):
    return PovertyStatusPeriod.objects.create(
        household=household, poverty_class=cls, valid_from=start
    )


@pytest.fixture
def poor_td(hh_td):
    set_status(hh_td, PovertyClass.POOR)
    return hh_td


@pytest.fixture
def near_poor_dh(hh_dh):
    set_status(hh_dh, PovertyClass.NEAR_POOR)
    return hh_dh


@pytest.fixture
def annual_round(officer, commune, poor_td, near_poor_dh):
    """The annual review of 2025 (for 2026: the 2022–2026 standard) listing both households."""
    return services.round_open(
        scope=scope_for(officer), commune=commune, kind="annual", year=2025, as_of=TODAY
    )


RECIPIENT = "Ủy ban nhân dân tỉnh Tây Ninh"


def post_and_report(rnd, officer, village, *, on=TODAY, number="15/BC-UBND"):
    """Step 4 and 5: the list of ``village`` posted, then the results reported upward."""
    services.posting_record(scope=scope_for(officer), rnd=rnd, village=village, posted_on=on)
    return services.report_record(
        scope=scope_for(officer), rnd=rnd, number=number, reported_on=on, recipient=RECIPIENT
    )


def fill(entry: RoundHousehold, actor, *, income=1_200_000, deprived=True) -> RoundHousehold:
    """Answer every section of a survey: ``deprived`` gives 4 deprivations (house, water,
    latrine, insurance), otherwise none."""
    services.survey_save(
        scope=scope_for(actor), entry=entry, section="a", data={"screened_out": "no"}
    )
    services.survey_save(
        scope=scope_for(actor),
        entry=entry,
        section="b1",
        data={"route": "income", "income_per_capita": str(income)},
    )
    services.survey_save(
        scope=scope_for(actor),
        entry=entry,
        section="b2",
        data={
            "house_type": "makeshift" if deprived else "durable",
            "floor_area_m2": "60",
            "safe_water": "no" if deprived else "yes",
            "hygienic_latrine": "no" if deprived else "yes",
            "internet": "yes",
            "info_assets": "yes",
        },
    )
    entry.refresh_from_db()
    for key, m in entry.answers["members"].items():
        age = TODAY.year - int(m["date_of_birth"][:4])
        services.survey_save(
            scope=scope_for(actor),
            entry=entry,
            section=f"member:{key}",
            data={
                "date_of_birth": m["date_of_birth"],
                "sex": m["sex"],
                "health_insurance": "no" if deprived else "yes",
                "work": "self_employed" if age >= 18 else "not_working",
                "studying": "yes" if age < 18 else "no",
                "qualification": "upper_secondary" if age >= 18 else "primary",
                "malnourished": "no",
                "disability": "none",
                "monthly_allowance": "no",
            },
        )
    entry.refresh_from_db()
    return entry
