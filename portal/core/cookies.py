"""Every cookie the portal writes, with the same attributes: Secure when the site is served over HTTPS (``BASE_URL``
starts with ``https://``), HttpOnly (no script of the portal reads a cookie: the CSRF token reaches htmx and push.js
through the page), SameSite=Lax, for the whole site.

A route, and the session and CSRF middlewares, set or delete their cookies with ``cookie`` and ``expired`` — never
with ``Cookie(...)`` or ``Response.delete_cookie``, which leave Secure off (a middleware adds the cookie's
``to_header(header="")`` to the answer it passes on)."""

from __future__ import annotations

from typing import Any

from litestar.datastructures import Cookie

from portal.settings import get_settings

YEAR = 365 * 24 * 3600


def flags() -> dict[str, Any]:
    """The attributes of every cookie of the portal, for the settings in force."""
    return {"secure": get_settings().secure_cookies, "httponly": True, "samesite": "lax", "path": "/"}


def cookie(key: str, value: str, *, max_age: int | None = YEAR) -> Cookie:
    """A cookie the browser keeps for ``max_age`` seconds (a year unless told; None: until the browser closes)."""
    return Cookie(key=key, value=value, max_age=max_age, **flags())


def expired(key: str) -> Cookie:
    """The answer's cookie that deletes ``key`` in the browser, with the attributes it was set with."""
    return Cookie(key=key, value="", max_age=0, expires=0, **flags())
