"""What the gateway does: checkout sessions, payment intents, customers, cards, refunds, and the events they emit.

Every function works on plain JSON objects in the store and is synchronous, so one API request is one indivisible
step for the single event loop of the gateway.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from portal.sandbox_gateway import cards
from portal.sandbox_gateway.config import GatewayConfig
from portal.sandbox_gateway.store import Store
from portal.sandbox_gateway.store import new_id
from portal.sandbox_gateway.store import now
from portal.sandbox_gateway.store import public
from portal.sandbox_gateway.words import LOCALE

API_VERSION = "2025-03-31.basil"
MIN_EXPIRY = 30 * 60
MAX_EXPIRY = 24 * 3600


class ApiError(Exception):
    """An error answer in Stripe's envelope; ``saved`` is False for validation before execution begins."""

    def __init__(
        self,
        status: int,
        type_: str,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        decline_code: str | None = None,
        extra: dict[str, Any] | None = None,
        saved: bool = True,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"type": type_, "message": message}
        if code:
            self.body["code"] = code
        if param:
            self.body["param"] = param
        if decline_code:
            self.body["decline_code"] = decline_code
        self.body.update(extra or {})
        self.saved = saved

    def envelope(self) -> dict[str, Any]:
        return {"error": self.body}


def invalid(message: str, *, param: str | None = None, code: str | None = None) -> ApiError:
    return ApiError(400, "invalid_request_error", message, param=param, code=code, saved=False)


def missing(param: str) -> ApiError:
    return invalid(f"Missing required param: {param}.", param=param, code="parameter_missing")


def no_such(kind: str, object_id: str, param: str = "id") -> ApiError:
    return ApiError(
        404,
        "invalid_request_error",
        f"No such {kind}: '{object_id}'",
        code="resource_missing",
        param=param,
        saved=False,
    )


def _int(params: dict[str, Any], name: str, *, required: bool = False, minimum: int | None = None) -> int | None:
    value = params.get(name)
    if value in (None, ""):
        if required:
            raise missing(name)
        return None
    try:
        number = int(str(value))
    except ValueError:
        raise invalid(f"Invalid integer: {value}", param=name, code="parameter_invalid_integer") from None
    if minimum is not None and number < minimum:
        raise invalid(f"Invalid {name}: must be at least {minimum}", param=name, code="parameter_invalid_integer")
    return number


def _bool(value: Any) -> bool:
    return str(value).lower() == "true"


def _metadata(value: Any, param: str = "metadata") -> dict[str, str]:
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise invalid("Invalid hash", param=param, code="parameter_invalid_hash")
    return {str(k): str(v) for k, v in value.items()}


@dataclass
class Faults:
    """Fault switches the tests set over HTTP (POST /_sandbox/faults)."""

    slow_ms: int = 0
    slow_next: int | None = None  # how many requests are slow; None: all while slow_ms > 0
    fail_next: int = 0  # the next N API requests answer 500 (saved under their idempotency key)
    fail_mode: str = "after"  # "after": the work is done, then 500; "before": 500 without doing it
    drop_webhooks: int = 0  # the next N events are never delivered (-1: all)
    duplicate_webhooks: int = 1  # deliveries per event
    reorder: bool = False  # hold deliveries until /_sandbox/webhooks/flush, then deliver newest first
    pending_refunds: int = 0  # the next N refunds stay pending, as a bank may keep one for days (-1: all)
    webhook_timeout: float = 10.0
    counters: dict[str, int] = field(default_factory=dict)

    def update(self, values: dict[str, Any]) -> None:
        for name, value in values.items():
            if name == "counters" or not hasattr(self, name):
                raise invalid(f"Unknown fault: {name}", param=name)
            current = getattr(self, name)
            if isinstance(current, bool):
                setattr(self, name, value if isinstance(value, bool) else _bool(value))
            elif name == "slow_next":
                setattr(self, name, None if value in (None, "") else int(value))
            elif isinstance(current, int):
                setattr(self, name, int(value))
            elif isinstance(current, float):
                setattr(self, name, float(value))
            else:
                setattr(self, name, str(value))

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items()}


class Gateway:
    def __init__(self, config: GatewayConfig, store: Store) -> None:
        self.config = config
        self.store = store
        self.faults = Faults()
        self.wake: Any = None  # set by the delivery loop: called when a delivery is queued
        self.current_request: dict[str, Any] | None = None  # the API request being executed (for events)

    # --- events -------------------------------------------------------------------------------------

    def emit(self, type_: str, obj: dict[str, Any], request: dict[str, Any] | None = None) -> dict[str, Any]:
        event = {
            "id": new_id("evt_"),
            "object": "event",
            "type": type_,
            "api_version": API_VERSION,
            "created": now(),
            "livemode": False,
            "pending_webhooks": 1,
            "request": request or self.current_request or {"id": None, "idempotency_key": None},
            "data": {"object": public(obj)},
        }
        self.store.insert(event)
        faults = self.faults
        if faults.drop_webhooks:
            if faults.drop_webhooks > 0:
                faults.drop_webhooks -= 1
            event["pending_webhooks"] = 0
            self.store.save(event)
            return event
        for _ in range(max(1, faults.duplicate_webhooks)):
            self.store.add_delivery(event["id"], 0.0, held=faults.reorder)
        if self.wake:
            self.wake()
        return event

    # --- customers and payment methods --------------------------------------------------------------

    def create_customer(self, params: dict[str, Any]) -> dict[str, Any]:
        customer = {
            "id": new_id("cus_", 14),
            "object": "customer",
            "email": params.get("email") or None,
            "name": params.get("name") or None,
            "metadata": _metadata(params.get("metadata")),
            "created": now(),
            "livemode": False,
        }
        return self.store.insert(customer)

    def stored(self, object_id: str, kind: str, param: str = "id") -> dict[str, Any]:
        """The stored object of ``kind`` with that id, or a 404 naming ``param``."""
        found = self.store.get(object_id, kind)
        if found is None:
            raise no_such(kind, object_id, param)
        return found

    def customer(self, customer_id: str, param: str = "id") -> dict[str, Any]:
        return self.stored(customer_id, "customer", param)

    def new_card(self, card: cards.TestCard, exp_month: int = 12, exp_year: int = 2030) -> dict[str, Any]:
        pm = {
            "id": new_id("pm_"),
            "object": "payment_method",
            "type": "card",
            "customer": None,
            "card": {"brand": card.brand, "last4": card.number[-4:], "exp_month": exp_month, "exp_year": exp_year},
            "created": now(),
            "livemode": False,
            # What the card does; the number itself is never stored.
            "_behaviour": card.behaviour,
            "_decline_code": card.decline_code,
            "_attachable": card.attachable,
            "_set_up": False,
        }
        return self.store.insert(pm)

    def new_sbp_method(self) -> dict[str, Any]:
        pm = {
            "id": new_id("pm_"),
            "object": "payment_method",
            "type": "sbp",
            "customer": None,
            "card": None,
            "created": now(),
            "livemode": False,
            "_behaviour": "ok",
            "_attachable": False,
            "_set_up": False,
        }
        return self.store.insert(pm)

    def payment_method(self, pm_id: str, param: str = "payment_method") -> dict[str, Any]:
        if pm_id in cards.TEST_PAYMENT_METHODS:
            return self.new_card(cards.CARDS[cards.TEST_PAYMENT_METHODS[pm_id]])
        return self.stored(pm_id, "payment_method", param)

    def attach(self, pm: dict[str, Any], customer_id: str, set_up: bool) -> bool:
        if not pm.get("_attachable"):
            return False
        pm["customer"] = customer_id
        pm["_set_up"] = pm.get("_set_up") or set_up
        self.store.save(pm)
        return True

    def detach(self, pm_id: str) -> dict[str, Any]:
        pm = self.payment_method(pm_id, "payment_method")
        if not pm.get("customer"):
            raise ApiError(
                400,
                "invalid_request_error",
                "The payment method you provided is not attached to a customer so detachment is impossible.",
                code="payment_method_unexpected_state",
            )
        pm["customer"] = None
        return self.store.save(pm)

    # --- checkout sessions --------------------------------------------------------------------------

    def create_session(self, params: dict[str, Any]) -> dict[str, Any]:
        mode = params.get("mode")
        if not mode:
            raise missing("mode")
        if mode not in ("payment", "setup"):
            raise invalid(f"Invalid mode: {mode}", param="mode")
        success_url = params.get("success_url")
        if not success_url:
            raise missing("success_url")
        customer = params.get("customer") or None
        if customer:
            self.customer(customer, "customer")
        created = now()
        expires_at = _int(params, "expires_at") or created + MAX_EXPIRY
        if not MIN_EXPIRY <= expires_at - created <= MAX_EXPIRY:
            raise invalid("expires_at must be between 30 minutes and 24 hours from now.", param="expires_at")
        lines: list[dict[str, Any]] = []
        total = 0
        currency = "rub"
        if mode == "payment":
            items = params.get("line_items")
            if not items:
                raise missing("line_items")
            if not isinstance(items, list):
                raise invalid("Invalid array", param="line_items", code="parameter_invalid_array")
            for i, item in enumerate(items):
                price = item.get("price_data") if isinstance(item, dict) else None
                if not isinstance(price, dict):
                    raise missing(f"line_items[{i}][price_data]")
                currency = str(price.get("currency") or "")
                if currency != "rub":
                    raise invalid("Only rub is supported.", param=f"line_items[{i}][price_data][currency]")
                unit = _int(price, "unit_amount", required=True, minimum=1)
                quantity = _int(item, "quantity", required=True, minimum=1)
                product = price.get("product_data")
                name = product.get("name") if isinstance(product, dict) else None
                if not name:
                    raise missing(f"line_items[{i}][price_data][product_data][name]")
                lines.append({"name": name, "unit_amount": unit, "quantity": quantity})
                total += (unit or 0) * (quantity or 0)
        else:
            currency = str(params.get("currency") or "")
            if not currency:
                raise missing("currency")
            if not customer:
                raise missing("customer")
        pi_data = params.get("payment_intent_data") or {}
        if not isinstance(pi_data, dict):
            raise invalid("Invalid hash", param="payment_intent_data")
        locale = params.get("locale") or None  # the language of the hosted page (Stripe's ``locale``)
        if locale is not None and not (isinstance(locale, str) and LOCALE.match(locale)):
            raise invalid(f"Invalid locale: {locale}", param="locale")
        session_id = new_id("cs_test_", 40)
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": mode,
            "status": "open",
            "payment_status": "unpaid" if mode == "payment" else "no_payment_required",
            "amount_subtotal": total if mode == "payment" else None,
            "amount_total": total if mode == "payment" else None,
            "currency": currency,
            "customer": customer,
            "client_reference_id": params.get("client_reference_id") or None,
            "metadata": _metadata(params.get("metadata")),
            "payment_intent": None,
            "setup_intent": None,
            "success_url": success_url,
            "cancel_url": params.get("cancel_url") or None,
            "locale": locale,
            "url": f"{self.config.public_url}/c/pay/{session_id}",
            "created": created,
            "expires_at": expires_at,
            "livemode": False,
            "_lines": lines,
            "_pi_data": {
                "metadata": _metadata(pi_data.get("metadata"), "payment_intent_data[metadata]"),
                "description": pi_data.get("description") or None,
                "setup_future_usage": pi_data.get("setup_future_usage") or None,
            },
            "_error": None,
        }
        if mode == "payment" and session["_pi_data"]["setup_future_usage"] and not customer:
            raise missing("customer")
        return self.store.insert(session)

    def session(self, session_id: str) -> dict[str, Any]:
        return self.stored(session_id, "checkout.session")

    def expire_session(self, session_id: str) -> dict[str, Any]:
        session = self.session(session_id)
        if session["status"] != "open":
            raise ApiError(
                400,
                "invalid_request_error",
                f"Only Checkout Sessions with a status of open can be expired. This session has a status of "
                f"{session['status']}.",
                code="checkout_session_unexpected_state",
            )
        return self._expired(session)

    def expire_due(self) -> int:
        due = self.store.due_sessions(now())
        for session in due:
            self._expired(session)
        return len(due)

    def _expired(self, session: dict[str, Any]) -> dict[str, Any]:
        """The open session closed: its page no longer opens, and the portal is told."""
        session["status"] = "expired"
        session["url"] = None
        self.store.save(session)
        self.emit("checkout.session.expired", session)
        return session

    def success_redirect(self, session: dict[str, Any]) -> str:
        return str(session["success_url"]).replace("{CHECKOUT_SESSION_ID}", session["id"])

    def cancel_redirect(self, session: dict[str, Any]) -> str | None:
        url = session.get("cancel_url")
        return str(url).replace("{CHECKOUT_SESSION_ID}", session["id"]) if url else None

    # --- payment intents ----------------------------------------------------------------------------

    def new_intent(
        self,
        amount: int,
        *,
        customer: str | None,
        metadata: dict[str, str],
        description: str | None,
        setup_future_usage: str | None = None,
    ) -> dict[str, Any]:
        pi = {
            "id": new_id("pi_"),
            "object": "payment_intent",
            "amount": amount,
            "amount_received": 0,
            "currency": "rub",
            "customer": customer,
            "payment_method": None,
            "status": "requires_payment_method",
            "description": description,
            "metadata": metadata,
            "latest_charge": None,
            "last_payment_error": None,
            "next_action": None,
            "setup_future_usage": setup_future_usage,
            "canceled_at": None,
            "cancellation_reason": None,
            "created": now(),
            "livemode": False,
        }
        return self.store.insert(pi)

    def intent(self, pi_id: str, param: str = "intent") -> dict[str, Any]:
        return self.stored(pi_id, "payment_intent", param)

    def _fail(self, pi: dict[str, Any], pm: dict[str, Any], code: str, decline_code: str | None, message: str) -> dict:
        error: dict[str, Any] = {
            "type": "card_error",
            "code": code,
            "decline_code": decline_code,
            "message": message,
            "charge": None,
            "payment_method": public(pm),
            "doc_url": f"https://docs.stripe.com/error-codes/{code.replace('_', '-')}",
        }
        pi.update(
            status="requires_payment_method",
            payment_method=None,
            last_payment_error=error,
            next_action=None,
        )
        self.store.save(pi)
        self.emit("payment_intent.payment_failed", pi)
        return error

    def _succeed(self, pi: dict[str, Any], pm: dict[str, Any]) -> None:
        charge = {
            "id": new_id("ch_"),
            "object": "charge",
            "amount": pi["amount"],
            "amount_refunded": 0,
            "refunded": False,
            "currency": pi["currency"],
            "payment_intent": pi["id"],
            "payment_method": pm["id"],
            "status": "succeeded",
            "created": now(),
            "livemode": False,
        }
        self.store.insert(charge)
        pi.update(
            status="succeeded",
            amount_received=pi["amount"],
            payment_method=pm["id"],
            latest_charge=charge["id"],
            last_payment_error=None,
            next_action=None,
        )
        if pi.get("setup_future_usage") and pi.get("customer"):
            self.attach(pm, pi["customer"], set_up=True)
        self.store.save(pi)
        self.emit("payment_intent.succeeded", pi)

    def charge(
        self, pi: dict[str, Any], pm: dict[str, Any], *, off_session: bool, authenticated: bool = False
    ) -> dict[str, Any] | None:
        """Try to pay ``pi`` with ``pm``; None on success, the error (``last_payment_error``) otherwise.

        On-session cards that ask for authentication put the intent into ``requires_action`` and return
        ``{"requires_action": True}`` until the payer approves or fails the step.
        """
        behaviour = pm.get("_behaviour", "ok")
        if behaviour == "decline" or behaviour == "attach_then_fail":
            code = pm.get("_decline_code") or "generic_decline"
            message = cards.DECLINE_MESSAGES.get(code, "Your card was declined.")
            return self._fail(pi, pm, "card_declined", code, message)
        set_up_before = off_session and pm.get("_set_up")
        needs_auth = behaviour == "auth_always" or (behaviour == "auth_setup" and not set_up_before)
        if needs_auth and not authenticated:
            if off_session:
                return self._fail(
                    pi,
                    pm,
                    "authentication_required",
                    "authentication_required",
                    cards.DECLINE_MESSAGES["authentication_required"],
                )
            pi.update(
                status="requires_action",
                payment_method=pm["id"],
                next_action={"type": "redirect_to_url", "redirect_to_url": {"url": None, "return_url": None}},
            )
            self.store.save(pi)
            return {"requires_action": True}
        self._succeed(pi, pm)
        return None

    def create_intent(self, params: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
        amount = _int(params, "amount", required=True, minimum=1)
        currency = params.get("currency")
        if not currency:
            raise missing("currency")
        if currency != "rub":
            raise invalid("Only rub is supported by the sandbox.", param="currency")
        customer = params.get("customer") or None
        if customer:
            self.customer(customer, "customer")
        pm_id = params.get("payment_method") or None
        confirm = _bool(params.get("confirm", "false"))
        off_session = _bool(params.get("off_session", "false"))
        if confirm and not pm_id:
            raise missing("payment_method")
        pm = self.payment_method(pm_id) if pm_id else None
        if pm is not None and customer and pm.get("customer") not in (None, customer):
            raise invalid("The provided PaymentMethod does not belong to this Customer.", param="payment_method")
        if pm is not None and off_session and pm.get("customer") != customer:
            raise invalid(
                "The provided PaymentMethod was previously used without being attached to a Customer.",
                param="payment_method",
            )
        pi = self.new_intent(
            amount or 0,
            customer=customer,
            metadata=_metadata(params.get("metadata")),
            description=params.get("description") or None,
        )
        if pm is not None and not confirm:
            pi.update(status="requires_confirmation", payment_method=pm["id"])
            self.store.save(pi)
        if confirm and pm is not None:
            error = self.charge(pi, pm, off_session=off_session)
            if error is not None and "requires_action" not in error:
                raise ApiError(
                    402,
                    "card_error",
                    error["message"],
                    code=error["code"],
                    decline_code=error["decline_code"],
                    extra={"payment_intent": public(pi), "doc_url": error["doc_url"]},
                )
        return pi

    # --- the hosted page ----------------------------------------------------------------------------

    def session_intent(self, session: dict[str, Any]) -> dict[str, Any]:
        if session.get("payment_intent"):
            return self.intent(session["payment_intent"])
        data = session["_pi_data"]
        pi = self.new_intent(
            session["amount_total"],
            customer=session.get("customer"),
            metadata=data["metadata"],
            description=data["description"],
            setup_future_usage=data["setup_future_usage"],
        )
        session["payment_intent"] = pi["id"]
        self.store.save(session)
        return pi

    def complete_payment(self, session: dict[str, Any]) -> None:
        session.update(status="complete", payment_status="paid", url=None, _error=None, _pending_pm=None)
        self.store.save(session)
        self.emit("checkout.session.completed", session)

    def complete_setup(self, session: dict[str, Any], pm: dict[str, Any]) -> None:
        self.attach(pm, session["customer"], set_up=True)
        seti = {
            "id": new_id("seti_"),
            "object": "setup_intent",
            "status": "succeeded",
            "customer": session["customer"],
            "payment_method": pm["id"],
            "usage": "off_session",
            "metadata": session["metadata"],
            "created": now(),
            "livemode": False,
        }
        self.store.insert(seti)
        session.update(status="complete", setup_intent=seti["id"], url=None, _error=None, _pending_pm=None)
        self.store.save(session)
        self.emit("checkout.session.completed", session)

    def pay_with(self, session: dict[str, Any], pm: dict[str, Any], authenticated: bool = False) -> str:
        """One attempt on the hosted page: "done", "auth" (authentication step) or "failed" (see ``_error``)."""
        if session["mode"] == "setup":
            if not pm.get("_attachable"):
                session["_error"] = cards.DECLINE_MESSAGES.get(pm.get("_decline_code") or "", "Your card was declined.")
                self.store.save(session)
                return "failed"
            if pm["_behaviour"] in ("auth_setup", "auth_always") and not authenticated:
                session["_pending_pm"] = pm["id"]
                self.store.save(session)
                return "auth"
            self.complete_setup(session, pm)
            return "done"
        pi = self.session_intent(session)
        result = self.charge(pi, pm, off_session=False, authenticated=authenticated)
        if result is None:
            self.complete_payment(self.session(session["id"]))
            return "done"
        session = self.session(session["id"])
        if "requires_action" in result:
            session["_pending_pm"] = pm["id"]
            self.store.save(session)
            return "auth"
        session["_error"] = result["message"]
        self.store.save(session)
        return "failed"

    def fail_authentication(self, session: dict[str, Any]) -> None:
        pm = self.payment_method(session["_pending_pm"])
        message = "We are unable to authenticate your payment method. Please choose a different payment method."
        if session["mode"] == "payment":
            pi = self.session_intent(session)
            self._fail(pi, pm, "payment_intent_authentication_failure", None, message)
            session = self.session(session["id"])
        session.update(_error=message, _pending_pm=None)
        self.store.save(session)

    # --- refunds ------------------------------------------------------------------------------------

    def create_refund(self, params: dict[str, Any]) -> dict[str, Any]:
        pi_id = params.get("payment_intent")
        if not pi_id:
            raise missing("payment_intent")
        pi = self.intent(pi_id, "payment_intent")
        amount = _int(params, "amount", minimum=1)
        reason = params.get("reason") or None
        if reason not in (None, "duplicate", "fraudulent", "requested_by_customer"):
            raise invalid(f"Invalid reason: {reason}", param="reason")
        if pi["status"] != "succeeded" or not pi.get("latest_charge"):
            raise ApiError(
                400,
                "invalid_request_error",
                f"This PaymentIntent ({pi_id}) does not have a successful charge to refund.",
                code="charge_not_refundable",
            )
        charge = self.store.get(pi["latest_charge"], "charge") or {}
        remaining = charge["amount"] - charge["amount_refunded"]
        if remaining <= 0:
            raise ApiError(
                400,
                "invalid_request_error",
                f"Charge {charge['id']} has already been refunded.",
                code="charge_already_refunded",
            )
        amount = remaining if amount is None else amount
        if amount > remaining:
            raise ApiError(
                400,
                "invalid_request_error",
                f"Refund amount ({amount}) is greater than unrefunded amount on charge ({remaining})",
                code="amount_too_large",
                param="amount",
            )
        refund = {
            "id": new_id("re_"),
            "object": "refund",
            "amount": amount,
            "currency": pi["currency"],
            "payment_intent": pi["id"],
            "charge": charge["id"],
            "reason": reason,
            "status": "pending" if self.faults.pending_refunds else "succeeded",
            "metadata": _metadata(params.get("metadata")),
            "created": now(),
        }
        if self.faults.pending_refunds > 0:
            self.faults.pending_refunds -= 1
        self.store.insert(refund)
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
        self.store.save(charge)
        self.emit("refund.created", refund)
        self.emit("charge.refunded", charge)
        return refund


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
