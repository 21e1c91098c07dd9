"""Routes of the payments domain: paying, the return page that follows the webhook, autopay, the staff pages."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from portal.billing import ledger
from portal.billing.queries import houses_of
from portal.core.db import from_kopecks
from portal.core.i18n import gettext as _
from portal.core.i18n import lazy, pgettext
from portal.core.pagination import page_request
from portal.core.security import Principal, principal_of, resident, staff
from portal.core.web import FormData, FormErrors, flash, form_value, render, see_other
from portal.payments import jobs as _jobs  # noqa: F401 (registers the payments jobs)
from portal.payments import queries, rules
from portal.payments.gateway import GatewayError
from portal.settings import get_settings

VIEW_ROLES = ("accountant", "manager", "operator")
EXPORT_ROLES = ("accountant", "manager")

STATUS_BADGES = {
    rules.CREATED: "new",
    rules.PENDING: "work",
    rules.SUCCEEDED: "done",
    rules.FAILED: "danger",
    rules.CANCELED: "neutral",
    rules.REFUNDED: "neutral",
    rules.PARTIALLY_REFUNDED: "work",
}


def status_label(status: str) -> str:
    labels = {
        rules.CREATED: pgettext("payment status", "Created"),
        rules.PENDING: pgettext("payment status", "Processing"),
        rules.SUCCEEDED: pgettext("payment status", "Paid"),
        rules.FAILED: pgettext("payment status", "Declined"),
        rules.CANCELED: pgettext("payment status", "Cancelled"),
        rules.REFUNDED: pgettext("payment status", "Refunded"),
        rules.PARTIALLY_REFUNDED: pgettext("payment status", "Partly refunded"),
    }
    return labels.get(status, status)


def _common(**context: Any) -> dict[str, Any]:
    return {
        "status_label": status_label,
        "status_badge": lambda s: STATUS_BADGES.get(s, "neutral"),
        "decline_text": queries.decline_text,
        "from_kopecks": from_kopecks,
        **context,
    }


def _base_url(request: Request) -> str:
    return get_settings().base_url


# --- pay ------------------------------------------------------------------------------------------------------


def _amount_error(problem: str) -> str:
    return {
        "invalid": _("Enter the amount in rubles, for example 1500 or 1500,50."),
        "too_small": _("The smallest payment is 1 ₽."),
        "too_large": _("The largest payment at once is 500 000 ₽. Split it into several payments."),
    }[problem]


async def _pay_page(
    request: Request,
    principal: Principal,
    *,
    values: dict[str, str] | None = None,
    chosen: set[int] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Template:
    accounts = await queries.payable_accounts(principal)
    if values is None:
        values = {str(a.id): f"{a.due:.2f}".replace(".", ",") if a.due > 0 else "" for a in accounts}
    if chosen is None:
        wanted = request.query_params.get("account")
        ids = {a.id for a in accounts}
        if wanted and wanted.isdigit() and int(wanted) in ids:
            chosen = {int(wanted)}
        else:
            chosen = {a.id for a in accounts if a.due > 0} or ({accounts[0].id} if accounts else set())
    percent = queries.commission_percent()
    return render(
        request,
        "payments/pay.html",
        status_code=status_code,
        **_common(
            accounts=accounts,
            values=values,
            chosen=chosen,
            errors=errors or FormErrors(),
            percent=percent,
            min_amount=rules.MIN_AMOUNT,
            max_amount=rules.MAX_AMOUNT,
        ),
    )


@get("/pay", name="pay_form", opt=resident())
async def pay_form(request: Request) -> Template:
    principal = await principal_of(request)
    return await _pay_page(request, principal)


@post("/pay", name="pay_start", opt=resident(), status_code=200)
async def pay_start(request: Request, data: FormData) -> Response[Any] | Template:
    principal = await principal_of(request)
    accounts = {a.id: a for a in await queries.payable_accounts(principal)}
    errors = FormErrors()
    chosen: set[int] = set()
    values: dict[str, str] = {}
    items: list[tuple[queries.PayableAccount, Decimal]] = []
    for account_id, account in accounts.items():
        values[str(account_id)] = form_value(data, f"amount_{account_id}")
        if form_value(data, f"pay_{account_id}"):
            chosen.add(account_id)
            amount = rules.parse_amount(values[str(account_id)])
            problem = rules.amount_problem(amount)
            if problem:
                errors.add(f"amount_{account_id}", _amount_error(problem))
            else:
                assert amount is not None
                items.append((account, amount))
    if not chosen:
        errors.general.append(_("Choose at least one account to pay for."))
    if errors:
        return await _pay_page(request, principal, values=values, chosen=chosen, errors=errors, status_code=422)
    try:
        started = await queries.start_checkout(principal, items, _base_url(request))
    except queries.PaymentUnavailable:
        errors.general.append(
            _("The payment service is not available right now. Nothing was charged. Please try again in a few minutes.")
        )
        return await _pay_page(request, principal, values=values, chosen=chosen, errors=errors, status_code=422)
    # The gateway's own page (another site): a plain redirect, never an HTMX swap.
    return Redirect(path=started.url, status_code=303)


async def _status_page(request: Request, principal: Principal, batch: str, note: str = "") -> Template:
    rows = await queries.batch_view(batch, principal)
    if not rows:
        raise NotFoundException()
    statuses = {r["status"] for r in rows}
    if statuses & rules.PAID_STATUSES:
        state = "paid"
    elif statuses & {rules.PENDING, rules.CREATED}:
        state = "pending"
    elif rules.FAILED in statuses:
        state = "failed"
    else:
        state = "canceled"
    balances = await ledger.balances_of([r["account"] for r in rows]) if state == "paid" else {}
    total = sum((from_kopecks(r["amount_kopecks"]) for r in rows), Decimal("0"))
    return render(
        request,
        "payments/status.html",
        block="status",
        **_common(rows=rows, state=state, balances=balances, total=total, first=rows[0], note=note),
    )


@get("/pay/return", name="pay_return", opt=resident())
async def pay_return(request: Request, session_id: str = "") -> Template:
    principal = await principal_of(request)
    batch = await queries.batch_of_session(session_id, principal) if session_id else None
    if batch is None:
        raise NotFoundException()
    return await _status_page(request, principal, batch)


@get("/pay/cancel", name="pay_cancel", opt=resident())
async def pay_cancel(request: Request, payment: str = "") -> Response[Any]:
    principal = await principal_of(request)
    rows = await queries.batch_view(payment, principal) if payment else []
    if not rows:
        raise NotFoundException()
    try:
        await queries.cancel_batch(payment)
    except GatewayError:
        flash(
            request, _("We could not reach the payment service; the payment will be cancelled automatically."), "info"
        )
    return Redirect(path=f"/payments/{rows[0]['id']}", status_code=303)


@get("/payments", name="my_payments", opt=resident())
async def my_payments(request: Request) -> Template:
    principal = await principal_of(request)
    page = await queries.payments_of_user(
        principal, page_request(request.query_params.get("page"), request.query_params.get("size"))
    )
    return render(request, "payments/list.html", **_common(page=page))


@get("/payments/{payment_id:int}", name="payment_status", opt=resident())
async def payment_status(request: Request, payment_id: int) -> Template:
    principal = await principal_of(request)
    row = await queries.payment_for(principal, payment_id)
    if row is None:
        raise NotFoundException()
    return await _status_page(request, principal, row["batch"])


# --- autopay --------------------------------------------------------------------------------------------------


async def _autopay_page(
    request: Request, principal: Principal, errors: FormErrors | None = None, status_code: int = 200
) -> Template:
    assert principal.user_id is not None
    accounts = await queries.payable_accounts(principal)
    cards = await queries.cards_of(principal.user_id)
    mandates = await queries.mandates_of(principal.user_id)
    return render(
        request,
        "payments/autopay.html",
        status_code=status_code,
        **_common(
            accounts=accounts,
            cards=cards,
            mandates=mandates,
            errors=errors or FormErrors(),
            day=queries.autopay_day(),
        ),
    )


@get("/autopay", name="autopay", opt=resident())
async def autopay(request: Request) -> Template:
    return await _autopay_page(request, await principal_of(request))


@post("/autopay/cards", name="autopay_add_card", opt=resident(), status_code=200)
async def autopay_add_card(request: Request) -> Response[Any] | Template:
    principal = await principal_of(request)
    assert principal.user_id is not None
    try:
        url = await queries.start_card_setup(principal.user_id, _base_url(request))
    except GatewayError:
        errors = FormErrors(general=[_("The payment service is not available right now. Please try again later.")])
        return await _autopay_page(request, principal, errors, 422)
    return Redirect(path=url, status_code=303)


@get("/autopay/cards/return", name="autopay_card_return", opt=resident())
async def autopay_card_return(request: Request, session_id: str = "") -> Response[Any]:
    principal = await principal_of(request)
    assert principal.user_id is not None
    try:
        result = await queries.apply_card_setup(session_id, principal.user_id) if session_id else "unknown"
    except GatewayError:
        result = "error"
    if result == "card saved":
        flash(request, _("The card is saved. Now turn on autopay for an account."))
    elif result == "unknown":
        raise NotFoundException()
    else:
        flash(request, _("The card was not saved."), "error")
    return Redirect(path="/autopay", status_code=303)


@post("/autopay/cards/{card_id:int}/remove", name="autopay_remove_card", opt=resident(), status_code=200)
async def autopay_remove_card(request: Request, card_id: int) -> Response[Any]:
    principal = await principal_of(request)
    assert principal.user_id is not None
    if not await queries.remove_card(principal.user_id, card_id):
        raise NotFoundException()
    flash(request, _("The card is removed; autopay with it is off."))
    return see_other(request, "/autopay")


@post("/autopay/{account_id:int}", name="autopay_enable", opt=resident(), status_code=200)
async def autopay_enable(request: Request, account_id: int, data: FormData) -> Response[Any] | Template:
    principal = await principal_of(request)
    assert principal.user_id is not None
    if not principal.may_on_account(account_id, "pay"):
        raise NotFoundException()
    errors = FormErrors()
    cards = {c["id"] for c in await queries.cards_of(principal.user_id)}
    card = form_value(data, "card")
    if not card.isdigit() or int(card) not in cards:
        errors.add(f"card_{account_id}", _("Choose a saved card."))
    limit = rules.parse_amount(form_value(data, "limit"))
    problem = rules.amount_problem(limit)
    if problem:
        errors.add(f"limit_{account_id}", _amount_error(problem))
    if errors:
        return await _autopay_page(request, principal, errors, 422)
    assert limit is not None
    await queries.enable_autopay(principal.user_id, account_id, int(card), limit)
    flash(request, _("Autopay is on."))
    return see_other(request, "/autopay")


@post("/autopay/{account_id:int}/off", name="autopay_disable", opt=resident(), status_code=200)
async def autopay_disable(request: Request, account_id: int) -> Response[Any]:
    principal = await principal_of(request)
    assert principal.user_id is not None
    if not principal.may_on_account(account_id, "pay"):
        raise NotFoundException()
    await queries.disable_autopay(principal.user_id, account_id)
    flash(request, _("Autopay is off."))
    return see_other(request, "/autopay")


# --- staff ----------------------------------------------------------------------------------------------------


def _parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _staff_filter(request: Request) -> queries.StaffFilter:
    q = request.query_params
    house = q.get("house") or ""
    return queries.StaffFilter(
        status=q.get("status") or "",
        date_from=_parse_date(q.get("from")),
        date_to=_parse_date(q.get("to")),
        house=int(house) if house.isdigit() else None,
        amount_min=rules.parse_amount(q.get("min") or ""),
        amount_max=rules.parse_amount(q.get("max") or ""),
        account=(q.get("account") or "").strip()[:20],
    )


@get("/staff/payments", name="staff_payments", opt=staff(*VIEW_ROLES))
async def staff_payments(request: Request) -> Template:
    principal = await principal_of(request)
    f = _staff_filter(request)
    page = await queries.staff_payments(
        principal, f, page_request(request.query_params.get("page"), request.query_params.get("size"))
    )
    houses = await houses_of(principal.house_ids)
    return render(
        request,
        "payments/staff_list.html",
        **_common(
            page=page,
            f=f,
            houses=houses,
            statuses=rules.STATUSES,
            may_export=principal.has_role(*EXPORT_ROLES),
            may_reconcile=principal.has_role("accountant"),
        ),
    )


EXPORT_HEADER = (
    lazy("Payment no."),
    lazy("Date"),
    lazy("Account"),
    lazy("Address"),
    lazy("Amount"),
    lazy("Refunded"),
    lazy("Status"),
    lazy("Kind"),
)


def _export_rows(rows: list[dict[str, Any]]) -> list[list[Any]]:
    tz_name = get_settings().time_zone
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(tz_name)
    out = []
    for r in rows:
        out.append(
            [
                r["id"],
                r["created_at"].astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                rules.safe_cell(r["number"]),
                rules.safe_cell(f"{r['house_address']}, кв. {r['premise_number']}"),
                from_kopecks(r["amount_kopecks"]),
                from_kopecks(r["refunded_kopecks"]),
                status_label(r["status"]),
                r["kind"],
            ]
        )
    return out


@get("/staff/payments/export.csv", name="staff_payments_csv", opt=staff(*EXPORT_ROLES))
async def staff_payments_csv(request: Request) -> Response[bytes]:
    principal = await principal_of(request)
    rows = await queries.staff_payments_export(principal, _staff_filter(request))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([h() for h in EXPORT_HEADER])
    for row in _export_rows(rows):
        writer.writerow([str(v).replace(".", ",") if isinstance(v, Decimal) else v for v in row])
    return Response(
        content=("\ufeff" + buffer.getvalue()).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="payments.csv"'},
    )


@get("/staff/payments/export.xlsx", name="staff_payments_xlsx", opt=staff(*EXPORT_ROLES))
async def staff_payments_xlsx(request: Request) -> Response[bytes]:
    from openpyxl import Workbook

    principal = await principal_of(request)
    rows = await queries.staff_payments_export(principal, _staff_filter(request))
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Payments"))
    sheet.append([h() for h in EXPORT_HEADER])
    for row in _export_rows(rows):
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return Response(
        content=buffer.getvalue(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="payments.xlsx"'},
    )


@post("/staff/payments/reconcile", name="staff_payments_reconcile", opt=staff("accountant"), status_code=200)
async def staff_reconcile(request: Request) -> Response[Any]:
    try:
        fixed = await queries.reconcile()
    except GatewayError:
        flash(request, _("The payment service did not answer. Try again later."), "error")
    else:
        flash(request, _("Checked with the payment service. Payments updated: %(n)s.", n=fixed))
    return see_other(request, "/staff/payments")


async def _staff_detail(
    request: Request,
    payment_id: int,
    template: str,
    errors: FormErrors | None = None,
    status_code: int = 200,
    values: dict[str, str] | None = None,
) -> Template:
    principal = await principal_of(request)
    row = await queries.staff_payment(principal, payment_id)
    if row is None:
        raise NotFoundException()
    refunds = await queries.refunds_of(payment_id)
    available = from_kopecks(rules.refundable(row["amount_kopecks"], row["refunded_kopecks"], row["status"]))
    return render(
        request,
        template,
        status_code=status_code,
        **_common(
            pay=row,
            refunds=refunds,
            available=available,
            errors=errors or FormErrors(),
            values=values or {"amount": f"{available:.2f}".replace(".", ","), "reason": ""},
            may_refund=principal.has_role("accountant") and available > 0,
        ),
    )


@get("/staff/payments/{payment_id:int}", name="staff_payment", opt=staff(*VIEW_ROLES))
async def staff_payment(request: Request, payment_id: int) -> Template:
    return await _staff_detail(request, payment_id, "payments/staff_detail.html")


@get("/staff/payments/{payment_id:int}/refund", name="staff_refund_form", opt=staff("accountant"))
async def staff_refund_form(request: Request, payment_id: int) -> Template:
    return await _staff_detail(request, payment_id, "payments/staff_refund.html")


@post("/staff/payments/{payment_id:int}/refund", name="staff_refund", opt=staff("accountant"), status_code=200)
async def staff_refund(request: Request, payment_id: int, data: FormData) -> Response[Any] | Template:
    principal = await principal_of(request)
    row = await queries.staff_payment(principal, payment_id)
    if row is None:
        raise NotFoundException()
    values = {"amount": form_value(data, "amount"), "reason": form_value(data, "reason")}
    errors = FormErrors()
    amount = rules.parse_amount(values["amount"])
    if amount is None or amount <= 0:
        errors.add("amount", _("Enter the amount to refund, for example 1500,00."))
    if len(values["reason"]) < 3:
        errors.add("reason", _("Say why the money is returned (it goes to the audit log)."))
    if not form_value(data, "confirm"):
        errors.add("confirm", _("Confirm that the money goes back to the payer's card."))
    if not errors:
        assert amount is not None
        try:
            await queries.refund_payment(
                payment_id, amount, values["reason"], principal, ip=request.client.host if request.client else ""
            )
        except queries.RefundRefused as exc:
            message = {
                "too_large": _("That is more than what is left to refund."),
                "nothing_left": _("This payment has nothing left to refund."),
                "not_paid": _("Only a paid payment can be refunded."),
                "invalid": _("Enter the amount to refund, for example 1500,00."),
            }.get(exc.reason, _("The payment service refused the refund: %(reason)s", reason=exc.message))
            errors.add("amount", message)
    if errors:
        return await _staff_detail(request, payment_id, "payments/staff_refund.html", errors, 422, values)
    flash(request, _("The refund is made and entered in the account's ledger."))
    return see_other(request, f"/staff/payments/{payment_id}")


# Queries each page may run on an ordinary load (the principal read included), asserted on both engines by
# tests/billing/test_query_budgets.py: a change that adds a query to a page raises its number here, on purpose.
QUERY_BUDGETS: dict[str, int] = {
    "/pay": 4,
    "/payments": 3,
    "/autopay": 6,
    "/staff/payments": 4,
}
