"""The coordination services: what they write, what they refuse (with the message), what
they measure, and that a form sent twice is one item or one comment."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ansinh.accounts.scopes import scope_for
from ansinh.coordination import services
from ansinh.coordination.models import Comment, Item, Mention
from ansinh.core.models import AuditEntry
from tests import factories as f
from tests.coordination.conftest import hours_ago, phone_photo, report

pytestmark = pytest.mark.django_db


def test_a_village_head_reports_a_problem_of_a_household_of_their_village(head_td, tan_dong, hh_td):
    item = report(head_td, tan_dong, household=hh_td, body="Bà sống một mình.")
    assert (item.kind, item.status, item.village, item.household) == (
        "problem",
        "new",
        tan_dong,
        hh_td,
    )
    assert item.reported_by == head_td
    entry = AuditEntry.objects.get(model_label="coordination.item", object_id=item.pk)
    assert entry.actor == head_td
    assert entry.household_id == hh_td.pk
    assert entry.changes["title"] == [None, "Mái nhà bị tốc sau mưa giông"]


def test_the_household_must_be_of_the_item_village(officer, tan_dong, hh_dh):
    with pytest.raises(ValidationError, match=r"is not in the chosen village|không ở ấp"):
        report(officer, tan_dong, household=hh_dh)
    assert not Item.objects.exists()


def test_a_village_head_cannot_link_a_household_of_another_village(head_td, tan_dong, hh_dh):
    with pytest.raises(PermissionDenied, match=r"cannot link|không thể gắn"):
        report(head_td, tan_dong, household=hh_dh)


def test_a_problem_needs_a_village_an_announcement_has_none(officer, tan_dong):
    with pytest.raises(ValidationError, match=r"Choose the village|Chọn ấp"):
        report(officer, None)
    with pytest.raises(ValidationError, match=r"whole commune|toàn xã"):
        report(officer, tan_dong, kind="announcement")
    item = report(officer, None, kind="announcement", title="Họp giao ban thứ Hai")
    assert (item.village, item.audience) == (None, "everyone")


def test_bad_input_is_refused_with_a_message_and_nothing_written(officer, tan_dong):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    with pytest.raises(ValidationError, match=r"\w") as refused:
        report(
            officer,
            tan_dong,
            title="   ",
            body="x" * 4001,
            topic="weather",
            priority=9,
            due_date=yesterday,
        )
    errors = refused.value.message_dict
    assert set(errors) == {"title", "body", "topic", "priority", "due_date"}
    with pytest.raises(ValidationError, match=r"Choose what kind|Chọn loại"):
        report(officer, tan_dong, kind="rumour")
    assert not Item.objects.exists()
    assert not AuditEntry.objects.filter(model_label="coordination.item").exists()


def test_the_same_form_sent_twice_is_one_item(head_td, tan_dong):
    first = report(head_td, tan_dong, key="k-123456")
    again = report(head_td, tan_dong, key="k-123456")
    assert again.pk == first.pk
    assert Item.objects.count() == 1
    other = report(head_td, tan_dong, key="k-999999")
    assert other.pk != first.pk


def test_the_workflow_to_the_end_and_back(officer, head_td, tan_dong):
    item = report(head_td, tan_dong)
    scope = scope_for(officer)
    for action in ("acknowledge", "start"):
        item = services.item_transition(scope=scope, item=item, action=action)
    assert item.status == "in_progress"
    item = services.item_transition(
        scope=scope, item=item, action="finish", note="Đã hỗ trợ 3.000.000 đồng sửa mái."
    )
    assert (item.status, item.outcome) == ("done", "Đã hỗ trợ 3.000.000 đồng sửa mái.")
    assert item.resolved_at is not None
    item = services.item_transition(scope=scope_for(head_td), item=item, action="close")
    assert item.status == "closed"
    assert item.closed_at is not None
    item = services.item_transition(
        scope=scope_for(head_td), item=item, action="reopen", note="Mái lại dột."
    )
    assert (item.status, item.resolved_at, item.closed_at, item.reopened, item.outcome) == (
        "in_progress",
        None,
        None,
        1,
        "",
    )
    events = list(item.comments.filter(kind="status").values_list("status_to", "text"))
    assert events[-1] == ("in_progress", "Mái lại dột.")
    assert len(events) == 5
    changes = AuditEntry.objects.filter(model_label="coordination.item", action="update")
    assert changes.count() == 5


def test_an_invalid_transition_says_why(officer, tan_dong):
    item = report(officer, tan_dong)
    scope = scope_for(officer)
    item = services.item_transition(scope=scope, item=item, action="finish", note="Đã xong.")
    with pytest.raises(ValidationError, match=r"cannot be moved|không thể"):
        services.item_transition(scope=scope, item=item, action="acknowledge")
    with pytest.raises(ValidationError, match=r"Unknown action|Thao tác không hợp lệ"):
        services.item_transition(scope=scope, item=item, action="explode")
    item.refresh_from_db()
    assert item.status == "done"


def test_finishing_needs_the_outcome_closing_unfinished_needs_a_reason(officer, tan_dong):
    item = report(officer, tan_dong)
    scope = scope_for(officer)
    with pytest.raises(ValidationError, match=r"Write the outcome|Ghi kết quả"):
        services.item_transition(scope=scope, item=item, action="finish", note="  ")
    with pytest.raises(ValidationError, match=r"Write the reason|Ghi lý do"):
        services.item_transition(scope=scope, item=item, action="close")
    item = services.item_transition(scope=scope, item=item, action="close", note="Trùng việc #3.")
    assert (item.status, item.outcome) == ("closed", "Trùng việc #3.")


def test_an_announcement_is_closed_and_reopened_only(officer):
    item = report(officer, None, kind="announcement", title="Lịch chi trả")
    scope = scope_for(officer)
    with pytest.raises(ValidationError, match=r"cannot be moved|không thể"):
        services.item_transition(scope=scope, item=item, action="acknowledge")
    item = services.item_transition(scope=scope, item=item, action="close")
    item = services.item_transition(scope=scope, item=item, action="reopen")
    assert item.status == "new"


def test_the_first_response_is_someone_elses(officer, head_td, tan_dong):
    item = report(head_td, tan_dong, at=hours_ago(5))
    services.comment_add(scope=scope_for(head_td), item=item, text="Thêm: nhà có 2 cháu nhỏ.")
    item.refresh_from_db()
    assert item.first_response_at is None
    services.comment_add(
        scope=scope_for(officer), item=item, text="Đã nhận, chiều nay xuống.", at=hours_ago(3)
    )
    item.refresh_from_db()
    assert item.first_response_at == pytest.approx(hours_ago(3), abs=dt.timedelta(seconds=5))
    services.item_transition(scope=scope_for(officer), item=item, action="acknowledge")
    item.refresh_from_db()
    assert item.first_response_at == pytest.approx(hours_ago(3), abs=dt.timedelta(seconds=5))


def test_assigning_oneself_is_no_response_but_acting_as_assignee_is(officer, tan_dong):
    item = report(officer, tan_dong, kind="task", at=hours_ago(4))
    services.item_assign(scope=scope_for(officer), item=item, users=[officer], at=hours_ago(3))
    item.refresh_from_db()
    assert item.first_response_at is None
    services.item_transition(
        scope=scope_for(officer), item=item, action="acknowledge", at=hours_ago(1)
    )
    item.refresh_from_db()
    assert item.first_response_at is not None


def test_a_comment_sent_twice_is_one_comment(officer, tan_dong):
    item = report(officer, tan_dong)
    scope = scope_for(officer)
    first = services.comment_add(scope=scope, item=item, text="Đã gọi điện.", key="form-1")
    again = services.comment_add(scope=scope, item=item, text="Đã gọi điện.", key="form-1")
    assert again.pk == first.pk
    # the same text a moment later without the key (a browser that sent the form again)
    repeat = services.comment_add(scope=scope, item=item, text="Đã gọi điện.")
    assert repeat.pk == first.pk
    later = services.comment_add(
        scope=scope, item=item, text="Đã gọi điện.", at=timezone.now() + dt.timedelta(minutes=5)
    )
    assert later.pk != first.pk
    item.refresh_from_db()
    assert item.comment_count == 2
    assert Comment.objects.filter(item=item, kind="comment").count() == 2


def test_an_empty_comment_and_a_comment_on_a_closed_item_are_refused(officer, tan_dong):
    item = report(officer, tan_dong)
    scope = scope_for(officer)
    with pytest.raises(ValidationError, match=r"Write a comment|Viết nội dung"):
        services.comment_add(scope=scope, item=item, text="   ")
    services.item_transition(scope=scope, item=item, action="close", note="Trùng.")
    with pytest.raises(ValidationError, match=r"is closed|đã đóng"):
        services.comment_add(scope=scope, item=item, text="Còn nữa.")


def test_mentions_are_users_of_the_commune_who_see_the_item(
    officer, committee, head_td, head_dh, officer_b, tan_dong
):
    item = report(head_td, tan_dong)
    comment = services.comment_add(
        scope=scope_for(head_td),
        item=item,
        text="Nhờ @canbo và @PhoChuTich. xem; @truongap2, @canbo_b, @khongco (email a@canbo.vn).",
    )
    assert set(Mention.objects.values_list("user__username", flat=True)) == {"canbo", "phochutich"}
    assert comment.unresolved_mentions == ["truongap2", "canbo_b", "khongco"]


def test_assign_only_who_may_work_on_the_item(officer, head_td, head_dh, auditor, tan_dong):
    item = report(head_td, tan_dong)
    scope = scope_for(officer)
    item = services.item_assign(scope=scope, item=item, users=[officer, head_td])
    assert set(item.assignments.values_list("user__username", flat=True)) == {"canbo", "truongap1"}
    assert item.first_response_at is not None
    for stranger in (head_dh, auditor):
        with pytest.raises(ValidationError, match=r"cannot be assigned|không thể được giao"):
            services.item_assign(scope=scope, item=item, users=[stranger])
    item = services.item_assign(scope=scope, item=item, users=[head_td])
    assert list(item.assignments.values_list("user__username", flat=True)) == ["truongap1"]
    assert item.comments.filter(kind="assign").count() == 2
    assert AuditEntry.objects.filter(changes__has_key="assignees").count() == 2


def test_assigning_another_commune_s_user_is_refused(officer, officer_b, tan_dong):
    item = report(officer, tan_dong)
    with pytest.raises(ValidationError, match=r"cannot be assigned|không thể được giao"):
        services.item_assign(scope=scope_for(officer), item=item, users=[officer_b])


def test_the_triage_is_audited(officer, head_td, tan_dong, hh_td):
    item = report(head_td, tan_dong)
    due = timezone.localdate() + dt.timedelta(days=7)
    item = services.item_update(
        scope=scope_for(officer),
        item=item,
        title="Mái nhà bà Tư bị tốc",
        body="",
        topic="housing",
        priority=4,
        due_date=due,
        household=hh_td,
    )
    assert (item.priority, item.due_date, item.household) == (4, due, hh_td)
    entry = AuditEntry.objects.filter(model_label="coordination.item", action="update").get()
    assert entry.changes["priority"] == [2, 4]


def test_seen_is_remembered_for_who_works_not_for_auditors(officer, auditor, tan_dong):
    from ansinh.coordination.models import ItemRead

    item = report(officer, tan_dong)
    services.item_seen(scope=scope_for(officer), item=item)
    services.item_seen(scope=scope_for(auditor), item=item)
    assert list(ItemRead.objects.values_list("user__username", flat=True)) == ["canbo"]


def test_system_jobs_act_as_the_system(tan_dong):
    item = services.item_report(
        scope=f.system(),
        kind="task",
        topic="bhyt",
        title="Nhắc gia hạn BHYT",
        village=tan_dong,
    )
    entry = AuditEntry.objects.get(model_label="coordination.item", object_id=item.pk)
    assert (entry.actor, entry.system) == (None, "tests")


def test_the_same_form_at_the_same_moment_is_still_one_item_and_no_stray_file(
    head_td, tan_dong, monkeypatch, settings
):
    """Two requests of one form both pass the first look-up (a race): the database's unique
    key stops the second, which answers with the first item and removes its stored photo."""
    from pathlib import Path

    from ansinh.coordination.services import items

    first = report(head_td, tan_dong, key="same-form")
    real = items._sent_before
    calls = []

    def racing(scope, key):
        calls.append(key)
        return None if len(calls) == 1 else real(scope, key)  # the first look-up misses

    monkeypatch.setattr(items, "_sent_before", racing)
    again = report(head_td, tan_dong, key="same-form", photos=[phone_photo((60, 40))])
    assert again.pk == first.pk
    assert Item.objects.count() == 1
    files = [p for p in (Path(settings.VAR_DIR) / "coordination").rglob("*") if p.is_file()]
    assert files == []


def test_the_same_comment_form_at_the_same_moment_is_one_comment(officer, tan_dong, monkeypatch):
    from ansinh.coordination.services import thread

    item = report(officer, tan_dong)
    scope = scope_for(officer)
    first = services.comment_add(scope=scope, item=item, text="Đã nhận.", key="comment-form")
    monkeypatch.setattr(thread, "_repeated", lambda *args: None)  # both pass the look-up
    again = services.comment_add(scope=scope, item=item, text="Đã nhận.", key="comment-form")
    assert again.pk == first.pk
    assert Comment.objects.filter(kind="comment").count() == 1
