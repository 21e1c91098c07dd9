"""Staff pages of the housing registry: overview, complexes and houses, premises, accounts, owners, import.

Reading is open to staff of any role, writing to managers (admins always); every record is looked up within
the user's houses, so a house outside them is "not found". Creating complexes and houses and importing the
registry change the company as a whole and are for admins. The create and edit forms are in ``routes_edit``.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller
from litestar import Request
from litestar import Router
from litestar import get
from litestar.di import NamedDependency
from litestar.response import Template

from portal.accounts import forms as people_forms
from portal.accounts import queries as people_queries
from portal.billing import queries as billing
from portal.billing.rules import BALANCE_ROLES
from portal.core import clock
from portal.core.i18n import gettext as _
from portal.core.import_pages import ImportPage
from portal.core.import_pages import table_words
from portal.core.pagination import Page
from portal.core.pagination import PageRequest
from portal.core.pagination import Paging
from portal.core.parse import parse_id
from portal.core.parse import parse_int
from portal.core.security import Principal
from portal.core.security import staff
from portal.core.web import among
from portal.core.web import may_open
from portal.core.web import render
from portal.housing import deps
from portal.housing import forms
from portal.housing import imports
from portal.housing import queries
from portal.housing import rules
from portal.payments import queries as payment_queries
from portal.payments.texts import decline_text
from portal.tickets import queries as ticket_queries
from portal.tickets.view import TK

READ = staff()
WRITE = staff("manager")
COMPANY = staff("admin")
PERSON = "/staff/people/0"  # any person's page: whether the caller's role may open one
JOBS = "/staff/jobs"  # the administrators' page of background jobs


def _text(request: Request, name: str) -> str:
    return (request.query_params.get(name) or "").strip()[:100]


def _show(request: Request, template: str, principal: Principal, **context: Any) -> Template:
    return render(
        request,
        template,
        kind_label=rules.kind_label,
        owner_kind_label=rules.owner_kind_label,
        riser_kind_label=rules.riser_kind_label,
        may_write=principal.has_role("manager"),
        **context,
    )


class StaffRegistry(Controller):
    """What every staff member reads of the registry."""

    path = "/staff"
    opt = READ
    dependencies = deps.RECORDS

    @get("/", name="staff_overview")
    async def overview(self, request: Request, principal: NamedDependency[Principal]) -> Template:
        counts = await queries.overview_counts(principal)
        # The administrators are warned of the background jobs failed lately (those who may open their page).
        failed = await people_queries.failed_lately(clock.now()) if may_open(request, principal, JOBS) else 0
        return _show(request, "housing/overview.html", principal, counts=counts, failed_jobs=failed)

    @get("/housing", name="housing_list")
    async def housing_list(self, request: Request, principal: NamedDependency[Principal], paging: Paging) -> Template:
        q, complexes = _text(request, "q"), await queries.complexes(principal)
        complex_id = among(parse_id(request.query_params.get("complex")), [c.id for c in complexes])
        _, problems = forms.house_filter_problems(request.query_params, complex_id)
        return _show(
            request,
            "housing/properties.html",
            principal,
            complexes=complexes,
            complex_options=[(c.id, c.name) for c in complexes],
            houses=await queries.list_houses(principal, paging, q=q, complex_id=complex_id),
            q=q,
            complex_id=complex_id,
            problems=problems,
            is_admin=principal.house_ids is None and principal.has_role("admin"),
        )

    @get("/houses/{house_id:int}", name="house_page")
    async def house_page(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        house: NamedDependency[queries.HouseView],
        paging: Paging,
    ) -> Template:
        entrances = await queries.entrances_of(house.id)
        where = _premise_filter(request, {e.id for e in entrances})
        typed, problems = forms.premise_filter_problems(request.query_params, where)
        return _show(
            request,
            "housing/house.html",
            principal,
            house=house,
            entrances=entrances,
            entrance_options=[(e.id, _("Entrance %(n)s", n=e.number)) for e in entrances],
            risers=await queries.risers_of(house.id),
            totals=await queries.house_totals(house.id),
            premises=await queries.premises_of(house.id, paging, where),
            where=where,
            typed=typed,
            problems=problems,
            kind_options=rules.kind_options(),
        )

    @get("/premises/{premise_id:int}", name="premise_page")
    async def premise_page(
        self, request: Request, principal: NamedDependency[Principal], premise: NamedDependency[queries.PremiseView]
    ) -> Template:
        ownerships = await queries.ownerships_of_premise(premise.id)
        total = rules.total_share(o.fraction for o in ownerships)
        return _show(
            request,
            "housing/premise.html",
            principal,
            premise=premise,
            risers=await queries.risers_of_premise(premise.id),
            ownerships=ownerships,
            owned=rules.share_text(total.numerator, total.denominator) if total else "0",
            accounts=await queries.accounts_of_premise(premise.id),
        )

    @get("/accounts/{account_id:int}", name="account_page")
    async def account_page(
        self, request: Request, principal: NamedDependency[Principal], account: NamedDependency[queries.AccountView]
    ) -> Template:
        ownerships = await queries.ownerships_of_premise(account.premise_id)
        shown = may_open(request, principal, "/staff/tickets")
        tickets = await ticket_queries.recent_of_account(principal, account.id) if shown else None
        balances = await billing.account_balances([account.id]) if principal.has_role(*BALANCE_ROLES) else []
        # The people with access in the portal, for those who may open a person's page (their consents).
        people = await people_queries.people_of_account(account.id) if may_open(request, principal, PERSON) else None
        paid_online = may_open(request, principal, "/staff/payments")
        autopay = await payment_queries.autopay_of_account(account.id) if paid_online else None
        return _show(
            request, "housing/account.html", principal, account=account, ownerships=ownerships, tickets=tickets,
            balance=balances[0] if balances else None, tk=TK, now=clock.now(), people=people,
            resident_role_label=people_forms.role_label, autopay=autopay, decline_text=decline_text,
        )  # fmt: skip

    @get("/owners/{owner_id:int}", name="owner_page")
    async def owner_page(
        self, request: Request, principal: NamedDependency[Principal], owner: NamedDependency[queries.OwnerView]
    ) -> Template:
        ownerships = await queries.ownerships_of_owner(principal, owner.id)
        return _show(request, "housing/owner.html", principal, owner=owner, ownerships=ownerships)


async def searched_list(request: Request, principal: NamedDependency[Principal], paging: Paging) -> Template:
    """A searched, paged list: ``templates/housing/<name>.html`` with ``<name>`` and ``q``."""
    name, lister = request.route_handler.opt["listed"]
    q = _text(request, "q")
    listed = await lister(principal, paging, q=q)
    return _show(request, f"housing/{name}.html", principal, q=q, **{name: listed})


async def _accounts(principal: Principal, page: PageRequest, q: str) -> Page[queries.AccountView]:
    """«Лицевые счета» (and the Overview's search): a caller is found by any phone the portal knows, an owner's in
    the register or a resident's confirmed one, as on the call-centre form."""
    return await queries.list_accounts(principal, page, q=q, people=await people_queries.residents_by_phone(q))


# The searched lists, each at /staff/<name> (its template and what the template gets are named alike).
LISTS = {"accounts": ("account_list", _accounts), "owners": ("owner_list", queries.list_owners)}

registry_lists = Router(
    path="/staff",
    route_handlers=[
        get(f"/{name}", name=route, opt={**READ, "listed": (name, lister)})(searched_list)
        for name, (route, lister) in LISTS.items()
    ],
)


def _premise_filter(request: Request, entrance_ids: set[int]) -> queries.PremiseFilter:
    """The house page's filters; a value that is not one of the offered ones is ignored."""
    entrance = parse_id(request.query_params.get("entrance"))
    kind = _text(request, "kind")
    return queries.PremiseFilter(
        entrance_id=among(entrance, entrance_ids),
        floor=parse_int(request.query_params.get("floor"), low=rules.MIN_FLOOR, high=rules.MAX_FLOOR),
        kind=kind if kind in rules.PREMISE_KINDS else "",
    )


# --- registry import -------------------------------------------------------------------------------------


def _registry_applied(kind: str, report: Any) -> tuple[str, str]:
    message = _(
        "The registry is imported. Rows: %(rows)s; records created or changed: %(changes)s.",
        rows=report.rows,
        changes=report.changes,
    )
    return message, "/staff/housing"


# Admins load the registry from a file: check and preview first, then apply what was previewed.
registry_import = ImportPage(
    path="/staff/housing/import",
    access=COMPANY,
    names=("registry_import", "registry_preview", "registry_check", "registry_apply"),
    template="housing/import.html",
    words=table_words(
        imports.registry.COLUMNS, imports.registry.REQUIRED_COLUMNS, imports.IMPORT_ENTITIES, imports.entity_labels
    ),
    importers={"registry": imports.REGISTRY},
    max_bytes=imports.registry.MAX_BYTES,
    no_file=lambda: _("Choose a CSV or XLSX file."),
    applied=_registry_applied,
).router()
