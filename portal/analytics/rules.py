"""The analytics domain's decisions as plain functions: periods, shares and trends, NPS and CSI (DOMAIN.md §7.4),
the KPI efficiency and the staff bonus (the company's motivation scheme). No I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from decimal import ROUND_HALF_UP
from decimal import Decimal
from enum import StrEnum

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
TENTH = Decimal("0.1")

# --- periods -----------------------------------------------------------------------------------------------

DEFAULT_MONTHS = 12
MAX_MONTHS = 24


def add_months(period: date, months: int) -> date:
    """The first day of the month ``months`` away from ``period``'s month."""
    index = period.year * 12 + period.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_last(period: date) -> date:
    """The last day of ``period``'s month."""
    return add_months(period, 1) - timedelta(days=1)


def month_key(period: date) -> str:
    return f"{period.year:04d}-{period.month:02d}"


@dataclass(frozen=True)
class Period:
    """A run of whole months, ``start`` to ``end`` inclusive (first days of months)."""

    start: date
    end: date

    @property
    def months(self) -> list[date]:
        count = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
        return [add_months(self.start, n) for n in range(count)]

    @property
    def previous(self) -> Period:
        """The run of as many months just before this one (what a trend compares with)."""
        length = len(self.months)
        return Period(add_months(self.start, -length), add_months(self.start, -1))


def last_complete(latest: date, this_month: date) -> date:
    """The month a dashboard ends on by default: the newest month with balances, but not the month still running
    (its payments are still coming in, so its trend would mislead)."""
    return min(latest, add_months(this_month, -1))


def choose_period(start: date | None, end: date | None, latest: date) -> Period:
    """The months a dashboard shows: those asked for, else the ``DEFAULT_MONTHS`` up to ``latest``.

    A reversed run is turned round; a run longer than ``MAX_MONTHS`` keeps its last ``MAX_MONTHS``."""
    end = (end or latest).replace(day=1)
    start = (start or add_months(end, 1 - DEFAULT_MONTHS)).replace(day=1)
    if start > end:
        start, end = end, start
    earliest = add_months(end, 1 - MAX_MONTHS)
    return Period(max(start, earliest), end)


# --- shares and trends -------------------------------------------------------------------------------------


def share(part: Decimal | int, whole: Decimal | int, places: Decimal = TENTH) -> Decimal | None:
    """``part`` as a percentage of ``whole`` (None when there is no whole)."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(places, ROUND_HALF_UP)


def trend(current: Decimal | int | None, previous: Decimal | int | None) -> Decimal | None:
    """The current value as a percentage of the previous one (the deck's «95 %, 104 % … of the previous month»)."""
    if current is None or previous is None:
        return None
    return share(current, previous)


def per_unit(amount: Decimal, units: Decimal) -> Decimal:
    """``amount`` per one unit (receivables per m²), to the kopeck; zero without units."""
    if not units:
        return Decimal("0.00")
    return (amount / units).quantize(CENT, ROUND_HALF_UP)


# --- NPS and CSI (DOMAIN.md §7.4) --------------------------------------------------------------------------

PROMOTER_FROM = 9
DETRACTOR_UP_TO = 6


def valid_nps_score(value: object) -> int | None:
    """An NPS answer is a whole number 0–10."""
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10 else None


@dataclass(frozen=True)
class NpsResult:
    responses: int
    promoters: int
    passives: int
    detractors: int
    nps: int | None


def nps_of(responses: int, promoters: int, detractors: int) -> NpsResult:
    """NPS = (promoters − detractors) / responses × 100, an integer rounded half up; None without answers."""
    if not responses:
        return NpsResult(0, 0, 0, 0, None)
    value = (Decimal(promoters - detractors) * HUNDRED / responses).quantize(Decimal(1), ROUND_HALF_UP)
    return NpsResult(responses, promoters, responses - promoters - detractors, detractors, int(value))


def nps(scores: Iterable[int]) -> NpsResult:
    """NPS of a list of 0–10 answers (each person once: see ``one_per_person``)."""
    values = list(scores)
    promoters = sum(1 for s in values if s >= PROMOTER_FROM)
    detractors = sum(1 for s in values if s <= DETRACTOR_UP_TO)
    return nps_of(len(values), promoters, detractors)


# A wave of the NPS survey every six months per complex, open for a month.
NPS_EVERY_MONTHS = 6
WAVE_DAYS = 30
COMMENT_MAX = 2000


def wave_due(last_opened: date | None, today: date, every_months: int = NPS_EVERY_MONTHS) -> bool:
    """A complex gets a new wave when it never had one, or its last opened ``every_months`` months ago or more."""
    return last_opened is None or add_months(last_opened.replace(day=1), every_months) <= today.replace(day=1)


def wave_closes(opens_on: date, days: int = WAVE_DAYS) -> date:
    return opens_on + timedelta(days=days)


@dataclass(frozen=True)
class Answer:
    """One NPS answer: who (a person), in which wave, the score and when it was given."""

    person: int
    wave: int
    score: int
    order: int = 0  # later answers have a greater order (an id or a timestamp)


def one_per_person(answers: Iterable[Answer]) -> list[Answer]:
    """A person answering twice in one wave counts once: their latest answer."""
    latest: dict[tuple[int, int], Answer] = {}
    for a in answers:
        key = (a.person, a.wave)
        if key not in latest or a.order >= latest[key].order:
            latest[key] = a
    return list(latest.values())


def csi(scores: Iterable[int]) -> Decimal | None:
    """CSI = the mean of the 1–5 ratings, two decimals; None without ratings."""
    values = list(scores)
    if not values:
        return None
    return (Decimal(sum(values)) / len(values)).quantize(CENT, ROUND_HALF_UP)


def csi_of(total: int, count: int) -> Decimal | None:
    """CSI from a sum and a count of ratings (as an SQL aggregate gives them)."""
    return (Decimal(total) / count).quantize(CENT, ROUND_HALF_UP) if count else None


def csat(scores: Iterable[int]) -> Decimal | None:
    """CSAT = the share of ratings 4–5, in per cent to a tenth, as every share of the dashboard is shown (a whole per
    cent read «77,0 %» where 76,9 % was true)."""
    values = list(scores)
    return share(sum(1 for s in values if s >= 4), len(values))


# --- KPI and bonus (the company's motivation scheme) -------------------------------------------------------


class Kpi(StrEnum):
    NPS = "nps"  # NPS trend against the previous wave
    PLAN = "plan"  # the month's operational plan done
    RECEIVABLES = "receivables"  # receivables per m² falling against the previous month
    DISPATCH = "dispatch"  # requests closed on time, works in the acts matching requests


WEIGHTS: dict[Kpi, Decimal] = {
    Kpi.NPS: Decimal(20),
    Kpi.PLAN: Decimal(30),
    Kpi.RECEIVABLES: Decimal(30),
    Kpi.DISPATCH: Decimal(20),
}
THRESHOLD = Decimal(80)  # nothing is paid below 80 % total efficiency


def efficiency(achievements: Mapping[Kpi, Decimal], weights: Mapping[Kpi, Decimal] = WEIGHTS) -> Decimal:
    """The weighted efficiency in per cent (one decimal): Σ weight × achievement / 100. A KPI without an
    achievement counts as zero; an achievement is held to 0–100 %."""
    total = Decimal(0)
    for kpi, weight in weights.items():
        achieved = min(max(Decimal(achievements.get(kpi, 0)), Decimal(0)), HUNDRED)
        total += weight * achieved / HUNDRED
    return total.quantize(TENTH, ROUND_HALF_UP)


def contribution(kpi: Kpi, achievement: Decimal, weights: Mapping[Kpi, Decimal] = WEIGHTS) -> Decimal:
    """One KPI's part of the efficiency (20 % × 95 % = 19.0 %)."""
    return (weights[kpi] * min(max(achievement, Decimal(0)), HUNDRED) / HUNDRED).quantize(TENTH, ROUND_HALF_UP)


def bonus(maximum: Decimal, own_efficiency: Decimal, threshold: Decimal = THRESHOLD) -> Decimal:
    """A staff member's monthly bonus: their maximum × their efficiency; nothing below the threshold, never more
    than the maximum."""
    if own_efficiency < threshold:
        return Decimal("0.00")
    rate = min(own_efficiency, HUNDRED) / HUNDRED
    return (maximum * rate).quantize(CENT, ROUND_HALF_UP)


def receivables_achievement(current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """Receivables per m² should fall: 100 % when they fell or held, else previous / current (a rise of a fifth
    gives 83.3 %). None when either month is missing."""
    if current is None or previous is None:
        return None
    if current <= previous:
        return HUNDRED
    return (previous * HUNDRED / current).quantize(TENTH, ROUND_HALF_UP)


def dispatch_achievement(on_time: Decimal | None, acts_matching: Decimal | None) -> Decimal | None:
    """Dispatch discipline: requests closed on time (measured) and works in the acts matching requests (entered);
    the mean of the two when both are known, else the one that is."""
    known = [v for v in (on_time, acts_matching) if v is not None]
    if not known:
        return None
    return (sum(known, Decimal(0)) / len(known)).quantize(TENTH, ROUND_HALF_UP)


def nps_achievement(current: int | None, previous: int | None) -> Decimal | None:
    """NPS should rise or hold against the previous wave: 100 %, less one per cent per point it fell."""
    if current is None or previous is None:
        return None
    if current >= previous:
        return HUNDRED
    return max(Decimal(0), HUNDRED - Decimal(previous - current))
