"""Resident pages of payments: the pay sheet, the return from the gateway, the history and each payment's page
(with «continue» for a checkout left unfinished), autopay with saved cards."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from litestar import Controller
from litestar import Request
from litestar import Response
from litestar import get
from litestar import post
from litestar.di import NamedDependency
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.params import FromQuery
from litestar.response import Redirect
from litestar.response import Template

from portal.accounts.notify import mails_reach
from portal.accounts.queries import accounts_of_user
from portal.billing import ledger
from portal.core import clock
from portal.core.head import is_head
from portal.core.i18n import gettext
from portal.core.pagination import Paging
from portal.core.parse import parse_id
from portal.core.security import Principal
from portal.core.security import client_ip
from portal.core.security import resident
from portal.core.web import FormData
from portal.core.web import FormErrors
from portal.core.web import Refused
from portal.core.web import flash
from portal.core.web import form_value
from portal.core.web import found
from portal.core.web import render
from portal.core.web import see_other
from portal.core.web import to_gateway
from portal.payments import actions
from portal.payments import forms
from portal.payments import jobs as _jobs  # noqa: F401 (registers the payments jobs)
from portal.payments import queries
from portal.payments import rules
from portal.payments import texts
from portal.payments.gateway import GatewayError
from portal.payments.messages import PAYMENT_RECEIVED
from portal.payments.tables import PaymentPurpose
from portal.payments.tables import PaymentStatus
from portal.settings import get_settings

log = logging.getLogger("portal.payments")


def words() -> dict[str, Any]:
    """What every payments template uses to name statuses and reasons."""
    return {
        "status_label": texts.status_label,
        "refund_status_label": texts.refund_status_label,
        "refund_pending_label": texts.refund_pending_label,
        "status_badge": texts.status_badge,
        "decline_text": texts.decline_text,
    }


def payer_words() -> dict[str, Any]:
    """The words of the payer's own pages: a checkout closed unpaid reads «Не завершён» (texts.payer_status_label)."""
    return {**words(), "status_label": texts.payer_status_label}


def _base_url() -> str:
    return get_settings().base_url


async def provide_payment(principal: NamedDependency[Principal], payment_id: FromPath[int]) -> queries.PaymentView:
    """The payment in the path, if it is on one of the user's accounts (404 for missing and forbidden alike)."""
    found = await queries.payment_for(principal, payment_id)
    if found is None:
        raise NotFoundException()
    return found


async def provide_payable_account(principal: NamedDependency[Principal], account_id: FromPath[int]) -> int:
    """The account in the path, if the user may pay for it (``rules.may_pay`` through the principal)."""
    if not principal.may_on_account(account_id, "pay"):
        raise NotFoundException()
    return account_id


# --- the pay sheet ----------------------------------------------------------------------------------------------


def _sheet_accounts(accounts: list[queries.PayableAccount], only: object) -> list[queries.PayableAccount]:
    """The sheet of one account when one is asked for (the home button's ``?account=``); else all of them."""
    wanted = parse_id(only)
    return [a for a in accounts if a.id == wanted] or accounts


async def _pay_page(
    request: Request,
    principal: Principal,
    accounts: list[queries.PayableAccount],
    form: forms.PayForm,
    *,
    more: bool = False,
    status_code: int = 200,
) -> Template:
    percent = queries.commission_percent()
    return render(
        request,
        "payments/pay.html",
        status_code=status_code,
        accounts=accounts,
        more_accounts=more,
        form=form,
        percent=percent,
        total=forms.typed_total(form, percent),
        min_amount=rules.MIN_AMOUNT,
        max_amount=rules.MAX_AMOUNT,
        pending_note=texts.pending_note,
        unfinished=await queries.unfinished_checkout(principal, [a.id for a in accounts]),
    )


class ResidentPay(Controller):
    """Paying: the sheet (one account from the home button, or several), the gateway's return and cancel."""

    path = "/pay"
    opt = resident()

    @get("/", name="pay_form")
    async def sheet(self, request: Request, principal: NamedDependency[Principal]) -> Template:
        wanted = request.query_params.get("account")
        payable = await queries.payable_accounts(principal)
        accounts = _sheet_accounts(payable, wanted)
        form = forms.initial_pay_form(accounts, wanted, request.query_params.get("period"))
        return await _pay_page(request, principal, accounts, form, more=len(accounts) < len(payable))

    @post("/", name="pay_start", status_code=200)
    async def start(
        self, request: Request, principal: NamedDependency[Principal], data: FormData
    ) -> Response[Any] | Template:
        payable = await queries.payable_accounts(principal)
        accounts = _sheet_accounts(payable, data.get("only"))
        form = forms.read_pay_form(data, accounts)
        if not form.errors:
            try:
                started = await actions.start_checkout(
                    principal, form.items, _base_url(), period=form.period, seen=form.seen
                )
            except actions.PaymentUnavailable:  # the service's outage, said as such: not among the payer's mistakes
                form.unavailable = texts.not_started()
            except actions.SheetOutdated as exc:  # a payment came in while the sheet was open: its amounts of now
                payable = await queries.payable_accounts(principal)
                accounts = _sheet_accounts(payable, data.get("only"))
                form = forms.pay_form_after_credit(form, accounts, exc.accounts)
            else:  # the gateway's own page (another site): a plain redirect, never an HTMX swap
                return Redirect(path=started.url, status_code=303)
        more, status = len(accounts) < len(payable), 503 if form.unavailable else 422
        return await _pay_page(request, principal, accounts, form, more=more, status_code=status)

    @get("/return", name="pay_return")
    async def back(
        self, request: Request, principal: NamedDependency[Principal], session_id: FromQuery[str] = ""
    ) -> Template:
        if is_head(request):  # a link checker's or a preview's: the page as recorded, the gateway not asked
            return await _status_page(request, principal, found(await queries.batch_of_session(principal, session_id)))
        returned = await actions.return_from_checkout(principal, session_id)
        if returned is None:
            raise NotFoundException()
        unheard = None if returned.heard else f"/pay/return?session_id={session_id[:80]}"
        return await _status_page(request, principal, returned.batch, unheard=unheard)

    @get("/cancel", name="pay_cancel")
    async def cancel(
        self, request: Request, principal: NamedDependency[Principal], payment: FromQuery[str] = ""
    ) -> Response[Any]:
        """The gateway's «cancel and return» (a plain link, so a GET): it closes nothing. The payment's page here says
        how the checkout stands (what the gateway already knows, a declined card say, is recorded first) and offers
        «continue» and «cancel» as buttons; a checkout left open closes by itself at its time. A HEAD (a link
        checker's, a preview's) asks the gateway nothing."""
        rows = await queries.batch_for(principal, payment)
        if not rows:
            raise NotFoundException()
        if not is_head(request):
            try:
                await actions.refresh_checkout(rows[0].batch)
            except GatewayError as exc:  # the webhook or reconciliation brings it later
                log.warning("checkout %s not refreshed on return: %s", rows[0].batch, exc)
        return Redirect(path=f"/payments/{rows[0].id}", status_code=303)


# --- history and the page of one payment --------------------------------------------------------------------------


async def _status_page(request: Request, principal: Principal, batch: str, *, unheard: str | None = None) -> Template:
    """The page of one checkout. ``unheard``: the payer is back from the gateway's success page and the gateway
    could not be asked: the payment is shown as being processed (not recorded so) and the page asks again there."""
    rows = await queries.batch_for(principal, batch)
    if not rows:
        raise NotFoundException()
    first = rows[0]
    state = rules.batch_state(r.status for r in rows)
    if unheard and state in (rules.BatchState.OPEN, rules.BatchState.FAILED):
        state = rules.BatchState.PENDING
        unpaid = (PaymentStatus.OPEN, PaymentStatus.FAILED)
        rows = [replace(r, status=PaymentStatus.PENDING) if r.status in unpaid else r for r in rows]
    paid = state == rules.BatchState.PAID
    mailed = (
        paid and first.created_by == principal.user_id and await mails_reach(first.created_by, PAYMENT_RECEIVED.name)
    )
    offer = paid and rules.offers_autopay(
        state,
        first.kind,
        await queries.paid_checkouts_before(principal.user_id or 0, first.id),
        await queries.has_autopay(principal.user_id or 0, [r.account for r in rows]),
    )
    return render(
        request,
        "payments/status.html",
        block="status",
        rows=rows,
        first=first,
        state=state,
        balances=await ledger.balances_of([r.account for r in rows]) if paid else {},
        mailed=mailed,
        total=sum(r.amount for r in rows),
        refunded=sum(r.refunded for r in rows) if paid else 0,
        offer_autopay=offer and any(principal.may_on_account(r.account, "pay") for r in rows),
        until=clock.local(first.expires_at) if first.expires_at else None,
        refresh=unheard or f"/payments/{first.id}",
        mine=rules.is_own_checkout(first.created_by, principal.user_id),
        payers=await queries.payers_as_seen_by(principal.user_id, rows[:1] if first.may_continue else ()),
        **payer_words(),
    )


def _own_checkout(principal: Principal) -> Any:
    """For a page: whether a payment's checkout is the user's to continue or cancel (``rules.is_own_checkout``)."""
    return lambda payment: rules.is_own_checkout(payment.created_by, principal.user_id)


async def _refuse_someone_elses(principal: Principal, payment: queries.PaymentView) -> None:
    """Continuing or cancelling is for the person who started the checkout: another member of the household would
    close or take over the page it may be being paid on this moment. Named as the page names them."""
    if not rules.is_own_checkout(payment.created_by, principal.user_id):
        name = (await queries.payers_as_seen_by(principal.user_id, [payment])).get(payment.created_by or 0)
        refused = (
            gettext("This payment was started by %(name)s: only they can continue or cancel it.", name=name)
            if name
            else gettext(
                "This payment was started by another member of your household: only they can continue or cancel it."
            )
        )
        raise Refused(refused, back=f"/payments/{payment.id}", russian=name or "")


class ResidentPayments(Controller):
    """The history of a resident's payments and the page of each one."""

    path = "/payments"
    opt = resident()
    dependencies = {"payment": Provide(provide_payment)}

    @get("/", name="my_payments")
    async def history(self, request: Request, principal: NamedDependency[Principal], paging: Paging) -> Template:
        page = await queries.payments_of_user(principal, paging)
        payers = await queries.payers_as_seen_by(principal.user_id, [p for p in page.items if p.may_continue])
        # Bank and cash-desk payments are not here: each account's history holds them, linked under the list.
        mine = await accounts_of_user(principal.user_id) if principal.user_id is not None else []
        return render(
            request,
            "payments/list.html",
            page=page,
            mine=_own_checkout(principal),
            payers=payers,
            accounts=[a for a in mine if principal.may_on_account(a.id)],
            **payer_words(),
        )

    @get("/{payment_id:int}", name="payment_status")
    async def status(
        self, request: Request, principal: NamedDependency[Principal], payment: NamedDependency[queries.PaymentView]
    ) -> Template | Response[Any]:
        if payment.replaced_by:  # closed for a newer payment of its account: that one tells how it stands
            return see_other(request, f"/payments/{payment.replaced_by}")
        return await _status_page(request, principal, payment.batch)

    @get("/{payment_id:int}/continue", name="payment_continue_link")
    async def resume_link(self, payment: NamedDependency[queries.PaymentView]) -> Response[Any]:
        """The address «continue» had when it was a link (a bookmark, a prefetcher, a crawler): it changes nothing
        and leads to the payment's page, where «Continue the payment» is a button."""
        return Redirect(path=f"/payments/{payment.id}", status_code=303)

    @post("/{payment_id:int}/continue", name="payment_continue", status_code=200)
    async def resume(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        payment: NamedDependency[queries.PaymentView],
    ) -> Response[Any]:
        """Back to the gateway's page of a checkout left unfinished, while it is open; else its page here. A POST:
        it may close the open session and open a new one (in the language the payer reads now)."""
        await _refuse_someone_elses(principal, payment)
        url = None
        if payment.may_continue:
            try:
                if payment.purpose == PaymentPurpose.UTILITIES:  # in the language the payer reads now
                    url = await actions.resume_checkout(principal, payment.batch, _base_url())
                else:
                    url = await actions.continue_checkout(payment.batch)
            except (GatewayError, actions.PaymentUnavailable):
                flash(request, texts.unavailable(), "error")
        if url:
            return to_gateway(request, url)
        return see_other(request, f"/payments/{payment.id}")

    @post("/{payment_id:int}/cancel", name="payment_cancel", status_code=200)
    async def cancel(
        self, request: Request, principal: NamedDependency[Principal], payment: NamedDependency[queries.PaymentView]
    ) -> Response[Any]:
        """«Cancel the payment» of a checkout left unfinished: its session is closed at the gateway."""
        await _refuse_someone_elses(principal, payment)
        try:
            await actions.cancel_checkout(payment.batch)
        except GatewayError:
            flash(
                request,
                gettext("We could not reach the payment service; the payment will be cancelled automatically."),
                "info",
            )
        return see_other(request, f"/payments/{payment.id}")


# --- autopay --------------------------------------------------------------------------------------------------


async def _autopay_page(
    request: Request,
    principal: Principal,
    errors: FormErrors | None = None,
    status_code: int = 200,
    typed: dict[str, str] | None = None,
) -> Template:
    """The autopay page; after a refused form its fields show what was typed (``typed``), not the defaults."""
    user_id = principal.user_id or 0
    accounts = await queries.payable_accounts(principal)
    return render(
        request,
        "payments/autopay.html",
        status_code=status_code,
        accounts=accounts,
        cards=await queries.cards_of(user_id),
        mandates=await queries.mandates_of(user_id),
        errors=forms.name_autopay_accounts(errors or FormErrors(), accounts),
        typed=typed or {},
        day=queries.autopay_day(),
        **payer_words(),
    )


class ResidentAutopay(Controller):
    """Автоплатёж: saved cards and the monthly charge of each account."""

    path = "/autopay"
    opt = resident()
    dependencies = {"account": Provide(provide_payable_account)}

    @get("/", name="autopay")
    async def index(self, request: Request, principal: NamedDependency[Principal]) -> Template:
        return await _autopay_page(request, principal)

    @post("/cards", name="autopay_add_card", status_code=200)
    async def add_card(self, request: Request, principal: NamedDependency[Principal]) -> Response[Any] | Template:
        try:
            url = await actions.start_card_setup(principal, _base_url(), ip=client_ip(request))
        except GatewayError:
            errors = FormErrors(general=[texts.unavailable()])
            return await _autopay_page(request, principal, errors, 422)
        return Redirect(path=url, status_code=303)

    @get("/cards/return", name="autopay_card_return")
    async def card_return(
        self, request: Request, principal: NamedDependency[Principal], session_id: FromQuery[str] = ""
    ) -> Response[Any]:
        """Back from the gateway's card page: the card is recorded (once) and the payer told. A HEAD (a link checker's,
        a preview's) neither asks the gateway nor takes the payer's «Карта сохранена»."""
        if is_head(request):
            return Redirect(path="/autopay", status_code=303)
        try:
            result = await actions.save_card_from_setup(session_id, principal.user_id) if session_id else "unknown"
        except GatewayError:
            result = "error"
        if result == "unknown":
            raise NotFoundException()
        if result == "card saved":
            flash(request, gettext("The card is saved. Now turn on autopay for an account."))
        else:
            flash(request, gettext("The card was not saved."), "error")
        return Redirect(path="/autopay", status_code=303)

    @post("/cards/{card_id:int}/remove", name="autopay_remove_card", status_code=200)
    async def remove_card(
        self, request: Request, principal: NamedDependency[Principal], card_id: FromPath[int]
    ) -> Response[Any]:
        if not await actions.remove_card(principal, card_id, ip=client_ip(request)):
            raise NotFoundException()
        flash(request, gettext("The card is removed; autopay with it is off."))
        return see_other(request, "/autopay")

    @post("/{account_id:int}", name="autopay_enable", status_code=200)
    async def enable(
        self, request: Request, principal: NamedDependency[Principal], account: NamedDependency[int], data: FormData
    ) -> Response[Any] | Template:
        cards = {c.id for c in await queries.cards_of(principal.user_id or 0)}
        form = forms.read_autopay_form(data, account, cards)
        if form.errors:
            typed = {name: form_value(data, name) for name in (f"card_{account}", f"limit_{account}")}
            return await _autopay_page(request, principal, form.errors, 422, typed)
        assert form.card is not None and form.limit is not None
        await actions.set_up_autopay(principal, account, form.card, form.limit, ip=client_ip(request))
        flash(request, gettext("Autopay is on."))
        return see_other(request, "/autopay")

    @post("/{account_id:int}/off", name="autopay_disable", status_code=200)
    async def disable(
        self, request: Request, principal: NamedDependency[Principal], account: NamedDependency[int]
    ) -> Response[Any]:
        await actions.cancel_autopay(principal, account, ip=client_ip(request))
        flash(request, gettext("Autopay is off."))
        return see_other(request, "/autopay")


# Queries each page may run on an ordinary load (the principal read included), asserted on both engines by
# tests/billing/test_query_budgets.py: a change that adds a query to a page raises its number here, on purpose.
QUERY_BUDGETS: dict[str, int] = {
    "/pay": 6,  # + the unread count at «Ещё» (the navigation); the user's own checkout left unfinished (one line)
    "/payments": 5,  # + the accounts whose histories it links; the unread count at «Ещё» (the navigation)
    "/autopay": 7,  # + the unread count at «Ещё» (the navigation)
}
