"""Staff pages of the showcase: the listings with their filters, counts of views and leads and the XLSX export; a
listing's form, page, photos and status; the leads; the owners' requests to list a flat."""

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
from litestar.params import FromPath
from litestar.response import Template

from portal.core import clock
from portal.core import stale
from portal.core import storage
from portal.core.address import recorded_address
from portal.core.db import from_kopecks
from portal.core.exports import Area
from portal.core.exports import Count
from portal.core.exports import Money
from portal.core.exports import to_xlsx
from portal.core.i18n import format_number
from portal.core.i18n import gettext
from portal.core.pagination import Paging
from portal.core.pagination import page_request
from portal.core.security import Principal
from portal.core.security import client_ip
from portal.core.security import staff
from portal.core.threads import written
from portal.core.web import FormData
from portal.core.web import FormErrors
from portal.core.web import MultipartData
from portal.core.web import Refused
from portal.core.web import among
from portal.core.web import flash
from portal.core.web import form_value
from portal.core.web import render
from portal.core.web import see_other
from portal.housing.queries import get_house
from portal.housing.queries import houses_in_scope
from portal.showcase import actions
from portal.showcase import forms
from portal.showcase import queries
from portal.showcase import rules
from portal.showcase import words
from portal.showcase.routes import _words
from portal.showcase.rules import LeadFilter
from portal.showcase.rules import Move
from portal.showcase.rules import StaffFilter
from portal.showcase.tables import Feature
from portal.showcase.tables import LeadStatus
from portal.showcase.tables import ListingKind
from portal.showcase.tables import ListingStatus
from portal.showcase.tables import PriceUnit

EDIT = staff(*rules.LISTING_ROLES)
# Records in the path, each loaded by its provider below only if the principal may see it.
ListingDep = NamedDependency[queries.ListingView]
LeadDep = NamedDependency[queries.LeadDetail]
OfferDep = NamedDependency[queries.OfferRow]


async def provide_listing(principal: NamedDependency[Principal], listing_id: FromPath[int]) -> queries.ListingView:
    return await queries.staff_listing(principal, listing_id)


async def provide_lead(principal: NamedDependency[Principal], lead_id: FromPath[int]) -> queries.LeadDetail:
    return await queries.staff_lead(principal, lead_id)


async def provide_offer(principal: NamedDependency[Principal], offer_id: FromPath[int]) -> queries.OfferRow:
    return await queries.staff_offer(principal, offer_id)


def _staff_words() -> dict[str, Any]:
    return {
        **_words(),
        "status_badge": words.STATUS_BADGE,
        "statuses": [(s.value, words.status_label(s)) for s in ListingStatus],
        "kind_choices": [(k.value, words.kind_short(k)) for k in ListingKind],
        "unit_label": words.unit_label,
        "lead_statuses": [(s.value, words.lead_status_label(s)) for s in LeadStatus],
        "lead_choices": lambda statuses: [(s.value, words.lead_status_label(s)) for s in statuses],
        "rules": rules,
    }


Choices = list[tuple[int, str]]


async def _staff_filter(request: Request, principal: Principal) -> tuple[StaffFilter, Choices, Choices]:
    """The listings' filters, with the complexes and the people in charge to choose from: a complex or a person that
    is none of the list's counts as not read (``core.web.among``), the same whether it is out of the user's reach or
    not there."""
    complexes = [(c.id, c.name) for c in await queries.staff_complexes(principal)]
    managers = [(m.id, m.name) for m in await queries.managers()]
    f = forms.read_staff_filter(request.query_params)
    f = replace(
        f, complex=among(f.complex, [c for c, _ in complexes]), manager=among(f.manager, [m for m, _ in managers])
    )
    return f, complexes, managers


class StaffListings(Controller):
    path = "/staff/showcase"
    opt = staff(*rules.LEAD_ROLES)
    dependencies = {"listing": Provide(provide_listing)}

    @get("/", name="showcase:staff_list")
    async def index(self, request: Request, principal: NamedDependency[Principal], paging: Paging) -> Template:
        f, complexes, managers = await _staff_filter(request, principal)
        typed, problems = forms.staff_filter_problems(request.query_params, f)
        listings = await queries.staff_listings(principal, f, paging)
        return render(request, "showcase/staff_list.html", page=listings, f=f, typed=typed, problems=problems,
                      complex_choices=complexes, manager_choices=managers,
                      new_leads=await queries.new_leads_count(principal), **_staff_words())  # fmt: skip

    @get("/export.xlsx", name="showcase:staff_export")
    async def export(self, request: Request, principal: NamedDependency[Principal]) -> Response[bytes]:
        rows = await queries.export_rows(principal, (await _staff_filter(request, principal))[0])
        body = await written(to_xlsx, [(gettext("Listings"), _export_table(rows))])
        name = f"listings-{clock.today_local():%Y-%m-%d}.xlsx"
        return Response(body, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip

    @get("/new", name="showcase:staff_new", opt=EDIT)
    async def new(self, request: Request, principal: NamedDependency[Principal]) -> Template:
        kind = request.query_params.get("kind", ListingKind.COMMERCIAL)
        return await _form_page(request, principal, forms.Form(typed={"kind": kind, "source": "registry"}), None)

    @post("/new", name="showcase:staff_create", opt=EDIT, status_code=200)
    async def create(
        self, request: Request, principal: NamedDependency[Principal], data: FormData
    ) -> Template | Response[Any]:
        return await _save(request, principal, data, None)

    @get("/{listing_id:int}", name="showcase:staff_listing")
    async def show(
        self, request: Request, principal: NamedDependency[Principal], listing: ListingDep
    ) -> Template | Response[Any]:
        leads = await queries.staff_leads(principal, LeadFilter(listing=listing.id), page_request(1, 10))
        counts = (await queries.lead_counts([listing.id])).get(listing.id, (0, 0))
        return render(request, "showcase/staff_listing.html", listing=listing, leads=leads, lead_total=counts[0],
                      moves=rules.moves_from(listing.status), **_staff_words())  # fmt: skip

    @get("/{listing_id:int}/edit", name="showcase:staff_edit", opt=EDIT)
    async def edit(
        self, request: Request, principal: NamedDependency[Principal], listing: ListingDep
    ) -> Template | Response[Any]:
        return await _form_page(request, principal, _form_of(listing), listing, version=stale.carried(listing))

    @post("/{listing_id:int}/edit", name="showcase:staff_update", opt=EDIT, status_code=200)
    async def update(
        self, request: Request, principal: NamedDependency[Principal], listing: ListingDep, data: FormData
    ) -> Template | Response[Any]:
        return await _save(request, principal, data, listing)

    @post("/{listing_id:int}/move", name="showcase:staff_move", opt=EDIT)
    async def move(
        self, request: Request, principal: NamedDependency[Principal], listing: ListingDep, data: FormData
    ) -> Response[Any]:
        step = form_value(data, "move")
        if step not in Move.__members__.values():
            raise Refused(gettext("Choose what to do with the listing."))
        status = await actions.move_listing(principal, listing, Move(step), ip=client_ip(request))
        flash(request, gettext("The listing is now: %(status)s.", status=words.status_label(status)))
        return see_other(request, f"/staff/showcase/{listing.id}")

    @post("/{listing_id:int}/duplicate", name="showcase:staff_duplicate", opt=EDIT)
    async def duplicate(
        self, request: Request, principal: NamedDependency[Principal], listing: ListingDep
    ) -> Response[Any]:
        copy = await actions.duplicate(principal, listing, ip=client_ip(request))
        flash(request, gettext("A copy is saved as a draft: choose its premise and add photos."))
        return see_other(request, f"/staff/showcase/{copy}/edit")

    @post("/{listing_id:int}/photos", name="showcase:staff_photos", opt=EDIT)
    async def photos(
        self, request: Request, principal: NamedDependency[Principal], listing: ListingDep, data: MultipartData
    ) -> Response[Any]:
        uploads = [u for u in _files(data.get("photos")) if storage.is_upload(u)]
        if not uploads:
            raise Refused(gettext("Choose one or more photos to upload."))
        refused = await actions.add_photos(principal, listing, uploads, ip=client_ip(request))
        for problem in refused:
            flash(request, storage.image_refusal(problem), "error")
        if len(refused) < len(uploads):
            flash(request, gettext("Photos added."))
        return see_other(request, f"/staff/showcase/{listing.id}#photos")

    @post("/{listing_id:int}/photos/{photo_id:int}/move", name="showcase:staff_photo_move", opt=EDIT)
    async def photo_move(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        listing: ListingDep,
        photo_id: FromPath[int],
        data: FormData,
    ) -> Template | Response[Any]:
        await actions.move_photo(principal, listing, photo_id, form_value(data, "direction"), ip=client_ip(request))
        return await self._photos_block(request, principal, listing.id)

    @post("/{listing_id:int}/photos/{photo_id:int}/delete", name="showcase:staff_photo_delete", opt=EDIT)
    async def photo_delete(
        self, request: Request, principal: NamedDependency[Principal], listing: ListingDep, photo_id: FromPath[int]
    ) -> Template | Response[Any]:
        await actions.delete_photo(principal, listing, photo_id, ip=client_ip(request))
        flash(request, gettext("The photo is deleted."))
        return await self._photos_block(request, principal, listing.id)

    async def _photos_block(self, request: Request, principal: Principal, listing_id: int) -> Template | Response[Any]:
        """After a change of photos: the photos block again for HTMX, the listing's page otherwise."""
        if getattr(request, "htmx", None):
            listing = await queries.staff_listing(principal, listing_id)
            return render(request, "showcase/staff_listing.html", listing=listing, block="photos", **_staff_words())
        return see_other(request, f"/staff/showcase/{listing_id}#photos")


def _files(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _export_table(rows: list[queries.StaffRow]) -> list[list[Any]]:
    header = [gettext("No."), gettext("Kind"), gettext("Status"), gettext("Complex"), gettext("Address"),
              gettext("Area, m²"), gettext("Floor"), gettext("Price, ₽"), gettext("Per m², ₽"), gettext("Views"),
              gettext("Leads"), gettext("New leads"), gettext("In charge"), gettext("Created")]  # fmt: skip
    body = [
        [r.id, words.kind_short(r.kind), words.status_label(r.status), r.complex_name, r.address, Area.of(r.area),
         r.floor, Money(from_kopecks(r.total_kopecks)), Money(from_kopecks(r.per_m2_kopecks)), Count(r.views),
         Count(r.leads), Count(r.new_leads),
         r.manager_name, clock.local(r.created_at).date() if r.created_at else None]
        for r in rows
    ]  # fmt: skip
    return [header, *body]


def _form_of(listing: ListingDep) -> forms.Form:
    typed = {
        "kind": listing.kind,
        "house": str(listing.house_id),
        "source": "registry" if listing.premise_id else "free",
        "premise_number": listing.premise_number,
        "area": format_number(listing.area, 2),
        "floor": str(listing.floor),
        "rooms": "" if listing.rooms is None else str(listing.rooms),
        "price": words.rubles(listing.price_kopecks) if listing.price_kopecks else "",
        "price_unit": listing.price_unit,
        "description": listing.description,
        "features": list(listing.features),
        "manager": str(listing.manager_id or ""),
    }
    return forms.Form(typed=typed)


async def _form_page(request: Request, principal: Principal, form: forms.Form,
                     listing: queries.ListingView | None, status_code: int = 200,
                     version: str | None = None) -> Template:  # fmt: skip
    """The listing's form; an edit's carries ``version``: the listing's as read, or the one the form had."""
    houses = [(h.id, h.address) for h in await houses_in_scope(principal)]
    managers = [(m.id, m.name) for m in await queries.managers()]
    units = [(u.value, words.unit_label(u)) for u in PriceUnit]
    return render(request, "showcase/staff_form.html", form=form, errors=form.errors, listing=listing, houses=houses,
                  managers=managers, units=units, features=_feature_choices(), status_code=status_code,
                  version=version, **_staff_words())  # fmt: skip


def _feature_choices() -> list[tuple[str, str]]:
    return [(f.value, words.feature_label(f)) for f in Feature]


async def _place(principal: Principal, values: dict[str, Any], form: forms.Form) -> actions.Place | None:
    """Where the listing is: the registry's premise by its number (its area and floor), or what was typed."""
    house = await get_house(principal, values["house"])
    if house is None:
        form.errors.add("house", gettext("Choose a house you work with."))
        return None
    area, floor, premise_id, number = values.get("area"), values.get("floor"), None, values["premise_number"]
    if values["source"] == "registry":
        found = await queries.registry_premise(house.id, number, rules.PREMISE_KIND[values["kind"]])
        if found is None:
            form.errors.add("premise_number", gettext("The registry has no such premise in this house. Check the "
                                                      "number, or choose “Entered by hand”.", ))  # fmt: skip
            return None
        area, floor, premise_id = found.area, found.floor or 1, found.id
    kind = rules.PREMISE_KIND[values["kind"]]
    return actions.Place(house_id=house.id, complex_id=house.complex_id,
                         address=recorded_address(house.address, kind, number), premise_id=premise_id,
                         premise_number=number, area=area, floor=floor)  # fmt: skip


async def _save(
    request: Request, principal: Principal, data: dict[str, Any], listing: queries.ListingView | None
) -> Template | Response[Any]:
    houses = {h.id for h in await houses_in_scope(principal)}
    form = forms.read_listing(data, houses, {m.id for m in await queries.managers()})
    typed = stale.typed(data, editing=listing is not None)
    place = await _place(principal, form.values, form) if not form.errors else None
    if form.errors or place is None:
        return await _form_page(request, principal, form, listing, status_code=422, version=typed)
    v = form.values
    data_in = actions.ListingInput(kind=ListingKind(v["kind"]), price_kopecks=v["price_kopecks"],
                                   price_unit=PriceUnit(v["price_unit"]), description=v["description"],
                                   features=tuple(v["features"]), rooms=v["rooms"], manager=v["manager"])  # fmt: skip
    if listing is None:
        listing_id = await actions.create_listing(principal, data_in, place, ip=client_ip(request))
    else:
        try:
            await actions.update_listing(principal, listing, data_in, place, ip=client_ip(request), version=typed)
        except stale.Stale as exc:  # the form again, with what was typed and the listing's version now
            stale.say(form.errors, exc.change, forms.FIELDS, {"price_kopecks": "price"})
            return await _form_page(request, principal, form, listing, status_code=409, version=stale.carried(listing))
        listing_id = listing.id
    flash(request, gettext("Saved."))
    return see_other(request, f"/staff/showcase/{listing_id}")


class StaffLeads(Controller):
    path = "/staff/showcase/leads"
    opt = staff(*rules.LEAD_ROLES)
    dependencies = {"lead": Provide(provide_lead)}

    @get("/", name="showcase:staff_leads")
    async def index(self, request: Request, principal: NamedDependency[Principal], paging: Paging) -> Template:
        f = forms.read_lead_filter(request.query_params)
        typed, problems = forms.lead_filter_problems(request.query_params, f)
        leads = await queries.staff_leads(principal, f, paging)
        return render(request, "showcase/staff_leads.html", page=leads, f=f, typed=typed, problems=problems,
                      moves=rules.LEAD_MOVES, **_staff_words())  # fmt: skip

    @get("/{lead_id:int}", name="showcase:staff_lead")
    async def show(self, request: Request, lead: LeadDep) -> Template:
        return _lead_page(request, lead)

    @post("/{lead_id:int}", name="showcase:staff_lead_move")
    async def move(
        self, request: Request, principal: NamedDependency[Principal], lead: LeadDep, data: FormData
    ) -> Response[Any]:
        status, note = forms.read_lead_move(data)
        if status is None:  # the lead's page again (422): the message at the status, the note as typed
            errors = FormErrors()
            errors.add("status", gettext("Choose the lead's status."))
            return _lead_page(request, lead, errors=errors, note=note, status_code=422)
        await actions.move_lead(principal, lead, status, note if "note" in data else lead.note, ip=client_ip(request))
        flash(request, gettext("The lead is now: %(status)s.", status=words.lead_status_label(status)))
        back = form_value(data, "back")
        return see_other(request, back if back.startswith("/staff/showcase/") else f"/staff/showcase/leads/{lead.id}")


def _lead_page(
    request: Request,
    lead: queries.LeadDetail,
    *,
    errors: FormErrors | None = None,
    note: str | None = None,
    status_code: int = 200,
) -> Template:
    """A lead's page; refused, its form with ``errors`` and the note as typed."""
    return render(request, "showcase/staff_lead.html", status_code=status_code, lead=lead, moves=rules.LEAD_MOVES,
                  errors=errors, note=lead.note if note is None else note, **_staff_words())  # fmt: skip


class StaffOffers(Controller):
    path = "/staff/showcase/offers"
    opt = EDIT
    dependencies = {"offer": Provide(provide_offer)}

    @get("/", name="showcase:staff_offers")
    async def index(self, request: Request, principal: NamedDependency[Principal], paging: Paging) -> Template:
        status = forms.offer_status(request.query_params)
        offers = await queries.staff_offers(principal, status, paging)
        problems = forms.offer_status_problems(request.query_params, status)
        return render(request, "showcase/staff_offers.html", page=offers, status=status, problems=problems,
                      **_staff_words())  # fmt: skip

    @get("/{offer_id:int}", name="showcase:staff_offer")
    async def show(self, request: Request, offer: OfferDep) -> Template:
        return render(request, "showcase/staff_offer.html", offer=offer, **_staff_words())

    @post("/{offer_id:int}/list", name="showcase:staff_offer_list")
    async def make_listing(
        self, request: Request, principal: NamedDependency[Principal], offer: OfferDep
    ) -> Response[Any]:
        house = await get_house(principal, offer.house_id)
        premise = await queries.registry_premise_by_id(offer.premise_id)
        if house is None or premise is None:
            raise Refused(gettext("The flat is no longer in the registry."))
        place = actions.Place(house_id=house.id, complex_id=house.complex_id, premise_id=premise.id,
                              address=recorded_address(house.address, "flat", premise.number),
                              premise_number=premise.number, area=premise.area, floor=premise.floor or 1)  # fmt: skip
        listing_id = await actions.turn_into_listing(principal, offer, place, ip=client_ip(request))
        flash(request, gettext("A draft listing is made of the owner's flat: add the photos and the description."))
        return see_other(request, f"/staff/showcase/{listing_id}/edit")

    @post("/{offer_id:int}/decline", name="showcase:staff_offer_decline")
    async def decline(
        self, request: Request, principal: NamedDependency[Principal], offer: OfferDep, data: FormData
    ) -> Response[Any]:
        address = recorded_address(offer.address, "flat", offer.number)
        await actions.decline_offer(principal, offer, form_value(data, "answer"), address, ip=client_ip(request))
        flash(request, gettext("The owner is told."))
        return see_other(request, "/staff/showcase/offers")


QUERY_BUDGETS: dict[str, int] = {
    "/staff/showcase": 7,  # the principal, the count, the page, its leads, complexes, managers, new leads
}
