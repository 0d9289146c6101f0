"""BHYT numbers an officer can act on: a card already paid for a later period takes the
person off the follow-up lists and the reminders, and the household contribution counts only
the members who pay through the household."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from ansinh.accounts.scopes import scope_for
from ansinh.insurance import selectors, services
from ansinh.insurance.choices import CoverageStatus, Payer
from ansinh.insurance.models import Reminder
from ansinh.messaging.models import OutboxMessage
from ansinh.places.models import Commune
from ansinh.poverty.models import PovertyStatusPeriod
from tests import factories as f

pytestmark = pytest.mark.django_db
D = dt.date
ON = D(2026, 11, 20)
EXPIRY = ON + dt.timedelta(days=30)  # 20/12/2026: the "30 days before" stage is due on ON


@pytest.fixture
def family(tan_dong, officer):
    return f.household(
        tan_dong,
        f.person("Nguyễn Văn Bình", D(1978, 3, 4), "male", "head"),
        f.person("Lê Thị Hoa", D(1980, 6, 7), "female", "spouse"),
        f.person("Nguyễn Minh Tâm", D(2004, 1, 2), "male", "child"),
        f.person("Nguyễn Ngọc Hân", D(2023, 5, 5), "female", "child", with_cccd=False),
        actor=officer,
        phone="0912 345 678",
    )


def _members(household):
    return {p.full_name.split()[-1]: p for p in household.members.all()}


def _card(officer, person, group, start, end, paid=None):
    return services.card_register(
        scope=scope_for(officer),
        person=person,
        group_code=group,
        valid_from=start,
        valid_to=end,
        social_insurance_number=f"72{person.pk:04d}{start:%m%d}",
        paid_on=paid,
    )


def _commune():
    return Commune.objects.get(code=f.TAN_DONG)


def _names(rows):
    return [r.person.full_name for r in rows]


# --- 1. a card already paid for a later period ----------------------------------------


def test_a_paid_renewal_is_neither_expiring_nor_lapsed(officer, family):
    m = _members(family)
    # Bình: ends in 10 days, the next year already paid (contiguous).
    _card(officer, m["Bình"], "GD", D(2025, 12, 1), D(2026, 11, 30), paid=D(2025, 11, 20))
    _card(officer, m["Bình"], "GD", D(2026, 12, 1), D(2027, 11, 30), paid=D(2026, 11, 10))
    # Hoa: lapsed in July, paid two days ago; after a gap the card starts 30 days later.
    _card(officer, m["Hoa"], "GD", D(2025, 8, 1), D(2026, 7, 31), paid=D(2025, 7, 25))
    _card(officer, m["Hoa"], "GD", D(2026, 12, 18), D(2027, 12, 17), paid=D(2026, 11, 18))
    # Tâm: his renewal was paid only after ON (recorded later): on ON he is still expiring.
    _card(officer, m["Tâm"], "GD", D(2025, 12, 1), D(2026, 11, 30), paid=D(2025, 11, 20))
    _card(officer, m["Tâm"], "GD", D(2026, 12, 1), D(2027, 11, 30), paid=D(2026, 11, 25))
    scope = scope_for(officer)

    def listed(status, on=ON):
        return _names(selectors.people_by_status(scope, on, status))

    assert listed(CoverageStatus.EXPIRING) == ["Nguyễn Minh Tâm"]
    assert listed(CoverageStatus.LAPSED) == []
    assert listed(CoverageStatus.NEVER) == ["Nguyễn Ngọc Hân"]
    assert listed(CoverageStatus.COVERED) == ["Nguyễn Văn Bình"]
    assert listed(CoverageStatus.PAID_AHEAD) == ["Lê Thị Hoa"]
    (bình,) = selectors.people_by_status(scope, ON, CoverageStatus.COVERED)
    assert (bình.status, bình.last_to) == (CoverageStatus.COVERED, D(2027, 11, 30))
    # Once Tâm has paid, he is off the list too.
    assert listed(CoverageStatus.EXPIRING, D(2026, 11, 26)) == []

    # The same reading of one person's cards (the household page uses it).
    def status(name):
        return selectors.card_status(list(m[name].cards.all()), ON, 30)

    assert (status("Bình").status, status("Bình").renewed_to) == ("covered", D(2027, 11, 30))
    assert (status("Hoa").status, status("Hoa").next_from) == ("paid_ahead", D(2026, 12, 18))
    assert (status("Tâm").status, status("Tâm").renewed_to) == ("expiring", None)
    assert status("Hân").status == CoverageStatus.NEVER


def test_the_household_page_shows_the_renewal(client, officer, family):
    m = _members(family)
    _card(officer, m["Bình"], "GD", D(2025, 12, 1), D(2026, 11, 30), paid=D(2025, 11, 20))
    _card(officer, m["Bình"], "GD", D(2026, 12, 1), D(2027, 11, 30), paid=D(2026, 11, 10))
    _card(officer, m["Hoa"], "GD", D(2026, 12, 18), D(2027, 12, 17), paid=D(2026, 11, 18))
    client.force_login(officer)
    url = reverse("insurance:household_cards", kwargs={"pk": family.pk})
    page = client.get(url, {"date": ON.isoformat()})
    assert page.status_code == 200
    rows = {r["person"].full_name.split()[-1]: r for r in page.context["rows"]}
    assert rows["Bình"]["status"] == CoverageStatus.COVERED
    assert rows["Bình"]["coverage"].renewed_to == D(2027, 11, 30)
    assert rows["Hoa"]["status"] == CoverageStatus.PAID_AHEAD
    assert rows["Hoa"]["coverage"].next_from == D(2026, 12, 18)


def test_coverage_on_a_date_ignores_a_card_paid_ahead(officer, family):
    m = _members(family)
    _card(officer, m["Bình"], "GD", D(2025, 12, 1), D(2026, 11, 30), paid=D(2025, 11, 20))
    _card(officer, m["Hoa"], "GD", D(2026, 12, 18), D(2027, 12, 17), paid=D(2026, 11, 18))
    scope = scope_for(officer)
    on_the_day = selectors.coverage_by_village(scope, ON)[-1]
    assert (on_the_day.people, on_the_day.covered) == (4, 1)  # Hoa's card is not valid yet
    later = selectors.coverage_by_village(scope, D(2026, 12, 20))[-1]
    assert later.covered == 1  # Bình's card ended, Hoa's began


def test_nobody_already_renewed_is_reminded(officer, tan_dong, family):
    m = _members(family)
    # Bình renewed (paid before ON), Hoa did not, Tâm paid only after ON.
    _card(officer, m["Bình"], "GD", D(2025, 12, 21), EXPIRY, paid=D(2025, 12, 15))
    _card(officer, m["Bình"], "GD", EXPIRY + dt.timedelta(days=1), D(2027, 12, 20), paid=ON)
    _card(officer, m["Hoa"], "GD", D(2025, 12, 21), EXPIRY, paid=D(2025, 12, 15))
    _card(officer, m["Tâm"], "GD", D(2025, 12, 21), EXPIRY, paid=D(2025, 12, 15))
    _card(
        officer,
        m["Tâm"],
        "GD",
        EXPIRY + dt.timedelta(days=1),
        D(2027, 12, 20),
        paid=ON + dt.timedelta(days=3),
    )
    # Another household lapsed a week ago and has paid for a card starting after 30 days.
    other = f.household(
        tan_dong, f.person("Trần Văn Út", D(1960, 2, 2)), actor=officer, phone="0987 654 321"
    )
    út = other.members.get()
    _card(officer, út, "GD", D(2025, 11, 14), ON - dt.timedelta(days=7), paid=D(2025, 11, 10))
    _card(
        officer,
        út,
        "GD",
        ON + dt.timedelta(days=28),
        D(2027, 12, 17),
        paid=ON - dt.timedelta(days=2),
    )
    report = services.reminders_plan(scope=f.system(), commune=_commune(), on=ON)
    assert report.created == 1
    reminder = Reminder.objects.get()
    assert (reminder.household, reminder.people) == (family, 2)  # Hoa and Tâm
    # Two household members: 105.300 + 73.710 đ a month, 12 months.
    assert "2.148.120d" in OutboxMessage.objects.get().sms_text


# --- 2. who pays through the household --------------------------------------------------


@pytest.fixture
def mixed(tan_dong, officer):
    """Four people: the head pays through the household, his wife's employer pays, his father
    is a pensioner and the toddler's card is the state's."""
    household = f.household(
        tan_dong,
        f.person("Phạm Văn Cường", D(1985, 4, 4), "male", "head"),
        f.person("Đỗ Thị Mai", D(1988, 8, 8), "female", "spouse"),
        f.person("Phạm Văn Lộc", D(1955, 5, 5), "male", "parent"),
        f.person("Phạm Bảo An", D(2023, 3, 3), "female", "child", with_cccd=False),
        actor=officer,
        phone="0912 000 111",
    )
    m = _members(household)
    _card(officer, m["Cường"], "GD", D(2025, 12, 21), EXPIRY, paid=D(2025, 12, 15))
    _card(officer, m["Mai"], "DN", D(2026, 1, 1), D(2026, 12, 31))
    _card(officer, m["Lộc"], "HT", D(2026, 1, 1), D(2026, 12, 31))
    # The toddler's card period happens to end on the same day as her father's.
    _card(officer, m["An"], "TE", D(2025, 12, 21), EXPIRY)
    return household


def test_the_household_pays_for_its_own_members_only(client, officer, mixed):
    client.force_login(officer)
    page = client.get(
        reverse("insurance:household_cards", kwargs={"pk": mixed.pk}), {"date": ON.isoformat()}
    )
    assert page.context["paying"] == 1
    assert [c.amount for c in page.context["ladder"]] == [1_263_600]  # 105.300 đ × 12
    assert page.context["ladder_total"] == 1_263_600
    payers = selectors.household_payers(mixed.members.all(), ON)
    assert [p.full_name for p in payers] == ["Phạm Văn Cường"]


def test_the_reminder_quotes_what_the_household_pays(officer, mixed):
    report = services.reminders_plan(scope=f.system(), commune=_commune(), on=ON)
    assert report.created == 1
    reminder = Reminder.objects.get()
    assert reminder.people == 2  # two cards end on that day: the father's and the toddler's
    message = OutboxMessage.objects.get()
    assert "Muc dong 12 thang: 1.263.600d" in message.sms_text
    assert "1.263.600 đ" in message.zalo_data["text"]


def test_who_pays_on_a_date(officer, tan_dong, family):
    m = _members(family)
    pupil = f.household(
        tan_dong,
        f.person("Võ Văn Hùng", D(1970, 1, 1), "male", "head"),
        f.person("Võ Thị Lan", D(2010, 2, 2), "female", "child", with_cccd=False),
        f.person("Võ Văn Tí", D(2020, 9, 1), "male", "child", with_cccd=False),
        actor=officer,
    )
    v = _members(pupil)
    _card(officer, m["Bình"], "GD", D(2024, 1, 1), D(2024, 12, 31))  # long lapsed: still GD
    _card(officer, m["Hoa"], "CN", D(2026, 1, 1), D(2026, 12, 31))  # near-poor: own share
    _card(officer, v["Lan"], "HS", D(2026, 1, 1), D(2026, 12, 31))  # pupil: through school
    _card(officer, v["Tí"], "TE", D(2020, 9, 1), D(2026, 8, 31))  # turned 6: free card ended
    _card(officer, v["Hùng"], "XX", D(2026, 1, 1), D(2026, 12, 31))  # another payer
    everyone = list(family.members.all()) + list(pupil.members.all())
    who = {p.full_name.split()[-1]: w.payer for p, w in selectors.who_pays(everyone, ON).items()}
    assert who == {
        "Bình": Payer.HOUSEHOLD,
        "Hoa": Payer.SUBSIDISED,
        "Tâm": Payer.HOUSEHOLD,  # no card, an adult
        "Hân": Payer.STATE,  # under 6, even without a card
        "Hùng": Payer.OTHER,
        "Lan": Payer.SUBSIDISED,
        "Tí": Payer.HOUSEHOLD,
    }
    # In a poor household every member is the state's, card or not.
    PovertyStatusPeriod.objects.create(
        household=family, poverty_class="poor", valid_from=D(2026, 1, 1)
    )
    who = {p.full_name.split()[-1]: w.payer for p, w in selectors.who_pays(everyone, ON).items()}
    assert {who[k] for k in ("Bình", "Hoa", "Tâm", "Hân")} == {Payer.STATE}
    assert selectors.household_payers(family.members.all(), ON) == []


def test_a_near_poor_member_is_reminded_of_her_own_share(officer, tan_dong):
    household = f.household(
        tan_dong,
        f.person("Huỳnh Thị Nga", D(1975, 7, 7), "female", "head"),
        actor=officer,
        phone="0912 222 333",
    )
    _card(officer, household.members.get(), "CN", D(2025, 12, 21), EXPIRY)
    services.reminders_plan(scope=f.system(), commune=_commune(), on=ON)
    # The state pays 70 %: 1.263.600 đ × 30 % = 379.080 đ for 12 months.
    assert "379.080d" in OutboxMessage.objects.get().sms_text


def test_cards_that_cost_the_household_nothing_are_not_reminded(officer, tan_dong):
    household = f.household(
        tan_dong,
        f.person("Lý Văn Sang", D(1980, 1, 1), "male", "head"),
        f.person("Lý Thị Thu", D(2012, 2, 2), "female", "child", with_cccd=False),
        f.person("Lý Văn Bé", D(2020, 12, 21), "male", "child", with_cccd=False),
        actor=officer,
        phone="0912 444 555",
    )
    m = _members(household)
    _card(officer, m["Thu"], "HS", D(2026, 1, 1), EXPIRY)  # the school collects
    report = services.reminders_plan(scope=f.system(), commune=_commune(), on=ON)
    assert (report.created, report.nothing_to_pay) == (0, 1)
    # A free card ending on the eve of the 6th birthday: from then on he pays through the
    # household (the father's card is the employer's).
    _card(officer, m["Sang"], "DN", D(2026, 1, 1), D(2027, 12, 31))
    _card(officer, m["Bé"], "TE", D(2020, 12, 21), EXPIRY)
    report = services.reminders_plan(scope=f.system(), commune=_commune(), on=ON)
    assert report.created == 1
    assert "Muc dong 12 thang: 1.263.600d" in OutboxMessage.objects.get().sms_text


def test_the_household_page_shows_own_shares(client, officer, tan_dong):
    household = f.household(
        tan_dong,
        f.person("Huỳnh Văn Tư", D(1970, 7, 7), "male", "head"),
        f.person("Huỳnh Thị Năm", D(1972, 8, 8), "female", "spouse"),
        actor=officer,
    )
    m = _members(household)
    _card(officer, m["Tư"], "CN", D(2026, 1, 1), D(2026, 12, 31))
    client.force_login(officer)
    page = client.get(
        reverse("insurance:household_cards", kwargs={"pk": household.pk}),
        {"date": ON.isoformat()},
    )
    assert page.context["paying"] == 1  # Năm, without a card
    assert [(p.full_name, s.percent, s.person) for p, s in page.context["own_shares"]] == [
        ("Huỳnh Văn Tư", 70, 379_080)
    ]
