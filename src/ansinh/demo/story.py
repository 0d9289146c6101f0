"""A few days of real work on top of the generated registry, done through the services, so
that history pages, events and proposals show what an officer would see."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ansinh.accounts.models import User
from ansinh.accounts.scopes import scope_for
from ansinh.registry import services
from ansinh.registry.choices import EventKind, LifeStatus, ProposalKind, Relationship
from ansinh.registry.models import Household, Person
from ansinh.registry.validation import PersonData


def play(commune_code: int) -> None:
    """Long on purpose: a script of worked examples, read top to bottom."""
    officer = User.objects.get(username="canbo")
    head1 = User.objects.get(username="truongap1")
    today = timezone.localdate()
    households = Household.objects.filter(commune_id=commune_code).order_by("id")
    tan_dong = households.filter(village__code="TD")

    # A baby was born last month in a young family of ấp Tân Đông.
    young = tan_dong.filter(
        members__relationship=Relationship.SPOUSE,
        members__date_of_birth__gte=today - dt.timedelta(days=365 * 32),
    ).first()
    if young is not None:
        father = young.members.filter(sex="male").order_by("date_of_birth").first()
        family = father.full_name.split()[0] if father else "Nguyễn"
        birth = today - dt.timedelta(days=34)
        services.person_add(
            scope=scope_for(officer),
            household=young,
            data=PersonData(
                full_name=f"{family} Ngọc Bảo Hân",
                date_of_birth=birth,
                sex="female",
                relationship=Relationship.CHILD,
            ),
            event_kind=EventKind.BIRTH,
            event_date=birth,
        )

    # The officer corrects a phone number and adds a bank account for an elderly person.
    elder = (
        Person.objects.filter(
            commune_id=commune_code,
            life_status=LifeStatus.LIVING,
            date_of_birth__lte=today - dt.timedelta(days=365 * 80),
            bank="",
        )
        .order_by("id")
        .first()
    )
    if elder is not None:
        services.person_update(
            scope=scope_for(officer),
            person=elder,
            data=PersonData(
                full_name=elder.full_name,
                date_of_birth=elder.date_of_birth,
                sex=elder.sex,
                relationship=elder.relationship,
                ethnicity=elder.ethnicity,
                cccd=elder.cccd or "",
                phone=elder.phone,
                bank="agribank",
                bank_account_number="7100205123456",
                bank_account_holder=elder.full_name,
            ),
        )

    # The village head of ấp Tân Đông reports a death and a member who moved for work.
    old = (
        Person.objects.filter(
            village__code="TD",
            commune_id=commune_code,
            life_status=LifeStatus.LIVING,
            date_of_birth__lte=today - dt.timedelta(days=365 * 85),
        )
        .exclude(relationship=Relationship.HEAD)
        .order_by("id")
        .first()
    )
    if old is not None:
        services.proposal_submit(
            scope=scope_for(head1),
            household=old.household,
            person=old,
            kind=ProposalKind.RECORD_DEATH,
            payload={"date": (today - dt.timedelta(days=6)).isoformat(), "place": ""},
            note="Gia đình báo tin, đã có giấy báo tử của trạm y tế.",
        )
    young_adult = (
        Person.objects.filter(
            village__code="TD",
            commune_id=commune_code,
            life_status=LifeStatus.LIVING,
            relationship=Relationship.CHILD,
            date_of_birth__lte=today - dt.timedelta(days=365 * 20),
            date_of_birth__gte=today - dt.timedelta(days=365 * 26),
        )
        .order_by("id")
        .first()
    )
    if young_adult is not None:
        services.proposal_submit(
            scope=scope_for(head1),
            household=young_adult.household,
            person=young_adult,
            kind=ProposalKind.RECORD_MOVE_OUT,
            payload={
                "date": (today - dt.timedelta(days=20)).isoformat(),
                "place": "KCN Mỹ Phước, TP. Hồ Chí Minh",
            },
            note="Đi làm công nhân, đã chuyển hộ khẩu.",
        )
