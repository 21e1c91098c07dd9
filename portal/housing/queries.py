"""Every database access of the housing registry: bounded, indexed, scoped by the staff user's houses.

``houses`` is the principal's ``house_ids``: ``None`` means every house (admins), a set limits every list and
every record to those houses; a record outside them is "not found", never "forbidden".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from piccolo.columns.combination import Where
from piccolo.query.methods.select import Count, Sum
from piccolo.querystring import QueryString

from portal.core.audit import diff, record
from portal.core.db import atomic
from portal.core.i18n import gettext
from portal.core.pagination import Page, PageRequest
from portal.core.search import MIN_TERM, normalise, text_match
from portal.core.security import Principal
from portal.housing import registry, rules
from portal.housing.tables import (
    Complex,
    Entrance,
    House,
    Owner,
    Ownership,
    PersonalAccount,
    Premise,
    PremiseRiser,
    Riser,
)

Row = dict[str, Any]
Houses = frozenset[int] | None


def _ids(houses: Houses) -> list[int]:
    """The scope as a list usable in ``is_in`` (an empty scope matches nothing)."""
    return sorted(houses) if houses else [-1]


def _and(conditions: Iterable[Where | Any]) -> Any:
    combined = None
    for condition in conditions:
        combined = condition if combined is None else combined & condition
    return combined


def _area(value: Any) -> Decimal:
    if value is None:
        return Decimal("0.00")
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _premise_order() -> list[Any]:
    return [Premise.kind, QueryString('length("premise"."number")'), Premise.number]


async def _page(query: Any, count_query: Any, page: PageRequest) -> Page[Row]:
    total = await count_query
    items = await query.limit(page.size).offset(page.offset) if total else []
    return Page(items=items, total=total, number=page.number, size=page.size)


def _where(query: Any, condition: Any) -> Any:
    return query.where(condition) if condition is not None else query


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


# --- staff search ---------------------------------------------------------------------------------------
# Each searchable table keeps ``search_text``: the words its staff list is searched by, normalised. ONE function
# per table builds it, and every write (staff forms, registry import, demo seed, the migration's back-fill) goes
# through it; the index on it (pg_trgm / FTS5 trigram) is built by search_ddl in a migration.

_PREMISE_MARKS = {"flat": "кв.", "nonresidential": "пом."}


def house_search_text(address: str, complex_name: str) -> str:
    """What the houses list is searched by: the address and the complex's name."""
    return normalise(" | ".join(p for p in (address, complex_name) if p))


def account_search_text(number: str, payer_name: str, address: str, premise_kind: str, premise_number: str) -> str:
    """What the accounts list is searched by: number, payer, the house's address, the premise ("кв. 12")."""
    premise = f"{_PREMISE_MARKS.get(premise_kind, '')} {premise_number}".strip() if premise_number else ""
    return normalise(" | ".join(p for p in (number, payer_name, address, premise) if p))


def owner_search_text(name: str, inn: str | None, phone: str, email: str) -> str:
    """What the owners list is searched by: name, INN, phone (+7…, also as 8…, as people dial it) and e-mail."""
    digits = re.sub(r"\D", "", phone or "")
    dialled = "8" + digits[1:] if len(digits) == 11 and digits.startswith("7") else ""
    parts = (name, inn or "", phone, dialled, email)
    return normalise(" | ".join(p for p in parts if p))


def _short_numbers(q: str) -> list[str]:
    """Numbers in a query too short for the trigram index (a flat number: "12"), matched exactly instead."""
    return [w for w in normalise(q).split(" ") if w.isdigit() and len(w) < MIN_TERM]


def _every(clauses: Iterable[Any]) -> Any:
    present = [c for c in clauses if c is not None]
    return _and(present) if present else None


def _house_search(q: str) -> Any:
    return text_match("house", "search_text", q)


def _account_search(q: str) -> Any:
    """Every word of ``q`` (the index), short numbers as the premise number, or the whole account number typed."""
    words = _every(
        [text_match("personal_account", "search_text", q)]
        + [PersonalAccount.premise.number == n for n in _short_numbers(q)]
    )
    number = q.strip().lstrip("№#").strip()
    if number.isdigit():
        exact = PersonalAccount.number == number  # unique index
        return exact if words is None else exact | words
    return words


def _owner_search(q: str) -> Any:
    """Phones are stored as digits: "(978) 111-22-33" is searched as "978 1112233"."""
    words = [re.sub(r"\D", "", w) if _PHONE_PART.fullmatch(w) else w for w in q.split()]
    return text_match("owner", "search_text", " ".join(words))


_PHONE_PART = re.compile(r"[+(]*\d[\d()\-.]*")


async def _write_search(table: Any, texts: dict[int, str]) -> None:
    """Set ``search_text`` of many rows: one statement per chunk on both engines."""
    name = table._meta.tablename
    items = sorted(texts.items())
    for start in range(0, len(items), SEARCH_CHUNK):
        chunk = items[start : start + SEARCH_CHUNK]
        cases = " ".join("WHEN {} THEN {}" for _ in chunk)
        ids = ", ".join("{}" for _ in chunk)
        args = [v for pair in chunk for v in pair] + [i for i, _text in chunk]
        await table.raw(
            f"UPDATE {name} SET search_text = CASE id {cases} END WHERE id IN ({ids})",  # noqa: S608 (no input)
            *args,
        )


SEARCH_CHUNK = 300


async def refresh_house_search(house_ids: Iterable[int]) -> None:
    """Rebuild the search text of these houses (after the house or its complex changed)."""
    rows = await _select_in(
        House.select(House.id, House.address, House.search_text, House.complex.name.as_alias("complex_name")),
        House.id,
        house_ids,
    )
    texts = {r["id"]: house_search_text(r["address"], r["complex_name"] or "") for r in rows}
    await _write_search(House, _changed(rows, texts))


async def refresh_account_search(account_ids: Iterable[int]) -> None:
    """Rebuild the search text of these accounts (after the account, its premise or its house changed)."""
    rows = await _select_in(
        PersonalAccount.select(
            PersonalAccount.id,
            PersonalAccount.number,
            PersonalAccount.payer_name,
            PersonalAccount.search_text,
            PersonalAccount.premise.kind.as_alias("premise_kind"),
            PersonalAccount.premise.number.as_alias("premise_number"),
            PersonalAccount.premise.house.address.as_alias("address"),
        ),
        PersonalAccount.id,
        account_ids,
    )
    texts = {
        r["id"]: account_search_text(
            r["number"], r["payer_name"] or "", r["address"] or "", r["premise_kind"] or "", r["premise_number"] or ""
        )
        for r in rows
    }
    await _write_search(PersonalAccount, _changed(rows, texts))


async def refresh_owner_search(owner_ids: Iterable[int]) -> None:
    """Rebuild the search text of these owners."""
    rows = await _select_in(
        Owner.select(Owner.id, Owner.name, Owner.inn, Owner.phone, Owner.email, Owner.search_text),
        Owner.id,
        owner_ids,
    )
    texts = {r["id"]: owner_search_text(r["name"], r["inn"], r["phone"] or "", r["email"] or "") for r in rows}
    await _write_search(Owner, _changed(rows, texts))


def _changed(rows: list[Row], texts: dict[int, str]) -> dict[int, str]:
    """The texts that differ from what the rows hold (a save that changes nothing writes nothing)."""
    current = {r["id"]: r["search_text"] for r in rows}
    return {i: t for i, t in texts.items() if t != current.get(i)}


# --- overview ------------------------------------------------------------------------------------------


async def overview_counts(houses: Houses) -> Row:
    """How many complexes, houses, premises and accounts the user works with."""
    if houses is None:
        return {
            "complexes": await Complex.count(),
            "houses": await House.count(),
            "premises": await Premise.count(),
            "accounts": await PersonalAccount.count(),
        }
    ids = _ids(houses)
    complex_rows = await House.select(House.complex).where(House.id.is_in(ids)).distinct()
    return {
        "complexes": len(complex_rows),
        "houses": await House.count().where(House.id.is_in(ids)),
        "premises": await Premise.count().where(Premise.house.is_in(ids)),
        "accounts": await PersonalAccount.count().where(PersonalAccount.premise.house.is_in(ids)),
    }


# --- complexes and houses ------------------------------------------------------------------------------


async def complexes(houses: Houses) -> list[Row]:
    """Complexes with the number of their houses in scope (a company has 1–50 of them)."""
    query = House.select(House.complex, Count(House.id, alias="houses")).group_by(House.complex)
    if houses is not None:
        query = query.where(House.id.is_in(_ids(houses)))
    counts = {r["complex"]: r["houses"] for r in await query}
    rows = await Complex.select(Complex.id, Complex.name, Complex.city).order_by(Complex.name).limit(500)
    return [{**r, "houses": counts.get(r["id"], 0)} for r in rows if houses is None or counts.get(r["id"], 0) > 0]


async def get_complex(complex_id: int) -> Row | None:
    return await Complex.select().where(Complex.id == complex_id).first()


async def list_houses(houses: Houses, page: PageRequest, q: str = "", complex_id: int | None = None) -> Page[Row]:
    conditions: list[Any] = []
    if houses is not None:
        conditions.append(House.id.is_in(_ids(houses)))
    if q:
        conditions.append(_house_search(q))
    if complex_id:
        conditions.append(House.complex == complex_id)
    condition = _every(conditions)
    query = House.select(
        House.id,
        House.address,
        House.floors,
        House.complex.id.as_alias("complex_id"),
        House.complex.name.as_alias("complex_name"),
    ).order_by(House.complex.name, House.address)
    result = await _page(_where(query, condition), _where(House.count(), condition), page)
    ids = [r["id"] for r in result.items]
    if ids:
        premises = await (
            Premise.select(Premise.house, Count(Premise.id, alias="n"))
            .where(Premise.house.is_in(ids))
            .group_by(Premise.house)
        )
        entrances = await (
            Entrance.select(Entrance.house, Count(Entrance.id, alias="n"))
            .where(Entrance.house.is_in(ids))
            .group_by(Entrance.house)
        )
        by_premises = {r["house"]: r["n"] for r in premises}
        by_entrances = {r["house"]: r["n"] for r in entrances}
        for item in result.items:
            item["premises"] = by_premises.get(item["id"], 0)
            item["entrances"] = by_entrances.get(item["id"], 0)
    return result


async def get_house(houses: Houses, house_id: int) -> Row | None:
    if houses is not None and house_id not in houses:
        return None
    return await (
        House.select(
            House.id,
            House.address,
            House.floors,
            House.fias_id,
            House.complex.id.as_alias("complex_id"),
            House.complex.name.as_alias("complex_name"),
        )
        .where(House.id == house_id)
        .first()
    )


async def house_totals(house_id: int) -> Row:
    row = (
        await Premise.select(Count(Premise.id, alias="n"), Sum(Premise.area, alias="area"))
        .where(Premise.house == house_id)
        .first()
    )
    accounts = await PersonalAccount.count().where(PersonalAccount.premise.house == house_id)
    by_kind = await (
        Premise.select(Premise.kind, Count(Premise.id, alias="n"))
        .where(Premise.house == house_id)
        .group_by(Premise.kind)
    )
    return {
        "premises": row["n"] if row else 0,
        "area": _area(row["area"] if row else 0),
        "accounts": accounts,
        "by_kind": sorted(((r["kind"], r["n"]) for r in by_kind), key=lambda kv: rules.premise_sort_key(kv[0], "")),
    }


async def entrances_of(house_id: int) -> list[Row]:
    rows = await Entrance.select().where(Entrance.house == house_id).order_by(Entrance.number).limit(200)
    counts = await (
        Premise.select(Premise.entrance, Count(Premise.id, alias="n"))
        .where(Premise.house == house_id)
        .group_by(Premise.entrance)
    )
    by_entrance = {r["entrance"]: r["n"] for r in counts}
    return [{**r, "premises": by_entrance.get(r["id"], 0)} for r in rows]


async def risers_of(house_id: int) -> list[Row]:
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
    return [{**r, "premises": by_riser.get(r["id"], 0)} for r in rows]


async def premises_of(
    house_id: int,
    page: PageRequest,
    entrance_id: int | None = None,
    floor: int | None = None,
    kind: str | None = None,
) -> Page[Row]:
    conditions: list[Any] = [Premise.house == house_id]
    if entrance_id:
        conditions.append(Premise.entrance == entrance_id)
    if floor is not None:
        conditions.append(Premise.floor == floor)
    if kind:
        conditions.append(Premise.kind == kind)
    condition = _and(conditions)
    query = Premise.select(
        Premise.id,
        Premise.kind,
        Premise.number,
        Premise.floor,
        Premise.area,
        Premise.entrance.number.as_alias("entrance_number"),
    ).order_by(*_premise_order())
    result = await _page(query.where(condition), Premise.count().where(condition), page)
    await _attach_premise_details([r for r in result.items])
    return result


async def _attach_premise_details(items: list[Row]) -> None:
    """Risers, accounts and owners of a page of premises: three queries whatever the page size."""
    ids = [r["id"] for r in items]
    for item in items:
        item["area"] = _area(item.get("area"))
        item.update(risers=[], accounts=[], owners=[])
    if not ids:
        return
    by_id = {r["id"]: r for r in items}
    risers = await (
        PremiseRiser.select(PremiseRiser.premise, PremiseRiser.riser.code.as_alias("code"))
        .where(PremiseRiser.premise.is_in(ids))
        .order_by(PremiseRiser.riser.code)
    )
    for r in risers:
        by_id[r["premise"]]["risers"].append(r["code"])
    accounts = await (
        PersonalAccount.select(PersonalAccount.id, PersonalAccount.number, PersonalAccount.premise)
        .where(PersonalAccount.premise.is_in(ids))
        .order_by(PersonalAccount.number)
    )
    for r in accounts:
        by_id[r["premise"]]["accounts"].append(r)
    owners = await (
        Ownership.select(
            Ownership.premise, Ownership.owner.id.as_alias("owner_id"), Ownership.owner.name.as_alias("name")
        )
        .where(Ownership.premise.is_in(ids))
        .order_by(Ownership.id)
    )
    for r in owners:
        by_id[r["premise"]]["owners"].append(r)


# --- premises ------------------------------------------------------------------------------------------


async def get_premise(houses: Houses, premise_id: int) -> Row | None:
    query = Premise.select(
        Premise.id,
        Premise.kind,
        Premise.number,
        Premise.floor,
        Premise.area,
        Premise.house.id.as_alias("house_id"),
        Premise.house.address.as_alias("address"),
        Premise.entrance.id.as_alias("entrance_id"),
        Premise.entrance.number.as_alias("entrance_number"),
    ).where(Premise.id == premise_id)
    if houses is not None:
        query = query.where(Premise.house.is_in(_ids(houses)))
    row = await query.first()
    if row:
        row["area"] = _area(row["area"])
    return row


async def risers_of_premise(premise_id: int) -> list[Row]:
    return await (
        PremiseRiser.select(
            PremiseRiser.riser.id.as_alias("id"),
            PremiseRiser.riser.code.as_alias("code"),
            PremiseRiser.riser.kind.as_alias("kind"),
        )
        .where(PremiseRiser.premise == premise_id)
        .order_by(PremiseRiser.riser.code)
    )


async def ownerships_of_premise(premise_id: int) -> list[Row]:
    rows = await (
        Ownership.select(
            Ownership.id,
            Ownership.share_numerator,
            Ownership.share_denominator,
            Ownership.joint,
            Ownership.document,
            Ownership.valid_from,
            Ownership.owner.id.as_alias("owner_id"),
            Ownership.owner.name.as_alias("name"),
            Ownership.owner.kind.as_alias("owner_kind"),
        )
        .where(Ownership.premise == premise_id)
        .order_by(Ownership.id)
        .limit(200)
    )
    for r in rows:
        r["share"] = rules.share_text(r["share_numerator"], r["share_denominator"])
    return rows


async def accounts_of_premise(premise_id: int) -> list[Row]:
    return await (
        PersonalAccount.select().where(PersonalAccount.premise == premise_id).order_by(PersonalAccount.number).limit(50)
    )


# --- accounts ------------------------------------------------------------------------------------------

_ACCOUNT_COLUMNS = (
    PersonalAccount.id,
    PersonalAccount.number,
    PersonalAccount.payer_name,
    PersonalAccount.opened_on,
    PersonalAccount.closed_on,
    PersonalAccount.premise.id.as_alias("premise_id"),
    PersonalAccount.premise.kind.as_alias("premise_kind"),
    PersonalAccount.premise.number.as_alias("premise_number"),
    PersonalAccount.premise.area.as_alias("area"),
    PersonalAccount.premise.house.id.as_alias("house_id"),
    PersonalAccount.premise.house.address.as_alias("address"),
)


async def list_accounts(houses: Houses, page: PageRequest, q: str = "") -> Page[Row]:
    conditions: list[Any] = []
    if houses is not None:
        conditions.append(PersonalAccount.premise.house.is_in(_ids(houses)))
    if q:
        conditions.append(_account_search(q))
    condition = _every(conditions)
    query = PersonalAccount.select(*_ACCOUNT_COLUMNS).order_by(PersonalAccount.number)
    return await _page(_where(query, condition), _where(PersonalAccount.count(), condition), page)


async def get_account(houses: Houses, account_id: int) -> Row | None:
    query = PersonalAccount.select(*_ACCOUNT_COLUMNS).where(PersonalAccount.id == account_id)
    if houses is not None:
        query = query.where(PersonalAccount.premise.house.is_in(_ids(houses)))
    row = await query.first()
    if row:
        row["area"] = _area(row["area"])
    return row


# --- owners --------------------------------------------------------------------------------------------


def _owners_in_scope(houses: Houses) -> Any:
    return Ownership.select(Ownership.owner).where(Ownership.premise.house.is_in(_ids(houses)))


async def list_owners(houses: Houses, page: PageRequest, q: str = "") -> Page[Row]:
    conditions: list[Any] = []
    if houses is not None:
        conditions.append(Owner.id.is_in(_owners_in_scope(houses)))
    if q:
        conditions.append(_owner_search(q))
    condition = _every(conditions)
    query = Owner.select(Owner.id, Owner.kind, Owner.name, Owner.inn, Owner.phone, Owner.email).order_by(Owner.name)
    result = await _page(_where(query, condition), _where(Owner.count(), condition), page)
    ids = [r["id"] for r in result.items]
    if ids:
        counts = await (
            Ownership.select(Ownership.owner, Count(Ownership.id, alias="n"))
            .where(Ownership.owner.is_in(ids))
            .group_by(Ownership.owner)
        )
        by_owner = {r["owner"]: r["n"] for r in counts}
        for item in result.items:
            item["premises"] = by_owner.get(item["id"], 0)
    return result


async def get_owner(houses: Houses, owner_id: int) -> Row | None:
    """An owner the user may see: one with a premise in the user's houses, or one with no premise yet."""
    owner = await Owner.select().where(Owner.id == owner_id).first()
    if owner is None or houses is None:
        return owner
    in_scope = await Ownership.exists().where(
        (Ownership.owner == owner_id) & Ownership.premise.house.is_in(_ids(houses))
    )
    anywhere = await Ownership.exists().where(Ownership.owner == owner_id)
    return owner if in_scope or not anywhere else None


async def ownerships_of_owner(houses: Houses, owner_id: int) -> list[Row]:
    query = (
        Ownership.select(
            Ownership.id,
            Ownership.share_numerator,
            Ownership.share_denominator,
            Ownership.joint,
            Ownership.premise.id.as_alias("premise_id"),
            Ownership.premise.kind.as_alias("premise_kind"),
            Ownership.premise.number.as_alias("premise_number"),
            Ownership.premise.area.as_alias("area"),
            Ownership.premise.house.address.as_alias("address"),
        )
        .where(Ownership.owner == owner_id)
        .order_by(Ownership.id)
        .limit(200)
    )
    if houses is not None:
        query = query.where(Ownership.premise.house.is_in(_ids(houses)))
    rows = await query
    for r in rows:
        r["share"] = rules.share_text(r["share_numerator"], r["share_denominator"])
        r["area"] = _area(r["area"])
    return rows


async def get_ownership(houses: Houses, ownership_id: int) -> Row | None:
    query = Ownership.select(
        Ownership.id,
        Ownership.share_numerator,
        Ownership.share_denominator,
        Ownership.joint,
        Ownership.document,
        Ownership.valid_from,
        Ownership.premise.id.as_alias("premise_id"),
        Ownership.owner.id.as_alias("owner_id"),
        Ownership.owner.name.as_alias("owner_name"),
    ).where(Ownership.id == ownership_id)
    if houses is not None:
        query = query.where(Ownership.premise.house.is_in(_ids(houses)))
    return await query.first()


async def find_owner(reference: str) -> Row | None:
    """An owner by its number in the registry or by an exact INN."""
    text = reference.strip()
    if not text.isdigit():
        return None
    if len(text) in (10, 12):
        found = await Owner.select(Owner.id, Owner.name).where(Owner.inn == text).first()
        if found:
            return found
    if len(text) <= 9:
        return await Owner.select(Owner.id, Owner.name).where(Owner.id == int(text)).first()
    return None


# --- writes (each in one transaction, each with an audit record) ---------------------------------------


def _now() -> datetime:
    return datetime.now(UTC)


def _plain(row: Row | None, names: Iterable[str]) -> Row:
    return {n: row.get(n) for n in names} if row else {}


async def _save(
    table: Any,
    actor: Principal | None,
    entity: str,
    record_id: int | None,
    values: Row,
    *,
    touch: bool = True,
) -> int:
    """Insert (``record_id`` None) or update a row with ``values``, and audit the change."""
    names = list(values)
    async with atomic():
        if record_id is None:
            instance = table(**values)
            await table.insert(instance)
            new_id = int(instance.id)
            await record(actor, f"housing.{entity}.create", entity, new_id, diff({}, values))
            return new_id
        before = await table.select(*[getattr(table, n) for n in names]).where(table.id == record_id).first()
        current = _plain(before, names)
        for name, value in values.items():
            if isinstance(value, Decimal) and current.get(name) is not None:
                # SQLite hands NUMERIC back as 54.7 for 54.70: compare at the precision written.
                current[name] = Decimal(str(current[name])).quantize(value)
        changes = diff(current, values)
        if changes:
            update = dict(values)
            if touch and "updated_at" in _columns(table):
                update["updated_at"] = _now()
            await table.update({getattr(table, k): v for k, v in update.items()}).where(table.id == record_id)
            await record(actor, f"housing.{entity}.update", entity, record_id, changes)
        return record_id


def _columns(table: Any) -> set[str]:
    return {c._meta.name for c in table._meta.columns}


async def complex_name_taken(name: str, except_id: int | None = None) -> bool:
    query = Complex.exists().where(Complex.name == name)
    return await (query.where(Complex.id != except_id) if except_id else query)


async def save_complex(actor: Principal | None, complex_id: int | None, values: Row) -> int:
    async with atomic():
        saved = await _save(Complex, actor, "complex", complex_id, values)
        if complex_id is not None:  # a new complex has no houses yet
            await refresh_house_search(r["id"] for r in await House.select(House.id).where(House.complex == saved))
        return saved


async def house_address_taken(address: str, except_id: int | None = None) -> bool:
    query = House.exists().where(House.address == address)
    return await (query.where(House.id != except_id) if except_id else query)


async def save_house(actor: Principal | None, house_id: int | None, values: Row) -> int:
    async with atomic():
        saved = await _save(House, actor, "house", house_id, values)
        await refresh_house_search([saved])
        if house_id is not None:  # the address is in the search text of the house's accounts
            accounts = PersonalAccount.select(PersonalAccount.id).where(PersonalAccount.premise.house == saved)
            await refresh_account_search(r["id"] for r in await accounts)
        return saved


async def get_entrance(houses: Houses, entrance_id: int) -> Row | None:
    query = Entrance.select().where(Entrance.id == entrance_id)
    if houses is not None:
        query = query.where(Entrance.house.is_in(_ids(houses)))
    return await query.first()


async def entrance_taken(house_id: int, number: int, except_id: int | None = None) -> bool:
    query = Entrance.exists().where((Entrance.house == house_id) & (Entrance.number == number))
    return await (query.where(Entrance.id != except_id) if except_id else query)


async def save_entrance(actor: Principal | None, entrance_id: int | None, values: Row) -> int:
    return await _save(Entrance, actor, "entrance", entrance_id, values, touch=False)


async def premise_taken(house_id: int, kind: str, number: str, except_id: int | None = None) -> bool:
    query = Premise.exists().where((Premise.house == house_id) & (Premise.kind == kind) & (Premise.number == number))
    return await (query.where(Premise.id != except_id) if except_id else query)


async def save_premise(actor: Principal | None, premise_id: int | None, values: Row, riser_ids: list[int]) -> int:
    """A premise and the risers it hangs on (only risers of its own house)."""
    async with atomic():
        saved = await _save(Premise, actor, "premise", premise_id, values)
        allowed = {
            r["id"]
            for r in await Riser.select(Riser.id).where(
                (Riser.house == values["house"]) & Riser.id.is_in(riser_ids or [-1])
            )
        }
        current = {
            r["riser"] for r in await PremiseRiser.select(PremiseRiser.riser).where(PremiseRiser.premise == saved)
        }
        if allowed != current:
            if current - allowed:
                await PremiseRiser.delete().where(
                    (PremiseRiser.premise == saved) & PremiseRiser.riser.is_in(sorted(current - allowed))
                )
            if allowed - current:
                await PremiseRiser.insert(*[PremiseRiser(premise=saved, riser=r) for r in sorted(allowed - current)])
            await record(
                actor, "housing.premise.risers", "premise", saved, {"risers": [sorted(current), sorted(allowed)]}
            )
        if premise_id is not None:  # the premise number is in the search text of its accounts
            accounts = PersonalAccount.select(PersonalAccount.id).where(PersonalAccount.premise == saved)
            await refresh_account_search(r["id"] for r in await accounts)
        return saved


async def save_owner(actor: Principal | None, owner_id: int | None, values: Row) -> int:
    async with atomic():
        saved = await _save(Owner, actor, "owner", owner_id, values)
        await refresh_owner_search([saved])
        return saved


async def owner_taken(name: str, inn: str | None, except_id: int | None = None) -> bool:
    query = Owner.exists().where((Owner.name == name) & ((Owner.inn == inn) if inn else Owner.inn.is_null()))
    return await (query.where(Owner.id != except_id) if except_id else query)


async def shares_of_premise(premise_id: int, except_id: int | None = None) -> list[tuple[Fraction, bool]]:
    query = Ownership.select(Ownership.share_numerator, Ownership.share_denominator, Ownership.joint).where(
        Ownership.premise == premise_id
    )
    if except_id:
        query = query.where(Ownership.id != except_id)
    return [(Fraction(r["share_numerator"], r["share_denominator"]), bool(r["joint"])) for r in await query]


async def ownership_exists(premise_id: int, owner_id: int, except_id: int | None = None) -> bool:
    query = Ownership.exists().where((Ownership.premise == premise_id) & (Ownership.owner == owner_id))
    return await (query.where(Ownership.id != except_id) if except_id else query)


async def save_ownership(actor: Principal | None, ownership_id: int | None, values: Row) -> int | None:
    """Save a share unless the premise's shares would exceed the whole; None when they would (nothing written).

    The check and the write share one transaction, so two staff members cannot together push a premise past 1.
    """
    async with atomic():
        existing = await shares_of_premise(values["premise"], except_id=ownership_id)
        share = (Fraction(values["share_numerator"], values["share_denominator"]), bool(values["joint"]))
        if not rules.shares_fit(existing, share):
            return None
        return await _save(Ownership, actor, "ownership", ownership_id, values, touch=False)


async def account_number_taken(number: str, except_id: int | None = None) -> bool:
    query = PersonalAccount.exists().where(PersonalAccount.number == number)
    return await (query.where(PersonalAccount.id != except_id) if except_id else query)


async def save_account(actor: Principal | None, account_id: int | None, values: Row) -> int:
    async with atomic():
        saved = await _save(PersonalAccount, actor, "account", account_id, values)
        await refresh_account_search([saved])
        return saved


# --- registry import -----------------------------------------------------------------------------------

CHUNK = 500
IMPORT_ENTITIES = ("complexes", "houses", "entrances", "risers", "premises", "owners", "ownerships", "accounts")


@dataclass
class ImportReport:
    """What an import did (or, for a preview, would do)."""

    rows: int = 0
    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(IMPORT_ENTITIES, 0))
    updated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(IMPORT_ENTITIES, 0))
    problems: list[str] = field(default_factory=list)
    applied: bool = False

    @property
    def changes(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values())


class _Rollback(Exception):
    """Leaves the import's transaction without writing anything."""


def _chunks(values: Iterable[Any]) -> list[list[Any]]:
    items = list(values)
    return [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]


async def _select_in(query: Any, column: Any, values: Iterable[Any]) -> list[Row]:
    """``query`` where ``column`` is one of ``values``, in chunks (bounded parameter lists on both engines)."""
    found: list[Row] = []
    for chunk in _chunks(sorted(set(values), key=str)):
        found.extend(await query.where(column.is_in(chunk)))
    return found


async def _insert(table: Any, instances: list[Any]) -> None:
    """Batch inserts: one statement per chunk, ids set on the instances."""
    for chunk in _chunks(instances):
        await table.insert(*chunk)


async def apply_registry(
    rows: list[registry.RegistryRow],
    actor: Principal | None = None,
    *,
    dry_run: bool = False,
    progress: Callable[[str], None] | None = None,
) -> ImportReport:
    """Write checked registry rows as one upsert keyed by natural keys, in ONE transaction.

    A re-import of the same rows changes nothing. A row that contradicts the database (an account of another
    premise, shares past the whole) is reported with its line and nothing is written. ``dry_run`` computes the
    same report and rolls back (the preview).
    """
    report = ImportReport(rows=len(rows))
    try:
        async with atomic():
            await _apply(rows, report, progress or (lambda _step: None))
            if report.problems or dry_run:
                raise _Rollback
            await record(
                actor,
                "housing.registry.import",
                "registry",
                None,
                {"rows": report.rows, "created": report.created, "updated": report.updated},
            )
    except _Rollback:
        return report
    report.applied = True
    return report


async def _apply(rows: list[registry.RegistryRow], report: ImportReport, say: Callable[[str], None]) -> None:
    now = _now()
    created, updated = report.created, report.updated

    say("complexes")
    complex_ids: dict[str, int] = {
        r["name"]: r["id"]
        for r in await _select_in(Complex.select(Complex.id, Complex.name), Complex.name, (x.complex for x in rows))
    }
    new_complexes = [Complex(name=name) for name in dict.fromkeys(x.complex for x in rows) if name not in complex_ids]
    await _insert(Complex, new_complexes)
    complex_ids.update({c.name: c.id for c in new_complexes})
    created["complexes"] = len(new_complexes)
    complex_names = {complex_id: name for name, complex_id in complex_ids.items()}

    say("houses")
    wanted_houses: dict[str, tuple[int, int]] = {}
    for x in rows:
        complex_id, floors = wanted_houses.get(x.house_address, (complex_ids[x.complex], 1))
        wanted_houses[x.house_address] = (complex_id, max(floors, x.floor or 1))
    house_rows = await _select_in(
        House.select(House.id, House.address, House.complex, House.floors, House.search_text),
        House.address,
        wanted_houses,
    )
    house_ids = {r["address"]: r["id"] for r in house_rows}
    for r in house_rows:
        complex_id, floors = wanted_houses[r["address"]]
        text = house_search_text(r["address"], complex_names[complex_id])
        changed = r["complex"] != complex_id or r["floors"] < floors
        if changed or text != r["search_text"]:  # a text left empty by an older write is filled in passing
            await House.update(
                {
                    House.complex: complex_id,
                    House.floors: max(r["floors"], floors),
                    House.search_text: text,
                    **({House.updated_at: now} if changed else {}),
                }
            ).where(House.id == r["id"])
            updated["houses"] += int(changed)
    new_houses = [
        House(
            address=address,
            complex=complex_id,
            floors=floors,
            search_text=house_search_text(address, complex_names[complex_id]),
        )
        for address, (complex_id, floors) in wanted_houses.items()
        if address not in house_ids
    ]
    await _insert(House, new_houses)
    house_ids.update({h.address: h.id for h in new_houses})
    created["houses"] = len(new_houses)
    all_house_ids = sorted(house_ids.values())

    say("entrances")
    wanted_entrances: dict[tuple[int, int], int] = {}
    for x in rows:
        if x.entrance is not None:
            key = (house_ids[x.house_address], x.entrance)
            wanted_entrances[key] = max(wanted_entrances.get(key, 1), x.floor or 1)
    entrance_rows = await _select_in(
        Entrance.select(Entrance.id, Entrance.house, Entrance.number, Entrance.floors), Entrance.house, all_house_ids
    )
    entrance_ids = {(r["house"], r["number"]): r["id"] for r in entrance_rows}
    for r in entrance_rows:
        floors = wanted_entrances.get((r["house"], r["number"]))
        if floors and r["floors"] < floors:
            await Entrance.update({Entrance.floors: floors}).where(Entrance.id == r["id"])
            updated["entrances"] += 1
    new_entrances = [
        Entrance(house=house, number=number, floors=floors)
        for (house, number), floors in wanted_entrances.items()
        if (house, number) not in entrance_ids
    ]
    await _insert(Entrance, new_entrances)
    entrance_ids.update({(e.house, e.number): e.id for e in new_entrances})
    created["entrances"] = len(new_entrances)

    say("risers")
    riser_entrances: dict[tuple[int, str], set[int | None]] = {}
    for x in rows:
        for code in x.risers:
            entrance = entrance_ids.get((house_ids[x.house_address], x.entrance)) if x.entrance else None
            riser_entrances.setdefault((house_ids[x.house_address], code), set()).add(entrance)
    riser_ids = {
        (r["house"], r["code"]): r["id"]
        for r in await _select_in(Riser.select(Riser.id, Riser.house, Riser.code), Riser.house, all_house_ids)
    }
    new_risers = [
        Riser(
            house=house, code=code, kind=rules.riser_kind(code), entrance=next(iter(ents)) if len(ents) == 1 else None
        )
        for (house, code), ents in riser_entrances.items()
        if (house, code) not in riser_ids
    ]
    await _insert(Riser, new_risers)
    riser_ids.update({(r.house, r.code): r.id for r in new_risers})
    created["risers"] = len(new_risers)

    say("premises")
    wanted_premises: dict[tuple[int, str, str], registry.RegistryRow] = {}
    for x in rows:
        wanted_premises.setdefault((house_ids[x.house_address], x.premise_kind, x.premise_number), x)
    premise_rows = await _select_in(
        Premise.select(
            Premise.id, Premise.house, Premise.kind, Premise.number, Premise.entrance, Premise.floor, Premise.area
        ),
        Premise.house,
        all_house_ids,
    )
    premise_ids = {(r["house"], r["kind"], r["number"]): r["id"] for r in premise_rows}
    for r in premise_rows:
        x = wanted_premises.get((r["house"], r["kind"], r["number"]))
        if x is None:
            continue
        entrance = entrance_ids.get((r["house"], x.entrance)) if x.entrance else None
        if (r["entrance"], r["floor"], _area(r["area"])) != (entrance, x.floor, x.area):
            await Premise.update(
                {Premise.entrance: entrance, Premise.floor: x.floor, Premise.area: x.area, Premise.updated_at: now}
            ).where(Premise.id == r["id"])
            updated["premises"] += 1
    new_premises = [
        Premise(
            house=house,
            kind=kind,
            number=number,
            entrance=entrance_ids.get((house, x.entrance)) if x.entrance else None,
            floor=x.floor,
            area=x.area,
        )
        for (house, kind, number), x in wanted_premises.items()
        if (house, kind, number) not in premise_ids
    ]
    await _insert(Premise, new_premises)
    premise_ids.update({(p.house, p.kind, p.number): p.id for p in new_premises})
    created["premises"] = len(new_premises)

    def premise_of(x: registry.RegistryRow) -> int:
        return premise_ids[(house_ids[x.house_address], x.premise_kind, x.premise_number)]

    wanted_pairs = {(premise_of(x), riser_ids[(house_ids[x.house_address], code)]) for x in rows for code in x.risers}
    if wanted_pairs:
        have = {
            (r["premise"], r["riser"])
            for r in await _select_in(
                PremiseRiser.select(PremiseRiser.premise, PremiseRiser.riser),
                PremiseRiser.premise,
                {p for p, _ in wanted_pairs},
            )
        }
        await _insert(PremiseRiser, [PremiseRiser(premise=p, riser=r) for p, r in sorted(wanted_pairs - have)])

    say("owners")
    owner_rows = [x for x in rows if x.owner_name]
    owner_ids: dict[tuple[str, str | None], int] = {}
    for r in await _select_in(
        Owner.select(Owner.id, Owner.name, Owner.inn, Owner.kind, Owner.phone, Owner.email, Owner.search_text),
        Owner.name,
        (x.owner_name for x in owner_rows),
    ):
        key = (r["name"], r["inn"] or None)
        if key in owner_ids:
            continue
        owner_ids[key] = r["id"]
        x = next((o for o in owner_rows if o.owner_key == key), None)
        if x is None:
            continue
        wanted = {"kind": x.owner_kind, "phone": x.owner_phone or r["phone"], "email": x.owner_email or r["email"]}
        text = owner_search_text(r["name"], r["inn"], wanted["phone"], wanted["email"])
        changed = wanted != {"kind": r["kind"], "phone": r["phone"], "email": r["email"]}
        if changed or text != r["search_text"]:
            await Owner.update(
                {
                    Owner.kind: wanted["kind"],
                    Owner.phone: wanted["phone"],
                    Owner.email: wanted["email"],
                    Owner.search_text: text,
                    **({Owner.updated_at: now} if changed else {}),
                }
            ).where(Owner.id == r["id"])
            updated["owners"] += int(changed)
    new_owners: dict[tuple[str, str | None], Owner] = {}
    for x in owner_rows:
        if x.owner_key not in owner_ids and x.owner_key not in new_owners:
            new_owners[x.owner_key] = Owner(
                name=x.owner_name,
                inn=x.owner_inn,
                kind=x.owner_kind,
                phone=x.owner_phone,
                email=x.owner_email,
                search_text=owner_search_text(x.owner_name, x.owner_inn, x.owner_phone, x.owner_email),
            )
    await _insert(Owner, list(new_owners.values()))
    owner_ids.update({key: o.id for key, o in new_owners.items()})
    created["owners"] = len(new_owners)

    say("ownerships")
    wanted_shares: dict[tuple[int, int], registry.RegistryRow] = {
        (premise_of(x), owner_ids[x.owner_key]): x for x in owner_rows
    }
    touched_premises = {p for p, _ in wanted_shares}
    current = await _select_in(
        Ownership.select(
            Ownership.id,
            Ownership.premise,
            Ownership.owner,
            Ownership.share_numerator,
            Ownership.share_denominator,
            Ownership.joint,
        ),
        Ownership.premise,
        touched_premises,
    )
    current_by_key = {(r["premise"], r["owner"]): r for r in current}
    held: dict[int, list[tuple[Fraction, bool]]] = {}
    for r in current:
        if (r["premise"], r["owner"]) not in wanted_shares:
            held.setdefault(r["premise"], []).append(
                (Fraction(r["share_numerator"], r["share_denominator"]), r["joint"])
            )
    for (premise, _owner), x in wanted_shares.items():
        held.setdefault(premise, []).append((x.share, x.owner_joint))
    for premise, shares in held.items():
        if premise in touched_premises and rules.total_share(shares) > 1:
            line = min(x.line for (p, _o), x in wanted_shares.items() if p == premise)
            report.problems.append(
                registry.line_problem(
                    line,
                    gettext(
                        "with the owners already registered, the shares of this premise would add up to more than 1."
                    ),
                )
            )
    if report.problems:
        return
    new_ownerships = []
    for key, x in wanted_shares.items():
        r = current_by_key.get(key)
        if r is None:
            new_ownerships.append(
                Ownership(
                    premise=key[0],
                    owner=key[1],
                    share_numerator=x.share.numerator,
                    share_denominator=x.share.denominator,
                    joint=x.owner_joint,
                )
            )
        elif (Fraction(r["share_numerator"], r["share_denominator"]), bool(r["joint"])) != (x.share, x.owner_joint):
            await Ownership.update(
                {
                    Ownership.share_numerator: x.share.numerator,
                    Ownership.share_denominator: x.share.denominator,
                    Ownership.joint: x.owner_joint,
                }
            ).where(Ownership.id == r["id"])
            updated["ownerships"] += 1
    await _insert(Ownership, new_ownerships)
    created["ownerships"] = len(new_ownerships)

    say("accounts")
    wanted_accounts = {x.account_number: x for x in rows if x.account_number}
    account_rows = await _select_in(
        PersonalAccount.select(
            PersonalAccount.id,
            PersonalAccount.number,
            PersonalAccount.premise,
            PersonalAccount.payer_name,
            PersonalAccount.search_text,
        ),
        PersonalAccount.number,
        wanted_accounts,
    )
    known = set()
    for r in account_rows:
        x = wanted_accounts[r["number"]]
        known.add(r["number"])
        if r["premise"] != premise_of(x):
            report.problems.append(
                registry.line_problem(
                    x.line, gettext("account %(n)s already belongs to another premise.", n=x.account_number)
                )
            )
        else:
            payer = x.payer_name or r["payer_name"]
            text = _account_text(x, payer)
            changed = payer != r["payer_name"]
            if changed or text != r["search_text"]:  # a text left empty by an older write is filled in passing
                await PersonalAccount.update(
                    {
                        PersonalAccount.payer_name: payer,
                        PersonalAccount.search_text: text,
                        **({PersonalAccount.updated_at: now} if changed else {}),
                    }
                ).where(PersonalAccount.id == r["id"])
                updated["accounts"] += int(changed)
    new_accounts = [
        PersonalAccount(
            number=number, premise=premise_of(x), payer_name=x.payer_name, search_text=_account_text(x, x.payer_name)
        )
        for number, x in wanted_accounts.items()
        if number not in known
    ]
    await _insert(PersonalAccount, new_accounts)
    created["accounts"] = len(new_accounts)


def _account_text(x: registry.RegistryRow, payer_name: str) -> str:
    return account_search_text(x.account_number, payer_name, x.house_address, x.premise_kind, x.premise_number)
