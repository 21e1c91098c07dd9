"""Who may call what: principals, per-route access rules, the app-wide guard, security headers.

Every route handler declares its rule in ``opt`` (``opt=public()``, ``opt=resident()``,
``opt=staff("dispatcher")`` …). The app-wide guard refuses to serve a handler without a rule, and the
route × role test in ``tests/accounts`` walks every route with every role against one table.
"""

from __future__ import annotations

from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from enum import StrEnum
from typing import Any
from typing import Literal

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.exceptions import PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.plugins.htmx import HTMXRequest
from litestar.types import Message
from litestar.types import Scope

from portal.core import i18n
from portal.core import outages


class StaffRole(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    DISPATCHER = "dispatcher"
    EXECUTOR = "executor"
    ACCOUNTANT = "accountant"
    MODERATOR = "moderator"
    OPERATOR = "operator"


class ResidentRole(StrEnum):
    OWNER = "owner"
    TENANT = "tenant"
    FAMILY = "family"


@dataclass(frozen=True)
class Principal:
    """The caller of a request, as the guards and the scoped queries see it."""

    user_id: int | None = None
    name: str = ""
    staff_roles: frozenset[str] = frozenset()
    # Houses a staff user works with; None means every house (admins).
    house_ids: frozenset[int] | None = frozenset()
    # Personal accounts the user is a resident of, with the rights granted on each.
    account_rights: dict[int, frozenset[str]] = field(default_factory=dict)
    # Of those, the accounts closed as of the day the principal was built (``housing.rules.account_open``): read-only,
    # and kept by their owners only (``housing.rules.account_kept``).
    closed_accounts: frozenset[int] = frozenset()
    consent_required: bool = False
    locale: str | None = None
    # When the earliest of the resident's residencies in force began (None for one with none): a newcomer is told
    # where the newcomer's memo is (``documents.rules.is_newcomer``).
    resident_since: datetime | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def is_staff(self) -> bool:
        return bool(self.staff_roles)

    @property
    def is_resident(self) -> bool:
        return bool(self.account_rights)

    @property
    def account_ids(self) -> frozenset[int]:
        return frozenset(self.account_rights)

    def has_role(self, *roles: str) -> bool:
        return StaffRole.ADMIN in self.staff_roles or bool(self.staff_roles.intersection(roles))

    def may_see_house(self, house_id: int | None) -> bool:
        if self.house_ids is None:
            return True
        return house_id is not None and house_id in self.house_ids

    def may_on_account(self, account_id: int, right: str = "view") -> bool:
        rights = self.account_rights.get(account_id)
        return rights is not None and right in rights

    def may_act_on(self, account_id: int, right: str) -> bool:
        """The right to do something new on the account (file a request, list the flat, turn autopay on): the right
        granted, on an account still open. A closed account is read-only: its history is seen and its debt is paid
        (``may_on_account``), nothing new is started on it."""
        return self.may_on_account(account_id, right) and account_id not in self.closed_accounts


ANONYMOUS = Principal()


@dataclass(frozen=True)
class Access:
    kind: Literal["public", "guest", "user", "resident", "staff"]
    roles: frozenset[str] = frozenset()
    # Routes a signed-in user may use before accepting the current consent (sign-out, the consent page).
    before_consent: bool = False
    # A page for anyone that shows a signed-in caller their own things (the home page).
    personal: bool = False
    # The same answer whoever asks (``same_for_all()``): the caller is never loaded for it.
    same_for_all: bool = False


# The handler options with which the session and the CSRF middleware let a route by (Litestar's own names).
SKIP_SESSION = "skip_session"
SKIP_CSRF = "exclude_from_csrf"


def same_for_all() -> dict[str, Any]:
    """Anyone, and the same answer whoever asks: the static files, the tab's icon. Served without the session
    (none read from the store, none written back), the caller (no statement) and a CSRF cookie: a browser asks for
    several such files with each page it opens, and each cost the session's read and the principal's statement."""
    return {"access": Access("public", before_consent=True, same_for_all=True), SKIP_SESSION: True, SKIP_CSRF: True}


def public(*, before_consent: bool = True, personal: bool = False) -> dict[str, Any]:
    """Anyone, signed in or not. A ``personal`` page shows a signed-in caller their own things: while the sessions
    are away it answers «try again» to a browser that has one, rather than show them a guest's page."""
    return {"access": Access("public", before_consent=before_consent, personal=personal)}


def guest() -> dict[str, Any]:
    """Pages for people not signed in (sign-in, registration); a signed-in user is sent home."""
    return {"access": Access("guest", before_consent=True)}


def signed_in(*, before_consent: bool = False) -> dict[str, Any]:
    """Any signed-in user, resident or staff."""
    return {"access": Access("user", before_consent=before_consent)}


def resident() -> dict[str, Any]:
    """A user with at least one personal account; the handler still scopes every id to that user."""
    return {"access": Access("resident")}


def staff(*roles: str | StaffRole) -> dict[str, Any]:
    """Staff with one of ``roles`` (admins always); no roles means any staff member."""
    return {"access": Access("staff", roles=frozenset(str(r) for r in roles))}


def is_allowed(access: Access, principal: Principal) -> bool:
    """The rule of a route applied to a caller (pure, so it is tested without a server)."""
    if principal.is_authenticated and principal.consent_required and not access.before_consent:
        return False  # a signed-in user accepts the current consent before anything else
    if access.kind in ("public", "guest"):
        return True
    if not principal.is_authenticated:
        return False
    if access.kind == "user":
        return True
    if access.kind == "resident":
        return principal.is_resident
    if access.kind == "staff":
        if not principal.is_staff:
            return False
        return not access.roles or principal.has_role(*access.roles)
    return False


class ConsentRequired(PermissionDeniedException):
    """A signed-in user must accept the current personal-data consent first."""


PrincipalLoader = Callable[[ASGIConnection], Awaitable[Principal]]


async def _anonymous_loader(connection: ASGIConnection) -> Principal:
    return ANONYMOUS


_loader: PrincipalLoader = _anonymous_loader


def set_principal_loader(loader: PrincipalLoader) -> None:
    """Identity installs the function that turns a session into a principal."""
    global _loader
    _loader = loader


async def principal_of(connection: ASGIConnection) -> Principal:
    """The caller of this request, loaded once per request; a signed-in caller's page speaks their saved language."""
    state = connection.scope.setdefault("state", {})
    if "principal" not in state:
        state["principal"] = principal = await _loader(connection)
        i18n.speak(state, principal.locale)
    return state["principal"]


async def access_guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """The app-wide guard: every handler must declare a rule, and the caller must satisfy it."""
    access = handler.opt.get("access")
    if not isinstance(access, Access):
        raise PermissionDeniedException(detail=f"Route {handler.handler_name!r} declares no access rule")
    if access.same_for_all:
        return  # anyone: who asks is never looked up
    principal = await principal_of(connection)
    if is_allowed(access, principal):
        return
    if not principal.is_authenticated:
        raise NotAuthorizedException()
    if principal.consent_required and not access.before_consent:
        raise ConsentRequired()
    raise PermissionDeniedException()


async def provide_principal(request: HTMXRequest) -> Principal:
    """The app-wide dependency: a handler declares ``principal: NamedDependency[Principal]`` and gets the caller."""
    return await principal_of(request)


def content_security_policy(form_action: Sequence[str] = ()) -> str:
    """The CSP. Forms post only to this site and to the ``form_action`` origins: the payment gateway's page, where
    the answer to a pay form redirects (browsers check a form's redirect against ``form-action`` too)."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data: blob:",
            "font-src 'self'",
            "connect-src 'self'",
            " ".join(["form-action 'self'", *form_action]),
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "object-src 'none'",
        ]
    )


def security_headers(form_action: Sequence[str] = ()) -> list[tuple[bytes, bytes]]:
    return [
        (b"content-security-policy", content_security_policy(form_action).encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
        (b"x-frame-options", b"DENY"),
        (b"permissions-policy", b"geolocation=(), microphone=(), camera=(self)"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]


CSP = content_security_policy()
SECURITY_HEADERS = security_headers()
# A photo opened on its own (a tab of its own, «open image in new tab») is shown by the browser in a page it builds
# itself, which centres the picture with inline styles: the page's policy blocked them and the console said so on
# every photo. A picture runs nothing, so its own policy allows those styles and nothing else.
IMAGE_CSP = b"default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


NO_STORE = (b"cache-control", b"no-store")


def security_headers_hook(form_action: Sequence[str] = ()) -> Callable[[Message, Scope], Awaitable[None]]:
    """The app's ``before_send`` hook: the strict CSP and the other security headers on every HTTP response. A hook
    rather than a middleware, because Litestar runs middleware only for an address that matches a route: the «page
    not found» of a mistyped address and the answer to a method a page does not take (a HEAD, a PUT) went out with
    no CSP, no ``frame-ancestors`` and no ``nosniff``. A page says ``no-store`` unless it sets its own cache policy
    (static assets, a public photo): a page of a signed-in user (balance, name, address) must not come back from
    the browser's cache after sign-out, when the next person at a shared computer presses Back."""
    own = security_headers(form_action)

    async def add_headers(message: Message, scope: Scope) -> None:
        if scope["type"] != "http" or message["type"] != "http.response.start":
            return
        headers = {name.lower(): value for name, value in message.get("headers", [])}
        present = set(headers)
        extra = [(k, v) for k, v in own if k not in present]
        if headers.get(b"content-type", b"").startswith(b"image/"):
            extra = [(k, IMAGE_CSP if k == b"content-security-policy" else v) for k, v in extra]
        if NO_STORE[0] not in present and not scope.get("path", "").startswith("/static/"):
            extra.append(NO_STORE)
        message["headers"] = [*message.get("headers", []), *extra]

    return add_headers


def safe_next(target: str | None, default: str = "/") -> str:
    """Follow only relative paths on this site after sign-in (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if any(ch in target for ch in "\r\n\t"):
        return default
    return target


# --- Sessions: rotation at sign-in, "remember me", idle and absolute timeouts -------------------------

SESSION_ROTATE = "_rotate"
SESSION_REMEMBER = "_remember"
SESSION_CREATED = "_created"
SESSION_WRITTEN = "_written"  # when the store last received this session (unix seconds)
# An unchanged session is written again only this often, to keep its idle timeout sliding.
SESSION_REFRESH_SECONDS = 300
# What the backend keeps about a session itself: a session holding nothing else (a signed-out browser once its
# «Вы вышли» has been shown) is ended, not kept until its idle timeout.
_SESSION_BOOKKEEPING = frozenset({SESSION_ROTATE, SESSION_REMEMBER, SESSION_CREATED, SESSION_WRITTEN})
_SESSION_LOADED = "portal.session_loaded"  # the stored bytes of this request's session, in the ASGI scope
_SESSION_AWAY = "portal.session_away"  # the session could not be read: Redis is away (core.outages)


IDLE_SECONDS = 12 * 3600  # a session nobody used for 12 hours ends
REMEMBER_SECONDS = 30 * 24 * 3600  # "remember me": 30 days
ABSOLUTE_SECONDS = 24 * 3600  # a session without "remember me" ends a day after sign-in whatever happens


def start_session(connection: ASGIConnection, data: dict[str, Any], *, remember: bool = False) -> None:
    """Sign-in or a privilege change: a fresh session under a new id; nothing of the old one is carried over
    except ``data``. The old id is deleted from the store when the response is sent."""
    import time

    connection.set_session(
        {**data, SESSION_ROTATE: True, SESSION_REMEMBER: remember, SESSION_CREATED: int(time.time())}
    )


def session_expired(session: dict[str, Any], now: float) -> bool:
    """The absolute timeout of a session (pure)."""
    created = session.get(SESSION_CREATED)
    if not isinstance(created, int):
        return False
    limit = REMEMBER_SECONDS if session.get(SESSION_REMEMBER) else ABSOLUTE_SECONDS
    return now - created > limit


def _needs_no_session(connection: ASGIConnection) -> bool:
    """Whether the page asked for shows everyone the same (``public()`` but not personal, ``guest()``)."""
    handler = connection.scope.get("route_handler")
    access = handler.opt.get("access") if handler is not None else None
    return isinstance(access, Access) and access.kind in ("public", "guest") and not access.personal


def _session_backend() -> Any:
    from litestar.datastructures import MutableScopeHeaders
    from litestar.middleware.session.server_side import ServerSideSessionBackend
    from litestar.middleware.session.server_side import ServerSideSessionConfig
    from litestar.types import Empty

    from portal.core import cookies

    class PortalSessionBackend(ServerSideSessionBackend):
        """Server-side sessions that rotate their id on request, know "remember me", store nothing for
        visitors who have no session data, and write a session back only when it changed (or, unchanged,
        every few minutes so that its idle timeout slides)."""

        async def load_from_connection(self, connection: ASGIConnection) -> dict[str, Any]:
            if session_id := connection.cookies.get(self.config.key):
                store = self.config.get_store_from_app(connection.scope["app"])
                try:
                    raw = await self.get(session_id, store=store)
                except Exception as exc:
                    if not (outages.redis_unreachable(exc) and _needs_no_session(connection)):
                        raise  # answered «try again» (app._error_page)
                    # A page anyone may open is served while the sessions are away, as to a guest; the session
                    # is left as it is (nothing written, the cookie kept) for when they are back.
                    outages.note(exc, connection.url.path)
                    connection.scope[_SESSION_AWAY] = True  # type: ignore[literal-required]
                    return {}
                if raw is not None:
                    connection.scope[_SESSION_LOADED] = raw  # type: ignore[literal-required]
                    return self.deserialize_data(raw)
            return {}

        def get_session_id(self, connection: ASGIConnection) -> str:
            """The cookie's id if it named a stored session; any other cookie (an ended session's, or one made up)
            is no session, and data for this browser is stored under a new id, never under the one it came with."""
            cookie_id = connection.cookies.get(self.config.key)
            if cookie_id and connection.scope.get(_SESSION_LOADED) is not None:  # type: ignore[call-overload]
                return cookie_id
            return connection.get_session_id() or self.generate_session_id()

        async def store_in_message(self, scope_session: Any, message: Message, connection: ASGIConnection) -> None:
            scope = connection.scope
            if scope.get(_SESSION_AWAY):  # type: ignore[call-overload]
                return
            store = self.config.get_store_from_app(scope["app"])
            headers = MutableScopeHeaders.from_message(message)
            session_id = self.get_session_id(connection)
            known = session_id == connection.cookies.get(self.config.key)
            data = dict(scope_session) if scope_session not in (None, Empty) else {}
            if scope_session is Empty or not data.keys() - _SESSION_BOOKKEEPING:
                # The session ends. A cookie that named none is left as it is: the page's CSRF token is bound to it.
                if known:
                    await self.delete(session_id, store=store)
                    headers.add("Set-Cookie", cookies.expired(self.config.key).to_header(header=""))
                return
            import time

            now = int(time.time())
            if data.pop(SESSION_ROTATE, False):
                if known:
                    await self.delete(session_id, store=store)
                session_id = self.generate_session_id()
            elif known:
                written = data.get(SESSION_WRITTEN)
                fresh = isinstance(written, int) and now - written < SESSION_REFRESH_SECONDS
                if fresh and self.serialize_data(data, scope) == scope[_SESSION_LOADED]:  # type: ignore[literal-required]
                    return  # unchanged: nothing to write, the cookie the browser holds stays valid
            data[SESSION_WRITTEN] = now
            remember = bool(data.get(SESSION_REMEMBER))
            lifetime = REMEMBER_SECONDS if remember else IDLE_SECONDS
            await store.set(session_id, self.serialize_data(data, scope), expires_in=lifetime)
            cookie = cookies.cookie(self.config.key, session_id, max_age=lifetime if remember else None)
            headers.add("Set-Cookie", cookie.to_header(header=""))

    class PortalSessionConfig(ServerSideSessionConfig):
        _backend_class = PortalSessionBackend

    return PortalSessionConfig


def session_config(*, store: str, key: str) -> Any:
    """The app's session middleware configuration (``ServerSideSessionConfig`` with the portal's backend): the
    sessions kept in ``store`` under the id in cookie ``key``. The backend says how long a session lives, and
    ``core.cookies`` makes its cookie."""
    return _session_backend()(store=store, key=key)


def client_ip(connection: ASGIConnection) -> str:
    client = connection.client
    return client.host if client else "unknown"
