"""Pages of billing: the resident's balances, account page and receipts (page, PDF); staff totals, debtors,
the ledger card of an account, the import of charges and the issue of receipts.

A resident sees only accounts the session's user may view (any other id is "not found"); staff see only the
houses they work with.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
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

from portal.accounts.queries import access_code_for
from portal.billing import actions
from portal.billing import channels
from portal.billing import exports
from portal.billing import forms
from portal.billing import importer
from portal.billing import issuing
from portal.billing import key_rates
from portal.billing import ledger
from portal.billing import notes
from portal.billing import outage_reductions
from portal.billing import pdf
from portal.billing import penalties
from portal.billing import queries
from portal.billing import rules
from portal.billing import uploads
from portal.billing.channels import channel_label
from portal.billing.channels import history_page
from portal.billing.channels import payments_and_penalties
from portal.billing.ledger import balances_of
from portal.billing.registry_tables import Channel
from portal.billing.tables import EntryKind
from portal.catalog import queries as catalog_queries
from portal.core import clock
from portal.core.charts import bar_chart
from portal.core.csv_stream import Streamed
from portal.core.exports import CSV
from portal.core.exports import to_csv
from portal.core.exports import to_xlsx
from portal.core.home import register_section
from portal.core.i18n import format_day
from portal.core.i18n import format_percent
from portal.core.i18n import gettext as _
from portal.core.i18n import lazy
from portal.core.i18n import ngettext
from portal.core.labels import Labels
from portal.core.pagination import PageRequest
from portal.core.pagination import Paging
from portal.core.parse import parse_ids
from portal.core.security import Principal
from portal.core.security import client_ip
from portal.core.security import resident
from portal.core.security import staff
from portal.core.threads import written
from portal.core.web import FormData
from portal.core.web import FormErrors
from portal.core.web import MultipartData
from portal.core.web import among
from portal.core.web import flash
from portal.core.web import form_value
from portal.core.web import found
from portal.core.web import is_fragment_request
from portal.core.web import render
from portal.core.web import see_other
from portal.housing.queries import HouseRef
from portal.housing.queries import complexes
from portal.housing.queries import houses_in_scope
from portal.housing.rules import account_open

STAFF = staff("accountant", "manager")
HISTORY_MONTHS = 12
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The monthly penalty job registers itself when its module is imported with the routes.
JOBS = [penalties.monthly_penalties, issuing.work]


_basis_label = Labels(
    {
        "metered": lazy("by the meter"),
        "norm": lazy("by the norm"),
        "average": lazy("by the average"),
    }
).shown
_kind_label = Labels(
    {
        EntryKind.CHARGE: lazy("Charges"),
        EntryKind.PAYMENT: lazy("Payment"),
        EntryKind.PENALTY: lazy("Penalty"),
        EntryKind.CORRECTION: lazy("Balance correction"),
        EntryKind.REFUND: lazy("Refund"),
    }
).shown


def _month_options(periods: list[date]) -> list[tuple[str, str]]:
    return [(rules.period_key(p), format_day(p, "LLLL y")) for p in periods]


def _house_options(houses: list[HouseRef]) -> list[tuple[int, str]]:
    return [(h.id, h.address) for h in houses]


def _entrance_options(entrances: list[int]) -> list[tuple[int, int]]:
    return [(n, n) for n in entrances]


def _helpers() -> dict[str, Any]:
    """Words and choices the billing templates build their labels and selects from."""
    return {
        "basis_label": _basis_label,
        "kind_label": _kind_label,
        "ledger_note": notes.markup,
        "unit_label": forms.unit_label,
        "period_key": rules.period_key,
        "abs": abs,
        "month_options": _month_options,
        "house_options": _house_options,
        "entrance_options": _entrance_options,
    }


async def _home_section(principal: Principal) -> dict[str, Any] | None:
    """Per account of the user: address, balance state, the last receipt; a fixed number of queries."""
    accounts = await queries.home_balances(principal)
    return {"accounts": accounts} if accounts else None


register_section("balances", 10, "billing/_home_balances.html", _home_section)


# --- resident pages ----------------------------------------------------------------------------------


async def provide_resident_account(
    account_id: FromPath[int], principal: NamedDependency[Principal]
) -> queries.AccountInfo:
    """The account in the path, if the resident may view it; 404 for a missing one and for someone else's."""
    return found(await queries.resident_account(principal, account_id))


def _month(text: str) -> date:
    return found(forms.month({"period": text}))


class ResidentBilling(Controller):
    path = "/accounts"
    opt = resident()
    dependencies = {"account": Provide(provide_resident_account)}

    @get("/{account_id:int}", name="billing:account")
    async def account_page(self, request: Request, account: NamedDependency[queries.AccountInfo]) -> Template:
        snapshots = await queries.period_balances(account.id, HISTORY_MONTHS)
        # The newest billed month (this month's payments alone do not make it the month shown), else the newest.
        billed = [s.period for s in snapshots if s.charged]
        latest = (billed or [s.period for s in snapshots] or [rules.month_start(clock.today_local())])[0]
        month = _month(request.query_params["month"]) if request.query_params.get("month") else latest
        first = rules.add_months(month, -(HISTORY_MONTHS - 1))
        # What was charged: a refund or a correction (an opening balance taken over) moves the debt, but is no charge.
        monthly = sorted(((s.period, s.charged) for s in snapshots if s.period >= first), key=lambda x: x[0])
        payments, penalties = await payments_and_penalties(account.id, 12)
        return render(
            request,
            "billing/account.html",
            month=month,
            months=[s.period for s in sorted(snapshots, key=lambda s: s.period)],
            lines=await queries.charges_of_period(account.id, month),
            chart=bar_chart(monthly),
            monthly=monthly,
            payments=payments,
            channel_label=channel_label,
            penalties=penalties,
            outages=[outage_reductions.sentence(r) for r in await outage_reductions.of_account(account.id)],
            certificate=await _certificate(account),
            **await _account_context(account, snapshots),
        )

    @get("/{account_id:int}/history", name="billing:history")
    async def history(
        self, request: Request, account: NamedDependency[queries.AccountInfo], paging: Paging
    ) -> Template:
        """The account's whole history of charges and payments, newest first, a page at a time."""
        page = await history_page(account.id, paging)
        return render(
            request, "billing/history.html", info=account, page=page, channel_label=channel_label, **_helpers()
        )

    @get("/{account_id:int}/charges/{charge_id:int}", name="billing:charge")
    async def charge_page(
        self, request: Request, account: NamedDependency[queries.AccountInfo], charge_id: FromPath[int]
    ) -> Template:
        """Why a charge is that amount (the HTMX fragment of the account page, or a page of its own)."""
        line = found(await queries.charge_line(account.id, charge_id))
        return render(request, "billing/charge.html", block="detail", info=account, line=line, **_helpers())

    @get("/{account_id:int}/receipts/{period:str}", name="billing:receipt")
    async def receipt_page(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        account: NamedDependency[queries.AccountInfo],
        period: FromPath[str],
    ) -> Template:
        view = await _receipt(account, period)
        return render(
            request,
            "billing/receipt.html",
            info=account,
            view=view,
            may_pay=principal.may_on_account(account.id, "pay"),
            # What the pay sheet asks for now: an older receipt was paid since, or more has fallen due.
            due_now=max(Decimal("0.00"), (await balances_of([account.id])).get(account.id, Decimal("0.00"))),
            # Only the account's owners (and staff of its house) see the code that registers it.
            access_code=await access_code_for(principal, account.id),
            **_helpers(),
        )

    @get("/{account_id:int}/receipts/{period:str}/pdf", name="billing:receipt_pdf")
    async def receipt_pdf(
        self,
        principal: NamedDependency[Principal],
        account: NamedDependency[queries.AccountInfo],
        period: FromPath[str],
    ) -> Response[bytes]:
        view = await _receipt(account, period)
        content = await written(pdf.receipt_pdf, account, view, await access_code_for(principal, account.id) or "")
        name = f"receipt-{account.number}-{rules.period_key(view.period)}.pdf"
        return Response(
            content,
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "private, no-store"},
        )


async def _account_context(account: queries.AccountInfo, snapshots: list[queries.PeriodBalance]) -> dict[str, Any]:
    """What the resident's account page and the staff's account card both show: the account, the state of its
    balance, its last receipts (and the billing templates' helpers). The balance is the newest of the monthly
    ``snapshots`` both pages read for their history (newest first), not a statement of its own. A closed account
    says what it owed on the day it closed (``closing_debt``, the ledger's; its owners still pay it)."""
    balance = snapshots[0].closing if snapshots else Decimal("0.00")
    closed = account.closed_on
    return {
        "info": account,
        "closing_debt": await ledger.balance_on(account.id, closed) if closed else None,
        "state": rules.balance_state(balance),
        "receipts": await queries.receipts_of(account.id, HISTORY_MONTHS),
        **_helpers(),
    }


async def _certificate(account: queries.AccountInfo) -> int | None:
    """On a closed account's page, the certificate of no debt its owner may order (the one thing ordered on it):
    the service, when its house offers it and nothing is owed; None on an open account."""
    if account_open(account.closed_on, clock.today_local()):
        return None
    return await catalog_queries.no_debt_orderable(account.id)


async def _receipt(account: queries.AccountInfo, period: str) -> queries.ReceiptView:
    return found(await queries.receipt_view(account.id, _month(period)))


# --- staff -------------------------------------------------------------------------------------------


async def provide_staff_account(
    account_id: FromPath[int], principal: NamedDependency[Principal]
) -> queries.AccountInfo:
    """The account in the path, if it is in the staff member's houses; 404 otherwise."""
    return found(await queries.staff_account(principal, account_id))


# How far back the overview and the debtors list go: as far as the dashboard, whose figures link to them.
REPORT_REACH = 36


async def _report_months(principal: Principal, reach: int = 12) -> tuple[list[date], date]:
    """What the months offered by the reports and the staff's billing forms are made of: the newest ``reach`` billed
    months of the user's houses, newest first, and this month (``offered``)."""
    return await queries.recent_periods(principal, reach), rules.month_start(clock.today_local())


def offered(asked: date | None, periods: list[date], this_month: date) -> date | None:
    """``asked`` when the reports offer it: one of the newest billed months of the user's houses (``periods``) or a
    month since the newest up to this one (the running month's payments); else None, not read. A form posting a month
    (issue, reissue) is refused one the page would not offer, as the page does not read it."""
    if asked is not None and periods and periods[0] < asked <= this_month:
        return asked
    return among(asked, periods)


async def _report_period(request: Request, principal: Principal, reach: int = 12) -> tuple[date, list[date]]:
    """The month a report is about and the months its dropdown offers: the one asked for when ``offered``, else the
    newest; a month older than those offered, or still to come, counts as not read (``forms.month_problems``)."""
    periods, this_month = await _report_months(principal, reach)
    asked = offered(forms.month(request.query_params), periods, this_month)
    if asked is not None and asked not in periods:
        return asked, [asked, *periods]  # a month since the newest billed one: the running month's payments
    return asked or (periods[0] if periods else this_month), periods


async def _months_and_houses(request: Request, principal: Principal) -> dict[str, Any]:
    """A report's months (``period`` … ``until``, one month when no ``until`` is read or it is before the first)
    and houses (``house``, several; every house of the user's when none is read), with what the form offers and what
    it could not read (``problems``)."""
    period, periods = await _report_period(request, principal, REPORT_REACH)
    asked = offered(forms.month(request.query_params, "until"), periods, rules.month_start(clock.today_local()))
    until = asked if asked is not None and asked >= period else period
    every = await houses_in_scope(principal)
    chosen = [h for h in parse_ids(forms.several(request.query_params, "house")) if h in {x.id for x in every}]
    return {
        "period": period,
        "until": until,
        "periods": sorted({*periods, until}, reverse=True),
        "house_choices": _house_options(every),
        "chosen_houses": chosen,
        "problems": forms.overview_problems(request.query_params, period, asked, chosen),
    }


async def _overview(request: Request, principal: Principal) -> dict[str, Any]:
    """The overview's months and houses (``_months_and_houses``), with each house's totals."""
    chosen = await _months_and_houses(request, principal)
    houses = await queries.house_totals(
        chosen["period"], principal, until=chosen["until"], houses=chosen["chosen_houses"]
    )
    return {**chosen, "houses": houses, "totals": queries.sum_totals(houses)}


async def _received_filter(request: Request, principal: Principal) -> tuple[dict[str, Any], channels.ReceivedFilter]:
    """The report's months and houses, and the payments' filter: those credited to them, of the channel asked
    (``channels.RECEIVED_CHANNELS``; one none of them is not read)."""
    chosen = await _months_and_houses(request, principal)
    channel = among(form_value(request.query_params, "channel"), channels.RECEIVED_CHANNELS) or ""
    return chosen, channels.ReceivedFilter(chosen["period"], chosen["until"], tuple(chosen["chosen_houses"]), channel)


def _received_name(f: channels.ReceivedFilter, extension: str) -> str:
    months = rules.period_key(f.period) + ("" if f.until == f.period else f"-{rules.period_key(f.until)}")
    return f"payments-received-{months}.{extension}"


async def _received(request: Request, principal: Principal, paging: PageRequest) -> dict[str, Any]:
    """The payments credited in the report's months and houses, of the channel asked (one it could not read said so)."""
    chosen, f = await _received_filter(request, principal)
    page, paid = await channels.received_page(principal, f, paging)
    forms.channel_problem(request.query_params, f.channel, chosen["problems"])
    return {**chosen, "page": page, "paid": paid, "channel": f.channel, "channel_options": _received_channels()}


def _received_channels() -> list[tuple[str, str]]:
    return [
        (channels.OUTSIDE, _("Outside the portal")),
        (channels.THROUGH_PORTAL, _("Through the portal")),
        (Channel.BANK_REGISTRY.value, _("Bank registries")),
        (Channel.BANK_QR.value, _("Banks, by the receipt's QR")),
        (Channel.CASH_DESK.value, _("Cash desks")),
    ]


def _attached(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


def _download(content: bytes, media_type: str, name: str) -> Response[bytes]:
    return Response(content, media_type=media_type, headers=_attached(name))


class StaffBilling(Controller):
    path = "/staff/billing"
    opt = STAFF
    dependencies = {"account": Provide(provide_staff_account)}

    @get("/", name="billing:staff")
    async def overview(self, request: Request, principal: NamedDependency[Principal]) -> Template:
        return render(request, "billing/staff_overview.html", **await _overview(request, principal), **_helpers())

    @get("/payments", name="billing:received")
    async def received(self, request: Request, principal: NamedDependency[Principal], paging: Paging) -> Template:
        """The payments credited to the months, by channel: those through the portal, and those of banks, post
        offices and cash desks (the dashboard's «other»), which the portal's payments list does not hold."""
        found = await _received(request, principal, paging)
        return render(request, "billing/staff_received.html", **found, channel_label=channel_label, **_helpers())

    @get("/payments.csv", name="billing:received_csv")
    async def received_csv(self, request: Request, principal: NamedDependency[Principal]) -> Streamed:
        _chosen, f = await _received_filter(request, principal)
        rows = exports.received_csv(channels.received_all(principal, f))
        return Streamed(rows, media_type=CSV, headers=_attached(_received_name(f, "csv")))

    @get("/payments.xlsx", name="billing:received_xlsx")
    async def received_xlsx(self, request: Request, principal: NamedDependency[Principal]) -> Response[bytes]:
        _chosen, f = await _received_filter(request, principal)
        content = await exports.received_xlsx(channels.received_all(principal, f))
        return _download(content, XLSX, _received_name(f, "xlsx"))

    @get("/debtors", name="billing:debtors")
    async def debtors(self, request: Request, principal: NamedDependency[Principal], paging: Paging) -> Template:
        period, _ = await _report_period(request, principal, REPORT_REACH)
        filters, houses, entrances = await _debtor_filter(request, principal)
        typed, problems = forms.debtor_filter_problems(request.query_params, filters, period)
        page, owed = await queries.debtors_page(period, filters, principal, paging)
        return render(
            request,
            "billing/staff_debtors.html",
            period=period,
            as_of=rules.report_day(period, clock.today_local()),
            page=page,
            owed=owed,
            filters=filters,
            typed=typed,
            problems=problems,
            houses=houses,
            complex_options=[(c.id, c.name) for c in await complexes(principal)],
            entrances=entrances,
            **_helpers(),
        )

    @get("/debtors.csv", name="billing:debtors_csv")
    async def debtors_csv(self, request: Request, principal: NamedDependency[Principal]) -> Response[bytes]:
        period, rows = await _debtor_rows(request, principal)
        return _download(await written(to_csv, rows), "text/csv", f"debtors-{rules.period_key(period)}.csv")

    @get("/debtors.xlsx", name="billing:debtors_xlsx")
    async def debtors_xlsx(self, request: Request, principal: NamedDependency[Principal]) -> Response[bytes]:
        period, rows = await _debtor_rows(request, principal)
        content = await written(to_xlsx, [(_("Debtors"), rows)])
        return _download(content, XLSX, f"debtors-{rules.period_key(period)}.xlsx")

    @get("/accounts/{account_id:int}", name="billing:staff_account")
    async def account_card(
        self, request: Request, account: NamedDependency[queries.AccountInfo], paging: Paging
    ) -> Template:
        return await _account_card(request, account, paging)

    @post("/accounts/{account_id:int}/reissue", name="billing:reissue", status_code=200)
    async def reissue(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        account: NamedDependency[queries.AccountInfo],
        paging: Paging,
        data: FormData,
    ) -> Response[Any]:
        back = f"/staff/billing/accounts/{account.id}"
        period = forms.month(data)
        if period is None:
            flash(request, _("Choose a billing month."), "error")
            return see_other(request, back)
        if offered(period, *await _report_months(principal)) is None:
            errors = FormErrors(general=[forms.month_not_offered(data)])
            return await _account_card(request, account, paging, errors=errors, status_code=422)
        await actions.reissue_receipt(principal, account.id, period, ip=client_ip(request))
        flash(request, _("The receipt for %(month)s has been issued again.", month=format_day(period, "LLLL y")))
        return see_other(request, back)

    @get("/receipts", name="billing:receipts")
    async def receipts_page(self, request: Request, principal: NamedDependency[Principal]) -> Template:
        return await _receipts_page(request, principal)

    @post("/receipts", name="billing:issue", status_code=200)
    async def issue_receipts(
        self, request: Request, principal: NamedDependency[Principal], data: FormData
    ) -> Response[Any]:
        form = forms.issue_form(data)
        if form.period is not None and offered(form.period, *await _report_months(principal)) is None:
            form.errors.add("period", forms.month_not_offered(data))
        if form.errors or form.period is None:  # the page again, with the house chosen and the message at the month
            return await _receipts_page(request, principal, errors=form.errors, house=form_value(data, "house"))
        _run, started = await issuing.start(principal, form.period, form.house_id, ip=client_ip(request))
        if not started:
            flash(request, _("These receipts are being issued already; their progress is below."), "info")
        return see_other(request, f"/staff/billing/receipts?period={rules.period_key(form.period)}")

    @get("/receipts/progress", name="billing:issue_progress")
    async def issue_progress(self, request: Request, principal: NamedDependency[Principal]) -> Template:
        """The runs of the month's issue alone: what the receipts page polls while one is going (the whole page
        when opened as a page)."""
        if not is_fragment_request(request):
            return await _receipts_page(request, principal)
        period, _periods = await _report_period(request, principal)
        context = {"runs": await issuing.of_month(period, principal), "houses": await houses_in_scope(principal)}
        return render(request, "billing/staff_receipts.html", block="runs", period=period, **context, **_helpers())

    @get("/import", name="billing:import")
    async def import_page(self, request: Request) -> Template:
        return _import_page(request)

    @post("/import", name="billing:import_upload", status_code=200)
    async def import_upload(
        self, request: Request, principal: NamedDependency[Principal], data: MultipartData
    ) -> Response[Any]:
        """First step: keep the file and start checking it off the event loop; its page shows the progress."""
        form = forms.upload_form(data)
        if form.errors or form.upload is None or form.period is None:
            return _import_page(request, 422, period=form.period_text, errors=form.errors)
        token = await uploads.start(form.upload.file, form.upload.filename, form.period, principal)
        return see_other(request, f"/staff/billing/import/{token}")

    @get("/import/{token:str}", name="billing:import_job")
    async def import_job(
        self, request: Request, principal: NamedDependency[Principal], token: FromPath[str]
    ) -> Template:
        """The check's progress, then its result: every row's problems, or the totals and the button to apply."""
        job = _job(token, principal)
        parsed = uploads.result(job)
        if parsed is not None:
            await importer.check_against_db(parsed, job.month, principal)
        status = 422 if job.state is uploads.State.LOST or (parsed is not None and parsed.problems) else 200
        services = await queries.services_by_code()  # their names are Russian: the page marks them so (own_html)
        context = {"job": job, "parsed": parsed, "services": services, "period": job.period}  # the form keeps it
        return _import_page(request, status, block="job", **context)

    @post("/import/apply", name="billing:import_apply", status_code=200)
    async def import_apply(
        self, request: Request, principal: NamedDependency[Principal], data: FormData
    ) -> Response[Any]:
        """Second step: write the checked rows in one transaction (the same file twice changes nothing)."""
        job = uploads.job(form_value(data, "token"), principal)
        parsed = uploads.result(job) if job is not None else None
        if job is None or parsed is None:
            flash(request, _("The checked file is no longer available; upload it again."), "error")
            return see_other(request, "/staff/billing/import")
        result = await actions.import_charges(principal, parsed, job.month, ip=client_ip(request))
        uploads.forget(job)
        if result.created:
            message = ngettext(
                "Charges imported: %(rows)s, for %(num)d account.",
                "Charges imported: %(rows)s, for %(num)d accounts.",
                result.accounts,
                rows=result.charges,
            )
            flash(request, message)
        else:
            flash(request, _("This file was applied before; nothing has changed."), "info")
        return see_other(request, "/staff/billing/import")


async def _account_card(
    request: Request,
    account: queries.AccountInfo,
    paging: PageRequest,
    *,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Template:
    """The staff's card of an account; ``errors``: a receipt's reissue refused, said above its months."""
    balances = await queries.period_balances(account.id, HISTORY_MONTHS)
    return render(
        request,
        "billing/staff_account.html",
        status_code=status_code,
        page=await queries.ledger_page(account.id, paging),
        balances=balances,
        errors=errors or FormErrors(),
        **await _account_context(account, balances),
    )


async def _receipts_page(
    request: Request, principal: Principal, *, errors: FormErrors | None = None, house: str = ""
) -> Template:
    """The receipts of the month read from the address, and the form that issues them; ``errors``: that form refused,
    shown again with the house chosen (``house``, as posted) and each message at its field."""
    period, periods = await _report_period(request, principal)
    return render(
        request,
        "billing/staff_receipts.html",
        status_code=422 if errors else 200,
        period=period,
        periods=periods,
        houses=await houses_in_scope(principal),
        counts=await queries.receipt_counts(period, principal),
        runs=await issuing.of_month(period, principal),
        problems=forms.month_problems(request.query_params, period),
        errors=errors or FormErrors(),
        house=house,
        all_houses=principal.house_ids is None,
        **_helpers(),
    )


def _job(token: str, principal: Principal) -> uploads.Job:
    return found(uploads.job(token, principal))


async def _debtor_rows(request: Request, principal: Principal) -> tuple[date, list[list[Any]]]:
    period, _ = await _report_period(request, principal, REPORT_REACH)
    filters, _houses, _entrances = await _debtor_filter(request, principal)
    return period, exports.debtor_table(await queries.debtors_all(period, filters, principal))


async def _debtor_filter(
    request: Request, principal: Principal
) -> tuple[queries.DebtorFilter, list[HouseRef], list[int]]:
    """The debtor list's filters, with the houses and the chosen house's entrances to choose from: a house that is
    none of the user's, an entrance that is none of the house's, or an entrance without a house read (entrance 2 of
    every house is no one entrance) counts as not read (``core.web.among``); so does a complex none of the user's."""
    houses, filters = await houses_in_scope(principal), forms.debtor_filter(request.query_params)
    house = among(filters.house, [h.id for h in houses])
    entrances = await queries.entrances_of(principal, house) if house else []
    entrance = (among(filters.entrance, entrances) if entrances else filters.entrance) if house else None
    complex_id = among(filters.complex, [c.id for c in await complexes(principal)]) if filters.complex else None
    return replace(filters, house=house, entrance=entrance, complex=complex_id), houses, entrances


def _import_page(request: Request, status: int = 200, *, block: str = "main", **context: Any) -> Template:
    context.setdefault("period", rules.period_key(rules.import_month(clock.today_local())))
    return render(
        request,
        "billing/staff_import.html",
        block=block,
        status_code=status,
        columns=list(dict.fromkeys(importer.COLUMNS.values())),
        required=importer.REQUIRED,
        limits=importer.LIMITS,
        **context,
    )


# Queries each page may run on an ordinary load (the principal read included), asserted on both engines by
# tests/billing/test_query_budgets.py: a change that adds a query to a page raises its number here, on purpose.
QUERY_BUDGETS: dict[str, int] = {
    "/accounts/{account_id:int}": 10,  # the reductions for outages and their month's charges; the payments' channels
    # (the payments and the penalties are one read of the ledger);
    # the caller's residency: is the access code theirs to see; the unread count at «Ещё» (the navigation)
    "/accounts/{account_id:int}/receipts/{period:str}": 12,  # + the balance now: what the pay button asks for
    "/accounts/{account_id:int}/history": 7,  # a page of entries and their count; the channels of its payments
    "/staff/billing": 9,  # the months and houses; what moved in the months, the refunds, what is owed at the end (each
    # account's newest snapshot, ``queries._as_of``), the houses' areas
    "/staff/billing/debtors": 8,  # the month; the houses, complexes and entrances to choose; the list's count and sum
    # (one aggregate), then its page
    "/staff/billing/receipts": 6,  # the newest billed month: the company's, from its index, then checked for the
    # houses; the month's issues (``issuing.of_month``)
    "/staff/billing/receipts/progress": 6,  # opened as a page, the receipts page; polled, fewer (no counts)
}


class StaffKeyRates(Controller):
    """The key rate of the Bank of Russia, kept by the accountants: the penalty job reads it (DOMAIN.md §2.3)."""

    path = "/staff/billing/key-rates"
    opt = staff("accountant")

    @get("/", name="billing:key_rates")
    async def page(self, request: Request) -> Template:
        return await _key_rates_page(request, forms.KeyRateForm())

    @post("/", name="billing:key_rate_add", status_code=200)
    async def add(self, request: Request, principal: NamedDependency[Principal], data: FormData) -> Response[Any]:
        form = forms.key_rate_form(data)
        if form.errors or form.valid_from is None or form.rate is None:
            return await _key_rates_page(request, form, 422)
        await key_rates.add(principal, form.valid_from, form.rate, form.source, client_ip(request))
        flash(
            request,
            _(
                "The key rate %(rate)s from %(day)s is recorded; the next penalty run uses it.",
                rate=format_percent(form.rate),
                day=format_day(form.valid_from, "short"),
            ),
        )
        return see_other(request, "/staff/billing/key-rates")

    @post("/periods", name="billing:penalty_rule_add", status_code=200)
    async def add_period(
        self, request: Request, principal: NamedDependency[Principal], data: FormData
    ) -> Response[Any]:
        form = forms.penalty_rule_form(data)
        if form.errors or form.period is None:
            return await _key_rates_page(request, forms.KeyRateForm(), 422, period_form=form)
        await key_rates.add_period(principal, form.period, client_ip(request))
        flash(
            request,
            _(
                "%(rule)s from %(first)s to %(last)s is recorded; the next penalty run applies it.",
                rule=forms.rule_kind_label(form.period.kind),
                first=format_day(form.period.valid_from, "short"),
                last=format_day(form.period.valid_to, "short"),
            ),
        )
        return see_other(request, "/staff/billing/key-rates#periods-h")

    @post("/periods/{entry_id:int}/remove", name="billing:penalty_rule_remove")
    async def remove_period(
        self, request: Request, principal: NamedDependency[Principal], entry_id: FromPath[int]
    ) -> Response[Any]:
        if not await key_rates.remove_period(principal, entry_id, client_ip(request)):
            raise NotFoundException()
        flash(request, _("The entry is removed; the next penalty run no longer applies it."))
        return see_other(request, "/staff/billing/key-rates#periods-h")


async def _key_rates_page(
    request: Request,
    form: forms.KeyRateForm,
    status: int = 200,
    *,
    period_form: forms.PenaltyRuleForm | None = None,
) -> Template:
    return render(
        request,
        "billing/staff_key_rates.html",
        status_code=status,
        form=form,
        rows=await key_rates.table(),
        period_form=period_form or forms.PenaltyRuleForm(),
        periods=await key_rates.periods_table(),
        rule_kinds=[(str(kind), forms.rule_kind_label(kind)) for kind in rules.RuleKind],
        rule_kind_label=forms.rule_kind_label,
        **_helpers(),
    )
