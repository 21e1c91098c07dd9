"""Reads of the housing registry: bounded, indexed, scoped by the staff user's houses, returning dataclasses.

Every record a staff member asks for by id is looked up within ``principal.house_ids`` (``None`` means every
house: admins); a record outside them is "not found", never "forbidden". Writes are in ``actions``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Collection
from collections.abc import Iterable
from collections.abc import Sequence
from collections.abc import Sized
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from piccolo.columns.combination import WhereRaw
from piccolo.query.methods.select import Count
from piccolo.query.methods.select import Sum
from piccolo.querystring import QueryString

from portal.core.address import PremiseAddress
from portal.core.address import full_address
from portal.core.clauses import either
from portal.core.clauses import every
from portal.core.db import from_row
from portal.core.pagination import Page
from portal.core.pagination import PageRequest
from portal.core.parse import normalize_phone
from portal.core.parse import parse_id
from portal.core.rows import columns_of
from portal.core.search import MIN_TERM
from portal.core.search import normalise
from portal.core.search import terms_of
from portal.core.search import text_match
from portal.core.security import Principal
from portal.core.values import placeholders
from portal.housing import rules
from portal.housing.tables import Complex
from portal.housing.tables import Entrance
from portal.housing.tables import House
from portal.housing.tables import Owner
from portal.housing.tables import Ownership
from portal.housing.tables import PersonalAccount
from portal.housing.tables import Premise
from portal.housing.tables import PremiseRiser
from portal.housing.tables import Riser

Houses = frozenset[int] | None


def _ids(houses: Iterable[int] | None) -> list[int]:
    """A scope as a list usable in ``is_in`` (an empty scope matches nothing)."""
    return sorted(houses) if houses else [-1]


def area(value: Any) -> Decimal:
    """An area as stored (SQLite hands NUMERIC back as 54.7) with its two decimals."""
    if value is None:
        return Decimal("0.00")
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _where(query: Any, condition: Any) -> Any:
    return query.where(condition) if condition is not None else query


async def _in_scope(query: Any, house: Any, principal: Principal, make: Callable[[dict[str, Any]], Any]) -> Any:
    """The record ``query`` reads, made into its view, if its ``house`` is one of the user's; None otherwise."""
    row = await _where(query, house_scope(house, principal)).first()
    return make(row) if row else None


async def _page(query: Any, count_query: Any, page: PageRequest, make: Any, **counted: tuple[Any, Any]) -> Page[Any]:
    """One page of ``query`` made into items; ``counted``: a (table, column) per keyword of ``make``, whose rows
    pointing at each item are counted for the page at once."""
    total = await count_query
    rows = await query.limit(page.size).offset(page.offset) if total else []
    ids = [r["id"] for r in rows]
    counts = {name: await _count_by(table, column, ids) for name, (table, column) in counted.items()}
    items = [make(r, **{name: n.get(r["id"], 0) for name, n in counts.items()}) for r in rows]
    return Page(items=items, total=total, number=page.number, size=page.size)


# --- houses in a staff user's scope ---------------------------------------------------------------------
# THE one answer to "which houses does this staff member work with" for every domain: the list for a filter or
# a form (``houses_in_scope``) and the condition for a query (``house_scope``). Admins see every house
# (``principal.house_ids`` is None); a staff member with no houses sees none.

HOUSES_LIMIT = 500  # a management company runs tens to a few hundred houses


@dataclass(frozen=True)
class HouseRef:
    """A house as a choice in a filter or a form."""

    id: int
    address: str


async def houses_in_scope(principal: Principal, *, limit: int = HOUSES_LIMIT) -> list[HouseRef]:
    """The houses ``principal`` works with, by address, at most ``limit`` of them."""
    query = House.select(House.id, House.address).order_by(House.address).limit(limit)
    if principal.house_ids is not None:
        if not principal.house_ids:
            return []
        query = query.where(House.id.is_in(sorted(principal.house_ids)))
    return [HouseRef(id=r["id"], address=r["address"]) for r in await query]


def house_scope(column: Any, principal: Principal) -> Any:
    """A condition keeping ``column`` (``House.id`` or a foreign key to a house, e.g. ``Ticket.house`` or
    ``Payment.account.premise.house``) within the principal's houses; None when they see every house."""
    if principal.house_ids is None:
        return None
    return column.is_in(_ids(principal.house_ids))


# --- staff search ----------------------------------------------------------------------------------------


def _short_numbers(q: str) -> list[str]:
    """Numbers in a query too short for the trigram index (a flat number: "12"), matched exactly instead."""
    return [w for w in normalise(q).split(" ") if w.isascii() and w.isdigit() and len(w) < MIN_TERM]


def account_search(q: str, owned: Sequence[int] = ()) -> Any:
    """Every word of ``q`` (the index), short numbers as the premise number, or the whole account number typed; or
    an account of the premises ``owned`` by the owners ``q`` names (``premises_owned_by``: the person on the phone
    is often an owner who is not the payer). The premises come as a list, so the engine joins the three by indexes."""
    words = every(
        [text_match("personal_account", "search_text", q)]
        + [PersonalAccount.premise.number == n for n in _short_numbers(q)]
    )
    number = q.strip().lstrip("№#").strip()
    whole = number.isascii() and number.isdigit() and len(number) <= 20
    exact = PersonalAccount.number == number if whole else None  # unique index
    return either([exact, words, PersonalAccount.premise.is_in(list(owned)) if owned else None])


OWNED_PREMISES = 200


async def premises_owned_by(q: str) -> list[int]:
    """The premises of the owners whose name, phone or e-mail has every word of ``q``; at most ``OWNED_PREMISES``."""
    owners = _owner_search(q)
    if owners is None:
        return []
    named = Owner.select(Owner.id).where(owners)
    rows = await Ownership.select(Ownership.premise).where(Ownership.owner.is_in(named)).limit(OWNED_PREMISES)
    return sorted({r["premise"] for r in rows})


async def account_match(q: str, people: Collection[int] = ()) -> Any:
    """The staff search of accounts: ``account_search`` with the premises of the owners ``q`` names, or one of the
    accounts ``people`` (those of the portal user whose phone ``q`` is, ``accounts.queries.residents_by_phone``): a
    caller is found by any phone the portal knows, the owners' register's or a resident's confirmed one. ``None``:
    nothing to look for."""
    q = q.strip()
    owned = account_search(q, await premises_owned_by(q)) if q else None
    return either([owned, PersonalAccount.id.is_in(sorted(people)) if people else None])


_PHONE_PART = re.compile(r"[+(]*\d[\d()\-.]*")


def _owner_search(q: str) -> Any:
    """Phones are stored as digits: "(978) 111-22-33" is searched as "9781112233" (a part: the last digits, the
    first ones). A whole number, however typed («8 978 555 00 01»), is that phone alone, not its groups word by
    word: the index cannot answer the short ones, and «978 555» matched every owner of 978 555-…. It is looked for
    as dialled, 8 and ten digits: the search text holds every owner's phone so, and no other eleven digits in a row
    but an INN's."""
    phone = normalize_phone(q)
    if phone is not None:
        return text_match("owner", "search_text", "8" + phone[2:])
    words = [re.sub(r"\D", "", w) if _PHONE_PART.fullmatch(w) else w for w in q.split()]
    if len(words) > 1 and all(w.isdigit() for w in words):
        # Groups of digits alone are one part of a number as dictated («555 44»): word by word they were «555» (the
        # index cannot answer «44»), and found every owner with 555 anywhere in the phone.
        words = ["".join(words)]
    return text_match("owner", "search_text", " ".join(words))


# --- overview, complexes and houses ----------------------------------------------------------------------


@dataclass(frozen=True)
class OverviewCounts:
    complexes: int
    houses: int
    premises: int
    accounts: int


async def overview_counts(principal: Principal) -> OverviewCounts:
    """How many complexes, houses, premises and accounts the user works with."""
    houses = principal.house_ids
    if houses is None:
        return OverviewCounts(
            complexes=await Complex.count(),
            houses=await House.count(),
            premises=await Premise.count(),
            accounts=await PersonalAccount.count(),
        )
    ids = _ids(houses)
    complex_rows = await House.select(House.complex).where(House.id.is_in(ids)).distinct()
    return OverviewCounts(
        complexes=len(complex_rows),
        houses=await House.count().where(House.id.is_in(ids)),
        premises=await Premise.count().where(Premise.house.is_in(ids)),
        accounts=await PersonalAccount.count().where(PersonalAccount.premise.house.is_in(ids)),
    )


@dataclass(frozen=True)
class ComplexView:
    id: int
    name: str
    city: str
    houses: int = 0


async def complexes(principal: Principal | None) -> list[ComplexView]:
    """Complexes with the number of their houses in scope (a company has 1–50 of them); ``None``: every one."""
    houses = principal.house_ids if principal else None
    query = House.select(House.complex, Count(House.id, alias="houses")).group_by(House.complex)
    if houses is not None:
        query = query.where(House.id.is_in(_ids(houses)))
    counts = {r["complex"]: r["houses"] for r in await query}
    rows = await Complex.select(Complex.id, Complex.name, Complex.city).order_by(Complex.name).limit(500)
    return [
        ComplexView(id=r["id"], name=r["name"], city=r["city"] or "", houses=counts.get(r["id"], 0))
        for r in rows
        if houses is None or counts.get(r["id"], 0) > 0
    ]


async def get_complex(complex_id: int) -> ComplexView | None:
    """A complex (complexes are the company's as a whole: only admins edit them)."""
    row = await Complex.select(Complex.id, Complex.name, Complex.city).where(Complex.id == complex_id).first()
    return ComplexView(id=row["id"], name=row["name"], city=row["city"] or "") if row else None


@dataclass(frozen=True)
class HouseView:
    id: int
    address: str
    floors: int
    complex_id: int
    complex_name: str
    fias_id: str = ""
    developer_name: str = ""
    developer_email: str = ""
    commissioned_on: date | None = None
    entrances: int = 0
    premises: int = 0


_HOUSE_COLUMNS = columns_of(House, HouseView, complex_id=House.complex.id, complex_name=House.complex.name)


def _house(row: dict[str, Any], **extra: int) -> HouseView:
    return HouseView(
        id=row["id"],
        address=row["address"],
        floors=row["floors"],
        complex_id=row["complex_id"],
        complex_name=row["complex_name"] or "",
        fias_id=row["fias_id"] or "",
        developer_name=row["developer_name"],
        developer_email=row["developer_email"],
        commissioned_on=row["commissioned_on"],
        **extra,
    )


async def list_houses(
    principal: Principal, page: PageRequest, q: str = "", complex_id: int | None = None
) -> Page[HouseView]:
    condition = every(
        [
            house_scope(House.id, principal),
            text_match("house", "search_text", q) if q else None,
            House.complex == complex_id if complex_id else None,
        ]
    )
    query = House.select(*_HOUSE_COLUMNS).order_by(House.complex.name, House.address)
    counted = {"premises": (Premise, Premise.house), "entrances": (Entrance, Entrance.house)}
    return await _page(_where(query, condition), _where(House.count(), condition), page, _house, **counted)


async def _count_by(table: Any, column: Any, ids: list[int]) -> dict[int, int]:
    """How many rows of ``table`` each of ``ids`` has in ``column`` (one grouped query)."""
    if not ids:
        return {}
    name = column._meta.name
    rows = await table.select(column, Count(table.id, alias="n")).where(column.is_in(ids)).group_by(column)
    return {r[name]: r["n"] for r in rows}


async def get_house(principal: Principal, house_id: int) -> HouseView | None:
    if not principal.may_see_house(house_id):
        return None
    row = await House.select(*_HOUSE_COLUMNS).where(House.id == house_id).first()
    return _house(row) if row else None


@dataclass(frozen=True)
class HouseTotals:
    premises: int
    area: Decimal
    accounts: int
    by_kind: list[tuple[str, int]]


async def house_totals(house_id: int) -> HouseTotals:
    row = (
        await Premise.select(Count(Premise.id, alias="n"), Sum(Premise.area, alias="area"))
        .where(Premise.house == house_id)
        .first()
    )
    by_kind = await (
        Premise.select(Premise.kind, Count(Premise.id, alias="n"))
        .where(Premise.house == house_id)
        .group_by(Premise.kind)
    )
    return HouseTotals(
        premises=row["n"] if row else 0,
        area=area(row["area"] if row else 0),
        accounts=await PersonalAccount.count().where(PersonalAccount.premise.house == house_id),
        by_kind=sorted(((r["kind"], r["n"]) for r in by_kind), key=lambda kv: rules.premise_sort_key(kv[0], "")),
    )


@dataclass(frozen=True)
class EntranceView:
    id: int
    house_id: int
    number: int
    floors: int
    premises: int = 0


async def entrances_of(house_id: int) -> list[EntranceView]:
    rows = await Entrance.select().where(Entrance.house == house_id).order_by(Entrance.number).limit(200)
    counts = await (
        Premise.select(Premise.entrance, Count(Premise.id, alias="n"))
        .where(Premise.house == house_id)
        .group_by(Premise.entrance)
    )
    by_entrance = {r["entrance"]: r["n"] for r in counts}
    return [
        EntranceView(r["id"], r["house"], r["number"], r["floors"], premises=by_entrance.get(r["id"], 0)) for r in rows
    ]


async def get_entrance(principal: Principal, entrance_id: int) -> EntranceView | None:
    query = Entrance.select().where(Entrance.id == entrance_id)
    return await _in_scope(
        query, Entrance.house, principal, lambda r: EntranceView(r["id"], r["house"], r["number"], r["floors"])
    )


@dataclass(frozen=True)
class RiserView:
    id: int
    code: str
    kind: str
    entrance_number: int | None = None
    premises: int = 0


async def risers_of(house_id: int) -> list[RiserView]:
    rows = await (
        Riser.select(Riser.id, Riser.code, Riser.kind, Riser.entrance.number.as_alias("entrance_number"))
        .where(Riser.house == house_id)
        .order_by(Riser.code)
        .limit(1000)
    )
    counts = await (
        PremiseRiser.select(PremiseRiser.riser, Count(PremiseRiser.id, alias="n"))
        .where(PremiseRiser.riser.house == house_id)
        .group_by(PremiseRiser.riser)
    )
    by_riser = {r["riser"]: r["n"] for r in counts}
    return [
        RiserView(r["id"], r["code"], r["kind"], r["entrance_number"], premises=by_riser.get(r["id"], 0)) for r in rows
    ]


async def risers_of_premise(premise_id: int) -> list[RiserView]:
    rows = await (
        PremiseRiser.select(
            PremiseRiser.riser.id.as_alias("id"),
            PremiseRiser.riser.code.as_alias("code"),
            PremiseRiser.riser.kind.as_alias("kind"),
        )
        .where(PremiseRiser.premise == premise_id)
        .order_by(PremiseRiser.riser.code)
        .limit(100)
    )
    return [RiserView(r["id"], r["code"], r["kind"]) for r in rows]


# --- premises --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountRef:
    id: int
    number: str


@dataclass(frozen=True)
class OwnerRef:
    owner_id: int
    name: str


@dataclass(frozen=True)
class PremiseRow:
    """A premise in the house's list, with its risers, accounts and owners."""

    id: int
    kind: str
    number: str
    floor: int | None
    area: Decimal
    entrance_number: int | None
    risers: list[str] = field(default_factory=list)
    accounts: list[AccountRef] = field(default_factory=list)
    owners: list[OwnerRef] = field(default_factory=list)


@dataclass(frozen=True)
class PremiseFilter:
    entrance_id: int | None = None
    floor: int | None = None
    kind: str = ""


_PREMISE_ROW_COLUMNS = columns_of(Premise, PremiseRow, entrance_number=Premise.entrance.number)


async def premises_of(house_id: int, page: PageRequest, where: PremiseFilter | None = None) -> Page[PremiseRow]:
    where = where or PremiseFilter()
    condition = every(
        [
            Premise.house == house_id,
            Premise.entrance == where.entrance_id if where.entrance_id else None,
            Premise.floor == where.floor if where.floor is not None else None,
            Premise.kind == where.kind if where.kind else None,
        ]
    )
    order = (Premise.kind, QueryString('length("premise"."number")'), Premise.number)
    query = Premise.select(*_PREMISE_ROW_COLUMNS).order_by(*order)
    result = await _page(query.where(condition), Premise.count().where(condition), page, _premise_row)
    await _attach_premise_details(result.items)
    return result


def _premise_row(r: dict[str, Any]) -> PremiseRow:
    return PremiseRow(r["id"], r["kind"], r["number"], r["floor"], area(r["area"]), r["entrance_number"])


async def _attach_premise_details(items: Iterable[PremiseRow]) -> None:
    """Risers, accounts and owners of a page of premises: three queries whatever the page size."""
    by_id = {p.id: p for p in items}
    if not by_id:
        return
    ids = list(by_id)
    risers = await (
        PremiseRiser.select(PremiseRiser.premise, PremiseRiser.riser.code.as_alias("code"))
        .where(PremiseRiser.premise.is_in(ids))
        .order_by(PremiseRiser.riser.code)
    )
    for r in risers:
        by_id[r["premise"]].risers.append(r["code"])
    accounts = await (
        PersonalAccount.select(PersonalAccount.id, PersonalAccount.number, PersonalAccount.premise)
        .where(PersonalAccount.premise.is_in(ids))
        .order_by(PersonalAccount.number)
    )
    for r in accounts:
        by_id[r["premise"]].accounts.append(AccountRef(r["id"], r["number"]))
    owners = await (
        Ownership.select(
            Ownership.premise, Ownership.owner.id.as_alias("owner_id"), Ownership.owner.name.as_alias("name")
        )
        .where(Ownership.premise.is_in(ids))
        .order_by(Ownership.id)
    )
    for r in owners:
        by_id[r["premise"]].owners.append(OwnerRef(r["owner_id"], r["name"]))


@dataclass(frozen=True)
class PremiseView:
    id: int
    kind: str
    number: str
    floor: int | None
    area: Decimal
    house_id: int
    house_address: str
    entrance_id: int | None
    entrance_number: int | None

    @property
    def address(self) -> str:
        """«г. Симферополь, ул. Балаклавская, д. 68, кв. 12» in the reader's language."""
        return full_address(self.house_address, self.kind, self.number)


async def get_premise(principal: Principal, premise_id: int) -> PremiseView | None:
    joined = {"house_id": Premise.house.id, "house_address": Premise.house.address, "entrance_id": Premise.entrance.id}
    columns = columns_of(Premise, PremiseView, **joined, entrance_number=Premise.entrance.number)
    query = Premise.select(*columns).where(Premise.id == premise_id)
    return await _in_scope(query, Premise.house, principal, lambda r: from_row(PremiseView, r, area=area(r["area"])))


# --- ownerships ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InPremise(PremiseAddress):
    """The premise a share or an account is of, with its house, and the address they make together."""

    premise_id: int
    premise_kind: str
    premise_number: str
    area: Decimal
    house_id: int
    house_address: str


def premise_joins(premise: Any) -> dict[str, Any]:
    """The fields of ``InPremise`` read through a foreign key to a premise (``Ownership.premise`` …)."""
    return {
        "premise_id": premise.id,
        "premise_kind": premise.kind,
        "premise_number": premise.number,
        "area": premise.area,
        "house_id": premise.house.id,
        "house_address": premise.house.address,
    }


def _in_premise(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "premise_id": r["premise_id"],
        "premise_kind": r["premise_kind"] or "",
        "premise_number": r["premise_number"] or "",
        "area": area(r["area"]),
        "house_id": r["house_id"],
        "house_address": r["house_address"] or "",
    }


@dataclass(frozen=True)
class OwnershipView(InPremise):
    """An owner's share of a premise, seen from the premise (owner's name) or from the owner (the premise)."""

    id: int
    owner_id: int
    owner_name: str
    owner_kind: str
    owner_phone: str
    share_numerator: int
    share_denominator: int
    joint: bool
    document: str
    valid_from: date | None

    @property
    def share(self) -> str:
        return rules.share_text(self.share_numerator, self.share_denominator)

    @property
    def fraction(self) -> tuple[Fraction, bool]:
        return (Fraction(self.share_numerator, self.share_denominator), self.joint)


_OWNERSHIP_COLUMNS = columns_of(
    Ownership,
    OwnershipView,
    **premise_joins(Ownership.premise),
    owner_id=Ownership.owner.id,
    owner_name=Ownership.owner.name,
    owner_kind=Ownership.owner.kind,
    owner_phone=Ownership.owner.phone,
)


def _ownership(r: dict[str, Any]) -> OwnershipView:
    return from_row(
        OwnershipView, r, joint=bool(r["joint"]), document=r["document"] or "", owner_phone=r["owner_phone"] or "",
        **_in_premise(r),
    )  # fmt: skip


async def ownerships_of_premise(premise_id: int) -> list[OwnershipView]:
    query = Ownership.select(*_OWNERSHIP_COLUMNS).where(Ownership.premise == premise_id)
    return [_ownership(r) for r in await query.order_by(Ownership.id).limit(200)]


async def ownerships_of_owner(principal: Principal, owner_id: int) -> list[OwnershipView]:
    query = Ownership.select(*_OWNERSHIP_COLUMNS).where(Ownership.owner == owner_id)
    query = _where(query, house_scope(Ownership.premise.house, principal))
    return [_ownership(r) for r in await query.order_by(Ownership.id).limit(200)]


async def get_ownership(principal: Principal, ownership_id: int) -> OwnershipView | None:
    query = Ownership.select(*_OWNERSHIP_COLUMNS).where(Ownership.id == ownership_id)
    return await _in_scope(query, Ownership.premise.house, principal, _ownership)


async def shares_of_premise(
    premise_id: int, except_id: int | None = None, on: date | None = None
) -> list[tuple[Fraction, bool]]:
    """The shares of a premise; with ``on``, those not ended before that day (a share that passed to a new owner
    the day before no longer counts against the new one)."""
    query = Ownership.select(Ownership.share_numerator, Ownership.share_denominator, Ownership.joint).where(
        Ownership.premise == premise_id
    )
    if except_id:
        query = query.where(Ownership.id != except_id)
    if on is not None:
        query = query.where(Ownership.valid_to.is_null() | (Ownership.valid_to >= on))
    return [(Fraction(r["share_numerator"], r["share_denominator"]), bool(r["joint"])) for r in await query]


# --- personal accounts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountView(InPremise):
    id: int
    number: str
    payer_name: str
    opened_on: date | None
    closed_on: date | None


_ACCOUNT_COLUMNS = columns_of(PersonalAccount, AccountView, **premise_joins(PersonalAccount.premise))


def _account(r: dict[str, Any]) -> AccountView:
    return AccountView(
        id=r["id"],
        number=r["number"],
        payer_name=r["payer_name"] or "",
        opened_on=r["opened_on"],
        closed_on=r["closed_on"],
        **_in_premise(r),
    )


async def list_accounts(
    principal: Principal, page: PageRequest, q: str = "", people: Collection[int] = ()
) -> Page[AccountView]:
    """«Лицевые счета»: the accounts ``q`` names (``account_match``; ``people``: those of the resident whose phone it
    is), in the user's houses, by number."""
    search = await account_match(q, people) if q.strip() else None
    condition = every([house_scope(PersonalAccount.premise.house, principal), search])
    query = PersonalAccount.select(*_ACCOUNT_COLUMNS).order_by(PersonalAccount.number)
    return await _page(_where(query, condition), _where(PersonalAccount.count(), condition), page, _account)


async def accounts_of_premise(premise_id: int) -> list[AccountView]:
    query = PersonalAccount.select(*_ACCOUNT_COLUMNS).where(PersonalAccount.premise == premise_id)
    return [_account(r) for r in await query.order_by(PersonalAccount.number).limit(50)]


async def get_account(principal: Principal, account_id: int) -> AccountView | None:
    query = PersonalAccount.select(*_ACCOUNT_COLUMNS).where(PersonalAccount.id == account_id)
    return await _in_scope(query, PersonalAccount.premise.house, principal, _account)


# --- owners ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OwnerView:
    id: int
    kind: str
    name: str
    inn: str
    phone: str
    email: str
    premises: int = 0


_OWNER_COLUMNS = columns_of(Owner, OwnerView)


def _owner(r: dict[str, Any], premises: int = 0) -> OwnerView:
    return OwnerView(r["id"], r["kind"], r["name"], r["inn"] or "", r["phone"] or "", r["email"] or "", premises)


# The owners a staff user may see, as parts of one UNION of owner ids; ``{houses}``: a placeholder per house.
_SHARE_IN_HOUSES = (
    "SELECT share.owner FROM ownership AS share JOIN premise AS place ON place.id = share.premise "
    "WHERE place.house IN ({houses})"
)
# An owner holding no share: one look-up in the index of shares by owner for each owner entered a part names. The
# OFFSET keeps PostgreSQL from turning it into a join that may read every share of the company instead.
_ENTERED_FOR_HOUSES = (
    "SELECT entry.owner FROM owner_house AS entry WHERE entry.house IN ({houses}) "
    "AND NOT EXISTS (SELECT 1 FROM ownership AS held WHERE held.owner = entry.owner LIMIT 1 OFFSET 0)"
)
_ENTERED_BY_USER = (
    "SELECT mine.id FROM owner AS mine WHERE mine.entered_by = {{}} "
    "AND NOT EXISTS (SELECT 1 FROM ownership AS held WHERE held.owner = mine.id LIMIT 1 OFFSET 0)"
)


def owner_scope(principal: Principal) -> Any:
    """Owners the user may see (None: every one, for admins), as one condition for a list, a search or a look-up:

    - an owner holding a share in the user's houses;
    - an owner holding no share anywhere (just entered, to be attached) whom the user entered, or who was entered
      for one of the user's houses (``OwnerHouse``: the houses of the colleague who entered them).

    An owner holding no share and entered by nobody recorded (before it was recorded, or by an import) is the
    admins' only; an owner of another house only is never the user's, nor their phone, e-mail and INN.

    The three are one list of owner ids (a UNION), each part read by its index from the user's houses or id: an OR
    of them would be asked of every owner of the company, which a list's count would read whole."""
    if principal.house_ids is None:
        return None
    houses = _ids(principal.house_ids)
    parts, args = [_SHARE_IN_HOUSES, _ENTERED_FOR_HOUSES], [*houses, *houses]
    if principal.user_id is not None:
        parts.append(_ENTERED_BY_USER)
        args.append(principal.user_id)
    union = " UNION ".join(parts).format(houses=placeholders(houses))
    return WhereRaw(f"owner.id IN ({union})", *args)


async def list_owners(principal: Principal, page: PageRequest, q: str = "") -> Page[OwnerView]:
    condition = every([owner_scope(principal), _owner_search(q) if q else None])
    query = Owner.select(*_OWNER_COLUMNS).order_by(Owner.name)
    counted = {"premises": (Ownership, Ownership.owner)}
    return await _page(_where(query, condition), _where(Owner.count(), condition), page, _owner, **counted)


async def get_owner(principal: Principal, owner_id: int) -> OwnerView | None:
    """An owner the user may see (``owner_scope``); None otherwise, as for one who does not exist."""
    row = await Owner.select(*_OWNER_COLUMNS).where(every([Owner.id == owner_id, owner_scope(principal)])).first()
    return _owner(row) if row else None


SERIAL_MAX = 2**31 - 1  # the owners' ids are PostgreSQL's SERIAL: a longer number (an unknown INN) is nobody's id


async def find_owner(principal: Principal, reference: str) -> OwnerView | None:
    """An owner the user may see, by its number in the registry or by an exact INN.

    Owners are looked up within ``owner_scope`` like every other record within the user's houses (admins:
    company-wide), so that attaching an owner to a premise never reaches the contacts of an owner of another house,
    nor of one entered by a manager of another house. One query by INN, then (nothing found) one by number."""
    text = reference.strip()
    if not (text.isascii() and text.isdigit()):
        return None
    scope = owner_scope(principal)
    row = None
    if len(text) in (10, 12):
        row = await Owner.select(*_OWNER_COLUMNS).where(every([Owner.inn == text, scope])).order_by(Owner.id).first()
    if row is None and (owner_id := parse_id(text)) is not None and owner_id <= SERIAL_MAX:
        row = await Owner.select(*_OWNER_COLUMNS).where(every([Owner.id == owner_id, scope])).first()
    return _owner(row) if row else None


OWNER_MATCHES = 8


@dataclass(frozen=True)
class OwnerChoice:
    """What the add-share form's «Собственник» names: the owner the share goes to (the number or INN typed whole,
    or the one picked among the matches of the words typed) and the matches shown to confirm or choose from."""

    typed: str
    owner: OwnerView | None
    matches: list[OwnerView]
    more: bool = False  # more owners match than are shown: more words would narrow them


def _name_begins(typed: str) -> QueryString:
    """Owners whose name begins with the first word first: «иванов» puts Иванов before Белов Павел Иванович."""
    first = (terms_of(typed) or [""])[0]
    return QueryString(f"CASE WHEN substr(owner.search_text, 1, {len(first)}) = {{}} THEN 0 ELSE 1 END", first)


async def owner_choice(principal: Principal, typed: str, picked: int | None) -> OwnerChoice:
    """The owner for a new share. A pick counts only among the matches of what is typed now; the words are the
    owners list's search (name, phone, INN, e-mail; indexed), at most ``OWNER_MATCHES`` shown, by name."""
    typed = typed.strip()[:100]
    exact = await find_owner(principal, typed) if typed else None
    words = _owner_search(typed) if typed else None
    rows = []
    if words is not None:
        query = Owner.select(*_OWNER_COLUMNS).where(every([words, owner_scope(principal)]))
        rows = await query.order_by(_name_begins(typed), Owner.name, Owner.id).limit(OWNER_MATCHES + 1)
    matches = [_owner(r) for r in rows]
    if exact is not None and exact not in matches:
        matches = [exact, *matches]
    chosen = next((m for m in matches[:OWNER_MATCHES] if m.id == picked), None)
    return OwnerChoice(typed, chosen or exact, matches[:OWNER_MATCHES], len(matches) > OWNER_MATCHES)


# --- uniqueness of what the forms write ------------------------------------------------------------------


async def _taken(table: Any, condition: Any, except_id: int | None) -> bool:
    query = table.exists().where(condition)
    return await (query.where(table.id != except_id) if except_id else query)


async def complex_name_taken(name: str, except_id: int | None = None) -> bool:
    return await _taken(Complex, Complex.name == name, except_id)


async def house_address_taken(address: str, except_id: int | None = None) -> bool:
    return await _taken(House, House.address == address, except_id)


async def entrance_taken(house_id: int, number: int, except_id: int | None = None) -> bool:
    return await _taken(Entrance, (Entrance.house == house_id) & (Entrance.number == number), except_id)


async def premise_taken(house_id: int, kind: str, number: str, except_id: int | None = None) -> bool:
    condition = (Premise.house == house_id) & (Premise.kind == kind) & (Premise.number == number)
    return await _taken(Premise, condition, except_id)


async def owner_taken(name: str, inn: str | None, except_id: int | None = None) -> bool:
    condition = (Owner.name == name) & ((Owner.inn == inn) if inn else Owner.inn.is_null())
    return await _taken(Owner, condition, except_id)


async def ownership_exists(premise_id: int, owner_id: int, except_id: int | None = None) -> bool:
    condition = (Ownership.premise == premise_id) & (Ownership.owner == owner_id)
    return await _taken(Ownership, condition, except_id)


async def account_number_taken(number: str, except_id: int | None = None) -> bool:
    return await _taken(PersonalAccount, PersonalAccount.number == number, except_id)


# --- who an account's people are: the one SQL condition of every read of people through their accounts ---------


def open_on(account: str) -> str:
    """SQL: the personal account ``account`` (a table name or an alias) is open on the day given as this condition's
    one parameter (``rules.account_open``: through its closing day). The sending of a notice reaches the people of
    open accounts only, so nobody hears of a house they left, their own flat's former owners included."""
    return f"({account}.closed_on IS NULL OR {account}.closed_on >= {{}})"


def kept_by(residency: str) -> str:
    """SQL: the residency ``residency`` (a table name or an alias) still makes its user one of its account's people on
    the day given as this condition's one parameter (``rules.account_kept``): every resident of an open account, only
    owners of a closed one. A family member or tenant of a closed account is not listed with it, named by it, told of
    it or found by it. Its account is looked up by its primary key."""
    account = "kept_account"
    return (  # names and {} placeholders only
        f"({residency}.role = 'owner' OR EXISTS (SELECT 1 FROM personal_account {account} "  # noqa: S608
        f"WHERE {account}.id = {residency}.account AND {open_on(account)}))"
    )


def kept(today: date) -> WhereRaw:
    """``kept_by`` as a condition of a query of ``Residency`` (its table named as Piccolo names it)."""
    return WhereRaw(kept_by("residency"), today)


@dataclass(frozen=True)
class ClosedAccount:
    """A resident's account closed to anything new (``Principal.may_act_on``): its number and closing day."""

    id: int
    number: str
    closed_on: date


async def closed_accounts(principal: Principal, right: str, offered: Sized = ()) -> list[ClosedAccount]:
    """The caller's accounts with ``right`` that are closed, each the reason they may not start on it what ``right``
    allows: a page with nothing to offer (``offered`` empty) says so rather than blaming the access granted
    (templates/housing/_closed.html); a page with something to offer asks nothing."""
    ids = [] if offered else sorted(a for a in principal.closed_accounts if principal.may_on_account(a, right))
    if not ids:
        return []
    rows = (
        await PersonalAccount.select(PersonalAccount.id, PersonalAccount.number, PersonalAccount.closed_on)
        .where(PersonalAccount.id.is_in(ids) & PersonalAccount.closed_on.is_not_null())
        .order_by(PersonalAccount.number)
    )
    return [ClosedAccount(**r) for r in rows]
