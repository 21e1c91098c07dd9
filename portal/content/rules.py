"""Pure rules of content: Markdown made safe, the life of a post (draft → on review → published, or returned
with a comment), who may do what, whether a post is in force, and an event's answers and calendar file."""

from __future__ import annotations

import html
from collections.abc import Callable
from collections.abc import Collection
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from enum import StrEnum
from typing import Any
from typing import TypeVar
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup
from markupsafe import escape

from portal.content.tables import PostKind
from portal.content.tables import PostStatus
from portal.core.address import house_place
from portal.core.address import premise_name
from portal.core.i18n import DEFAULT_LOCALE
from portal.core.i18n import format_moment
from portal.core.i18n import get_locale
from portal.core.i18n import gettext
from portal.core.security import Principal
from portal.core.security import StaffRole
from portal.notifications.rules import FloorRange
from portal.settings import get_settings

K = TypeVar("K")

# --- Markdown → sanitised HTML ---------------------------------------------------------------------------------

_markdown = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)
# Every link becomes a link here and the allow-list below drops the addresses it does not allow, so a
# ``javascript:`` link turns into plain words instead of staying behind as Markdown source.
_markdown.validateLink = lambda url: True  # type: ignore[method-assign]

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "s", "del", "code", "pre", "blockquote", "ul", "ol", "li",
    "h2", "h3", "h4", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


def render_markdown(text: str) -> str:
    """A post's Markdown as HTML that is safe to show: an allow-list (nh3) keeps only plain formatting — no
    script, no event attribute, no ``javascript:`` or ``data:`` link, no images or frames (pictures are attached
    to the post, not linked from its text). Headings start at level 2."""
    html = _markdown.render(text or "")
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def plain_text(text: str, limit: int = 300) -> str:
    """The text without Markdown or tags, shortened (for the feed's preview, SMS and push)."""
    html = render_markdown(text)
    words = " ".join(nh3.clean(html, tags=set()).split())
    words = words.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
    return words if len(words) <= limit else words[: limit - 1].rstrip() + "…"


# --- who may do what -------------------------------------------------------------------------------------------

WRITERS = (StaffRole.MANAGER, StaffRole.MODERATOR)
# A dispatcher writes emergency notices only, and may send them out at once (reviewed afterwards).
EMERGENCY_WRITERS = (StaffRole.MANAGER, StaffRole.MODERATOR, StaffRole.DISPATCHER)
MODERATORS = (StaffRole.MODERATOR,)
STAFF_ROLES = (StaffRole.MANAGER, StaffRole.MODERATOR, StaffRole.DISPATCHER)
NOT_OUT_YET = frozenset({PostStatus.DRAFT, PostStatus.RETURNED, PostStatus.REVIEW})  # changed by its writers


class Move(StrEnum):
    """What can happen to a post."""

    SUBMIT = "submit"  # author: to the moderator
    APPROVE = "approve"  # moderator: out (at its publish time)
    RETURN = "return"  # moderator: back to the author with a comment
    SEND_NOW = "send_now"  # an emergency: out at once, reviewed afterwards unless a moderator sent it
    REVIEWED = "reviewed"  # moderator: an emergency sent at once is fine as it went
    UNPUBLISH = "unpublish"
    REPUBLISH = "republish"  # moderator: a post taken down back as it was (nobody is sent it twice)
    DELETE = "delete"  # drafts only


FROM: dict[Move, frozenset[PostStatus]] = {
    Move.SUBMIT: frozenset({PostStatus.DRAFT, PostStatus.RETURNED}),
    Move.APPROVE: frozenset({PostStatus.REVIEW}),
    Move.RETURN: frozenset({PostStatus.REVIEW}),
    Move.SEND_NOW: frozenset({PostStatus.DRAFT, PostStatus.RETURNED, PostStatus.REVIEW}),
    Move.REVIEWED: frozenset({PostStatus.PUBLISHED}),
    Move.UNPUBLISH: frozenset({PostStatus.PUBLISHED}),
    Move.REPUBLISH: frozenset({PostStatus.UNPUBLISHED}),
    Move.DELETE: frozenset({PostStatus.DRAFT, PostStatus.RETURNED}),
}

TO: dict[Move, PostStatus | None] = {
    Move.SUBMIT: PostStatus.REVIEW,
    Move.APPROVE: PostStatus.PUBLISHED,
    Move.RETURN: PostStatus.RETURNED,
    Move.SEND_NOW: PostStatus.PUBLISHED,
    Move.REVIEWED: None,
    Move.UNPUBLISH: PostStatus.UNPUBLISHED,
    Move.REPUBLISH: PostStatus.PUBLISHED,
    Move.DELETE: None,
}


def may_write(principal: Principal, kind: PostKind | str) -> bool:
    roles = EMERGENCY_WRITERS if kind == PostKind.EMERGENCY else WRITERS
    return principal.has_role(*roles)


def may_move(
    principal: Principal,
    move: Move,
    status: PostStatus | str,
    kind: PostKind | str,
    needs_review: bool,
    *,
    ended: bool = False,
) -> bool:
    """Whether ``principal`` may make ``move`` on a post in ``status`` (houses are checked separately). A post whose
    time has ended (``shown_status``: ``ENDED``) is taken down by nobody: no resident sees it any more."""
    if PostStatus(status) not in FROM[move] or (ended and move is Move.UNPUBLISH):
        return False
    if move in (Move.APPROVE, Move.RETURN, Move.UNPUBLISH, Move.REPUBLISH):
        return principal.has_role(*MODERATORS)
    if move is Move.REVIEWED:
        return needs_review and principal.has_role(*MODERATORS)
    if move is Move.SEND_NOW:
        return kind == PostKind.EMERGENCY and principal.has_role(*EMERGENCY_WRITERS)
    return may_write(principal, kind)


def may_edit(principal: Principal, status: PostStatus | str, kind: PostKind | str) -> bool:
    """Whether ``principal`` may change the words or pictures of a post of ``kind`` in ``status`` (houses are
    checked separately, ``may_change``): the writers of its kind (``may_write``: a dispatcher writes emergencies
    only) until it is published; from then on a moderator, the one who may take it down."""
    out_yet = PostStatus(status) not in NOT_OUT_YET
    return may_write(principal, kind) and (not out_yet or principal.has_role(*MODERATORS))


def may_change(principal: Principal, reaches_elsewhere: bool) -> bool:
    """Whether ``principal`` may change a post, send it out, publish, return, unpublish or delete it:
    ``reaches_elsewhere``, its audience has a selection outside the staff member's houses (another house's, a
    complex's or the whole company's; ``AudienceNames.elsewhere``, ``queries.reaches_elsewhere``). Whatever is
    done to a post reaches everyone it is for, so a post that also reaches residents a staff member does not work
    with is theirs to read, not to change: it is changed only by staff who see all of its audience (those of every
    house, or of all of its houses). A copy of it for their own houses is theirs (``actions.duplicate``)."""
    return principal.house_ids is None or not reaches_elsewhere


def outside(scope: Collection[int] | None, house_of: Mapping[K, int]) -> list[K]:
    """The chosen selections (each with its house) that lie in none of a staff member's houses (``scope``; None:
    every house is theirs): what their form says they may not address, as the save would refuse it."""
    return [] if scope is None else [chosen for chosen, house in house_of.items() if house not in scope]


def needs_review_after(principal: Principal) -> bool:
    """An emergency sent at once by someone who is not a moderator is reviewed afterwards."""
    return not principal.has_role(*MODERATORS)


def default_channels(kind: PostKind | str) -> tuple[bool, bool, bool]:
    """(e-mail, SMS, push) offered by default: everything for an emergency, e-mail and push for a notice or an
    event, push for news."""
    if kind == PostKind.EMERGENCY:
        return True, True, True
    if kind in (PostKind.NOTICE, PostKind.EVENT):
        return True, False, True
    return False, False, True


# --- in force ---------------------------------------------------------------------------------------------------


SCHEDULED = "scheduled"  # published, its time not come: no resident sees it yet
ENDED = "ended"  # published, its time over: no resident sees it any more


def shown_status(status: str, publish_at: datetime | None, ends_at: datetime | None, now: datetime) -> str:
    """A post's state as staff read it: a published post residents do not see (yet, or any more) is not said to be
    «published» — it is scheduled, or its time has ended."""
    if status == PostStatus.PUBLISHED and publish_at is not None and publish_at > now:
        return SCHEDULED
    if status == PostStatus.PUBLISHED and ends_at is not None and ends_at <= now:
        return ENDED
    return status


def sends_on_approval(publish_at: datetime | None, channels: tuple[bool, ...], now: datetime) -> bool:
    """Whether approving a post sends messages at once (e-mail, SMS or push, ``channels``), which cannot be called
    back: its time has come (none set, or passed). A post only on the portal, or scheduled, can still be taken down
    before anyone is told."""
    return any(channels) and (publish_at is None or publish_at <= now)


def may_extend(principal: Principal, state: str) -> bool:
    """Whether ``principal`` is offered to give a post whose time has ended (``state``, ``shown_status``) a new end:
    a published post is changed by a moderator, the one who would have taken it down."""
    return state == ENDED and principal.has_role(*MODERATORS)


def is_live(status: str, publish_at: datetime | None, ends_at: datetime | None, now: datetime) -> bool:
    """Published, its time come, and not ended."""
    return (
        status == PostStatus.PUBLISHED
        and (publish_at is None or publish_at <= now)
        and (ends_at is None or ends_at > now)
    )


def window_problem(publish_at: datetime | None, ends_at: datetime | None, now: datetime) -> str | None:
    """Why a publish window is wrong ("ends_before_start", "ended"), or None."""
    start = publish_at or now
    if ends_at is not None and ends_at <= start:
        return "ends_before_start"
    if ends_at is not None and ends_at <= now:
        return "ended"
    return None


def search_text(title: str, body: str) -> str:
    from portal.core.search import normalise

    return normalise(f"{title} {body}")[:20000]


# --- a post's audience in words -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AudienceNames:
    """Who a post is for, by what staff know the selected records by (addresses, entrance numbers, floors, riser
    codes, account numbers), read from the post's stored selections (``queries.audience_names``). It keeps no
    words: ``said`` gives them in the reader's language when a page shows them."""

    company: bool = False
    complexes: tuple[str, ...] = ()
    houses: tuple[str, ...] = ()
    entrances: tuple[int, ...] = ()
    floors: tuple[tuple[int, int], ...] = ()
    risers: tuple[str, ...] = ()
    premises: tuple[tuple[str, str], ...] = ()  # (kind, number) of single premises, the first ACCOUNTS_NAMED + 1
    accounts: tuple[str, ...] = ()
    # The post also reaches places in houses the reader does not work with: said to be there, never named.
    elsewhere: bool = False

    def said(self, elsewhere: bool = True, name: Callable[[str], str] = str) -> str:
        """«ул. Киевская, 12; подъезд 2; этажи 3–5», "ул. Киевская, 12; entrance 2; floors 3–5"; without
        ``elsewhere``, not saying that it also reaches other houses (a page that says so in a sentence of its own).
        ``name`` is applied to the names kept as the company typed them (complexes, addresses, riser codes, the
        numbers of premises that have a letter)."""
        if self.company:
            return gettext("Whole company")
        places = [name(place) for place in (*self.complexes, *self.houses)]
        parts = [", ".join(places)] if places else []
        # One entrance, floor, riser or account is named in the singular («подъезд 2»), several in the plural.
        if self.entrances:
            numbers = ", ".join(str(n) for n in self.entrances)
            one = len(self.entrances) == 1
            parts.append(gettext("entrance %(n)s", n=numbers) if one else gettext("entrances %(n)s", n=numbers))
        for low, high in self.floors:
            parts.append(gettext("floor %(n)s", n=low) if low == high else gettext("floors %(a)s–%(b)s", a=low, b=high))
        if self.risers:
            codes = ", ".join(name(code) for code in self.risers)
            one = len(self.risers) == 1
            parts.append(gettext("riser %(code)s", code=codes) if one else gettext("risers %(codes)s", codes=codes))
        if self.premises:
            # A premise's number is kept as typed too; one with a letter («12А», «3Н») is a Russian word.
            numbers = ((kind, name(n) if any(c.isalpha() for c in n) else n) for kind, n in self.premises)
            named = ", ".join(premise_name(kind, number) for kind, number in list(numbers)[:ACCOUNTS_NAMED])
            parts.append(named + ("…" if len(self.premises) > ACCOUNTS_NAMED else ""))
        if self.accounts:
            numbers = ", ".join(self.accounts[:ACCOUNTS_NAMED]) + ("…" if len(self.accounts) > ACCOUNTS_NAMED else "")
            one = len(self.accounts) == 1
            parts.append(gettext("account %(n)s", n=numbers) if one else gettext("accounts %(n)s", n=numbers))
        if self.elsewhere and elsewhere:
            parts.append(gettext("places in houses you do not work with"))
        return "; ".join(parts)

    def said_html(self) -> Markup:
        """``said`` as HTML for a page: in another language than the company's, its addresses, complexes, riser
        codes and premise numbers (typed in Russian) marked as Russian (``names_marked``)."""
        return names_marked(lambda name: self.said(name=name))

    def kept_html(self) -> Markup:
        """What the edit form says of a stored audience it cannot show, its names marked as in ``said_html``."""
        return names_marked(
            lambda name: gettext(
                "Now for: %(names)s. This form cannot show that choice: leave the fields below empty to keep it, "
                "or choose a new audience.",
                names=self.said(elsewhere=False, name=name),
            )
        )


ACCOUNTS_NAMED = 5  # the accounts an audience names; more are «…»


def names_marked(say: Callable[[Callable[[str], str]], str]) -> Markup:
    """What ``say`` says, as HTML: escaped, and where the reader's language is another than the company's, each name
    it passes through its ``name`` argument (kept as the company typed it, in Russian) marked with the company's
    language (``lang``), whole, inside the sentence the reader's language makes."""
    if get_locale() == DEFAULT_LOCALE:
        return escape(say(str))
    names: list[str] = []

    def keep(text: str) -> str:
        names.append(text)
        return f"\x00{len(names) - 1}\x00"

    said = str(escape(say(keep)))
    for i, text in enumerate(names):
        said = said.replace(f"\x00{i}\x00", Markup('<span lang="%s">%s</span>') % (DEFAULT_LOCALE, text))
    return Markup(said)  # noqa: S704 (every part escaped above)


# --- an outage notice in words ------------------------------------------------------------------------------------

# What each kind of outage is called, in the reader's language: the dispatch service (tickets), which sits above
# content, names its kinds here when it is imported (``name_outage_services``).
_outage_services: dict[str, Callable[[str], str]] = {}


def name_outage_services(shown: Callable[[str], str]) -> None:
    _outage_services["shown"] = shown


def outage_service(code: str) -> str:
    shown = _outage_services.get("shown")
    return shown(code) if shown else code


@dataclass(frozen=True)
class OutageFacts:
    """What the notice of an outage tells, as the dispatch service recorded it (``queries.outage_facts``): the
    kind of service, where (the house, and the entrance or riser when narrower), from when, until when expected,
    and the dispatcher's own words. It keeps no words of the portal: ``title`` and ``text`` say them in the
    reader's language when a page or a message shows them; the dispatcher's words stay as typed."""

    service: str
    address: str
    starts_at: datetime
    ends_at: datetime | None = None
    entrance: int | None = None
    riser: str | None = None
    description: str = ""

    def place(self, name: Callable[[str], str] = str) -> str:
        """Where, in the reader's language; ``name`` is applied to the names kept as the company typed them (the
        house's address, the riser's code)."""
        return house_place(self.address, self.entrance, self.riser, name)

    def title(self, name: Callable[[str], str] = str) -> str:
        """«Холодная вода: ул. Ручьевая, д. 1, стояк ХВС-1», "Cold water: ул. Ручьевая, д. 1, riser ХВС-1"."""
        return gettext("%(service)s: %(place)s", service=outage_service(self.service), place=self.place(name))

    def title_html(self) -> Markup:
        """``title`` as HTML for a page or an e-mail: escaped, and where the reader's language is another than the
        company's, the address and the riser's code (typed in Russian) marked with it (``lang``), each a whole name
        in the sentence the reader's language makes — the title's words stay as they are."""
        return names_marked(self.title)

    def _times(self) -> list[str]:
        tz = get_settings().time_zone
        lines = [gettext("From %(start)s.", start=format_moment(self.starts_at, tz))]
        if self.ends_at:
            lines.append(gettext("Expected back by %(end)s.", end=format_moment(self.ends_at, tz)))
        return lines

    def text(self) -> str:
        """The notice's Markdown: the dispatcher's words, then from when and until when expected."""
        words = [self.description.strip()] if self.description.strip() else []
        return "\n\n".join(words + self._times())

    def html(self) -> str:
        """``text`` as safe HTML for a page or an e-mail: the dispatcher's words, typed in the company's first
        language, are marked with it (``lang``) where the reader's is another, so that an English page does not
        read Russian words as English."""
        times = render_markdown("\n\n".join(self._times()))
        if not self.description.strip():
            return times
        words = render_markdown(self.description.strip())
        if get_locale() != DEFAULT_LOCALE:
            words = f'<div lang="{DEFAULT_LOCALE}">{words}</div>'
        return words + times


# --- events («Мероприятие») ---------------------------------------------------------------------------------------

REMIND_BEFORE = timedelta(days=1)  # those going are reminded a day before the start …
REMIND_LATE = timedelta(hours=3)  # … or, for an event announced later than that, three hours before it
NOTICE_GAP = timedelta(hours=2)  # … if that is this long after the publication's notice at least


class EventState(StrEnum):
    """Where an event stands: answers are taken until it starts; it is past once it has ended."""

    UPCOMING = "upcoming"
    STARTED = "started"  # on now: no more answers
    PAST = "past"  # «Прошло»


def event_state(starts_at: datetime, ends_at: datetime, now: datetime) -> EventState:
    if ends_at <= now:
        return EventState.PAST
    return EventState.STARTED if starts_at <= now else EventState.UPCOMING


def places_left(capacity: int | None, going: int) -> int | None:
    """How many more may say «Пойду» (None: no limit)."""
    return None if capacity is None else max(0, capacity - going)


class AnswerRefusal(StrEnum):
    STARTED = "started"  # the event has started (or ended): the answers are closed
    FULL = "full"  # every place is taken


def answer_refusal(
    going: bool, *, starts_at: datetime, now: datetime, capacity: int | None, taken: int, mine: bool
) -> AnswerRefusal | None:
    """Why a person's «Пойду» (``going``) or «Не пойду» is refused, or None: nobody answers once the event has started;
    «Пойду» is refused when all ``capacity`` places are ``taken`` by others (``mine``: the person is one of those
    going already, and saying it again changes nothing)."""
    if starts_at <= now:
        return AnswerRefusal.STARTED
    if going and not mine and capacity is not None and taken >= capacity:
        return AnswerRefusal.FULL
    return None


def event_problem(
    starts_at: datetime | None, ends_at: datetime | None, capacity: int | None, now: datetime
) -> dict[str, str]:
    """What is wrong with an event's time and capacity as a staff member gave them, by field: "missing" (start or
    end not given), "ends_before_start", "past" (its start has gone), "capacity" (not a whole number above zero)."""
    problems: dict[str, str] = {}
    if starts_at is None:
        problems["event_starts_at"] = "missing"
    elif starts_at <= now:
        problems["event_starts_at"] = "past"
    if ends_at is None:
        problems["event_ends_at"] = "missing"
    elif starts_at is not None and ends_at <= starts_at:
        problems["event_ends_at"] = "ends_before_start"
    if capacity is not None and capacity < 1:
        problems["event_capacity"] = "capacity"
    return problems


def reminder_at(starts_at: datetime, published_at: datetime, now: datetime) -> datetime | None:
    """When those going are reminded of an event that starts at ``starts_at``, decided when it is published (its
    notice goes out at ``published_at``) or its start is moved (``now``): a day before the start; where that moment
    has passed (is not after the publication, nor after a move), three hours before the start if that is two hours
    after the publication at least (and not passed); otherwise never — the publication itself is the notice, and a
    reminder right after it would say the same twice."""
    decided = max(published_at, now)
    if (day_before := starts_at - REMIND_BEFORE) > decided:
        return day_before
    if (late := starts_at - REMIND_LATE) >= max(published_at + NOTICE_GAP, decided):
        return late
    return None


@dataclass(frozen=True)
class EventFacts:
    """What a calendar needs of an event: its post's id (the calendar's UID), title, text, time and place."""

    id: int
    title: str
    text: str
    starts_at: datetime
    ends_at: datetime
    place: str = ""
    link: str = ""  # the event's page, a full address


def event_uid(post_id: int, base_url: str) -> str:
    """The event's UID in a calendar: the same for every download, so that a calendar updates the event it has
    instead of adding it again."""
    host = urlsplit(base_url).hostname or "portal"
    return f"event-{post_id}@{host}"


def ics(event: EventFacts, *, zone: str, base_url: str, stamp: datetime, uid: str = "") -> bytes:
    """The event as an iCalendar file (RFC 5545) with one VEVENT: its time in the company's zone (``zone``, with its
    VTIMEZONE), its place, its page; ``stamp`` is when the file is made (DTSTAMP). ``uid``: another kind of
    record's own (a visit to the client centre), else the event's."""
    from zoneinfo import ZoneInfo

    from icalendar import Calendar
    from icalendar import Event

    tz = ZoneInfo(zone)
    calendar = Calendar()
    calendar.add("prodid", "-//portal//events//RU")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    item = Event()
    item.add("uid", uid or event_uid(event.id, base_url))
    item.add("dtstamp", stamp.astimezone(UTC))
    item.add("dtstart", event.starts_at.astimezone(tz))
    item.add("dtend", event.ends_at.astimezone(tz))
    item.add("summary", event.title)
    if event.text:
        item.add("description", event.text)
    if event.place:
        item.add("location", event.place)
    if event.link:
        item.add("url", event.link)
    calendar.add_component(item)
    calendar.add_missing_timezones()
    return calendar.to_ical()


# --- the print for the house's boards («для инфодоски») ---------------------------------------------------------
# Many residents (the elderly, tenants, those without the app) read the paper board in the entrance: a post that is
# out (or scheduled) is printed for it, a page for each entrance its audience lives in.


@dataclass(frozen=True)
class BoardEntrance:
    id: int
    number: int
    floors: int


@dataclass(frozen=True)
class BoardHouse:
    """A house as its boards are printed for: its address, complex and entrances."""

    id: int
    address: str
    complex: int
    entrances: tuple[BoardEntrance, ...] = ()


@dataclass(frozen=True)
class BoardReach:
    """Where a post's audience lives, as its stored selections say (``queries.board_reach``): the whole company,
    complexes, whole houses (also a house where a premise it names has no entrance on record), entrances (chosen, or
    those of the premises, risers and accounts it names) and floors (of a house or of one of its entrances)."""

    company: bool = False
    complexes: frozenset[int] = frozenset()
    houses: frozenset[int] = frozenset()
    entrances: frozenset[int] = frozenset()
    floors: tuple[FloorRange, ...] = ()


@dataclass(frozen=True)
class BoardPage:
    """One board's page: the house and the number of its entrance (None: a house with no entrance on record)."""

    house: int
    address: str
    entrance: int | None


def board_pages(reach: BoardReach, house: BoardHouse) -> list[BoardPage]:
    """The pages a post gives ``house``, one per entrance its audience lives in, by number: every entrance of a house
    reached whole (the company, its complex, the house); the chosen entrances; for floors, each entrance that has
    them (a post for floors 10–16 is not hung where the entrance has 9). A house with no entrance on record reached
    at all gets one page; a house the post does not reach, none."""
    whole = reach.company or house.complex in reach.complexes or house.id in reach.houses
    floors = [f for f in reach.floors if f.house == house.id]
    if not house.entrances:
        return [BoardPage(house.id, house.address, None)] if whole or floors else []

    def reached(e: BoardEntrance) -> bool:
        return (
            whole
            or e.id in reach.entrances
            or any((f.entrance is None or f.entrance == e.id) and f.floor_from <= max(e.floors, 1) for f in floors)
        )

    ordered = sorted(house.entrances, key=lambda e: e.number)
    return [BoardPage(house.id, house.address, e.number) for e in ordered if reached(e)]


def board_houses(reach: BoardReach, houses: Iterable[BoardHouse]) -> list[BoardHouse]:
    """Of ``houses`` (a staff member's, by address), those the post has a board page in: what they choose from."""
    return [h for h in houses if board_pages(reach, h)]


def board_refusal(status: str, publish_at: datetime | None, ends_at: datetime | None, now: datetime) -> str | None:
    """Why a post is not printed for the boards (None: it is): the board says what the portal says, so only a post
    that is out or scheduled to be — never a draft, one on review or returned, one taken down or whose time is over."""
    state = shown_status(status, publish_at, ends_at, now)
    if state in (PostStatus.PUBLISHED, SCHEDULED):
        return None
    if state == ENDED:
        return gettext("Its time has ended: residents no longer see it, so it is not printed for the boards.")
    if state == PostStatus.UNPUBLISHED:
        return gettext("It is taken down: residents no longer see it, so it is not printed for the boards.")
    return gettext(
        "It is not published yet: it is printed for the boards once it is published or scheduled, so that the "
        "paper says what the portal says."
    )


@dataclass(frozen=True)
class Block:
    """A paragraph of a post's text as paper shows it: plain words, a list item's ``marker`` («•», «2.») and
    nesting ``level``, or a heading."""

    text: str
    marker: str = ""
    level: int = 0
    heading: bool = False


def _inline_words(children: list[Any] | None) -> str:
    """A line's words without its markup: emphasis and code as their text, a link as its words and its address in
    brackets (the paper cannot be clicked), an HTML tag dropped."""
    words: list[str] = []
    href = ""
    start = 0
    for child in children or []:
        if child.type in ("text", "code_inline"):
            words.append(child.content)
        elif child.type == "softbreak":
            words.append(" ")
        elif child.type == "hardbreak":
            words.append("\n")
        elif child.type == "image":
            words.append(child.content)
        elif child.type == "link_open":
            href, start = str(child.attrGet("href") or ""), len(words)
        elif child.type == "link_close":
            shown = "".join(words[start:]).strip()
            if href and urlsplit(href).scheme in ("http", "https") and href.rstrip("/") != shown.rstrip("/"):
                words.append(f" ({href})")
            href = ""
    return "".join(words).strip()


def plain_blocks(text: str) -> list[Block]:
    """A post's Markdown as plain paragraphs, list items and headings for paper: no ``**``, ``#`` or ``-`` left;
    a table a line per row, its cells joined with «·»; raw HTML reduced to its words."""
    blocks: list[Block] = []
    lists: list[list[int]] = []  # per open list: [ordered (0/1), the next number]
    marker = ""
    heading = False
    row: list[str] | None = None
    for token in _markdown.parse(text or ""):
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            ordered = kind == "ordered_list_open"
            lists.append([int(ordered), int(token.attrGet("start") or 1) if ordered else 0])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open" and lists:
            ordered, number = lists[-1]
            marker = f"{number}." if ordered else "•"
            lists[-1][1] = number + 1
        elif kind == "heading_open":
            heading = True
        elif kind == "heading_close":
            heading = False
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close" and row is not None:
            if any(row):
                blocks.append(Block(" · ".join(c for c in row if c)))
            row = None
        elif kind == "inline":
            words = _inline_words(token.children)
            if row is not None:
                row.append(words)
            elif words:
                blocks.append(Block(words, marker=marker, level=max(len(lists) - 1, 0), heading=heading))
                marker = ""
        elif kind in ("fence", "code_block") and token.content.strip():
            blocks.append(Block(token.content.rstrip()))
        elif kind == "html_block":
            words = " ".join(html.unescape(nh3.clean(token.content, tags=set())).split())
            if words:
                blocks.append(Block(words))
    return blocks
