"""The realistic demo commune: Xã Tân Đông, new Tây Ninh province (80).

Deterministic for a given ``seed`` and ``as_of`` date. Scales from one commune (~4,700
households) to a province-sized benchmark (1,000,000 households) with bulk inserts in chunks.
Later features add their own demo data as further steps (see ``STEPS``).
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from ansinh.accounts.choices import Role
from ansinh.accounts.models import User
from ansinh.core.identifiers import IdentifierError, cccd_century_sex_digit, normalize_phone
from ansinh.core.text import fold, given_name_key
from ansinh.demo import names
from ansinh.places.choices import VillageKind
from ansinh.places.models import Commune, Village
from ansinh.registry.choices import EventKind, LifeStatus, Relationship
from ansinh.registry.models import Household, MembershipEvent, Person

DEMO_COMMUNE_CODE = 25522  # Xã Tân Đông, Tây Ninh
DEMO_PASSWORD = "ansinh-demo"  # noqa: S105 - printed on purpose: demo accounts only

DEMO_USERS: list[dict[str, Any]] = [
    {
        "username": "canbo",
        "phone": "0918 236 457",
        "full_name": "Nguyễn Thị Hồng",
        "role": Role.OFFICER,
        "title": "công chức Văn hóa – Xã hội",
    },
    {
        "username": "phochutich",
        "phone": "0903 418 265",
        "full_name": "Trần Văn Lợi",
        "role": Role.COMMITTEE,
        "title": "Phó Chủ tịch UBND xã, Trưởng Ban Chỉ đạo rà soát",
    },
    {
        "username": "truongap1",
        "phone": "0389 512 774",
        "full_name": "Lê Văn Tám",
        "role": Role.VILLAGE_HEAD,
        "title": "trưởng ấp Tân Đông",
        "villages": ["TD"],
    },
    {
        "username": "truongap2",
        "phone": "0977 604 183",
        "full_name": "Phạm Thị Út",
        "role": Role.VILLAGE_HEAD,
        "title": "trưởng ấp Đông Hiệp",
        "villages": ["DH"],
    },
    {
        "username": "kiemtra",
        "phone": "0836 270 915",
        "full_name": "Võ Minh Khoa",
        "role": Role.AUDITOR,
        "title": "kiểm tra (chỉ đọc)",
    },
]


class Weighted:
    """Fast weighted choice with a cumulative table."""

    def __init__(self, items: Sequence[tuple[Any, float]]):
        self.values = [v for v, _ in items]
        self.cum = list(itertools.accumulate(w for _, w in items))

    def pick(self, rng: random.Random) -> Any:
        return self.values[bisect.bisect_right(self.cum, rng.random() * self.cum[-1])]


FAMILY = Weighted(names.FAMILY_NAMES)
MALE_MIDDLE = Weighted(names.MALE_MIDDLE)
FEMALE_MIDDLE = Weighted(names.FEMALE_MIDDLE)
ETHNICITY = Weighted(names.ETHNICITIES)
BIRTH_PROVINCE = Weighted(names.BIRTH_PROVINCES)
BANK = Weighted(names.BANKS)
HOUSEHOLD_SIZE = Weighted([(1, 9), (2, 17), (3, 24), (4, 27), (5, 13), (6, 6), (7, 3), (8, 1)])
# Age of heads of household: a middle-aged peak with a long tail of elderly heads.
HEAD_AGE = Weighted(
    [
        (a, w)
        for a, w in zip(
            range(20, 96),
            [1] * 5
            + [3.5] * 10
            + [5.5] * 15
            + [4.5] * 10
            + [2.2] * 10
            + [1.1] * 10
            + [0.45] * 8
            + [0.15] * 8,
            strict=True,
        )
    ]
)


@dataclass
class DemoResult:
    commune: Commune
    villages: list[Village]
    households: int = 0
    persons: int = 0
    users: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class _Gen:
    rng: random.Random
    as_of: dt.date
    used_cccd: set[str] = field(default_factory=set)
    used_phone: set[str] = field(default_factory=set)

    def dob(self, age: int) -> dt.date:
        year = self.as_of.year - age
        return dt.date(year, 1, 1) + dt.timedelta(days=self.rng.randrange(365))

    def name(self, sex: str, family: str | None = None) -> str:
        family = family or FAMILY.pick(self.rng)
        if sex == "male":
            middle = MALE_MIDDLE.pick(self.rng)
            given = self.rng.choice(names.MALE_GIVEN)
        else:
            middle = FEMALE_MIDDLE.pick(self.rng)
            given = self.rng.choice(names.FEMALE_GIVEN)
        if given == middle:
            given = self.rng.choice(names.MALE_GIVEN if sex == "male" else names.FEMALE_GIVEN)
        return f"{family} {middle} {given}"

    def cccd(self, dob: dt.date, sex: str) -> str:
        prefix = BIRTH_PROVINCE.pick(self.rng) + cccd_century_sex_digit(dob.year, sex)
        prefix += f"{dob.year % 100:02d}"
        while True:
            value = f"{prefix}{self.rng.randrange(1_000_000):06d}"
            if value not in self.used_cccd:
                self.used_cccd.add(value)
                return value

    def phone(self) -> str:
        while True:
            value = _mobile(self.rng.choice(names.MOBILE_PREFIXES), self.rng.randrange(10**7))
            if value not in self.used_phone:
                self.used_phone.add(value)
                return value


def _mobile(prefix: str, rest: int) -> str:
    """A mobile number the application accepts (libphonenumber's ranges: not every block of
    a network's prefix is assigned): the drawn prefix, else the next one of the list with the
    same digits, so that the demo draws as many random numbers as before."""
    start = names.MOBILE_PREFIXES.index(prefix)
    count = len(names.MOBILE_PREFIXES)
    for step in range(count):
        candidate = f"0{names.MOBILE_PREFIXES[(start + step) % count]}{rest:07d}"
        try:
            return normalize_phone(candidate)
        except IdentifierError:
            continue
    raise RuntimeError(f"no mobile prefix accepts {rest:07d}")


def _age(dob: dt.date, on: dt.date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def _members(g: _Gen) -> list[dict[str, Any]]:
    """One household's people as dicts (relationship, sex, dob, name)."""
    rng = g.rng
    size = HOUSEHOLD_SIZE.pick(rng)
    head_age = HEAD_AGE.pick(rng)
    if size == 1 and head_age < 30 and rng.random() < 0.5:
        head_age += 35  # people living alone are often elderly
    head_sex = "male" if rng.random() < (0.55 if head_age > 70 else 0.74) else "female"
    family = FAMILY.pick(rng)
    people = [
        {
            "relationship": Relationship.HEAD,
            "sex": head_sex,
            "age": head_age,
            "name": g.name(head_sex, family),
        }
    ]
    children_family = family
    if size >= 2 and head_age < 82 and rng.random() < 0.86:
        sex = "female" if head_sex == "male" else "male"
        age = max(18, head_age + (rng.randint(-8, 1) if head_sex == "male" else rng.randint(0, 8)))
        spouse_family = FAMILY.pick(rng)
        if sex == "male":
            children_family = spouse_family
        people.append(
            {
                "relationship": Relationship.SPOUSE,
                "sex": sex,
                "age": age,
                "name": g.name(sex, spouse_family),
            }
        )
    if len(people) < size and head_age < 52 and rng.random() < 0.25:
        age = min(98, head_age + rng.randint(22, 34))
        sex = "female" if rng.random() < 0.62 else "male"
        people.append(
            {
                "relationship": Relationship.PARENT,
                "sex": sex,
                "age": age,
                "name": g.name(sex, family if sex == "male" else None),
            }
        )
    max_child_age = max(0, head_age - 19)
    grandchildren = head_age >= 55 and rng.random() < 0.55
    while len(people) < size:
        sex = "male" if rng.random() < 0.51 else "female"
        if grandchildren and len(people) >= 3 and rng.random() < 0.6:
            rel, age = Relationship.GRANDCHILD, rng.randint(0, 15)
        elif grandchildren and len(people) == 3 and rng.random() < 0.5:
            rel, age = Relationship.CHILD_IN_LAW, rng.randint(24, 40)
        else:
            rel = Relationship.CHILD
            low = max(0, head_age - 42)
            age = rng.randint(min(low, max_child_age), max_child_age)
        fam = children_family if rel != Relationship.CHILD_IN_LAW else None
        people.append({"relationship": rel, "sex": sex, "age": age, "name": g.name(sex, fam)})
    return people


def _ensure_places(commune_code: int, *, actor: User | None) -> tuple[Commune, list[Village]]:
    commune = Commune.objects.get(code=commune_code)
    villages = []
    for name, code, _weight in names.VILLAGES:
        village, _ = Village.objects.get_or_create(
            commune=commune, code=code, defaults={"name": name, "kind": VillageKind.AP}
        )
        villages.append(village)
    return commune, villages


def _ensure_users(commune: Commune, villages: list[Village]) -> list[tuple[str, str, str]]:
    by_code = {v.code: v for v in villages}
    printed = []
    for spec in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=spec["username"])
        user.full_name = spec["full_name"]
        user.role = spec["role"]
        user.commune = commune
        user.phone = normalize_phone(spec["phone"])  # stored in E.164, as the forms store it
        user.set_password(DEMO_PASSWORD)
        user.save()
        if spec.get("villages"):
            user.villages.set([by_code[c] for c in spec["villages"]])
        printed.append((spec["username"], DEMO_PASSWORD, f"{spec['full_name']}, {spec['title']}"))
    return printed


def build_registry(
    *,
    seed: int = 42,
    households: int = 4700,
    commune_code: int = DEMO_COMMUNE_CODE,
    as_of: dt.date | None = None,
    chunk: int = 5000,
    progress: Callable[[str], None] | None = None,
) -> DemoResult:
    """Create villages, users and ``households`` households with their members."""
    as_of = as_of or timezone.localdate()
    rng = random.Random(seed)
    g = _Gen(rng=rng, as_of=as_of)
    g.used_cccd.update(c for c in Person.objects.values_list("cccd", flat=True) if c)
    commune, villages = _ensure_places(commune_code, actor=None)
    result = DemoResult(commune=commune, villages=villages)
    result.users = _ensure_users(commune, villages)
    village_pick = Weighted([(v, w) for v, (_, _, w) in zip(villages, names.VILLAGES, strict=True)])
    counters = {v.pk: Household.objects.filter(village=v).count() for v in villages}
    width = max(4, len(str(households)))
    remaining = households
    while remaining > 0:
        n = min(chunk, remaining)
        remaining -= n
        with transaction.atomic():
            _build_chunk(g, n, village_pick, counters, width, commune, result)
        if progress:
            progress(f"{result.households:,} households, {result.persons:,} people")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return result


def _build_chunk(
    g: _Gen,
    n: int,
    village_pick: Weighted,
    counters: dict[int, int],
    width: int,
    commune: Commune,
    result: DemoResult,
) -> None:
    """Long on purpose: one pass that writes households, people and events in bulk, in order."""
    rng, as_of = g.rng, g.as_of
    house_rows: list[Household] = []
    member_rows: list[list[dict[str, Any]]] = []
    for _ in range(n):
        village = village_pick.pick(rng)
        counters[village.pk] += 1
        people = _members(g)
        ethnicity = ETHNICITY.pick(rng)
        for p in people:
            p["ethnicity"] = ethnicity if rng.random() < 0.97 else "01"
            p["dob"] = g.dob(p["age"])
            p["age"] = _age(p["dob"], as_of)
            if (p["age"] >= 14 and rng.random() < 0.96) or (p["age"] < 14 and rng.random() < 0.35):
                p["cccd"] = g.cccd(p["dob"], p["sex"])
            adult = 18 <= p["age"] <= 70
            if adult and rng.random() < (0.88 if p["relationship"] == "head" else 0.6):
                p["phone"] = g.phone()
            if p["age"] >= 18 and rng.random() < (0.45 if p["age"] >= 60 else 0.25):
                p["bank"] = BANK.pick(rng)
                p["account"] = f"{rng.randrange(10**12, 10**13)}"
            roll = rng.random()
            if p["relationship"] != "head" and p["age"] > 62 and roll < 0.03:
                p["status"] = LifeStatus.DECEASED
            elif (
                p["relationship"] not in ("head", "spouse") and 18 <= p["age"] <= 35 and roll < 0.12
            ):
                p["status"] = LifeStatus.MOVED_AWAY
        contact: str = next((p["phone"] for p in people if p.get("phone")), "")
        house_rows.append(
            Household(
                commune=commune,
                village=village,
                code=f"{village.code}-{counters[village.pk]:0{width}d}",
                address=f"{rng.choice(names.STREET_WORDS)}, {village.name}",
                phone=contact,
            )
        )
        member_rows.append(people)
    Household.objects.bulk_create(house_rows, batch_size=2000)
    # The commune's registry was kept for years before it came into the app: registered
    # three years before ``as_of`` (the rates on a date count households registered by then).
    if house_rows:
        Household.objects.filter(commune=commune, pk__gte=house_rows[0].pk).update(
            created_at=timezone.make_aware(
                dt.datetime.combine(as_of - dt.timedelta(days=3 * 365), dt.time(8))
            )
        )
    persons: list[Person] = []
    pending_events: list[tuple[int, dict[str, Any]]] = []
    for household, people in zip(house_rows, member_rows, strict=True):
        for p in people:
            folded = fold(p["name"])
            status = p.get("status", LifeStatus.LIVING)
            status_date = None
            if status != LifeStatus.LIVING:
                status_date = as_of - dt.timedelta(days=rng.randrange(30, 1100))
                status_date = max(status_date, p["dob"] + dt.timedelta(days=365 * 18))
                p["status_date"] = min(status_date, as_of)
            persons.append(
                Person(
                    household=household,
                    commune_id=commune.pk,
                    village_id=household.village_id,
                    full_name=p["name"],
                    folded_name=folded,
                    given_key=given_name_key(folded),
                    date_of_birth=p["dob"],
                    sex=p["sex"],
                    ethnicity=p["ethnicity"],
                    cccd=p.get("cccd"),
                    relationship=p["relationship"],
                    phone=p.get("phone", ""),
                    bank=p.get("bank", ""),
                    bank_account_number=p.get("account", ""),
                    bank_account_holder=fold(p["name"]).upper() if p.get("bank") else "",
                    life_status=status,
                    status_date=p.get("status_date"),
                )
            )
            pending_events.append((len(persons) - 1, p))
    Person.objects.bulk_create(persons, batch_size=2000)
    events = []
    for index, p in pending_events:
        person = persons[index]
        kind = None
        if person.life_status == LifeStatus.DECEASED:
            kind, date = EventKind.DEATH, person.status_date
        elif person.life_status == LifeStatus.MOVED_AWAY:
            kind, date = EventKind.MOVE_OUT, person.status_date
        elif p["age"] == 0:
            kind, date = EventKind.BIRTH, person.date_of_birth
        if kind and date:
            place = (
                rng.choice(["Bình Dương", "TP. Hồ Chí Minh", "Đồng Nai"])
                if kind == EventKind.MOVE_OUT
                else ""
            )
            events.append(
                MembershipEvent(
                    household_id=person.household_id,
                    person=person,
                    kind=kind,
                    date=date,
                    place=place,
                )
            )
    MembershipEvent.objects.bulk_create(events, batch_size=2000)
    result.households += len(house_rows)
    result.persons += len(persons)
