"""List pages: the number of database queries does not grow with the number of rows shown.

Each page is rendered on the demo commune of the session (``demo_commune``, 60 households)
with a few rows and with about three times as many, and both renderings must make the same
number of queries: a query per row (an N+1) fails here. The number of rows is changed by the
page size (``ANSINH_PAGE_SIZE``), by a filter, by the page number, or by copies of the rows
made for the test (rolled back after it). A failure lists the queries the larger page added.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count, Model
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ansinh.accounts.models import User
from ansinh.assistance.models import Case, GuardItem, Payroll, PayrollLine
from ansinh.core.models import AuditEntry
from ansinh.insurance.models import ReminderStage
from ansinh.messaging.models import OutboxMessage, Suppression
from ansinh.places.models import Village
from ansinh.poverty.models import ReviewRound, RoundHousehold
from ansinh.registry.models import ChangeProposal, Household

pytestmark = pytest.mark.usefixtures("demo_commune")


@pytest.fixture
def as_user() -> Callable[[str], Client]:
    def client_for(username: str) -> Client:
        client = Client()
        client.force_login(User.objects.get(username=username))
        return client

    return client_for


@pytest.fixture
def officer(as_user) -> Client:
    return as_user("canbo")


def _rows(response: Any, key: str) -> int:
    value = response.context[key]
    return len(getattr(value, "object_list", value))


def _counted(sql: str) -> bool:
    """Savepoints and the session (saved when it is due, whatever the page) are not counted."""
    return not sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT")) and "django_session" not in sql


def _get(client: Client, url: str, params: dict[str, Any], key: str) -> tuple[list[str], int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200, (url, params, response.status_code)
    return [q["sql"] for q in ctx.captured_queries if _counted(q["sql"])], _rows(response, key)


def assert_flat(
    client: Client,
    url: str,
    key: str,
    few: dict[str, Any] | None = None,
    more: dict[str, Any] | None = None,
    *,
    grow: Callable[[], object] | None = None,
) -> tuple[int, int]:
    """Render ``url`` with the query ``few``, then (after ``grow()``, if given) with ``more``:
    at least three times as many rows in ``response.context[key]``, the same number of
    queries. Returns the two numbers of rows."""
    _get(client, url, few or {}, key)  # warm up: per-process caches (content types …)
    small, n_small = _get(client, url, few or {}, key)
    if grow is not None:
        grow()
    large, n_large = _get(client, url, few or {} if more is None else more, key)
    assert n_small >= 1, "the smaller page must show rows"
    assert n_large >= 3 * n_small, f"not enough rows to compare: {n_small} and {n_large}"
    added = Counter(large) - Counter(small)
    assert len(large) == len(small), (
        f"{url}: {len(small)} queries for {n_small} rows, {len(large)} for {n_large}; added:\n"
        + "\n".join(f"{n} × {sql[:300]}" for sql, n in added.most_common(5))
    )
    return n_small, n_large


def copies(obj: Model, n: int, change: Callable[[int], dict[str, Any]]) -> None:
    """``n`` copies of ``obj`` (a new primary key, ``change(i)`` applied to the i-th)."""
    model = type(obj)
    for i in range(1, n + 1):
        clone = model.objects.get(pk=obj.pk)
        clone.pk = None
        for name, value in change(i).items():
            setattr(clone, name, value)
        clone.save()


def more_villages(times: int = 3) -> None:
    """As many empty ấp again as the commune has, ``times - 1`` times (codes Q1, Q2 …)."""
    villages = list(Village.objects.filter(commune_id=25522, is_active=True))
    for k in range(1, times):
        for i, v in enumerate(villages):
            copies(v, 1, lambda _i, k=k, i=i: {"code": f"Q{k}{i}", "name": f"Ấp Mới {k}-{i}"})


# --- registry ------------------------------------------------------------------------------


def test_household_list(officer, settings):
    settings.ANSINH_PAGE_SIZE = 5
    url = reverse("registry:household_list")
    assert_flat(officer, url, "page", grow=lambda: setattr(settings, "ANSINH_PAGE_SIZE", 15))


def test_person_search(officer, settings):
    settings.ANSINH_PAGE_SIZE = 5
    url = reverse("registry:household_list")
    assert_flat(
        officer,
        url,
        "page",
        {"q": "nguyen"},
        grow=lambda: setattr(settings, "ANSINH_PAGE_SIZE", 15),
    )


def test_household_list_of_a_village_head(as_user, settings):
    settings.ANSINH_PAGE_SIZE = 2
    url = reverse("registry:household_list")
    head = as_user("truongap1")
    assert_flat(head, url, "page", grow=lambda: setattr(settings, "ANSINH_PAGE_SIZE", 6))


def test_home(officer):
    assert_flat(officer, reverse("home"), "rows", grow=more_villages)


def test_proposal_list(officer):
    pending = ChangeProposal.objects.order_by("pk")
    n = pending.count()
    assert n >= 1

    def grow() -> None:
        for proposal in list(pending):
            copies(proposal, 2, lambda i: {"fingerprint": ""})

    assert_flat(officer, reverse("registry:proposal_list"), "proposals", grow=grow)


def test_audit_log(officer):
    """A day of the audit log whose entries name households (moves, splits …): 10 entries,
    then 50, each naming another household; the same number of queries (the households
    are read once for the page, not once per entry)."""
    url = reverse("registry:audit_log")
    moved = (
        AuditEntry.objects.filter(commune_code=25522, changes__has_key="household")
        .filter(model_label__startswith="registry.")
        .first()
    )
    assert moved is not None
    households = list(
        Household.objects.filter(commune_id=25522).order_by("id").values_list("id", flat=True)
    )
    assert len(households) >= 60
    day = dt.datetime(2030, 1, 3, 3, 0, tzinfo=dt.UTC)
    made = 0

    def add(n: int) -> None:
        nonlocal made
        top = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
        before = moved.changes["household"][0]

        def naming(i: int) -> dict[str, Any]:
            other = households[made + i]
            changes = {**moved.changes, "household": [before, other]}
            return {"household_id": other, "changes": changes}

        copies(moved, n, naming)
        made += n
        AuditEntry.objects.filter(id__gt=top).update(at=day)  # ``at`` is stamped on creation

    add(10)
    one_day = {"date_from": "03/01/2030", "date_to": "03/01/2030"}
    assert_flat(officer, url, "rows", few=one_day, grow=lambda: add(40))


def test_audit_log_filtered_and_varied(officer):
    """A filtered page of the log whose entries name users, households, persons and review
    entries (payrolls, a survey, persons, allowance cases): the names are read once per kind
    of record, whatever the number of entries (4 entries of a day, then 24)."""
    url = reverse("registry:audit_log")
    kinds = ["assistance.payroll", "poverty.roundhousehold", "registry.person", "assistance.case"]
    samples = [AuditEntry.objects.filter(commune_code=25522, model_label=k).first() for k in kinds]
    assert all(samples)
    day = dt.datetime(2030, 1, 2, 3, 0, tzinfo=dt.UTC)

    def add(n: int) -> None:
        top = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
        for sample in samples:
            copies(sample, n, lambda i: {})
        # ``at`` is stamped on creation: moved to that day afterwards
        AuditEntry.objects.filter(id__gt=top).update(at=day)

    add(1)
    one_day = {"date_from": "02/01/2030", "date_to": "02/01/2030"}
    assert_flat(officer, url, "rows", few=one_day, grow=lambda: add(5))


# --- places --------------------------------------------------------------------------------


def test_village_list(officer):
    assert_flat(officer, reverse("places:village_list"), "villages", grow=more_villages)


# --- poverty -------------------------------------------------------------------------------


def test_rounds(officer):
    def grow() -> None:
        for rnd in ReviewRound.objects.all():
            copies(rnd, 2, lambda i, rnd=rnd: {"year": rnd.year - 10 * i})

    assert_flat(officer, reverse("poverty:rounds"), "rounds", grow=grow)


def test_round_households(officer):
    rnd = ReviewRound.objects.annotate(n=Count("entries")).order_by("-n").first()
    per_village = Counter(
        RoundHousehold.objects.filter(round=rnd).values_list("village_id", flat=True)
    )
    village, n = min(per_village.items(), key=lambda kv: kv[1])
    assert sum(per_village.values()) >= 3 * n
    url = reverse("poverty:round", args=[rnd.pk])
    assert_flat(officer, url, "rows", {"village": village}, {})


# --- allowances ----------------------------------------------------------------------------


def test_case_list(officer, settings):
    settings.ANSINH_PAGE_SIZE = 5
    url = reverse("assistance:case_list")
    assert_flat(officer, url, "page", grow=lambda: setattr(settings, "ANSINH_PAGE_SIZE", 15))


def test_payroll_list(officer):
    def grow() -> None:
        for payroll in Payroll.objects.all():
            copies(
                payroll,
                2,
                lambda i, p=payroll: {"month": p.month.replace(year=p.month.year - 20 * i)},
            )

    assert_flat(officer, reverse("assistance:payroll_list"), "payrolls", grow=grow)


def test_payroll_lines(officer):
    payroll = Payroll.objects.annotate(n=Count("lines")).order_by("-n").first()
    url = reverse("assistance:payroll_detail", args=[payroll.pk])
    assert payroll.lines.count() > 100
    # the lines of one status (a few) against the first page of all of them (100)
    by_status = Counter(payroll.lines.values_list("status", flat=True))
    status = min(by_status, key=by_status.get)
    if by_status[status] > 33:
        # one status only: some lines failed this month (rolled back after the test)
        failed = list(payroll.lines.order_by("pk").values_list("pk", flat=True)[:5])
        PayrollLine.objects.filter(pk__in=failed).update(status="failed")
        status = "failed"
    assert_flat(officer, url, "page", {"status": status}, {})


def test_guard_items_of_a_payroll(officer):
    """The checks (guard items) listed on the payroll page."""
    payroll = Payroll.objects.get(status="draft")
    url = reverse("assistance:payroll_detail", args=[payroll.pk])
    items = list(GuardItem.objects.filter(commune_id=payroll.commune_id, month=payroll.month))
    assert items
    # the same checks, found again for other recipients of the month
    others = iter(
        Case.objects.filter(status="active")
        .exclude(guard_items__month=payroll.month)
        .order_by("pk")
    )

    def grow() -> None:
        for item in items:
            copies(item, 2, lambda i: {"case": next(others)})

    assert_flat(officer, url, "items", grow=grow)


# --- health insurance ----------------------------------------------------------------------


def test_insurance_coverage(officer):
    assert_flat(officer, reverse("insurance:coverage"), "rows", grow=more_villages)


def test_insurance_follow_up(officer, settings):
    """One row per household whose member's card is missing, expiring or expired, with all
    its members and their cards: a page of 1 household and one of 3 (10 for any reason), for
    every reason with enough households in the demo."""
    url = reverse("insurance:people")
    compared = []
    for reason, few, many in (
        ("any", 3, 10),
        ("never", 1, 3),
        ("expiring", 1, 3),
        ("month", 1, 3),
        ("lapsed", 1, 3),
    ):
        query = {"date": "2026-11-01", "reason": reason}
        settings.ANSINH_PAGE_SIZE = many
        if len(officer.get(url, query).context["rows"]) < many:
            continue
        settings.ANSINH_PAGE_SIZE = few
        grow = lambda n=many: setattr(settings, "ANSINH_PAGE_SIZE", n)  # noqa: E731
        assert assert_flat(officer, url, "rows", query, query, grow=grow) == (few, many)
        compared.append(reason)
    assert len(compared) >= 3, compared


def test_insurance_follow_up_of_a_village(officer, settings):
    """The same with a village chosen (the list the village head prints)."""
    url = reverse("insurance:people")
    settings.ANSINH_PAGE_SIZE = 500
    rows = officer.get(url, {"date": "2026-11-01", "reason": "any"}).context["rows"]
    village = Counter(r.household.village_id for r in rows).most_common(1)[0][0]
    query = {"date": "2026-11-01", "reason": "any", "village": village}
    settings.ANSINH_PAGE_SIZE = 1
    grow = lambda: setattr(settings, "ANSINH_PAGE_SIZE", 3)  # noqa: E731
    assert assert_flat(officer, url, "rows", query, query, grow=grow) == (1, 3)


def test_reminder_stages(officer):
    def grow() -> None:
        for stage in list(ReminderStage.objects.all()):
            copies(stage, 2, lambda i, s=stage: {"code": f"{s.code}-{i}", "days": s.days + 400 * i})

    officer.get(reverse("insurance:stages"))
    if not ReminderStage.objects.exists():
        pytest.skip("no reminder stage saved in the demo")
    assert_flat(officer, reverse("insurance:stages"), "rows", grow=grow)


# --- messaging -----------------------------------------------------------------------------


def test_outbox(officer, settings):
    settings.ANSINH_PAGE_SIZE = 5
    url = reverse("messaging:outbox")
    assert_flat(officer, url, "page", grow=lambda: setattr(settings, "ANSINH_PAGE_SIZE", 15))


def test_refusals(officer):
    # the officer sees the refusals of the numbers the commune has written to
    phones = OutboxMessage.objects.filter(commune_code=25522).values_list("to", flat=True)
    phones = sorted(set(phones))
    assert len(phones) >= 6
    Suppression.objects.filter(phone__in=phones).delete()
    for phone in phones[:2]:
        Suppression.objects.create(phone=phone)

    def grow() -> None:
        for phone in phones[2:6]:
            Suppression.objects.create(phone=phone)

    assert_flat(officer, reverse("messaging:refusals"), "page", grow=grow)


def test_demo_lists_are_large_enough():
    """The comparisons above need a commune with enough rows of each kind."""
    assert RoundHousehold.objects.count() >= 10
    assert Payroll.objects.count() >= 12
    assert dt.date(2026, 11, 1) in Payroll.objects.values_list("month", flat=True)
