"""Resident pages of content: the feed on the home page, the list of posts by kind, a post's page; the pinned
strip of emergency notices on every page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Controller
from litestar import Request
from litestar import get
from litestar.di import NamedDependency
from litestar.di import Provide
from litestar.params import FromPath
from litestar.response import Template

from portal.content import actions
from portal.content import pinned
from portal.content import queries
from portal.content.tables import PostKind
from portal.core.head import is_head
from portal.core.home import register_banner
from portal.core.home import register_section
from portal.core.i18n import lazy
from portal.core.i18n import pgettext
from portal.core.labels import Labels
from portal.core.pagination import PastTheEnd
from portal.core.parse import parse_int
from portal.core.security import Principal
from portal.core.security import resident
from portal.core.web import form_value
from portal.core.web import no_such_choice
from portal.core.web import render

PAGE = 20


KIND_LABELS = Labels(
    {
        PostKind.NEWS: lazy("News"),
        PostKind.NOTICE: lazy("Notice"),
        PostKind.EMERGENCY: lazy("Emergency"),
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
    """A chip of the feed's filter names a kind in the plural («Новости», «Объявления», «Аварийные»); a post's
    badge names its own (``kind_label``: «Новость»)."""
    labels = {
        PostKind.NEWS: pgettext("filter", "News"),
        PostKind.NOTICE: pgettext("filter", "Notices"),
        PostKind.EMERGENCY: pgettext("filter", "Emergencies"),
    }
    return labels[kind]


async def provide_post(principal: NamedDependency[Principal], post_id: FromPath[int]) -> queries.PostView:
    return await queries.post_for_resident(principal, post_id)


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
        return render(request, "content/post.html", post=post, kind_label=kind_label)

    @get("/images/{image_id:int}", name="content:image")
    async def image(self, principal: NamedDependency[Principal], image_id: FromPath[int]) -> object:
        from portal.core.storage import response_for

        key = await queries.image_for_resident(principal, image_id)
        return response_for(key, "image/jpeg", "picture.jpg")


async def _home_section(principal: Principal) -> dict | None:
    items = await queries.feed(principal, limit=5)
    if not items:
        return None
    return {"items": items, "unread": sum(i.unread for i in items), "kind_label": kind_label}


register_section("news", 40, "content/_home.html", _home_section)
register_banner("emergencies", 10, "content/_pinned.html", pinned.banner)

# Queries each page may run on an ordinary load (the principal read included), asserted on both engines by
# tests/billing/test_query_budgets.py: a change that adds a query to a page raises its number here, on purpose.
QUERY_BUDGETS: dict[str, int] = {
    "/news": 3,  # + the unread count at «Ещё» (the navigation)
}
