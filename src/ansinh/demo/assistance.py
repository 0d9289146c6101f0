"""Demo monthly allowances for the demo commune (through the services).

About 369 Decree 20 recipients as in the source story (2 orphans, 132 elderly, 235 people with
disabilities) and a few social-pension cases, nearly all paid by bank; 12 months of payrolls
generated, checked, approved by the vice-chairman, paid (bank results imported) and closed; the
current month generated (a draft) with a few checks left for the officer to resolve.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from typing import Any

from django.core.exceptions import ValidationError

from ansinh.accounts.models import User
from ansinh.accounts.scopes import Scope, scope_for
from ansinh.assistance import payroll as pr
from ansinh.assistance import reconcile, services
from ansinh.assistance.choices import GuardAction, GuardRule, LineStatus, PaymentMethod
from ansinh.assistance.models import Case, GuardItem, Payroll
from ansinh.core.periods import add_months, age_on
from ansinh.core.spreadsheet import csv_writer
from ansinh.core.text import fold
from ansinh.places.models import Commune
from ansinh.poverty.choices import PovertyClass
from ansinh.poverty.selectors import status_on
from ansinh.registry.choices import Bank, LifeStatus
from ansinh.registry.models import Person
from ansinh.rules import guard as guard_rules

HISTORY_MONTHS = 12
BANKS = ["agribank"] * 6 + ["vbsp"] * 3 + ["vietinbank"]


def _as(username: str, commune: Commune) -> Scope:
    """The demo acts as its users (the officer, the vice-chairman), or as the system."""
    user = User.objects.filter(username=username).first()
    return scope_for(user) if user is not None else Scope.system(commune.code, "demo")


def _pick(rng: random.Random, pool: list[Person], k: int, used: set[int]) -> list[Person]:
    free = [p for p in pool if p.pk not in used]
    chosen = rng.sample(free, k=min(k, len(free)))
    used.update(p.pk for p in chosen)
    return chosen


def _open_case(
    *,
    officer: Scope,
    person: Person,
    groups: list[str],
    scheme: str,
    signed: dt.date,
    rng: random.Random,
    number: int,
    bank: bool = True,
) -> Case | None:
    try:
        case = services.case_apply(
            scope=officer,
            person=person,
            scheme=scheme,
            groups=groups,
            applied_on=signed - dt.timedelta(days=rng.randint(8, 25)),
            documents="Đơn đề nghị, bản sao CCCD"
            + (", giấy xác nhận khuyết tật" if "disability" in ";".join(groups) else ""),
        )
        services.case_verify(scope=officer, case=case, verified_on=signed - dt.timedelta(days=4))
        services.case_decide(
            scope=officer,
            case=case,
            decision_number=f"{number}/QĐ-UBND",
            decision_date=signed,
            signer="Nguyễn Văn Hòa",
        )
    except ValidationError:
        return None
    if bank and case.payment_method != PaymentMethod.BANK:
        services.case_payment_set(
            scope=officer,
            case=case,
            method=PaymentMethod.BANK,
            bank=rng.choice(BANKS),
            account_number=f"{rng.randint(1, 9)}{rng.randint(0, 10**12 - 1):012d}",
            account_holder=fold(person.full_name).upper(),
        )
    return case


def _resolve(item: GuardItem, officer: Scope, note: str = "Đã kiểm tra hồ sơ") -> None:
    """The officer does what the guard's table says the demo does with the check
    (``demo_action`` of each rule)."""
    action = guard_rules.check(item.rule).demo_action
    if item.rule == GuardRule.BANK_FAILED:  # the recipient opened a new account
        case = item.case
        services.case_payment_set(
            scope=officer,
            case=case,
            method=PaymentMethod.BANK,
            bank=case.bank,
            account_number=f"7{case.person_id:012d}",
            account_holder=case.bank_account_holder,
            note="Tài khoản cũ đã đóng, mở tài khoản mới",
        )
        note = "Đã cập nhật số tài khoản mới"
    try:
        pr.guard_resolve(scope=officer, item=item, action=action, note=note)
    except ValidationError:  # no longer eligible after the review: stop
        pr.guard_resolve(
            scope=officer, item=item, action=GuardAction.STOPPED, note="Không còn đủ điều kiện"
        )


def _pay(payroll: Payroll, officer: Scope, rng: random.Random, failures: int) -> None:
    """The officer makes the payment files (the last check runs), the bank answers."""
    pr.payroll_export_begin(scope=officer, payroll=payroll, method=PaymentMethod.BANK)
    pr.payroll_export_begin(scope=officer, payroll=payroll, method=PaymentMethod.CASH)
    bank_lines = list(payroll.lines.filter(method=PaymentMethod.BANK).order_by("id"))
    failed = {line.pk for line in rng.sample(bank_lines, k=min(failures, len(bank_lines)))}
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(["Reference", "Amount", "Status", "Reason"])
    for line in bank_lines:
        ok = line.pk not in failed
        writer.writerow(
            [
                line.reference,
                line.amount,
                "Thành công" if ok else "Thất bại",
                "" if ok else "Tài khoản đã đóng",
            ]
        )
    reconcile.results_import(scope=officer, payroll=payroll, data=out.getvalue().encode())
    for line in payroll.lines.filter(status=LineStatus.FAILED):
        pr.line_failed_resolve(
            scope=officer, line=line, action=LineStatus.CARRIED, note="Chuyển sang tháng sau"
        )
    cash = list(payroll.lines.filter(method=PaymentMethod.CASH).values_list("reference", flat=True))
    if cash:
        pr.cash_paid_confirm(scope=officer, payroll=payroll, references=cash)


def build_assistance(*, commune: Commune, as_of: dt.date, seed: int = 42) -> dict[str, Any]:
    """Long on purpose: the demo's story of a year of allowances, told in order."""
    rng = random.Random(seed + 2021)
    officer, chair = _as("canbo", commune), _as("phochutich", commune)
    current = as_of.replace(day=1)
    first = add_months(current, -HISTORY_MONTHS)
    living = list(
        Person.objects.filter(commune=commune, life_status=LifeStatus.LIVING).order_by("pk")
    )
    gone = list(
        Person.objects.filter(commune=commune, status_date__gte=first, status_date__lt=current)
        .exclude(life_status=LifeStatus.LIVING)
        .order_by("pk")
    )
    used: set[int] = set()
    start = max(dt.date(2024, 7, 1), add_months(first, -24))

    def signed(person: Person, scheme: str, groups: list[str]) -> dt.date:
        """A signature date between ``start`` and the first payroll, once the person is
        eligible (80 for the elderly group, 75 and July 2025 for the social pension)."""
        low = start
        dob = person.date_of_birth
        if "elderly_80_no_pension" in groups:
            low = max(low, add_months(dob.replace(day=1, year=dob.year + 80), 1))
        if scheme == "social_pension":
            low = max(
                low, dt.date(2025, 7, 1), add_months(dob.replace(day=1, year=dob.year + 75), 1)
            )
        end = first if low < first else current  # turned 80 during the year: a new decision
        days = (end - low).days - 1
        return low + dt.timedelta(days=rng.randint(0, max(days, 0)))

    plan: list[tuple[Person, list[str], str]] = []
    orphans = [p for p in living if 5 <= age_on(p.date_of_birth, first) <= 12]
    plan += [(p, ["child_no_support"], "social_assistance") for p in _pick(rng, orphans, 2, used)]
    old = [
        p
        for p in living
        if age_on(p.date_of_birth, current) >= 80
        and add_months(p.date_of_birth.replace(day=1, year=p.date_of_birth.year + 80), 1) < current
    ]
    elderly = _pick(rng, old, 132, used)
    plan += [(p, ["elderly_80_no_pension"], "social_assistance") for p in elderly]
    if len(elderly) < 132:  # the rest: elderly of poor households without a supporter
        poor = {
            h
            for h, c in status_on({p.household_id for p in living}, first).items()
            if c == PovertyClass.POOR
        }
        sixty = [
            p
            for p in living
            if 62 <= age_on(p.date_of_birth, first) <= 80 and p.household_id in poor
        ]
        plan += [
            (p, ["elderly_poor_no_supporter"], "social_assistance")
            for p in _pick(rng, sixty, 132 - len(elderly), used)
        ]
    adults = [p for p in living if 18 <= age_on(p.date_of_birth, first) <= 74]
    for p in _pick(rng, adults, 235, used):
        plan.append(
            (
                p,
                ["disability_extreme" if rng.random() < 0.2 else "disability_severe"],
                "social_assistance",
            )
        )
    seventy_five = [p for p in living if 76 <= age_on(p.date_of_birth, first) <= 79]
    plan += [(p, [], "social_pension") for p in _pick(rng, seventy_five, 6, used)]
    # people who died or moved away during the year: their cases stop through the guard
    plan += [
        (p, ["disability_severe"], "social_assistance")
        for p in gone
        if 18 <= age_on(p.date_of_birth, first) <= 74
    ][:3]
    number = 100
    for person, groups, scheme in plan:
        number += 1
        person.life_status = LifeStatus.LIVING  # decided while still living here
        _open_case(
            officer=officer,
            person=person,
            groups=groups,
            scheme=scheme,
            signed=signed(person, scheme, groups),
            rng=rng,
            number=number,
        )
    # history: 12 closed payrolls
    for i in range(HISTORY_MONTHS):
        month = add_months(first, i)
        if i == 5:  # two new recipients during the year
            for person in _pick(rng, adults, 2, used):
                number += 1
                _open_case(
                    officer=officer,
                    person=person,
                    groups=["disability_severe"],
                    scheme="social_assistance",
                    signed=month + dt.timedelta(days=9),
                    rng=rng,
                    number=number,
                )
        payroll = pr.payroll_generate(scope=officer, commune_code=commune.code, month=month)
        for item in GuardItem.objects.filter(commune=commune, month=month, resolved_at=None):
            _resolve(item, officer)
        pr.payroll_generate(scope=officer, commune_code=commune.code, month=month)
        for item in GuardItem.objects.filter(commune=commune, month=month, resolved_at=None):
            _resolve(item, officer)
        payroll = pr.payroll_prepare(scope=officer, payroll=payroll)
        payroll = pr.payroll_approve(scope=chair, payroll=payroll)
        _pay(payroll, officer, rng, failures=1 if i % 4 == 1 or i == HISTORY_MONTHS - 1 else 0)
        pr.payroll_close(scope=officer, payroll=payroll)
    # the current month: a new recipient without an account yet, an account entered twice
    for person in _pick(rng, adults, 1, used):
        number += 1
        _open_case(
            officer=officer,
            person=person,
            groups=["disability_severe"],
            scheme="social_assistance",
            signed=current + dt.timedelta(days=2),
            rng=rng,
            number=number,
            bank=False,
        )
    banked = list(
        Case.objects.filter(commune=commune, status="active", payment_method="bank")
        .select_related("person")
        .order_by("pk")[:40]
    )
    newest = Case.objects.filter(commune=commune, status="active").order_by("-pk").first()
    if newest is not None:  # the account number is still to be collected
        Case.objects.filter(pk=newest.pk).update(
            payment_method=PaymentMethod.BANK, bank_account_number=""
        )
    pair = [c for c in banked if c.household_id != banked[0].household_id][:1] + banked[:1]
    if len(pair) == 2:
        Case.objects.filter(pk=pair[0].pk).update(
            bank=pair[1].bank, bank_account_number=pair[1].bank_account_number
        )
    holder = f"Ủy ban nhân dân {commune.name[:1].lower()}{commune.name[1:]}"
    services.payment_account_set(
        scope=officer,
        commune_code=commune.code,
        holder=holder,
        bank=Bank.AGRIBANK,
        account_number="5700201004417",
    )
    # the current month stays a draft: its blocking checks wait for the officer, and a payroll
    # with unresolved blocking checks cannot be sent for approval
    payroll = pr.payroll_generate(scope=officer, commune_code=commune.code, month=current)
    cases = Case.objects.filter(commune=commune, status="active")
    return {
        "cases": cases.count(),
        "by_bank": cases.filter(payment_method=PaymentMethod.BANK).count(),
        "payrolls": Payroll.objects.filter(commune=commune).count(),
        "current_total": pr.payroll_total(payroll),
        "guard_items": list(
            GuardItem.objects.filter(commune=commune, month=current, resolved_at=None).values_list(
                "rule", flat=True
            )
        ),
    }
