"""Finding people: without diacritics, by given name, CCCD, phone or household code; indexed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ansinh.accounts.models import User
from ansinh.accounts.scopes import scope_for
from ansinh.demo.builder import build_registry
from ansinh.registry import selectors, services
from ansinh.registry.choices import HouseholdStatus, LifeStatus
from tests import factories as f

pytestmark = pytest.mark.django_db

LIST = reverse("registry:household_list")
FOLDED_KEY_INDEXES = (
    "person_dup_idx",
    "person_given_idx",
    "person_village_given_idx",
    "person_dup_idx",  # (commune, folded_name, date_of_birth) also serves name prefixes
)


@pytest.fixture
def hh_tim(officer, tan_dong):
    """TD-0002: Nguyễn Thị Tím (own phone 0912 345 678) and her husband."""
    return f.household(
        tan_dong,
        f.person("Nguyễn Thị Tím", dt.date(1990, 4, 2), "female", "head", phone="0912 345 678"),
        f.person("Trần Văn Hùng", dt.date(1987, 7, 7), "male", "spouse"),
        actor=officer,
    )


@pytest.fixture
def hh_phan(officer, tan_dong):
    """TD-0003: the household's contact phone is 0987 654 321; nobody has it as own phone."""
    return f.household(
        tan_dong,
        f.person("Phan Văn Sơn", dt.date(1970, 1, 1), "male", "head"),
        f.person("Phan Thị Lan", dt.date(1995, 1, 1), "female", "child"),
        actor=officer,
        phone="0987 654 321",
    )


@pytest.fixture
def people(hh_td, hh_tim, hh_dh, hh_phan):
    """TD-0001 Nguyễn Văn An's family, TD-0002 Tím, DH-0001 Lê Thị Tím, TD-0003 Phan."""
    assert (hh_td.code, hh_tim.code, hh_dh.code, hh_phan.code) == (
        "TD-0001",
        "TD-0002",
        "DH-0001",
        "TD-0003",
    )


def names(user, query, **filters) -> list[str]:
    return [p.full_name for p in selectors.person_search(scope_for(user), query, **filters)]


@pytest.mark.parametrize(
    "query",
    ["nguyen thi tim", "Nguyễn Thị Tím", "NGUYEN THI TIM", "  nguyen   thi  tim ", "nguyen thi t"],
)
def test_full_name_without_diacritics(officer, people, query):
    assert names(officer, query) == ["Nguyễn Thị Tím"]


def test_given_name_alone_finds_everyone_with_it_in_list_order(officer, people):
    # Vietnamese lists sort by the given name, then the family name: Lê before Nguyễn.
    assert names(officer, "tim") == ["Lê Thị Tím", "Nguyễn Thị Tím"]


@pytest.mark.parametrize("query", ["TIM NGUYEN", "tim nguyen thi", "Tím Nguyễn"])
def test_given_name_then_family_name(officer, people, query):
    assert names(officer, query) == ["Nguyễn Thị Tím"]


def test_family_name_finds_the_family(officer, people):
    assert set(names(officer, "nguyen")) == {"Nguyễn Văn An", "Nguyễn Minh Khang", "Nguyễn Thị Tím"}
    assert names(officer, "dang") == []


def test_cccd_exact_and_typed_with_spaces(officer, people, hh_tim):
    tim = hh_tim.members.get(full_name="Nguyễn Thị Tím")
    assert names(officer, tim.cccd) == ["Nguyễn Thị Tím"]
    spaced = f"{tim.cccd[:3]} {tim.cccd[3:6]} {tim.cccd[6:]}"
    assert names(officer, spaced) == ["Nguyễn Thị Tím"]


def test_cccd_first_digits(officer, people, hh_tim):
    tim = hh_tim.members.get(full_name="Nguyễn Thị Tím")
    assert "Nguyễn Thị Tím" in names(officer, tim.cccd[:7])
    assert names(officer, tim.cccd[:7] + "99999") == []


@pytest.mark.parametrize(
    "query", ["0912 345 678", "+84912345678", "84912345678", "0912.345.678", "0912-345-678"]
)
def test_own_phone_in_any_format(officer, people, query):
    assert names(officer, query) == ["Nguyễn Thị Tím"]


@pytest.mark.parametrize("query", ["0987 654 321", "+84 987 654 321"])
def test_household_contact_phone_finds_its_members(officer, people, query):
    assert set(names(officer, query)) == {"Phan Văn Sơn", "Phan Thị Lan"}


def test_household_code_prefix(officer, people):
    td = names(officer, "TD-00")
    assert set(td) == {
        "Nguyễn Văn An",
        "Trần Thị Bích",
        "Nguyễn Minh Khang",
        "Nguyễn Thị Tím",
        "Trần Văn Hùng",
        "Phan Văn Sơn",
        "Phan Thị Lan",
    }
    assert td[:3] == ["Nguyễn Văn An", "Trần Thị Bích", "Nguyễn Minh Khang"]  # TD-0001 first
    assert names(officer, "td-0002") == ["Nguyễn Thị Tím", "Trần Văn Hùng"]
    assert names(officer, "DH-0001") == ["Lê Thị Tím"]


def test_filter_by_village_and_status(officer, people, hh_tim, dong_hiep):
    assert names(officer, "tim", village_id=dong_hiep.pk) == ["Lê Thị Tím"]
    hung = hh_tim.members.get(full_name="Trần Văn Hùng")
    services.person_record_death(
        scope=scope_for(officer), person=hung, date=timezone.localdate() - dt.timedelta(days=3)
    )
    assert names(officer, "tran", status=LifeStatus.DECEASED) == ["Trần Văn Hùng"]
    assert names(officer, "tran", status=LifeStatus.LIVING) == ["Trần Thị Bích"]
    assert "Trần Văn Hùng" in names(officer, "tran")


def test_village_head_searches_only_own_village(head_td, people):
    assert names(head_td, "tim") == ["Nguyễn Thị Tím"]
    assert names(head_td, "DH-0001") == []


# --- the list page ---------------------------------------------------------------------


def test_search_page_finds_without_diacritics(client, officer, people):
    client.force_login(officer)
    response = client.get(LIST, {"q": "nguyen thi tim"})
    assert response.status_code == 200
    page = response.context["page"]
    assert [p.full_name for p in page.object_list] == ["Nguyễn Thị Tím"]
    html = response.content.decode()
    assert "Nguyễn Thị Tím" in html
    assert "Lê Thị Tím" not in html
    assert reverse("registry:household_detail", args=[page.object_list[0].household_id]) in html


def test_search_page_filters(client, officer, people, dong_hiep):
    client.force_login(officer)
    response = client.get(LIST, {"q": "tim", "village": dong_hiep.pk})
    assert [p.full_name for p in response.context["page"].object_list] == ["Lê Thị Tím"]


def test_search_page_is_paginated(client, officer, people, settings):
    settings.ANSINH_PAGE_SIZE = 2
    client.force_login(officer)
    first = client.get(LIST, {"q": "nguyen"}).context["page"]
    second = client.get(LIST, {"q": "nguyen", "page": 2}).context["page"]
    assert first.paginator.count == 3
    assert first.paginator.num_pages == 2
    shown = [p.full_name for p in first.object_list] + [p.full_name for p in second.object_list]
    assert len(first.object_list) == 2
    assert sorted(shown) == sorted(["Nguyễn Văn An", "Nguyễn Minh Khang", "Nguyễn Thị Tím"])


def test_browse_pages_and_filters(client, officer, people, settings, hh_dh, dong_hiep):
    settings.ANSINH_PAGE_SIZE = 3
    client.force_login(officer)
    first = client.get(LIST).context["page"]
    second = client.get(LIST, {"page": 2}).context["page"]
    assert [h.code for h in first.object_list] == ["DH-0001", "TD-0001", "TD-0002"]
    assert [h.code for h in second.object_list] == ["TD-0003"]
    assert [h.living_count for h in first.object_list] == [1, 3, 2]
    in_dh = client.get(LIST, {"village": dong_hiep.pk}).context["page"]
    assert [h.code for h in in_dh.object_list] == ["DH-0001"]

    tim = hh_dh.members.get()
    services.person_move_out(
        scope=scope_for(officer), person=tim, date=timezone.localdate() - dt.timedelta(days=1)
    )
    services.household_close(
        scope=scope_for(officer), household=hh_dh, status=HouseholdStatus.MOVED_AWAY
    )
    gone = client.get(LIST, {"status": "moved_away"}).context["page"]
    assert [h.code for h in gone.object_list] == ["DH-0001"]
    active = client.get(LIST, {"status": "active"}).context["page"]
    assert "DH-0001" not in [h.code for h in active.object_list]


def test_htmx_search_returns_only_the_results(client, officer, people):
    client.force_login(officer)
    response = client.get(LIST, {"q": "tim"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "Nguyễn Thị Tím" in html
    assert "<html" not in html


# --- indexes ---------------------------------------------------------------------------


def _plan(results) -> list[str]:
    """The SQLite plan of a search: of each part for a name search (NameResults)."""
    steps = []
    for queryset in getattr(results, "parts", (results,)):
        sql, params = queryset[:25].query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            steps += [row[-1] for row in cursor.fetchall()]
    return steps


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite query plan")
@pytest.mark.parametrize("username", ["canbo", "truongap1"])
@pytest.mark.parametrize("query", ["nguyen thi tim", "tim", "tim nguyen"])
def test_name_search_is_an_index_range_scan_on_sqlite(query, username):
    # A realistic commune (the demo builder ends with ANALYZE, as a real database has stats).
    build_registry(seed=3, households=120, as_of=dt.date(2026, 11, 1))
    scope = scope_for(User.objects.get(username=username))
    plan = _plan(selectors.person_search(scope, query))
    person_steps = [step for step in plan if "registry_person" in step]
    assert person_steps, plan
    assert any(index in step for step in person_steps for index in FOLDED_KEY_INDEXES), plan
    for step in person_steps:
        # every access to the person table is a range on a folded key, never a walk
        assert step.startswith("SEARCH"), plan
        assert "folded_name>?" in step or "given_key>?" in step, plan
    assert not any(step.startswith("SCAN registry_person") for step in plan), plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite query plan")
def test_name_search_never_scans_the_table_even_without_statistics(officer, people):
    plan = _plan(selectors.person_search(scope_for(officer), "nguyen thi tim"))
    text = " | ".join(plan)
    assert "person_dup_idx" in text or "person_given_idx" in text, plan
    assert not any(step.startswith("SCAN registry_person") for step in plan), plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL catalogue")
def test_search_indexes_exist_on_postgresql():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "registry_person")
        assert constraints["person_dup_idx"]["columns"] == [
            "commune_id",
            "folded_name",
            "date_of_birth",
        ]
        assert constraints["person_given_idx"]["columns"] == ["commune_id", "given_key"]
        assert constraints["person_village_given_idx"]["columns"] == ["village_id", "given_key"]
        assert constraints["person_phone_idx"]["columns"] == ["commune_id", "phone"]
        # Range scans on the folded keys need byte order: the "C" collation.
        cursor.execute(
            "SELECT column_name, collation_name FROM information_schema.columns "
            "WHERE table_name = 'registry_person' AND column_name IN ('folded_name', 'given_key')"
        )
        assert dict(cursor.fetchall()) == {"folded_name": "C", "given_key": "C"}


@pytest.mark.django_db(transaction=True)
def test_the_list_count_is_kept_and_follows_every_change(client, officer, people, dong_hiep):
    """The browse list is told its count (kept per change of the commune's data) rather than
    counting the commune on every page: a second page view counts nothing, and a household
    closed since is counted again, per filter."""
    client.force_login(officer)
    assert client.get(LIST).context["page"].paginator.count == 4
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(LIST, {"page": 1}).context["page"].paginator.count == 4
    assert not [q for q in ctx.captured_queries if "COUNT(*)" in q["sql"].upper()]
    assert client.get(LIST, {"village": dong_hiep.pk}).context["page"].paginator.count == 1
    hh_dh = selectors.households_for(scope_for(officer)).get(code="DH-0001")
    for person in hh_dh.members.all():
        services.person_move_out(scope=scope_for(officer), person=person, date=timezone.localdate())
    services.household_close(
        scope=scope_for(officer), household=hh_dh, status=HouseholdStatus.MOVED_AWAY
    )
    assert client.get(LIST, {"status": "active"}).context["page"].paginator.count == 3
    assert client.get(LIST, {"status": "moved_away"}).context["page"].paginator.count == 1


def test_a_broad_search_counts_at_most_the_cap_of_each_part(officer, people):
    """A search matching more than the cap in its first part (given names) stops counting at
    the cap and still pages through the first part."""
    found = selectors.person_search(scope_for(officer), "nguyen")
    with CaptureQueriesContext(connection) as ctx:
        assert found.count_upto(2) == 2  # three match: counting stopped at two
    assert all("LIMIT" in q["sql"].upper() for q in ctx.captured_queries)
    assert len(found[0:2]) == 2
    assert found.count() == 3  # the exact count, when asked, is exact
