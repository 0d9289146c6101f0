"""Cases: every transition, the rules engine's amount and explanation, constraints, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from ansinh.accounts.scopes import scope_for
from ansinh.assistance import services
from ansinh.assistance.choices import CaseEventKind, CaseStatus, StopReason
from ansinh.assistance.models import Case, FuneralClaim
from ansinh.core.models import AuditEntry
from ansinh.registry import services as registry
from tests.assistance.conftest import decide

pytestmark = pytest.mark.django_db
D = dt.date


def test_apply_verify_decide_uses_the_rules_engine(people, officer):
    case = services.case_apply(
        scope=scope_for(officer),
        person=people["disabled"],
        scheme="social_assistance",
        groups=["disability_severe"],
        applied_on=D(2026, 9, 1),
    )
    assert case.status == CaseStatus.APPLIED
    assert case.payment_method == "bank"
    services.case_verify(scope=scope_for(officer), case=case, verified_on=D(2026, 9, 5))
    assert case.status == CaseStatus.VERIFIED
    services.case_decide(
        scope=scope_for(officer),
        case=case,
        decision_number="12/QĐ-UBND",
        decision_date=D(2026, 9, 20),
        signer="Chủ tịch",
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.ACTIVE
    assert case.effective_month == D(2026, 9, 1)
    assert (case.coefficient, case.amount) == ("1.5", 750_000)
    assert case.explanation["amount"] == 750_000
    assert "500.000 đ × hệ số 1,5 = 750.000 đ" in case.explanation_text
    kinds = list(case.events.values_list("kind", flat=True))
    assert set(kinds) == {CaseEventKind.APPLIED, CaseEventKind.VERIFIED, CaseEventKind.DECIDED}
    assert AuditEntry.objects.filter(model_label="assistance.case", object_id=case.pk).count() == 3


def test_orphan_and_elderly_amounts(cases):
    assert cases["orphan"].amount == 1_250_000  # under 4: 2.5
    assert cases["elderly"].amount == 500_000


def test_social_pension_case(people, officer):
    case = decide(officer, people["elderly"], (), scheme="social_pension")
    assert case.amount == 500_000
    assert case.basis == "social_pension"


def test_backdating_needs_a_reason_and_never_starts_after_signature(people, officer):
    with pytest.raises(
        ValidationError, match="Vui lòng ghi lý do hưởng từ trước tháng ký quyết định"
    ):
        decide(officer, people["disabled"], effective=D(2026, 7, 1))
    case = Case.objects.get(person=people["disabled"])
    services.case_decide(
        scope=scope_for(officer),
        case=case,
        decision_number="1",
        decision_date=D(2026, 9, 2),
        signer="CT",
        effective_month=D(2026, 7, 1),
        backdate_reason="Hồ sơ trễ",
    )
    assert case.effective_month == D(2026, 7, 1)
    with pytest.raises(
        ValidationError, match="Tháng bắt đầu hưởng không được sau tháng ký quyết định"
    ):
        decide(officer, people["elderly"], ["elderly_80_no_pension"], effective=D(2026, 10, 1))


def test_not_eligible_is_refused(people, officer):
    with pytest.raises(ValidationError, match="không được hưởng Trợ cấp xã hội hằng tháng"):
        decide(officer, people["disabled"], ["elderly_80_no_pension"])


def test_one_open_case_per_person_and_scheme(cases, people, officer):
    with pytest.raises(ValidationError, match="Người này đang hưởng chế độ này"):
        decide(officer, people["disabled"])
    c = Case.objects.get(pk=cases["disabled"].pk)
    values = {f.attname: getattr(c, f.attname) for f in Case._meta.concrete_fields}
    values.pop("id")
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.create(**values)


def test_adjust_suspend_resume(cases, officer):
    case = cases["disabled"]
    services.case_adjust(
        scope=scope_for(officer),
        case=case,
        from_month=D(2026, 11, 1),
        groups=["disability_extreme"],
    )
    assert (case.amount, case.amount_from) == (1_000_000, D(2026, 11, 1))
    services.case_suspend(
        scope=scope_for(officer), case=case, on=D(2026, 11, 3), note="Đi vắng dài ngày"
    )
    assert case.status == CaseStatus.SUSPENDED
    with pytest.raises(ValidationError, match="Tạm dừng hưởng”: không thể thực hiện thao tác này"):
        services.case_suspend(scope=scope_for(officer), case=case, on=D(2026, 11, 3), note="x")
    services.case_resume(scope=scope_for(officer), case=case, on=D(2026, 12, 1))
    assert case.status == CaseStatus.ACTIVE


def test_stop_is_effective_the_month_after(cases, officer):
    case = services.case_stop(
        scope=scope_for(officer),
        case=cases["elderly"],
        reason=StopReason.DEATH,
        event_date=D(2026, 10, 31),
    )
    assert case.status == CaseStatus.STOPPED
    assert case.end_month == D(2026, 11, 1)
    with pytest.raises(ValidationError, match="Thôi hưởng”: không thể thực hiện thao tác này"):
        services.case_resume(scope=scope_for(officer), case=case, on=D(2026, 11, 1))


def test_transfer(cases, officer):
    case = services.case_transfer(
        scope=scope_for(officer),
        case=cases["orphan"],
        to="Phường Tân Ninh",
        event_date=D(2026, 12, 3),
    )
    assert case.status == CaseStatus.TRANSFERRED
    assert case.end_month == D(2027, 1, 1)


def test_only_the_officer_writes(people, committee, head_td, auditor):
    for user in (committee, head_td, auditor):
        with pytest.raises(
            PermissionDenied,
            match="Chỉ công chức Văn hóa – Xã hội của xã mới được thay đổi hồ sơ trợ cấp",
        ):
            services.case_apply(
                scope=scope_for(user),
                person=people["disabled"],
                scheme="social_assistance",
                groups=["disability_severe"],
                applied_on=D(2026, 9, 1),
            )


def test_payment_method_change_validates_account(cases, officer):
    case = cases["orphan"]
    assert case.payment_method == "cash"
    with pytest.raises(ValidationError, match="Số tài khoản ngân hàng gồm từ 6 đến 19 chữ số"):
        services.case_payment_set(
            scope=scope_for(officer),
            case=case,
            method="bank",
            bank="agribank",
            account_number="12ab",
            account_holder="LE VAN TU",
        )
    services.case_payment_set(
        scope=scope_for(officer),
        case=case,
        method="bank",
        bank="agribank",
        account_number="5700 1234 5678",
        account_holder="LE VAN TU",
    )
    assert case.bank_account_number == "570012345678"


def test_funeral_support_once(cases, people, officer):
    with pytest.raises(ValidationError, match="Vui lòng ghi nhận nhân khẩu đã mất"):
        services.funeral_claim_record(
            scope=scope_for(officer),
            case=cases["elderly"],
            claimant_name="Hùng",
            claimed_on=D(2026, 11, 5),
        )
    registry.person_record_death(
        scope=scope_for(officer), person=people["elderly"], date=D(2026, 11, 2)
    )
    case = Case.objects.get(pk=cases["elderly"].pk)
    claim = services.funeral_claim_record(
        scope=scope_for(officer),
        case=case,
        claimant_name="Trần Văn Hùng",
        claimant_relationship="con",
        claimed_on=D(2026, 11, 5),
    )
    assert claim.amount == 10_000_000
    with pytest.raises(ValidationError, match="Người này đã được hỗ trợ chi phí mai táng"):
        services.funeral_claim_record(
            scope=scope_for(officer), case=case, claimant_name="X", claimed_on=D(2026, 11, 6)
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        FuneralClaim.objects.create(
            person=claim.person,
            case=case,
            commune_id=case.commune_id,
            claimant_name="Y",
            death_date=claim.death_date,
            claimed_on=D(2026, 11, 7),
            amount=1,
        )


def test_a_case_event_is_dated_with_vietnams_day(cases, officer, monkeypatch):
    """30 November, 23:30 UTC is 1 December in Vietnam: the event is dated 01/12."""
    from django.utils import timezone

    late_utc = dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: late_utc)
    case = services.case_payment_set(
        scope=scope_for(officer),
        case=cases["orphan"],
        method="cash",
        note="Nhận tại nhà văn hóa ấp",
    )
    assert case.events.get(kind=CaseEventKind.PAYMENT).date == dt.date(2026, 12, 1)
