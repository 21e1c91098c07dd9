"""Changes of the showcase, one function per intent, each one ``atomic()`` unit with its audit event (staff writes)
and its outbox rows (the notices of leads and owners' requests). A rule that says no raises ``Refused``."""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from PIL import Image

from portal.core import audit
from portal.core import clock
from portal.core import jobs
from portal.core import stale
from portal.core import storage
from portal.core.address import full_address
from portal.core.db import atomic
from portal.core.db import from_kopecks
from portal.core.db import is_sqlite
from portal.core.db import to_kopecks
from portal.core.i18n import gettext
from portal.core.i18n import ngettext
from portal.core.security import Principal
from portal.core.tables import OutboxMessage
from portal.core.web import Refused
from portal.housing.tables import Premise
from portal.notifications.channels import deliver_soon
from portal.settings import get_settings
from portal.showcase import consent
from portal.showcase import notices
from portal.showcase import queries
from portal.showcase import rules
from portal.showcase import words
from portal.showcase.rules import Missing
from portal.showcase.rules import Move
from portal.showcase.tables import Lead
from portal.showcase.tables import LeadStatus
from portal.showcase.tables import Listing
from portal.showcase.tables import ListingKind
from portal.showcase.tables import ListingOffer
from portal.showcase.tables import ListingPhoto
from portal.showcase.tables import ListingStatus
from portal.showcase.tables import OfferStatus
from portal.showcase.tables import PriceUnit

# --- listings ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """Where a listing is: its house and complex, and the premise — from the registry, or typed by hand."""

    house_id: int
    complex_id: int
    address: str
    premise_id: int | None
    premise_number: str
    area: Decimal
    floor: int


@dataclass(frozen=True)
class ListingInput:
    kind: ListingKind
    price_kopecks: int
    price_unit: PriceUnit
    description: str = ""
    features: tuple[str, ...] = ()
    rooms: int | None = None
    manager: int | None = None


def _fields(data: ListingInput, place: Place) -> dict[Any, Any]:
    figures = rules.prices(data.price_unit, from_kopecks(data.price_kopecks), place.area)
    return {
        Listing.kind: data.kind,
        Listing.house: place.house_id,
        Listing.complex: place.complex_id,
        Listing.premise: place.premise_id,
        Listing.premise_number: place.premise_number,
        Listing.address: place.address[:300],
        Listing.area: place.area,
        Listing.floor: place.floor,
        Listing.rooms: data.rooms if rules.is_flat(data.kind) else None,
        Listing.price_kopecks: data.price_kopecks,
        Listing.price_unit: data.price_unit,
        Listing.total_kopecks: to_kopecks(figures.total),
        Listing.per_m2_kopecks: to_kopecks(figures.per_m2),
        Listing.description: data.description[:5000],
        Listing.features: list(data.features),
        Listing.manager: data.manager,
        Listing.updated_at: clock.now(),
    }


def _plain(values: dict[Any, Any]) -> dict[str, Any]:
    return {column._meta.name: value for column, value in values.items() if column._meta.name != "updated_at"}


def missing_words(missing: list[Missing]) -> str:
    return ", ".join(
        {
            Missing.PHOTO: gettext("a photo"),
            Missing.PRICE: gettext("a price"),
            Missing.AREA: gettext("the area"),
        }[m]
        for m in missing
    )


def _check_house(principal: Principal, house_id: int) -> None:
    if not principal.may_see_house(house_id):
        raise Refused(gettext("You can list premises only in the houses you work with."))


async def create_listing(principal: Principal, data: ListingInput, place: Place, *, ip: str = "") -> int:
    """A draft listing of a house the staff member works with."""
    _check_house(principal, place.house_id)
    values = _fields(data, place)
    async with atomic():
        rows = await Listing.insert(
            Listing(**{c._meta.name: v for c, v in values.items()}, created_by=principal.user_id)
        )
        listing_id = rows[0]["id"]
        await audit.record(principal, "showcase.listing_create", "listing", listing_id, _plain(values), ip)
    return listing_id


async def update_listing(
    principal: Principal,
    listing: queries.ListingView,
    data: ListingInput,
    place: Place,
    *,
    ip: str = "",
    version: str | None = None,
) -> None:
    """New figures and words for a listing; one on show must keep what its card needs. A form read at another
    ``version`` than the listing's is refused (``stale.Stale``), nothing written; one that changes nothing of the
    listing as it is now writes nothing, whatever its version."""
    _check_house(principal, place.house_id)
    values = _fields(data, place)
    if rules.is_public(listing.status):
        missing = rules.missing_to_publish(listing.photo_count, values[Listing.total_kopecks], place.area)
        if missing:
            raise Refused(gettext("A listing on show needs %(what)s.", what=missing_words(missing)))
    changes = await stale.changes(Listing, listing.id, _plain(values))
    if not changes:
        return
    now = clock.now()  # the new version and its audit event alike
    async with atomic():
        await stale.check(Listing, listing.id, "listing", version)
        await Listing.update({**values, Listing.updated_at: now}).where(Listing.id == listing.id)
        await audit.record(principal, "showcase.listing_update", "listing", listing.id, changes, ip, now=now)


# The audit action of each move of a listing.
_MOVE_AUDITED = {
    Move.PUBLISH: "showcase.listing_publish",
    Move.RESERVE: "showcase.listing_reserve",
    Move.RELEASE: "showcase.listing_release",
    Move.CLOSE: "showcase.listing_close",
    Move.REOPEN: "showcase.listing_reopen",
}


def _listing_is(status: str) -> str:
    """A step refused for the listing's state, saying it."""
    return gettext("This cannot be done with the listing now: it is “%(status)s”.", status=words.status_label(status))


async def move_listing(
    principal: Principal, listing: queries.ListingView, move: Move, *, ip: str = ""
) -> ListingStatus:
    """Publish, reserve, release, close or reopen; publishing needs a photo, a price and the area."""
    target = rules.moved(listing.status, move)
    if target is None:
        raise Refused(_listing_is(listing.status))
    changes: dict[Any, Any] = {Listing.status: target, Listing.updated_at: clock.now()}
    if move is Move.PUBLISH:
        missing = rules.missing_to_publish(listing.photo_count, listing.total_kopecks, listing.area)
        if missing:
            raise Refused(gettext("To publish the listing, add %(what)s.", what=missing_words(missing)))
        changes[Listing.published_at] = clock.now()
    async with atomic():
        done = (
            await Listing.update(changes)
            .where((Listing.id == listing.id) & (Listing.status == listing.status))
            .returning(Listing.id)
        )
        if not done:  # a second staff member's step a moment later: told what the listing is now
            now_is = await Listing.select(Listing.status).where(Listing.id == listing.id).first()
            raise Refused(_listing_is(now_is["status"] if now_is else listing.status))
        await audit.record(
            principal, _MOVE_AUDITED[move], "listing", listing.id, {"status": [listing.status, target]}, ip
        )
    return target


# What a copy of a listing starts afresh: a draft of its own, without photos, views or a publication date.
_NOT_COPIED = frozenset(
    {"id", "status", "cover_photo", "photo_count", "views", "published_at", "created_by", "created_at", "updated_at"}
)


async def duplicate(principal: Principal, listing: queries.ListingView, *, ip: str = "") -> int:
    """A draft copy of a listing — words, figures, features and place — without its photos, views and leads."""
    _check_house(principal, listing.house_id)
    copied = [c for c in Listing._meta.columns if c._meta.name not in _NOT_COPIED]
    async with atomic():
        row = await Listing.select(*copied).where(Listing.id == listing.id).first()
        rows = await Listing.insert(Listing(**row, created_by=principal.user_id))
        copy_id = rows[0]["id"]
        await audit.record(principal, "showcase.listing_duplicate", "listing", copy_id, {"from": listing.id}, ip)
    return copy_id


async def count_view(listing_id: int) -> None:
    """One more view of a listing's public page."""
    await Listing.update({Listing.views: Listing.views + 1}).where(Listing.id == listing_id)


# --- photos ------------------------------------------------------------------------------------------------------


def _small(data: bytes) -> bytes:
    """The card's copy of a cleaned photo: at most 640 px a side."""
    image = Image.open(io.BytesIO(data))
    image.thumbnail((rules.THUMB_SIDE, rules.THUMB_SIDE))
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=80, optimize=True)
    return out.getvalue()


async def _store(upload: Any) -> tuple[storage.StoredFile, storage.StoredFile]:
    """A photo cleaned by core.storage (re-encoded, stripped), and its small copy stored beside it (made from the
    cleaned file, or handed along with the photo as ``upload.small`` — the demo's drawings)."""
    full = await storage.save_image(upload)
    small = getattr(upload, "small", None) or await asyncio.to_thread(
        lambda: _small(storage.path_of(full.key).read_bytes())
    )
    return full, await storage.save_image(small)


async def _renumber(listing_id: int, order: list[int]) -> None:
    """Positions 0, 1, 2 … in ``order``; the first photo becomes the cover."""
    for position, photo_id in enumerate(order):
        await ListingPhoto.update({ListingPhoto.position: position}).where(
            (ListingPhoto.id == photo_id) & (ListingPhoto.listing == listing_id)
        )
    await Listing.update(
        {
            Listing.cover_photo: order[0] if order else None,
            Listing.photo_count: len(order),
            Listing.updated_at: clock.now(),
        }
    ).where(Listing.id == listing_id)


async def _order(listing_id: int) -> list[int]:
    return [r["id"] for r in await queries.photo_rows(listing_id)]


async def add_photos(
    principal: Principal, listing: queries.ListingView, uploads: list[Any], *, ip: str = ""
) -> list[Any]:
    """Store the photos (at most 20 a listing) after the ones it has; returns the refusals (``UploadRefused``) of
    the files that are not photos or too large, which are skipped."""
    room = rules.MAX_PHOTOS - listing.photo_count
    if room <= 0:
        raise Refused(
            ngettext(
                "A listing holds at most %(num)s photo.", "A listing holds at most %(num)s photos.", rules.MAX_PHOTOS
            )
        )
    stored, refused = [], []
    for upload in uploads[:room]:
        try:
            stored.append(await _store(upload))
        except storage.UploadRefused as problem:
            refused.append(problem)
    if not stored:
        return refused
    async with atomic():
        order = await _order(listing.id)
        for position, (full, small) in enumerate(stored, start=len(order)):
            rows = await ListingPhoto.insert(
                ListingPhoto(listing=listing.id, key=full.key, thumb_key=small.key, width=full.width,
                             height=full.height, position=position)
            )  # fmt: skip
            order.append(rows[0]["id"])
        await _renumber(listing.id, order)
        await audit.record(principal, "showcase.photos_add", "listing", listing.id, {"photos": len(stored)}, ip)
    return refused


async def move_photo(
    principal: Principal, listing: queries.ListingView, photo_id: int, direction: str, *, ip: str = ""
) -> None:
    async with atomic():
        order = await _order(listing.id)
        if photo_id not in order:
            raise Refused(gettext("This photo is no longer there."))
        new = rules.reordered(order, photo_id, direction)
        await _renumber(listing.id, new)
        await audit.record(principal, "showcase.photo_move", "listing", listing.id, {"photos": [order, new]}, ip)


async def delete_photo(principal: Principal, listing: queries.ListingView, photo_id: int, *, ip: str = "") -> None:
    """Remove a photo; a listing on show keeps at least one."""
    async with atomic():
        rows = {r["id"]: r for r in await queries.photo_rows(listing.id)}
        if photo_id not in rows:
            raise Refused(gettext("This photo is no longer there."))
        if rules.is_public(listing.status) and len(rows) == 1:
            raise Refused(gettext("A listing on show keeps at least one photo. Add another one first."))
        await ListingPhoto.delete().where(ListingPhoto.id == photo_id)
        await _renumber(listing.id, [i for i in rows if i != photo_id])
        await audit.record(principal, "showcase.photo_delete", "listing", listing.id, {"photo": photo_id}, ip)
    for key in (rows[photo_id]["key"], rows[photo_id]["thumb_key"]):
        storage.delete(key)


# --- leads -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Visitor:
    """Where a lead came from, for its consent record."""

    ip: str
    user_agent: str
    locale: str


async def send_lead(
    principal: Principal, listing: queries.ListingView, name: str, phone: str, message: str, visitor: Visitor
) -> int:
    """A visitor's lead on a listing with the consent they gave; the staff in charge hear of it (in-app and
    e-mail, through the outbox, in their own language)."""
    if not rules.is_public(listing.status):
        raise Refused(gettext("This listing is no longer on show."))
    now = clock.now()
    async with atomic():
        rows = await Lead.insert(
            Lead(
                listing=listing.id,
                name=name[:120],
                phone=phone,
                message=message[:2000],
                user=principal.user_id,
                consent_version=consent.current_version(),
                consent_at=now,
                consent_ip=visitor.ip[:64],
                consent_user_agent=visitor.user_agent[:255],
                consent_locale=visitor.locale[:8],
                created_at=now,
                updated_at=now,
            )
        )
        lead_id = rows[0]["id"]
        context = {"kind": listing.kind, "complex": listing.complex_name, "area": str(listing.area),
                   "rooms": listing.rooms, "address": listing.address, "name": name, "phone": phone,
                   "message": message[:500], "link": f"/staff/showcase/leads/{lead_id}"}  # fmt: skip
        staff = await queries.staff_to_tell(listing.house_id, listing.manager_id)
        await notices.tell(staff, notices.LEAD, context, lead_ref(lead_id))
    deliver_soon()
    return lead_id


async def move_lead(
    principal: Principal, lead: queries.LeadRow, status: LeadStatus, note: str, *, ip: str = ""
) -> None:
    """A lead moves along its work (or only its note changes)."""
    if status != lead.status and not rules.lead_may_move(lead.status, status):
        raise Refused(gettext("A lead cannot go from this status to that one."))
    async with atomic():
        done = (
            await Lead.update(
                {Lead.status: status, Lead.note: note, Lead.handled_by: principal.user_id, Lead.updated_at: clock.now()}
            )
            .where((Lead.id == lead.id) & (Lead.status == lead.status))
            .returning(Lead.id)
        )
        if not done:
            raise Refused(gettext("Someone has just changed this lead. Look at it again."))
        changes = {"status": [lead.status, status], "note": note[:200]}
        await audit.record(principal, "showcase.lead_status", "lead", lead.id, changes, ip)


# --- owners' requests to list a flat ----------------------------------------------------------------------------


async def ask_to_list(principal: Principal, flat: queries.OwnedFlat, kind: ListingKind, price_kopecks: int,
                      phone: str, comment: str, owner_name: str, *, ip: str = "") -> int:  # fmt: skip
    """An owner asks the company to let or sell their flat; the managers of the house hear of it. The offer is in
    the audit log, signed by the owner (the flat, the kind and the price; not the phone or the comment they wrote),
    as the managers' answer to it is."""
    if principal.user_id is None or not rules.is_owner_of(principal, flat.account_id):
        raise Refused(gettext("Only an owner of the flat can offer it."))
    now = clock.now()
    async with atomic():
        # Checked in the transaction that adds the offer, the flat's row locked (SQLite's write transactions are
        # serial): offers sent at the same moment each found none pending, and the managers heard of each.
        if not is_sqlite():
            await Premise.select(Premise.id).where(Premise.id == flat.premise_id).lock_rows()
        pending = await ListingOffer.exists().where(
            (ListingOffer.premise == flat.premise_id) & (ListingOffer.status == OfferStatus.NEW)
        )
        if pending:
            raise Refused(gettext("Your request for this flat is already with us: a manager will call you."))
        rows = await ListingOffer.insert(
            ListingOffer(premise=flat.premise_id, house=flat.house_id, account=flat.account_id,
                         user=principal.user_id, kind=kind, price_kopecks=price_kopecks, phone=phone,
                         comment=comment[:2000], created_at=now, updated_at=now)
        )  # fmt: skip
        offer_id = rows[0]["id"]
        offered = {"premise": flat.premise_id, "kind": kind.value, "price_kopecks": price_kopecks}
        await audit.record(principal, "showcase.offer_sent", "listing_offer", offer_id, offered, ip, now=now)
        context = {"owner": owner_name, "kind": kind.value, "address": full_address(flat.address, "flat", flat.number),
                   "price": price_kopecks, "phone": phone, "comment": comment[:500],
                   "link": f"/staff/showcase/offers/{offer_id}"}  # fmt: skip
        staff = await queries.staff_to_tell(flat.house_id, None)
        await notices.tell(staff, notices.OFFER, context, f"showcase:offer:{offer_id}")
    deliver_soon()
    return offer_id


def _pending(offer: queries.OfferRow) -> None:
    if offer.status != OfferStatus.NEW:
        raise _answered(offer.status)


def _answered(status: str) -> Refused:
    """An owner's request answered already (by another staff member a moment before): said with its answer."""
    return Refused(gettext("This request is already answered: “%(status)s”.", status=words.offer_status_label(status)))


async def _answer(offer_id: int, values: dict[Any, Any]) -> None:
    """Write the answer to a request only while it waits for one; else refused, saying how it was answered."""
    written = (
        await ListingOffer.update({**values, ListingOffer.updated_at: clock.now()})
        .where((ListingOffer.id == offer_id) & (ListingOffer.status == OfferStatus.NEW))
        .returning(ListingOffer.id)
    )
    if not written:
        now_is = await ListingOffer.select(ListingOffer.status).where(ListingOffer.id == offer_id).first()
        raise _answered(now_is["status"] if now_is else OfferStatus.DECLINED)


async def turn_into_listing(principal: Principal, offer: queries.OfferRow, place: Place, *, ip: str = "") -> int:
    """A draft listing of the owner's flat (from the registry), the request marked as listed, the owner told."""
    _pending(offer)
    kind = ListingKind(offer.kind)
    unit = PriceUnit.TOTAL if kind is ListingKind.SALE else PriceUnit.MONTH
    manager = principal.user_id if principal.has_role(*rules.LISTING_ROLES) else None
    data = ListingInput(kind=kind, price_kopecks=offer.price_kopecks, price_unit=unit, manager=manager)
    async with atomic():  # the listing and the answer as one: a request answered meanwhile leaves no listing behind
        listing_id = await create_listing(principal, data, place, ip=ip)
        await _answer(offer.id, {ListingOffer.status: OfferStatus.LISTED, ListingOffer.listing: listing_id,
                                 ListingOffer.handled_by: principal.user_id})  # fmt: skip
        await audit.record(principal, "showcase.offer_listed", "listing_offer", offer.id, {"listing": listing_id}, ip)
        await notices.tell([offer.user_id], notices.OFFER_ANSWER,
                           {"address": place.address, "listed": True, "answer": "", "link": "/showcase/mine"},
                           f"showcase:offer:{offer.id}:answer")  # fmt: skip
    deliver_soon()
    return listing_id


async def decline_offer(
    principal: Principal, offer: queries.OfferRow, answer: str, address: str, *, ip: str = ""
) -> None:
    _pending(offer)
    if not answer.strip():
        raise Refused(gettext("Write the owner why the flat is not taken."))
    async with atomic():
        await _answer(offer.id, {ListingOffer.status: OfferStatus.DECLINED, ListingOffer.answer: answer[:2000],
                                 ListingOffer.handled_by: principal.user_id})  # fmt: skip
        await audit.record(
            principal, "showcase.offer_declined", "listing_offer", offer.id, {"answer": answer[:200]}, ip
        )
        await notices.tell([offer.user_id], notices.OFFER_ANSWER,
                           {"address": address, "listed": False, "answer": answer[:500], "link": "/showcase/mine"},
                           f"showcase:offer:{offer.id}:answer")  # fmt: skip
    deliver_soon()


# --- a visitor's viewing request kept no longer than its purpose (the daily job) ----------------------------------

LEADS_PER_BATCH = 200


@jobs.register("viewing-requests-erasure", 86400, key=lambda now: clock.local(now).date().isoformat())
async def viewing_requests_erasure(now: datetime) -> int:
    return await forget_viewing_requests(now, get_settings().viewing_keep_days)


async def forget_viewing_requests(now: datetime, keep_days: int) -> int:
    """Delete the name, phone and words of a visitor who is not a resident (not signed in, or signed in without an
    account) from their viewing request the day after ``keep_days`` from its last change (the viewing arranged, the
    deal made or lost; 152-ФЗ ст. 5 ч. 7), and at the latest a year after the consent (its own term), with the staff
    note and where the consent came from, and the messages that told staff of it. The lead stays (its listing,
    status and dates) and says the day its data went. A batch at a time, each in one transaction with one audit row.
    Returns how many leads were done."""
    worked_day, consented_day = rules.lead_cut(clock.local(now).date(), keep_days)
    worked_before, consented_before = clock.day_start(worked_day), clock.day_start(consented_day)
    done = after = 0
    while leads := await queries.leads_past_term(worked_before, consented_before, after=after, limit=LEADS_PER_BATCH):
        after = leads[-1].id
        residents = await queries.residents_among(sorted({x.user_id for x in leads if x.user_id is not None}))
        done += await _forget_leads([x.id for x in leads if x.user_id not in residents], now)
    return done


def lead_ref(lead_id: int) -> str:
    """What the messages telling staff of a lead are about (their ``dedupe_key`` and ``ref``)."""
    return f"showcase:lead:{lead_id}"


async def _forget_leads(ids: list[int], now: datetime) -> int:
    if not ids:
        return 0
    async with atomic():
        blank = {Lead.name: "", Lead.phone: "", Lead.message: "", Lead.note: "", Lead.consent_ip: ""}
        forgotten = (
            await Lead.update({**blank, Lead.consent_user_agent: "", Lead.erased_at: now})
            .where(Lead.id.is_in(ids) & Lead.erased_at.is_null())
            .returning(Lead.id)
        )
        if forgotten:
            # by the index of ``ref``, which names the lead (``lead_ref``: the messages of leads alone)
            await OutboxMessage.delete().where(OutboxMessage.ref.is_in([lead_ref(r["id"]) for r in forgotten]))
            await audit.record(None, "showcase.leads_erased", "lead", None, {"leads": len(forgotten)}, now=now)
    return len(forgotten)
