"""Query parameters of the analytics pages → typed filters (through ``core.parse``; anything malformed is
dropped, never an error). No I/O."""

from __future__ import annotations

from collections.abc import Collection
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from decimal import Decimal
from typing import Any

from portal.analytics import rules
from portal.core.i18n import gettext
from portal.core.i18n import ngettext
from portal.core.parse import parse_decimal
from portal.core.parse import parse_id
from portal.core.parse import parse_int
from portal.core.parse import parse_money
from portal.core.parse import parse_month
from portal.core.web import FormErrors
from portal.core.web import Range
from portal.core.web import among
from portal.core.web import form_value
from portal.core.web import money_error
from portal.core.web import no_such_house
from portal.core.web import read_range
from portal.core.web import unread_filters


@dataclass(frozen=True)
class DashboardFilter:
    start: date | None = None
    end: date | None = None
    complex_id: int | None = None
    house_id: int | None = None
    months: Range[date] = field(
        default_factory=lambda: Range(None, None)
    )  # the months as chosen (``dashboard_problems``: one ending too early)


def dashboard_filter(params: Mapping[str, Any], months: Collection[date]) -> DashboardFilter:
    """``?start=2026-01&end=2026-12&complex=3&house=12`` (each optional); a month none of ``months`` (those its
    dropdowns offer) is not read (``dashboard_problems``)."""
    chosen = read_range(params, "start", "end", lambda value: among(parse_month(value), months))
    return DashboardFilter(
        start=chosen.start,  # a last month before the first: the usual months
        end=chosen.end,
        months=chosen,
        complex_id=parse_id(params.get("complex")),
        house_id=parse_id(params.get("house")),
    )


def dashboard_problems(params: Mapping[str, Any], chosen: DashboardFilter) -> FormErrors:
    """A message at each of the dashboard's filters the address holds but it cannot read (``core.web.unread_filters``);
    the figures are shown without it (the usual months, every complex or house). ``chosen``: the filters read, a
    complex or house only when its dropdown offers it; a house not read gets the words of every staff list's."""

    def month(name: str) -> str:
        value = form_value(params, name)[:40]
        return gettext("There is no month “%(value)s”; the dashboard is shown without this filter.", value=value)

    def choice(name: str) -> str:
        value = form_value(params, name)[:40]
        return gettext("There is no such choice: “%(value)s”; the dashboard is shown without this filter.", value=value)

    read = {
        "start": (chosen.months.low, gettext("From"), month("start")),
        "end": (chosen.months.high, gettext("To"), month("end")),
        "complex": (chosen.complex_id, gettext("Complex"), choice("complex")),
        "house": (chosen.house_id, gettext("House"), no_such_house()),
    }
    backwards = gettext("The last month is before the first; the dashboard is shown for the usual months.")
    return unread_filters(params, read, [("start", "end")], backwards=backwards)[1]


@dataclass(frozen=True)
class NpsDraft:
    score: int
    comment: str


def read_nps(data: Mapping[str, Any]) -> tuple[NpsDraft | None, FormErrors]:
    """The 0–10 score (required) and the free-text why (optional, at most ``rules.COMMENT_MAX`` characters)."""
    errors = FormErrors()
    score = parse_int(form_value(data, "score"), low=0, high=10)
    comment = form_value(data, "comment").strip()
    if score is None:
        errors.add("score", gettext("Choose a score from 0 to 10."))
    if len(comment) > rules.COMMENT_MAX:
        errors.add(
            "comment",
            ngettext(
                "The comment is too long: at most %(num)s character.",
                "The comment is too long: at most %(num)s characters.",
                rules.COMMENT_MAX,
            ),
        )
    if errors or score is None:
        return None, errors
    return NpsDraft(score, comment), errors


def complex_choice(data: Mapping[str, Any]) -> int | None:
    return parse_id(form_value(data, "complex"))


MAX_LINES = 30
MAX_BONUS = Decimal("10000000.00")  # ten million rubles: far beyond any monthly bonus


@dataclass(frozen=True)
class LineDraft:
    user_id: int
    position: str
    maximum: Decimal
    efficiency: Decimal | None  # None: the complex's efficiency


@dataclass(frozen=True)
class KpiDraft:
    plan: Decimal | None
    acts: Decimal | None
    nps: Decimal | None  # entered only where the portal has no measure
    receivables: Decimal | None
    lines: list[LineDraft]


def _percent(data: Mapping[str, Any], name: str, errors: FormErrors) -> Decimal | None:
    text = form_value(data, name).replace("%", "").strip()
    if not text:
        return None
    value = parse_decimal(text, places=1, whole_digits=3)
    if value is None or not Decimal(0) <= value <= Decimal(100):
        errors.add(name, gettext("A percentage from 0 to 100, with at most one decimal."))
        return None
    return value


def read_kpi(data: Mapping[str, Any], staff_ids: set[int]) -> tuple[KpiDraft | None, FormErrors]:
    """The achievements a manager enters and the bonus lines: ``user_N``, ``position_N``, ``maximum_N`` and an
    optional own ``efficiency_N`` for N = 0…; a line without a person is left out; a person once."""
    errors = FormErrors()
    plan = _percent(data, "plan", errors)
    acts = _percent(data, "acts", errors)
    nps = _percent(data, "nps", errors)
    receivables = _percent(data, "receivables", errors)
    lines: list[LineDraft] = []
    seen: set[int] = set()
    for n in range(MAX_LINES):
        user_text = form_value(data, f"user_{n}")
        if not user_text:
            continue
        user_id = parse_id(user_text)
        if user_id is None or user_id not in staff_ids:
            errors.add(f"user_{n}", gettext("Choose a staff member of this complex."))
            continue
        if user_id in seen:
            errors.add(f"user_{n}", gettext("This person already has a line."))
            continue
        seen.add(user_id)
        maximum = parse_money(form_value(data, f"maximum_{n}"))
        if maximum is None or not Decimal(0) <= maximum <= MAX_BONUS:
            typed = form_value(data, f"maximum_{n}")
            errors.add(f"maximum_{n}", money_error(typed, gettext("The maximum bonus in rubles, for example 7200,00.")))
            continue
        own = _percent(data, f"efficiency_{n}", errors)
        position = form_value(data, f"position_{n}")[:120]
        lines.append(LineDraft(user_id, position, maximum, own))
    if errors:
        return None, errors
    return KpiDraft(plan, acts, nps, receivables, lines), errors


def kpi_choice(params: Mapping[str, Any]) -> tuple[int | None, date | None]:
    """``?complex=3&period=2026-11`` of the KPI page."""
    return parse_id(params.get("complex")), parse_month(params.get("period"))


def month_not_offered(data: Mapping[str, Any]) -> str:
    """The message of the KPI form posting a month its page does not offer (older than the dropdown goes back, or
    still to come, or not a month at all, «2026-13»): the month as posted, and what to do; none posted, what to do."""
    value = form_value(data, "period")[:40]
    if not value.strip():
        return gettext("Choose a month from the list.")
    return gettext("There is no month “%(value)s” in the list; choose one of the months offered.", value=value)


def kpi_choice_problems(params: Mapping[str, Any], complex_id: int | None, period: date | None) -> FormErrors:
    """A message at the KPI page's complex or month when the address holds one it cannot read (``kpi_choice``): the
    page shows the user's first complex, the newest complete month."""
    value = {name: form_value(params, name)[:40] for name in ("complex", "period")}
    no_complex = gettext("There is no such choice: “%(value)s”; your first complex is shown.", value=value["complex"])
    no_month = gettext("There is no month “%(value)s”; the newest complete one is shown.", value=value["period"])
    read = {"complex": (complex_id, gettext("Complex"), no_complex), "period": (period, gettext("Month"), no_month)}
    return unread_filters(params, read)[1]
