"""Who may call what: principals, per-route access rules, the app-wide guard, security headers.

Every route handler declares its rule in ``opt`` (``opt=public()``, ``opt=resident()``,
``opt=staff("dispatcher")`` …). The app-wide guard refuses to serve a handler without a rule, and the
route × role test in ``tests/accounts`` walks every route with every role against one table.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.types import ASGIApp, Message, Receive, Scope, Send


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
    consent_required: bool = False
    locale: str | None = None

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


ANONYMOUS = Principal()


@dataclass(frozen=True)
class Access:
    kind: Literal["public", "guest", "user", "resident", "staff"]
    roles: frozenset[str] = frozenset()
    # Routes a signed-in user may use before accepting the current consent (sign-out, the consent page).
    before_consent: bool = False


def public(*, before_consent: bool = True) -> dict[str, Any]:
    """Anyone, signed in or not."""
    return {"access": Access("public", before_consent=before_consent)}


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
    if access.kind == "public":
        return True
    if access.kind == "guest":
        return True
    if not principal.is_authenticated:
        return False
    if principal.consent_required and not access.before_consent:
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
    """The caller of this request, loaded once per request."""
    state = connection.scope.setdefault("state", {})
    if "principal" not in state:
        state["principal"] = await _loader(connection)
    return state["principal"]


async def access_guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """The app-wide guard: every handler must declare a rule, and the caller must satisfy it."""
    access = handler.opt.get("access")
    if not isinstance(access, Access):
        raise PermissionDeniedException(detail=f"Route {handler.handler_name!r} declares no access rule")
    principal = await principal_of(connection)
    if is_allowed(access, principal):
        return
    if not principal.is_authenticated:
        raise NotAuthorizedException()
    if principal.consent_required and not access.before_consent:
        raise ConsentRequired()
    raise PermissionDeniedException()


def provide_principal(request: Any) -> Awaitable[Principal]:
    """Dependency: ``principal: Principal`` in a handler."""
    return principal_of(request)


CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self' http: https:",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)

SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"geolocation=(), microphone=(), camera=(self)"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeadersMiddleware:
    """Adds the strict CSP and the other security headers to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def safe_next(target: str | None, default: str = "/") -> str:
    """Follow only relative paths on this site after sign-in (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if any(ch in target for ch in "\r\n\t"):
        return default
    return target
