"""The post form: typed values and translated errors; no I/O (the audience's numbers and codes are turned into
ids by queries.audience_of)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any

from portal.content import rules
from portal.content.rules import ENDED
from portal.content.rules import SCHEDULED
from portal.content.rules import default_channels
from portal.content.rules import window_problem
from portal.content.tables import PostKind
from portal.content.tables import PostStatus
from portal.core import clock
from portal.core.i18n import gettext
from portal.core.i18n import lazy
from portal.core.labels import Labels
from portal.core.parse import parse_date
from portal.core.parse import parse_id
from portal.core.parse import parse_ids
from portal.core.parse import parse_int
from portal.core.parse import parse_moment
from portal.core.web import FormErrors
from portal.core.web import form_value
from portal.core.web import no_such_choice
from portal.core.web import not_a_day
from portal.core.web import read_range
from portal.core.web import shown_days
from portal.core.web import unread_filters

# A post's state in words (``rules.shown_status``): its page, the list, and a step refused for the state it is in.
STATUS_LABELS = Labels(
    {
        PostStatus.DRAFT: lazy("Draft"),
        PostStatus.REVIEW: lazy("On review"),
        PostStatus.RETURNED: lazy("Returned"),
        PostStatus.PUBLISHED: lazy("Published"),
        PostStatus.UNPUBLISHED: lazy("Unpublished"),
        SCHEDULED: lazy("Scheduled"),
        ENDED: lazy("Expired"),
    }
)


@dataclass(frozen=True)
class HousePart:
    """Where in one chosen house a post goes, as the house's own fields on the form say it: entrance numbers, a
    range of floors (of those entrances where some are given), or both."""

    house: int
    entrances: tuple[int, ...] = ()
    floor_from: int | None = None
    floor_to: int | None = None


@dataclass(frozen=True)
class AudienceChoice:
    """The audience as the form gives it: houses, each whole or only some of its entrances and floors (``parts``),
    or the risers of the chosen houses by code; or the whole company; or personal account numbers."""

    company: bool = False
    houses: tuple[int, ...] = ()
    parts: tuple[HousePart, ...] = ()  # the chosen houses narrowed to entrances or floors, in the houses' order
    risers: tuple[str, ...] = ()  # riser codes within the chosen houses
    accounts: tuple[str, ...] = ()  # personal account numbers
    # Editing a post whose stored audience this form cannot say exactly (single premises, a complex, floors of some
    # entrances and all of others in one house, more accounts than the field takes): left empty, the audience stays
    # as stored.
    keep: bool = False

    @property
    def is_empty(self) -> bool:
        return not (self.company or self.houses or self.accounts)

    def part(self, house: int) -> HousePart | None:
        return next((p for p in self.parts if p.house == house), None)


# A chosen house's own fields: ``entrances-<house>``, ``floor_from-<house>``, ``floor_to-<house>``.
PART_FIELDS = ("entrances", "floor_from", "floor_to")
_PART_NAME = re.compile(r"(entrances|floor_from|floor_to)-(\d{1,18})")
MAX_PARTS = 500  # houses whose fields a form may send (a company's every house, with room)


def return_comment_missing() -> str:
    """Why a post is not returned to its author without a comment: the comment is what they read."""
    return gettext("Say what to change: the author reads the comment.")


def part_name(field_name: str, house: int) -> str:
    return f"{field_name}-{house}"


def typed_parts(data: Mapping[str, Any]) -> dict[int, dict[str, str]]:
    """Each house's fields as typed, by house (only houses with something typed), in the order the form sent them."""
    typed: dict[int, dict[str, str]] = {}
    for key in data:
        found = _PART_NAME.fullmatch(str(key))
        value = form_value(data, key) if found else ""
        if found and value and (len(typed) < MAX_PARTS or int(found[2]) in typed):
            typed.setdefault(int(found[2]), dict.fromkeys(PART_FIELDS, ""))[found[1]] = value[:200]
    return typed


def typed_part(part: HousePart) -> dict[str, str]:
    """A house's fields as the form shows a stored part of the audience."""
    floors = ("" if f is None else str(f) for f in (part.floor_from, part.floor_to))
    return dict(zip(PART_FIELDS, (", ".join(str(n) for n in part.entrances), *floors), strict=True))


def _read_part(house: int, typed: dict[str, str], errors: FormErrors) -> HousePart:
    """One house's entrances and floors as typed, each mistake said at its field."""
    floors = [parse_int(typed[k], low=-5, high=200) if typed[k] else None for k in ("floor_from", "floor_to")]
    if (typed["floor_from"] or typed["floor_to"]) and None in floors:
        errors.add(part_name("floor_from", house), gettext("Give both floors, from and to, as numbers."))
        floors = [None, None]
    entrances = [parse_int(x, low=1, high=99) for x in re.split(r"[\s,;]+", typed["entrances"]) if x]
    if None in entrances:
        errors.add(part_name("entrances", house), gettext("Give entrance numbers separated by commas."))
    numbers = tuple(sorted({e for e in entrances if e is not None}))
    return HousePart(house, numbers, floors[0], floors[1])


@dataclass
class PostForm:
    kind: str = PostKind.NEWS
    title: str = ""
    body: str = ""
    title_en: str = ""  # the English twin, optional
    body_en: str = ""
    publish_at: datetime | None = None
    ends_at: datetime | None = None
    by_email: bool = False
    by_sms: bool = False
    by_push: bool = True
    audience: AudienceChoice = field(default_factory=AudienceChoice)
    event: EventFields | None = None  # an event's time, place and capacity (kind EVENT only)
    typed: dict[str, Any] = field(default_factory=dict)
    errors: FormErrors = field(default_factory=FormErrors)


@dataclass(frozen=True)
class EventFields:
    """An event's own fields as the form gives them (``rules.event_problem`` has checked them)."""

    starts_at: datetime
    ends_at: datetime
    place: str = ""
    capacity: int | None = None


EVENT_FIELDS = ("event_starts_at", "event_ends_at", "event_place", "event_capacity")


def _event_messages() -> dict[str, str]:
    return {
        "missing": gettext("Give the date and time of the event."),
        "past": gettext("The event must start in the future."),
        "ends_before_start": gettext("The event must end after it starts."),
        "capacity": gettext("Give the number of places as a whole number, or leave it empty: no limit."),
        "unread": gettext("Give the date and time as on the calendar."),
    }


def read_event(
    typed: Mapping[str, str], errors: FormErrors, *, now: datetime, stored_start: datetime | None = None
) -> EventFields | None:
    """An event's start, end, place and capacity as typed, each mistake said at its field; a start already gone is
    refused unless it is the one stored (an event being edited after it began: its words may still be mended)."""
    said = _event_messages()
    starts_at, ends_at = (_aware(parse_moment(typed[k])) if typed[k] else None for k in EVENT_FIELDS[:2])
    capacity = parse_int(typed["event_capacity"], low=-1_000_000, high=1_000_000) if typed["event_capacity"] else None
    problems = rules.event_problem(starts_at, ends_at, capacity, now)
    if starts_at is not None and starts_at == stored_start:
        problems.pop("event_starts_at", None)
    for name in EVENT_FIELDS[:2]:
        if typed[name] and problems.get(name) == "missing":
            problems[name] = "unread"
    if typed["event_capacity"] and capacity is None:
        problems["event_capacity"] = "capacity"
    for name, problem in problems.items():
        errors.add(name, said[problem])
    if problems or starts_at is None or ends_at is None:
        return None
    return EventFields(starts_at, ends_at, typed["event_place"][:300], capacity)


def _list(data: dict[str, Any], name: str) -> list[Any]:
    value = data.get(name, [])
    return value if isinstance(value, list) else [value]


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=clock.zone()) if value is not None else None


def read_post(data: dict[str, Any], *, now: datetime, stored_start: datetime | None = None) -> PostForm:
    """The post form as sent; ``stored_start``: the start of the event being edited, as stored."""
    form = PostForm()
    names = ("kind", "title", "body", "title_en", "body_en", "publish_at", "ends_at", "risers", "accounts",
             "keep_audience", *EVENT_FIELDS)  # fmt: skip
    typed = {k: form_value(data, k) for k in names}
    parts_typed = typed_parts(data)
    form.typed = {**typed, "houses": [str(h) for h in _list(data, "houses")], "parts": parts_typed}
    errors = form.errors
    kind = typed["kind"] if typed["kind"] in PostKind.__members__.values() else ""
    if not kind:
        errors.add("kind", gettext("Choose what this is: news, a notice, an emergency notice or an event."))
    form.kind = kind or PostKind.NEWS
    if form.kind == PostKind.EVENT:
        form.event = read_event(typed, errors, now=now, stored_start=stored_start)
    form.title = typed["title"][:200]
    if not form.title:
        errors.add("title", gettext("Write a title."))
    form.body = str(data.get("body", "") or "")[:20000]
    if not form.body.strip():
        errors.add("body", gettext("Write the text."))
    form.title_en = typed["title_en"][:200]
    form.body_en = str(data.get("body_en", "") or "")[:20000]
    form.publish_at = _aware(parse_moment(typed["publish_at"])) if typed["publish_at"] else None
    if typed["publish_at"] and form.publish_at is None:
        errors.add("publish_at", gettext("Give the date and time as on the calendar, or leave it empty."))
    form.ends_at = _aware(parse_moment(typed["ends_at"])) if typed["ends_at"] else None
    if typed["ends_at"] and form.ends_at is None:
        errors.add("ends_at", gettext("Give the date and time as on the calendar, or leave it empty."))
    if window_problem(form.publish_at, form.ends_at, now):
        errors.add("ends_at", gettext("The end must be after the start and in the future."))
    form.by_email = bool(data.get("by_email"))
    form.by_sms = bool(data.get("by_sms"))
    form.by_push = bool(data.get("by_push"))
    houses = tuple(dict.fromkeys(parse_ids(_list(data, "houses"))))
    parts = [_read_part(house, parts_typed[house], errors) for house in parts_typed]
    unchosen = gettext("Entrances and floors are chosen within a house: tick the house, or clear them.")
    for part in parts:
        if part.house not in houses:  # the post would go neither there nor to the whole house, unsaid
            errors.add(part_name("entrances" if part.entrances else "floor_from", part.house), unchosen)
    form.audience = AudienceChoice(
        company=bool(data.get("company")),
        houses=houses,
        parts=tuple(p for p in parts if p.house in houses and (p.entrances or p.floor_from is not None)),
        risers=tuple(x for x in re.split(r"[\s,;]+", typed["risers"]) if x)[:50],
        accounts=tuple(x for x in re.split(r"[\s,;]+", typed["accounts"]) if x)[:200],
    )
    if form.audience.is_empty and data.get("keep_audience") == "1":
        form.audience = AudienceChoice(keep=True)
    elif form.audience.is_empty and not parts:
        errors.add("houses", gettext("Choose who it is for: houses, account numbers or the whole company."))
    if form.audience.risers and not form.audience.houses:
        errors.add("houses", gettext("Entrances, floors and risers are chosen within a house: choose the house."))
    if form.audience.risers and form.audience.parts:
        # The audience is the risers' flats or the entrances' and floors', never both: one of them was dropped unsaid.
        errors.add("risers", gettext("A post goes to risers or to entrances and floors, not both: clear one of them."))
    return form


def fields(houses: Sequence[int]) -> list[str]:
    """The form's fields top to bottom, ``houses`` in the order it shows them: its summary of errors lists them so."""
    each = [part_name(name, house) for house in houses for name in PART_FIELDS]
    return ["kind", "title", "body", "title_en", "body_en", "image", *EVENT_FIELDS, "houses", *each, "risers",
            "accounts", "publish_at", "ends_at"]  # fmt: skip


def name_houses(errors: FormErrors, addresses: Mapping[int, str]) -> None:
    """A house's own field named by the house's address in the summary above the form (its label, «Entrances»,
    stands in every house)."""
    for name in errors.fields:
        found = _PART_NAME.fullmatch(name)
        if found and int(found[2]) in addresses:
            errors.labels.setdefault(name, addresses[int(found[2])])


# A riser code some chosen houses have and others not (``queries.audience_of``): said at its field, naming those.
RISERS_LACKING = lazy(
    "These chosen houses have no such riser, so the post would not reach them: %(what)s. "
    "Leave them out or change the risers."
)


def add_missing(form: PostForm, missing: Mapping[str, list[str]]) -> None:
    """What the chosen houses do not have (``queries.audience_of``), each at its own field: a house's entrances and
    floors at that house's fields; what lies outside the writer's houses at the houses' and the accounts' fields
    (the save would refuse it), both messages where a field has two."""
    for name, values in missing.items():
        what = ", ".join(values)
        found = _PART_NAME.fullmatch(name)
        if name == "accounts":
            form.errors.add(name, gettext("There are no such personal accounts: %(what)s.", what=what))
        elif name == "accounts_elsewhere":
            said = gettext("These personal accounts are in houses you do not work with: %(what)s.", what=what)
            form.errors.fields["accounts"] = " ".join(filter(None, (form.errors.get("accounts"), said)))
        elif name == "houses_elsewhere":
            form.errors.add("houses", gettext(
                "You do not work with these houses, so they are left out of the choice: %(what)s. Check who the post "
                "is for and save again.", what=what
            ))  # fmt: skip
        elif name == "company_elsewhere":
            form.errors.add("houses", gettext("Only staff of every house may address the whole company or a complex."))
        elif name == "risers_lacking":
            form.errors.add("risers", RISERS_LACKING.format({"what": "; ".join(values)}))
        elif found and found[1] == "entrances":
            form.errors.add(name, gettext("This house has no such entrance: %(what)s.", what=what))
        elif found:
            form.errors.add(name, gettext("There are no premises on floors %(what)s here.", what=what))
        else:
            form.errors.add(name, gettext("Not found in the chosen houses: %(what)s.", what=what))


def new_form(kind: str = PostKind.NEWS) -> PostForm:
    email, sms, push = default_channels(kind)
    kind = kind if kind in PostKind.__members__.values() else PostKind.NEWS
    return PostForm(kind=kind, by_email=email, by_sms=sms, by_push=push, typed={"kind": kind})


def post_id_of(value: object) -> int | None:
    return parse_id(value)


def staff_filter_problems(query: Mapping[str, Any], chosen: Any) -> tuple[dict[str, str], FormErrors]:
    """The post list's filters as typed (a date read as its date field holds it), and a message at each it could
    not read or would find nothing by, a period that ends before it starts (``core.web.unread_filters``); ``chosen``
    is the list's ``StaffFilter``."""
    day = not_a_day()

    days = read_range(query, "from", "to", parse_date)
    typed, problems = unread_filters(
        query,
        {
            "kind": (chosen.kind or None, gettext("Type"), no_such_choice(query, "kind")),
            "status": (chosen.status or None, gettext("Status"), no_such_choice(query, "status")),
            "published": (chosen.published or None, gettext("Published"), no_such_choice(query, "published")),
            "from": (days.low, gettext("Created from"), day),
            "to": (days.high, gettext("Created to"), day),
        },
        [("from", "to")],
    )
    return typed | shown_days(typed, {"from": days.low, "to": days.high}), problems
