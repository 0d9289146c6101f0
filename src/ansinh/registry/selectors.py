"""Reads of the registry. Every function takes a ``Scope``: there is no unscoped read.

Search is accent-insensitive and index-backed on SQLite and PostgreSQL: names are stored
folded twice (family name first and given name first), and a prefix search is a range scan
on ``(commune, key)``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.http import Http404

from ansinh.accounts.scopes import Scope
from ansinh.core import figures
from ansinh.core.identifiers import IdentifierError, is_mobile, normalize_phone
from ansinh.core.models import AuditEntry
from ansinh.core.selectors import get_or_404
from ansinh.core.text import fold, prefix_upper_bound
from ansinh.places.models import Village
from ansinh.registry.choices import (
    HouseholdStatus,
    LifeStatus,
    ProposalKind,
    ProposalStatus,
    Relationship,
)
from ansinh.registry.models import ChangeProposal, Household, MembershipEvent, Person


def villages_for(scope: Scope) -> QuerySet[Village]:
    qs = Village.objects.filter(commune_id=scope.commune_code, is_active=True)
    qs = scope.restrict(qs, "id")
    return qs.order_by("name")


def village_get(scope: Scope, pk: int) -> Village:
    """One of the scope's villages, or 404."""
    return get_or_404(villages_for(scope), pk)


def households_for(scope: Scope) -> QuerySet[Household]:
    qs = Household.objects.filter(commune_id=scope.commune_code)
    qs = scope.restrict(qs, "village_id")
    return qs


def persons_for(scope: Scope) -> QuerySet[Person]:
    qs = Person.objects.filter(commune_id=scope.commune_code)
    qs = scope.restrict(qs, "village_id")
    return qs


def household_get(scope: Scope, pk: int) -> Household:
    """One household in scope, or 404 (never reveals that it exists elsewhere)."""
    return get_or_404(households_for(scope).select_related("village", "commune"), pk)


def person_get(scope: Scope, pk: int) -> Person:
    return get_or_404(persons_for(scope).select_related("household", "village"), pk)


def household_members(household: Household) -> list[Person]:
    """Members of a household already fetched through a scoped selector: living first,
    the head first, then the oldest."""
    members = list(household.members.all())
    return sorted(
        members,
        key=lambda p: (
            p.life_status != LifeStatus.LIVING,
            p.relationship != Relationship.HEAD,
            p.date_of_birth,
        ),
    )


def household_list(
    scope: Scope, *, village_id: int | None = None, status: str | None = None
) -> QuerySet[Household]:
    """Households in code order (the ``(commune, code)`` index); decorate a page of them
    with :func:`household_page_details` rather than annotating the whole commune."""
    qs = households_for(scope).select_related("village")
    if village_id:
        qs = qs.filter(village_id=village_id)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("code")


def household_page_details(households: Sequence[Household]) -> list[Household]:
    """Add ``heads`` and ``living_count`` to one page of households (two small queries)."""
    rows = list(households)
    ids = [h.pk for h in rows]
    counts = dict(
        Person.objects.filter(household_id__in=ids, life_status=LifeStatus.LIVING)
        .values_list("household_id")
        .annotate(n=Count("id"))
        .values_list("household_id", "n")
    )
    heads: dict[int, list[Person]] = {}
    for person in Person.objects.filter(household_id__in=ids, relationship=Relationship.HEAD).only(
        "id", "full_name", "household_id"
    ):
        heads.setdefault(person.household_id, []).append(person)
    for household in rows:
        household.living_count = counts.get(household.pk, 0)  # type: ignore[attr-defined]
        household.heads = heads.get(household.pk, [])  # type: ignore[attr-defined]
    return rows


@dataclass(frozen=True)
class SearchQuery:
    kind: str  # "name", "cccd", "phone", "code", "empty"
    value: str


_CODE = re.compile(r"^[A-Za-z]{1,6}-\d*$|^[A-Za-z]{1,6}-?\d{2,}$")


def parse_query(raw: str) -> SearchQuery:
    text = (raw or "").strip()
    if not text:
        return SearchQuery("empty", "")
    compact = re.sub(r"[\s.\-]", "", text)
    if compact.isdigit() or (compact.startswith("+") and compact[1:].isdigit()):
        if len(compact) == 12 and not compact.startswith(("84", "+")):
            return SearchQuery("cccd", compact)
        try:
            return SearchQuery("phone", normalize_phone(compact))
        except IdentifierError:
            return SearchQuery("cccd_prefix", compact)
    if _CODE.match(text):
        return SearchQuery("code", text.upper())
    return SearchQuery("name", fold(text))


def person_search(
    scope: Scope, raw_query: str, *, village_id: int | None = None, status: str | None = None
) -> QuerySet[Person] | NameResults:
    """Persons matching a name (without diacritics), CCCD, phone or household code.

    Names match from the start of the full name ("nguyen thi t…") or of the given name
    ("tim", "tim nguyen"). Results are in Vietnamese list order: given name, then the rest.
    """
    query = parse_query(raw_query)
    qs = persons_for(scope).select_related("household", "village")
    if village_id:
        qs = qs.filter(village_id=village_id)
    if status:
        qs = qs.filter(life_status=status)
    value = query.value
    if query.kind == "empty":
        return qs.order_by("given_key", "id")
    if query.kind == "cccd":
        return qs.filter(cccd=value).order_by("given_key", "id")
    if query.kind == "cccd_prefix":
        return qs.filter(cccd__gte=value, cccd__lt=prefix_upper_bound(value)).order_by(
            "given_key", "id"
        )
    if query.kind == "phone":
        # Two index lookups, then the union of a handful of ids: an OR across a subquery
        # makes PostgreSQL scan the whole table.
        household_ids = list(households_for(scope).filter(phone=value).values_list("id", flat=True))
        person_ids = list(qs.filter(phone=value).values_list("id", flat=True))
        return qs.filter(Q(pk__in=person_ids) | Q(household_id__in=household_ids)).order_by(
            "given_key", "id"
        )
    if query.kind == "code":
        by_code = households_for(scope).filter(code__gte=value, code__lt=prefix_upper_bound(value))
        return qs.filter(household_id__in=by_code.values("id")).order_by(
            "household__code",
            Case(When(relationship=Relationship.HEAD, then=Value(0)), default=Value(1)),
            "date_of_birth",
        )
    upper = prefix_upper_bound(value)
    by_given = Q(given_key__gte=value, given_key__lt=upper)
    return NameResults(
        qs.filter(by_given).order_by("given_key", "id"),
        qs.filter(folded_name__gte=value, folded_name__lt=upper)
        .exclude(by_given)
        .order_by("folded_name", "id"),
    )


class NameResults:
    """Results of a name search: people whose given name starts with the words, in
    Vietnamese list order, then people whose full name does, in name order.

    Each part is read in the order of its own index, so a page of a broad search ("nguyen
    thi", a third of the commune) costs a short index scan instead of a sort of every match.
    Supports what pagination and templates need: slicing, iteration, ``count``, ``len``.
    """

    def __init__(self, first: QuerySet[Person], second: QuerySet[Person]):
        self.parts = (first, second)
        self._first_count: int | None = None
        self._first_at_least = 0  # what a capped count learnt of the first part

    def _first_len(self, stop: int | None = None) -> int:
        """Rows of the first part; for a slice ending at ``stop`` within what a capped count
        found, that bound is enough (the slice reads the first part only)."""
        if self._first_count is None:
            if stop is not None and stop <= self._first_at_least:
                return self._first_at_least
            self._first_count = self.parts[0].count()
        return self._first_count

    def count(self) -> int:
        return self._first_len() + self.parts[1].count()

    def count_upto(self, limit: int) -> int:
        """The count, but never reading more than ``limit`` rows of either part: "trí" or
        "nguyen thi" in a commune of a million people counts a thousand rows, not all."""
        first = self.parts[0][:limit].count()
        if first >= limit:
            self._first_at_least = limit
            return limit
        self._first_count = first
        return first + self.parts[1][: limit - first].count()

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[Person]:
        yield from self.parts[0]
        yield from self.parts[1]

    def __getitem__(self, index: slice) -> list[Person]:
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("NameResults supports plain slices only")
        start, stop = index.start or 0, index.stop
        if stop is None:
            raise TypeError("NameResults needs a slice with an end")
        n1 = self._first_len(stop)
        rows = list(self.parts[0][start:stop]) if start < n1 else []
        rest_start, rest_stop = max(0, start - n1), stop - n1
        if rest_stop > 0:
            rows += list(self.parts[1][rest_start:rest_stop])
        return rows


def household_events(household: Household) -> QuerySet[MembershipEvent]:
    return household.events.select_related("person", "other_household", "recorded_by")


def household_history(household: Household) -> QuerySet[AuditEntry]:
    """Audit entries of the household and of everyone who has been its member."""
    return AuditEntry.objects.filter(household_id=household.pk).select_related("actor")


def person_history(person: Person) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(
        model_label="registry.person", object_id=person.pk
    ).select_related("actor")


def audit_log(scope: Scope) -> QuerySet[AuditEntry]:
    if not scope.can_see_audit_log:
        raise Http404
    return AuditEntry.objects.filter(commune_code=scope.commune_code).select_related("actor")


def proposals_for(scope: Scope, *, pending_only: bool = False) -> QuerySet[ChangeProposal]:
    """Proposals of the scope's commune and villages (a proposal's scope is its village, for
    every kind); a village head sees only the own ones."""
    qs = scope.restrict(
        ChangeProposal.objects.filter(village__commune_id=scope.commune_code), "village_id"
    ).select_related(
        "household", "village", "created_household", "person", "proposed_by", "decided_by"
    )
    if scope.can_propose and not scope.can_edit:
        qs = qs.filter(proposed_by=scope.user)
    if pending_only:
        qs = qs.filter(status=ProposalStatus.PENDING)
    return qs


def proposal_get(scope: Scope, pk: int) -> ChangeProposal:
    return get_or_404(proposals_for(scope), pk)


def household_proposals(scope: Scope, household: Household) -> QuerySet[ChangeProposal]:
    """The proposals about a household, and the one it was registered from."""
    return proposals_for(scope).filter(Q(household=household) | Q(created_household=household))


@dataclass(frozen=True)
class DuplicateWarning:
    """A proposed member with the name and date of birth of someone already recorded in the
    commune: ``matches`` in the reader's scope (named), ``elsewhere`` outside it (counted)."""

    member: str
    born: dt.date
    matches: list[Person]
    elsewhere: int


def proposed_members(proposal: ChangeProposal) -> list[dict[str, Any]]:
    """The persons a proposal would add: a new household's members, or the one added."""
    payload = proposal.payload or {}
    if proposal.kind == ProposalKind.NEW_HOUSEHOLD:
        return [m for m in payload.get("members", []) if isinstance(m, dict)]
    if proposal.kind == ProposalKind.ADD_PERSON:
        return [payload]
    return []


def proposal_duplicates(
    scope: Scope, proposals: Sequence[ChangeProposal]
) -> dict[int, list[DuplicateWarning]]:
    """For each pending proposal that adds persons, the members whose folded name and date
    of birth are already recorded in the commune (one query for all of them)."""
    wanted: dict[int, list[tuple[str, str, dt.date]]] = {}
    for proposal in proposals:
        if proposal.status != ProposalStatus.PENDING:
            continue
        for member in proposed_members(proposal):
            try:
                born = dt.date.fromisoformat(str(member.get("date_of_birth", "")))
            except ValueError:
                continue
            name = str(member.get("full_name", ""))
            wanted.setdefault(proposal.pk, []).append((name, fold(name), born))
    keys = {key for rows in wanted.values() for _name, key, _born in rows}
    if not keys:
        return {}
    found: dict[tuple[str, dt.date], list[Person]] = {}
    same_names = Person.objects.filter(commune_id=scope.commune_code, folded_name__in=keys)
    for person in same_names.select_related("household", "village").order_by("id")[:500]:
        found.setdefault((person.folded_name, person.date_of_birth), []).append(person)
    out: dict[int, list[DuplicateWarning]] = {}
    for pk, rows in wanted.items():
        for name, key, born in rows:
            hits = found.get((key, born), [])
            if hits:
                seen = [p for p in hits if scope.allows_village(p.village_id)]
                warning = DuplicateWarning(name, born, seen, len(hits) - len(seen))
                out.setdefault(pk, []).append(warning)
    return out


@dataclass(frozen=True)
class VillageCount:
    village: Village
    households: int  # active households
    persons: int  # living people


def village_counts(scope: Scope) -> list[VillageCount]:
    """Active households and living people per village of the scope (the home page).
    Counted for the whole commune once per change of its data (``core/figures``)."""
    code = scope.commune_code

    def count() -> dict[int, tuple[int, int]]:
        households = dict(
            Household.objects.filter(commune_id=code, status=HouseholdStatus.ACTIVE)
            .values_list("village_id")
            .annotate(n=Count("id"))
            .values_list("village_id", "n")
        )
        persons = dict(
            Person.objects.filter(commune_id=code, life_status=LifeStatus.LIVING)
            .values_list("village_id")
            .annotate(n=Count("id"))
            .values_list("village_id", "n")
        )
        return {v: (households.get(v, 0), persons.get(v, 0)) for v in {*households, *persons}}

    counts = figures.counted(code, "village-counts", count).value
    return [VillageCount(v, *counts.get(v.pk, (0, 0))) for v in villages_for(scope)]


class HouseholdContact(NamedTuple):
    """Whom a message to a household reaches: its mobile phone in E.164 ("" when it has
    none), the head's name, its living members and its village."""

    phone: str
    head: str
    members: int
    village_id: int


#: Households read per query by :func:`household_contacts` (below SQLite's variable limit).
CONTACTS_CHUNK = 10_000


def household_contacts(scope: Scope, household_ids: Iterable[int]) -> dict[int, HouseholdContact]:
    """household id -> :class:`HouseholdContact`, for the households of ``household_ids``
    in the scope (two queries per :data:`CONTACTS_CHUNK` households; the others are left
    out). The phone is the household's contact phone if it is a mobile, else the head's
    mobile; the head is the living member recorded as head, else the first living member."""
    ids = list(dict.fromkeys(household_ids))
    out: dict[int, HouseholdContact] = {}
    for start in range(0, len(ids), CONTACTS_CHUNK):
        chunk = ids[start : start + CONTACTS_CHUNK]
        households = households_for(scope).filter(pk__in=chunk)
        phones: dict[int, tuple[str, int]] = {
            hid: (phone, village_id)
            for hid, phone, village_id in households.values_list("pk", "phone", "village_id")
        }
        heads: dict[int, tuple[str, str]] = {}
        members: dict[int, int] = {}
        living = persons_for(scope).filter(household_id__in=chunk, life_status=LifeStatus.LIVING)
        for hid, name, phone, rel in living.order_by("pk").values_list(
            "household_id", "full_name", "phone", "relationship"
        ):
            members[hid] = members.get(hid, 0) + 1
            if rel == Relationship.HEAD or hid not in heads:
                heads[hid] = (name, phone)
        for hid in chunk:
            if hid not in phones:
                continue
            own, village_id = phones[hid]
            name, head_phone = heads.get(hid, ("", ""))
            mobile = next((p for p in (own, head_phone) if p and is_mobile(p)), "")
            out[hid] = HouseholdContact(mobile, name, members.get(hid, 0), village_id)
    return out
