"""Staff pages of the money received outside the portal: the import of payment registries and of the billing
system's balances (preview with totals, then apply), the queue of payments no account matched, and the
reconciliation of the portal's balances with the billing system's."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from dataclasses import replace
from typing import Any

from litestar import Controller
from litestar import Request
from litestar import Response
from litestar import get
from litestar import post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from portal.billing import forms
from portal.billing import reconcile
from portal.billing import registries
from portal.billing import registry_files
from portal.billing import rules
from portal.billing.registry_imports import IMPORTERS
from portal.billing.registry_tables import LineStatus
from portal.core import clock
from portal.core.db import from_kopecks
from portal.core.exports import Money
from portal.core.exports import to_xlsx
from portal.core.i18n import gettext as _
from portal.core.i18n import ngettext
from portal.core.import_pages import ImportPage
from portal.core.pagination import Page
from portal.core.pagination import PageRequest
from portal.core.pagination import Paging
from portal.core.parse import parse_id
from portal.core.parse import parse_month
from portal.core.security import Principal
from portal.core.security import client_ip
from portal.core.security import staff
from portal.core.threads import written
from portal.core.web import FormData
from portal.core.web import FormErrors
from portal.core.web import Refused
from portal.core.web import among
from portal.core.web import flash
from portal.core.web import form_value
from portal.core.web import is_fragment_request
from portal.core.web import render
from portal.core.web import see_other
from portal.housing.queries import houses_in_scope

ACCOUNTANT = staff("accountant")
BASE = "/staff/billing/registries"
STATUSES = (LineStatus.UNMATCHED, LineStatus.ASSIGNED, LineStatus.RETURNED)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_ROWS = 100_000

# The daily reconciliation registers itself when its module is imported with the routes.
JOBS = [reconcile.daily_reconciliation]


def kind_labels() -> dict[str, str]:
    return {
        "payments": _("Payments: a bank's registry, a CSV/XLSX table, the billing system's export"),
        "opening": _("Opening balances (сальдо) from the billing system"),
        "export": _("Balances of the billing system's export (for the reconciliation)"),
    }


def status_labels() -> dict[str, str]:
    return {
        LineStatus.UNMATCHED: _("Waiting"),
        LineStatus.ASSIGNED: _("Assigned"),
        LineStatus.RETURNED: _("Returned"),
    }


def _billing_words() -> dict[str, Any]:
    """The labels and choices the billing pages share (the month and house selects, the kinds of entries)."""
    from portal.billing.routes import _helpers

    return _helpers()


def _applied(kind: str, report: Any) -> tuple[str, str]:
    """What the apply did, and the page that follows (the queue when payments are waiting in it)."""
    queued = kind == "payments" and report.created.get("queue", 0)
    return _applied_message(kind, report), f"{BASE}/queue" if queued else BASE


def _applied_message(kind: str, report: Any) -> str:
    if not report.changes:
        return _("This file was applied before; nothing has changed.")
    if kind == "payments":
        return _(
            "Payments credited: %(credited)s; waiting in the queue: %(queued)s; skipped as known: %(skipped)s.",
            credited=report.created.get("credit", 0) + report.created.get("portal", 0),
            queued=report.created.get("queue", 0),
            skipped=sum(report.updated.values()) + report.created.get("known", 0),
        )
    return ngettext(
        "Balances loaded for %(num)d account; corrections posted: %(corrections)s.",
        "Balances loaded for %(num)d accounts; corrections posted: %(corrections)s.",
        report.created.get("accounts", 0),
        corrections=report.created.get("corrections", 0),
    )


def _registry_words() -> dict[str, Any]:
    return {
        "kinds": kind_labels(),
        "columns": list(dict.fromkeys(registry_files.COLUMNS.values())),
        "required": registry_files.REQUIRED,
        "bank_fields": registry_files.BANK_FIELDS,
        "rub": from_kopecks,
    }


# The registries and balances from files: the kind of file chosen, checked with a preview, then applied (the same
# file again changes nothing).
registry_upload = ImportPage(
    path=BASE,
    access=ACCOUNTANT,
    names=("billing:registries", "billing:registry_upload", "billing:registry_check", "billing:registry_apply"),
    template="billing/staff_registries.html",
    words=_registry_words,
    importers=IMPORTERS,
    max_bytes=registry_files.MAX_BYTES,
    no_file=lambda: _("Choose a file."),
    applied=_applied,
    no_kind=lambda: _("Choose what the file holds."),
).router()


class StaffRegistryQueue(Controller):
    """Payments no account matched: an accountant assigns each to an account, or marks it returned."""

    path = f"{BASE}/queue"
    opt = ACCOUNTANT

    @get("/", name="billing:registry_queue")
    async def queue(self, request: Request, paging: Paging) -> Template:
        return await _queue_page(request, paging)

    @post("/{line_id:int}/assign", name="billing:registry_assign", status_code=200)
    async def assign(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        line_id: FromPath[int],
        data: FormData,
        paging: Paging,
    ) -> Response[Any] | Template:
        number = form_value(data, "account")
        step = registries.assign(principal, line_id, number, client_ip(request))
        done = _("The payment is credited to account %(number)s.", number=number.strip())
        return await _resolved(request, paging, QueueRefusal(line_id, "account", number), step, done)

    @post("/{line_id:int}/return", name="billing:registry_return", status_code=200)
    async def mark_returned(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        line_id: FromPath[int],
        data: FormData,
        paging: Paging,
    ) -> Response[Any] | Template:
        reason = form_value(data, "reason")
        step = registries.mark_returned(principal, line_id, reason, client_ip(request))
        done = _("The payment is marked returned to the payer.")
        return await _resolved(request, paging, QueueRefusal(line_id, "reason", reason), step, done)


@dataclass(frozen=True)
class QueueRefusal:
    """Why a payment of the queue was not assigned or returned: said at the field of its line, what was typed kept."""

    line_id: int
    field: str  # account | reason
    typed: str
    message: str = ""


async def _resolved(
    request: Request, paging: PageRequest, at: QueueRefusal, step: Awaitable[None], done: str
) -> Response[Any] | Template:
    """A queued payment assigned or returned by ``step``: back to the queue with ``done`` said; refused, the queue
    again with the refusal said at the field of the line ``at`` names, what was typed kept."""
    try:
        await step
    except Refused as refused:
        return await _queue_page(request, paging, replace(at, message=str(refused)))
    flash(request, done)
    return see_other(request, f"{BASE}/queue")


async def _queue_page(request: Request, wanted: PageRequest, refusal: QueueRefusal | None = None) -> Template:
    asked = request.query_params.get("status")
    problems = forms.queue_status_problems(request.query_params, asked if asked in STATUSES else None)
    status = asked if asked in STATUSES else LineStatus.UNMATCHED
    items, total, kopecks = await registries.queue_page(status, wanted.offset, wanted.size)
    return render(
        request,
        "billing/staff_registry_queue.html",
        page=Page(items=items, total=total, number=wanted.number, size=wanted.size),
        status=status,
        problems=problems,
        statuses=status_labels(),
        total_kopecks=kopecks,
        rub=from_kopecks,
        refusal=refusal,
        status_code=422 if refusal else 200,
    )


class StaffReconciliation(Controller):
    """The portal's balances against the billing system's: the differences of a month, explained, and exported."""

    path = "/staff/billing"
    opt = staff("accountant", "manager")

    @get("/reconciliation", name="billing:reconciliation")
    async def report(self, request: Request, principal: NamedDependency[Principal], paging: Paging) -> Template:
        return await _reconciliation_page(request, principal, paging)

    @get("/reconciliation.xlsx", name="billing:reconciliation_xlsx")
    async def export(self, request: Request, principal: NamedDependency[Principal]) -> Response[bytes]:
        view = await _reconciliation(request, principal)
        if view["period"] is None:
            raise NotFoundException()
        found = await reconcile.rows(view["period"], principal, view["house"], 0, EXPORT_ROWS, explain=False)
        table = [
            [_("Account"), _("Payer"), _("Portal, ₽"), _("Billing system, ₽"), _("Difference, ₽"), _("Checked on")],
            *[
                [
                    r.number,
                    r.payer,
                    Money(from_kopecks(r.portal)),
                    Money(from_kopecks(r.book)),
                    Money(from_kopecks(r.difference)),
                    r.checked_on,
                ]
                for r in found
            ],
        ]
        name = f"reconciliation-{rules.period_key(view['period'])}.xlsx"
        return Response(
            await written(to_xlsx, [(_("Reconciliation"), table)]),
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @post("/reconciliation", name="billing:reconciliation_run", status_code=200)
    async def run(
        self, request: Request, principal: NamedDependency[Principal], paging: Paging, data: FormData
    ) -> Response[Any]:
        """Reconcile a month now (the daily job does it by itself): the month posted, when the page offers it (one it
        has an export of, as ``_reconciliation`` reads it), else refused; none posted, the newest."""
        periods = await reconcile.export_periods()
        if not periods:
            flash(request, _("Load the billing system's balances first."), "error")
            return see_other(request, "/staff/billing/reconciliation")
        period = among(parse_month(form_value(data, "period")), periods) if form_value(data, "period") else periods[0]
        if period is None:
            check = FormErrors(general=[forms.month_not_offered(data)])
            return await _reconciliation_page(request, principal, paging, check=check)
        result = await reconcile.reconcile(period, clock.today_local())
        flash(request, _("Accounts compared: %(n)s; differences: %(found)s.", n=result.compared, found=result.found))
        return see_other(request, f"/staff/billing/reconciliation?period={rules.period_key(period)}")


async def _reconciliation_page(
    request: Request, principal: Principal, wanted: PageRequest, *, check: FormErrors | None = None
) -> Template:
    """The report of the month read from the address; ``check``: «Check now» refused, said at its button (422)."""
    view = await _reconciliation(request, principal)
    found = []
    if view["period"] is not None:
        found = await reconcile.rows(view["period"], principal, view["house"], wanted.offset, wanted.size)
    page = Page(items=found, total=view["totals"].count, number=wanted.number, size=wanted.size)
    return render(
        request, "billing/staff_reconciliation.html", status_code=422 if check else 200, page=page, rub=from_kopecks,
        **view, **_billing_words(), check=check or FormErrors(), redrawn=is_fragment_request(request),
    )  # fmt: skip


async def _reconciliation(request: Request, principal: Principal) -> dict[str, Any]:
    """The month (asked for, else the newest of the exports), the house filter and the totals of the report."""
    periods = await reconcile.export_periods()
    asked = parse_month(request.query_params.get("period") or "")
    period = among(asked, periods) or (periods[0] if periods else None)  # a month not offered is not read
    house = parse_id(request.query_params.get("house"))
    houses = await houses_in_scope(principal)
    if house is not None and house not in {h.id for h in houses}:
        house = None
    totals = await reconcile.totals(period, principal, house) if period else reconcile.Totals(0, 0, 0, 0)
    problems = forms.reconciliation_problems(request.query_params, period, house)
    return {
        "period": period,
        "periods": periods,
        "house": house,
        "houses": houses,
        "totals": totals,
        "problems": problems,
    }
