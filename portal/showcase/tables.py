"""Tables of the showcase: listings with their photos, leads (заявки на просмотр) and owners' requests to list a
flat, with the kinds and statuses their rows take."""

from enum import StrEnum

from piccolo.columns import Array
from piccolo.columns import BigInt
from piccolo.columns import ForeignKey
from piccolo.columns import Integer
from piccolo.columns import Numeric
from piccolo.columns import Serial
from piccolo.columns import Text
from piccolo.columns import Timestamptz
from piccolo.columns import Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from portal.accounts.tables import User
from portal.housing.tables import Complex
from portal.housing.tables import House
from portal.housing.tables import PersonalAccount
from portal.housing.tables import Premise


class ListingKind(StrEnum):
    """What is offered: a commercial premise for rent, a flat for rent, a flat for sale (resale)."""

    COMMERCIAL = "commercial"
    RENT = "rent"
    SALE = "sale"


class PriceUnit(StrEnum):
    """What the typed price is: rubles a month, rubles per m² a month (rent), or the whole sale price."""

    MONTH = "month"
    M2_MONTH = "m2_month"
    TOTAL = "total"


class ListingStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    RESERVED = "reserved"  # still shown, marked: somebody is signing
    CLOSED = "closed"  # let or sold, or withdrawn


class Feature(StrEnum):
    """What a listing has, shown as a list on its page and in the feed."""

    SEPARATE_ENTRANCE = "separate_entrance"
    SHOP_WINDOW = "shop_window"
    WET_POINT = "wet_point"
    PARKING = "parking"
    HIGH_CEILING = "high_ceiling"
    POWER = "power"  # dedicated electric capacity
    FIRST_LINE = "first_line"  # on the street front
    FURNISHED = "furnished"
    APPLIANCES = "appliances"
    BALCONY = "balcony"
    PETS = "pets"
    MOVE_IN_HELP = "move_in_help"  # the company helps the tenant move in (the deck's «сопровождение заезда»)


class LeadStatus(StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    VIEWING = "viewing"  # a viewing is arranged
    DEAL = "deal"
    LOST = "lost"


class OfferStatus(StrEnum):
    """An owner's request to list their flat."""

    NEW = "new"
    LISTED = "listed"  # staff made a listing of it
    DECLINED = "declined"


class Listing(Table):
    """Объявление: a premise offered for rent or for sale. Address, complex, area and floor are copied from the
    registry premise when there is one (kept in step on every save), or typed for a premise outside the registry;
    the prices a visitor filters by are kept in kopecks, whatever unit the price was typed in."""

    id = Serial(primary_key=True)
    kind = Varchar(length=16, choices=ListingKind, index=True)
    status = Varchar(length=16, default=ListingStatus.DRAFT, choices=ListingStatus, index=True)
    house = ForeignKey(House, on_delete=OnDelete.restrict, null=False, index=True)
    complex = ForeignKey(Complex, on_delete=OnDelete.restrict, null=False, index=True)
    premise = ForeignKey(Premise, on_delete=OnDelete.restrict, null=True, default=None, index=True)
    premise_number = Varchar(length=16, default="")
    address = Varchar(length=300, default="")
    area = Numeric(digits=(10, 2), index=True)
    floor = Integer(default=1, index=True)
    rooms = Integer(null=True, default=None)  # flats: 0 is a studio
    price_kopecks = BigInt(default=0)  # as typed, in ``price_unit``
    price_unit = Varchar(length=16, default=PriceUnit.MONTH, choices=PriceUnit)
    total_kopecks = BigInt(default=0, index=True)  # a month's rent, or the sale price
    per_m2_kopecks = BigInt(default=0, index=True)  # a month's rent per m², or the sale price per m²
    description = Text(default="")
    features = Array(base_column=Varchar(length=32), default=list)
    manager = ForeignKey(User, on_delete=OnDelete.set_null, null=True, default=None, index=True)
    cover_photo = Integer(null=True, default=None)  # the first photo, so a page of cards needs no photo query
    photo_count = Integer(default=0)
    views = Integer(default=0)
    published_at = Timestamptz(null=True, default=None, index=True)
    created_by = ForeignKey(User, on_delete=OnDelete.set_null, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    updated_at = Timestamptz(default=TimestamptzNow())


class ListingPhoto(Table):
    """A photo of a listing (through core.storage: re-encoded, stripped of metadata), with a small copy for cards."""

    id = Serial(primary_key=True)
    listing = ForeignKey(Listing, on_delete=OnDelete.cascade, null=False, index=True)
    key = Varchar(length=100, index=True)  # both indexed: core.orphans asks by them
    thumb_key = Varchar(length=100, index=True)
    width = Integer(default=0)
    height = Integer(default=0)
    position = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())


class Lead(Table):
    """Заявка на просмотр: a visitor's name, phone and words about one listing, with the consent to the processing
    of personal data they gave (the text's version, when, from where) — recorded the way accounts records it."""

    id = Serial(primary_key=True)
    listing = ForeignKey(Listing, on_delete=OnDelete.restrict, null=False, index=True)
    status = Varchar(length=16, default=LeadStatus.NEW, choices=LeadStatus, index=True)
    name = Varchar(length=120)
    phone = Varchar(length=16)
    message = Text(default="")
    user = ForeignKey(User, on_delete=OnDelete.set_null, null=True, default=None, index=True)
    note = Text(default="")  # the staff's own note
    handled_by = ForeignKey(User, on_delete=OnDelete.set_null, null=True, default=None)
    consent_version = Varchar(length=64)
    consent_at = Timestamptz(default=TimestamptzNow())
    consent_ip = Varchar(length=64, default="")
    consent_user_agent = Varchar(length=255, default="")
    consent_locale = Varchar(length=8, default="ru")
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    updated_at = Timestamptz(default=TimestamptzNow())
    # When a visitor's name, phone and words were deleted at the end of their keeping term
    # (``actions.forget_viewing_requests``); null while kept. Indexed: the daily job reads the leads not yet done.
    erased_at = Timestamptz(null=True, default=None, index=True)


class ListingOffer(Table):
    """An owner asks the company to let or sell their flat; staff turn it into a listing (or decline)."""

    id = Serial(primary_key=True)
    premise = ForeignKey(Premise, on_delete=OnDelete.restrict, null=False, index=True)
    house = ForeignKey(House, on_delete=OnDelete.restrict, null=False, index=True)
    account = ForeignKey(PersonalAccount, on_delete=OnDelete.restrict, null=False)
    user = ForeignKey(User, on_delete=OnDelete.restrict, null=False, index=True)
    kind = Varchar(length=16, choices=ListingKind)
    price_kopecks = BigInt(default=0)
    phone = Varchar(length=16, default="")
    comment = Text(default="")
    status = Varchar(length=16, default=OfferStatus.NEW, choices=OfferStatus, index=True)
    listing = ForeignKey(Listing, on_delete=OnDelete.set_null, null=True, default=None)
    answer = Text(default="")
    handled_by = ForeignKey(User, on_delete=OnDelete.set_null, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    updated_at = Timestamptz(default=TimestamptzNow())
