"""Kept figures (core/figures): counted once per change of a commune's data, moved on by every
audited write after it commits, never by a rolled-back one; coverage counted for many days in
one pass gives what counting each day alone gives."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pytest
from django.db import transaction

from ansinh.accounts.scopes import scope_for
from ansinh.core import audit, figures
from ansinh.core.models import AuditAction, FigureStamp
from ansinh.insurance import selectors as insurance
from ansinh.insurance import services as cards
from ansinh.insurance.models import Card
from ansinh.registry import selectors as registry
from ansinh.registry import services as registry_services
from tests import factories as f

D = dt.date
ON = D(2026, 11, 20)


def _version(code: int = f.TAN_DONG) -> int:
    row = FigureStamp.objects.filter(commune_code=code).first()
    return row.version if row else 0


@pytest.mark.django_db(transaction=True)
def test_a_write_moves_the_stamp_once_per_transaction_after_commit(tan_dong):
    village = tan_dong
    with transaction.atomic():
        for _ in range(5):
            audit.record(
                actor=f.system(),
                instance=village,
                action=AuditAction.EVENT,
                after={"n": 1},
                commune_code=f.TAN_DONG,
            )
        assert _version() == 0  # not before the commit
    assert _version() == 1  # five entries, one transaction: one step


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_moves_nothing(tan_dong):
    def write_then_fail() -> None:
        with transaction.atomic():
            audit.record(
                actor=f.system(),
                instance=tan_dong,
                action=AuditAction.EVENT,
                after={"n": 1},
                commune_code=f.TAN_DONG,
            )
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        write_then_fail()
    assert _version() == 0


@pytest.mark.django_db(transaction=True)
def test_a_change_of_an_unknown_commune_moves_every_commune(tan_dong):
    figures.changed(f.TAN_DONG)
    figures.changed(None)
    assert _version() == 2
    versions = [[part.split("@")[0] for part in figures.stamp(c)] for c in (f.TAN_DONG, 25525)]
    assert versions == [["2", "1"], ["0", "1"]]  # 25525 never changed: its key moved all the same


@pytest.mark.django_db(transaction=True)
def test_a_figure_is_counted_once_until_the_commune_changes(tan_dong):
    calls: list[int] = []

    def count() -> int:
        calls.append(1)
        return len(calls)

    assert figures.counted(f.TAN_DONG, "n", count, ON).value == 1
    assert figures.counted(f.TAN_DONG, "n", count, ON).value == 1  # kept
    assert figures.counted(f.TAN_DONG, "n", count, D(2026, 11, 21)).value == 2  # other day
    assert figures.counted(25525, "n", count, ON).value == 3  # another commune
    figures.changed(f.TAN_DONG)
    assert figures.counted(f.TAN_DONG, "n", count, ON).value == 4  # counted again


@pytest.mark.django_db(transaction=True)
def test_coverage_shown_after_a_card_is_registered_counts_it(tan_dong, officer):
    scope = scope_for(officer)
    household = f.household(tan_dong, f.person("Trần Văn An", D(1980, 1, 2), "male", "head"))
    person = household.members.get()
    assert insurance.coverage_by_village(scope, ON)[-1].covered == 0
    cards.card_register(
        scope=scope,
        person=person,
        group_code="GD",
        valid_from=D(2026, 1, 1),
        valid_to=D(2026, 12, 31),
        social_insurance_number="7212345678",
    )
    assert insurance.coverage_by_village(scope, ON)[-1].covered == 1
    assert [c.persons for c in registry.village_counts(scope)] == [1, 0]
    registry_services.person_record_death(scope=scope, person=person, date=D(2026, 10, 1))
    assert insurance.coverage_by_village(scope, ON)[-1].people == 0
    assert [c.persons for c in registry.village_counts(scope)] == [0, 0]


@pytest.mark.django_db
def test_a_village_head_sees_only_their_villages_of_the_commune_count(
    tan_dong, dong_hiep, officer, head_td
):
    f.household(tan_dong, f.person("Trần Văn An", D(1980, 1, 2), "male", "head"))
    f.household(dong_hiep, f.person("Lê Văn Ba", D(1981, 1, 2), "male", "head"))
    everyone = insurance.coverage_by_village(scope_for(officer), ON)
    theirs = insurance.coverage_by_village(scope_for(head_td), ON)
    assert [r.people for r in everyone] == [1, 1, 2]  # Đông Hiệp, Tân Đông, total
    assert [(r.name, r.people) for r in theirs] == [("Ấp Tân Đông", 1), ("", 1)]
    assert [c.village.name for c in registry.village_counts(scope_for(head_td))] == ["Ấp Tân Đông"]


def _one_day(commune: int, on: dt.date) -> dict[int, tuple[int, int]]:
    """The count of one day as it was written before days were counted together."""
    out: dict[int, tuple[int, int]] = {}
    from ansinh.registry.models import Person

    present = insurance.present_on(Person.objects.filter(commune_id=commune), on)
    for village_id in set(present.values_list("village_id", flat=True)):
        here = present.filter(village_id=village_id)
        covered = here.filter(
            id__in=Card.objects.filter(valid_from__lte=on, valid_to__gte=on).values("person_id")
        ).count()
        out[village_id] = (here.count(), covered)
    return out


@pytest.mark.django_db
def test_many_days_in_one_pass_equal_each_day_alone(tan_dong, dong_hiep, officer):
    scope = scope_for(officer)
    people = []
    for i, village in enumerate([tan_dong, dong_hiep] * 3):
        hh = f.household(
            village, f.person(f"Nguyễn Văn Số{chr(65 + i)}", D(1970 + i, 1, 2), "male", "head")
        )
        people.append(hh.members.get())
    # Cards starting and ending on different months; two overlapping cards for one person.
    spans = [
        (D(2026, 1, 1), D(2026, 6, 30)),
        (D(2026, 5, 1), D(2027, 4, 30)),
        (D(2025, 12, 1), D(2026, 11, 30)),
        (D(2026, 9, 15), D(2027, 9, 14)),
    ]
    for n, (start, end) in enumerate(spans):
        cards.card_register(
            scope=scope,
            person=people[n],
            group_code="GD",
            valid_from=start,
            valid_to=end,
            social_insurance_number=f"72{n:08d}",
        )
    cards.card_register(
        scope=scope,
        person=people[0],
        group_code="GD",
        valid_from=D(2026, 3, 1),
        valid_to=D(2026, 8, 31),
        social_insurance_number="7200000009",
    )
    registry_services.person_record_death(scope=scope, person=people[1], date=D(2026, 8, 10))
    days = insurance.month_ends(ON, 12)
    together = insurance.count_coverage(f.TAN_DONG, days)
    assert sum(c for day in days for _, c in together[day].values()) > 0  # not vacuous
    for day in days:
        assert together[day] == _one_day(f.TAN_DONG, day), day


CACHE_SETTINGS = """
import json
import django
from django.conf import settings
django.setup()
c = settings.CACHES["default"]
print(json.dumps({"backend": c["BACKEND"], "location": c["LOCATION"], "prefix": c["KEY_PREFIX"]}))
"""


def _cache_settings(tmp_path, **env_vars: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSINH_")}
    env.pop("DATABASE_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="ansinh.config.settings",
        ANSINH_ENV="development",
        ANSINH_VAR_DIR=str(tmp_path),
        **env_vars,
    )
    return subprocess.run(
        [sys.executable, "-c", CACHE_SETTINGS],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_server_keeps_figures_in_files_its_workers_share_one_set_per_database(tmp_path):
    """By default every web process of a server reads the same kept figures (files under
    VAR_DIR/cache), and two databases never share them."""
    sqlite = json.loads(_cache_settings(tmp_path).stdout)
    assert sqlite["backend"].endswith("FileBasedCache")
    assert sqlite["location"] == str(tmp_path.resolve() / "cache")
    pg_a = json.loads(_cache_settings(tmp_path, DATABASE_URL="postgres://u@h:5432/a").stdout)
    pg_b = json.loads(_cache_settings(tmp_path, DATABASE_URL="postgres://u@h:5432/b").stdout)
    assert len({sqlite["prefix"], pg_a["prefix"], pg_b["prefix"]}) == 3
    memory = json.loads(_cache_settings(tmp_path, ANSINH_CACHE="memory").stdout)
    assert memory["backend"].endswith("LocMemCache")
    wrong = _cache_settings(tmp_path, ANSINH_CACHE="redis")
    assert wrong.returncode != 0
    assert "ANSINH_CACHE" in wrong.stderr


@pytest.mark.django_db(transaction=True)
def test_the_stamp_tells_a_rebuilt_database_from_the_one_it_replaced(tan_dong):
    """A database rebuilt (or restored) counts its versions again from the start; the time
    of the last change keeps its figures apart from those kept for the database before."""
    audit.record(
        actor=f.system(),
        instance=tan_dong,
        action=AuditAction.EVENT,
        after={"n": 1},
        commune_code=f.TAN_DONG,
    )
    first = figures.stamp(f.TAN_DONG)
    FigureStamp.objects.all().delete()  # as a new database would start
    audit.record(
        actor=f.system(),
        instance=tan_dong,
        action=AuditAction.EVENT,
        after={"n": 1},
        commune_code=f.TAN_DONG,
    )
    again = figures.stamp(f.TAN_DONG)
    assert first[0].split("@")[0] == again[0].split("@")[0] == "1"
    assert first != again
