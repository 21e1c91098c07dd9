"""Resident pages of content: the feed on the home page, the list of posts by kind, a post's page (an event's with
its answers and calendar file); the upcoming events on the home page; the pinned strip of emergency notices on
every page."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from litestar import Controller
from litestar import Request
from litestar import Response
from litestar import get
from litestar import post as post_handler  # the class has a handler named «post»
from litestar.di import NamedDependency
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from portal.content import actions
from portal.content import pinned
from portal.content import queries
from portal.content import rules
from portal.content.tables import PostKind
from portal.core import clock
from portal.core.exports import attachment
from portal.core.head import is_head
from portal.core.home import register_banner
from portal.core.home import register_section
from portal.core.i18n import gettext
from portal.core.i18n import lazy
from portal.core.i18n import own_words
from portal.core.i18n import pgettext
from portal.core.labels import Labels
from portal.core.pagination import PastTheEnd
from portal.core.parse import parse_int
from portal.core.security import Principal
from portal.core.security import resident
from portal.core.web import FormData
from portal.core.web import flash
from portal.core.web import form_value
from portal.core.web import is_fragment_request
from portal.core.web import no_such_choice
from portal.core.web import render
from portal.core.web import see_other
from portal.settings import get_settings

PAGE = 20


KIND_LABELS = Labels(
    {
        PostKind.NEWS: lazy("News"),
        PostKind.NOTICE: lazy("Notice"),
        PostKind.EMERGENCY: lazy("Emergency"),
        PostKind.EVENT: lazy("Event"),
    }
)
kind_label = KIND_LABELS.shown


async def _feed(principal: Principal, query: Mapping[str, Any]) -> dict[str, Any]:
    """One page of the feed. A kind that is none of the feed's is not applied, and the page says so; a page past
    the end of the posts goes to the last, as every paged list does (``core.pagination.PastTheEnd``)."""
    kind = form_value(query, "kind")
    unknown = no_such_choice(query, "kind") if kind and kind not in PostKind.__members__.values() else ""
    kind = "" if unknown else kind
    page = parse_int(form_value(query, "page") or "1", low=1, high=10_000) or 1
    items = await queries.feed(principal, kind=kind, limit=PAGE + 1, offset=(page - 1) * PAGE)
    if not items and page > 1:
        total = await queries.feed_total(principal, kind=kind)
        raise PastTheEnd(page, max(1, -(-total // PAGE)), total)
    return {
        "items": items[:PAGE],
        "has_next": len(items) > PAGE,
        "page": page,
        "kind": kind,
        "unknown_kind": unknown,
        "kinds": [(k.value, filter_label(k)) for k in PostKind],
        "kind_label": kind_label,
    }


def filter_label(kind: PostKind) -> str:
    """A chip of the feed's filter names a kind in the plural («Новости», «Объявления», «Аварийные»,
    «Мероприятия»); a post's badge names its own (``kind_label``: «Новость»)."""
    labels = {
        PostKind.NEWS: pgettext("filter", "News"),
        PostKind.NOTICE: pgettext("filter", "Notices"),
        PostKind.EMERGENCY: pgettext("filter", "Emergencies"),
        PostKind.EVENT: pgettext("filter", "Events"),
    }
    return labels[kind]


async def provide_post(principal: NamedDependency[Principal], post_id: FromPath[int]) -> queries.PostView:
    return await queries.post_for_resident(principal, post_id)


async def provide_event(principal: NamedDependency[Principal], post_id: FromPath[int]) -> queries.PostView:
    """The event of the path if the resident may see it (``provide_post``); 404 for a post of another kind."""
    post = await queries.post_for_resident(principal, post_id)
    if post.kind != PostKind.EVENT or post.event_starts_at is None or post.event_ends_at is None:
        raise NotFoundException()
    return post


@dataclass(frozen=True)
class EventPage:
    """What an event's page says of it to this resident: upcoming, on now or past («Прошло»), how many are going,
    their own answer (None: none yet), and the places left (None: no limit)."""

    state: rules.EventState
    going: int
    mine: bool | None
    left: int | None

    @property
    def full(self) -> bool:
        """No place left for this resident («Пойду» refused), though they may still say «Не пойду»."""
        return self.left == 0 and self.mine is not True


async def event_page(principal: Principal, post: queries.PostView) -> EventPage | None:
    """The event part of a post's page (None for another kind)."""
    if post.kind != PostKind.EVENT or post.event_starts_at is None or post.event_ends_at is None:
        return None
    going = await queries.going_count(post.id)
    state = rules.event_state(post.event_starts_at, post.event_ends_at, clock.now())
    mine = await queries.my_answer(post.id, principal.user_id)
    return EventPage(state, going, mine, rules.places_left(post.event_capacity, going))


def calendar_file(post: queries.PostView) -> bytes:
    """The event as an .ics file, in the reader's words (the English twin where staff wrote it)."""
    settings = get_settings()
    facts = rules.EventFacts(
        id=post.id, title=own_words(post, "title"), text=rules.plain_text(own_words(post, "body"), 2000),
        starts_at=post.event_starts_at, ends_at=post.event_ends_at, place=post.event_place,  # type: ignore[arg-type]
        link=f"{settings.base_url}/news/{post.id}",
    )  # fmt: skip
    return rules.ics(facts, zone=settings.time_zone, base_url=settings.base_url, stamp=clock.now())


Event = NamedDependency[queries.PostView]


class ResidentNews(Controller):
    path = "/news"
    opt = resident()

    @get("/", name="content:feed")
    async def index(self, request: Request, principal: NamedDependency[Principal]) -> Template:
        return render(request, "content/feed.html", **await _feed(principal, request.query_params))

    @get("/{post_id:int}", name="content:post", dependencies={"post": Provide(provide_post)})
    async def post(
        self, request: Request, principal: NamedDependency[Principal], post: NamedDependency[queries.PostView]
    ) -> Template:
        if principal.user_id is not None and not is_head(request):
            await actions.mark_read(principal.user_id, post.id)
        event = await event_page(principal, post)
        return render(request, "content/post.html", post=post, kind_label=kind_label, event=event)

    @post_handler(
        "/{post_id:int}/answer", name="content:answer", status_code=200, dependencies={"post": Provide(provide_event)}
    )
    async def answer(self, request: Request, principal: NamedDependency[Principal], post: Event, data: FormData) -> Any:
        """«Пойду» / «Не пойду»: a plain form's post back to the page, or with HTMX the answer's part of the page."""
        await actions.answer(principal, post.id, data.get("going") == "1")
        if is_fragment_request(request):
            event = await event_page(principal, post)
            return render(request, "content/post.html", block="rsvp", post=post, event=event, saved=True)
        flash(request, gettext("Your answer is saved."))
        return see_other(request, f"/news/{post.id}#rsvp")

    @get("/{post_id:int}/event.ics", name="content:ics", dependencies={"post": Provide(provide_event)})
    async def ics(self, post: Event) -> Response[bytes]:
        return attachment(calendar_file(post), "text/calendar; charset=utf-8", f"event-{post.id}.ics")

    @get("/images/{image_id:int}", name="content:image")
    async def image(self, principal: NamedDependency[Principal], image_id: FromPath[int]) -> object:
        from portal.core.storage import response_for

        key = await queries.image_for_resident(principal, image_id)
        return response_for(key, "image/jpeg", "picture.jpg")


async def _home_section(principal: Principal) -> dict | None:
    """«Новости и объявления»: the latest five posts but events, which «Ближайшие мероприятия» lists (the feed
    keeps them, under its filter «Мероприятия»)."""
    items = await queries.feed(principal, without=PostKind.EVENT, limit=5)
    if not items:
        return None
    return {"items": items, "unread": sum(i.unread for i in items), "kind_label": kind_label}


async def _events_section(principal: Principal) -> dict | None:
    """«Ближайшие мероприятия»: at most three events not yet over, the next first."""
    items = await queries.upcoming_events(principal, limit=3)
    return {"items": items} if items else None


register_section("events", 35, "content/_home_events.html", _events_section)
register_section("news", 40, "content/_home.html", _home_section)
register_banner("emergencies", 10, "content/_pinned.html", pinned.banner)

# Queries each page may run on an ordinary load (the principal read included), asserted on both engines by
# tests/billing/test_query_budgets.py: a change that adds a query to a page raises its number here, on purpose.
QUERY_BUDGETS: dict[str, int] = {
    "/news": 3,  # + the unread count at «Ещё» (the navigation)
    # the session, the post, whether it reaches the reader, its images, its reading recorded, the unread count at «Ещё»
    "/news/{post_id:int}": 6,
}
