"""Tables of the catalog: categories and paid services (with where each is offered), orders with their items as
priced when ordered, and the documents an order hands to the resident.

Statuses and kinds are ``StrEnum``s used with ``choices=``; money is kept in kopecks.
"""

from enum import StrEnum

from piccolo.columns import BigInt
from piccolo.columns import Boolean
from piccolo.columns import Date
from piccolo.columns import ForeignKey
from piccolo.columns import Integer
from piccolo.columns import Numeric
from piccolo.columns import Serial
from piccolo.columns import SmallInt
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
from portal.tickets.tables import Ticket


class ServiceKind(StrEnum):
    SERVICE = "service"  # work done at the premises (plumber, cleaning, assembly…)
    CERTIFICATE = "certificate"  # a document (справка, выписка, копия)


class PriceKind(StrEnum):
    FIXED = "fixed"  # the price is the price (0: free)
    FROM = "from"  # «от 1 500 ₽»: staff quote the real price, the resident accepts it and pays
    PER_UNIT = "per_unit"  # per hour, per m², per item: the resident gives the quantity


class Unit(StrEnum):
    NONE = ""
    HOUR = "hour"
    SQUARE_METRE = "m2"
    ITEM = "item"


class DocumentKind(StrEnum):
    """How a certificate is made: from the portal's own data at once, or by staff who attach it to the request."""

    NONE = ""  # not a certificate
    STATEMENT = "statement"  # выписка из лицевого счёта за период
    NO_DEBT = "no_debt"  # справка об отсутствии задолженности
    RECEIPT_COPY = "receipt_copy"  # копия квитанции (ЕПД) за месяц
    BY_STAFF = "by_staff"  # made by staff and attached to the request


class ExecutorGroup(StrEnum):
    """The team that fulfils a service (the dispatcher assigns one of its people to the request)."""

    PLUMBERS = "plumbers"
    ELECTRICIANS = "electricians"
    LOCKSMITHS = "locksmiths"
    HANDYMEN = "handymen"
    CLEANING = "cleaning"
    APPLIANCES = "appliances"
    SECURITY = "security"
    OFFICE = "office"


class OrderStatus(StrEnum):
    """Where an order stands. Once its request is open, what people are shown follows the request
    (``rules.shown_status``); the stored value keeps the steps before it and the end."""

    QUOTE_REQUESTED = "quote_requested"  # a "from" price: staff are to name the price
    QUOTED = "quoted"  # the price is named: the resident accepts it and pays
    AWAITING_PAYMENT = "awaiting_payment"  # priced, not paid yet
    ACCEPTED = "accepted"  # paid (or free): its request is open
    IN_WORK = "in_work"
    DONE = "done"
    CANCELLED = "cancelled"


class OrderSource(StrEnum):
    PORTAL = "portal"
    CALL_CENTRE = "call_centre"  # an operator placed it for the resident


class ServiceCategory(Table):
    """A section of the catalogue («Сантехника», «Справки»), in the order staff set; ``title_en`` is its name for
    English-speaking readers where staff wrote one (empty: they read the Russian ``title``)."""

    id = Serial(primary_key=True)
    title = Varchar(length=120)
    title_en = Varchar(length=120, default="")
    icon = Varchar(length=32, default="")
    position = Integer(default=0, index=True)
    active = Boolean(default=True, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class PaidService(Table):
    """A paid service or a certificate as the catalogue offers it. ``all_houses`` offers it everywhere; otherwise
    ``ServiceAvailability`` names the complexes and houses that have it. ``title_en`` and ``description_en`` are
    its words for English-speaking readers where staff wrote them (empty: they read the Russian ones)."""

    id = Serial(primary_key=True)
    category = ForeignKey(ServiceCategory, on_delete=OnDelete.restrict, null=False, index=True)
    kind = Varchar(length=16, default=ServiceKind.SERVICE, choices=ServiceKind, index=True)
    title = Varchar(length=160)
    title_en = Varchar(length=160, default="")
    description = Text(default="")
    description_en = Text(default="")
    photo_key = Varchar(length=128, null=True, default=None, index=True)  # indexed: core.orphans asks by it
    price_kind = Varchar(length=16, default=PriceKind.FIXED, choices=PriceKind)
    price_kopecks = BigInt(default=0)
    unit = Varchar(length=8, default=Unit.NONE, choices=Unit)
    duration_minutes = Integer(default=60)
    slots_per_day = Integer(default=4)  # orders this service can take on one day (0: no limit)
    executor_group = Varchar(length=24, default=ExecutorGroup.HANDYMEN, choices=ExecutorGroup, index=True)
    document = Varchar(length=16, default=DocumentKind.NONE, choices=DocumentKind)
    all_houses = Boolean(default=True)
    active = Boolean(default=True, index=True)
    position = Integer(default=0, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class ServiceAvailability(Table):
    """One complex or one house where a service is offered (when it is not offered in every house)."""

    id = Serial(primary_key=True)
    service = ForeignKey(PaidService, on_delete=OnDelete.cascade, null=False, index=True)
    complex = ForeignKey(Complex, on_delete=OnDelete.cascade, null=True, default=None, index=True)
    house = ForeignKey(House, on_delete=OnDelete.cascade, null=True, default=None, index=True)


class Order(Table, tablename="service_order"):
    """Заказ: services or a certificate ordered for one premises (by its personal account).

    ``uid`` is the order's reference at the payments domain (``order:<uid>``); ``total_kopecks`` is the sum of
    its items as priced when ordered (or the quoted price), never recomputed from the catalogue."""

    id = Serial(primary_key=True)
    uid = Varchar(length=36, unique=True)
    account = ForeignKey(PersonalAccount, on_delete=OnDelete.restrict, null=False, index=True)
    premise = ForeignKey(Premise, on_delete=OnDelete.restrict, null=True, default=None)
    house = ForeignKey(House, on_delete=OnDelete.restrict, null=False, index=True)
    user = ForeignKey(User, on_delete=OnDelete.restrict, null=True, default=None, index=True)
    created_by = ForeignKey(User, on_delete=OnDelete.restrict, null=True, default=None)
    source = Varchar(length=16, default=OrderSource.PORTAL, choices=OrderSource)
    kind = Varchar(length=16, default=ServiceKind.SERVICE, choices=ServiceKind, index=True)
    status = Varchar(length=20, default=OrderStatus.AWAITING_PAYMENT, choices=OrderStatus, index=True)
    preferred_date = Date(null=True, default=None, index=True)
    slot = Varchar(length=32, default="")
    comment = Text(default="")
    contact_phone = Varchar(length=32, default="")
    total_kopecks = BigInt(default=0)
    needs_quote = Boolean(default=False)
    quote_note = Text(default="")
    quoted_at = Timestamptz(null=True, default=None)
    quoted_by = ForeignKey(User, on_delete=OnDelete.restrict, null=True, default=None)
    period_from = Date(null=True, default=None)  # a statement's period, a receipt copy's month
    period_to = Date(null=True, default=None)
    ticket = ForeignKey(Ticket, on_delete=OnDelete.restrict, null=True, default=None, index=True)
    paid_at = Timestamptz(null=True, default=None, index=True)
    refunded_at = Timestamptz(null=True, default=None)
    # How staff returned the money by hand, as they noted it ("" if they did not); NULL unless returned by hand.
    refund_note = Varchar(length=255, null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)
    cancel_reason = Varchar(length=255, default="")
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    updated_at = Timestamptz(default=TimestamptzNow())


class OrderItem(Table, tablename="service_order_item"):
    """One service of an order with its title (in Russian and, where staff wrote one, in English) and price as
    they were when ordered (the catalogue may change afterwards)."""

    id = Serial(primary_key=True)
    order = ForeignKey(Order, on_delete=OnDelete.restrict, null=False, index=True)
    service = ForeignKey(PaidService, on_delete=OnDelete.restrict, null=False, index=True)
    category = ForeignKey(ServiceCategory, on_delete=OnDelete.restrict, null=False, index=True)
    title = Varchar(length=160)
    title_en = Varchar(length=160, default="")
    price_kind = Varchar(length=16, default=PriceKind.FIXED, choices=PriceKind)
    unit = Varchar(length=8, default=Unit.NONE, choices=Unit)
    unit_price_kopecks = BigInt(default=0)
    quantity = Numeric(digits=(10, 2))
    amount_kopecks = BigInt(null=True, default=None)  # None until a "from" price is quoted
    position = SmallInt(default=0)


class OrderDocument(Table, tablename="service_order_document"):
    """A document an order hands over: a certificate made by the portal, or one staff attached."""

    id = Serial(primary_key=True)
    order = ForeignKey(Order, on_delete=OnDelete.restrict, null=False, index=True)
    title = Varchar(length=255)
    title_en = Varchar(length=255, default="")  # where the portal named it; a title staff typed has none
    file_key = Varchar(length=128, unique=True)
    content_type = Varchar(length=64, default="application/pdf")
    size = Integer(default=0)
    made_by = ForeignKey(User, on_delete=OnDelete.restrict, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
