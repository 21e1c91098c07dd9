"""Tables of analytics: NPS survey waves and their answers, the monthly KPI of a complex and the bonus lines of
its staff; the monthly aggregates of each house the dashboard reads (refreshed by the scheduled job, idempotent
per month). Composite uniques (one answer per person and wave, one KPI month per complex) live in the hand-written
migration (``migrations/analytics``)."""

from decimal import Decimal
from enum import StrEnum

from piccolo.columns import BigInt
from piccolo.columns import Date
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
from portal.core.stamps import Created
from portal.housing.tables import Complex
from portal.housing.tables import House


class KpiStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"


class NpsWave(Created, Table):
    """One NPS survey of a complex («Насколько вероятно, что вы порекомендуете…»), open from ``opens_on`` to
    ``closes_on``; a wave every six months by default."""

    id = Serial(primary_key=True)
    complex = ForeignKey(Complex, on_delete=OnDelete.restrict, null=False, index=True)
    opens_on = Date(index=True)
    closes_on = Date(index=True)
    created_by = ForeignKey(User, on_delete=OnDelete.restrict, null=True, default=None)


class NpsAnswer(Table):
    """A resident's answer in a wave: 0–10 and a free-text why. One per person and wave (a second answer
    replaces the first)."""

    id = Serial(primary_key=True)
    wave = ForeignKey(NpsWave, on_delete=OnDelete.restrict, null=False, index=True)
    user = ForeignKey(User, on_delete=OnDelete.restrict, null=False, index=True)
    house = ForeignKey(House, on_delete=OnDelete.restrict, null=False, index=True)
    score = Integer()
    comment = Text(default="")
    answered_at = Timestamptz(default=TimestamptzNow(), index=True)


class KpiMonth(Table):
    """The KPI of a complex for one month: the achievements the portal measured, those a manager entered
    (operational plan, works matching the acts), the weighted efficiency, and who approved it."""

    id = Serial(primary_key=True)
    complex = ForeignKey(Complex, on_delete=OnDelete.restrict, null=False, index=True)
    period = Date(index=True)
    nps_pct = Numeric(digits=(5, 1), null=True, default=None)
    plan_pct = Numeric(digits=(5, 1), null=True, default=None)
    acts_pct = Numeric(digits=(5, 1), null=True, default=None)  # works in the acts matching requests (entered)
    receivables_pct = Numeric(digits=(5, 1), null=True, default=None)
    dispatch_pct = Numeric(digits=(5, 1), null=True, default=None)
    efficiency_pct = Numeric(digits=(5, 1), null=True, default=None)
    status = Varchar(length=16, default=KpiStatus.DRAFT, choices=KpiStatus)
    approved_by = ForeignKey(User, on_delete=OnDelete.restrict, null=True, default=None)
    approved_at = Timestamptz(null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())


class KpiBonus(Table):
    """One staff member's bonus line of a KPI month: their maximum, their own efficiency, the sum to pay."""

    id = Serial(primary_key=True)
    kpi_month = ForeignKey(KpiMonth, on_delete=OnDelete.cascade, null=False, index=True)
    user = ForeignKey(User, on_delete=OnDelete.restrict, null=False, index=True)
    position = Varchar(length=120, default="")
    maximum_kopecks = BigInt(default=0)
    efficiency_pct = Numeric(digits=(5, 1), null=True, default=None)
    bonus_kopecks = BigInt(default=0)


class RequestCounts:
    """The requests of a month (a house's, or one category's or executor's of it): received in the month, closed
    in it, of those on time, rated, and the ratings' sum (a column mixin of the aggregate tables)."""

    received = Integer(default=0)
    closed = Integer(default=0)
    on_time = Integer(default=0)
    rated = Integer(default=0)
    rating_sum = Integer(default=0)


class HouseMonth(RequestCounts, Table, tablename="analytics_house_month"):
    """One house's month as the dashboard counts it, written by ``aggregates.refresh`` (deleted and written again
    for a month, so a run twice gives the same rows): money from the balances, payments by channel, the portal's
    uptake and the requests of the month."""

    id = Serial(primary_key=True)
    period = Date(index=True)
    house = ForeignKey(House, on_delete=OnDelete.cascade, null=True, default=None, index=True)  # None: all
    accounts = Integer(default=0)
    area = Numeric(digits=(14, 2), default=Decimal("0.00"))
    charged_kopecks = BigInt(default=0)  # the services, as the receipts' «Начислено»
    corrections_kopecks = BigInt(default=0)  # balance corrections (signed), apart from the charges
    paid_kopecks = BigInt(default=0)
    debt_kopecks = BigInt(default=0)
    # Payments by channel: the portal's card checkout, СБП, autopay, and every other payment the ledger credits.
    card_count = Integer(default=0)
    card_kopecks = BigInt(default=0)
    sbp_count = Integer(default=0)
    sbp_kopecks = BigInt(default=0)
    autopay_count = Integer(default=0)
    autopay_kopecks = BigInt(default=0)
    other_count = Integer(default=0)
    other_kopecks = BigInt(default=0)
    # The portal's uptake: requests filed through it, service orders, readings passed through it (of all),
    # accounts with an owner connected by the month's end.
    portal_requests = Integer(default=0)
    orders = Integer(default=0)
    readings = Integer(default=0)
    portal_readings = Integer(default=0)
    connected = Integer(default=0)
    satisfied = Integer(default=0)  # of the requests (RequestCounts), those rated 4–5
    refreshed_at = Timestamptz(default=TimestamptzNow())


class TicketMonth(RequestCounts, Table, tablename="analytics_ticket_month"):
    """Requests of one house and month by category or by executor (``dimension``; ``key`` the category or the
    executor's id, "" for none), written with ``HouseMonth``."""

    id = Serial(primary_key=True)
    period = Date(index=True)
    house = ForeignKey(House, on_delete=OnDelete.cascade, null=True, default=None, index=True)  # None: all
    dimension = Varchar(length=16)
    key = Varchar(length=64, default="")


class NpsHouse(Table, tablename="analytics_nps_house"):
    """The answers of the NPS waves opened on one day in one house (house None: every house): responses,
    promoters (9–10) and detractors (0–6); written with ``HouseMonth`` for the waves opened in its month."""

    id = Serial(primary_key=True)
    opens_on = Date(index=True)
    closes_on = Date()
    house = ForeignKey(House, on_delete=OnDelete.cascade, null=True, default=None, index=True)  # None: all
    responses = Integer(default=0)
    promoters = Integer(default=0)
    detractors = Integer(default=0)
