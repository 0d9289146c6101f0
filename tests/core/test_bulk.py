"""core.bulk: many new rows at once (COPY on PostgreSQL, one executemany on SQLite), the same
rows as Django would write."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, models, transaction

from ansinh.core import audit, bulk
from ansinh.core.models import AuditEntry
from ansinh.core.text import fold, given_name_key
from ansinh.registry.fields import SearchKeyField
from ansinh.registry.models import Household, Person
from tests import factories as f

pytestmark = pytest.mark.django_db

#: text that COPY's text format must escape: tabs, new lines, backslashes, a formula, \N
AWKWARD = '=1+1\tTab\nLine\\back\\N \r end ‘quote’ "dq" Đặng'


def _values(model: type[models.Model], ids: list[int], *, leave: set[str]) -> list[dict[str, Any]]:
    """Every column as the database holds it, but the primary key and ``leave``."""
    fields = [
        f.attname
        for f in model._meta.concrete_fields
        if not f.primary_key and f.attname not in leave
    ]
    return list(model.objects.filter(pk__in=ids).order_by("pk").values(*fields))


def _household(village: Any, code: str, **kw: Any) -> Household:
    return Household(commune_id=f.TAN_DONG, village=village, code=code, **kw)


def _person(household: Household, name: str, born: dt.date, **kw: Any) -> Person:
    folded = fold(name)
    return Person(
        household_id=household.pk,
        commune_id=f.TAN_DONG,
        village_id=household.village_id,
        full_name=name,
        folded_name=folded,
        given_key=given_name_key(folded),
        date_of_birth=born,
        sex=kw.pop("sex", "female"),
        relationship="head",
        **kw,
    )


def test_create_all_writes_what_bulk_create_writes() -> None:
    v = f.village()
    ours = [_household(v, f"A-{i}", address=AWKWARD, phone="0912345678") for i in range(3)]
    django = [_household(v, f"B-{i}", address=AWKWARD, phone="0912345678") for i in range(3)]
    created = bulk.create_all(Household, ours)
    Household.objects.bulk_create(django)

    assert created == ours
    assert all(h.pk is not None and not h._state.adding for h in ours)
    assert len({h.pk for h in ours + django}) == 6
    leave = {"code", "created_at", "updated_at"}
    mine = _values(Household, [h.pk for h in ours], leave=leave)
    assert mine == _values(Household, [h.pk for h in django], leave=leave)
    assert mine[0]["address"] == AWKWARD
    stored = Household.objects.get(pk=ours[0].pk)
    assert stored.address == AWKWARD
    assert stored.created_at is not None
    assert stored.created_at == ours[0].created_at
    assert stored.updated_at == ours[0].updated_at


def test_create_all_sets_ids_children_can_use() -> None:
    v = f.village()
    households = bulk.create_all(Household, [_household(v, "C-1"), _household(v, "C-2")])
    people = [_person(h, "Nguyễn Văn Xương", dt.date(1975, 3, 2), sex="male") for h in households]
    bulk.create_all(Person, people)
    got = Person.objects.filter(household__in=households).order_by("pk")
    assert [(p.pk, p.household_id, p.date_of_birth) for p in got] == [
        (p.pk, h.pk, dt.date(1975, 3, 2)) for p, h in zip(people, households, strict=True)
    ]


def test_a_broken_constraint_writes_nothing() -> None:
    v = f.village()
    bulk.create_all(Household, [_household(v, "D-1")])
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.create_all(Household, [_household(v, "D-2"), _household(v, "D-1")])
    assert list(Household.objects.filter(code__startswith="D-").values_list("code", flat=True)) == [
        "D-1"
    ]


def test_a_megabyte_of_text_survives() -> None:
    v = f.village()
    big = ("Đ\t\\" * 350_000)[:1_000_000]
    (h,) = bulk.create_all(Household, [_household(v, "E-1", notes=big)])
    assert Household.objects.get(pk=h.pk).notes == big


def test_nothing_to_create() -> None:
    assert bulk.create_all(Household, []) == []


def test_only_fields_that_need_no_preparation_are_sent_as_they_are() -> None:
    class Custom(models.CharField):  # type: ignore[type-arg]
        def get_prep_value(self, value: Any) -> Any:
            return str(value).upper()

    assert bulk._plain(models.CharField(max_length=3))
    assert bulk._plain(SearchKeyField(max_length=3))
    assert bulk._plain(models.DateField())
    assert not bulk._plain(models.DateField(auto_now=True))
    assert not bulk._plain(models.DateTimeField())
    assert not bulk._plain(models.JSONField())
    assert not bulk._plain(models.DecimalField(max_digits=5, decimal_places=2))
    assert not bulk._plain(Custom(max_length=3))


def test_audit_entries_of_many_records_read_like_one_record() -> None:
    v = f.village()
    households = bulk.create_all(Household, [_household(v, "F-1", address=AWKWARD)])
    written = audit.created_many(
        f.system(),
        households,
        ["code", "address"],
        commune_code=f.TAN_DONG,
        household_id=lambda h: h.pk,
        note="Nhập từ =tệp.xlsx",
    )
    assert written == 1
    entry = AuditEntry.objects.get(object_id=households[0].pk, model_label="registry.household")
    assert entry.changes == {"code": [None, "F-1"], "address": [None, AWKWARD]}
    assert entry.note == "Nhập từ =tệp.xlsx"
    assert entry.household_id == households[0].pk
    assert entry.commune_code == f.TAN_DONG
    assert entry.action == "create"


def test_many_rows_in_a_few_statements(django_assert_max_num_queries: Any) -> None:
    v = f.village()
    objects = [_household(v, f"G-{i}") for i in range(2000)]
    # PostgreSQL: the ids, then one COPY; SQLite: the highest id, the last given, one
    # executemany (Django's bulk_create would need some 40 statements)
    with django_assert_max_num_queries(3):
        bulk.create_all(Household, objects)
    assert Household.objects.filter(code__startswith="G-").count() == 2000
    assert sorted(h.pk for h in objects) == sorted(
        Household.objects.filter(code__startswith="G-").values_list("pk", flat=True)
    )


def test_an_id_is_never_given_twice() -> None:
    """The id of a deleted record is not given again: audit entries name records by id."""
    v = f.village()
    first, last = bulk.create_all(Household, [_household(v, "J-1"), _household(v, "J-2")])
    Household.objects.filter(pk=last.pk).delete()
    (again,) = bulk.create_all(Household, [_household(v, "J-3")])
    assert again.pk > last.pk > first.pk


def test_audit_entries_of_many_records_match_the_entry_of_one() -> None:
    v = f.village()
    (household,) = bulk.create_all(Household, [_household(v, "H-1")])
    people = bulk.create_all(
        Person, [_person(household, "Lê Thị Bé", dt.date(2001, 1, 31), phone="+84912345678")]
    )
    fields = ["full_name", "date_of_birth", "sex", "cccd", "phone", "household", "status_date"]
    one = audit.created(f.system(), people[0], fields, commune_code=f.TAN_DONG)
    audit.created_many(f.system(), people, fields, commune_code=f.TAN_DONG)
    assert one is not None
    many = AuditEntry.objects.filter(object_id=people[0].pk).exclude(pk=one.pk).get()
    assert many.changes == one.changes
    assert many.changes["date_of_birth"] == [None, "2001-01-31"]
    assert "status_date" not in many.changes  # None before and after: no change
