"""The portal's own client of the payment gateway (GATEWAY.md): Stripe's v1 subset over httpx.

- Secret key as a Bearer token, form-encoded bodies with bracket notation, an ``Idempotency-Key`` on every POST.
- Timeouts, 409, 429 and 502–504 are retried with the *same* key (the gateway replays a finished request);
  ``Stripe-Should-Retry`` overrides that rule; 4xx are never retried.
- A 500 is saved by the gateway and replayed unchanged, so the creating calls resolve it by looking up what
  happened (the session or payment intent carrying our ``payment_id``) instead of creating again.
- Results are typed (dataclasses); failures raise ``GatewayError`` with Stripe's ``type``/``code``/``decline_code``.
- Webhook signatures are verified here too (``verify_signature``): all of GATEWAY.md in one place.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import os
import time
import uuid
from collections.abc import AsyncIterator
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from dataclasses import field
from dataclasses import fields
from typing import Any
from typing import ClassVar
from typing import Self
from typing import TypeVar
from urllib.parse import urlsplit

import httpx

from portal.settings import Settings
from portal.settings import get_settings

T = TypeVar("T")

log = logging.getLogger("portal.payments.gateway")

RETRYABLE_STATUSES = frozenset({409, 429, 502, 503, 504})
SIGNATURE_TOLERANCE = 300


# --- errors ---------------------------------------------------------------------------------------------------


class GatewayError(Exception):
    """An error answer of the gateway (or no answer at all: ``type`` ``"api_connection_error"``)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        type: str = "api_error",
        code: str | None = None,
        decline_code: str | None = None,
        param: str | None = None,
        payment_intent: dict[str, Any] | None = None,
        request_id: str | None = None,
        explained: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.type = type
        self.code = code
        self.decline_code = decline_code
        self.param = param
        self.payment_intent = payment_intent
        self.request_id = request_id
        self.explained = explained  # the answer carried the gateway's error object

    @property
    def is_card_error(self) -> bool:
        return self.type == "card_error"

    @property
    def is_refusal(self) -> bool:
        """A definite no: a 4xx with the gateway's error object, so nothing was done. No answer, a 5xx, a 4xx
        without the error object (a proxy's page), 409 and 429 («not now») and an idempotency error (the key was
        used otherwise, and that request may have run) say nothing of what was done."""
        return (
            self.explained
            and self.status is not None
            and 400 <= self.status < 500
            and self.status not in (409, 429)
            and self.type != "idempotency_error"
        )

    def __str__(self) -> str:
        parts = [f"{self.status or '-'} {self.type}"]
        if self.code:
            parts.append(self.code)
        if self.decline_code and self.decline_code != self.code:
            parts.append(self.decline_code)
        return f"{' / '.join(parts)}: {self.message}"


class SignatureError(ValueError):
    """A webhook whose ``Stripe-Signature`` is missing, malformed, wrong or too old."""


# --- typed results --------------------------------------------------------------------------------------------

Ref = str | None  # the id of another gateway object (an answer may carry that object expanded instead)


class _Result:
    """A typed result read from a gateway object by the declared type of each of its fields: the id as it must be;
    a ``Ref`` as the id it names; an ``int`` as a number, 0 when absent; a ``dict`` as a copy, empty when absent; a
    ``str`` as a text, its entry in ``defaults`` (else "") when absent or empty; anything else as it is."""

    defaults: ClassVar[dict[str, str]] = {}

    @classmethod
    def of(cls, d: Mapping[str, Any]) -> Self:
        return cls.read(d)

    @classmethod
    def read(cls, d: Mapping[str, Any], **given: Any) -> Self:
        """The result of ``d``, with the ``given`` fields taken as they are."""
        values: dict[str, Any] = dict(given)
        for f in fields(cls):  # type: ignore[arg-type]
            if f.name in values:
                continue
            value = d[f.name] if f.name == "id" else d.get(f.name)
            if f.type == "Ref":
                value = _id(value)
            elif f.type == "int":
                value = int(value or 0)
            elif f.type == "str":
                value = value or cls.defaults.get(f.name, "")
            elif str(f.type).startswith("dict"):
                value = dict(value or {})
            values[f.name] = value
        return cls(**values)


@dataclass(frozen=True)
class PaymentError(_Result):
    defaults = {"type": "card_error"}

    type: str
    code: str | None
    decline_code: str | None
    message: str

    @classmethod
    def of(cls, d: Mapping[str, Any] | None) -> PaymentError | None:  # type: ignore[override]
        return cls.read(d) if d else None


@dataclass(frozen=True)
class PaymentIntent(_Result):
    defaults = {"status": "requires_payment_method"}

    id: str
    status: str  # requires_payment_method / requires_action / processing / succeeded / canceled
    amount: int
    amount_received: int
    customer: Ref
    payment_method: Ref
    metadata: dict[str, str]
    latest_charge: Ref
    last_payment_error: PaymentError | None
    created: int

    @classmethod
    def of(cls, d: Mapping[str, Any]) -> PaymentIntent:
        return cls.read(d, last_payment_error=PaymentError.of(d.get("last_payment_error")))


@dataclass(frozen=True)
class Customer(_Result):
    id: str
    email: str | None
    metadata: dict[str, str]


@dataclass(frozen=True)
class Card(_Result):
    id: str
    customer: Ref
    brand: str
    last4: str
    exp_month: int
    exp_year: int

    @classmethod
    def of(cls, d: Mapping[str, Any]) -> Card:
        """A payment method: its card's details (an SBP method has none: its brand is its type)."""
        card = d.get("card") or {}
        return cls.read(
            {**card, "id": d["id"], "customer": d.get("customer"), "brand": card.get("brand") or d.get("type")}
        )


@dataclass(frozen=True)
class Refund(_Result):
    defaults = {"status": "pending"}

    id: str
    amount: int
    status: str  # pending / requires_action / succeeded / failed / canceled
    payment_intent: Ref
    reason: str | None
    metadata: dict[str, str]


@dataclass(frozen=True)
class SetupIntent(_Result):
    id: str
    status: str
    customer: Ref
    payment_method: Ref


@dataclass(frozen=True)
class CheckoutSession(_Result):
    defaults = {"mode": "payment", "status": "open", "payment_status": "unpaid"}

    id: str
    mode: str
    status: str  # open / complete / expired
    payment_status: str  # unpaid / paid / no_payment_required
    url: str | None
    amount_total: int | None
    customer: Ref
    payment_intent: Ref
    setup_intent: Ref
    metadata: dict[str, str]
    created: int
    expires_at: int | None
    locale: str = ""  # the language of the hosted page (Stripe's ``locale``); "" when none was given


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    created: int
    object: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, d: Mapping[str, Any]) -> Event:
        data = d.get("data") or {}
        return cls(
            id=d["id"], type=d["type"], created=int(d.get("created") or 0), object=dict(data.get("object") or {})
        )


def _id(value: Any) -> str | None:
    if isinstance(value, dict):
        return value.get("id")
    return value or None


# --- encoding -------------------------------------------------------------------------------------------------


def encode_form(params: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """Nested dicts and lists to Stripe's bracket notation; booleans as ``true``/``false``; None is left out."""
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        if value is None:
            continue
        if isinstance(value, Mapping):
            pairs.extend(encode_form(value, name))
        elif isinstance(value, list | tuple):
            for i, item in enumerate(value):
                if isinstance(item, Mapping):
                    pairs.extend(encode_form(item, f"{name}[{i}]"))
                else:
                    pairs.append((f"{name}[{i}]", _scalar(item)))
        else:
            pairs.append((name, _scalar(value)))
    return pairs


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# --- webhook signatures ---------------------------------------------------------------------------------------


def sign_payload(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """A ``Stripe-Signature`` header value for ``payload`` (tests and tools use it)."""
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode("utf-8"), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def verify_signature(
    payload: bytes, header: str | None, secret: str, *, now: int | None = None, tolerance: int = SIGNATURE_TOLERANCE
) -> int:
    """Check a webhook before it is parsed; returns its timestamp or raises ``SignatureError``.

    Any one ``v1`` value matching is enough (secret rolling); other schemes (``v0``) are ignored; comparison is
    in constant time; a timestamp older than ``tolerance`` seconds is refused.
    """
    if not header:
        raise SignatureError("missing Stripe-Signature header")
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t":
            try:
                timestamp = int(value)
            except ValueError:
                raise SignatureError("malformed timestamp") from None
        elif name == "v1" and value:
            candidates.append(value)
    if timestamp is None:
        raise SignatureError("no timestamp")
    if not candidates:
        raise SignatureError("no v1 signature")
    expected = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected, c) for c in candidates):
        raise SignatureError("signature does not match")
    current = int(time.time()) if now is None else now
    if timestamp < current - tolerance:
        raise SignatureError("timestamp outside the tolerance")
    return timestamp


# --- settings ---------------------------------------------------------------------------------------------------

# The sandbox gateway's published test secrets (README): fine for the local sandbox, never for a real gateway.
SANDBOX_SECRETS = {"PAYMENT_SECRET_KEY": "sk_test_portal", "PAYMENT_WEBHOOK_SECRET": "whsec_portal_sandbox"}
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class UnsafeGatewaySettings(RuntimeError):
    """The portal refuses to start: a gateway other than the local sandbox with the sandbox's public secrets."""


def check_settings(settings: Settings) -> None:
    """Refuse the sandbox's published secrets unless ``PAYMENT_GATEWAY_URL`` is the sandbox on this machine:
    with them anyone could sign webhooks ("paid") or call the gateway in the portal's name."""
    host = urlsplit(settings.payment_gateway_url).hostname or ""
    if host in LOCAL_HOSTS:
        return
    values = {
        "PAYMENT_SECRET_KEY": settings.payment_secret_key,
        "PAYMENT_WEBHOOK_SECRET": settings.payment_webhook_secret,
    }
    public = [name for name, value in values.items() if value == SANDBOX_SECRETS[name]]
    if public:
        raise UnsafeGatewaySettings(
            f"PAYMENT_GATEWAY_URL points at {host!r}, not the local sandbox, but {' and '.join(public)} "
            "still hold the sandbox's published test values. Set the gateway's own secrets."
        )


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else None


def form_targets(settings: Settings, env: Mapping[str, str] | None = None) -> list[str]:
    """Where a form's answer may take the browser besides the portal: the gateway's payment page
    (``PAYMENT_CHECKOUT_URL`` when it is not on the API's origin, as with Stripe's)."""
    env = os.environ if env is None else env
    found = [_origin(settings.payment_gateway_url), _origin(env.get("PAYMENT_CHECKOUT_URL", ""))]
    return list(dict.fromkeys(o for o in found if o))


# --- the client -----------------------------------------------------------------------------------------------

# When the calls of the work under way must have ended (``within``), on ``time.monotonic()``'s clock; None: no limit.
_deadline: ContextVar[float | None] = ContextVar("gateway_deadline", default=None)


@contextlib.contextmanager
def within(seconds: float | None) -> Iterator[None]:
    """The calls to the payment service made inside end within ``seconds`` from now (a page's time budget; None: no
    limit): each waits at most what is left and is not retried past it, and none starts after it — each of these
    raises ``GatewayError`` as a call not answered, which the callers already take as «ask again later»."""
    token = _deadline.set(None if seconds is None else time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def time_left() -> float | None:
    """Seconds left of the budget of the work under way (``within``), or None without one."""
    deadline = _deadline.get()
    return None if deadline is None else deadline - time.monotonic()


def out_of_time() -> bool:
    left = time_left()
    return left is not None and left <= 0


class GatewayClient:
    def __init__(
        self,
        base_url: str,
        secret_key: str,
        *,
        timeout: float = 10.0,
        max_retries: int = 3,
        backoff: float = 0.5,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.secret_key = secret_key
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.transport = transport

    # -- transport ---------------------------------------------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """One API call with retries; returns the JSON body or raises ``GatewayError``."""
        pairs = encode_form(params or {})
        headers = {"Authorization": f"Bearer {self.secret_key}", "Stripe-Version": "2025-03-31.basil"}
        if method == "POST":
            headers["Idempotency-Key"] = idempotency_key or str(uuid.uuid4())
        attempt = 0
        async with httpx.AsyncClient(base_url=self.base_url, timeout=self.timeout, transport=self.transport) as http:
            while True:
                timeout = self._timeout()
                try:
                    if method == "POST":
                        response = await http.post(
                            path,
                            content=_body(pairs),
                            headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
                            timeout=timeout,
                        )
                    else:
                        response = await http.request(method, path, params=pairs, headers=headers, timeout=timeout)
                except (httpx.TimeoutException, httpx.TransportError) as exc:
                    # The request may or may not have run: the same key makes a retry safe.
                    if attempt < self.max_retries and self._may_wait(self._delay(attempt + 1)):
                        attempt += 1
                        log.warning("gateway %s %s: %s, retry %d", method, path, type(exc).__name__, attempt)
                        await asyncio.sleep(self._delay(attempt))
                        continue
                    raise GatewayError(
                        f"The payment service did not answer ({type(exc).__name__}).",
                        type="api_connection_error",
                    ) from exc
                if response.status_code < 400:
                    return response.json()
                if (
                    self._should_retry(response)
                    and attempt < self.max_retries
                    and self._may_wait(self._delay(attempt + 1, response))
                ):
                    attempt += 1
                    log.warning("gateway %s %s: HTTP %s, retry %d", method, path, response.status_code, attempt)
                    await asyncio.sleep(self._delay(attempt, response))
                    continue
                raise _error_of(response)

    def _timeout(self) -> float:
        """This attempt's timeout: the client's, or what is left of the budget (``within``) when less; none left:
        the call is not made."""
        left = time_left()
        if left is None:
            return self.timeout
        if left <= 0:
            raise GatewayError(
                "The payment service was not asked: the time for it ran out.", type="api_connection_error"
            )
        return min(self.timeout, left)

    @staticmethod
    def _may_wait(delay: float) -> bool:
        """A retry after ``delay`` seconds still fits in the budget (``within``), if there is one."""
        left = time_left()
        return left is None or delay < left

    def _should_retry(self, response: httpx.Response) -> bool:
        header = response.headers.get("stripe-should-retry")
        if header is not None:
            return header.lower() == "true"
        if response.status_code == 500:
            # A 500 is saved by the gateway under its key and would only be replayed: look up instead.
            return False
        return response.status_code in RETRYABLE_STATUSES

    def _delay(self, attempt: int, response: httpx.Response | None = None) -> float:
        if response is not None and response.headers.get("retry-after", "").isdigit():
            return min(10.0, float(response.headers["retry-after"]))
        return min(8.0, self.backoff * 2 ** (attempt - 1))

    async def get(self, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return await self.request("GET", path, params)

    async def post(
        self, path: str, params: Mapping[str, Any] | None = None, *, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        return await self.request("POST", path, params, idempotency_key=idempotency_key)

    async def iterate(self, path: str, params: Mapping[str, Any], limit: int = 100) -> AsyncIterator[dict[str, Any]]:
        """Every object of a list endpoint, newest first, paging with ``starting_after``."""
        query = {**params, "limit": limit}
        while True:
            page = await self.get(path, query)
            data = page.get("data") or []
            for item in data:
                yield item
            if not page.get("has_more") or not data:
                return
            query = {**query, "starting_after": data[-1]["id"]}

    # -- checkout sessions -------------------------------------------------------------------------------------

    async def create_checkout_session(
        self,
        *,
        payment_id: str,
        lines: list[tuple[str, int]],
        success_url: str,
        cancel_url: str,
        idempotency_key: str,
        metadata: Mapping[str, str] | None = None,
        description: str | None = None,
        customer: str | None = None,
        save_card: bool = False,
        expires_at: int | None = None,
        locale: str | None = None,
    ) -> CheckoutSession:
        """A payment session (one line item per account); a saved 500 is resolved by finding the session.
        ``locale``: the language the hosted page speaks to the payer (Stripe's Checkout Session ``locale``)."""
        started = int(time.time())
        params: dict[str, Any] = {
            "mode": "payment",
            "line_items": [
                {
                    "price_data": {"currency": "rub", "unit_amount": amount, "product_data": {"name": name}},
                    "quantity": 1,
                }
                for name, amount in lines
            ],
            "client_reference_id": payment_id,
            "success_url": success_url,
            "cancel_url": cancel_url,
            "customer": customer,
            "expires_at": expires_at,
            "locale": locale,
            "metadata": {"payment_id": payment_id, **(metadata or {})},
            "payment_intent_data": {
                "metadata": {"payment_id": payment_id},
                "description": description,
                "setup_future_usage": "off_session" if save_card else None,
            },
        }
        return await self._create_or_find(
            "/v1/checkout/sessions", params, idempotency_key, payment_id, started, CheckoutSession.of, self.find_session
        )

    async def _create_or_find(
        self,
        path: str,
        params: dict[str, Any],
        idempotency_key: str,
        reference: str,
        started: int,
        of: Callable[[dict[str, Any]], T],
        find: Callable[..., Awaitable[T | None]],
    ) -> T:
        """POST a create. After a 5xx (which the gateway saves and replays for this key) look up, by the
        ``metadata[payment_id]`` reference, what the first attempt made, instead of creating a second one."""
        try:
            return of(await self.post(path, params, idempotency_key=idempotency_key))
        except GatewayError as exc:
            if exc.status is None or exc.status < 500:
                raise
            found = await find(reference, since=started - 60)
            if found is None:
                raise
            log.warning("%s for %s found by look-up after %s", path, reference, exc)
            return found

    async def create_setup_session(
        self,
        *,
        customer: str,
        reference: str,
        success_url: str,
        cancel_url: str,
        idempotency_key: str,
        locale: str | None = None,
    ) -> CheckoutSession:
        started = int(time.time())
        params = {
            "mode": "setup",
            "currency": "rub",
            "locale": locale,
            "customer": customer,
            "success_url": success_url,
            "cancel_url": cancel_url,
            "metadata": {"payment_id": reference},
        }
        return await self._create_or_find(
            "/v1/checkout/sessions", params, idempotency_key, reference, started, CheckoutSession.of, self.find_session
        )

    async def retrieve_session(self, session_id: str) -> CheckoutSession:
        return CheckoutSession.of(await self.get(f"/v1/checkout/sessions/{session_id}"))

    async def expire_session(self, session_id: str) -> CheckoutSession:
        return CheckoutSession.of(await self.post(f"/v1/checkout/sessions/{session_id}/expire"))

    async def find_session(self, payment_id: str, *, since: int) -> CheckoutSession | None:
        async for item in self.iterate("/v1/checkout/sessions", {"created": {"gte": since}}):
            if (item.get("metadata") or {}).get("payment_id") == payment_id:
                return CheckoutSession.of(item)
        return None

    # -- payment intents ---------------------------------------------------------------------------------------

    async def charge_saved_card(
        self,
        *,
        payment_id: str,
        amount: int,
        customer: str,
        payment_method: str,
        description: str,
        idempotency_key: str,
    ) -> PaymentIntent:
        """An off-session payment with a saved card (autopay). A decline raises ``GatewayError`` (card_error)."""
        started = int(time.time())
        params = {
            "amount": amount,
            "currency": "rub",
            "customer": customer,
            "payment_method": payment_method,
            "off_session": True,
            "confirm": True,
            "description": description,
            "metadata": {"payment_id": payment_id},
        }
        return await self._create_or_find(
            "/v1/payment_intents",
            params,
            idempotency_key,
            payment_id,
            started,
            PaymentIntent.of,
            self.find_payment_intent,
        )

    async def retrieve_payment_intent(self, intent_id: str) -> PaymentIntent:
        return PaymentIntent.of(await self.get(f"/v1/payment_intents/{intent_id}"))

    async def list_payment_intents(self, *, since: int, limit: int = 100) -> AsyncIterator[PaymentIntent]:
        async for item in self.iterate("/v1/payment_intents", {"created": {"gte": since}}, limit):
            yield PaymentIntent.of(item)

    async def find_payment_intent(self, payment_id: str, *, since: int) -> PaymentIntent | None:
        async for intent in self.list_payment_intents(since=since):
            if intent.metadata.get("payment_id") == payment_id:
                return intent
        return None

    # -- customers and cards -----------------------------------------------------------------------------------

    async def create_customer(
        self, *, email: str | None, name: str | None, reference: str, idempotency_key: str
    ) -> Customer:
        params = {"email": email, "name": name, "metadata": {"user_id": reference}}
        return Customer.of(await self.post("/v1/customers", params, idempotency_key=idempotency_key))

    async def retrieve_card(self, payment_method: str) -> Card:
        return Card.of(await self.get(f"/v1/payment_methods/{payment_method}"))

    async def detach_card(self, payment_method: str) -> Card:
        return Card.of(await self.post(f"/v1/payment_methods/{payment_method}/detach"))

    async def retrieve_setup_intent(self, setup_intent: str) -> SetupIntent:
        return SetupIntent.of(await self.get(f"/v1/setup_intents/{setup_intent}"))

    # -- refunds -----------------------------------------------------------------------------------------------

    async def create_refund(
        self,
        *,
        payment_intent: str,
        amount: int | None,
        reason: str | None,
        refund_id: str,
        idempotency_key: str,
    ) -> Refund:
        params = {
            "payment_intent": payment_intent,
            "amount": amount,
            "reason": reason,
            "metadata": {"refund_id": refund_id},
        }
        try:
            return Refund.of(await self.post("/v1/refunds", params, idempotency_key=idempotency_key))
        except GatewayError as exc:
            if exc.status is None or exc.status < 500:
                raise
            found = await self.find_refund(payment_intent=payment_intent, refund_id=refund_id)
            if found is None:
                raise
            return found

    async def find_refund(self, *, payment_intent: str, refund_id: str) -> Refund | None:
        """The refund the gateway made of ``payment_intent`` for our ``refund_id`` (its metadata), if any."""
        async for item in self.iterate("/v1/refunds", {"payment_intent": payment_intent}):
            if (item.get("metadata") or {}).get("refund_id") == refund_id:
                return Refund.of(item)
        return None

    async def retrieve_refund(self, refund_id: str) -> Refund:
        return Refund.of(await self.get(f"/v1/refunds/{refund_id}"))


def _body(pairs: list[tuple[str, str]]) -> bytes:
    from urllib.parse import urlencode

    return urlencode(pairs).encode("ascii")


def _error_of(response: httpx.Response) -> GatewayError:
    try:
        body = response.json().get("error") or {}
    except (ValueError, AttributeError):
        body = {}
    explained = isinstance(body, dict) and bool(body)
    if not isinstance(body, dict):
        body = {"message": str(body)}
    return GatewayError(
        body.get("message") or f"HTTP {response.status_code}",
        status=response.status_code,
        type=body.get("type") or ("api_error" if response.status_code >= 500 else "invalid_request_error"),
        code=body.get("code"),
        decline_code=body.get("decline_code"),
        param=body.get("param"),
        payment_intent=body.get("payment_intent"),
        request_id=response.headers.get("request-id"),
        explained=explained,
    )


_override: GatewayClient | None = None


def client() -> GatewayClient:
    """The client for this process, from the settings (tests may install their own with ``use_client``)."""
    if _override is not None:
        return _override
    settings = get_settings()
    return GatewayClient(settings.payment_gateway_url, settings.payment_secret_key)


def use_client(gateway: GatewayClient | None) -> None:
    global _override
    _override = gateway
