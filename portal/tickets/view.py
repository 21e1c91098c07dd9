"""What the pages of requests show: codes as words (translated when the page is rendered), addresses, the chips of
the active filters, and the one builder of a request's page for residents and staff."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from typing import Any

from litestar import Request
from litestar import Response
from litestar.response import File
from litestar.response import Template
from markupsafe import escape

from portal.content.rules import names_marked
from portal.core import clock
from portal.core import storage
from portal.core.address import Address
from portal.core.address import full_address
from portal.core.address import house_choices
from portal.core.address import house_place
from portal.core.address import part_of_house
from portal.core.address import premise_name
from portal.core.head import is_head
from portal.core.i18n import format_day
from portal.core.i18n import format_moment
from portal.core.i18n import gettext
from portal.core.i18n import keep_units
from portal.core.i18n import lazy
from portal.core.i18n import ngettext
from portal.core.i18n import pgettext
from portal.core.i18n import russian_lang
from portal.core.i18n import russian_markup
from portal.core.labels import Labels
from portal.core.pagination import with_params
from portal.core.parse import MAX_ID
from portal.core.parse import parse_int
from portal.core.security import Principal
from portal.core.security import client_ip
from portal.core.web import FormErrors
from portal.core.web import flash
from portal.core.web import form_value
from portal.core.web import gone
from portal.core.web import render
from portal.core.web import see_other
from portal.settings import get_settings
from portal.tickets import actions
from portal.tickets import deadlines
from portal.tickets import filters
from portal.tickets import forms
from portal.tickets import queries
from portal.tickets import rules
from portal.tickets.queries import Event
from portal.tickets.queries import OutageRow
from portal.tickets.queries import TicketDetail
from portal.tickets.queries import TicketRow


def _duration(minutes: int) -> str:
    """«2 ч 15 мин», each number bound to its unit (``keep_units``): a countdown may break between them only."""
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        text = ngettext("%(num)d day", "%(num)d days", days)
        text += " " + ngettext("%(num)d h", "%(num)d h", hours) if hours else ""
    elif hours:
        text = ngettext("%(num)d h", "%(num)d h", hours)
        text += " " + ngettext("%(num)d min", "%(num)d min", mins) if mins else ""
    else:
        text = ngettext("%(num)d min", "%(num)d min", mins)
    return keep_units(text)


def _shown_house(house: str, option: str) -> str:
    """The house's address as an option shows it: whole, or without the town ``house_choices`` left out."""
    return house if option.startswith(house) else house.partition(", ")[2]


# An emergency category whose own name already says so in a language («Авария: вода, …») is worded whole by the
# translator, as it is offered to the resident: «Авария: …, электричество — авария» said it twice.
EMERGENCY_CHOICES = Labels({"emergency_localisation": lazy("Accident: water, heating, sewerage or power — emergency")})


class TicketView:
    """Passed to templates as ``tk``."""

    status = rules.STATUS_LABELS.shown
    move = staticmethod(rules.move_label)
    type = rules.TYPE_LABELS.shown
    category = staticmethod(rules.category_label)
    source = rules.SOURCE_LABELS.shown
    place = rules.PLACE_LABELS.shown
    internal = rules.INTERNAL_STATUS_LABELS.shown
    flag = filters.FLAG_FILTER_LABELS.shown
    carried = rules.CARRIED_LABELS.shown
    outage_service = rules.OUTAGE_LABELS.shown
    column = filters.COLUMNS.shown
    tab = filters.TABS.shown

    FLAG_FILTERS = filters.FLAG_FILTERS
    FLAGS_EDITABLE = rules.FLAGS_EDITABLE
    STATUSES = [s.value for s in rules.Status]
    PLACES = [p.value for p in rules.Place]
    CATEGORIES = rules.CATEGORIES
    COLUMNS = list(filters.COLUMNS)
    TABS = list(filters.TABS)
    SORTABLE = frozenset(filters.COLUMN_SORT)
    MAX_PHOTOS = rules.MAX_PHOTOS

    moves = staticmethod(rules.moves_for)
    may_assign = staticmethod(rules.may_assign)

    @staticmethod
    def documents_erased(moment: datetime) -> str:
        return forms.documents_erased(clock.local(moment).date())

    @staticmethod
    def documents_kept_until(ticket: TicketDetail) -> str:
        """The day a decided application's documents go, or "" while it is in work."""
        finished = ticket.finished_at
        if finished is None:
            return ""
        keep_days = get_settings().owner_docs_keep_days
        return forms.documents_kept_until(rules.documents_erased_on(clock.local(finished).date(), keep_days))

    @staticmethod
    def files_kept_until(ticket: TicketDetail, events: Sequence[Event]) -> str:
        """The day a finished request's photos and files still kept go, or "" while it is in work or has none."""
        finished = ticket.finished_at
        if finished is None or not any(not p.erased_at for e in events for p in e.photos):
            return ""
        keep_years = get_settings().request_files_keep_years
        return forms.files_kept_until(rules.files_erased_on(clock.local(finished).date(), keep_years))

    @staticmethod
    def files_erased(moment: datetime, count: int = 1) -> str:
        return forms.files_erased(clock.local(moment).date(), count)

    @staticmethod
    def queue_columns(columns: Sequence[str], may_manage: bool) -> list[dict[str, Any]]:
        """The header of the work queue for ``data_table``: the tick column, the chosen columns, the actions."""
        pick = {"label": gettext("Tick"), "hidden": True, "class": "col-pick"}
        header: list[dict[str, Any]] = [pick] if may_manage else []
        header += [{"label": TK.column(c), "sort": c if c in TicketView.SORTABLE else None} for c in columns]
        if TicketView.actions_column(columns, may_manage):
            header.append({"label": gettext("Actions"), "class": "col-actions"})
        return header

    @staticmethod
    def bulk_options(by_house: Mapping[int, Sequence[queries.Option]]) -> list[tuple[int, str]]:
        """The executors the bulk assignment offers for the requests shown (``queries.assignable`` of their houses,
        ``rules.bulk_takers``), by name: those who may take at least one; one who may not take every one says so."""
        some, every = rules.bulk_takers({house: [e.id for e in found] for house, found in by_house.items()})
        names = {e.id: e.name for found in by_house.values() for e in found}
        return [
            (key, names[key] if key in every else gettext("%(name)s (not every house)", name=names[key]))
            for key in sorted(some, key=lambda key: (names[key], key))
        ]

    @staticmethod
    def kept_executor(offered: Sequence[Any], executor: int | None, name: str | None) -> tuple[int, str] | None:
        """The request's executor when the executors offered for its house (each an id first) leave them out: one
        who no longer works in that house still holds the request, and the dropdown says so instead of «Никто»."""
        if executor is None or any(option[0] == executor for option in offered):
            return None
        return executor, gettext("%(name)s (does not work in this house)", name=name or "—")

    @staticmethod
    def column_labels(columns: Sequence[str]) -> dict[str, str]:
        """The chosen columns' labels, each read once a page (a row's cells name their column on a phone)."""
        return {c: TK.column(c) for c in columns}

    @staticmethod
    def executor_options(by_house: Mapping[int, Sequence[queries.Option]]) -> dict[int, list[tuple[int, str, str]]]:
        """Each house's executors as a row's executor dropdown offers them: (id, name, ``lang`` of the name, as
        ``select`` marks an option of Russian data on a page in another language), found once a page, not per row."""
        return {house: [(e.id, e.name, russian_lang(e.name)) for e in found] for house, found in by_house.items()}

    @staticmethod
    def actions_column(columns: Sequence[str], may_manage: bool) -> bool:
        """A last «Действия» column holds the row actions whose own column (status, executor) is hidden."""
        return "status" not in columns or (may_manage and "executor" not in columns)

    @staticmethod
    def term(category: str, ticket_type: str) -> str:
        return keep_units(deadlines.describe(category, ticket_type, clock.today_local()))

    @staticmethod
    def defect_kinds() -> list[tuple[str, list[tuple[str, str]]]]:
        return rules.defect_kind_choices()

    @staticmethod
    def options(kind: str, *, resident: bool = False) -> list[tuple[str, str]]:
        """(value, words) pairs of a choice, for the ``select`` and ``checklist`` macros."""
        if kind == "category":
            return [(c.code, c.label()) for c in rules.CATEGORIES if c.resident or not resident]
        labels: dict[str, Labels[str]] = {
            "type": rules.TYPE_LABELS,
            "status": rules.STATUS_LABELS,
            "source": rules.SOURCE_LABELS,
            "place": rules.PLACE_LABELS,
            "internal_status": rules.INTERNAL_STATUS_LABELS,
            "service": rules.OUTAGE_LABELS,
            "flag": filters.FLAG_FILTER_LABELS,
            "warranty": filters.WARRANTY_FILTERS,
        }
        chosen = labels[kind]
        codes = filters.FLAG_FILTERS if kind == "flag" else list(chosen)
        return [(code, chosen[code]()) for code in codes if code or kind == "internal_status"]

    @staticmethod
    def caller_places() -> list[tuple[str, str]]:
        """Where the problem is, as the call centre asks a caller: their premises («Моя квартира» is the resident's
        own words), or a common place."""
        return [
            (code, gettext("The caller's premises") if code == rules.Place.PREMISE else words)
            for code, words in TicketView.options("place")
        ]

    EMERGENCY_DATA = {c.code: {"emergency": "1"} for c in rules.CATEGORIES if c.emergency}

    @staticmethod
    def resident_categories() -> list[tuple[str, str]]:
        """The categories a resident chooses from; emergencies say so (``EMERGENCY_CHOICES``)."""
        return [(c.code, TicketView.resident_category(c)) for c in rules.CATEGORIES if c.resident]

    @staticmethod
    def resident_category(c: rules.Category) -> str:
        """A category as the resident's form offers it: an emergency one with «— авария» after its name, unless
        a whole phrase of its own is worded for it."""
        if not c.emergency:
            return c.label()
        return EMERGENCY_CHOICES.known(c.code) or gettext("%(category)s — emergency", category=c.label())

    @staticmethod
    def place_options(places: Sequence[queries.Place]) -> list[tuple[int, str]]:
        """The resident's premises as choices, as the paid services name them: the address without the town they all
        share (house_choices), for a phone's closed dropdown cut «…, д. 189А, кв. 1 (лицевой счёт …)» off at the
        part that tells two flats apart. The account number is added only where two accounts share an address. On
        a page in another language the house's address, Russian data, is marked ``lang="ru"`` and the premise's
        words of the page's language are not («<span lang="ru">ул. Киевская, д. 189</span>, flat 1»)."""
        numbers = {p.account_id: p.account_number for p in places}
        options = house_choices(
            [(p.account_id, full_address(p.house_address, p.premise_kind, p.premise_number)) for p in places]
        )
        shared = Counter(text for _id, text in options)
        houses = {p.account_id: p.house_address or "" for p in places}
        return [
            (
                key,
                russian_markup(
                    text
                    if shared[text] == 1
                    else gettext("%(address)s (account %(number)s)", address=text, number=numbers[key]),
                    _shown_house(houses[key], text),
                ),
            )
            for key, text in options
        ]

    @staticmethod
    def account_options(places: Sequence[queries.Place]) -> list[tuple[int, str]]:
        """The accounts a person pays as the payer-change form offers them: each by its number and its premise's
        address («Лицевой счёт 1234567 — ул. Киевская, д. 189, кв. 1»), as it is the account whose payer changes
        (two accounts of one flat differ by their numbers alone). The house's address is marked ``lang="ru"`` on a
        page in another language, as in ``place_options``."""
        numbers = {p.account_id: p.account_number for p in places}
        houses = {p.account_id: p.house_address or "" for p in places}
        options = house_choices(
            [(p.account_id, full_address(p.house_address, p.premise_kind, p.premise_number)) for p in places]
        )
        return [
            (
                key,
                russian_markup(
                    gettext("Account %(number)s — %(address)s", number=numbers[key], address=text),
                    _shown_house(houses[key], text),
                ),
            )
            for key, text in options
        ]

    @staticmethod
    def outage_options(outages: Sequence[OutageRow]) -> list[tuple[int, str]]:
        """The outages of the request's house as its «Связанное отключение» dropdown offers them: what is off, the
        entrance or riser where narrower than the house (``core.address.part_of_house``), and from when, all in the
        page's language — never the house's Russian address with English words in an option no ``lang`` can mark."""
        zone = clock.zone().key
        return [(o.id, " · ".join(part for part in (TK.outage_service(o.service),
                                                    part_of_house(o.entrance_number, o.riser_code),
                                                    format_moment(o.starts_at, zone)) if part))
                for o in outages]  # fmt: skip

    @staticmethod
    def badge_class(row: TicketRow, public: bool = False) -> str:
        """The badge's colour of the request's status (``public``: of the status its resident reads)."""
        status = row.public_status if public else row.status
        return {"new": "new", "reopened": "new", "accepted": "accepted", "in_work": "in_work", "done": "done"}.get(
            status, "closed"
        )

    @staticmethod
    def overdue(row: TicketRow, now: datetime) -> bool:
        """The badge «Просрочена» and the red countdown: a minute after the deadline, as the countdown reads it
        (in the minute of the deadline it reads «Срок — сейчас», not overdue)."""
        return row.active and rules.countdown(row.deadline, now)[0] == "overdue"

    @staticmethod
    def countdown(row: TicketRow, now: datetime) -> str:
        """«Осталось 1 ч 30 мин» / «Срок — сейчас» / «Просрочена на 2 ч» / «Срок по договорённости»; done:
        «Выполнена с опозданием на 1 ч 33 мин» when it was done after its deadline, else nothing."""
        if not row.active:
            late = rules.lateness(row.deadline, row.completed_at)
            return gettext("Done %(time)s late", time=_duration(late)) if late else ""
        kind, minutes = rules.countdown(row.deadline, now)
        if kind == "none":
            return gettext("Deadline by agreement")
        if kind == "overdue":
            return gettext("Overdue by %(time)s", time=_duration(minutes))
        if kind == "due":
            return gettext("Due now")
        return gettext("%(time)s left", time=_duration(minutes))

    @staticmethod
    def common_place(row: TicketRow) -> str:
        """A common place of the house in words («лифт», «подъезд 2, лифт»); empty for a request about a premise."""
        if not row.place or row.place == rules.Place.PREMISE:
            return ""
        at_entrance = rules.COMMON_PLACE_AT_ENTRANCE.get(row.place)
        if row.entrance_number and at_entrance:
            return at_entrance.format({"n": row.entrance_number})
        return rules.COMMON_PLACE_WORDS.shown(row.place)

    @staticmethod
    def address_lines(row: TicketRow) -> tuple[str, str]:
        """The house, and the premise or common place in it (a table shows them on two lines)."""
        return row.house_address or "", TicketView.common_place(row) or premise_name(
            row.premise_kind, row.premise_number
        )

    @staticmethod
    def address(row: TicketRow) -> str:
        """The request's address as one phrase: «…, кв. 12», «…, машино-место М-1», «…, подъезд 2, лифт»."""
        place = TicketView.common_place(row)
        if place:
            house = row.house_address or ""
            return Address(gettext("%(address)s, %(place)s", address=house, place=place), house)
        return full_address(row.house_address, row.premise_kind, row.premise_number)

    @staticmethod
    def marked_choices(options: Sequence[Any]) -> list[tuple[Any, str]]:
        """Choices whose words are Russian data (the houses' addresses) as a checklist's labels: marked
        ``lang="ru"`` on a page in another language (``russian_markup``)."""
        return [(key, russian_markup(str(text))) for key, text in options]

    @staticmethod
    def outage_place(outage: OutageRow, *, markup: bool = False) -> str:
        """Where an outage is: the house, and the entrance or riser when it is narrower. With ``markup``, as HTML
        for a page's text: the house's address and the riser's code («ГВС-2»), Russian data, marked ``lang="ru"``
        on a page in another language (``content.rules.names_marked``), as the ``address`` filter marks an address;
        the rest in the page's language (``core.address.house_place``)."""

        def say(name: Callable[[str], str]) -> str:
            return house_place(outage.house_address, outage.entrance_number, outage.riser_code, name)

        return names_marked(say) if markup else say(str)

    @staticmethod
    def outage_name(outage: OutageRow) -> str:
        """An outage as one phrase: «Холодная вода: ул. Киевская, 12, подъезд 2, с 3 декабря 2026, 10:00»."""
        return gettext(
            "%(service)s: %(place)s, from %(start)s",
            service=TK.outage_service(outage.service),
            place=TicketView.outage_place(outage),
            start=format_moment(outage.starts_at, clock.zone().key),
        )

    @staticmethod
    def event_text(event: queries.Event) -> str:
        kind, value = event.kind, event.to_value
        if kind == rules.EventKind.FLAG:
            name, _, on = value.partition("=")
            label = filters.FLAG_FILTER_LABELS.shown(name)
            return (
                gettext("Flag set: %(flag)s", flag=label)
                if on == "1"
                else gettext("Flag removed: %(flag)s", flag=label)
            )
        if kind == rules.EventKind.EXECUTOR:
            return gettext("Executor: %(name)s", name=event.comment or "—") if value else gettext("Executor removed")
        if kind == rules.EventKind.OUTAGE:
            return gettext("Linked to an outage") if value else gettext("Unlinked from the outage")
        words: dict[str, Callable[[], str]] = {
            rules.EventKind.CREATED: lambda: gettext("Request filed"),
            rules.EventKind.STATUS: lambda: gettext("Status: %(status)s", status=TK.status(value)),
            rules.EventKind.RATING: lambda: gettext("Rated %(n)s of 5", n=value),
            rules.EventKind.DEADLINE: lambda: gettext(
                "Deadline: %(before)s → %(after)s", before=_moment(event.from_value), after=_moment(value)
            ),
            rules.EventKind.CONTROL_DATE: lambda: gettext("Control date: %(value)s", value=_day(value)),
            rules.EventKind.DAMAGE_AT: lambda: gettext("The damage happened: %(moment)s", moment=_moment(value)),
            rules.EventKind.CATEGORY: lambda: gettext("Category: %(value)s", value=rules.category_label(value)),
            rules.EventKind.TYPE: lambda: gettext("Type: %(value)s", value=TK.type(value)),
            rules.EventKind.INTERNAL_STATUS: lambda: gettext("Internal status: %(value)s", value=TK.internal(value)),
            rules.EventKind.NOTE: lambda: gettext("Internal note"),
        }
        return words[kind]() if kind in words else ""


def _moment(stored: str) -> str:
    """A deadline as an event stores it (ISO 8601, or empty for none), in the company's zone for people."""
    try:
        return format_moment(datetime.fromisoformat(stored), get_settings().time_zone) if stored else "—"
    except ValueError:
        return stored


def _day(stored: str) -> str:
    """A control date as an event stores it (ISO 8601, or empty for none), in words: «20 декабря 2026»."""
    try:
        return format_day(date.fromisoformat(stored)) if stored else "—"
    except ValueError:
        return stored


TK = TicketView()


# --- the active filters as chips ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Chip:
    """One active filter, in words, with the list's address without it."""

    label: str
    remove: str


def filter_chips(
    f: filters.TicketFilters,
    params: Mapping[str, Sequence[str]],
    houses: Sequence[queries.Option],
    executors: Sequence[queries.Option],
) -> list[Chip]:
    """Every filter in force (the tab and the sort excepted), each removable on its own: a label as HTML, the
    house's address and the executor's name, Russian data, marked ``lang="ru"`` on a page in another language."""
    kept = {k: [x for x in v if x] for k, v in params.items() if k not in ("page", "part")}
    kept = {k: v for k, v in kept.items() if v}  # a field the form sent empty is no filter: not in the links
    names = {"house": {h.id: h.name for h in houses}, "executor": {e.id: e.name for e in executors}}

    def without(key: str, value: str | None = None) -> str:
        left = [v for v in kept.get(key, []) if value is not None and v != value]
        return "/staff/tickets" + with_params(kept, **{key: left or None})

    chips: list[Chip] = []
    if f.q:
        chips.append(Chip(escape(gettext("Search: %(text)s")) % {"text": russian_markup(f.q)}, without("q")))
    multi: list[tuple[str, Sequence[Any], Callable[[Any], str], str]] = [
        ("status", f.statuses, TK.status, gettext("Status")),
        ("type", f.types, TK.type, gettext("Type")),
        ("category", f.categories, rules.category_label, gettext("Category")),
        ("house", f.houses, lambda h: russian_markup(names["house"].get(h, str(h))), gettext("House")),
        ("flag", f.flags, TK.flag, gettext("Flag")),
    ]
    for key, values, words, title in multi:
        for value in values:
            chips.append(Chip(escape(f"{title}: ") + words(value), without(key, str(value))))
    single: list[tuple[str, Any, Callable[[Any], str], str]] = [
        ("executor", f.executor, lambda e: russian_markup(names["executor"].get(e, str(e))), gettext("Executor")),
        ("internal_status", f.internal_status, TK.internal, gettext("Internal status")),
        ("source", f.source, TK.source, gettext("Source")),
        ("warranty", f.warranty, filters.WARRANTY_FILTERS, pgettext("list filter", "Warranty")),
        ("outage", f.outage, lambda o: gettext("No. %(number)s", number=o), gettext("Outage")),
        ("rating_from", f.rating_from, str, gettext("Rating from")),
        ("rating_to", f.rating_to, str, gettext("Rating to")),
    ]
    for key, value, words, title in single:
        if value not in (None, ""):
            chips.append(Chip(escape(f"{title}: ") + words(value), without(key)))
    for key, title in (
        ("created", gettext("Created")),
        ("deadline", gettext("Deadline")),
        ("completed", gettext("Completed")),
        ("control", gettext("Control date")),
    ):
        low, high = getattr(f, f"{key}_from"), getattr(f, f"{key}_to")
        if low is not None or high is not None:
            typed = (kept.get(f"{key}_from", [""])[-1], kept.get(f"{key}_to", [""])[-1])
            low_words, high_words = (_when(value, raw) for value, raw in zip((low, high), typed, strict=True))
            span = gettext("%(low)s – %(high)s", low=low_words, high=high_words)
            dropped = with_params(kept, **{f"{key}_from": None, f"{key}_to": None})
            chips.append(Chip(f"{title}: {span}", "/staff/tickets" + dropped))
    return chips


def _when(value: date | datetime | None, typed: str) -> str:
    """A chip's end of a date range in words: «1 ноября 2026», with the time when one was typed; «…» when open."""
    if value is None:
        return "…"
    if isinstance(value, datetime) and "T" in typed:
        return format_moment(value, get_settings().time_zone)
    return format_day(value)


# --- a request's page -------------------------------------------------------------------------------------------


async def ticket_page(
    request: Request,
    principal: Principal,
    ticket: TicketDetail,
    *,
    staff: bool,
    errors: FormErrors | None = None,
    status_code: int = 200,
    **extra: Any,
) -> Template | Response[Any]:
    """The page of one request with its history, for the resident or for staff; a poll of the conversation that
    has nothing newer than the page answers 204 (no swap)."""
    events = await queries.conversation(ticket.id, for_resident=not staff)
    params = request.query_params
    polled = params.get("part") == "conversation"
    last = parse_int(params.get("last"), low=0, high=MAX_ID)
    if polled and last is not None and (events[-1].id if events else 0) <= last:
        return Response(content=b"", status_code=204)
    seen = ticket.staff_seen_event if staff else ticket.resident_seen_event
    since = parse_int(params.get("since"), low=0, high=MAX_ID)
    if events and not is_head(request):  # a HEAD (a link checker's, a preview's) reads nothing
        await actions.mark_read(ticket, by_staff=staff, event_id=events[-1].id)
    now = clock.now()
    context = await (_staff_context(request, principal, ticket) if staff else _resident_context(ticket, now))
    context["keeps_term"] = await keeps_term(ticket)
    return render(
        request,
        "tickets/staff_detail.html" if staff else "tickets/detail.html",
        block="conversation" if polled else "main",
        status_code=status_code,
        ticket=ticket,
        events=events,
        since=since if since is not None else seen,
        tk=TK,
        now=now,
        errors=errors,
        **context,
        **extra,
    )


async def keeps_term(ticket: TicketDetail) -> bool:
    """Whether the page names the legal term beside the deadline (``rules.keeps_term``); the request's last return
    to work is read only when the deadline is not the one counted from its registration."""
    tz = get_settings().time_zone
    fields = {"category": ticket.category, "type": ticket.type, "created_at": ticket.created_at,
              "damage_at": ticket.damage_at, "deadline": ticket.deadline}  # fmt: skip
    if rules.keeps_term(fields, tz):
        return True
    reopened = await queries.last_reopened(ticket.id)
    return reopened is not None and rules.keeps_term(fields, tz, reopened)


def photo_file(request: Request, photo: queries.Attachment) -> File | Template:
    """A request's photo or file to a caller the route has already checked; 410 saying when, once it was deleted at
    the end of its keeping term (``actions.erase_request_files``)."""
    if photo.erased_at is not None:
        return gone(request, TK.files_erased(photo.erased_at))
    return storage.response_for(photo.file_key, photo.content_type, storage.download_name("photo", photo.file_key))


def ticket_href(ticket: TicketRow, *, staff: bool) -> str:
    return f"/staff/tickets/{ticket.id}" if staff else f"/tickets/{ticket.id}"


def form_typed(data: Mapping[str, Any]) -> dict[str, str]:
    """What was typed in a form, its files left out: what the form shows again when it comes back."""
    return {k: v for k, v in data.items() if isinstance(v, str)}


def application_filed(request: Request, opened: actions.OpenedTicket, page: str = "/tickets/{id}") -> Response[Any]:
    """An application filed: its number said at the top of the request's page it opens (``page``: the call
    centre's own for a caller's)."""
    flash(request, gettext("Application No. %(number)s is filed.", number=opened.number), "success")
    return see_other(request, page.format(id=opened.id))


async def form_answered(
    request: Request,
    principal: Principal,
    ticket: TicketDetail,
    read: tuple[Any, FormErrors],
    act: Callable[[Any], Awaitable[Any]],
    done: str,
    *,
    staff: bool,
    **typed: Any,
) -> Template | Response[Any]:
    """A form about a request, read (``read``: the value or None, and its errors): when it does not read, the page
    again with the errors (422) and ``typed`` (the form as typed, for its fields); else ``act`` on the value and,
    when it changed anything, ``done`` said on the request's page."""
    value, errors = read
    if value is None:
        return await ticket_page(request, principal, ticket, staff=staff, errors=errors, status_code=422, **typed)
    if await act(value):
        flash(request, done)
    return see_other(request, ticket_href(ticket, staff=staff))


async def message_posted(
    request: Request, principal: Principal, ticket: TicketDetail, data: dict[str, Any], *, staff: bool
) -> Template | Response[Any]:
    """A message in a request's conversation from either side (staff may mark it internal); refused, the page again
    with the text as typed (and, for staff, the note's tick)."""
    text, photos, errors = await actions.message_from(data)
    internal = staff and form_value(data, "internal") == "1"
    # A card of the executor's work queue has only the photos: what happened is said at the top of the queue.
    from_queue = staff and form_value(data, "back") == "/staff/my-tickets"
    if text is None:
        if from_queue:
            problem = errors.get("photos") or gettext("Choose the photos of the work first.")
            said = gettext("Request No. %(number)s: %(problem)s", number=ticket.number, problem=problem)
            flash(request, said, "error")
            return see_other(request, "/staff/my-tickets")
        typed = data.get("text", "")
        return await ticket_page(
            request, principal, ticket, staff=staff, errors=errors, status_code=422, message=typed, note=internal
        )
    sent = await actions.post_message(
        principal, ticket, text, photos, by_staff=staff, internal=internal, now=clock.now(), ip=client_ip(request)
    )
    if from_queue:
        flash(request, gettext("The photos are sent to request No. %(number)s.", number=ticket.number))
        return see_other(request, "/staff/my-tickets")
    # Back at the message sent, not at the top of a long conversation with it out of sight below (on a phone, under
    # the bottom menu): the writer sees it went, and the keyboard goes on from it.
    return see_other(request, ticket_href(ticket, staff=staff) + f"#event-{sent}")


async def _resident_context(ticket: TicketDetail, now: datetime) -> dict[str, Any]:
    def may(target: str) -> bool:
        return rules.transition(ticket, target, rules.Actor.RESIDENT, now).allowed

    return {
        "emergency_phone": get_settings().emergency_phone,
        "may_cancel": may(rules.Status.CANCELLED),
        "awaits_confirmation": rules.awaits_confirmation(ticket.status, ticket.completed_at, now),
        "may_return": may(rules.Status.REOPENED),
        "return_until": rules.confirm_until(ticket.completed_at),
        "may_rate": rules.resident_may_rate(ticket.status, ticket.rating),
        "handover": await queries.handover_of(ticket.id) if ticket.category in rules.OWN_ONLY_CATEGORIES else None,
        "promised": rules.developer_promise(ticket.claim),
        "promise_returned": rules.promise_returned(ticket.claim),
        "claim_yourself": await _claim_yourself(ticket),
    }


async def _claim_yourself(ticket: TicketDetail) -> str:
    """After the developer refused a defect's claim, while the request is open: how the owner may claim it
    themselves, naming the developer as the history's message of the refusal does (empty otherwise)."""
    if not rules.developer_refused(ticket.status, ticket.developer_answer):
        return ""
    house = (await queries.house_warranties([ticket.house])).get(ticket.house)
    developer = (house.developer_name or house.developer_email) if house else ""
    return actions.owner_may_claim(developer, house.developer_email if house else "")


# The session's note of the request list last shown, for the way back from a request's page: the list's filters, or
# MY_QUEUE after the executor's «Мои заявки» (never a list's query string, which is made of name=value pairs).
LAST_LIST = "tickets_list"
MY_QUEUE = "mine"


async def _staff_context(request: Request, principal: Principal, ticket: TicketDetail) -> dict[str, Any]:
    answers_only = queries.answers_only(principal)
    actor = queries.staff_actor(principal)
    noted = str(request.session.get(LAST_LIST) or "")
    last = filters.view_query(noted)
    return {
        "from_queue": noted == MY_QUEUE,
        "list_href": f"/staff/tickets?{last}" if last else "/staff/tickets",
        "moves": rules.moves_for(ticket.status, actor),
        "next_step": rules.next_step(ticket.status, actor),
        "executors": [] if answers_only else await queries.executors_for([ticket.house]),
        "outages": [] if answers_only else await queries.staff_outages(principal, house_id=ticket.house),
        "answers_only": answers_only,
        "may_hand_back": principal.has_role("executor")
        and rules.may_hand_back(ticket.status, ticket.executor, principal.user_id),
        "tz_info": clock.zone(),
        "meter_card": await queries.meter_card_link(principal, ticket),
        # A new owner's or payer's application is decided on its own page, by an operator or a manager.
        "handover_page": ticket.category in rules.OWN_ONLY_CATEGORIES and principal.has_role("operator", "manager"),
        "lift": await queries.lift_booking(ticket.id) if ticket.category == "lift_booking" else None,
        "developer": await _developer(ticket) if ticket.category == "warranty_defect" else None,
    }


async def _developer(ticket: TicketDetail) -> dict[str, Any]:
    """A defect's developer as its page shows it, why it cannot be forwarded now (``actions.forward_problem``), the
    day its warranty ended where it was filed past it (by what is defective, as stored), the day the developer
    promised to fix it by, and whether the request's deadline is that day's end (not a term staff set since)."""
    house = (await queries.house_warranties([ticket.house])).get(ticket.house)
    promised = rules.developer_promise(ticket.claim)
    due = promised is not None and ticket.deadline == rules.developer_deadline(promised, get_settings().time_zone)
    return {
        "house": house,
        "problem": actions.forward_problem(ticket, house),
        "ended": actions.warranty_ended(ticket, house),
        "promised": promised,
        "promised_due": due,
        "kind": rules.defect_named(ticket.defect_kind),
    }


def executor_by_id(executors: Sequence[queries.Option], executor_id: int | None) -> queries.Option | None:
    return next((e for e in executors if e.id == executor_id), None)
