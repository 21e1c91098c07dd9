"""Routes of the shared machinery: home, language switch, health check."""

from __future__ import annotations

from litestar import Request
from litestar import Response
from litestar import get
from litestar import post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.response import Redirect
from litestar.response import Template

from portal.core import i18n
from portal.core.home import load_sections
from portal.core.security import Principal
from portal.core.security import public
from portal.core.security import safe_next
from portal.core.web import FormData
from portal.core.web import form_value
from portal.core.web import render


@get("/", name="home", opt=public(before_consent=False))
async def home(request: Request, principal: NamedDependency[Principal]) -> Template | Redirect:
    if principal.is_authenticated and principal.is_staff and not principal.is_resident:
        return Redirect(path="/staff", status_code=303)
    sections = await load_sections(principal) if principal.is_authenticated else []
    return render(request, "home.html", sections=sections)


@post("/lang", name="set_language", opt=public(), status_code=303)
async def set_language(request: Request, data: FormData) -> Response[None]:
    """Remember the chosen language in a cookie for a year and go back to the same page."""
    locale = form_value(data, "lang")
    if locale not in i18n.LOCALES:
        locale = i18n.DEFAULT_LOCALE
    target = safe_next(
        form_value(data, "next") or request.headers.get("referer", "").split(request.base_url.netloc, 1)[-1]
    )
    return Redirect(
        path=target,
        status_code=303,
        cookies=[Cookie(key=i18n.COOKIE, value=locale, max_age=365 * 24 * 3600, httponly=True, samesite="lax")],
    )


@get("/healthz", name="health", opt=public(), media_type="text/plain")
async def health() -> str:
    return "ok"


# Queries each page may run on an ordinary load (the principal read included), asserted on both engines by
# tests/billing/test_query_budgets.py: a change that adds a query to a page raises its number here, on purpose.
QUERY_BUDGETS: dict[str, int] = {
    "/": 15,  # + the news feed (content), + the NPS survey prompt (analytics: the houses' complexes, an open wave)
}
