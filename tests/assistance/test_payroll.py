"""Payroll: generation, idempotence (twice; concurrently on PostgreSQL), arrears,
adjustments, maker-checker, locking, carried failures, closing."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, connections, transaction

from ansinh.accounts.scopes import scope_for
from ansinh.assistance import payroll as pr
from ansinh.assistance import services
from ansinh.assistance.choices import LineKind, LineStatus, PayrollStatus
from ansinh.assistance.models import GuardItem, Payroll, PayrollLine
from tests import factories as f
from tests.assistance.conftest import decide

pytestmark = pytest.mark.django_db
D = dt.date
C = f.TAN_DONG
NOV = D(2026, 11, 1)


def _kinds(payroll):
    return sorted((line.case_id, line.kind, line.month) for line in payroll.lines.all())


def test_generate_one_line_per_case_and_twice_changes_nothing(cases, officer):
    payroll = pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=D(2026, 11, 20))
    assert payroll.month == NOV
    assert payroll.lines.count() == 3
    assert pr.payroll_total(payroll) == 750_000 + 500_000 + 1_250_000
    before = _kinds(payroll)
    again = pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=NOV)
    assert again.pk == payroll.pk
    assert _kinds(again) == before


def test_constraint_refuses_a_second_line(cases, officer):
    payroll = pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=NOV)
    line = payroll.lines.get(case__person__full_name="Lê Minh Bé")
    with pytest.raises(IntegrityError), transaction.atomic():
        PayrollLine.objects.create(
            payroll=payroll,
            case=line.case,
            month=line.month,
            kind=LineKind.ARREARS,
            amount=1,
            method="cash",
            reference="other",
        )


@pytest.mark.parametrize(
    ("kind", "month", "refused"),
    [
        (LineKind.REGULAR, NOV, True),  # the same kind twice
        (LineKind.ARREARS, NOV, True),  # the month's entitlement again, as arrears
        (LineKind.ADJUSTMENT, NOV, False),
        (LineKind.CARRIED, NOV, False),
        (LineKind.SHORTFALL, NOV, False),
        (LineKind.ARREARS, D(2026, 10, 1), False),  # another month
    ],
)
def test_a_line_once_per_kind_and_month_regular_and_arrears_as_one(
    cases, officer, kind, month, refused
):
    """payroll_line_once (migration 0011) says what its two predecessors said together."""
    payroll = pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=NOV)
    line = payroll.lines.get(case__person__full_name="Lê Minh Bé")
    assert line.kind == LineKind.REGULAR

    def add(kind: str, reference: str) -> None:
        with transaction.atomic():
            PayrollLine.objects.create(
                payroll=payroll,
                case=line.case,
                month=month,
                kind=kind,
                amount=1,
                method="cash",
                reference=reference,
            )

    if refused:
        with pytest.raises(IntegrityError):
            add(kind, "other")
        return
    add(kind, "other")
    with pytest.raises(IntegrityError):  # and that kind only once
        add(kind, "another")
    with pytest.raises(IntegrityError):  # a reference is never given twice
        add(LineKind.ADJUSTMENT if kind != LineKind.ADJUSTMENT else LineKind.CARRIED, "other")


def test_arrears_for_a_backdated_decision_and_a_late_one(people, officer):
    first = pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=D(2026, 9, 1))
    assert first.lines.count() == 0
    decide(
        officer,
        people["disabled"],
        signed=D(2026, 11, 10),
        effective=D(2026, 9, 1),
        reason="Hồ sơ đủ từ tháng 9",
    )
    late = decide(officer, people["elderly"], ["elderly_80_no_pension"], signed=D(2026, 10, 28))
    payroll = pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=NOV)
    lines = {
        (line.case.person.full_name, line.kind, line.month): line.amount
        for line in payroll.lines.select_related("case__person")
    }
    assert lines == {
        ("Trần Văn Hùng", "regular", NOV): 750_000,
        ("Trần Văn Hùng", "arrears", D(2026, 9, 1)): 750_000,
        ("Trần Văn Hùng", "arrears", D(2026, 10, 1)): 750_000,
        ("Phạm Thị Lan", "regular", NOV): 500_000,
        ("Phạm Thị Lan", "arrears", D(2026, 10, 1)): 500_000,
    }
    assert late.effective_month == D(2026, 10, 1)
    # December: nothing owed for earlier months any more
    dec = pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=D(2026, 12, 1))
    assert {line.kind for line in dec.lines.all()} == {"regular"}


def test_adjustment_is_a_separate_line(cases, officer):
    pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=D(2026, 10, 1))
    services.case_adjust(
        scope=scope_for(officer),
        case=cases["disabled"],
        from_month=D(2026, 10, 1),
        groups=["disability_extreme"],
    )
    nov = pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=NOV)
    mine = {
        (line.kind, line.month): line.amount for line in nov.lines.filter(case=cases["disabled"])
    }
    assert mine == {("regular", NOV): 1_000_000, ("adjustment", D(2026, 10, 1)): 250_000}


def _approve_cycle(officer, committee, month=NOV):
    payroll = pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=month)
    pr.payroll_prepare(scope=scope_for(officer), payroll=payroll)
    return pr.payroll_approve(scope=scope_for(committee), payroll=payroll)


def test_maker_checker_and_lock(cases, officer, committee, auditor, head_td):
    payroll = pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=NOV)
    with pytest.raises(ValidationError, match="Chỉ duyệt được danh sách chi trả đã trình"):
        pr.payroll_approve(scope=scope_for(committee), payroll=payroll)  # not prepared yet
    for user in (committee, auditor, head_td):
        with pytest.raises(PermissionDenied, match="Chỉ công chức Văn hóa – Xã hội"):
            pr.payroll_prepare(scope=scope_for(user), payroll=payroll)
    pr.payroll_prepare(scope=scope_for(officer), payroll=payroll)
    for user in (officer, auditor, head_td):
        with pytest.raises(PermissionDenied, match="Chỉ thành viên Ban Chỉ đạo"):
            pr.payroll_approve(scope=scope_for(user), payroll=payroll)
    payroll = pr.payroll_approve(scope=scope_for(committee), payroll=payroll)
    assert payroll.status == PayrollStatus.APPROVED
    assert payroll.approved_by == committee
    with pytest.raises(ValidationError, match="đã được duyệt: không thể thay đổi"):
        pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=NOV)


def test_preparer_cannot_approve_even_as_committee(cases, officer, committee):
    payroll = pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=NOV)
    Payroll.objects.filter(pk=payroll.pk).update(status="prepared", prepared_by=committee)
    with pytest.raises(PermissionDenied, match="Người lập danh sách chi trả không được tự duyệt"):
        pr.payroll_approve(scope=scope_for(committee), payroll=payroll)


def test_blocking_items_prevent_approval(cases, officer, committee, people):
    services.case_payment_set(scope=scope_for(officer), case=cases["disabled"], method="cash")
    services.case_payment_set(
        scope=scope_for(officer),
        case=cases["orphan"],
        method="bank",
        bank="agribank",
        account_number=cases["elderly"].bank_account_number,
        account_holder="LE VAN TU",
    )
    payroll = pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=NOV)
    items = GuardItem.objects.filter(month=NOV, resolved_at__isnull=True)
    assert items.count() == 2
    with pytest.raises(ValidationError, match="2 kiểm tra chặn chưa được xử lý"):
        pr.payroll_prepare(scope=scope_for(officer), payroll=payroll)
    assert Payroll.objects.get(pk=payroll.pk).status == PayrollStatus.DRAFT
    for item in items:
        pr.guard_resolve(
            scope=scope_for(officer), item=item, action="confirmed", note="Cháu ở với ông bà"
        )
    pr.payroll_prepare(scope=scope_for(officer), payroll=payroll)
    assert pr.payroll_approve(scope=scope_for(committee), payroll=payroll).status == "approved"


def test_failed_payment_carried_and_close(cases, officer, committee):
    payroll = _approve_cycle(officer, committee)
    lines = list(payroll.lines.order_by("id"))
    with pytest.raises(ValidationError, match="khoản chưa chi trả và chưa có giải trình"):
        pr.payroll_close(scope=scope_for(officer), payroll=payroll)
    PayrollLine.objects.filter(pk=lines[0].pk).update(status=LineStatus.FAILED)
    PayrollLine.objects.filter(pk__in=[x.pk for x in lines[1:]]).update(status=LineStatus.PAID)
    with pytest.raises(ValidationError, match="Còn 1 khoản chưa chi trả"):
        pr.payroll_close(scope=scope_for(officer), payroll=payroll)
    line = PayrollLine.objects.get(pk=lines[0].pk)
    with pytest.raises(ValidationError, match="Vui lòng nhập ghi chú"):
        pr.line_failed_resolve(scope=scope_for(officer), line=line, action="carried", note="")
    pr.line_failed_resolve(
        scope=scope_for(officer), line=line, action="carried", note="Tài khoản bị khóa"
    )
    assert (
        pr.payroll_close(scope=scope_for(officer), payroll=payroll).status == PayrollStatus.CLOSED
    )
    dec = pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=D(2026, 12, 1))
    carried = dec.lines.get(kind=LineKind.CARRIED)
    assert (carried.case_id, carried.month, carried.amount) == (line.case_id, NOV, line.amount)


def test_cash_confirmed_from_the_signed_list(cases, officer, committee):
    payroll = _approve_cycle(officer, committee)
    cash = payroll.lines.get(method="cash")
    assert (
        pr.cash_paid_confirm(scope=scope_for(officer), payroll=payroll, references=[cash.reference])
        == 1
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_generation_adds_no_duplicate(tan_dong, dong_hiep, officer):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL")
    from tests.assistance.conftest import bank

    for i in range(30):
        letters = f"{chr(65 + i // 26)}{chr(65 + i % 26)}"  # a name has no digits
        hh = f.household(
            tan_dong,
            f.person(f"Người {letters}", D(1950, 1, 1 + i % 28), "male", "head", **bank(letters)),
            actor=officer,
        )
        decide(officer, hh.members.get(), signed=D(2026, 9, 10))
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def run():
        try:
            barrier.wait()
            pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=NOV)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert Payroll.objects.count() == 1
    assert PayrollLine.objects.count() == 30


def test_stopped_case_is_paid_until_the_month_of_the_event(cases, officer):
    services.case_stop(
        scope=scope_for(officer), case=cases["elderly"], reason="death", event_date=D(2026, 11, 5)
    )
    nov = pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=NOV)
    assert nov.lines.filter(case=cases["elderly"], month=NOV).exists()
    assert not GuardItem.objects.filter(case=cases["elderly"]).exists()
    dec = pr.payroll_generate(scope=scope_for(officer), commune_code=C, month=D(2026, 12, 1))
    assert not dec.lines.filter(case=cases["elderly"]).exists()


def test_the_regular_lines_are_the_cases_the_guard_checks_less_the_held_ones(
    cases, people, officer
):
    """One definition of who is payable (``guard.payable_cases``): the set-based insert of the
    regular lines and the guard's frame must give the same cases, whatever the status, start
    and end of a case; only the payments the officer held or stopped have no line."""
    from ansinh.assistance.choices import CaseStatus
    from ansinh.assistance.guard import load_frame
    from ansinh.assistance.models import Case

    oct_, dec = D(2026, 10, 1), D(2026, 12, 1)
    months = [None, oct_, NOV, dec]
    template = Case.objects.get(pk=cases["disabled"].pk)
    Case.objects.filter(pk=cases["elderly"].pk).update(end_month=dec)  # active, ends later
    # every closed status (no limit per person) at every start and end
    rows = [
        (template.person, status, effective, end, "social_assistance")
        for status in CaseStatus.values
        if status not in (CaseStatus.ACTIVE, CaseStatus.SUSPENDED)
        for effective in months
        for end in months
    ]
    # open ones: one per person and scheme, the three people's free social-pension slots
    open_cases = [
        (CaseStatus.ACTIVE, oct_, NOV),  # ends this month
        (CaseStatus.ACTIVE, dec, None),  # starts next month
        (CaseStatus.SUSPENDED, oct_, None),
    ]
    for (status, effective, end), person in zip(open_cases, people.values(), strict=True):
        rows.append((person, status, effective, end, "social_pension"))
    created = Case.objects.bulk_create(
        Case(
            person=person,
            household=person.household,
            commune_id=person.commune_id,
            village_id=person.village_id,
            scheme=scheme,
            groups=template.groups,
            status=status,
            applied_on=template.applied_on,
            decision_number="1/QĐ",
            effective_month=effective,
            end_month=end,
            amount=template.amount,
            payment_method=template.payment_method,
            bank=template.bank,
            bank_account_number=template.bank_account_number,
        )
        for person, status, effective, end, scheme in rows
    )
    everything = Case.objects.filter(commune_id=C)
    assert everything.count() > 60

    def payable(c: Case) -> bool:  # the definition, said once more for the test
        started = c.effective_month is not None and c.effective_month <= NOV
        not_ended = c.end_month is None or c.end_month > NOV
        ending_later = (
            c.status in (CaseStatus.STOPPED, CaseStatus.TRANSFERRED)
            and c.end_month is not None
            and c.end_month > NOV
        )
        return started and not_ended and (c.status == CaseStatus.ACTIVE or ending_later)

    expected = {c.pk for c in everything if payable(c)}
    assert len(expected) >= 5
    held = sorted(expected)[:2]
    for case_id, action in zip(held, ("held", "stopped"), strict=True):
        GuardItem.objects.create(
            case_id=case_id, commune_id=C, month=NOV, rule="bank_account", action=action
        )
    payroll = Payroll.objects.create(commune_id=C, month=NOV)
    inserted = pr.insert_regular_lines(payroll)
    lines = set(payroll.lines.filter(kind="regular").values_list("case_id", flat=True))
    checked = set(load_frame(C, NOV)["id"])
    assert inserted == len(expected) - 2
    assert checked == expected
    assert lines == checked - set(held)
    assert pr.insert_regular_lines(payroll) == 0  # again: the lines that exist are skipped
    assert created  # the matrix was made
    line = payroll.lines.get(case_id=max(lines))
    assert line.reference == f"TC{C}-{line.case_id}-R2611"
    assert (line.status, line.month, line.kind, line.note, line.recovery) == (
        "pending",
        NOV,
        "regular",
        "",
        "",
    )
