"""Tables of analytics: NPS survey waves and their answers, the monthly KPI of a complex and the bonus lines of
its staff. Composite uniques (one answer per person and wave, one KPI month per complex) live in the hand-written
migration (``migrations/analytics``)."""

from enum import StrEnum

from piccolo.columns import BigInt, Date, ForeignKey, Integer, Numeric, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from portal.accounts.tables import User
from portal.housing.tables import Complex, House


class KpiStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"


class NpsWave(Table):
    """One NPS survey of a complex («Насколько вероятно, что вы порекомендуете…»), open from ``opens_on`` to
    ``closes_on``; a wave every six months by default."""

    id = Serial(primary_key=True)
    complex = ForeignKey(Complex, on_delete=OnDelete.restrict, null=False, index=True)
    opens_on = Date(index=True)
    closes_on = Date(index=True)
    created_by = ForeignKey(User, on_delete=OnDelete.restrict, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


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
