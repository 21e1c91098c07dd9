"""Reads of the showcase: bounded, indexed, returning dataclasses. A listing, a lead, an owner's request or a photo is
loaded only if the caller may see it (404 for missing and forbidden alike); staff reads are kept to their houses."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any
from typing import TypeVar

from litestar.exceptions import NotFoundException
from piccolo.query.methods.select import Count

from portal.accounts.queries import staff_of_house
from portal.accounts.tables import Residency
from portal.accounts.tables import User
from portal.accounts.tables import UserRole
from portal.core import orphans
from portal.core.clauses import every
from portal.core.clauses import within
from portal.core.paged import read_page
from portal.core.pagination import Page
from portal.core.pagination import PageRequest
from portal.core.rows import columns_of
from portal.core.security import Principal
from portal.core.web import found
from portal.housing.queries import area as to_area
from portal.housing.queries import house_scope
from portal.housing.tables import PersonalAccount
from portal.housing.tables import Premise
from portal.showcase import rules
from portal.showcase import words
from portal.showcase.rules import LeadFilter
from portal.showcase.rules import ListingFilter
from portal.showcase.rules import Sort
from portal.showcase.rules import StaffFilter
from portal.showcase.tables import Lead
from portal.showcase.tables import LeadStatus
from portal.showcase.tables import Listing
from portal.showcase.tables import ListingOffer
from portal.showcase.tables import ListingPhoto
from portal.showcase.tables import ListingStatus
from portal.showcase.tables import OfferStatus

L = TypeVar("L", bound="LeadRow")

EXPORT_LIMIT = 10_000
FEED_LIMIT = 5_000
MINE_LIMIT = 100


def _public() -> Any:
    return Listing.status.is_in([s.value for s in rules.PUBLIC_STATUSES])


# --- listings as cards (the public list) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    """A listing as a card: what its title, its address and its line of figures are made of."""

    id: int
    kind: str
    status: str
    complex_name: str
    address: str
    area: Decimal
    floor: int
    rooms: int | None
    total_kopecks: int
    per_m2_kopecks: int
    cover_photo: int | None
    published_at: datetime | None

    @property
    def title(self) -> str:
        return words.title(self.kind, self.complex_name, self.area, self.rooms)

    @property
    def figures(self) -> str:
        return words.figures(self.kind, self.area, self.floor, self.total_kopecks)

    @property
    def reserved(self) -> bool:
        return self.status == ListingStatus.RESERVED


_CARD_COLUMNS = columns_of(Listing, Card, complex_name=Listing.complex.name)


def _card(r: dict[str, Any]) -> Card:
    return Card(**{**r, "area": to_area(r["area"]), "complex_name": r["complex_name"] or ""})


def public_where(f: ListingFilter) -> Any:
    """The published (and reserved) listings of the filter's kind that pass each of its filters."""
    return every(
        [
            Listing.kind == f.kind,
            _public(),
            within(Listing.area, f.area_from, f.area_to),
            Listing.floor == f.floor if f.floor is not None else None,
            within(Listing.total_kopecks, f.price_from, f.price_to),
            within(Listing.per_m2_kopecks, f.m2_from, f.m2_to),
            Listing.complex == f.complex if f.complex is not None else None,
        ]
    )


_ORDER = {
    Sort.NEWEST: (Listing.published_at, False),
    Sort.CHEAP: (Listing.total_kopecks, True),
    Sort.DEAR: (Listing.total_kopecks, False),
    Sort.SMALL: (Listing.area, True),
    Sort.LARGE: (Listing.area, False),
}


async def cards(f: ListingFilter, page_number: int) -> Page[Card]:
    """One page of cards (12), the sort's column then the id deciding the order, so that paging is stable."""
    where = public_where(f)
    total = await Listing.count().where(where)
    column, ascending = _ORDER[f.sort]
    size = rules.PAGE_SIZE
    rows = (
        await Listing.select(*_CARD_COLUMNS)
        .where(where)
        .order_by(column, ascending=ascending)
        .order_by(Listing.id, ascending=ascending)
        .limit(size)
        .offset((page_number - 1) * size)
        if total
        else []
    )
    return Page(items=[_card(r) for r in rows], total=total, number=page_number, size=size)


@dataclass(frozen=True)
class Choice:
    id: int
    name: str


async def filter_choices(kind: str) -> tuple[list[Choice], list[int]]:
    """The complexes and the floors that have something of ``kind`` on show (the list's «ЖК» and «Этаж»), in one
    query."""
    rows = (
        await Listing.select(Listing.complex.id.as_alias("id"), Listing.complex.name.as_alias("name"), Listing.floor)
        .where((Listing.kind == kind) & _public())
        .distinct()
    )
    complexes = sorted({Choice(id=r["id"], name=r["name"]) for r in rows}, key=lambda c: c.name)
    return complexes, sorted({r["floor"] for r in rows})


async def counts_by_kind() -> dict[str, int]:
    rows = await Listing.select(Listing.kind, Count(Listing.id, alias="n")).where(_public()).group_by(Listing.kind)
    return {r["kind"]: r["n"] for r in rows}


# --- one listing ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Photo:
    id: int
    width: int
    height: int
    position: int


@dataclass(frozen=True)
class ListingView(Card):
    house_id: int = 0
    complex_id: int = 0
    premise_id: int | None = None
    premise_number: str = ""
    price_kopecks: int = 0
    price_unit: str = ""
    description: str = ""
    features: tuple[str, ...] = ()
    manager_id: int | None = None
    manager_name: str = ""
    photo_count: int = 0
    views: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None
    photos: tuple[Photo, ...] = field(default_factory=tuple)


_VIEW_COLUMNS = columns_of(
    Listing,
    ListingView,
    complex_name=Listing.complex.name,
    manager_name=Listing.manager.full_name,
)


async def photos_of(listing_id: int) -> tuple[Photo, ...]:
    rows = (
        await ListingPhoto.select(ListingPhoto.id, ListingPhoto.width, ListingPhoto.height, ListingPhoto.position)
        .where(ListingPhoto.listing == listing_id)
        .order_by(ListingPhoto.position)
        .order_by(ListingPhoto.id)
        .limit(rules.MAX_PHOTOS)
    )
    return tuple(Photo(**r) for r in rows)


def _listing_view(r: dict[str, Any], photos: tuple[Photo, ...] = ()) -> ListingView:
    return ListingView(
        **{
            **r,
            "area": to_area(r["area"]),
            "complex_name": r["complex_name"] or "",
            "features": tuple(r["features"] or ()),
            "manager_name": r["manager_name"] or "",
        },
        photos=photos,
    )


async def _view(where: Any) -> ListingView | None:
    row = await Listing.select(*_VIEW_COLUMNS).where(where).first()
    return _listing_view(row, await photos_of(row["id"])) if row else None


async def public_listing(listing_id: int) -> ListingView:
    """A listing anyone may open (published or reserved), or 404."""
    return found(await _view((Listing.id == listing_id) & _public()))


async def staff_listing(principal: Principal, listing_id: int) -> ListingView:
    """A listing of the staff member's houses, whatever its status, or 404."""
    return found(await _view(every([Listing.id == listing_id, house_scope(Listing.house, principal)])))


async def owns_premise(principal: Principal, premise_id: int | None) -> bool:
    """Whether the person is an owner of the premise (``rules.is_owner_of`` one of its accounts): their own flat's
    listing. No query for a listing without a registry premise, nor for a person who owns nothing."""
    owned = [a for a in principal.account_ids if rules.is_owner_of(principal, a)]
    if premise_id is None or not owned:
        return False
    return await PersonalAccount.exists().where(
        PersonalAccount.id.is_in(owned) & (PersonalAccount.premise == premise_id)
    )


async def photo_keys(principal: Principal, photo_id: int) -> tuple[str, str]:
    """The stored file and its small copy, if the caller may see the photo's listing (404 otherwise)."""
    row = (
        await ListingPhoto.select(
            ListingPhoto.key,
            ListingPhoto.thumb_key,
            ListingPhoto.listing.status.as_alias("status"),
            ListingPhoto.listing.house.as_alias("house"),
        )
        .where(ListingPhoto.id == photo_id)
        .first()
    )
    if row is None or not rules.may_see_listing(principal, row["status"], row["house"]):
        raise NotFoundException()
    return row["key"], row["thumb_key"]


async def photo_rows(listing_id: int) -> list[dict[str, Any]]:
    """The photo rows of a listing with their files (to copy or delete them)."""
    return (
        await ListingPhoto.select(ListingPhoto.id, ListingPhoto.key, ListingPhoto.thumb_key, ListingPhoto.position)
        .where(ListingPhoto.listing == listing_id)
        .order_by(ListingPhoto.position)
        .order_by(ListingPhoto.id)
        .limit(rules.MAX_PHOTOS)
    )


# --- the staff list of listings ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffRow(Card):
    house_id: int = 0
    manager_name: str = ""
    views: int = 0
    leads: int = 0
    new_leads: int = 0
    created_at: datetime | None = None


_STAFF_COLUMNS = columns_of(
    Listing, StaffRow, complex_name=Listing.complex.name, manager_name=Listing.manager.full_name
)
_STAFF_ORDER = {
    "created": Listing.created_at,
    "price": Listing.total_kopecks,
    "area": Listing.area,
    "views": Listing.views,
}


def staff_where(principal: Principal, f: StaffFilter) -> Any:
    return every(
        [
            Listing.id > 0,
            house_scope(Listing.house, principal),
            Listing.kind == f.kind if f.kind else None,
            Listing.status == f.status if f.status else None,
            Listing.complex == f.complex if f.complex else None,
            Listing.manager == f.manager if f.manager else None,
        ]
    )


def _staff_query(principal: Principal, f: StaffFilter) -> Any:
    column = _STAFF_ORDER[f.sort.lstrip("-")]
    ascending = not f.sort.startswith("-")
    return (
        Listing.select(*_STAFF_COLUMNS)
        .where(staff_where(principal, f))
        .order_by(column, ascending=ascending)
        .order_by(Listing.id, ascending=ascending)
    )


async def lead_counts(ids: list[int]) -> dict[int, tuple[int, int]]:
    """Leads of each listing: (all, new), in one grouped query."""
    if not ids:
        return {}
    rows = (
        await Lead.select(Lead.listing, Lead.status, Count(Lead.id, alias="n"))
        .where(Lead.listing.is_in(ids))
        .group_by(Lead.listing, Lead.status)
    )
    counts: dict[int, tuple[int, int]] = {}
    for r in rows:
        every, new = counts.get(r["listing"], (0, 0))
        counts[r["listing"]] = (every + r["n"], new + (r["n"] if r["status"] == LeadStatus.NEW else 0))
    return counts


def _staff_row(r: dict[str, Any], counts: dict[int, tuple[int, int]]) -> StaffRow:
    every, new = counts.get(r["id"], (0, 0))
    r = {
        **r,
        "area": to_area(r["area"]),
        "complex_name": r["complex_name"] or "",
        "manager_name": r["manager_name"] or "",
    }
    return StaffRow(**r, leads=every, new_leads=new)


async def staff_listings(principal: Principal, f: StaffFilter, page: PageRequest) -> Page[StaffRow]:
    total = await Listing.count().where(staff_where(principal, f))
    rows = await _staff_query(principal, f).limit(page.size).offset(page.offset) if total else []
    counts = await lead_counts([r["id"] for r in rows])
    return Page(items=[_staff_row(r, counts) for r in rows], total=total, number=page.number, size=page.size)


async def export_rows(principal: Principal, f: StaffFilter) -> list[StaffRow]:
    """Every row of the filtered staff list (at most 10 000), for the XLSX file."""
    rows = await _staff_query(principal, f).limit(EXPORT_LIMIT)
    counts = await lead_counts([r["id"] for r in rows])
    return [_staff_row(r, counts) for r in rows]


async def staff_complexes(principal: Principal) -> list[Choice]:
    """Complexes of the staff member's houses that have listings."""
    rows = (
        await Listing.select(Listing.complex.id.as_alias("id"), Listing.complex.name.as_alias("name"))
        .where(every([Listing.id > 0, house_scope(Listing.house, principal)]))
        .distinct()
    )
    return sorted((Choice(id=r["id"], name=r["name"]) for r in rows), key=lambda c: c.name)


async def managers() -> list[Choice]:
    """Staff who may be in charge of a listing: managers and administrators (a company has tens of them)."""
    roles = UserRole.select(UserRole.user).where(UserRole.role.is_in(["admin", *rules.LISTING_ROLES]))
    rows = (
        await User.select(User.id, User.full_name)
        .where(User.id.is_in(roles) & (User.is_active.eq(True)))
        .order_by(User.full_name)
        .limit(500)
    )
    return [Choice(id=r["id"], name=r["full_name"]) for r in rows]


@dataclass(frozen=True)
class RegistryPremise:
    id: int
    number: str
    area: Decimal
    floor: int | None
    kind: str


async def _registry_premise(where: Any) -> RegistryPremise | None:
    row = (
        await Premise.select(Premise.id, Premise.number, Premise.area, Premise.floor, Premise.kind).where(where).first()
    )
    return RegistryPremise(**{**row, "area": to_area(row["area"])}) if row else None


async def registry_premise(house_id: int, number: str, kind: str) -> RegistryPremise | None:
    """The premise of the registry with this number and kind in the house."""
    return await _registry_premise((Premise.house == house_id) & (Premise.number == number) & (Premise.kind == kind))


async def registry_premise_by_id(premise_id: int) -> RegistryPremise | None:
    return await _registry_premise(Premise.id == premise_id)


# --- leads -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeadRow:
    id: int
    status: str
    name: str
    phone: str
    message: str
    created_at: datetime
    listing_id: int
    listing_kind: str
    listing_status: str
    listing_address: str
    listing_area: Decimal
    listing_rooms: int | None
    complex_name: str
    erased_at: datetime | None = None  # the visitor's name, phone and words deleted at the end of their term

    @property
    def listing_title(self) -> str:
        return words.title(self.listing_kind, self.complex_name, self.listing_area, self.listing_rooms)


@dataclass(frozen=True)
class LeadDetail(LeadRow):
    """A lead as its own page shows it: with the staff's note, who changed it last and the consent given."""

    note: str = ""
    user_id: int | None = None
    handled_by_name: str = ""
    updated_at: datetime | None = None
    consent_version: str = ""
    consent_at: datetime | None = None
    consent_ip: str = ""
    consent_locale: str = ""
    resident: bool = False  # signed in as a resident: their lead stays as it is (no keeping term of its own)


def _lead_columns(row: type[LeadRow] = LeadRow) -> list[Any]:
    listing = Lead.listing
    return columns_of(
        Lead,
        row,
        listing_kind=listing.kind,
        listing_status=listing.status,
        listing_address=listing.address,
        listing_area=listing.area,
        listing_rooms=listing.rooms,
        complex_name=listing.complex.name,
        handled_by_name=Lead.handled_by.full_name,
    )


def _lead(r: dict[str, Any], row: type[L]) -> L:
    values = {**r, "listing_area": to_area(r["listing_area"]), "complex_name": r["complex_name"] or ""}
    if "handled_by_name" in r:
        values["handled_by_name"] = r["handled_by_name"] or ""
    return row(**values)


def lead_where(principal: Principal, f: LeadFilter) -> Any:
    return every(
        [
            Lead.id > 0,
            house_scope(Lead.listing.house, principal),
            Lead.status == f.status if f.status else None,
            Lead.listing.kind == f.kind if f.kind else None,
            Lead.listing == f.listing if f.listing else None,
        ]
    )


async def staff_leads(principal: Principal, f: LeadFilter, page: PageRequest) -> Page[LeadRow]:
    """Leads of the staff member's houses, newest first."""
    rows, total = await read_page(Lead, _lead_columns(), lead_where(principal, f), page)
    return Page(items=[_lead(r, LeadRow) for r in rows], total=total, number=page.number, size=page.size)


async def staff_lead(principal: Principal, lead_id: int) -> LeadDetail:
    where = every([Lead.id == lead_id, house_scope(Lead.listing.house, principal)])
    lead = _lead(found(await Lead.select(*_lead_columns(LeadDetail)).where(where).first()), LeadDetail)
    if lead.user_id is None:
        return lead
    return replace(lead, resident=bool(await residents_among([lead.user_id])))


async def leads_of_user(user_id: int) -> list[LeadRow]:
    """A signed-in person's own leads, newest first."""
    rows = (
        await Lead.select(*_lead_columns())
        .where(Lead.user == user_id)
        .order_by(Lead.created_at, ascending=False)
        .order_by(Lead.id, ascending=False)
        .limit(MINE_LIMIT)
    )
    return [_lead(r, LeadRow) for r in rows]


async def new_leads_count(principal: Principal) -> int:
    return await Lead.count().where(lead_where(principal, LeadFilter(status=LeadStatus.NEW)))


# --- owners' requests to list a flat ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OwnedFlat:
    account_id: int
    premise_id: int
    house_id: int
    address: str
    number: str
    area: Decimal


async def owned_flats(principal: Principal) -> list[OwnedFlat]:
    """The flats of the accounts the caller owns (the right to vote comes with ownership alone)."""
    owned = [a for a in principal.account_ids if rules.is_owner_of(principal, a)]
    if not owned:
        return []
    rows = (
        await PersonalAccount.select(
            PersonalAccount.id,
            PersonalAccount.premise.id.as_alias("premise_id"),
            PersonalAccount.premise.house.id.as_alias("house_id"),
            PersonalAccount.premise.house.address.as_alias("address"),
            PersonalAccount.premise.number.as_alias("number"),
            PersonalAccount.premise.area.as_alias("area"),
        )
        .where(PersonalAccount.id.is_in(sorted(owned)) & (PersonalAccount.premise.kind == "flat"))
        .order_by(PersonalAccount.id)
        .limit(100)
    )
    return [
        OwnedFlat(account_id=r["id"], premise_id=r["premise_id"], house_id=r["house_id"], address=r["address"],
                  number=r["number"], area=to_area(r["area"]))
        for r in rows
    ]  # fmt: skip


@dataclass(frozen=True)
class OfferRow:
    id: int
    status: str
    kind: str
    price_kopecks: int
    phone: str
    comment: str
    answer: str
    created_at: datetime
    premise_id: int
    house_id: int
    address: str
    number: str
    area: Decimal
    floor: int | None
    user_id: int
    user_name: str
    listing_id: int | None


_OFFER_COLUMNS = columns_of(
    ListingOffer,
    OfferRow,
    address=ListingOffer.house.address,
    number=ListingOffer.premise.number,
    area=ListingOffer.premise.area,
    floor=ListingOffer.premise.floor,
    user_name=ListingOffer.user.full_name,
)


def _offer(r: dict[str, Any]) -> OfferRow:
    return OfferRow(**{**r, "area": to_area(r["area"]), "user_name": r["user_name"] or ""})


async def offers_of_user(user_id: int) -> list[OfferRow]:
    rows = (
        await ListingOffer.select(*_OFFER_COLUMNS)
        .where(ListingOffer.user == user_id)
        .order_by(ListingOffer.id, ascending=False)
        .limit(MINE_LIMIT)
    )
    return [_offer(r) for r in rows]


async def staff_offers(principal: Principal, status: str, page: PageRequest) -> Page[OfferRow]:
    where = every(
        [
            ListingOffer.id > 0,
            house_scope(ListingOffer.house, principal),
            ListingOffer.status == status if status in OfferStatus.__members__.values() else None,
        ]
    )
    rows, total = await read_page(ListingOffer, _OFFER_COLUMNS, where, page, newest=(ListingOffer.id,))
    return Page(items=[_offer(r) for r in rows], total=total, number=page.number, size=page.size)


async def staff_offer(principal: Principal, offer_id: int) -> OfferRow:
    where = every([ListingOffer.id == offer_id, house_scope(ListingOffer.house, principal)])
    return _offer(found(await ListingOffer.select(*_OFFER_COLUMNS).where(where).first()))


# --- who is told ---------------------------------------------------------------------------------------------------


async def staff_to_tell(house_id: int, manager_id: int | None) -> list[int]:
    """Who hears of a lead or an owner's request: the staff member in charge; else the managers of the house; else
    the administrators (active ones only, at most ``TOLD_STAFF``)."""
    if manager_id is not None and await User.exists().where((User.id == manager_id) & User.is_active.eq(True)):
        return [manager_id]
    return await staff_of_house(house_id, rules.LISTING_ROLES) or await staff_of_house(None, ["admin"])


async def phone_of(user_id: int) -> str:
    row = await User.select(User.phone).where(User.id == user_id).first()
    return (row or {}).get("phone") or ""


# --- the feed for property aggregators ----------------------------------------------------------------------------


async def feed_listings() -> tuple[list[ListingView], dict[int, list[int]]]:
    """Every published listing (at most 5 000), newest first, with the ids of its photos in order."""
    rows = (
        await Listing.select(*_VIEW_COLUMNS)
        .where(Listing.status == ListingStatus.PUBLISHED)
        .order_by(Listing.published_at, ascending=False)
        .order_by(Listing.id, ascending=False)
        .limit(FEED_LIMIT)
    )
    items = [_listing_view(r) for r in rows]
    photos: dict[int, list[int]] = {}
    ids = [i.id for i in items]
    if ids:
        for r in (
            await ListingPhoto.select(ListingPhoto.id, ListingPhoto.listing)
            .where(ListingPhoto.listing.is_in(ids))
            .order_by(ListingPhoto.listing)
            .order_by(ListingPhoto.position)
            .order_by(ListingPhoto.id)
        ):
            photos.setdefault(r["listing"], []).append(r["id"])
    return items, photos


# --- viewing requests past their keeping term (the daily job ``actions.forget_viewing_requests``) ----------------


@dataclass(frozen=True)
class KeptLead:
    id: int
    user_id: int | None


async def leads_past_term(
    worked_before: datetime, consented_before: datetime, *, after: int = 0, limit: int = 200
) -> list[KeptLead]:
    """The leads whose visitor's data is kept yet, last worked on before ``worked_before`` or consented to before
    ``consented_before`` (the consent's year), by id after ``after``, by the index of ``erased_at``, which holds
    only the leads not yet done as null."""
    rows = (
        await Lead.select(Lead.id, Lead.user.as_alias("user_id"))
        .where(
            Lead.erased_at.is_null()
            & ((Lead.updated_at < worked_before) | (Lead.consent_at < consented_before))
            & (Lead.id > after)
        )
        .order_by(Lead.id)
        .limit(limit)
    )
    return [KeptLead(**r) for r in rows]


async def residents_among(user_ids: list[int]) -> set[int]:
    """Those of ``user_ids`` who are residents (linked to an account, not revoked), by the index of the user."""
    if not user_ids:
        return set()
    rows = (
        await Residency.select(Residency.user)
        .where(Residency.user.is_in(user_ids) & Residency.revoked_at.is_null())
        .distinct()
        .limit(len(user_ids))
    )
    return {r["user"] for r in rows}


orphans.kept_in("showcase", ListingPhoto.key, ListingPhoto.thumb_key)  # a listing's photo and its small copy
