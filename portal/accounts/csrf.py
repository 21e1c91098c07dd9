"""CSRF tokens bound to the session: the double-submit cookie of Litestar's CSRF middleware, with its signature
taken over the session id as well as the random part.

A token is valid only for the session it was made for, so a token planted in the browser from elsewhere (a
sibling subdomain, a plain-HTTP response) is worthless without the victim's session id, which is an HttpOnly
cookie. A visitor without a session gets a token bound to "no session". When a response starts a new session
(sign-in, a privilege change) or ends one, it also carries a new token for it; a page whose token belongs to an
older session gets a new token with its next page load. Over HTTPS the cookie is ``__Host-csrftoken``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from http.cookies import SimpleCookie
from typing import Any

from litestar.config.csrf import CSRFConfig
from litestar.connection import Request
from litestar.datastructures import MutableScopeHeaders
from litestar.exceptions import PermissionDeniedException
from litestar.middleware._utils import build_exclude_path_pattern
from litestar.middleware._utils import should_bypass_middleware
from litestar.types import ASGIApp
from litestar.types import Message
from litestar.types import Receive
from litestar.types import Scope
from litestar.types import Send
from litestar.utils.scope.state import ScopeState

from portal.core import cookies

RANDOM_BYTES = 32


def token_for(secret: str, session_id: str) -> str:
    """A new token for ``session_id`` ("" for a visitor without a session)."""
    random_part = secrets.token_hex(RANDOM_BYTES)
    return random_part + _signature(secret, random_part, session_id)


def token_valid(secret: str, token: str | None, session_id: str) -> bool:
    if not token or len(token) != RANDOM_BYTES * 4:
        return False
    random_part, signature = token[: RANDOM_BYTES * 2], token[RANDOM_BYTES * 2 :]
    return hmac.compare_digest(signature, _signature(secret, random_part, session_id))


def _signature(secret: str, random_part: str, session_id: str) -> str:
    message = f"csrf:{random_part}:{session_id}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
ONE_CLICK_PATH = re.compile(r"/unsubscribe/[^/]+")


async def one_click_unsubscribe(request: Request[Any, Any, Any]) -> bool:
    """The mail provider's one-click unsubscribe (RFC 8058): a POST to an e-mail's unsubscribe address whose whole
    form is ``List-Unsubscribe=One-Click``, sent without cookies, so without a CSRF token. The only request let
    through unchecked; the page's own button (and its undo) posts the token as every form does."""
    if request.method != "POST" or not ONE_CLICK_PATH.fullmatch(request.url.path):
        return False
    if request.content_type[0] not in FORMS:
        return False
    return list((await request.form()).multi_items()) == [("List-Unsubscribe", "One-Click")]


class SessionBoundCSRFMiddleware:
    """Refuses an unsafe request unless its token (form field ``_csrf_token`` or the header) equals the cookie
    and both belong to the request's session. Put it outside the session middleware, so that it sees the session
    cookie a response sets."""

    def __init__(self, app: ASGIApp, config: CSRFConfig, session_cookie: str = "session") -> None:
        self.app = app
        self.config = config
        self.session_cookie = session_cookie
        self.exclude = build_exclude_path_pattern(exclude=config.exclude, middleware_cls=type(self))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or should_bypass_middleware(
            scope=scope,
            scopes={"http"},  # type: ignore[arg-type]
            exclude_opt_key=self.config.exclude_from_csrf_key,
            exclude_path_pattern=self.exclude,
        ):
            await self.app(scope, receive, send)
            return
        request: Request[Any, Any, Any] = Request(scope=scope, receive=receive)
        session_id = request.cookies.get(self.session_cookie, "")
        cookie = request.cookies.get(self.config.cookie_name)
        valid_cookie = cookie if token_valid(self.config.secret, cookie, session_id) else None
        if request.method not in self.config.safe_methods and not await one_click_unsubscribe(request):
            submitted = request.headers.get(self.config.header_name)
            if not submitted and request.content_type[0] in FORMS:
                submitted = (await request.form()).get("_csrf_token")
            if not (valid_cookie and isinstance(submitted, str) and hmac.compare_digest(submitted, valid_cookie)):
                raise PermissionDeniedException("CSRF token verification failed")
        token = valid_cookie or token_for(self.config.secret, session_id)
        ScopeState.from_scope(scope).csrf_token = token
        send_with_cookie = self._send_with_cookie(send, token, session_id, fresh=valid_cookie is None)
        await self.app(scope, receive, send_with_cookie)

    def _send_with_cookie(self, send: Send, token: str, session_id: str, *, fresh: bool) -> Send:
        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                new_session = self._session_set_by(headers.getall("set-cookie", []))
                if new_session is not None and new_session != session_id:
                    self._set_cookie(headers, token_for(self.config.secret, new_session))
                elif fresh:
                    self._set_cookie(headers, token)
            await send(message)

        return send_wrapper

    def _session_set_by(self, set_cookies: list[str]) -> str | None:
        """The session id a response sets ("" when it ends the session), or None when it leaves it alone."""
        for header in set_cookies:
            parsed: SimpleCookie = SimpleCookie()
            parsed.load(header)
            if self.session_cookie in parsed:
                return parsed[self.session_cookie].value
        return None

    def _set_cookie(self, headers: MutableScopeHeaders, token: str) -> None:
        cookie = cookies.cookie(self.config.cookie_name, token, max_age=None)
        headers.add("set-cookie", cookie.to_header(header=""))


def csrf_config(secret: str, *, exclude: list[str]) -> CSRFConfig:
    """The portal's CSRF settings: ``__Host-csrftoken`` over HTTPS (no subdomain can set it), else ``csrftoken``.
    The cookie itself is made by ``core.cookies``, like every other."""
    return CSRFConfig(
        secret=secret,
        cookie_name="__Host-csrftoken" if cookies.flags()["secure"] else "csrftoken",
        exclude=exclude,
    )
