"""The post form: typed values and translated errors; no I/O (the audience's numbers and codes are turned into
ids by queries.audience_of)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any

from portal.content.rules import default_channels
from portal.content.rules import window_problem
from portal.content.tables import PostKind
from portal.core import clock
from portal.core.i18n import gettext
from portal.core.i18n import lazy
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


@dataclass(frozen=True)
class AudienceChoice:
    """The audience as the form gives it: houses, and within them entrance numbers, floors and riser codes;
    or the whole company; or personal account numbers."""

    company: bool = False
    houses: tuple[int, ...] = ()
    entrances: tuple[int, ...] = ()  # entrance numbers within the chosen houses
    floor_from: int | None = None
    floor_to: int | None = None
    risers: tuple[str, ...] = ()  # riser codes within the chosen houses
    accounts: tuple[str, ...] = ()  # personal account numbers
    # Editing a post whose stored audience this form cannot say exactly (single premises, a complex, entrances
    # that differ from house to house, more accounts than the field takes): left empty, the audience stays as stored.
    keep: bool = False

    @property
    def is_empty(self) -> bool:
        return not (self.company or self.houses or self.accounts)


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
    typed: dict[str, Any] = field(default_factory=dict)
    errors: FormErrors = field(default_factory=FormErrors)


def _list(data: dict[str, Any], name: str) -> list[Any]:
    value = data.get(name, [])
    return value if isinstance(value, list) else [value]


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=clock.zone()) if value is not None else None


def read_post(data: dict[str, Any], *, now: datetime) -> PostForm:
    """The post form as sent."""
    form = PostForm()
    typed = {k: form_value(data, k) for k in ("kind", "title", "body", "title_en", "body_en", "publish_at",
                                              "ends_at", "entrances", "floor_from", "floor_to", "risers", "accounts",
                                              "keep_audience")}  # fmt: skip
    form.typed = {**typed, "houses": [str(h) for h in _list(data, "houses")]}
    errors = form.errors
    kind = typed["kind"] if typed["kind"] in PostKind.__members__.values() else ""
    if not kind:
        errors.add("kind", gettext("Choose what this is: news, a notice or an emergency notice."))
    form.kind = kind or PostKind.NEWS
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
    floors = [parse_int(typed[k], low=-5, high=200) if typed[k] else None for k in ("floor_from", "floor_to")]
    if (typed["floor_from"] or typed["floor_to"]) and (None in floors):
        errors.add("floor_from", gettext("Give both floors, from and to, as numbers."))
        floors = [None, None]
    entrances = [parse_int(x, low=1, high=99) for x in re.split(r"[\s,;]+", typed["entrances"]) if x]
    if None in entrances:
        errors.add("entrances", gettext("Give entrance numbers separated by commas."))
    form.audience = AudienceChoice(
        company=bool(data.get("company")),
        houses=tuple(parse_ids(_list(data, "houses"))),
        entrances=tuple(e for e in entrances if e is not None),
        floor_from=floors[0],
        floor_to=floors[1],
        risers=tuple(x for x in re.split(r"[\s,;]+", typed["risers"]) if x)[:50],
        accounts=tuple(x for x in re.split(r"[\s,;]+", typed["accounts"]) if x)[:200],
    )
    if form.audience.is_empty and data.get("keep_audience") == "1":
        form.audience = AudienceChoice(keep=True)
    elif form.audience.is_empty:
        errors.add("houses", gettext("Choose who it is for: houses, account numbers or the whole company."))
    floor_given = form.audience.floor_from is not None
    if (form.audience.entrances or floor_given or form.audience.risers) and not form.audience.houses:
        errors.add("houses", gettext("Entrances, floors and risers are chosen within a house: choose the house."))
    if form.audience.risers and (form.audience.entrances or floor_given):
        # The audience is the risers' flats or the entrances' and floors', never both: one of them was dropped unsaid.
        errors.add("risers", gettext("A post goes to risers or to entrances and floors, not both: clear one of them."))
    return form


# The form's fields top to bottom: its summary of errors lists them so.
FIELDS = ("kind", "title", "body", "title_en", "body_en", "image", "houses", "entrances", "floor_from", "floor_to",
          "risers", "accounts", "publish_at", "ends_at")  # fmt: skip


# A value some chosen houses have and others not (``queries.audience_of``): said at its field, naming those others.
LACKING = {
    "entrances_lacking": (
        "entrances",
        lazy(
            "These chosen houses have no such entrance, so the post would not reach them: %(what)s. "
            "Leave them out or change the entrances."
        ),
    ),
    "risers_lacking": (
        "risers",
        lazy(
            "These chosen houses have no such riser, so the post would not reach them: %(what)s. "
            "Leave them out or change the risers."
        ),
    ),
}


def add_missing(form: PostForm, missing: Mapping[str, list[str]]) -> None:
    """What the chosen houses do not have (``queries.audience_of``), each at its own field."""
    for name, values in missing.items():
        what = ", ".join(values)
        if name == "accounts":
            form.errors.add(name, gettext("There are no such personal accounts: %(what)s.", what=what))
        elif name in LACKING:
            field_name, message = LACKING[name]
            form.errors.add(field_name, message.format({"what": "; ".join(values)}))
        elif name == "floor_from":
            form.errors.add(name, gettext("There are no premises on floors %(what)s in the chosen houses.", what=what))
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
            "published": (chosen.published or None, gettext("Published"), no_such_choice(query, "published")),
            "from": (days.low, gettext("Created from"), day),
            "to": (days.high, gettext("Created to"), day),
        },
        [("from", "to")],
    )
    return typed | shown_days(typed, {"from": days.low, "to": days.high}), problems
