"""Decisions of the showcase as plain functions over plain data: prices in every unit, what may be published, how a
listing and a lead move between statuses, what a visitor may see, the sorts a list allows. No I/O."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from decimal import ROUND_HALF_UP
from decimal import Decimal
from enum import StrEnum

from portal.core.clock import years_after
from portal.core.limits import Limit
from portal.core.security import Principal
from portal.showcase.tables import Feature
from portal.showcase.tables import LeadStatus
from portal.showcase.tables import ListingKind
from portal.showcase.tables import ListingStatus
from portal.showcase.tables import PriceUnit

# Who works the showcase: managers keep the listings; the call centre (operators) takes the leads too.
LISTING_ROLES = ("manager",)
LEAD_ROLES = ("manager", "operator")

# The company's single number (free from any phone in Russia), on every listing and in the feed.
SALES_PHONE = "8 800 555-41-51"
PAGE_SIZE = 12  # cards on a page of the public list
MAX_PHOTOS = 20
THUMB_SIDE = 640  # the card's copy of a photo, px
PUBLIC_STATUSES = (ListingStatus.PUBLISHED, ListingStatus.RESERVED)
# A visitor's network may send this many leads an hour, an owner this many offers (every try counts, a refused one
# too). Each try is taken in one atomic step (``core.limits``), so tries at the same moment cannot all slip under.
LEADS_PER_IP = Limit("showcase-lead-ip", 10, 3600, fail_open=True)
OFFERS_PER_USER = Limit("showcase-offer", 5, 3600, fail_open=True)
# A listing's view counts once a visitor a day: its key names the day (``view_key``), and outlives any day. Taken in
# one atomic step (``core.limits``), so two first visits at the same moment count once.
VIEWS_PER_VISITOR = Limit("showcase-view", 1, 2 * 86400, fail_open=True)
# Who asks for a page without anybody reading it, told by the words of its User-Agent: search robots, whose name ends
# in «bot», «crawler» or «spider» (Googlebot, YandexBot, bingbot, TelegramBot, Slackbot, Baiduspider; Yahoo's Slurp),
# and the link previews of messengers and social networks (facebookexternalhit, WhatsApp, vkShare, SkypeUriPreview,
# Embedly). A whole word, never a piece of one anywhere: «CUBOT KING KONG» is a phone, not a robot.
ROBOT_ENDINGS = ("bot", "crawler", "spider", "preview")
ROBOT_NAMES = frozenset({"slurp", "facebookexternalhit", "whatsapp", "vkshare", "embedly"})
NOT_ROBOTS = frozenset({"cubot"})  # phones whose maker's name ends like a robot's («CUBOT KING KONG», «Cubot Note 8»)
_AGENT_WORD = re.compile(r"[a-z0-9]+", re.I)

KOPECK = Decimal("0.01")
MAX_AREA = Decimal("100000")
MAX_PRICE = Decimal("10000000000")  # ten billion rubles: beyond any flat or premise, within a BIGINT of kopecks

# What each kind offers on the form and on its page.
UNITS: dict[ListingKind, tuple[PriceUnit, ...]] = {
    ListingKind.COMMERCIAL: (PriceUnit.M2_MONTH, PriceUnit.MONTH),
    ListingKind.RENT: (PriceUnit.MONTH, PriceUnit.M2_MONTH),
    ListingKind.SALE: (PriceUnit.TOTAL,),
}
FEATURES: dict[ListingKind, tuple[Feature, ...]] = {
    ListingKind.COMMERCIAL: (
        Feature.SEPARATE_ENTRANCE,
        Feature.SHOP_WINDOW,
        Feature.WET_POINT,
        Feature.PARKING,
        Feature.HIGH_CEILING,
        Feature.POWER,
        Feature.FIRST_LINE,
    ),
    ListingKind.RENT: (Feature.FURNISHED, Feature.APPLIANCES, Feature.BALCONY, Feature.PETS, Feature.PARKING,
                       Feature.MOVE_IN_HELP),
    ListingKind.SALE: (Feature.BALCONY, Feature.PARKING, Feature.FURNISHED),
}  # fmt: skip
# The registry's kind of premise each kind of listing is tied to.
PREMISE_KIND = {ListingKind.COMMERCIAL: "nonresidential", ListingKind.RENT: "flat", ListingKind.SALE: "flat"}


def is_flat(kind: str) -> bool:
    return kind in (ListingKind.RENT, ListingKind.SALE)


# --- prices ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prices:
    """What a visitor reads and filters by: the month's rent (or the sale price) and the same per m²."""

    total: Decimal
    per_m2: Decimal


def prices(unit: PriceUnit | str, price: Decimal, area: Decimal) -> Prices:
    """The deck's figures: 146 m² at 1 050 ₽/m² a month is 153 300 ₽ a month; 84,09 m² at 1 200 ₽ is 100 908 ₽.
    Rounded to the kopeck, half up."""
    if unit == PriceUnit.M2_MONTH:
        return Prices(total=(price * area).quantize(KOPECK, ROUND_HALF_UP), per_m2=price.quantize(KOPECK))
    per_m2 = (price / area).quantize(KOPECK, ROUND_HALF_UP) if area > 0 else Decimal("0.00")
    return Prices(total=price.quantize(KOPECK), per_m2=per_m2)


def unit_allowed(kind: ListingKind | str, unit: PriceUnit | str) -> bool:
    return unit in UNITS.get(ListingKind(kind), ())


def features_of(kind: ListingKind | str, chosen: list[str]) -> list[str]:
    """The chosen features that belong to ``kind``, in the order the kind lists them (unknown ones dropped)."""
    allowed = FEATURES.get(ListingKind(kind), ())
    return [f.value for f in allowed if f.value in chosen]


# --- statuses --------------------------------------------------------------------------------------------------


class Move(StrEnum):
    PUBLISH = "publish"
    RESERVE = "reserve"
    RELEASE = "release"  # back from reserved to published
    CLOSE = "close"
    REOPEN = "reopen"  # a closed listing back to a draft


MOVES: dict[Move, tuple[tuple[ListingStatus, ...], ListingStatus]] = {
    Move.PUBLISH: ((ListingStatus.DRAFT,), ListingStatus.PUBLISHED),
    Move.RESERVE: ((ListingStatus.PUBLISHED,), ListingStatus.RESERVED),
    Move.RELEASE: ((ListingStatus.RESERVED,), ListingStatus.PUBLISHED),
    Move.CLOSE: ((ListingStatus.DRAFT, ListingStatus.PUBLISHED, ListingStatus.RESERVED), ListingStatus.CLOSED),
    Move.REOPEN: ((ListingStatus.CLOSED,), ListingStatus.DRAFT),
}


def moved(status: ListingStatus | str, move: Move) -> ListingStatus | None:
    """The status a listing takes by ``move``, or None when the move does not apply to ``status``."""
    sources, target = MOVES[move]
    return target if status in sources else None


def moves_from(status: ListingStatus | str) -> list[Move]:
    return [m for m in Move if moved(status, m) is not None]


class Missing(StrEnum):
    """What a listing lacks to be published."""

    PHOTO = "photo"
    PRICE = "price"
    AREA = "area"


def missing_to_publish(photo_count: int, total_kopecks: int, area: Decimal) -> list[Missing]:
    """A published listing shows a card with a photo, a price and an area: each is required."""
    missing = []
    if photo_count < 1:
        missing.append(Missing.PHOTO)
    if total_kopecks <= 0:
        missing.append(Missing.PRICE)
    if area <= 0:
        missing.append(Missing.AREA)
    return missing


def is_public(status: ListingStatus | str) -> bool:
    return status in PUBLIC_STATUSES


LEAD_MOVES: dict[LeadStatus, tuple[LeadStatus, ...]] = {
    LeadStatus.NEW: (LeadStatus.IN_PROGRESS, LeadStatus.VIEWING, LeadStatus.LOST),
    LeadStatus.IN_PROGRESS: (LeadStatus.VIEWING, LeadStatus.DEAL, LeadStatus.LOST),
    LeadStatus.VIEWING: (LeadStatus.IN_PROGRESS, LeadStatus.DEAL, LeadStatus.LOST),
    LeadStatus.DEAL: (LeadStatus.IN_PROGRESS,),
    LeadStatus.LOST: (LeadStatus.IN_PROGRESS,),
}


def lead_may_move(current: LeadStatus | str, target: LeadStatus | str) -> bool:
    """A lead moves along its work (new → in progress → viewing arranged → deal or lost); a deal or a loss may be
    reopened; nothing goes back to "new"."""
    return target in LEAD_MOVES.get(LeadStatus(current), ())


class Direction(StrEnum):
    UP = "up"
    DOWN = "down"
    FIRST = "first"


def reordered(order: list[int], photo_id: int, direction: Direction | str) -> list[int]:
    """``order`` with one photo moved a place towards the start (up), the end (down), or to the start (first, the
    cover); an unknown photo or direction changes nothing."""
    if photo_id not in order or direction not in Direction.__members__.values():
        return list(order)
    at = order.index(photo_id)
    rest = order[:at] + order[at + 1 :]
    target = {Direction.UP: max(0, at - 1), Direction.DOWN: min(len(order) - 1, at + 1), Direction.FIRST: 0}[
        Direction(direction)
    ]
    return [*rest[:target], photo_id, *rest[target:]]


# --- who sees what -----------------------------------------------------------------------------------------------


def may_see_listing(principal: Principal, status: str, house_id: int) -> bool:
    """Anyone sees a published or reserved listing; a draft or a closed one only the showcase's staff of its house."""
    if is_public(status):
        return True
    return principal.has_role(*LEAD_ROLES) and principal.may_see_house(house_id)


def is_robot(user_agent: str) -> bool:
    """A robot or a link preview (a word of its User-Agent names one), or a program that does not say what it is (no
    User-Agent)."""
    words = {word.lower() for word in _AGENT_WORD.findall(user_agent)}
    return not words or any(
        word in ROBOT_NAMES or (word.endswith(ROBOT_ENDINGS) and word not in NOT_ROBOTS) for word in words
    )


def counts_view(principal: Principal, status: ListingStatus | str, user_agent: str) -> bool:
    """Whether opening a listing's page counts as a view: a listing on show, opened by a person — not by the staff
    (nor by the flat's own owner, which ``queries.owns_premise`` tells), not by a robot or a link preview."""
    return is_public(status) and not principal.is_staff and not is_robot(user_agent)


def view_key(secret: str, listing_id: int, day: date, user_id: int | None, ip: str, user_agent: str) -> str:
    """What a visitor's view of a listing on ``day`` is remembered by: the person when signed in, else their network
    address with their browser; signed with the app's secret, so the stored key tells neither who nor from where."""
    visitor = f"user:{user_id}" if user_id is not None else f"net:{ip}|{user_agent}"
    return hmac.new(secret.encode(), f"{listing_id}|{day.isoformat()}|{visitor}".encode(), hashlib.sha256).hexdigest()


def is_owner_of(principal: Principal, account_id: int) -> bool:
    """Only an owner of the premise (the right to vote comes with ownership alone) may offer it to let or sell, and
    only through its open account: a closed one is the previous owner's."""
    return principal.may_act_on(account_id, "vote")


# --- sorting -------------------------------------------------------------------------------------------------------


class Sort(StrEnum):
    NEWEST = "new"
    CHEAP = "price"
    DEAR = "-price"
    SMALL = "area"
    LARGE = "-area"


def sort_of(value: str | None) -> Sort:
    """A sort key from a URL, from the allow-list only (anything else is the default)."""
    return Sort(value) if value in Sort.__members__.values() else Sort.NEWEST


STAFF_SORTS = ("-created", "created", "price", "-price", "area", "-area", "-views", "views")


def staff_sort_of(value: str | None) -> str:
    return value if value in STAFF_SORTS else "-created"


# --- what a list asks for ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListingFilter:
    """The public list's filters (the deck's: area, floor, price, price per m², complex) and its sort; money in
    kopecks, area in m². ``None`` is "any"."""

    kind: ListingKind = ListingKind.COMMERCIAL
    area_from: Decimal | None = None
    area_to: Decimal | None = None
    floor: int | None = None
    price_from: int | None = None
    price_to: int | None = None
    m2_from: int | None = None
    m2_to: int | None = None
    complex: int | None = None
    sort: Sort = Sort.NEWEST

    def is_narrowed(self) -> bool:
        return any(
            v is not None
            for v in (self.area_from, self.area_to, self.floor, self.price_from, self.price_to, self.m2_from,
                      self.m2_to, self.complex)
        )  # fmt: skip


@dataclass(frozen=True)
class StaffFilter:
    """The staff list of listings: kind, status, complex, who is in charge; sorted by an allow-listed key."""

    kind: str = ""
    status: str = ""
    complex: int | None = None
    manager: int | None = None
    sort: str = "-created"


@dataclass(frozen=True)
class LeadFilter:
    status: str = ""
    kind: str = ""
    listing: int | None = None


# --- a visitor's viewing request kept no longer than its purpose (152-ФЗ ст. 5 ч. 7) -------------------------------


def lead_cut(today: date, keep_days: int) -> tuple[date, date]:
    """The days before which a visitor's lead must have been last worked on, or consented to, for its name, phone
    and words to be deleted ``today`` (``actions.forget_viewing_requests``): ``keep_days`` earlier, and the same date
    a year earlier (the consent's own term; ``years_after``: 29 February counts to the 28th)."""
    return today - timedelta(days=keep_days), years_after(today, -1)


def lead_erased_on(worked_day: date, consented_day: date, keep_days: int) -> date:
    """The day a visitor's name, phone and words go: the first day whose ``lead_cut`` is past the day the lead was
    last worked on or the day of the consent, whichever comes first."""
    day = min(worked_day + timedelta(days=keep_days + 1), years_after(consented_day, 1) + timedelta(days=1))
    while not (worked_day < (cut := lead_cut(day, keep_days))[0] or consented_day < cut[1]):
        day += timedelta(days=1)
    return day
