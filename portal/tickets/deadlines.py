"""Legal deadlines of the dispatch service (АДС), DOMAIN.md §5, as a period table looked up by date.

Pure functions: they take the registration time and return the deadline, never reading the clock. The table is
keyed by region ("default" = the federal rules of ПП № 416 and Госстрой № 170 прил. 2); a region with its own
table (Moscow) adds rows with its own key. Rows carry ``valid_from``/``valid_to`` (inclusive) so that a change of
the rules is a new row, not an edit.

Clock kinds:
- ``minutes``: a plain clock from registration (30 min, 2 h, 3 h; 0 = immediately);
- ``window``: a clock that runs only inside daily hours (garbage chute: 2 h, not before 08:00, not after 23:00);
- ``days``: calendar days (сутки) of 24 hours from registration — or, for a row ``from_damage`` (the repair of an
  emergency's damage, ПП № 416 п. 13: «3 суток с момента аварии»), from the moment the damage happened where staff
  know it (never later than the registration);
- ``seasonal_days``: calendar days, one number in winter and another in summer (broken windows);
- ``working_days``: working days of the Russian production calendar (``core.calendar``), counted from the next
  day; due at the end of the last day (23:59:59 local);
- ``none``: no legal deadline (planned and paid works are due on the date agreed with the resident).
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import replace
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from zoneinfo import ZoneInfo

from portal.core.calendar import add_working_days
from portal.core.i18n import gettext
from portal.core.i18n import ngettext
from portal.settings import get_settings

DEFAULT_REGION = "default"
EPOCH = date(2000, 1, 1)
FOREVER = date(9999, 12, 31)

# «Зимнее время» of Госстрой № 170 read as the heating season (design choice; configurable here).
WINTER_FROM = (10, 15)  # 15 October
WINTER_TO = (4, 15)  # 15 April, inclusive


@dataclass(frozen=True)
class DeadlineRule:
    category: str
    kind: str  # minutes / window / days / seasonal_days / working_days / none
    amount: int = 0  # minutes, days or working days; for seasonal_days the winter number
    summer_amount: int = 0
    window_start: time = time(0, 0)
    window_end: time = time(0, 0)
    source: str = ""
    valid_from: date = EPOCH
    valid_to: date = FOREVER
    region: str = DEFAULT_REGION
    verify: bool = False  # [VERIFY] in DOMAIN.md: keep configurable, lawyer's sign-off pending
    from_damage: bool = False  # the clock runs from the damage, where its moment is known, not from registration


P416 = "ПП РФ от 15.05.2013 № 416 п. 13"
G170 = "Постановление Госстроя от 27.09.2003 № 170, прил. 2"

DEADLINE_TABLE: tuple[DeadlineRule, ...] = (
    DeadlineRule("emergency_localisation", "minutes", 30, source=P416),
    DeadlineRule("sewer_blockage", "minutes", 120, source=P416),
    DeadlineRule("garbage_chute", "window", 120, window_start=time(8), window_end=time(23), source=P416),
    DeadlineRule("emergency_repair", "days", 3, source=P416, from_damage=True),
    DeadlineRule("lift_trapped", "minutes", 30, source="ГОСТ Р 55964-2014"),
    DeadlineRule("lift_fault", "days", 1, source=G170),
    DeadlineRule("roof_leak", "days", 1, source=G170),
    DeadlineRule("downpipes", "days", 5, source=G170),
    DeadlineRule("broken_windows", "seasonal_days", 1, summer_amount=3, source=G170),
    DeadlineRule("entrance_doors", "days", 1, source=G170),
    DeadlineRule("leaking_taps", "days", 1, source=G170),
    DeadlineRule("common_lighting", "days", 7, source=G170),
    DeadlineRule("electrical_emergency", "minutes", 0, source=G170, verify=True),
    DeadlineRule("electrical_fuses", "minutes", 180, source=G170, verify=True),
    DeadlineRule("written_appeal", "working_days", 10, source="ПП № 416 разд. VIII"),
    DeadlineRule("info_request", "working_days", 1, source="ПП № 416 разд. VIII"),
    DeadlineRule("works_report", "working_days", 5, source="ПП № 491 п. 40 «а»"),
    DeadlineRule("meter_check", "days", 10, source="ПП № 354 п. 31 «е(2)»"),
    # Ordered through the catalog of paid services: done on the date agreed with the resident (the order's).
    DeadlineRule("paid_service", "none", source="договор с жителем: дата по заказу"),
    # A certificate (справка) made by hand: basic information by the next working days (ПП № 416 разд. VIII).
    DeadlineRule("certificate", "working_days", 3, source="ПП № 416 разд. VIII", verify=True),
    # The recalculation of a temporary absence is made within 5 working days of the application (ПП № 354 п. 90).
    DeadlineRule("absence_recalculation", "working_days", 5, source="ПП № 354 п. 90"),
    # A change in the number of residents and an application for a debt instalment plan are written appeals
    # (обращения) answered within 10 working days.
    DeadlineRule("residents_change", "working_days", 10, source="ПП № 416 разд. VIII"),
    DeadlineRule("instalment_plan", "working_days", 10, source="ПП № 416 разд. VIII"),
    # A meter's commissioning (ПП № 354 п. 81): its term in working days is the company's setting
    # (METER_COMMISSIONING_DAYS, ``SETTING_AMOUNTS``), the law's days to be checked by a lawyer.
    DeadlineRule("meter_commissioning", "working_days", 15, source="ПП № 354 п. 81", verify=True),
    DeadlineRule("owner_change", "working_days", 10, source="ПП № 416 разд. VIII"),
    DeadlineRule("payer_change", "working_days", 10, source="ПП № 416 разд. VIII"),
    # A booking of the freight lift is due when its slot begins (the dispatcher confirms or refuses before): the
    # request's deadline is the slot's start (``actions.book_lift``), no term of the table.
    DeadlineRule("lift_booking", "none", source="бронь: начало забронированного времени"),
    # A defect of a new house is an appeal answered within 10 working days: the company inspects it and, under the
    # warranty, forwards the claim to the developer (``actions.forward_to_developer``).
    DeadlineRule("warranty_defect", "working_days", 10, source="ПП № 416 разд. VIII"),
    # Anything else is an appeal (обращение) answered within 10 working days.
    DeadlineRule("other", "working_days", 10, source="ПП № 416 разд. VIII"),
)

# Types whose deadline does not come from the category (unless the category is itself an appeal with its own term,
# or has an emergency clock: ``keeps_legal_term``).
TYPE_OVERRIDES = {
    "planned": "none",  # due on the date agreed
    "paid": "none",
    "consultation": "info_request",
    "complaint": "written_appeal",
}
# Appeals with their own term (ПП № 416 разд. VIII, ПП № 491 п. 40 «а», ПП № 354 п. 31): a request of such a
# category keeps that term whatever its type — «отчёт о выполненных работах» is 5 working days, not 1.
APPEAL_CATEGORIES = frozenset(
    {
        "written_appeal",
        "info_request",
        "works_report",
        "meter_check",
        "absence_recalculation",
        "residents_change",
        "instalment_plan",
        "meter_commissioning",
        "owner_change",
        "payer_change",
        "warranty_defect",
    }
)
# Rows whose amount is the company's setting (``portal.settings``), not the table's number.
SETTING_AMOUNTS = {"meter_commissioning": "meter_commissioning_days"}
# Categories with an emergency clock of their own (ПП № 416 п. 13, ГОСТ Р 55964-2014, Госстрой № 170): an emergency
# request of any other category takes the emergency rule of ПП № 416 п. 13 — localisation within 30 minutes.
EMERGENCY_CATEGORIES = frozenset(
    {"emergency_localisation", "sewer_blockage", "garbage_chute", "lift_trapped", "electrical_emergency"}
)
# Categories whose legal term runs whatever the request's type (``keeps_legal_term``): the emergency clocks, and the
# repair of the damage an emergency did — 3 days (ПП № 416 п. 13), never «by agreement». Typed «Аварийная», such a
# repair is still localised first (30 minutes): it is not in ``EMERGENCY_CATEGORIES``.
LEGAL_TERM_CATEGORIES = EMERGENCY_CATEGORIES | {"emergency_repair"}


# Types of works done on the date agreed with the resident: no legal term of their own (``TYPE_OVERRIDES``).
BY_AGREEMENT = frozenset(t for t, term in TYPE_OVERRIDES.items() if term == "none")


def keeps_legal_term(category: str) -> bool:
    """A category with an emergency clock of its own (ПП № 416 п. 13, ГОСТ Р 55964-2014) keeps it whatever the
    request's type: people trapped in a lift are not «planned works», and typing them so does not stop the clock;
    nor does the repair of an emergency's damage, due in 3 days (``LEGAL_TERM_CATEGORIES``). Other categories with
    a term of Госстрой № 170 (a lift fault, a roof leak) may be planned or paid works by agreement — a tap in the
    flat replaced for a fee, a roof mended with the planned repair — on the date agreed."""
    return category in LEGAL_TERM_CATEGORIES


def agreed_type_refused(category: str, ticket_type: str) -> bool:
    """Staff may not give a request of an emergency category a type of works done by agreement (planned, paid):
    it would still be due by its emergency clock (``keeps_legal_term``), and read «Плановая» to the executor."""
    return keeps_legal_term(category) and ticket_type in BY_AGREEMENT


def term_category(category: str, ticket_type: str) -> str | None:
    """The row of the deadline table that a request of ``category`` and ``ticket_type`` is due by (DOMAIN §5);
    ``None`` when it has no legal deadline (planned and paid works: the date agreed). An emergency category keeps
    its own clock whatever the type (``keeps_legal_term``)."""
    if category in EMERGENCY_CATEGORIES:
        return category
    if ticket_type == "emergency":
        return "emergency_localisation"
    if keeps_legal_term(category):
        return category
    override = TYPE_OVERRIDES.get(ticket_type)
    if override == "none":
        return None
    if category in APPEAL_CATEGORIES:
        return category
    return override or category


def rule_for(category: str, on: date, region: str = DEFAULT_REGION) -> DeadlineRule | None:
    """The row of the table for ``category`` in force on ``on`` (the region's own row first)."""
    for wanted in (region, DEFAULT_REGION):
        for row in DEADLINE_TABLE:
            if row.region == wanted and row.category == category and row.valid_from <= on <= row.valid_to:
                if setting := SETTING_AMOUNTS.get(category):
                    return replace(row, amount=getattr(get_settings(), setting))
                return row
    return None


def is_winter(day: date) -> bool:
    """Inside the heating season (15 October – 15 April inclusive)."""
    md = (day.month, day.day)
    return md >= WINTER_FROM or md <= WINTER_TO


def _add_window_minutes(local: datetime, minutes: int, start: time, end: time) -> datetime:
    """Run a clock of ``minutes`` only between ``start`` and ``end`` each day (local time)."""
    current = local
    left = timedelta(minutes=minutes)
    while True:
        day_start = current.replace(hour=start.hour, minute=start.minute, second=0, microsecond=0)
        day_end = current.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
        if current < day_start:
            current = day_start
        if current >= day_end:
            current = (day_start + timedelta(days=1)).replace(hour=start.hour, minute=start.minute)
            continue
        available = day_end - current
        if left <= available:
            return current + left
        left -= available
        current = (day_start + timedelta(days=1)).replace(hour=start.hour, minute=start.minute)


def deadline_for(
    category: str,
    registered_at: datetime,
    tz: str,
    *,
    ticket_type: str = "ordinary",
    region: str = DEFAULT_REGION,
    damage_at: datetime | None = None,
) -> datetime | None:
    """When a request of ``category`` (and ``ticket_type``) registered at ``registered_at`` is due (UTC-aware).
    ``damage_at``, when the damage happened (known to staff), starts the clock of a row ``from_damage`` instead of
    the registration; a moment after the registration is not one and is not used."""
    if registered_at.tzinfo is None:
        raise ValueError("registered_at must be timezone-aware")
    zone = ZoneInfo(tz)
    local = registered_at.astimezone(zone)
    term = term_category(category, ticket_type)
    if term is None:
        return None
    rule = rule_for(term, local.date(), region) or rule_for("other", local.date(), region)
    if rule is None or rule.kind == "none":
        return None
    if rule.from_damage and damage_at is not None and damage_at < registered_at:
        local = damage_at.astimezone(zone)
    if rule.kind == "minutes":
        due = local + timedelta(minutes=rule.amount)
    elif rule.kind == "window":
        due = _add_window_minutes(local, rule.amount, rule.window_start, rule.window_end)
    elif rule.kind == "days":
        due = local + timedelta(days=rule.amount)
    elif rule.kind == "seasonal_days":
        due = local + timedelta(days=rule.amount if is_winter(local.date()) else rule.summer_amount)
    elif rule.kind == "working_days":
        last = add_working_days(local.date(), rule.amount)
        due = datetime.combine(last, time(23, 59, 59), tzinfo=zone)
    else:  # pragma: no cover - the table holds only the kinds above
        raise ValueError(rule.kind)
    # Wall-clock arithmetic in the local zone, then back to UTC (handles a DST change where a zone has one).
    return due.replace(tzinfo=None).replace(tzinfo=zone).astimezone(UTC)


def describe(category: str, ticket_type: str, on: date) -> str:
    """The legal term in words («2 часа», «10 рабочих дней») of the row in force ``on``, for the request page."""
    term = term_category(category, ticket_type)
    if term is None:
        return gettext("by agreement")
    rule = rule_for(term, on) or rule_for("other", on)
    if rule is None or rule.kind == "none":
        return gettext("by agreement")
    if rule.kind in ("minutes", "window"):
        if rule.amount == 0:
            return gettext("immediately")
        if rule.amount % 60 == 0:
            text = ngettext("%(num)d hour", "%(num)d hours", rule.amount // 60)
        else:
            text = ngettext("%(num)d minute", "%(num)d minutes", rule.amount)
        if rule.kind == "window":
            text = gettext(
                "%(term)s, between %(start)s and %(end)s",  # in brackets after the deadline on the request page
                term=text,
                start=rule.window_start.strftime("%H:%M"),
                end=rule.window_end.strftime("%H:%M"),
            )
        return text
    if rule.kind == "seasonal_days":
        return gettext(
            "%(winter)s in winter, %(summer)s in summer",
            winter=ngettext("%(num)d day", "%(num)d days", rule.amount),
            summer=ngettext("%(num)d day", "%(num)d days", rule.summer_amount),
        )
    if rule.kind == "working_days":
        return ngettext("%(num)d working day", "%(num)d working days", rule.amount)
    return ngettext("%(num)d day", "%(num)d days", rule.amount)


DEADLINE_CATEGORIES = tuple(dict.fromkeys(r.category for r in DEADLINE_TABLE))
__all__ = [
    "DEADLINE_TABLE",
    "DeadlineRule",
    "agreed_type_refused",
    "deadline_for",
    "describe",
    "keeps_legal_term",
    "term_category",
]
