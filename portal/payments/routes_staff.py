"""Staff pages of payments: the list with its filters and exports, a payment's page, refunds, reconciliation."""

from __future__ import annotations

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
from litestar.response import Template

from portal.billing.queries import account_ids_by_number
from portal.core.exports import CSV
from portal.core.exports import XLSX
from portal.core.exports import Code
from portal.core.exports import Column
from portal.core.exports import Money
from portal.core.exports import attachment
from portal.core.exports import table
from portal.core.exports import to_csv
from portal.core.exports import to_xlsx
from portal.core.i18n import gettext
from portal.core.i18n import lazy
from portal.core.pagination import Paging
from portal.core.security import Principal
from portal.core.security import StaffRole
from portal.core.security import client_ip
from portal.core.security import staff
from portal.core.threads import written
from portal.core.web import FormData
from portal.core.web import among
from portal.core.web import flash
from portal.core.web import render
from portal.core.web import see_other
from portal.housing.queries import complexes
from portal.housing.queries import houses_in_scope
from portal.payments import actions
from portal.payments import forms
from portal.payments import queries
from portal.payments import texts
from portal.payments.gateway import GatewayError
from portal.payments.routes import words
from portal.payments.tables import PaymentStatus
from portal.settings import get_settings

R = StaffRole
VIEW_ROLES = (R.ACCOUNTANT, R.MANAGER, R.OPERATOR)
EXPORT_ROLES = (R.ACCOUNTANT, R.MANAGER)

EXPORT_COLUMNS: tuple[Column, ...] = (
    (lazy("Payment no."), lambda r: r.id),
    (lazy("Date"), lambda r: r.created_at),
    (lazy("Account"), lambda r: Code(r.number)),
    (lazy("Address"), lambda r: r.address),
    (lazy("Amount"), lambda r: Money.of(r.amount)),
    (lazy("Refunded"), lambda r: Money.of(r.refunded)),
    (lazy("Refund pending"), lambda r: Money.of(r.refund_pending)),
    (lazy("Status"), lambda r: texts.status_label(r.status)),
    (lazy("Paid at"), lambda r: r.paid_at),
    (lazy("Kind"), lambda r: texts.kind_label(r.kind)),
)


async def provide_staff_payment(
    principal: NamedDependency[Principal], payment_id: FromPath[int]
) -> queries.PaymentView:
    """The payment in the path, if its account is in the staff member's houses (404 otherwise)."""
    found = await queries.staff_payment(principal, payment_id)
    if found is None:
        raise NotFoundException()
    return found


async def _detail(
    request: Request,
    principal: Principal,
    payment: NamedDependency[queries.PaymentView],
    template: str,
    form: forms.RefundForm | None = None,
    status_code: int = 200,
) -> Template:
    refunds = await queries.refunds_of(payment.id)
    available = payment.refundable
    form = form or forms.initial_refund_form(available)
    return render(
        request,
        template,
        status_code=status_code,
        pay=payment,
        refunds=refunds,
        available=available,
        errors=form.errors,
        values=form.typed,
        may_refund=principal.has_role(R.ACCOUNTANT) and available > 0,
        accountant=principal.has_role(R.ACCOUNTANT),
        no_gateway_refund=texts.no_gateway_refund(),
        **words(),
    )


Choices = list[tuple[int, str]]


async def _staff_filter(request: Request, principal: Principal) -> tuple[queries.StaffFilter, Choices, Choices]:
    """The list's filters, with the houses and complexes to choose from: a house or complex that is none of the
    user's counts as not read (``core.web.among``), the same whether it is out of reach or not there."""
    houses = [(h.id, h.address) for h in await houses_in_scope(principal)]
    places = [(c.id, c.name) for c in await complexes(principal)]
    f = forms.read_staff_filter(request.query_params)
    mine = {house for house, _ in houses}
    chosen = replace(f, houses=tuple(h for h in f.houses if h in mine), complex=among(f.complex, dict(places)))
    return chosen, houses, places


async def _ledger_of(principal: Principal, typed: str) -> int | None:
    """The account whose whole number the account field holds, in the user's houses: the list's note links to its
    charges and payments, where the payments through banks and the post office (the registries') are."""
    number = typed.strip().lstrip("№#").strip()[:32]
    return (await account_ids_by_number([number], principal)).get(number) if number else None


class StaffPayments(Controller):
    """Payments of the accounts in a staff member's houses (accountants, managers, operators)."""

    path = "/staff/payments"
    opt = staff(*VIEW_ROLES)
    dependencies = {"payment": Provide(provide_staff_payment)}

    @get("/", name="staff_payments")
    async def index(self, request: Request, principal: NamedDependency[Principal], paging: Paging) -> Template:
        q = request.query_params
        f, houses, places = await _staff_filter(request, principal)
        typed, problems = forms.staff_filter_problems(q, f)
        return render(
            request,
            "payments/staff_list.html",
            page=await queries.staff_payments(principal, f, paging),
            totals=await queries.staff_totals(principal, f),
            complex_options=places,
            purposes=[(p, texts.purpose_label(p)) for p in forms.PURPOSES],
            f=f,
            typed=typed,
            problems=problems,
            houses=houses,
            ledger=await _ledger_of(principal, f.account) if f.account else None,
            statuses=[(s.value, texts.status_label(s)) for s in PaymentStatus]
            + [(queries.PAID, texts.paid_label()), (queries.REFUND_PENDING, texts.refund_pending_label())],
            may_export=principal.has_role(*EXPORT_ROLES),
            may_reconcile=principal.has_role(R.ACCOUNTANT),
            **words(),
        )

    @get("/export.csv", name="staff_payments_csv", opt=staff(*EXPORT_ROLES))
    async def export_csv(self, request: Request, principal: NamedDependency[Principal]) -> Response[bytes]:
        rows = await queries.staff_payments_export(principal, (await _staff_filter(request, principal))[0])
        return attachment(await written(to_csv, table(EXPORT_COLUMNS, rows)), CSV, "payments.csv")

    @get("/export.xlsx", name="staff_payments_xlsx", opt=staff(*EXPORT_ROLES))
    async def export_xlsx(self, request: Request, principal: NamedDependency[Principal]) -> Response[bytes]:
        rows = await queries.staff_payments_export(principal, (await _staff_filter(request, principal))[0])
        sheets = [(gettext("Payments"), table(EXPORT_COLUMNS, rows))]
        return attachment(await written(to_xlsx, sheets), XLSX, "payments.xlsx")

    @post("/reconcile", name="staff_payments_reconcile", opt=staff(R.ACCOUNTANT), status_code=200)
    async def reconcile(self, request: Request, principal: NamedDependency[Principal]) -> Response[Any]:
        """As much as fits in a few seconds (``PAYMENT_RECONCILE_SECONDS``); the scheduled run finishes the rest."""
        seconds = get_settings().reconcile_seconds
        try:
            done = await actions.reconcile(actor=principal, ip=client_ip(request), seconds=seconds)
        except GatewayError:
            flash(request, gettext("The payment service did not answer. Try again later."), "error")
        else:
            flash(request, texts.reconciled(done))
        return see_other(request, "/staff/payments")

    @get("/{payment_id:int}", name="staff_payment")
    async def detail(
        self, request: Request, principal: NamedDependency[Principal], payment: NamedDependency[queries.PaymentView]
    ) -> Template:
        return await _detail(request, principal, payment, "payments/staff_detail.html")

    @get("/{payment_id:int}/refund", name="staff_refund_form", opt=staff(R.ACCOUNTANT))
    async def refund_form(
        self, request: Request, principal: NamedDependency[Principal], payment: NamedDependency[queries.PaymentView]
    ) -> Template:
        return await _detail(request, principal, payment, "payments/staff_refund.html")

    @post("/{payment_id:int}/refund", name="staff_refund", opt=staff(R.ACCOUNTANT), status_code=200)
    async def refund(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        payment: NamedDependency[queries.PaymentView],
        data: FormData,
    ) -> Response[Any] | Template:
        form = forms.read_refund_form(data, payment.refundable)
        state = None
        if not form.errors:
            assert form.amount is not None
            ip = request.client.host if request.client else ""
            try:
                state = await actions.refund(principal, payment.id, form.amount, form.reason, ip=ip)
            except actions.RefundRefused as exc:
                form.errors.add("amount", texts.refund_error(exc.reason, exc.message))
        if state is None:
            return await _detail(request, principal, payment, "payments/staff_refund.html", form, 422)
        flash(request, texts.refund_done(state))
        return see_other(request, f"/staff/payments/{payment.id}")


# Queries the staff list may run on an ordinary load (tests/billing/test_query_budgets.py, as in routes.py); one of
# them reads the pending refunds of the page's payments, whatever their number, one counts and sums all it finds,
# two read the complexes to choose from.
QUERY_BUDGETS: dict[str, int] = {
    "/staff/payments": 8,
}
