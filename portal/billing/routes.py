"""Pages of billing: the resident's balances, account page and receipts (page, PDF); staff totals, debtors,
the ledger card of an account, the import of charges and the issue of receipts.

A resident sees only accounts the session's user may view (any other id is "not found"); staff see only the
houses they work with.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.response import Template

from portal.accounts.queries import current_access_code
from portal.billing import exports, importer, penalties, qr, queries, receipts, rules
from portal.billing.ledger import balances_of, latest_snapshots
from portal.core import audit
from portal.core.db import from_kopecks
from portal.core.home import register_section
from portal.core.i18n import gettext as _
from portal.core.pagination import page_request
from portal.core.security import Principal, principal_of, resident, staff
from portal.core.web import FormData, MultipartData, flash, form_value, render, see_other
from portal.settings import get_settings

STAFF = staff("accountant", "manager")
MAX_UPLOAD = 50 * 1024 * 1024
HISTORY_MONTHS = 12

# The monthly penalty job registers itself when its module is imported with the routes.
JOBS = [penalties.monthly_penalties]


# --- helpers ---------------------------------------------------------------------------------------


def _period(text: str) -> date:
    try:
        return rules.parse_period(text)
    except (ValueError, TypeError) as exc:
        raise NotFoundException() from exc


async def _resident_account(request: Request, account_id: int) -> tuple[Principal, queries.AccountInfo]:
    principal = await principal_of(request)
    if not principal.may_on_account(account_id):
        raise NotFoundException()
    info = await queries.account_info(account_id)
    if info is None:
        raise NotFoundException()
    return principal, info


async def _staff_account(request: Request, account_id: int) -> tuple[Principal, queries.AccountInfo]:
    principal = await principal_of(request)
    info = await queries.account_info(account_id)
    if info is None or not principal.may_see_house(info.house_id):
        raise NotFoundException()
    return principal, info


def _today() -> date:
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(get_settings().time_zone)).date()


def _basis_label(basis: str) -> str:
    return {
        "metered": _("by the meter"),
        "norm": _("by the norm"),
        "average": _("by the average"),
    }.get(basis, basis)


def _kind_label(kind: str) -> str:
    return {
        "charge": _("Charges"),
        "payment": _("Payment"),
        "penalty": _("Penalty"),
        "correction": _("Correction"),
        "refund": _("Refund"),
    }.get(kind, kind)


def _helpers() -> dict[str, Any]:
    return {
        "basis_label": _basis_label,
        "kind_label": _kind_label,
        "period_key": rules.period_key,
        "abs": abs,
    }


# --- home section ------------------------------------------------------------------------------------


async def home_balances(principal: Principal) -> dict[str, Any] | None:
    """Per account of the user: address, balance state, the last receipt; a fixed number of queries."""
    ids = sorted(a for a in principal.account_ids if principal.may_on_account(a))
    if not ids:
        return None
    infos = await queries.accounts_info(ids)
    snapshots = await latest_snapshots(ids)
    last = await queries.last_receipts(ids)
    items = []
    for account_id in ids:
        info = infos.get(account_id)
        if info is None:
            continue
        receipt = last.get(account_id)
        snapshot = snapshots.get(account_id)
        balance = from_kopecks(snapshot["closing_kopecks"]) if snapshot else Decimal("0.00")
        # What was due before this month's charges and is still unpaid.
        overdue = from_kopecks(snapshot["closing_kopecks"] - snapshot["charged_kopecks"]) if snapshot else Decimal("0")
        items.append(
            {
                "info": info,
                "state": rules.balance_state(balance),
                "overdue": overdue if overdue > 0 and balance > 0 else Decimal("0"),
                "receipt": receipt,
                "may_pay": principal.may_on_account(account_id, "pay"),
            }
        )
    return {"accounts": items}


register_section("balances", 10, "billing/_home_balances.html", home_balances)


# --- resident pages ----------------------------------------------------------------------------------


def bar_chart(months: list[tuple[date, Decimal]], width: int = 320, height: int = 120) -> dict[str, Any]:
    """Bars of the monthly totals, drawn server-side as SVG geometry (the same numbers are in a table)."""
    top = max((v for _, v in months), default=Decimal("0")) or Decimal("1")
    n = max(1, len(months))
    step = width / n
    bars = []
    for i, (period, value) in enumerate(months):
        h = float(value / top) * (height - 20) if value > 0 else 0
        bars.append(
            {
                "x": round(i * step + step * 0.15, 1),
                "y": round(height - 16 - h, 1),
                "w": round(step * 0.7, 1),
                "h": round(h, 1),
                "label": f"{period:%m}",
                "lx": round(i * step + step / 2, 1),
                "period": period,
                "value": value,
            }
        )
    return {"bars": bars, "width": width, "height": height}


@get("/accounts/{account_id:int}", name="billing:account", opt=resident())
async def account_page(request: Request, account_id: int) -> Template:
    _principal, info = await _resident_account(request, account_id)
    snapshots = await queries.period_balances(account_id, HISTORY_MONTHS)
    latest = snapshots[0].period if snapshots else rules.month_start(_today())
    chosen = request.query_params.get("month")
    month = _period(chosen) if chosen else latest
    first = rules.add_months(month, -(HISTORY_MONTHS - 1))
    history = await queries.charges_between(account_id, rules.add_months(month, -1), month)
    previous = {c.service_id: c for c in history if c.period != month}
    lines = [c for c in history if c.period == month]
    for line in lines:
        line.previous = previous.get(line.service_id)
    monthly = sorted(((s.period, s.charged + s.other) for s in snapshots if s.period >= first), key=lambda x: x[0])
    balance = (await balances_of([account_id])).get(account_id, Decimal("0"))
    return render(
        request,
        "billing/account.html",
        info=info,
        state=rules.balance_state(balance),
        receipts=await queries.receipts_of(account_id, HISTORY_MONTHS),
        month=month,
        months=[s.period for s in sorted(snapshots, key=lambda s: s.period)],
        lines=lines,
        chart=bar_chart(monthly),
        monthly=monthly,
        payments=await queries.recent_entries(account_id, ["payment", "refund"], 12),
        penalties=await queries.recent_entries(account_id, ["penalty"], 12),
        **_helpers(),
    )


@get("/accounts/{account_id:int}/charges/{charge_id:int}", name="billing:charge", opt=resident())
async def charge_page(request: Request, account_id: int, charge_id: int) -> Template:
    """Why a charge is that amount (the HTMX fragment of the account page, or a page of its own)."""
    _principal, info = await _resident_account(request, account_id)
    line = await queries.charge_line(account_id, charge_id)
    if line is None:
        raise NotFoundException()
    return render(request, "billing/charge.html", block="detail", info=info, line=line, **_helpers())


async def _receipt_context(account_id: int, period: date) -> dict[str, Any]:
    receipt = await queries.receipt_of(account_id, period)
    if receipt is None:
        raise NotFoundException()
    payees = await queries.payees_by_id()
    sections = []
    for s in await queries.receipt_sections(receipt.id):
        payee = payees.get(s["payee"], {})
        sections.append(
            {
                "payee": payee,
                "charged": from_kopecks(s["charged_kopecks"]),
                "total": from_kopecks(s["total_kopecks"]),
                "payload": s["qr_payload"],
                "fields": qr.parse(s["qr_payload"]).fields if s["qr_payload"] else {},
                "qr": qr.svg_data_uri(s["qr_payload"]) if s["qr_payload"] else "",
            }
        )
    lines = await queries.charges_of_period(account_id, period)
    return {
        "receipt": receipt,
        "sections": sections,
        "lines": lines,
        "charged_total": sum((c.amount for c in lines), Decimal("0")),
        "recalc_total": sum((c.recalculation for c in lines), Decimal("0")),
        "payments": await queries.entries_of_period(account_id, period, ["payment", "refund"]),
        "penalty_items": await queries.penalties_of_period(account_id, period),
        "company": payees[next(iter(payees))] if payees else {},
        "period": period,
        "access_code": await current_access_code(account_id),
    }


@get("/accounts/{account_id:int}/receipts/{period:str}", name="billing:receipt", opt=resident())
async def receipt_page(request: Request, account_id: int, period: str) -> Template:
    principal, info = await _resident_account(request, account_id)
    month = _period(period)
    context = await _receipt_context(account_id, month)
    return render(
        request,
        "billing/receipt.html",
        info=info,
        may_pay=principal.may_on_account(account_id, "pay"),
        **context,
        **_helpers(),
    )


@get("/accounts/{account_id:int}/receipts/{period:str}/pdf", name="billing:receipt_pdf", opt=resident())
async def receipt_pdf(request: Request, account_id: int, period: str) -> Response[bytes]:
    from portal.billing import pdf

    _principal, info = await _resident_account(request, account_id)
    month = _period(period)
    context = await _receipt_context(account_id, month)
    content = pdf.receipt_pdf(info=info, **context)
    name = f"receipt-{info.number}-{rules.period_key(month)}.pdf"
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "private, no-store"},
    )


# --- staff: overview, debtors, ledger card --------------------------------------------------------


async def _report_period(request: Request) -> date:
    chosen = request.query_params.get("period")
    if chosen:
        try:
            return rules.parse_period(chosen)
        except ValueError:
            pass
    return await queries.latest_period() or rules.month_start(_today())


@get("/staff/billing", name="billing:staff", opt=STAFF)
async def staff_overview(request: Request) -> Template:
    principal = await principal_of(request)
    period = await _report_period(request)
    houses = await queries.house_totals(period, principal.house_ids)
    return render(
        request,
        "billing/staff_overview.html",
        period=period,
        periods=await queries.recent_periods(12),
        houses=houses,
        totals=queries.sum_totals(houses),
        **_helpers(),
    )


def _debtor_filters(request: Request) -> queries.DebtorFilter:
    def num(name: str) -> str:
        return (request.query_params.get(name) or "").strip()[:20]

    return queries.DebtorFilter.read(
        house=num("house"), entrance=num("entrance"), min_debt=num("min_debt"), months=num("months"), sort=num("sort")
    )


@get("/staff/billing/debtors", name="billing:debtors", opt=STAFF)
async def debtors(request: Request) -> Template:
    principal = await principal_of(request)
    period = await _report_period(request)
    filters = _debtor_filters(request)
    page = page_request(request.query_params.get("page"), request.query_params.get("size"))
    result = await queries.debtors_page(period, filters, principal.house_ids, page)
    entrances = await queries.entrances_of(filters.house) if filters.house else []
    return render(
        request,
        "billing/staff_debtors.html",
        period=period,
        periods=await queries.recent_periods(12),
        page=result,
        filters=filters,
        houses=await queries.houses_of(principal.house_ids),
        entrances=entrances,
        **_helpers(),
    )


async def _debtor_rows(request: Request) -> tuple[date, list[list[Any]]]:
    principal = await principal_of(request)
    period = await _report_period(request)
    rows = await queries.debtors_all(period, _debtor_filters(request), principal.house_ids)
    return period, exports.debtor_table(rows)


@get("/staff/billing/debtors.csv", name="billing:debtors_csv", opt=STAFF)
async def debtors_csv(request: Request) -> Response[bytes]:
    period, rows = await _debtor_rows(request)
    return Response(
        exports.to_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="debtors-{rules.period_key(period)}.csv"'},
    )


@get("/staff/billing/debtors.xlsx", name="billing:debtors_xlsx", opt=STAFF)
async def debtors_xlsx(request: Request) -> Response[bytes]:
    period, rows = await _debtor_rows(request)
    return Response(
        exports.to_xlsx(rows, _("Debtors")),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="debtors-{rules.period_key(period)}.xlsx"'},
    )


@get("/staff/billing/accounts/{account_id:int}", name="billing:staff_account", opt=STAFF)
async def staff_account(request: Request, account_id: int) -> Template:
    _principal, info = await _staff_account(request, account_id)
    page = page_request(request.query_params.get("page"), request.query_params.get("size"))
    snapshots = await latest_snapshots([account_id])
    balance = from_kopecks(snapshots[account_id]["closing_kopecks"]) if account_id in snapshots else Decimal("0.00")
    return render(
        request,
        "billing/staff_account.html",
        info=info,
        state=rules.balance_state(balance),
        page=await queries.ledger_page(account_id, page),
        balances=await queries.period_balances(account_id, 12),
        receipts=await queries.receipts_of(account_id, 12),
        **_helpers(),
    )


@post("/staff/billing/accounts/{account_id:int}/reissue", name="billing:reissue", opt=STAFF, status_code=200)
async def reissue(request: Request, account_id: int, data: FormData) -> Response[Any]:
    principal, info = await _staff_account(request, account_id)
    try:
        period = rules.parse_period(form_value(data, "period"))
    except ValueError as exc:
        raise NotFoundException() from exc
    result = await receipts.issue(period, [account_id], issued_by=principal.user_id)
    await audit.record(principal, "billing.receipt.reissue", "personal_account", account_id, {"period": str(period)})
    if result.issued:
        flash(request, _("The receipt for %(month)s has been issued again.", month=rules.period_key(period)))
    else:
        flash(request, _("There are no charges for that month; no receipt was issued."), "error")
    return see_other(request, f"/staff/billing/accounts/{info.id}")


# --- staff: receipts of a period --------------------------------------------------------------------


@get("/staff/billing/receipts", name="billing:receipts", opt=STAFF)
async def receipts_page(request: Request) -> Template:
    principal = await principal_of(request)
    period = await _report_period(request)
    return render(
        request,
        "billing/staff_receipts.html",
        period=period,
        periods=await queries.recent_periods(12),
        houses=await queries.houses_of(principal.house_ids),
        counts=await queries.receipt_counts(period, principal.house_ids),
        all_houses=principal.house_ids is None,
        **_helpers(),
    )


@post("/staff/billing/receipts", name="billing:issue", opt=STAFF, status_code=200)
async def issue_receipts(request: Request, data: FormData) -> Response[Any]:
    principal = await principal_of(request)
    try:
        period = rules.parse_period(form_value(data, "period"))
    except ValueError:
        flash(request, _("Choose a billing month."), "error")
        return see_other(request, "/staff/billing/receipts")
    house_text = form_value(data, "house")
    house_id = int(house_text) if house_text.isdigit() else None
    if house_id is not None and not principal.may_see_house(house_id):
        raise NotFoundException()
    ids = await receipts.account_ids_for(house_id, principal.house_ids)
    result = await receipts.issue(period, ids, issued_by=principal.user_id)
    await audit.record(
        principal, "billing.receipts.issue", "house", house_id, {"period": str(period), "issued": result.issued}
    )
    flash(
        request,
        _("Receipts issued: %(n)s; accounts without charges: %(skipped)s.", n=result.issued, skipped=result.skipped),
    )
    return see_other(request, f"/staff/billing/receipts?period={rules.period_key(period)}")


# --- staff: import of charges ---------------------------------------------------------------------


def _upload_dir() -> Path:
    folder = Path(get_settings().var_dir) / "imports" / "charges"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _import_page(request: Request, status: int = 200, **context: Any) -> Template:
    context.setdefault("period", rules.period_key(rules.month_start(_today())))
    return render(
        request,
        "billing/staff_import.html",
        status_code=status,
        columns=[c for c in dict.fromkeys(importer.COLUMNS.values())],
        required=importer.REQUIRED,
        **context,
    )


@get("/staff/billing/import", name="billing:import", opt=STAFF)
async def import_page(request: Request) -> Template:
    return _import_page(request)


@post("/staff/billing/import", name="billing:import_preview", opt=STAFF, status_code=200)
async def import_preview(request: Request, data: MultipartData) -> Template:
    """First step: check every row and show rows, totals and problems; nothing is written."""
    period_text = form_value(data, "period")
    try:
        period = rules.parse_period(period_text)
    except ValueError:
        return _import_page(request, 422, period=period_text, errors={"period": _("Enter the month as 2026-11.")})
    upload = data.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _import_page(request, 422, period=period_text, errors={"file": _("Choose a CSV or XLSX file.")})
    content = await upload.read(MAX_UPLOAD + 1)
    if len(content) > MAX_UPLOAD:
        return _import_page(request, 422, period=period_text, errors={"file": _("The file is larger than 50 MB.")})
    parsed = await importer.check_against_db(importer.read_file(content, upload.filename), period)
    token = ""
    if parsed.ok:
        token = secrets.token_hex(16) + (".xlsx" if content[:2] == b"PK" else ".csv")
        (_upload_dir() / token).write_bytes(content)
    services = {code: s.name for code, s in (await queries.services_by_code()).items()}
    return _import_page(
        request,
        422 if parsed.problems else 200,
        parsed=parsed,
        token=token,
        period=rules.period_key(period),
        services=services,
    )


@post("/staff/billing/import/apply", name="billing:import_apply", opt=STAFF, status_code=200)
async def import_apply(request: Request, data: FormData) -> Response[Any]:
    """Second step: apply the checked file in one transaction (the same file twice changes nothing)."""
    principal = await principal_of(request)
    token = form_value(data, "token")
    name = form_value(data, "file_name")[:255]
    path = _upload_dir() / token
    if not token or "/" in token or ".." in token or not path.is_file():
        flash(request, _("The checked file is no longer available; upload it again."), "error")
        return see_other(request, "/staff/billing/import")
    try:
        period = rules.parse_period(form_value(data, "period"))
    except ValueError:
        flash(request, _("Enter the month as 2026-11."), "error")
        return see_other(request, "/staff/billing/import")
    parsed = importer.read_file(path.read_bytes(), name)
    try:
        result = await importer.apply(parsed, period, user_id=principal.user_id)
    except ValueError:
        return _import_page(request, 422, parsed=parsed, period=rules.period_key(period))
    finally:
        path.unlink(missing_ok=True)
    if result.created:
        await audit.record(
            principal,
            "billing.charges.import",
            "import_batch",
            result.batch_id,
            {"period": str(period), "rows": result.charges, "file": name},
        )
        flash(
            request,
            _("Imported %(rows)s charges of %(accounts)s accounts.", rows=result.charges, accounts=result.accounts),
        )
    else:
        flash(request, _("This file was applied before; nothing has changed."), "info")
    return see_other(request, "/staff/billing/import")


# Queries each page may run on an ordinary load (the principal read included), asserted on both engines by
# tests/billing/test_query_budgets.py: a change that adds a query to a page raises its number here, on purpose.
QUERY_BUDGETS: dict[str, int] = {
    "/accounts/{account_id:int}": 9,
    "/accounts/{account_id:int}/receipts/{period:str}": 9,
    "/staff/billing/receipts": 4,
}
