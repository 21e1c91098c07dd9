"""The staff request list: tabs, filters from the URL, allow-listed sort keys, the columns a user may choose.

``read_filters(params)`` turns query parameters into a ``TicketFilters`` through ``core.parse`` (anything
malformed or beyond what the database holds is dropped, never an error); the query side turns it into WHERE
clauses. ``unread`` says above the list which filters it is shown without, and ``applied`` is the query the page's
chips and links carry on: without them. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Collection
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from dataclasses import fields
from datetime import date
from datetime import datetime
from datetime import time
from typing import Any
from urllib.parse import parse_qsl
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from portal.core.i18n import gettext
from portal.core.i18n import lazy
from portal.core.i18n import pgettext
from portal.core.labels import Labels
from portal.core.parse import parse_date
from portal.core.parse import parse_id
from portal.core.parse import parse_ids
from portal.core.parse import parse_int
from portal.core.parse import parse_moment
from portal.core.web import FormErrors
from portal.core.web import Range
from portal.core.web import among
from portal.core.web import not_a_day
from portal.core.web import unread_filters
from portal.tickets import rules

TABS = Labels(
    {
        "active": lazy("Active"),
        "unassigned": lazy("Without executor"),
        "overdue": lazy("Past the deadline"),
        "mine": lazy("Mine"),
        "all": lazy("All"),
    }
)
# The work queue opens on the active requests, the nearest deadline first.
DEFAULT_TAB = "active"

# key -> (label, table column name). Sorting is only ever by one of these keys (never by raw input).
SORT_KEYS: dict[str, str] = {
    "number": "number",
    "created": "created_at",
    "deadline": "deadline",
    "completed": "completed_at",
    "control": "control_date",
    "status": "status",
    "rating": "rating",
}
DEFAULT_SORT = "-created"
TAB_SORT = {"active": "deadline", "unassigned": "deadline", "overdue": "deadline", "mine": "deadline"}


def default_sort(tab: str) -> str:
    """Queues of work read by deadline; the whole archive newest first."""
    return TAB_SORT.get(tab, DEFAULT_SORT)


COLUMNS = Labels(
    {
        "number": lazy("No."),
        "created": lazy("Created"),
        "address": lazy("Address"),
        "account": lazy("Account"),
        "owner": lazy("Owner"),
        "category": lazy("Category"),
        "type": lazy("Type"),
        "status": lazy("Status"),
        "internal_status": lazy("Internal status"),
        "executor": lazy("Executor"),
        "deadline": lazy("Deadline"),
        "control": lazy("Control date"),
        "completed": lazy("Completed"),
        "source": lazy("Source"),
        "rating": lazy("Rating"),
        "flags": lazy("Flags"),
        "description": lazy("Description"),
    }
)
DEFAULT_COLUMNS = ("number", "address", "category", "status", "executor", "deadline")
COLUMN_SORT = {"number": "number", "created": "created", "deadline": "deadline", "completed": "completed",
               "control": "control", "status": "status", "rating": "rating"}  # fmt: skip

# The report (``export``) carries every column the screen may show, and two it alone has: when the damage happened
# (the clock of an emergency's repair) and whether the request is overdue as of the download.
_REPORT_ONLY = {"created": {"damage": lazy("Damage occurred")}, "deadline": {"overdue": lazy("Overdue")}}
REPORT_COLUMNS = Labels(
    {key: words for c, label in COLUMNS.items() for key, words in {c: label, **_REPORT_ONLY.get(c, {})}.items()}
)

# Besides the flags staff set: those the list reads from the request (new messages; done after its deadline, as the
# dashboard counts a request not closed on time).
FLAG_FILTERS = (*rules.FLAGS, "paid_for", "new_messages", "late")
FLAG_FILTER_LABELS = Labels(
    {
        **rules.FLAG_LABELS,
        "paid": lazy("Paid work"),
        "paid_for": lazy("Paid for"),
        "new_messages": lazy("New messages"),
        "late": lazy("Done after the deadline"),
    }
)


# Defects of a new house by where their claim to the developer stands (``queries.filter_clauses``): any of them, not
# forwarded yet, waiting for an answer, or the developer's last answer.
WARRANTY_FILTERS = Labels(
    {
        "all": lazy("Every defect of a new house"),
        "unsent": lazy("Not forwarded to the developer"),
        "waiting": lazy("Waiting for the developer's answer"),
        "accepted": lazy("The developer accepted: will fix by the date"),
        "refused": lazy("The developer refused"),
        "fixed": lazy("Fixed by the developer"),
    }
)


@dataclass
class TicketFilters:
    tab: str = "all"
    q: str = ""
    created_from: datetime | None = None
    created_to: datetime | None = None
    deadline_from: datetime | None = None
    deadline_to: datetime | None = None
    completed_from: datetime | None = None
    completed_to: datetime | None = None
    control_from: date | None = None
    control_to: date | None = None
    types: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    internal_status: str = ""
    executor: int | None = None
    executor_ever: bool = False
    categories: list[str] = field(default_factory=list)
    houses: list[int] = field(default_factory=list)
    source: str = ""
    warranty: str = ""
    rating_from: int | None = None
    rating_to: int | None = None
    flags: list[str] = field(default_factory=list)
    outage: int | None = None
    sort: str = DEFAULT_SORT

    @property
    def number(self) -> int | None:
        """The search read as a request number («1234», «№ 1234»)."""
        return read_number(self.q) if self.q else None

    @property
    def any(self) -> bool:
        """Any filter other than the tab and the sort is set (to open the filter panel on a phone)."""
        skip = {"tab", "sort"}
        return any(getattr(self, f.name) not in (None, "", [], False) for f in fields(self) if f.name not in skip)


def _values(params: Mapping[str, Any], name: str) -> list[str]:
    getall = getattr(params, "getall", None)
    raw = getall(name, []) if getall else params.get(name, [])
    if isinstance(raw, str):
        raw = [raw]
    return [str(v).strip() for v in raw or [] if str(v).strip()]


def _one(params: Mapping[str, Any], name: str) -> str:
    values = _values(params, name)
    return values[-1] if values else ""


def _moment(value: str, tz: str, *, end: bool) -> datetime | None:
    """``2026-03-10`` or ``2026-03-10T14:30`` in the company's zone; a bare date ``to`` means the end of that day."""
    zone = ZoneInfo(tz)
    day = parse_date(value)
    if day is not None:
        return datetime.combine(day, time.max if end else time.min, tzinfo=zone)
    moment = parse_moment(value)
    return moment.replace(tzinfo=zone) if moment is not None else None


def _choices(params: Mapping[str, Any], name: str, allowed: Mapping[str, Any] | tuple[str, ...]) -> list[str]:
    return list(dict.fromkeys(v for v in _values(params, name) if v in allowed))


def read_number(q: str) -> int | None:
    """A search that is a request number: «1234», «№1234», «#1234»."""
    return parse_id(q.strip().lstrip("№#").strip())


RANGES = ("created", "deadline", "completed", "control")  # the list's periods: ``<name>_from`` … ``<name>_to``


def ranges(params: Mapping[str, Any], tz: str) -> dict[str, Range[Any]]:
    """The list's periods as typed: moments in the company's zone (a bare ``to`` date is the end of that day), and
    the control date's days (``core.web.read_range``)."""
    found: dict[str, Range[Any]] = {}
    for name in RANGES:
        start, end = _one(params, f"{name}_from"), _one(params, f"{name}_to")
        if name == "control":
            found[name] = Range(parse_date(start), parse_date(end))
        else:
            found[name] = Range(_moment(start, tz, end=False), _moment(end, tz, end=True))
    return found


def rating_range(params: Mapping[str, Any]) -> Range[int]:
    """The ratings from … to as typed, each from 1 to 5."""
    return Range(*(parse_int(_one(params, f"rating_{end}"), low=1, high=5) for end in ("from", "to")))


def read_filters(params: Mapping[str, Any], tz: str) -> TicketFilters:
    f = TicketFilters()
    tab = _one(params, "tab")
    f.tab = tab if tab in TABS else DEFAULT_TAB
    f.q = _one(params, "q")[:200]
    for name, period in ranges(params, tz).items():  # a period that ends before it starts: none (``unread``)
        setattr(f, f"{name}_from", period.start)
        setattr(f, f"{name}_to", period.end)
    f.types = _choices(params, "type", rules.TYPE_LABELS)
    f.statuses = _choices(params, "status", rules.STATUS_LABELS)
    internal = _one(params, "internal_status")
    f.internal_status = internal if internal in rules.INTERNAL_STATUS_LABELS else ""
    f.executor = parse_id(_one(params, "executor"))
    f.executor_ever = _one(params, "executor_ever") == "1"
    f.categories = _choices(params, "category", rules.CATEGORY_BY_CODE)
    f.houses = parse_ids(_values(params, "house"))[:50]
    source = _one(params, "source")
    f.source = source if source in rules.SOURCE_LABELS else ""
    warranty = _one(params, "warranty")
    f.warranty = warranty if warranty in WARRANTY_FILTERS else ""
    rating = rating_range(params)  # a range whose upper rating is below its lower one: none (``unread``)
    f.rating_from, f.rating_to = rating.start, rating.end
    f.flags = _choices(params, "flag", FLAG_FILTERS)
    f.outage = parse_id(_one(params, "outage"))
    sort = _one(params, "sort")
    f.sort = sort if sort.lstrip("-") in SORT_KEYS else default_sort(f.tab)
    return f


def within(f: TicketFilters, houses: Collection[int], executors: Collection[int]) -> TicketFilters:
    """``f`` with only the houses and the executor that are among the list's choices (``core.web.among``): one that
    is not (out of the user's reach, or not there at all) is not applied, and ``unread`` says so alike."""
    f.houses = [h for h in f.houses if h in houses]
    f.executor = among(f.executor, executors)
    return f


RANGE_LABELS = {
    "created_from": lazy("Created from"), "created_to": lazy("Created to"),
    "deadline_from": lazy("Deadline from"), "deadline_to": lazy("Deadline to"),
    "completed_from": lazy("Completed from"), "completed_to": lazy("Completed to"),
    "control_from": lazy("Control date from"), "control_to": lazy("Control date to"),
}  # fmt: skip


def _no_choice(values: list[str]) -> str:
    value = ", ".join(values)[:60]
    return gettext("There is no such choice: “%(value)s”; the list is shown without this filter.", value=value)


def unread(
    params: Mapping[str, Any], f: TicketFilters, houses: Collection[int], tz: str
) -> tuple[dict[str, str], FormErrors]:
    """The filters as typed, and a message at each one the list could not read (``core.web.unread_filters``): a
    date, a rating, a choice that is none of the list's (from a link kept from before; ``f`` is read ``within`` the
    list's ``houses`` and executors); the list is shown without it, and without a period that ends before it starts
    or a rating range whose end is below its start.
    A choice of several (statuses, types, houses…) names the values it could not read; a parameter that is none of
    the list's (an older link) is named above the list."""
    day = not_a_day()
    rating = gettext("Enter a rating from 1 to 5; the list is shown without this filter.")
    periods = ranges(params, tz)
    read: dict[str, tuple[Any, str, str]] = {
        f"{name}_{end}": (getattr(period, "low" if end == "from" else "high"), RANGE_LABELS[f"{name}_{end}"](), day)
        for name, period in periods.items()
        for end in ("from", "to")
    }
    ratings = rating_range(params)
    read["rating_from"] = (ratings.low, gettext("Rating from"), rating)
    read["rating_to"] = (ratings.high, gettext("Rating to"), rating)
    for name, value, label in (("executor", f.executor, gettext("Executor")), ("source", f.source, gettext("Source")),
                               ("internal_status", f.internal_status, gettext("Internal status")),
                               ("warranty", f.warranty, pgettext("list filter", "Warranty")),
                               ("executor_ever", f.executor_ever, gettext("Executor: ever assigned")),
                               ("outage", f.outage, gettext("Outage"))):  # fmt: skip
        read[name] = (value or None, label, _no_choice([_one(params, name)]))
    backwards = (
        "rating_from",
        "rating_to",
        gettext("The end is below the start; the list is shown without this rating range."),
        gettext(
            "Not applied: “%(start)s” – “%(end)s”, as the end is below the start.",
            start=read["rating_from"][1],
            end=read["rating_to"][1],
        ),
    )
    periods_read = [(f"{name}_from", f"{name}_to") for name in RANGES]
    typed, errors = unread_filters(params, read, [*periods_read, backwards])
    for name, label, allowed in (("status", gettext("Status"), rules.STATUS_LABELS),
                                 ("type", gettext("Type"), rules.TYPE_LABELS),
                                 ("category", gettext("Category"), rules.CATEGORY_BY_CODE),
                                 ("flag", gettext("Flags"), FLAG_FILTERS)):  # fmt: skip
        if unknown := [v[:40] for v in _values(params, name) if v not in allowed]:
            errors.add(name, _no_choice(unknown), label)
    if unknown := [v[:40] for v in _values(params, "house") if parse_id(v) not in houses]:
        errors.add("house", _no_choice(unknown), gettext("House"))
    for name in [key for key in dict.fromkeys(params) if key not in LIST_KEYS | PAGE_KEYS][:10]:  # an older link
        errors.general.append(
            gettext("There is no such filter: “%(name)s”; the list is shown without it.", name=name[:40])
        )
    return typed, errors


# Parameters of the list's address that are not filters: the page, its size, the printable page, the report's
# format, the part HTMX redraws.
PAGE_KEYS = frozenset({"page", "size", "print", "format", "part"})
# A filter of several values and the field of ``TicketFilters`` holding the values read.
_SEVERAL = {"type": "types", "status": "statuses", "category": "categories", "house": "houses", "flag": "flags"}


def applied(params: Mapping[str, Any], f: TicketFilters) -> dict[str, list[str]]:
    """The list's query as typed, less each value the list did not apply (``f`` is what it read): a value not read,
    a house or an executor none of the list's, a period or a rating range whose end is before its start, a parameter
    that is no filter. The chips and every link of the page start from it, so that none carries such a value on."""
    kept: dict[str, list[str]] = {}
    for key in dict.fromkeys(params):
        values = _values(params, key)
        if key in PAGE_KEYS:
            pass
        elif key in _SEVERAL:
            chosen = {str(v) for v in getattr(f, _SEVERAL[key])}
            values = [v for v in values if str(parse_id(v) if key == "house" else v) in chosen]
        elif key in ("tab", "sort"):  # one of the list's, else its default
            values = [getattr(f, key)] if getattr(f, key) in values else []
        elif key in LIST_KEYS:
            values = values[-1:] if getattr(f, key) not in (None, "", False) else []
        else:
            values = []
        if values:
            kept[key] = values
    return kept


# Parameters of the list's address that a saved view or a "back" link keeps (never the page, print or fragment).
LIST_KEYS = frozenset(
    {"tab", "q", "sort", "size", "type", "status", "internal_status", "executor", "executor_ever", "category",
     "house", "source", "warranty", "rating_from", "rating_to", "flag", "outage",
     *(f"{name}_{end}" for name in ("created", "deadline", "completed", "control") for end in ("from", "to"))}
)  # fmt: skip


def view_query(query: str) -> str:
    """A list's query string with only the list's own parameters (for saved views and links back to the list)."""
    pairs = [(k, v[:200]) for k, v in parse_qsl(query[:4000], keep_blank_values=False) if k in LIST_KEYS]
    return urlencode(pairs[:100])


def read_columns(values: list[str] | str | None) -> list[str]:
    """Chosen columns in the canonical order; unknown names dropped; nothing chosen means the defaults."""
    if isinstance(values, str):
        values = values.split(",")
    chosen = {v for v in values or [] if v in COLUMNS}
    return [c for c in COLUMNS if c in chosen] or list(DEFAULT_COLUMNS)
