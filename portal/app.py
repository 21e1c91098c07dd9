"""create_app(settings) -> Litestar; nothing else lives here."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any
from urllib.parse import quote
from urllib.parse import urlsplit

from litestar import Controller
from litestar import Litestar
from litestar import Request
from litestar import Response
from litestar import Router
from litestar.di import Provide
from litestar.exceptions import ClientException
from litestar.exceptions import HTTPException
from litestar.exceptions import NotAuthorizedException
from litestar.exceptions import NotFoundException
from litestar.exceptions import PermissionDeniedException
from litestar.handlers import HTTPRouteHandler
from litestar.logging import LoggingConfig
from litestar.middleware import DefineMiddleware
from litestar.plugins.htmx import HTMXPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect
from litestar.response import Template
from litestar.static_files import create_static_files_router
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.status_codes import HTTP_503_SERVICE_UNAVAILABLE
from litestar.stores.base import Store
from litestar.stores.file import FileStore
from litestar.template.config import TemplateConfig

from portal.core import db
from portal.core import i18n
from portal.core import outages
from portal.core import storage
from portal.core.assets import cache_by_version
from portal.core.compression import compression_config
from portal.core.head import Portal
from portal.core.home import load_banners
from portal.core.home import load_nav_counts
from portal.core.i18n import LocaleMiddleware
from portal.core.i18n import gettext
from portal.core.pagination import PastTheEnd
from portal.core.pagination import provide_paging
from portal.core.parse import MAX_ID
from portal.core.security import Access
from portal.core.security import ConsentRequired
from portal.core.security import access_guard
from portal.core.security import principal_of
from portal.core.security import provide_principal
from portal.core.security import safe_next
from portal.core.security import same_for_all
from portal.core.security import security_headers_hook
from portal.core.security import session_config as portal_session_config
from portal.core.security import set_principal_loader
from portal.core.web import PageTemplate
from portal.core.web import Refused
from portal.core.web import configure_jinja
from portal.core.web import is_fragment_request
from portal.core.web import refused_back
from portal.core.web import to_last_page
from portal.payments import gateway
from portal.settings import ROOT
from portal.settings import Settings
from portal.settings import get_settings
from portal.settings import use_settings

WEBHOOK_PATHS = ["/payments/webhook"]
PORTAL = Path(__file__).resolve().parent


def route_modules() -> list[str]:
    """Every ``portal/<domain>/routes*.py``: a new domain is served once its folder has a routes module."""
    return sorted(
        f"portal.{path.parent.name}.{path.stem}"
        for path in PORTAL.glob("*/routes*.py")
        if path.parent.name not in ("sandbox_gateway", "sandbox_sms")
    )


def collect_routes() -> list[Any]:
    """The controllers (and routers) defined in the domains' routes modules; nothing is listed by hand."""
    found: list[Any] = []
    for name in route_modules():
        module = importlib.import_module(name)
        found.extend(value for value in vars(module).values() if _is_route_of(value, name))
    return found


def _is_route_of(value: Any, module: str) -> bool:
    """A controller class, a router or a plain route handler defined in ``module`` (not merely imported there)."""
    if isinstance(value, type):
        return issubclass(value, Controller) and value is not Controller and value.__module__ == module
    if isinstance(value, Router):
        return True
    return isinstance(value, HTTPRouteHandler) and getattr(value.fn, "__module__", None) == module


def _session_store(settings: Settings) -> Store:
    if settings.redis_url:
        from litestar.stores.redis import RedisStore

        client = outages.redis_client(settings.redis_url)
        return RedisStore(client, namespace="portal-sessions", handle_client_shutdown=True)
    folder = Path(settings.var_dir) / "sessions"
    folder.mkdir(parents=True, exist_ok=True)
    return FileStore(path=folder, create_directories=True)


def _error_page(request: Request, exc: Exception) -> Response[Any]:
    if isinstance(exc, ConsentRequired):
        return Redirect(path="/consent?next=" + request.url.path, status_code=303)
    if isinstance(exc, NotAuthorizedException) and request.method == "GET":
        return Redirect(path="/login?next=" + request.url.path, status_code=303)
    outage = outages.is_outage(exc)
    status = HTTP_503_SERVICE_UNAVAILABLE if outage else _status_of(exc)
    # An address that matches no page never passed the app's middleware, which reads the reader's language; a form
    # refused for its token passed it, but the middleware gave its language back as the refusal went out through it.
    # Either way the page is written here, after it: in the language read then, or read now.
    read = request.scope.get("state", {}).get("locale")
    i18n.set_locale(read or i18n.pick_locale(request.cookies.get(i18n.COOKIE), request.headers.get("accept-language")))
    principal = request.scope.get("state", {}).get("principal")
    # A form sent after its session ended (or with the token of an older one) is not lost: the page says so, and
    # leads back to the form (through the sign-in where the session is gone), where static/js/drafts.js puts back
    # the text typed into it.
    unsent = _stale_form(exc) or isinstance(exc, NotAuthorizedException) or (outage and request.method == "POST")
    signed_in = bool(principal and principal.is_authenticated)
    message = _message(status, outage=outage, unsent=unsent, signed_in=signed_in)
    if outage:
        outages.note(exc, request.url.path)
    elif status >= 500:
        request.logger.exception("unhandled error on %s", request.url.path)
    headers = {"Retry-After": str(outages.RETRY_AFTER_SECONDS)} if outage else {}
    if request.url.path.startswith("/v1/") or request.headers.get("accept", "").startswith("application/json"):
        return Response({"error": message}, status_code=status, headers=headers)
    back = _form_page(request) if unsent else ""
    # A form that swaps a part of its page (a row's action, a photo's arrows, a listing's enquiry) showed nothing
    # when refused: its error page takes the whole page instead, as a boosted form's does (static/js/portal.js).
    whole = request.method != "GET" and request.headers.get("hx-request") and not request.headers.get("hx-boosted")
    return Template(
        template_name="error.html",
        context={
            "status": status,
            "message": message,
            "principal": principal,
            # Sent while a part was away, a form is sent again from its page; after its session ended, through the
            # sign-in.
            "back": back if signed_in or outage or not unsent else "/login?next=" + quote(back, safe="/"),
            "to_form": signed_in or outage,
            "error_page": True,  # the menus mark no item as the page the reader is on
        },
        status_code=status,
        headers={**headers, "HX-Retarget": "body", "HX-Reswap": "innerHTML", "HX-Reselect": ".layout"}
        if whole
        else headers,
    )


def _message(status: int, *, outage: bool, unsent: bool, signed_in: bool) -> str:
    """What the error page says."""
    if outage and unsent:
        return gettext("The form was not sent: the service is busy for a moment. Send it again in a minute.")
    if outage:
        return gettext("The service is busy for a moment. Please try again in a minute.")
    if unsent and signed_in:
        return gettext("The form has expired and was not sent. Open it again and send it once more.")
    if unsent:
        return gettext("Your session has ended and the form was not sent. Please sign in again.")
    return {
        401: gettext("Please sign in to open this page."),
        403: gettext("You do not have access to this page."),
        400: gettext("The request could not be read. Check what you typed and try again."),
        404: gettext("Page not found. Check the address or go to the home page."),
        405: gettext("This action is not available here."),
        413: gettext("The file is too large."),
        429: gettext("Too many attempts. Please wait a few minutes and try again."),
    }.get(status, gettext("Something went wrong on our side. Please try again in a minute."))


def _status_of(exc: Exception) -> int:
    return exc.status_code if isinstance(exc, HTTPException) else HTTP_500_INTERNAL_SERVER_ERROR


def _form_page(request: Request) -> str:
    """The page a refused form was sent from (htmx names it; the browser's Referer otherwise), on this site only."""
    sent_from = request.headers.get("hx-current-url") or request.headers.get("referer") or ""
    parts = urlsplit(sent_from)
    if parts.netloc and parts.netloc != request.headers.get("host"):
        return "/"
    return safe_next(parts.path + ("?" + parts.query if parts.query else ""))


def _stale_form(exc: Exception) -> bool:
    """A form refused for its CSRF token (outdated, or of another session): «Форма устарела»."""
    return isinstance(exc, PermissionDeniedException) and "csrf" in str(exc.detail).lower()


def _caller_of_unrouted(session_config: Any) -> Any:
    """An ``after_exception`` hook: an address that matches no page, and a form refused for its CSRF token (checked
    outside the session middleware), passed neither the session middleware nor ``_before_request``, so the error
    page would show a signed-in resident as a guest («Войти», no menu). The hook (async, unlike an exception
    handler) reads the session and loads the caller for it; it never stores anything."""
    backend = session_config.middleware.kwargs["backend"]

    async def load(exc: Exception, scope: Any) -> None:
        state = scope.setdefault("state", {})
        unloaded = isinstance(exc, NotFoundException) or _stale_form(exc)
        if scope.get("type") != "http" or "principal" in state or not unloaded:
            return
        request: Request = Request(scope)
        try:
            if "session" not in scope:
                scope["session"] = await backend.load_from_connection(request)
            await principal_of(request)
        except Exception as exc:  # the error page is answered all the same, as to a guest
            if not outages.is_outage(exc):
                request.logger.exception("the caller of an error page was not loaded")
            state.pop("principal", None)

    return load


async def _before_request(request: Request) -> None:
    """Ids in a path beyond what the database holds are simply not found; then the caller is loaded once."""
    for value in request.path_params.values():
        if isinstance(value, int) and not 0 < value <= MAX_ID:
            raise NotFoundException()
    await _refuse_nul(request)
    access = request.route_handler.opt.get("access")
    if isinstance(access, Access) and access.same_for_all:
        return  # a static file: no caller, no banners
    principal = await principal_of(request)
    # A form refused with its errors (a POST answered 422) is a whole page too: the banners stay above it.
    if request.method in ("GET", "POST") and principal.is_authenticated and not is_fragment_request(request):
        request.scope["state"]["banners"] = await load_banners(principal)
    if request.method == "POST" and request.headers.get("content-type", "").startswith("multipart/form-data"):
        await storage.limit_uploads(request, principal.user_id)


async def _after_request(response: Response[Any]) -> Response[Any]:
    """A full page with the resident's navigation gets its counts (``core.home.register_nav_count``): read once,
    here, only for a page that shows them — never for a fragment, a file or a redirect —, and not again where the
    page's handler read them already (the home page's sections share the request's reads)."""
    if isinstance(response, PageTemplate) and response.nav_for is not None:
        response.context.setdefault("nav", await load_nav_counts(*response.nav_for))
    return response


async def _refuse_nul(request: Request) -> None:
    """A NUL character in a query or a form is never something a person typed, and PostgreSQL cannot store it in
    text: such a request is refused as malformed (400) before any handler reads it."""
    if b"%00" in request.scope.get("query_string", b""):
        raise ClientException(detail="NUL in the query")
    if request.method == "POST" and request.headers.get("content-type", "").startswith(
        "application/x-www-form-urlencoded"
    ):
        body = await request.body()
        if b"%00" in body or b"\x00" in body:
            raise ClientException(detail="NUL in the form")


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    gateway.check_settings(settings)
    use_settings(settings)
    from portal.accounts import csrf as portal_csrf
    from portal.accounts.principal import load_principal

    set_principal_loader(load_principal)

    static = create_static_files_router(
        path="/static",
        directories=[ROOT / "static"],
        opt=same_for_all(),
        include_in_schema=False,
        middleware=[cache_by_version],
    )
    session_config = portal_session_config(store="sessions", key="session")
    csrf = portal_csrf.csrf_config(settings.secret_key, exclude=WEBHOOK_PATHS)
    app = Portal(
        route_handlers=[*collect_routes(), static],
        guards=[access_guard],
        before_request=_before_request,
        after_request=_after_request,
        after_exception=[_caller_of_unrouted(session_config)],
        before_send=[security_headers_hook(gateway.form_targets(settings))],
        dependencies={"principal": Provide(provide_principal), "paging": Provide(provide_paging)},
        template_config=TemplateConfig(
            directory=ROOT / "templates", engine=JinjaTemplateEngine, engine_callback=configure_jinja
        ),
        plugins=[HTMXPlugin()],
        compression_config=compression_config(),
        stores={"sessions": _session_store(settings)},
        middleware=[
            DefineMiddleware(outages.WebLockWait, seconds=settings.web_lock_wait),
            DefineMiddleware(LocaleMiddleware),
            # CSRF tokens bound to the session: outside the session middleware, to see a new session's cookie.
            DefineMiddleware(portal_csrf.SessionBoundCSRFMiddleware, config=csrf, session_cookie="session"),
            session_config.middleware,
        ],
        exception_handlers={
            HTTPException: _error_page,
            Refused: refused_back,
            PastTheEnd: to_last_page,
            Exception: _error_page,
        },
        openapi_config=None,  # an HTML portal: no API schema pages (every route must declare its access rule)
        on_startup=[db.on_startup],
        on_shutdown=[db.on_shutdown],
        # httpx would write a line for every call to the gateway (the reconciliation polls it every few seconds);
        # the portal's own loggers say what happened.
        logging_config=LoggingConfig(
            log_exceptions="debug",
            root={"level": "INFO", "handlers": ["queue_listener"]},
            loggers={name: {"level": "WARNING"} for name in ("httpx", "httpcore")},
        ),
        debug=settings.debug,
        request_max_body_size=40 * 1024 * 1024,
    )
    app.state.settings = settings
    if settings.run_jobs:
        from portal.core.jobs import Scheduler

        scheduler = Scheduler(interval=5)
        app.on_startup.append(scheduler.start)
        app.on_shutdown.insert(0, scheduler.stop)
    return app


def __getattr__(name: str) -> Any:
    """``uvicorn portal.app:app`` builds the app on first access."""
    if name == "app":
        return create_app()
    raise AttributeError(name)
