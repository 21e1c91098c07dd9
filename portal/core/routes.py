"""Routes of the shared machinery: home, the company's contacts, health check (the language switch is the accounts
domain's: a signed-in user's choice is kept with them)."""

from __future__ import annotations

from litestar import Request
from litestar import get
from litestar.di import NamedDependency
from litestar.response import File
from litestar.response import Redirect
from litestar.response import Template

from portal.core.home import load_sections
from portal.core.security import Principal
from portal.core.security import public
from portal.core.security import same_for_all
from portal.core.web import render
from portal.core.web import request_reads
from portal.settings import ROOT


@get("/", name="home", opt=public(before_consent=False, personal=True))
async def home(request: Request, principal: NamedDependency[Principal]) -> Template | Redirect:
    if principal.is_authenticated and principal.is_staff and not principal.is_resident:
        return Redirect(path="/staff", status_code=303)
    sections = await load_sections(principal, request_reads(request)) if principal.is_authenticated else []
    return render(request, "home.html", sections=sections)


@get("/contacts", name="contacts", opt=public())
async def contacts(request: Request) -> Template:
    """The company's contacts from the settings, for anyone: the dispatch service first, then the office."""
    return render(request, "contacts.html")


@get("/healthz", name="health", opt=public(), media_type="text/plain")
async def health() -> str:
    return "ok"


@get("/favicon.ico", name="favicon", opt=same_for_all(), include_in_schema=False)
async def favicon() -> File:
    """The tab's icon where a browser asks for it by its old address (a page's own link gives the SVG): the same
    house in the brand colour, 16, 32 and 48 px."""
    return File(
        ROOT / "static" / "img" / "favicon.ico",
        media_type="image/x-icon",
        content_disposition_type="inline",
        headers={"Cache-Control": "public, max-age=86400"},
    )


# Queries each page may run on an ordinary load (the principal read included), asserted on both engines by
# tests/billing/test_query_budgets.py: a change that adds a query to a page raises its number here, on purpose.
QUERY_BUDGETS: dict[str, int] = {
    # + the upcoming events and the news feed (content), + the NPS survey prompt (analytics: the houses' complexes,
    # an open wave), + the count of unread in-app messages (notifications); the person's accounts read once for the
    # balances, the accounts and the houses of the survey and the meetings (accounts.queries.accounts_of_user),
    # in a resident's first 30 days their house's newcomer's memos too, from the list each process keeps for a minute
    # (documents.memos: no statement on the page; the principal tells who is new), + the mystery resident's
    # invitations and checks (mystery: one indexed read by the user)
    "/": 12,
}
