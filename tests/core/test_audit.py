"""The audit log: who changed what, before and after; sensitive numbers masked when shown."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from ansinh.accounts.scopes import scope_for
from ansinh.core import audit
from ansinh.core.audit_display import ChangeLine, entries_display
from ansinh.core.models import AuditAction, AuditEntry
from ansinh.registry import selectors, services
from ansinh.registry.validation import PersonData


def test_diff_keeps_only_what_changed():
    before = {"full_name": "Nguyễn Văn An", "phone": "", "cccd": "072080000001"}
    after = {"full_name": "Nguyễn Văn An", "phone": "+84912345678", "notes": "mới"}
    assert audit.diff(before, after) == {
        "phone": ["", "+84912345678"],
        "cccd": ["072080000001", None],
        "notes": [None, "mới"],
    }
    assert audit.diff(before, dict(before)) == {}


@pytest.mark.django_db
def test_snapshot_is_json_ready(hh_td):
    head = hh_td.members.get(relationship="head")
    values = audit.snapshot(head, ["household", "date_of_birth", "full_name"])
    assert values == {
        "household": hh_td.pk,
        "date_of_birth": "1980-05-17",
        "full_name": "Nguyễn Văn An",
    }


@pytest.mark.django_db
def test_update_that_changes_nothing_writes_nothing(officer, hh_td):
    entries = AuditEntry.objects.count()
    same = {"address": "Tổ 1"}
    assert (
        audit.record(
            actor=scope_for(officer),
            instance=hh_td,
            action=AuditAction.UPDATE,
            before=same,
            after=same,
        )
        is None
    )
    assert AuditEntry.objects.count() == entries


@pytest.mark.django_db
def test_saving_a_person_unchanged_leaves_no_entry(officer, hh_td):
    head = hh_td.members.get(relationship="head")
    entries = AuditEntry.objects.count()
    services.person_update(
        scope=scope_for(officer),
        person=head,
        data=PersonData(
            full_name=head.full_name,
            date_of_birth=head.date_of_birth,
            sex=head.sex,
            relationship=head.relationship,
            ethnicity=head.ethnicity,
            cccd=head.cccd or "",
        ),
    )
    services.household_update(scope=scope_for(officer), household=hh_td, address=hh_td.address)
    assert AuditEntry.objects.count() == entries


@pytest.mark.django_db
def test_entry_records_who_what_and_scope(officer, hh_td):
    entry = audit.record(
        actor=scope_for(officer),
        instance=hh_td,
        action=AuditAction.UPDATE,
        before={"address": ""},
        after={"address": "Tổ 2"},
        note="sửa địa chỉ",
        commune_code=hh_td.commune_id,
        household_id=hh_td.pk,
    )
    entry.refresh_from_db()
    assert (entry.actor, entry.model_label, entry.object_id) == (
        officer,
        "registry.household",
        hh_td.pk,
    )
    assert entry.object_repr == "TD-0001"
    assert entry.changes == {"address": ["", "Tổ 2"]}
    assert entry.note == "sửa địa chỉ"
    assert abs((timezone.now() - entry.at).total_seconds()) < 60  # stamped when written
    assert entry in selectors.household_history(hh_td)


@pytest.mark.django_db
def test_household_history_includes_its_members(officer, hh_td):
    history = selectors.household_history(hh_td)
    labels = sorted(history.values_list("model_label", flat=True))
    assert labels == ["registry.household"] + ["registry.person"] * 3


def _entry(changes: dict, label: str = "registry.person") -> AuditEntry:
    return AuditEntry(
        action=AuditAction.UPDATE,
        changes=changes,
        model_label=label,
        object_id=1,
        at=timezone.now(),
    )


def _shown(entry: AuditEntry) -> dict[str, ChangeLine]:
    with translation.override("en"):
        return {c.label: c for c in entries_display([entry], commune_code=None)[0].changes}


def test_display_masks_cccd_phone_and_bank_number():
    shown = _shown(
        _entry(
            {
                "cccd": [None, "072080000123"],
                "phone": ["", "+84912345678"],
                "bank_account_number": ["7100205123456", "7100205999999"],
                "full_name": ["Nguyễn Văn An", "Nguyễn Văn Ân"],
            }
        )
    )
    assert (shown["Personal ID (CCCD)"].before, shown["Personal ID (CCCD)"].after) == (
        "—",
        "•••••••••123",
    )
    assert (shown["Phone"].before, shown["Phone"].after) == ("—", "•••••••678")
    assert shown["Account number"].after == "••••••••••999"
    assert (shown["Full name"].before, shown["Full name"].after) == (
        "Nguyễn Văn An",
        "Nguyễn Văn Ân",
    )
    household = _shown(_entry({"phone": ["+84987654321", "+84912000567"]}, "registry.household"))
    [phone] = household.values()
    assert (phone.before, phone.after) == ("•••••••321", "•••••••567")


def test_display_of_a_creation_and_of_an_event():
    created = _entry({"date_of_birth": [None, "1980-05-17"], "phone": [None, ""]})
    created.action = AuditAction.CREATE
    # a creation shows what was filled in, without "before"; an empty field is left out
    assert [(c.label, c.after, c.shows_before) for c in _shown(created).values()] == [
        ("Date of birth", "17/05/1980", False)
    ]
    # event entries store plain values, not pairs
    event = _entry({"event": "death", "date": "2026-01-01"}, "registry.household")
    event.action = AuditAction.EVENT
    assert [(c.label, c.after) for c in _shown(event).values()] == [
        ("Event", "Death"),
        ("Date", "01/01/2026"),
    ]


@pytest.mark.django_db
def test_stored_values_are_complete_only_the_display_is_masked(officer, tan_dong):
    """The log keeps real values (so a mistake can be undone); pages show masked ones."""
    from tests import factories as f

    household = f.household(
        tan_dong, f.person("Nguyễn Thị Tím", dt.date(1990, 4, 2), "female", "head"), actor=officer
    )
    tim = household.members.get()
    entry = AuditEntry.objects.get(model_label="registry.person", object_id=tim.pk)
    assert entry.changes["cccd"] == [None, tim.cccd]
    assert _shown(entry)["Personal ID (CCCD)"].after == "•••••••••" + tim.cccd[-3:]


def test_tracked_records_what_changed_and_nothing_when_nothing_did(officer, hh_td):
    from ansinh.accounts.scopes import scope_for
    from ansinh.core import audit
    from ansinh.core.models import AuditEntry

    scope = scope_for(officer)
    count = AuditEntry.objects.count()
    with audit.tracked(scope, hh_td, ["address", "notes"], commune_code=hh_td.commune_id):
        hh_td.address = "Tổ 9, Ấp Tân Đông"
        hh_td.save()
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry is not None
    assert entry.changes == {"address": ["", "Tổ 9, Ấp Tân Đông"]}
    assert entry.actor == officer
    with audit.tracked(scope, hh_td, ["address"], commune_code=hh_td.commune_id):
        hh_td.save()  # nothing changed: nothing written
    assert AuditEntry.objects.count() == count + 1


@pytest.mark.django_db
def test_tracked_writes_nothing_when_the_block_raises(officer, hh_td):
    count = AuditEntry.objects.count()

    def change_then_refuse() -> None:
        with audit.tracked(scope_for(officer), hh_td, ["address"]):
            hh_td.address = "Tổ 5"
            hh_td.save()
            raise RuntimeError("refused")

    with pytest.raises(RuntimeError, match="refused"):
        change_then_refuse()
    assert AuditEntry.objects.count() == count


@pytest.mark.django_db
def test_tracked_takes_what_is_known_only_after_the_change(officer, hh_td):
    with audit.tracked(scope_for(officer), hh_td, ["address"], note="first") as change:
        hh_td.address = "Tổ 6"
        hh_td.save()
        change.note = "sửa sau khi đổi"
        change.commune_code = hh_td.commune_id
        change.household_id = hh_td.pk
    entry = AuditEntry.objects.get(pk=change.entry.pk)
    assert (entry.action, entry.note) == (AuditAction.UPDATE, "sửa sau khi đổi")
    assert (entry.commune_code, entry.household_id) == (hh_td.commune_id, hh_td.pk)
    with audit.tracked(scope_for(officer), hh_td, ["address"]) as unchanged:
        hh_td.save()
    assert unchanged.entry is None


@pytest.mark.django_db
def test_tracked_records_a_creation_once_the_block_saves(officer, tan_dong):
    from ansinh.places.models import Village

    fields = ["name", "kind", "code", "area_type_override"]
    count = AuditEntry.objects.count()
    new = Village(commune=tan_dong.commune, name="Ấp Mới", kind=tan_dong.kind, code="AM")
    with audit.tracked(scope_for(officer), new, fields, commune_code=tan_dong.commune_id):
        pass  # not saved: nothing to record
    assert AuditEntry.objects.count() == count
    with audit.tracked(scope_for(officer), new, fields, commune_code=tan_dong.commune_id) as c:
        new.save()
    entry = AuditEntry.objects.get(pk=c.entry.pk)
    assert (entry.action, entry.model_label, entry.object_id) == (
        AuditAction.CREATE,
        "places.village",
        new.pk,
    )
    # a creation lists the values, as pairs from nothing (None values are left out)
    assert entry.changes == {
        "name": [None, "Ấp Mới"],
        "kind": [None, tan_dong.kind],
        "code": [None, "AM"],
        "area_type_override": [None, ""],
    }
    assert entry.commune_code == tan_dong.commune_id


@pytest.mark.django_db
def test_created_records_the_values_of_a_saved_record(officer, hh_td):
    head = hh_td.members.get(relationship="head")
    entry = audit.created(
        scope_for(officer),
        head,
        ["full_name", "date_of_birth", "status_date"],
        commune_code=hh_td.commune_id,
        household_id=hh_td.pk,
        note="nhập lại",
    )
    entry.refresh_from_db()
    assert (entry.action, entry.actor, entry.object_id, entry.note) == (
        AuditAction.CREATE,
        officer,
        head.pk,
        "nhập lại",
    )
    assert head.status_date is None
    assert entry.changes == {
        "full_name": [None, "Nguyễn Văn An"],
        "date_of_birth": [None, "1980-05-17"],
    }
    assert (entry.commune_code, entry.household_id) == (hh_td.commune_id, hh_td.pk)
