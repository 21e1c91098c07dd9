"""The gateway's HTTP face: the Stripe v1 API subset, the hosted payment page, and the sandbox's fault switches."""

from __future__ import annotations

import asyncio
import hmac
import io
import json
import re
import time
from collections.abc import Awaitable
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import segno
from litestar import Litestar
from litestar import Request
from litestar import Response
from litestar import get
from litestar import post
from litestar.exceptions import HTTPException
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect
from litestar.response import Template
from litestar.template.config import TemplateConfig

from portal.sandbox_gateway import cards
from portal.sandbox_gateway import words
from portal.sandbox_gateway.config import GatewayConfig
from portal.sandbox_gateway.engine import ApiError
from portal.sandbox_gateway.engine import Faults
from portal.sandbox_gateway.engine import Gateway
from portal.sandbox_gateway.engine import dumps
from portal.sandbox_gateway.engine import invalid
from portal.sandbox_gateway.forms import FormError
from portal.sandbox_gateway.forms import fingerprint
from portal.sandbox_gateway.forms import nest
from portal.sandbox_gateway.forms import parse_pairs
from portal.sandbox_gateway.store import Store
from portal.sandbox_gateway.store import new_id
from portal.sandbox_gateway.store import public
from portal.sandbox_gateway.webhooks import Deliverer

HERE = Path(__file__).resolve().parent
Work = Callable[[dict[str, Any]], Any]

CYRILLIC = re.compile("[А-Яа-яЁё]")


def _gateway(request: Request) -> Gateway:
    return request.app.state.gateway


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response[bytes]:
    return Response(
        content=dumps(body).encode("utf-8"),
        status_code=status,
        media_type="application/json",
        headers=headers or {},
    )


def _error(status: int, type_: str, message: str, request_id: str, **extra: Any) -> Response[bytes]:
    return _json({"error": {"type": type_, "message": message, **extra}}, status, {"Request-Id": request_id})


def _authorised(request: Request, gateway: Gateway) -> bool:
    header = request.headers.get("authorization", "")
    scheme, _, key = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(key.strip(), gateway.config.secret_key)


async def api(request: Request, work: Work) -> Response[bytes]:
    """Run one API request: auth, parameters, fault switches and Stripe's idempotency rules (GATEWAY.md §2)."""
    gateway = _gateway(request)
    store = gateway.store
    request_id = new_id("req_", 14)
    if not _authorised(request, gateway):
        return _error(401, "invalid_request_error", "Invalid API Key provided.", request_id)
    is_post = request.method == "POST"
    raw = await request.body() if is_post else request.url.query.encode()
    pairs = parse_pairs(raw or b"")
    try:
        params = nest(pairs)
    except FormError as exc:
        return _error(400, "invalid_request_error", f"Invalid parameter name: {exc.param}", request_id)
    api_key = gateway.config.secret_key
    key = request.headers.get("idempotency-key") if is_post else None
    if key is not None:
        if not key or len(key) > 255:
            return _error(400, "invalid_request_error", "Idempotency-Key must be 1 to 255 characters.", request_id)
        print_ = fingerprint(request.method, request.url.path, pairs)
        row = store.idempotency_get(api_key, key)
        if row is not None:
            if row["state"] != "done":
                return _json(
                    {
                        "error": {
                            "type": "invalid_request_error",
                            "code": "idempotency_key_in_use",
                            "message": "There is currently another in-progress request using this Idempotent Key "
                            "(that probably means you submitted twice, and the other request is still going "
                            "through): " + key + ". Please try again later.",
                        }
                    },
                    409,
                    {"Request-Id": request_id, "Stripe-Should-Retry": "true"},
                )
            if row["fingerprint"] != print_:
                return _error(
                    400,
                    "idempotency_error",
                    "Keys for idempotent requests can only be used with the same parameters they were first used "
                    f"with. Try using a key other than '{key}' if you meant to execute a different request.",
                    request_id,
                )
            return Response(
                content=row["body"].encode("utf-8"),
                status_code=row["status"],
                media_type="application/json",
                headers={"Request-Id": request_id, "Idempotent-Replayed": "true", "Idempotency-Key": key},
            )
        store.idempotency_begin(api_key, key, print_)

    faults = gateway.faults
    fail = faults.fail_next > 0
    if fail:
        faults.fail_next -= 1
    status = 200
    body: Any
    gateway.current_request = {"id": request_id, "idempotency_key": key}
    try:
        if fail and faults.fail_mode == "before":
            raise ApiError(500, "api_error", "An unknown error occurred.")
        result = work(params)
        is_object = isinstance(result, dict) and result.get("object") not in (None, "list")
        body = public(result) if is_object else result
        if fail:
            raise ApiError(500, "api_error", "An unknown error occurred.")
    except ApiError as exc:
        if not exc.saved:
            if key is not None:
                store.idempotency_forget(api_key, key)
            return _json(exc.envelope(), exc.status, {"Request-Id": request_id})
        status, body = exc.status, exc.envelope()
    finally:
        gateway.current_request = None
    text = dumps(body)

    async def finish() -> None:
        if faults.slow_ms > 0 and (faults.slow_next is None or faults.slow_next > 0):
            if faults.slow_next is not None:
                faults.slow_next -= 1
            await asyncio.sleep(faults.slow_ms / 1000)
        if key is not None:
            store.idempotency_finish(api_key, key, status, text)

    # The result is saved even if the caller hangs up while the answer is slow.
    await asyncio.shield(asyncio.ensure_future(finish()))
    headers = {"Request-Id": request_id}
    if key is not None:
        headers["Idempotency-Key"] = key
    return Response(content=text.encode("utf-8"), status_code=status, media_type="application/json", headers=headers)


def _created_filter(params: dict[str, Any]) -> dict[str, int]:
    created = params.get("created")
    if created is None:
        return {}
    if not isinstance(created, dict):
        try:
            return {"gte": int(created), "lte": int(created)}
        except ValueError:
            raise invalid("Invalid created", param="created") from None
    found: dict[str, int] = {}
    for op in ("gt", "gte", "lt", "lte"):
        if op in created:
            try:
                found[op] = int(created[op])
            except ValueError:
                raise invalid("Invalid integer", param=f"created[{op}]") from None
    return found


def _list(gateway: Gateway, kind: str, url: str, params: dict[str, Any], filters: tuple[str, ...] = ()) -> dict:
    try:
        limit = int(params.get("limit", 10))
    except ValueError:
        raise invalid("Invalid limit", param="limit") from None
    if not 1 <= limit <= 100:
        raise invalid("Invalid limit: must be between 1 and 100", param="limit")
    equals = {f: str(params[f]) for f in filters if params.get(f)}
    items, more = gateway.store.list(
        kind,
        created=_created_filter(params),
        equals=equals,
        starting_after=params.get("starting_after") or None,
        ending_before=params.get("ending_before") or None,
        limit=limit,
    )
    return {"object": "list", "url": url, "has_more": more, "data": [public(i) for i in items]}


# --- API --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One API call as its work sees it: the object id in its path (if any), its parameters, its path."""

    gateway: Gateway
    params: dict[str, Any]
    object_id: str
    path: str


def _api_route(method: Callable[..., Any], path: str, work: Callable[[Call], Any]) -> HTTPRouteHandler:
    async def handler(request: Request) -> Response[bytes]:
        gateway, object_id = _gateway(request), request.path_params.get("object_id", "")
        return await api(request, lambda params: work(Call(gateway, params, object_id, request.url.path)))

    return method(path)(handler)


def _lister(kind: str, *filters: str) -> Callable[[Call], Any]:
    """The call lists the objects of ``kind``, filtered by equality on ``filters``."""
    return lambda c: _list(c.gateway, kind, c.path, c.params, filters)


def _customer_methods(c: Call) -> dict:
    c.gateway.customer(c.object_id)
    return _list(c.gateway, "payment_method", c.path, {**c.params, "customer": c.object_id}, ("customer",))


API_ROUTES = [
    _api_route(method, path, work)
    for method, path, work in (
        (post, "/v1/checkout/sessions", lambda c: c.gateway.create_session(c.params)),
        (get, "/v1/checkout/sessions", _lister("checkout.session", "customer", "payment_intent", "status")),
        (get, "/v1/checkout/sessions/{object_id:str}", lambda c: c.gateway.session(c.object_id)),
        (post, "/v1/checkout/sessions/{object_id:str}/expire", lambda c: c.gateway.expire_session(c.object_id)),
        (post, "/v1/payment_intents", lambda c: c.gateway.create_intent(c.params, c.gateway.current_request or {})),
        (get, "/v1/payment_intents", _lister("payment_intent", "customer")),
        (get, "/v1/payment_intents/{object_id:str}", lambda c: c.gateway.intent(c.object_id)),
        (post, "/v1/customers", lambda c: c.gateway.create_customer(c.params)),
        (get, "/v1/customers/{object_id:str}", lambda c: c.gateway.customer(c.object_id)),
        (get, "/v1/customers/{object_id:str}/payment_methods", _customer_methods),
        (get, "/v1/payment_methods/{object_id:str}", lambda c: c.gateway.payment_method(c.object_id)),
        (post, "/v1/payment_methods/{object_id:str}/detach", lambda c: c.gateway.detach(c.object_id)),
        (post, "/v1/refunds", lambda c: c.gateway.create_refund(c.params)),
        (get, "/v1/refunds", _lister("refund", "payment_intent")),
        (get, "/v1/refunds/{object_id:str}", lambda c: c.gateway.stored(c.object_id, "refund")),
        (get, "/v1/setup_intents/{object_id:str}", lambda c: c.gateway.stored(c.object_id, "setup_intent")),
        (get, "/v1/charges/{object_id:str}", lambda c: c.gateway.stored(c.object_id, "charge")),
        (get, "/v1/events/{object_id:str}", lambda c: c.gateway.stored(c.object_id, "event")),
        (get, "/v1/events", _lister("event", "type")),
    )
]


# --- sandbox controls (same key as the API) ----------------------------------------------------------------


async def _control(request: Request, work: Callable[[dict[str, Any]], Any]) -> Response[bytes]:
    gateway = _gateway(request)
    if not _authorised(request, gateway):
        return _error(401, "invalid_request_error", "Invalid API Key provided.", new_id("req_", 14))
    raw = await request.body() if request.method == "POST" else b""
    if raw and request.headers.get("content-type", "").startswith("application/json"):
        values = json.loads(raw)
    else:
        values = dict(parse_pairs(raw or b""))
    try:
        return _json(work(values))
    except ApiError as exc:
        return _json(exc.envelope(), exc.status)


def _control_route(
    method: Callable[..., Any], path: str, work: Callable[[Gateway, dict[str, Any]], Any]
) -> HTTPRouteHandler:
    async def handler(request: Request) -> Response[bytes]:
        return await _control(request, lambda values: work(_gateway(request), values))

    return method(path)(handler)


def _set_faults(gw: Gateway, values: dict[str, Any]) -> dict:
    gw.faults.update(values)
    return gw.faults.as_dict()


def _release(gw: Gateway, held_before: float) -> int:
    """Let the held webhook deliveries queued before ``held_before`` go out now."""
    released = gw.store.release_held(held_before)
    if gw.wake:
        gw.wake()
    return released


def _reset_faults(gw: Gateway, values: dict[str, Any]) -> dict:
    gw.faults = Faults()
    return {**gw.faults.as_dict(), "released": _release(gw, 0.0)}


def _purge(gw: Gateway, values: dict[str, Any]) -> dict:
    """Forget every delivery still waiting (a test starts with a quiet gateway)."""
    cursor = gw.store.db.execute("UPDATE deliveries SET state = 'purged' WHERE state = 'pending'")
    return {"purged": cursor.rowcount}


def _set_config(gw: Gateway, values: dict[str, Any]) -> dict:
    config = gw.config
    if "webhook_url" in values:
        config.webhook_url = str(values["webhook_url"])
    if "retry_scale" in values:
        config.retry_scale = float(values["retry_scale"])
    return {"webhook_url": config.webhook_url, "retry_scale": config.retry_scale}


CONTROL_ROUTES = [
    _control_route(get, "/_sandbox/faults", lambda gw, values: gw.faults.as_dict()),
    _control_route(post, "/_sandbox/faults", _set_faults),
    _control_route(post, "/_sandbox/faults/reset", _reset_faults),
    _control_route(post, "/_sandbox/webhooks/flush", lambda gw, values: {"released": _release(gw, time.time())}),
    _control_route(post, "/_sandbox/webhooks/purge", _purge),
    _control_route(get, "/_sandbox/deliveries", lambda gw, values: {"data": gw.store.deliveries()}),
    _control_route(post, "/_sandbox/config", _set_config),
]


@get("/healthz", media_type="text/plain")
async def health() -> str:
    return "ok"


# --- the hosted payment page ---------------------------------------------------------------------------------


def format_rub(kopecks: int | None, language: str = "ru") -> str:
    """«3\u00a0540,00\u00a0₽» in Russian, "₽3,540.00" in English."""
    value = (kopecks or 0) / 100
    if language == "en":
        return f"₽{value:,.2f}"
    whole, frac = f"{value:,.2f}".split(".")
    return whole.replace(",", "\u00a0") + "," + frac + "\u00a0₽"


def _page(name: str, status: int = 200, **context: Any) -> Template:
    return Template(template_name=name, context=context, status_code=status)


def _session_or_404(request: Request, session_id: str) -> dict[str, Any]:
    found = _gateway(request).store.get(session_id, "checkout.session")
    if found is None:
        raise HTTPException(status_code=404, detail="No such checkout session")
    return found


def _language(request: Request, session: dict[str, Any]) -> dict[str, Any]:
    """The page's language (the session's ``locale``, else the browser's) and its words."""
    language = words.page_language(session.get("locale"), request.headers.get("accept-language"))
    return {"lang": language, "w": words.words(language)}


def _closed(request: Request, gateway: Gateway, session: dict[str, Any]) -> Response[Any] | None:
    if session["status"] == "complete":
        return Redirect(path=gateway.success_redirect(session), status_code=303)
    if session["status"] == "expired":
        return _page(
            "closed.html", 410, session=session, cancel=gateway.cancel_redirect(session), **_language(request, session)
        )
    return None


def _pay_context(request: Request, gateway: Gateway, session: dict[str, Any], **extra: Any) -> dict[str, Any]:
    language = _language(request, session)
    merchant = gateway.config.merchant
    return {
        "session": session,
        "merchant": merchant,
        # The merchant's name as configured: Russian on an English page is said to be Russian.
        "merchant_lang": "ru" if language["lang"] != "ru" and CYRILLIC.search(merchant) else "",
        "amount": format_rub(session.get("amount_total"), language["lang"]),
        "lines": [
            {**line, "total": format_rub(line["unit_amount"] * line["quantity"], language["lang"])}
            for line in session["_lines"]
        ],
        "cancel": gateway.cancel_redirect(session),
        "test_cards": [
            ("4242 4242 4242 4242", "succeeds"),
            ("4000 0000 0000 0002", "declined"),
            ("4000 0000 0000 9995", "insufficient"),
            ("4000 0025 0000 3155", "authentication"),
            ("4000 0027 6000 3184", "always_authenticates"),
            ("4000 0000 0000 0341", "attaches_fails"),
        ],
        "error": words.message(session.get("_error"), language["lang"]),
        "form": {},
        "field_errors": {},
        **language,
        **extra,
    }


_EXPIRY = re.compile(r"^\s*(\d{1,2})\s*/\s*(\d{2}|\d{4})\s*$")


def _read_card(values: dict[str, str]) -> tuple[cards.TestCard | None, int, int, dict[str, str]]:
    errors: dict[str, str] = {}
    number = "".join(ch for ch in values.get("number", "") if ch.isdigit())
    card = cards.card_for(number) if number else None
    if not number:
        errors["number"] = "number_missing"
    elif card is None:
        errors["number"] = "number_invalid"
    month = year = 0
    match = _EXPIRY.match(values.get("expiry", ""))
    if not match:
        errors["expiry"] = "expiry_invalid"
    else:
        month, year = int(match.group(1)), int(match.group(2))
        year = year + 2000 if year < 100 else year
        today = date.today()  # noqa: DTZ011 (the card's expiry month is a calendar month)
        if not 1 <= month <= 12 or (year, month) < (today.year, today.month):
            errors["expiry"] = "expiry_past"
    cvc = values.get("cvc", "").strip()
    if not (cvc.isdigit() and len(cvc) in (3, 4)):
        errors["cvc"] = "cvc_invalid"
    return card, month, year, errors


def _to_form(session: dict[str, Any]) -> Redirect:
    return Redirect(path=f"/c/pay/{session['id']}", status_code=303)


def _to_merchant(gateway: Gateway, session: dict[str, Any]) -> Redirect:
    """Back to the merchant's success page, with the session as it is now."""
    return Redirect(path=gateway.success_redirect(gateway.session(session["id"])), status_code=303)


PageWork = Callable[[Request, Gateway, dict[str, Any]], Awaitable[Response[Any]]]


def _page_route(method: Callable[..., Any], path: str) -> Callable[[PageWork], HTTPRouteHandler]:
    """A page of an open checkout session: a missing one is 404, a closed one goes where it ended."""

    def wrap(work: PageWork) -> HTTPRouteHandler:
        async def handler(request: Request, session_id: FromPath[str]) -> Response[Any]:
            gateway = _gateway(request)
            session = _session_or_404(request, session_id)
            closed = _closed(request, gateway, session)
            if closed is not None:
                return closed
            return await work(request, gateway, session)

        return method(path, name=work.__name__)(handler)

    return wrap


@_page_route(get, "/c/pay/{session_id:str}")
async def hosted_page(request: Request, gateway: Gateway, session: dict[str, Any]) -> Response[Any]:
    return _page("pay.html", **_pay_context(request, gateway, session))


@_page_route(post, "/c/pay/{session_id:str}")
async def hosted_pay(request: Request, gateway: Gateway, session: dict[str, Any]) -> Response[Any]:
    values = dict(parse_pairs(await request.body()))
    card, month, year, errors = _read_card(values)
    # What the payer typed is never echoed back or stored: only the last four digits live on.
    if errors or card is None:
        return _page("pay.html", 422, **_pay_context(request, gateway, session, field_errors=errors, error=None))
    pm = gateway.new_card(card, month, year)
    outcome = gateway.pay_with(session, pm)
    if outcome == "done":
        return _to_merchant(gateway, session)
    if outcome == "auth":
        return Redirect(path=f"/c/pay/{session['id']}/auth", status_code=303)
    return _page("pay.html", 402, **_pay_context(request, gateway, gateway.session(session["id"])))


@_page_route(get, "/c/pay/{session_id:str}/auth")
async def auth_page(request: Request, gateway: Gateway, session: dict[str, Any]) -> Response[Any]:
    if not session.get("_pending_pm"):
        return _to_form(session)
    return _page("auth.html", **_pay_context(request, gateway, session))


@_page_route(post, "/c/pay/{session_id:str}/auth")
async def auth_answer(request: Request, gateway: Gateway, session: dict[str, Any]) -> Response[Any]:
    if not session.get("_pending_pm"):
        return _to_form(session)
    values = dict(parse_pairs(await request.body()))
    if values.get("action") != "approve":
        gateway.fail_authentication(session)
    elif gateway.pay_with(session, gateway.payment_method(session["_pending_pm"]), authenticated=True) == "done":
        return _to_merchant(gateway, session)
    return _to_form(session)


@_page_route(get, "/c/pay/{session_id:str}/sbp")
async def sbp_page(request: Request, gateway: Gateway, session: dict[str, Any]) -> Response[Any]:
    if session["mode"] != "payment":
        return _to_form(session)
    return _page("sbp.html", **_pay_context(request, gateway, session))


def sbp_payload(gateway: Gateway, session: dict[str, Any]) -> str:
    """What the QR code carries: a link the payer's bank app opens (the sandbox's confirmation page)."""
    return f"{gateway.config.public_url}/c/pay/{session['id']}/sbp?sum={session.get('amount_total') or 0}&cur=RUB"


@get("/c/pay/{session_id:str}/sbp/qr.svg", media_type="image/svg+xml")
async def sbp_qr(request: Request, session_id: FromPath[str]) -> Response[bytes]:
    gateway = _gateway(request)
    session = _session_or_404(request, session_id)
    buffer = io.BytesIO()
    segno.make(sbp_payload(gateway, session), error="m").save(buffer, kind="svg", scale=6, border=2)
    return Response(content=buffer.getvalue(), media_type="image/svg+xml")


@_page_route(post, "/c/pay/{session_id:str}/sbp")
async def sbp_answer(request: Request, gateway: Gateway, session: dict[str, Any]) -> Response[Any]:
    values = dict(parse_pairs(await request.body()))
    pm = gateway.new_sbp_method()
    if values.get("action") == "confirm":
        gateway.pay_with(session, pm)
        return _to_merchant(gateway, session)
    pi = gateway.session_intent(session)
    gateway._fail(pi, pm, "payment_method_provider_decline", None, "The payment was declined by the bank.")
    session = gateway.session(session["id"])
    session["_error"] = "The bank declined the Faster Payments transfer."
    gateway.store.save(session)
    return _to_form(session)


@get("/c/static/gateway.css", media_type="text/css")
async def stylesheet() -> Response[bytes]:
    return Response(content=(HERE / "templates" / "gateway.css").read_bytes(), media_type="text/css")


CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self' http: https:; "
    "frame-ancestors 'none'; base-uri 'none'"
)


def _headers_after(response: Response[Any]) -> Response[Any]:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _on_error(request: Request, exc: Exception) -> Response[Any]:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if request.url.path.startswith("/v1/") or request.url.path.startswith("/_sandbox/"):
        messages = {404: "Unrecognized request URL.", 405: "Method not allowed."}
        message = messages.get(status, "An unknown error occurred.")
        return _error(status, "invalid_request_error" if status < 500 else "api_error", message, new_id("req_", 14))
    return Response(content=f"{status}", status_code=status, media_type="text/plain")


def create_app(config: GatewayConfig | None = None) -> Litestar:
    config = config or GatewayConfig.from_env()
    gateway = Gateway(config, Store(config.database))
    deliverer = Deliverer(gateway)
    app = Litestar(
        route_handlers=[
            *API_ROUTES,
            *CONTROL_ROUTES,
            health,
            hosted_page,
            hosted_pay,
            auth_page,
            auth_answer,
            sbp_page,
            sbp_qr,
            sbp_answer,
            stylesheet,
        ],
        template_config=TemplateConfig(directory=HERE / "templates", engine=JinjaTemplateEngine),
        after_request=_headers_after,
        exception_handlers={Exception: _on_error},
        on_startup=[deliverer.start],
        on_shutdown=[deliverer.stop],
        request_max_body_size=1024 * 1024,
    )
    app.state.gateway = gateway
    return app
