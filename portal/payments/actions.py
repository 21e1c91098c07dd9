"""Every change of the payments domain, one function per intent: start a checkout, come back from it, cancel or
continue it, apply a gateway event, reconcile, refund, save a card, set up and cancel autopay, run autopay.

The gateway is asked for the truth and the ledger credited once: every change that follows the gateway goes
through ``_apply_outcome`` (payments) or ``_apply_refund`` (refunds), whose conditional updates decide who wins
when two deliveries of one event race; the ledger's unique reference is the last guard. The writes of each step
are one ``atomic()`` unit with their audit event (staff) and outbox rows; gateway calls happen between them, never
inside a transaction.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from time import monotonic
from typing import Any

from piccolo.querystring import QueryString

from portal.accounts.notify import notify
from portal.accounts.principal import load_principal_for
from portal.accounts.tables import Residency
from portal.accounts.tables import User
from portal.billing import ledger
from portal.billing import notes
from portal.core import audit
from portal.core import clock
from portal.core import jobs
from portal.core.db import atomic
from portal.core.db import from_kopecks
from portal.core.db import is_sqlite
from portal.core.db import to_kopecks
from portal.core.i18n import format_money
from portal.core.i18n import get_locale
from portal.core.i18n import gettext
from portal.core.i18n import in_locale
from portal.core.security import Principal
from portal.core.web import Refused
from portal.housing import rules as housing_rules
from portal.housing.tables import PersonalAccount
from portal.payments import messages
from portal.payments import queries
from portal.payments import rules
from portal.payments.gateway import CheckoutSession
from portal.payments.gateway import GatewayClient
from portal.payments.gateway import GatewayError
from portal.payments.gateway import PaymentIntent
from portal.payments.gateway import client
from portal.payments.gateway import out_of_time
from portal.payments.gateway import within
from portal.payments.tables import AUTOPAY_WAITING
from portal.payments.tables import AutopayMandate
from portal.payments.tables import AutopayResult
from portal.payments.tables import AutopayStop
from portal.payments.tables import CardSetup
from portal.payments.tables import CardSetupStatus
from portal.payments.tables import GatewayCustomer
from portal.payments.tables import Payment
from portal.payments.tables import PaymentKind
from portal.payments.tables import PaymentMethod
from portal.payments.tables import PaymentPurpose
from portal.payments.tables import PaymentStatus
from portal.payments.tables import Refund
from portal.payments.tables import RefundStatus
from portal.payments.tables import WebhookEvent
from portal.settings import get_settings

log = logging.getLogger("portal.payments")

S = PaymentStatus


# --- telling the payer ------------------------------------------------------------------------------------------


async def _notify_user(user_id: int | None, template: str, context: dict[str, Any], key: str, link: str) -> None:
    """Queue a message to ``user_id`` (in the caller's transaction): the template (payments.messages) is
    rendered in the recipient's language."""
    if not user_id:
        return
    await notify(user_id, template, context=context, dedupe_key=key, link=link)


# --- payments of other purposes ---------------------------------------------------------------------------------


PurposeEvent = Callable[[str, datetime], Awaitable[None]]


@dataclass(frozen=True)
class PurposeHooks:
    """What the owner of a purpose (the catalog's orders) does, inside the payment's transaction, when a payment
    of one of its references is paid (once) and when a refund of it is made (once per refund)."""

    paid: PurposeEvent
    refunded: PurposeEvent


_purposes: dict[str, PurposeHooks] = {}


def register_purpose(purpose: PaymentPurpose, *, paid: PurposeEvent, refunded: PurposeEvent) -> None:
    """A domain above payments (which payments may not import) takes the payments of ``purpose``."""
    _purposes[str(purpose)] = PurposeHooks(paid, refunded)


# --- starting a checkout ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Started:
    batch: str
    url: str
    first_payment_id: int


class PaymentUnavailable(Exception):
    """The gateway could not start the payment (nothing was charged)."""


class CheckoutUnderway(Refused):
    """No checkout was opened: one of the same debt was paid a moment ago, or could still be paid (open, its page
    kept open after a declined card, being confirmed, or being opened by another request — a second tab, or another
    member of the household paying the same account); a second one could be paid as well.

    The payer's own: they are taken to that payment's page, which tells how it stands. Someone else's (``found``
    started by another user than ``payer``): its page is not theirs to continue or cancel; they stay on the pay sheet
    and are told what is being paid, since when, and that they can pay once it closes unpaid."""

    def __init__(self, found: queries.Underway, payer: int | None = None) -> None:
        by_other = found.created_by is not None and payer is not None and found.created_by != payer
        if by_other:
            message, back = _paid_by_another(found), "/pay"
        elif found.status in rules.PAID_STATUSES:
            message = gettext("A payment of these accounts came in a moment ago; no new payment was opened.")
            back = f"/payments/{found.id}"
        else:
            message = gettext(
                "A payment of these accounts is already open or being confirmed, so a second one was not opened: "
                "the same debt is not paid twice."
            )
            back = f"/payments/{found.id}"
        super().__init__(message, back=back, russian=found.payer_name if by_other else "")
        self.by_other = by_other
        self.found = found
        self.payment_id = found.id
        self.status = found.status


class SheetOutdated(Exception):
    """No checkout was opened: a payment came in on ``accounts`` while the pay sheet was open, so the amounts it
    showed (and the payer submitted) may pay the same debt again. The sheet is shown again with the amounts of now."""

    def __init__(self, accounts: Sequence[int]) -> None:
        super().__init__(f"balance of {list(accounts)} fell since the sheet was shown")
        self.accounts = list(accounts)


def _paid_by_another(found: queries.Underway) -> str:
    """What a co-owner (or another member of the household) is told when the same debt is being paid by someone
    else: who (``found.payer_name``, when they may see them on the account's access list; else «another member of
    your household»), what, since when, and what happens if that payment does not go through."""
    what = ", ".join(gettext("account %(number)s", number=n) for n in found.numbers)
    amount = format_money(found.amount)
    name = found.payer_name
    if found.status in rules.PAID_STATUSES:
        if name:
            return gettext(
                "A payment by %(name)s has just come in: %(what)s, %(amount)s. No new payment was opened, so the "
                "debt is not paid twice.",
                name=name,
                what=what,
                amount=amount,
            )
        return gettext(
            "A payment by another member of your household has just come in: %(what)s, %(amount)s. No new payment "
            "was opened, so the debt is not paid twice.",
            what=what,
            amount=amount,
        )
    since = clock.local(found.created_at).strftime("%H:%M") if found.created_at else ""
    if found.status == S.PENDING:
        if name:
            return gettext(
                "A payment by %(name)s is awaiting the bank's confirmation: %(what)s, %(amount)s, started at "
                "%(time)s. A second payment was not opened: the same debt is not paid twice. If the bank declines "
                "it, you can pay here; the payment history shows how it stands.",
                name=name,
                what=what,
                amount=amount,
                time=since,
            )
        return gettext(
            "A payment by another member of your household is awaiting the bank's confirmation: %(what)s, "
            "%(amount)s, started at %(time)s. A second payment was not opened: the same debt is not paid twice. If "
            "the bank declines it, you can pay here; the payment history shows how it stands.",
            what=what,
            amount=amount,
            time=since,
        )
    until = clock.local(found.expires_at).strftime("%H:%M") if found.expires_at else ""
    if name:
        return gettext(
            "%(name)s is paying now: %(what)s, %(amount)s, started at %(time)s; their payment page is still open. A "
            "second payment was not opened: the same debt is not paid twice. If it is not paid, the page closes by "
            "itself at %(until)s, and then you can pay here; the payment history shows how it stands.",
            name=name,
            what=what,
            amount=amount,
            time=since,
            until=until,
        )
    return gettext(
        "Another member of your household is paying now: %(what)s, %(amount)s, started at %(time)s; their payment "
        "page is still open. A second payment was not opened: the same debt is not paid twice. If it is not paid, "
        "the page closes by itself at %(until)s, and then you can pay here; the payment history shows how it stands.",
        what=what,
        amount=amount,
        time=since,
        until=until,
    )


async def as_seen_by(found: queries.Underway, payer: int | None) -> queries.Underway:
    """``found`` as ``payer`` is told of it: someone else's names who started it (``payer_name``), when ``payer``
    may see them on the access list of one of its accounts (``queries.payer_as_seen_by``)."""
    if found.created_by is not None and payer is not None and found.created_by != payer:
        return replace(found, payer_name=await queries.payer_as_seen_by(payer, found.created_by, found.accounts))
    return found


async def _refusal(found: queries.Underway, payer: int | None) -> CheckoutUnderway:
    """The refusal of ``payer``'s checkout for ``found`` (``as_seen_by``)."""
    return CheckoutUnderway(await as_seen_by(found, payer), payer)


def _underway_of(rows: Sequence[queries.BatchRow], accounts: Sequence[int]) -> queries.Underway:
    """The checkout of ``rows`` as a refusal names it: its part on ``accounts`` (those a new one would pay too)."""
    mine = [r for r in rows if r.account in accounts] or list(rows)
    return queries.Underway(
        id=rows[0].id,
        status=rows[0].status,
        created_by=rows[0].created_by,
        numbers=tuple(r.number for r in mine),
        amount=from_kopecks(sum(r.amount_kopecks for r in mine)),
        accounts=tuple(r.account for r in mine),
    )


async def start_checkout(
    principal: Principal,
    items: Sequence[tuple[queries.PayableAccount, Decimal]],
    base_url: str,
    now: datetime | None = None,
    *,
    period: date | None = None,
    replaces: str | None = None,
    seen: Mapping[int, Decimal] | None = None,
) -> Started:
    """Record the payments, then ask the gateway for a checkout session with one line item per account that
    closes unpaid after ``rules.CHECKOUT_LIFETIME``. ``period``: the billing month of the receipt the payment was
    started from, which it pays first (DOMAIN.md §2.5). A checkout of the same accounts the user left unfinished
    is closed first and replaced by the new one: «continue the payment» on it would charge the same debt a second
    time, and beside the new one it would read «Не завершён» twice in the history. ``replaces``: the
    checkout this one continues in another language (``_mark_replaced``). ``seen``: the balances the pay sheet
    showed; ``SheetOutdated`` when one of the paid accounts' has fallen since (a payment came in meanwhile)."""
    now = now or clock.now()
    closed = [replaces] if replaces else []
    if principal.user_id is not None:
        closed += await _settle_earlier(principal.user_id, [a.id for a, _ in items], now)
    batch = str(uuid.uuid4())
    period = None if period is None else period.replace(day=1)
    percent = queries.commission_percent()
    rows = [
        Payment(
            uid=str(uuid.uuid4()),
            account=account.id,
            amount_kopecks=to_kopecks(amount),
            commission_kopecks=to_kopecks(rules.commission(amount, percent)),
            description=f"ЖКУ, л/с {account.number}",
            period=period,
        )
        for account, amount in items
    ]
    metadata = {"accounts": ",".join(a.number for a, _ in items)[:450]}
    if period is not None:
        metadata["period"] = f"{period:%Y-%m}"
    # The payer reads the lines on the gateway's page: in their language.
    lines = [(gettext("Utilities, account %(number)s", number=a.number), to_kopecks(amount)) for a, amount in items]
    fee = sum(to_kopecks(rules.commission(amount, percent)) for _, amount in items)
    if fee:
        lines.append((gettext("Bank commission"), fee))
    return await _open_checkout(
        principal,
        batch,
        rows,
        lines,
        success_url=f"{base_url}/pay/return?session_id={{CHECKOUT_SESSION_ID}}",
        cancel_url=f"{base_url}/pay/cancel?payment={batch}",
        metadata=metadata,
        description=gettext("Utilities payment"),  # the payment's name at the gateway, as the lines: the payer's words
        now=now,
        closed=closed,
        continued=replaces,
        seen={a.id: seen[a.id] for a, _ in items if a.id in seen} if seen else None,
    )


async def _settle_earlier(user_id: int, accounts: list[int], now: datetime) -> list[str]:
    """Before a new utilities checkout of ``accounts``: the user's own left unfinished are closed (returned: the new
    one takes their place); anyone else's that could still be paid as last heard is asked of the gateway, never
    closed (they may be paying this moment) — one closed unpaid meanwhile (its time ran out, its webhook lost) no
    longer keeps the new one out. ``CheckoutUnderway`` when one of them was paid meanwhile: the sheet's amounts are
    paid."""
    closed = []
    for left in await queries.open_checkouts_of(user_id, accounts, now):
        try:  # closed unpaid, not cancelled: the payer cancelled nothing, they chose to pay anew
            await cancel_checkout(left, by_payer=False)
        except GatewayError as exc:  # still open: the new payment is refused below; reconciliation settles it
            log.warning("unfinished checkout %s not closed: %s", left, exc)
            continue
        closed.append(left)
        await _refuse_if_paid(left, accounts, user_id)
    for other in await queries.others_checkouts(user_id, accounts, now):
        try:
            await refresh_checkout(other)
        except GatewayError as exc:  # as last heard: the new payment is refused below while it could be paid
            log.warning("checkout %s of another payer not asked: %s", other, exc)
            continue
        await _refuse_if_paid(other, accounts, user_id)
    return closed


async def _refuse_if_paid(batch: str, accounts: list[int], user_id: int) -> None:
    ended = await queries.batch_rows(batch)
    if ended and ended[0].status in rules.PAID_STATUSES:
        raise await _refusal(_underway_of(ended, accounts), user_id)


async def start_purpose_checkout(
    principal: Principal,
    *,
    account_id: int,
    amount: Decimal,
    purpose: PaymentPurpose,
    reference: str,
    title: str,
    return_path: str,
    cancel_path: str,
    base_url: str,
    now: datetime | None = None,
    replaces: str | None = None,
) -> Started:
    """A checkout for something other than the account's utilities (an order of paid services): one payment on
    the account, marked with its ``purpose`` and ``reference``, never credited to the ledger. The payer comes back
    to ``return_path`` (``?session_id=`` appended) or, having cancelled, to ``cancel_path``. ``replaces``: the
    checkout of the same reference this one continues in another language."""
    batch = str(uuid.uuid4())
    row = Payment(
        uid=str(uuid.uuid4()),
        account=account_id,
        amount_kopecks=to_kopecks(amount),
        purpose=purpose,
        reference=reference[:64],
        description=title[:255],
    )
    return await _open_checkout(
        principal,
        batch,
        [row],
        [(title[:250], to_kopecks(amount))],
        success_url=f"{base_url}{return_path}?session_id={{CHECKOUT_SESSION_ID}}",
        cancel_url=f"{base_url}{cancel_path}",
        metadata={"purpose": str(purpose), "reference": reference[:64]},
        description=title[:250],
        now=now or clock.now(),
        closed=[replaces] if replaces else [],
        continued=replaces,
    )


async def _open_checkout(
    principal: Principal,
    batch: str,
    rows: list[Payment],
    lines: list[tuple[str, int]],
    *,
    success_url: str,
    cancel_url: str,
    metadata: dict[str, str],
    description: str,
    now: datetime,
    closed: Sequence[str] = (),
    continued: str | None = None,
    seen: Mapping[int, Decimal] | None = None,
) -> Started:
    """Record ``rows`` as one checkout, then ask the gateway for its session (closing unpaid after
    ``rules.CHECKOUT_LIFETIME``); a refusal of the gateway fails the rows and raises ``PaymentUnavailable``.
    Once the session is open, the checkouts ``closed`` unpaid for this one are marked replaced by it (``continued``:
    the one of them this one continues in another language).

    Recorded under a lock of its accounts, and only while no other checkout of the same debt (but those the caller
    ``closed``) could still be paid or is being opened: else ``CheckoutUnderway``. Two «Оплатить» pressed at once
    (two tabs) open one session; the lock is not held while the gateway is asked. ``seen``: the balances the
    payer's amounts were computed from; under the same lock (a payment's credit takes it too), ``SheetOutdated`` when
    one has fallen since."""
    key = str(uuid.uuid4())
    expires_at = now + rules.CHECKOUT_LIFETIME
    ids: list[int] = []
    by_account: dict[int, int] = {}
    async with atomic():
        accounts = sorted({int(row.account) for row in rows})
        await queries.lock_accounts(accounts)
        reference = str(rows[0].reference or "") if rows else ""
        underway = await queries.checkout_underway(accounts, reference, now, closed)
        if underway is not None:
            raise await _refusal(underway, principal.user_id)
        if seen:
            credited = rules.credited_since(seen, await ledger.balances_of(seen))
            if credited:
                raise SheetOutdated(credited)
        for row in rows:
            row.batch = batch
            row.kind = PaymentKind.CHECKOUT
            row.status = S.CREATED
            row.idempotency_key = key
            row.created_by = principal.user_id
            row.expires_at = expires_at
            inserted = await Payment.insert(row).returning(Payment.id, Payment.account)
            ids.append(inserted[0]["id"])
            by_account.setdefault(inserted[0]["account"], inserted[0]["id"])
    try:
        session = await client().create_checkout_session(
            payment_id=batch,
            lines=lines,
            success_url=success_url,
            cancel_url=cancel_url,
            idempotency_key=key,
            metadata=metadata,
            description=description,
            expires_at=int(expires_at.timestamp()),
            locale=get_locale(),  # the gateway's page speaks the payer's language
        )
    except GatewayError as exc:
        log.warning("checkout for batch %s not started: %s", batch, exc)
        # Its page never opened: the payer is told the service was away (not that a card was declined) and is
        # offered to pay again, not to go back to a page that is not there.
        async with atomic():
            await Payment.update(
                {
                    Payment.status: S.FAILED,
                    Payment.failure_code: rules.GATEWAY_UNAVAILABLE,
                    Payment.failure_message: exc.message[:255],
                    Payment.expires_at: clock.now(),
                    Payment.updated_at: clock.now(),
                }
            ).where(Payment.batch == batch)
        raise PaymentUnavailable(str(exc)) from exc
    values: dict[Any, Any] = {Payment.session_id: session.id, Payment.status: S.OPEN, Payment.updated_at: clock.now()}
    if session.expires_at:
        values[Payment.expires_at] = datetime.fromtimestamp(session.expires_at, tz=now.tzinfo)
    async with atomic():
        await Payment.update(values).where((Payment.batch == batch) & (Payment.status == S.CREATED))
        await _mark_replaced(closed, by_account, continued)
    return Started(batch=batch, url=session.url or "", first_payment_id=ids[0])


async def _mark_replaced(batches: Sequence[str], by_account: dict[int, int], continued: str | None = None) -> None:
    """A new checkout took the place of ``batches`` (continued in another language, or a new payment of the same
    accounts closed the payer's unfinished one): each of their payments closed unpaid on an account the new one pays
    (and only those: one paid or declined meanwhile keeps its own place) is replaced by the new payment of its
    account, in one UPDATE. The row stays as it was at the gateway, with its session and key; the payer's history
    leaves it out (else it reads «Не завершён» beside the open one), staff see it and its successor, and whether it
    was ``continued`` in another language or a new payment closed it."""
    if not batches or not by_account:
        return
    accounts = sorted(by_account)
    cases = " ".join("WHEN {} THEN CAST({} AS INTEGER)" for _ in accounts)
    successor = QueryString(f'CASE "account" {cases} END', *[v for a in accounts for v in (a, by_account[a])])
    how = QueryString('"batch" = {}', continued) if continued else False
    await Payment.update(
        {Payment.replaced_by: successor, Payment.continued: how, Payment.updated_at: clock.now()}
    ).where(
        Payment.batch.is_in(sorted(set(batches)))
        & (Payment.status == S.EXPIRED)
        & Payment.replaced_by.is_null()
        & Payment.account.is_in(accounts)
    )


@dataclass(frozen=True)
class Returned:
    """The payer's checkout they came back to, and whether the gateway was heard about it then (``heard``)."""

    batch: str
    heard: bool


async def return_from_checkout(principal: Principal, session_id: str) -> Returned | None:
    """The gateway sent the payer back from its success page (a GET: a reload, a prefetcher, a bookmark alike).
    The checkout, if it is the user's, takes what the gateway says of it now (``refresh_checkout``, as a webhook
    would: only moves ``rules.may_become`` allows, the ledger credited once by its reference), so repeating the
    GET changes nothing more and never records more than the gateway says. The payer's arrival alone is no word of
    the bank: when the gateway cannot be asked nothing is written (``heard`` False; the page shows the payment as
    being processed and asks again)."""
    batch = await queries.batch_of_session(principal, session_id)
    if batch is None:
        return None
    try:
        await refresh_checkout(batch)
    except GatewayError as exc:  # the webhook or reconciliation brings it later
        log.info("checkout %s not asked on the payer's return: %s", batch, exc)
        return Returned(batch, heard=False)
    return Returned(batch, heard=True)


async def refresh_checkout(batch: str) -> PaymentStatus | None:
    """Ask the gateway how a checkout stands now and apply it (the payer's return, before the webhook); the
    status it left, or None for an unknown checkout."""
    applied = await _sync_batch(batch)
    if applied is None:
        return None
    rows = await queries.batch_rows(batch)
    return rows[0].status if rows else None


async def _closed(gateway: GatewayClient, session: CheckoutSession, why: str = "") -> CheckoutSession:
    """The session, closed unpaid if it is still open. The gateway refuses to expire one paid meanwhile (or its
    answer is lost): the session is then asked again, and is as the gateway last left it."""
    if session.status != "open":
        return session
    try:
        return await gateway.expire_session(session.id)
    except GatewayError as exc:
        log.warning("expire %s%s: %s", session.id, why, exc)
        return await gateway.retrieve_session(session.id)


async def cancel_checkout(batch: str, *, by_payer: bool = True) -> None:
    """Close the session (if still open) and apply what it says. ``by_payer``: the payer pressed «Cancel the
    payment», and the payment reads «Отменён»; otherwise (a new payment of the same accounts replaces one left
    unfinished) it is recorded as closed unpaid, as a checkout that ran out of time is: the payer cancelled
    nothing."""
    rows = await queries.batch_rows(batch)
    if not rows or not rows[0].session_id:
        return
    gateway = client()
    session = await _closed(gateway, await gateway.retrieve_session(rows[0].session_id))
    await _apply_session(batch, session, cancelled_by_payer=by_payer)


async def continue_checkout(batch: str, locale: str | None = None) -> str | None:
    """The payer comes back to finish an open checkout: the gateway's page if the session is still open, else
    None (and the payment takes the session's final state).

    ``locale``: the language the payer reads now. A session's page speaks the language it was opened in, and a
    Stripe session's ``locale`` cannot be changed; so an open session of another language is expired (closed
    unpaid; if it was paid meanwhile, expiring is refused and the payment takes that) and None is returned for
    the caller to open a new one in the payer's language. Without ``locale`` the session is resumed as it is."""
    rows = await queries.batch_rows(batch)
    if not rows or rows[0].kind != PaymentKind.CHECKOUT or not rows[0].session_id:
        return None
    gateway = client()
    session = await gateway.retrieve_session(rows[0].session_id)
    if session.status == "open" and session.url and (locale is None or session.locale in ("", locale)):
        return session.url
    await _apply_session(batch, await _closed(gateway, session, " for another language"))
    return None


async def resume_checkout(principal: Principal, batch: str, base_url: str) -> str | None:
    """«Continue the payment» of a utilities checkout, in the language the payer reads now: the open session's page
    when it speaks that language; else (a session's language cannot change) it is closed unpaid and the same
    accounts and amounts are opened again in a new checkout in this language. None when the checkout has ended
    (it then takes its final state) or the payer may no longer pay those accounts."""
    rows = await queries.batch_rows(batch)
    url = await continue_checkout(batch, get_locale())
    if url is not None or not rows:
        return url
    payable = {a.id: a for a in await queries.payable_accounts(principal)}
    after = await queries.batch_rows(batch)
    if not all(r.status == S.EXPIRED and r.account in payable for r in after):
        return None  # paid, failed or still open meanwhile, or no longer the payer's to pay: its own page tells
    items = [(payable[r.account], from_kopecks(r.amount_kopecks)) for r in rows]
    started = await start_checkout(principal, items, base_url, period=rows[0].period, replaces=batch)
    return started.url


# --- applying what the gateway says ---------------------------------------------------------------------------


async def _apply_outcome(
    batch: str, outcome: rules.Outcome, intent_id: str | None = None, method: str = "", *, tell: bool = True
) -> int:
    """Move the payments of ``batch`` to ``outcome``; on success credit the ledger once. Returns rows changed.
    ``method`` (card or СБП) is kept for the dashboard's payments by channel; a failure is told to its payer
    (``tell``) unless the caller tells it otherwise."""
    now = clock.now()
    async with atomic():
        rows = await queries.batch_rows(batch)
        changed = 0
        for row in rows:
            if not rules.may_become(row.status, outcome.status):
                continue
            values: dict[Any, Any] = {Payment.status: outcome.status, Payment.updated_at: now}
            if intent_id:
                values[Payment.intent_id] = intent_id
            if method:
                values[Payment.method] = method
            if outcome.status == S.SUCCEEDED:
                values[Payment.paid_at] = now
                values[Payment.failure_code] = ""
                values[Payment.failure_message] = ""
            elif outcome.status == S.FAILED:
                values[Payment.failure_code] = outcome.code[:64]
                values[Payment.failure_message] = outcome.message[:255]
            updated = (
                await Payment.update(values)
                .where((Payment.id == row.id) & (Payment.status == row.status))
                .returning(Payment.id)
            )
            changed += len(updated)
        if changed:
            await _wake_waiting(sorted({row.account for row in rows}), now)
        if outcome.status == S.SUCCEEDED:
            await _credit(rows, now)
        elif outcome.status == S.FAILED and changed and rows and tell:
            first = rows[0]
            code = outcome.code
            await _notify_user(
                first.created_by,
                messages.PAYMENT_FAILED.name,
                {"code": code},
                f"payment:{batch}:failed:{code}",
                f"/payments/{first.id}",
            )
    return changed


async def _wake_waiting(accounts: list[int], now: datetime) -> None:
    """A payment of these accounts was decided: autopay waiting for it (``queries.due_mandates`` skips a wait
    until its end) looks again at its next run, not only once the payment's time would have run out."""
    await AutopayMandate.update({AutopayMandate.waiting_until: now}).where(
        AutopayMandate.account.is_in(accounts)
        & AutopayMandate.last_status.is_in(list(AUTOPAY_WAITING))
        & ((AutopayMandate.waiting_until > now) | AutopayMandate.waiting_until.is_null())
    )


async def _credit(rows: list[queries.BatchRow], now: datetime) -> None:
    """Credit each account of a paid batch once (the ledger reference is the guard); a payment of another purpose
    is handed to its owner once instead, and never reaches the ledger."""
    for row in rows:
        if row.purpose != PaymentPurpose.UTILITIES:
            await _hand_over(row, now)
    rows = [r for r in rows if r.purpose == PaymentPurpose.UTILITIES]
    posted_any = False
    for row in rows:
        if row.credited_at is not None:
            continue
        posted = await ledger.post_payment(
            row.account,
            from_kopecks(row.amount_kopecks),
            f"payment:{row.uid}",
            now,
            note=notes.ONLINE_PAYMENT.write(number=row.id),
            pays_period=row.period,
        )
        await Payment.update({Payment.credited_at: now}).where((Payment.id == row.id) & Payment.credited_at.is_null())
        posted_any = posted_any or posted
    if posted_any and rows:
        first = rows[0]
        total = sum((from_kopecks(r.amount_kopecks) for r in rows), Decimal("0"))
        numbers = ", ".join(r.number for r in rows)
        await _notify_user(
            first.created_by,
            messages.PAYMENT_RECEIVED.name,
            {"amount": total, "numbers": numbers},
            f"payment:{first.uid}:succeeded",
            f"/payments/{first.id}",
        )


async def _hand_over(row: queries.BatchRow, now: datetime) -> None:
    """A paid payment of another purpose goes to its owner once (claimed by ``credited_at``)."""
    hooks = _purposes.get(str(row.purpose))
    if hooks is None:
        log.warning("payment %s of purpose %s has nobody to take it", row.id, row.purpose)
        return
    claimed = (
        await Payment.update({Payment.credited_at: now})
        .where((Payment.id == row.id) & Payment.credited_at.is_null())
        .returning(Payment.id)
    )
    if claimed:
        await hooks.paid(row.reference, now)


Applied = tuple[rules.Outcome, int]  # what the gateway's state meant, and how many payments it changed


async def _sync_batch(batch: str) -> Applied | None:
    """Ask the gateway how ``batch`` stands now and apply it (webhooks, reconciliation, the payer's return)."""
    rows = await queries.batch_rows(batch)
    if not rows:
        return None
    gateway = client()
    first = rows[0]
    if first.kind == PaymentKind.CHECKOUT:
        session_id = first.session_id
        if not session_id:
            since = int((clock.now() - timedelta(days=2)).timestamp())
            found = await gateway.find_session(batch, since=since)
            if found is None:
                return None
            session_id = found.id
            async with atomic():
                await Payment.update({Payment.session_id: session_id}).where(Payment.batch == batch)
        return await _apply_session(batch, await gateway.retrieve_session(session_id))
    if not first.intent_id:
        return await _charge_again(first) if first.kind == PaymentKind.AUTOPAY else None
    return await _apply_intent(batch, await gateway.retrieve_payment_intent(first.intent_id))


async def _apply_session(batch: str, session: CheckoutSession, *, cancelled_by_payer: bool = False) -> Applied:
    intent: PaymentIntent | None = None
    if session.payment_intent:
        intent = await client().retrieve_payment_intent(session.payment_intent)
    error = intent.last_payment_error if intent else None
    outcome = rules.session_outcome(
        session.status,
        session.payment_status,
        intent.status if intent else None,
        (error.decline_code or error.code) if error else None,
        error.message if error else None,
        cancelled_by_payer=cancelled_by_payer,
    )
    method = await _method_of(intent) if intent and outcome.status == S.SUCCEEDED else ""
    if session.status == "expired":  # its page is closed, whatever time it had left (a declined card's too)
        now = clock.now()
        async with atomic():
            await Payment.update({Payment.expires_at: now}).where((Payment.batch == batch) & (Payment.expires_at > now))
    return outcome, await _apply_outcome(batch, outcome, intent.id if intent else None, method)


async def _method_of(intent: PaymentIntent) -> str:
    """How a paid intent was paid, "card" or "sbp" (the dashboard's channels); "" when the gateway cannot say —
    never a reason to leave a payment unapplied."""
    if not intent.payment_method:
        return ""
    try:
        brand = (await client().retrieve_card(intent.payment_method)).brand
    except Exception:  # the channel is a figure; the payment is what matters
        log.warning("payment method %s of %s could not be read", intent.payment_method, intent.id)
        return ""
    return "sbp" if brand == "sbp" else "card"


async def _apply_intent(batch: str, intent: PaymentIntent) -> Applied:
    error = intent.last_payment_error
    outcome = rules.intent_outcome(
        intent.status,
        (error.decline_code or error.code) if error else None,
        error.message if error else None,
    )
    return outcome, await _apply_outcome(batch, outcome, intent.id)


# --- webhooks ---------------------------------------------------------------------------------------------------


async def _remember_event(event_id: str, type_: str, object_id: str) -> bool:
    """Store the event id once; False when it was processed before (a repeat to skip)."""
    existing = await WebhookEvent.select(WebhookEvent.processed_at).where(WebhookEvent.event_id == event_id).first()
    if existing is not None:
        return existing["processed_at"] is None
    try:
        async with atomic():
            await WebhookEvent.insert(
                WebhookEvent(event_id=event_id[:80], type=type_[:64], object_id=object_id[:80])
            ).on_conflict(target=WebhookEvent.event_id, action="DO NOTHING")
    except Exception:  # a concurrent delivery inserted it first
        return False
    return True


async def apply_webhook_event(event: dict[str, Any]) -> str:
    """Apply one verified gateway event once; returns a short outcome for the log ("duplicate" for a repeat).

    Raises ``GatewayError`` when the object's current state could not be learnt (the gateway delivers again)."""
    event_id = str(event["id"])
    type_ = str(event["type"])
    obj = (event.get("data") or {}).get("object") or {}
    if not isinstance(obj, dict):
        obj = {}
    object_id = str(obj.get("id") or "")
    if not await _remember_event(event_id, type_, object_id):
        return "duplicate"
    outcome = await _apply_event(event_id, type_, obj, object_id)
    async with atomic():
        await WebhookEvent.update({WebhookEvent.processed_at: clock.now(), WebhookEvent.outcome: outcome[:64]}).where(
            WebhookEvent.event_id == event_id
        )
    return outcome


async def _apply_event(event_id: str, type_: str, obj: dict[str, Any], object_id: str) -> str:
    metadata = obj.get("metadata") or {}
    if not isinstance(metadata, dict):
        metadata = {}
    if type_.startswith("checkout.session."):
        if obj.get("mode") == "setup":
            return await save_card_from_setup(object_id)
        batch = await queries.batch_by(session_id=object_id, batch=metadata.get("payment_id"))
    elif type_.startswith("payment_intent."):
        batch = await queries.batch_by(intent_id=object_id, batch=metadata.get("payment_id"))
    elif type_ == "charge.refunded":
        return await _sync_refunds_of_intent(str(obj.get("payment_intent") or ""))
    elif type_.startswith("refund."):
        return await _sync_refund(object_id, metadata.get("refund_id"))
    else:
        return "ignored"
    if batch is None:
        log.info("webhook %s %s for an unknown payment %s", event_id, type_, object_id)
        return "unknown"
    applied = await _sync_batch(batch)
    return applied[0].status if applied else "unknown"


# --- reconciliation ---------------------------------------------------------------------------------------------


RECONCILE_JOB = "payments-reconcile"  # the scheduled reconciliation (``jobs``), started when a staff run stops


@dataclass(frozen=True)
class Reconciled:
    """What a reconciliation changed: the payments brought to the gateway's word, the refunds it ended; how many
    payments and refunds it asked the gateway about, and whether it got through all of them in its time."""

    payments: int = 0
    refunds: int = 0
    checked: int = field(default=0, compare=False)  # how many: work done, not an outcome
    finished: bool = True


async def reconcile(
    since: datetime | None = None, *, actor: Principal | None = None, ip: str = "", seconds: float | None = None
) -> Reconciled:
    """Fix payments whose webhook was lost: list recent payment intents and apply each known one's state, then
    ask about every checkout still without a final word (``rules.needs_check``: an open checkout past its expiry,
    a payment long awaiting confirmation), then finish the refunds still pending (``retry_refunds``). Returns how
    many payments and how many refunds changed; a staff run is audited.

    ``seconds``: asked within a page, it asks the gateway for no longer than that (``gateway.within``), says how
    many it checked, and leaves the rest to the scheduled reconciliation, started at once."""
    with within(seconds):
        done = await _reconciled(since)
    if not done.finished:
        jobs.kick(RECONCILE_JOB)
    if actor is not None:
        async with atomic():
            changes = {"payments": done.payments, "refunds": done.refunds, "checked": done.checked}
            await audit.record(actor, "payment.reconcile", "payment", None, changes, ip=ip)
    return done


async def _reconciled(since: datetime | None) -> Reconciled:
    now = clock.now()
    since = since or now - timedelta(days=3)
    fixed = checked = 0
    seen: set[str] = set()
    try:
        async for intent in client().list_payment_intents(since=int(since.timestamp())):
            batch = intent.metadata.get("payment_id")
            if not batch or batch in seen:
                continue
            seen.add(batch)
            if not await queries.batch_rows(batch) or await queries.all_paid(batch):
                continue
            applied = await _sync_batch(batch)
            fixed, checked = fixed + (applied[1] if applied else 0), checked + 1
        for batch in await queries.batches_to_check(since, now):
            if batch in seen:
                continue
            seen.add(batch)
            try:
                applied = await _sync_batch(batch)
            except GatewayError as exc:
                if out_of_time():
                    raise
                log.warning("reconcile %s: %s", batch, exc)
                continue
            fixed, checked = fixed + (applied[1] if applied else 0), checked + 1
    except GatewayError:
        if not out_of_time():
            raise
        return Reconciled(payments=fixed, checked=checked, finished=False)
    refunds = await _refunds_rechecked()
    return Reconciled(fixed, refunds.refunds, checked + refunds.checked, refunds.finished)


# --- refunds ---------------------------------------------------------------------------------------------------


RefundState = rules.RefundState


class RefundRefused(Exception):
    def __init__(self, reason: rules.RefundProblem | str, message: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.message = message


async def refund(principal: Principal, payment_id: int, amount: Decimal, reason: str, ip: str = "") -> RefundState:
    """An accountant returns ``amount`` of a payment in their houses through the gateway, then the ledger and the
    audit log take it: ``REFUNDED``; ``PENDING`` while the gateway is still working on it (its event finishes it);
    ``UNANSWERED`` when the gateway did not answer (reconciliation asks again). ``RefundRefused`` says why not."""
    payment = await queries.staff_payment(principal, payment_id)
    if payment is None:
        raise RefundRefused(rules.RefundProblem.NOT_PAID)
    if not payment.intent_id:
        no_gateway = payment.stored_status in (S.SUCCEEDED, S.PARTIALLY_REFUNDED)
        raise RefundRefused(rules.RefundProblem.NO_GATEWAY if no_gateway else rules.RefundProblem.NOT_PAID)
    uid = str(uuid.uuid4())
    key = str(uuid.uuid4())
    async with atomic():
        # Asked under the payment's lock: of two refunds at once, the second sees the first's pending one.
        problem = rules.refund_problem(to_kopecks(amount), await queries.refundable_locked(payment_id))
        if problem:
            raise RefundRefused(problem)
        inserted = await Refund.insert(
            Refund(
                uid=uid,
                payment=payment_id,
                amount_kopecks=to_kopecks(amount),
                reason=reason[:255],
                status=RefundStatus.PENDING,
                idempotency_key=key,
                created_by=principal.user_id,
            )
        ).returning(Refund.id)
        await _audit_asked(principal, payment_id, inserted[0]["id"], to_kopecks(amount), reason, ip)
    asked = queries.RefundToSend(
        inserted[0]["id"], uid, key, to_kopecks(amount), payment.intent_id, RefundStatus.PENDING, None
    )
    return await _send_refund(asked, actor=principal, ip=ip)


async def _audit_asked(
    actor: Principal | None, payment_id: int, refund_id: int, kopecks: int, reason: str, ip: str
) -> None:
    """The audit row of a refund asked for, written with it: the log has it (and where it was asked from) while the
    payment service works on it, not only once it is made (``_apply_refund``)."""
    if actor is not None:
        changes = {"refund_id": refund_id, "amount": str(from_kopecks(kopecks)), "reason": reason[:255]}
        await audit.record(actor, "payment.refund_asked", "payment", payment_id, changes, ip=ip)


REFUND_NAMESPACE = uuid.UUID("6f1d3c2e-5a7b-4c8d-9e0f-a1b2c3d4e5f6")


async def refund_purpose(
    purpose: PaymentPurpose, reference: str, reason: str, *, actor: Principal | None = None, ip: str = ""
) -> RefundState:
    """Return what was paid for ``reference`` (an order), once however often it is asked: the refund's id and the
    gateway's idempotency key are derived from the paid payment, so a second call (or a second process) finds the
    first refund, or replays the same request to the gateway, instead of returning the money twice; one asked for
    before and still pending is looked for at the gateway first, as reconciliation does (the gateway forgets a key
    after a day, and the same key then makes another), while one that ended failed is simply asked for again.
    ``actor`` and ``ip``: who asked for it and from where, for its audit rows."""
    payment = await queries.paid_payment_for(purpose, reference)
    if payment is None or not payment.intent_id:
        return RefundState.NONE
    uid = str(uuid.uuid5(REFUND_NAMESPACE, f"{purpose}:{reference}:{payment.id}:{payment.batch}"))
    existing = await queries.refund_to_send(uid)
    unanswered = existing is not None and existing.status == RefundStatus.PENDING
    if existing is None:
        async with atomic():
            available = await queries.refundable_locked(payment.id)
            if available > 0:
                inserted = (
                    await Refund.insert(
                        Refund(
                            uid=uid,
                            payment=payment.id,
                            amount_kopecks=available,
                            reason=reason[:255],
                            status=RefundStatus.PENDING,
                            idempotency_key=uid,
                            created_by=actor.user_id if actor else None,
                        )
                    )
                    .on_conflict(target=Refund.uid, action="DO NOTHING")
                    .returning(Refund.id)
                )
                for row in inserted:  # none when another call inserted it first
                    await _audit_asked(actor, payment.id, row["id"], available, reason, ip)
        existing = await queries.refund_to_send(uid)
        if existing is None:  # nothing left to refund: returned already, or a refund of the rest is pending
            return RefundState.REFUNDED if payment.stored_status == S.REFUNDED else RefundState.PENDING
    if existing.status == RefundStatus.SUCCEEDED:
        return RefundState.REFUNDED
    try:
        state = await _send_refund(existing, actor=actor, ip=ip, look_first=unanswered)
    except RefundRefused:
        return RefundState.FAILED
    return RefundState.PENDING if state == RefundState.UNANSWERED else state


async def _send_refund(
    asked: queries.RefundToSend, *, actor: Principal | None = None, ip: str = "", look_first: bool = False
) -> RefundState:
    """Ask the gateway for a refund, the first time or again (the same key and parameters: the gateway replays what
    it did, or does it now), and record its answer: ``REFUNDED`` (posted), ``PENDING`` (the gateway is working on
    it), or ``UNANSWERED`` (a timeout or a 5xx: the refund stays pending, holding its amount, and reconciliation
    asks again). A definite refusal (``GatewayError.is_refusal``) or a refund answered failed holds nothing and
    raises ``RefundRefused``. ``look_first`` (a retry) looks for the refund the gateway may have made before asking
    again, so a key the gateway has forgotten (after a day) cannot return the money twice."""
    gateway = client()
    try:
        found = await gateway.find_refund(payment_intent=asked.intent_id, refund_id=asked.uid) if look_first else None
        result = found or await gateway.create_refund(
            payment_intent=asked.intent_id,
            amount=asked.amount_kopecks,
            reason="requested_by_customer",
            refund_id=asked.uid,
            idempotency_key=asked.idempotency_key,
        )
    except GatewayError as exc:
        if not exc.is_refusal:
            log.warning("refund %s not confirmed yet: %s", asked.uid, exc)
            return RefundState.UNANSWERED
        await _refund_ended(asked.id, RefundStatus.FAILED, exc.message)
        raise RefundRefused("gateway", exc.message) from exc
    async with atomic():
        await Refund.update({Refund.gateway_refund_id: result.id}).where(
            (Refund.id == asked.id) & Refund.gateway_refund_id.is_null()
        )
    if result.status in (RefundStatus.FAILED, RefundStatus.CANCELED):  # nothing returned: holds nothing
        await _refund_ended(asked.id, result.status)
        raise RefundRefused("gateway", gettext("nothing was returned, the amount may be refunded again"))
    if result.status == "succeeded":
        await _apply_refund(asked.id, actor=actor, ip=ip)
        return RefundState.REFUNDED
    return RefundState.PENDING


async def _refund_ended(refund_id: int, status: RefundStatus | str, message: str = "") -> None:
    """A refund the gateway did not make: it holds nothing from now on (unless it was posted meanwhile)."""
    async with atomic():
        await Refund.update({Refund.status: status, Refund.failure_message: message[:255]}).where(
            (Refund.id == refund_id) & Refund.posted_at.is_null()
        )


async def retry_refunds(limit: int = 50) -> int:
    """Finish the refunds still pending (reconciliation): one the gateway answered is read back, one it did not is
    looked up and, if the gateway never made it, sent again with its own key. Returns how many ended."""
    return (await _refunds_rechecked(limit)).refunds


async def _refunds_rechecked(limit: int = 50) -> Reconciled:
    """``retry_refunds``, saying how many it asked about and whether it asked about all before its time ran out
    (``gateway.within``). Each is marked asked before the gateway is, so the next run takes the others first, even
    if this one fails; one left for lack of time keeps its place."""
    ended = checked = 0
    for asked in await queries.pending_refunds_to_check(limit):
        if out_of_time():
            return Reconciled(refunds=ended, checked=checked, finished=False)
        await _asked(Refund.id == asked.id)
        try:
            if asked.gateway_refund_id:
                state = await _sync_refund(asked.gateway_refund_id, asked.uid)
            else:
                state = await _send_refund(asked, look_first=True)
        except RefundRefused:
            ended += 1
        except GatewayError as exc:
            log.warning("refund %s: %s", asked.uid, exc)
            if out_of_time():  # cut short by the time: the scheduled run asks about it and the rest
                return Reconciled(refunds=ended, checked=checked, finished=False)
        else:
            ended += state in (RefundState.REFUNDED, RefundStatus.FAILED, RefundStatus.CANCELED)
        checked += 1
    return Reconciled(refunds=ended, checked=checked)


async def refunds_asked(purpose: PaymentPurpose, references: list[str]) -> None:
    """The refunds of these references (orders) are about to be asked for again: a retry's next run takes the
    others first (``queries.last_asked``), even if this one fails."""
    if references:
        paid = Payment.select(Payment.id).where((Payment.purpose == purpose) & Payment.reference.is_in(references))
        await _asked(Refund.payment.is_in(paid))


async def _asked(which: Any) -> None:
    async with atomic():
        await Refund.update({Refund.asked_at: clock.now()}).where(which)


async def _apply_refund(refund_id: int, actor: Principal | None = None, ip: str = "") -> bool:
    """Post a succeeded refund to the ledger once, update the payment, and record it in the audit log."""
    now = clock.now()
    async with atomic():
        claimed = (
            await Refund.update({Refund.status: RefundStatus.SUCCEEDED, Refund.posted_at: now})
            .where((Refund.id == refund_id) & Refund.posted_at.is_null())
            .returning(Refund.id, Refund.uid, Refund.payment, Refund.amount_kopecks, Refund.reason, Refund.created_by)
        )
        if not claimed:
            return False
        done = claimed[0]
        payment = (
            await Payment.select(*Payment.all_columns(), Payment.account.number.as_alias("number"))
            .where(Payment.id == done["payment"])
            .first()
        )
        assert payment is not None
        hooks = _purposes.get(payment["purpose"])
        if payment["purpose"] == PaymentPurpose.UTILITIES:
            await ledger.post_refund(
                payment["account"],
                from_kopecks(done["amount_kopecks"]),
                f"refund:{done['uid']}",
                now,
                reason=done["reason"],
            )
            # The payer is told, as they were told of the payment: the money came back and the balance grew.
            await _notify_user(
                payment["created_by"],
                messages.PAYMENT_REFUNDED.name,
                {"amount": from_kopecks(done["amount_kopecks"]), "id": payment["id"], "number": payment["number"]},
                f"refund:{done['uid']}",
                f"/payments/{payment['id']}",
            )
        elif hooks is not None:
            await hooks.refunded(payment["reference"], now)
        refunded = payment["refunded_kopecks"] + done["amount_kopecks"]
        status = rules.status_after_refunds(payment["amount_kopecks"], refunded)
        await Payment.update(
            {Payment.refunded_kopecks: refunded, Payment.status: status, Payment.updated_at: now}
        ).where(Payment.id == payment["id"])
        await audit.record(
            actor,
            "payment.refund",
            "payment",
            payment["id"],
            {
                "refund_id": refund_id,
                "amount": str(from_kopecks(done["amount_kopecks"])),
                "reason": done["reason"],
                "status": [payment["status"], status],
            },
            ip=ip,
        )
    return True


async def _sync_refund(gateway_refund_id: str, refund_uid: str | None) -> str:
    row = None
    if refund_uid:
        row = await Refund.select(Refund.id, Refund.gateway_refund_id).where(Refund.uid == str(refund_uid)[:36]).first()
    if row is None and gateway_refund_id:
        row = (
            await Refund.select(Refund.id, Refund.gateway_refund_id)
            .where(Refund.gateway_refund_id == gateway_refund_id[:80])
            .first()
        )
    if row is None:
        log.info("webhook for an unknown refund %s", gateway_refund_id)
        return "unknown"
    result = await client().retrieve_refund(gateway_refund_id)
    if not row["gateway_refund_id"]:
        async with atomic():
            await Refund.update({Refund.gateway_refund_id: result.id}).where(Refund.id == row["id"])
    if result.status == "succeeded":
        await _apply_refund(row["id"])
        return "refunded"
    if result.status in (RefundStatus.FAILED, RefundStatus.CANCELED):
        await _refund_ended(row["id"], result.status)
    return result.status


async def _sync_refunds_of_intent(intent_id: str) -> str:
    if not intent_id:
        return "ignored"
    rows = await Refund.select(Refund.id, Refund.uid, Refund.gateway_refund_id).where(
        (Refund.payment.intent_id == intent_id[:80]) & Refund.posted_at.is_null()
    )
    for row in rows:
        if row["gateway_refund_id"]:
            await _sync_refund(row["gateway_refund_id"], row["uid"])
    return "refunds synced" if rows else "no pending refunds"


# --- saved cards --------------------------------------------------------------------------------------------------


async def _customer_of(user_id: int) -> str:
    """The user's Customer at the gateway, created on first use."""
    found = await queries.customer_id_of(user_id)
    if found:
        return found
    user = await User.select(User.email, User.full_name).where(User.id == user_id).first()
    customer = await client().create_customer(
        email=(user or {}).get("email"),
        name=(user or {}).get("full_name"),
        reference=str(user_id),
        idempotency_key=f"customer-{user_id}-{uuid.uuid4()}",
    )
    async with atomic():
        await GatewayCustomer.insert(GatewayCustomer(user=user_id, customer_id=customer.id)).on_conflict(
            target=GatewayCustomer.user, action="DO NOTHING"
        )
    return await queries.customer_id_of(user_id) or customer.id


async def start_card_setup(principal: Principal, base_url: str, *, ip: str = "") -> str:
    """A checkout in setup mode: the resident saves a card on the gateway's page. Returns the page's address.
    ``ip``: where they asked from, kept for the audit event of the card once it is saved."""
    assert principal.user_id is not None
    customer = await _customer_of(principal.user_id)
    uid = str(uuid.uuid4())
    async with atomic():
        await CardSetup.insert(CardSetup(uid=uid, user=principal.user_id, ip=ip[:64]))
    session = await client().create_setup_session(
        customer=customer,
        reference=uid,
        success_url=f"{base_url}/autopay/cards/return?session_id={{CHECKOUT_SESSION_ID}}",
        cancel_url=f"{base_url}/autopay",
        idempotency_key=uid,
        locale=get_locale(),
    )
    async with atomic():
        await CardSetup.update({CardSetup.session_id: session.id}).where(CardSetup.uid == uid)
    return session.url or ""


async def save_card_from_setup(session_id: str, user_id: int | None = None) -> str:
    """Record the card a setup checkout saved (from the webhook or the return page), once. Saving a card is the
    resident's money decision staff answer for (autopay may charge it): in the audit log once, signed by the
    resident, with the address they asked to save it from."""
    setup = await queries.card_setup(session_id, user_id)
    if setup is None:
        return "unknown"
    gateway = client()
    session = await gateway.retrieve_session(session_id)
    if session.status != "complete" or not session.setup_intent:
        if session.status == "expired":
            async with atomic():
                await CardSetup.update({CardSetup.status: CardSetupStatus.EXPIRED}).where(CardSetup.id == setup["id"])
        return session.status
    intent = await gateway.retrieve_setup_intent(session.setup_intent)
    if not intent.payment_method:
        return "no card"
    card = await gateway.retrieve_card(intent.payment_method)
    now = clock.now()
    async with atomic():
        saved = (
            await PaymentMethod.insert(
                PaymentMethod(
                    user=setup["user"],
                    gateway_id=card.id,
                    brand=card.brand,
                    last4=card.last4,
                    exp_month=card.exp_month,
                    exp_year=card.exp_year,
                )
            )
            .on_conflict(target=PaymentMethod.gateway_id, action="DO NOTHING")
            .returning(PaymentMethod.id)
        )
        await CardSetup.update({CardSetup.status: CardSetupStatus.COMPLETE}).where(CardSetup.id == setup["id"])
        for row in saved:  # none when the webhook and the return page both came: the first one records it
            owner = await User.select(User.full_name).where(User.id == setup["user"]).first()
            resident = Principal(user_id=setup["user"], name=(owner or {}).get("full_name", ""))
            changes = {"card": f"{card.brand} •••• {card.last4}"}
            await audit.record(resident, "card.save", "card", row["id"], changes, setup["ip"], now=now)
    return "card saved"


async def remove_card(principal: Principal, card_id: int, *, ip: str = "") -> bool:
    """Detach a saved card at the gateway; autopay that used it is switched off at once. The removal is the
    resident's money decision staff answer for: in the audit log with how many accounts' autopay it stopped.
    False: not the user's."""
    assert principal.user_id is not None
    card = await queries.card_of(principal.user_id, card_id)
    if card is None:
        return False
    now = clock.now()
    async with atomic():
        stopped = (
            await AutopayMandate.update({AutopayMandate.active: False, AutopayMandate.updated_at: now})
            .where((AutopayMandate.payment_method == card_id) & AutopayMandate.active.eq(True))
            .returning(AutopayMandate.id)
        )
        await PaymentMethod.update({PaymentMethod.removed_at: now}).where(PaymentMethod.id == card_id)
        await audit.record(principal, "card.remove", "card", card_id, {"autopay_off": len(stopped)}, ip, now=now)
    try:
        await client().detach_card(card.gateway_id)
    except GatewayError as exc:
        log.warning("detach %s: %s", card.gateway_id, exc)
    return True


# --- autopay ----------------------------------------------------------------------------------------------------


async def set_up_autopay(principal: Principal, account_id: int, card_id: int, limit: Decimal, *, ip: str = "") -> None:
    """Turn autopay on (or change its card and limit) for an account the user may pay for, with their card; in the
    audit log with the monthly limit before and after (none before: it was off). Not on a closed account: its debt is
    paid on the pay sheet."""
    assert principal.user_id is not None
    if not principal.may_act_on(account_id, "pay"):
        raise Refused(
            gettext("The account is closed: autopay is not turned on for it. Pay what it owes on the pay page.")
        )
    now = clock.now()
    async with atomic():
        existing = (
            await AutopayMandate.select(AutopayMandate.id, AutopayMandate.active, AutopayMandate.monthly_limit_kopecks)
            .where((AutopayMandate.user == principal.user_id) & (AutopayMandate.account == account_id))
            .first()
        )
        values = {
            AutopayMandate.payment_method: card_id,
            AutopayMandate.monthly_limit_kopecks: to_kopecks(limit),
            AutopayMandate.active: True,
            AutopayMandate.stopped: AutopayStop.NONE,
            AutopayMandate.stopped_at: None,
            AutopayMandate.updated_at: now,
        }
        if existing:
            await AutopayMandate.update(values).where(AutopayMandate.id == existing["id"])
        else:
            await AutopayMandate.insert(
                AutopayMandate(
                    account=account_id,
                    user=principal.user_id,
                    payment_method=card_id,
                    monthly_limit_kopecks=to_kopecks(limit),
                    active=True,
                )
            )
        before = existing["monthly_limit_kopecks"] if existing and existing["active"] else None
        changes = {"limit": [before, to_kopecks(limit)]}
        await audit.record(principal, "autopay.on", "personal_account", account_id, changes, ip, now=now)


async def cancel_autopay(principal: Principal, account_id: int, *, ip: str = "") -> bool:
    """Turn an account's autopay off at once; in the audit log when it was on (a second press writes nothing)."""
    now = clock.now()
    async with atomic():
        changed = (
            await AutopayMandate.update({AutopayMandate.active: False, AutopayMandate.updated_at: now})
            .where(
                (AutopayMandate.user == principal.user_id)
                & (AutopayMandate.account == account_id)
                & AutopayMandate.active.eq(True)
            )
            .returning(AutopayMandate.id)
        )
        if changed:
            await audit.record(principal, "autopay.off", "personal_account", account_id, None, ip, now=now)
    return bool(changed)


async def run_autopay(now: datetime | None = None, limit: int = 200, seconds: float | None = None) -> int:
    """Charge the amount due of every active mandate that ``rules.autopay_due`` says is due (once a month each, and
    again while its month waits for payments still pending), for a user who still ``rules.may_pay`` for the account.
    Goes through them all in batches of ``limit`` by id, until ``seconds`` (setting ``autopay_seconds``) have passed:
    what is left stays due for the next run, and what is done is not read again. Returns how many were charged."""
    now = now or clock.now()
    ends = monotonic() + (get_settings().autopay_seconds if seconds is None else seconds)
    today = clock.local(now).date()
    period = rules.period_key(today)
    month_due = rules.autopay_due(today, "", queries.autopay_day())
    charged, after = 0, 0
    while monotonic() < ends:
        mandates = await queries.due_mandates(period, now, month_due=month_due, after=after, limit=limit)
        charged += await _charge_mandates(mandates, today, period, now, ends)
        if len(mandates) < limit:
            break
        after = mandates[-1]["id"]
    return charged


async def _charge_mandates(mandates: list[dict[str, Any]], today: date, period: str, now: datetime, ends: float) -> int:
    """One batch of ``run_autopay``, in order, until the clock passes ``ends``; returns how many were charged."""
    if not mandates:
        return 0
    residencies = await Residency.select(Residency.user, Residency.account, Residency.role, Residency.rights).where(
        Residency.user.is_in(sorted({m["user"] for m in mandates})) & Residency.revoked_at.is_null()
    )
    payers = {(r["user"], r["account"]) for r in residencies if rules.may_pay(r["role"], r["rights"])}
    charged = 0
    for mandate in mandates:
        if monotonic() >= ends:
            break
        if (mandate["user"], mandate["account"]) not in payers:
            await _stop_autopay(AutopayMandate.id == mandate["id"], AutopayStop.NO_RIGHT)
            continue
        if mandate["pm_removed"] is not None:  # its payer removed the card (``remove_card`` turns it off too)
            async with atomic():
                await AutopayMandate.update({AutopayMandate.active: False}).where(AutopayMandate.id == mandate["id"])
            continue
        if await _charge_mandate(mandate, today, period, now):
            charged += 1
    return charged


async def _lock_account(account_id: int) -> None:
    """Inside the caller's transaction: hold the account's row until it ends (PostgreSQL; SQLite's write
    transactions are serial), so two charges of one account are decided one after the other."""
    if not is_sqlite():
        await PersonalAccount.select(PersonalAccount.id).where(PersonalAccount.id == account_id).lock_rows()


async def _mandate_result(
    mandate_id: int, period: str, status: str, message: str, waiting: queries.Pending | None = None
) -> None:
    """How the mandate's month ended, or what it waits for (``waiting``: the payments still pending)."""
    async with atomic():
        await AutopayMandate.update(
            {
                AutopayMandate.last_period: period,
                AutopayMandate.last_status: status,
                AutopayMandate.last_message: message,
                AutopayMandate.waiting_since: waiting.since if waiting else None,
                AutopayMandate.waiting_until: waiting.until if waiting else None,
                AutopayMandate.updated_at: clock.now(),
            }
        ).where(AutopayMandate.id == mandate_id)


async def _ask_unanswered(account_id: int, payer: int, now: datetime) -> None:
    """A month waiting for a co-owner's autopay charge the gateway has not answered: once the gateway's answer
    window has passed, ask the gateway how the charge stands and record it (as reconciliation does: what it made is
    applied; if it made nothing, the charge is sent again or cancelled), so the wait ends on the gateway's word. No
    answer now: the month keeps waiting, nothing is charged twice."""
    for batch in await queries.unanswered_charges(account_id, payer, now):
        try:
            await _sync_batch(batch)
        except GatewayError as exc:
            log.warning("autopay: the charge %s is still unanswered (%s)", batch, exc)


async def _charge_mandate(mandate: dict[str, Any], today: date, period: str, now: datetime) -> bool:
    """One autopay charge: record the payment, charge the saved card off-session, report a failure."""
    waits = mandate["last_period"] == period and mandate["last_status"] in AUTOPAY_WAITING
    if waits and mandate["waiting_until"] is None:  # for a co-owner's charge the gateway has not answered
        await _ask_unanswered(mandate["account"], mandate["user"], now)
    customer = await queries.customer_id_of(mandate["user"])
    receipt_period = await queries.last_receipt_period(mandate["account"])
    uid = str(uuid.uuid4())
    key = str(uuid.uuid4())
    with in_locale(mandate["locale"]):  # no request here: the payer's language is the one they chose
        description = gettext("Autopay %(period)s, account %(number)s", period=period, number=mandate["number"])
    # Claim the month and record the payment under the account's lock: a second run (or process) never charges the
    # month twice, and a co-owner's mandate of the same account, run after it, sees this charge as pending. The claim
    # is made from the month and result as read (a month waiting for pending payments is claimed again so).
    async with atomic():
        await _lock_account(mandate["account"])
        claimed = (
            await AutopayMandate.update(
                {AutopayMandate.last_period: period, AutopayMandate.last_status: AutopayResult.RUNNING}
            )
            .where(
                (AutopayMandate.id == mandate["id"])
                & AutopayMandate.active.eq(True)
                & (AutopayMandate.last_period == mandate["last_period"])
                & (AutopayMandate.last_status == mandate["last_status"])
            )
            .returning(AutopayMandate.id)
        )
        if not claimed:
            return False
        due = await ledger.amount_due(mandate["account"])
        pending = await queries.pending_of(mandate["account"], mandate["user"], now)
        limit = from_kopecks(mandate["monthly_limit_kopecks"])
        waited = mandate["last_status"] if mandate["last_period"] == period else ""
        amount, why = rules.autopay_amount(due, limit, pending.total, by_others=pending.by_others, waited=waited)
        if amount is not None:
            await Payment.insert(
                Payment(
                    uid=uid,
                    batch=uid,
                    kind=PaymentKind.AUTOPAY,
                    account=mandate["account"],
                    amount_kopecks=to_kopecks(amount),
                    status=S.PENDING,
                    idempotency_key=key,
                    created_by=mandate["user"],
                    description=description,
                    period=receipt_period,
                )
            )
    if amount is None:
        if (
            why == AutopayResult.NOTHING_DUE
            and not pending.total
            and not housing_rules.account_open(mandate["closed_on"], today)
        ):
            await _autopay_closed(mandate, period)
            return False
        await _mandate_result(mandate["id"], period, why, "", pending if why in AUTOPAY_WAITING else None)
        if why == AutopayResult.OVER_LIMIT:
            async with atomic():
                await _notify_user(
                    mandate["user"],
                    messages.AUTOPAY_OVER_LIMIT.name,
                    {"number": mandate["number"], "due": due, "limit": limit},
                    f"autopay:{mandate['id']}:{period}:over_limit",
                    f"/pay?account={mandate['account']}",
                )
        return False
    charge = _Charge(uid, to_kopecks(amount), customer or "", mandate["pm"], description, mandate["id"], period)
    outcome = await _send_charge(charge, key)
    return outcome is not None and outcome.status == S.SUCCEEDED


async def _autopay_closed(mandate: dict[str, Any], period: str) -> None:
    """A closed account (the flat passed to a new owner) whose debt is paid: its autopay has nothing left to do."""
    done = {AutopayMandate.last_period: period, AutopayMandate.last_status: AutopayResult.NOTHING_DUE}
    await _stop_autopay(AutopayMandate.id == mandate["id"], AutopayStop.ACCOUNT_CLOSED, done)


_STOP_MESSAGES = {
    AutopayStop.NO_RIGHT: messages.AUTOPAY_NO_RIGHT,
    AutopayStop.ACCOUNT_CLOSED: messages.AUTOPAY_CLOSED_ACCOUNT,
    AutopayStop.CARD_GONE: messages.AUTOPAY_CARD_GONE,
}


async def _stop_autopay(where: Any, why: AutopayStop, values: dict[Any, Any] | None = None) -> None:
    """Autopay turning itself off: the active mandates ``where`` says are turned off with why and when (and
    ``values``), and each payer is told once, in their language, with the way back to the autopay page (or to the
    home page, for a payer left with no account to open it with)."""
    now = clock.now()
    async with atomic():
        changes = {
            AutopayMandate.active: False,
            AutopayMandate.stopped: why,
            AutopayMandate.stopped_at: now,
            AutopayMandate.updated_at: now,
            **(values or {}),
        }
        stopped = (
            await AutopayMandate.update(changes)
            .where(where & AutopayMandate.active.eq(True))
            .returning(AutopayMandate.id, AutopayMandate.user, AutopayMandate.account, AutopayMandate.payment_method)
        )
        if not stopped:
            return
        accounts = await PersonalAccount.select(PersonalAccount.id, PersonalAccount.number).where(
            PersonalAccount.id.is_in([r["account"] for r in stopped])
        )
        cards = await PaymentMethod.select(PaymentMethod.id, PaymentMethod.last4).where(
            PaymentMethod.id.is_in([r["payment_method"] for r in stopped])
        )
        numbers = {r["id"]: r["number"] for r in accounts}
        last4 = {r["id"]: r["last4"] for r in cards}
        # The autopay page is for residents: someone left with no account (their last one's right taken back) is
        # sent to the home page, which they can still open.
        residents = {u for u in {r["user"] for r in stopped} if (await load_principal_for(u)).is_resident}
        for row in stopped:
            await _notify_user(
                row["user"],
                _STOP_MESSAGES[why].name,
                {"number": numbers[row["account"]], "last4": last4[row["payment_method"]]},
                f"autopay:{row['id']}:stopped:{now.isoformat()}",
                f"/autopay#account-{row['account']}" if row["user"] in residents else "/",
            )


async def _card_gone(mandate_id: int) -> None:
    """The gateway says the card of this mandate can never be charged again (``rules.card_gone``): it is no longer
    offered as a saved card, and every autopay charging it turns itself off and says so."""
    mandate = await AutopayMandate.select(AutopayMandate.payment_method).where(AutopayMandate.id == mandate_id).first()
    if mandate is None:
        return
    card = mandate["payment_method"]
    async with atomic():
        await PaymentMethod.update({PaymentMethod.removed_at: clock.now()}).where(
            (PaymentMethod.id == card) & PaymentMethod.removed_at.is_null()
        )
        await _stop_autopay(AutopayMandate.payment_method == card, AutopayStop.CARD_GONE)


@dataclass(frozen=True)
class _Charge:
    """An autopay charge as sent to the gateway, and the mandate's month it pays."""

    uid: str
    amount_kopecks: int
    customer: str
    payment_method: str
    description: str
    mandate_id: int
    period: str


async def _send_charge(charge: _Charge, key: str) -> rules.Outcome | None:
    """Charge the saved card off-session and apply what the gateway says. No answer (or none saying nothing was
    done) leaves the payment pending, nobody told it failed: reconciliation finds out (``_charge_again``)."""
    try:
        intent = await client().charge_saved_card(
            payment_id=charge.uid,
            amount=charge.amount_kopecks,
            customer=charge.customer,
            payment_method=charge.payment_method,
            description=charge.description,
            idempotency_key=key,
        )
    except GatewayError as exc:
        if not exc.is_refusal:
            await _mandate_result(charge.mandate_id, charge.period, AutopayResult.PENDING, "")
            log.warning("autopay %s: the gateway gave no answer (%s), reconciliation asks again", charge.uid, exc)
            return None
        intent_id = (exc.payment_intent or {}).get("id")
        code = exc.decline_code or exc.code or exc.type
        outcome = rules.Outcome(S.FAILED, code, exc.message)
        gone = rules.card_gone(exc.type, exc.code, exc.decline_code, exc.param)
        await _apply_outcome(charge.uid, outcome, intent_id, tell=not gone)  # autopay's turning off tells why
        await _mandate_result(charge.mandate_id, charge.period, AutopayResult.FAILED, code)
        if gone:
            await _card_gone(charge.mandate_id)
        log.info("autopay %s for mandate %s failed: %s", charge.uid, charge.mandate_id, exc)
        return outcome
    outcome, _ = await _apply_intent(charge.uid, intent)
    await _mandate_result(charge.mandate_id, charge.period, AutopayResult(outcome.status), "")
    return outcome


async def _charge_again(row: queries.BatchRow) -> Applied | None:
    """An autopay charge the gateway gave no answer to, asked about once the gateway answers again: what it made,
    if anything, is applied; if it made nothing, the charge is sent again while the mandate and its card still stand
    and the amount is still due (else the payment is cancelled: nothing was taken). A new key, as the gateway only
    replays the 500 it may have saved under the old one; the key is changed first, by one reconciler only."""
    gateway = client()
    payment = (
        await Payment.select(Payment.idempotency_key, Payment.description, Payment.created_at, Payment.updated_at)
        .where(Payment.id == row.id)
        .first()
    )
    found = await gateway.find_payment_intent(row.uid, since=int(payment["created_at"].timestamp()) - 60)
    if found is not None:
        return await _apply_intent(row.uid, found)
    mandate = await (
        AutopayMandate.select(
            AutopayMandate.id,
            AutopayMandate.last_period,
            AutopayMandate.payment_method.gateway_id.as_alias("pm"),
            AutopayMandate.payment_method.removed_at.as_alias("pm_removed"),
        )
        .where((AutopayMandate.account == row.account) & (AutopayMandate.user == row.created_by))
        .where(AutopayMandate.active.eq(True))
        .first()
    )
    if (
        mandate is None
        or mandate["pm_removed"] is not None
        or await ledger.amount_due(row.account) < from_kopecks(row.amount_kopecks)
    ):
        outcome = rules.Outcome(S.CANCELED)
        return outcome, await _apply_outcome(row.uid, outcome)
    now = clock.now()
    key = str(uuid.uuid4())
    async with atomic():
        claimed = (
            await Payment.update({Payment.idempotency_key: key, Payment.updated_at: now})
            .where((Payment.id == row.id) & (Payment.idempotency_key == payment["idempotency_key"]))
            .where((Payment.status == S.PENDING) & (Payment.updated_at <= now - rules.CONFIRMATION_WAIT))
            .returning(Payment.id)
        )
    if not claimed:
        return None
    customer = await queries.customer_id_of(row.created_by) if row.created_by else None
    charge = _Charge(
        row.uid,
        row.amount_kopecks,
        customer or "",
        mandate["pm"],
        payment["description"],
        mandate["id"],
        mandate["last_period"],
    )
    outcome = await _send_charge(charge, key)
    return None if outcome is None else (outcome, 1)
