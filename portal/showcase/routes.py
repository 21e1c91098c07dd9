"""Public pages of the showcase (no sign-in needed): the three kinds of listings with the deck's filters, a listing
with its photos and lead form, the photos, the feed for property aggregators; a signed-in person's own leads and an
owner's request to let or sell their flat."""

from __future__ import annotations

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

from portal.core import clock
from portal.core import i18n
from portal.core import limits
from portal.core import storage
from portal.core.address import full_address
from portal.core.address import house_choices
from portal.core.head import is_head
from portal.core.security import Principal
from portal.core.security import client_ip
from portal.core.security import public
from portal.core.security import resident
from portal.core.security import signed_in
from portal.core.web import FormData
from portal.core.web import FormErrors
from portal.core.web import flash
from portal.core.web import render
from portal.core.web import see_other
from portal.settings import get_settings
from portal.showcase import actions
from portal.showcase import consent
from portal.showcase import feed
from portal.showcase import forms
from portal.showcase import queries
from portal.showcase import rules
from portal.showcase import words
from portal.showcase.tables import ListingKind

ListingDep = NamedDependency[queries.ListingView]  # a listing in the path, loaded by ``provide_listing``


def _kind(kind: str) -> ListingKind:
    if kind not in ListingKind.__members__.values():
        raise NotFoundException()
    return ListingKind(kind)


def _words() -> dict[str, Any]:
    return {
        "kind_label": words.kind_label,
        "status_label": words.status_label,
        "feature_label": words.feature_label,
        "lead_status_label": words.lead_status_label,
        "lead_badge": words.LEAD_BADGE,
        "offer_status_label": words.offer_status_label,
        "offer_badge": words.OFFER_BADGE,
        "kinds": list(ListingKind),
        "words": words,
    }


async def provide_listing(principal: NamedDependency[Principal], listing_id: FromPath[int]) -> queries.ListingView:
    """A listing on show; the showcase's staff also open their houses' drafts and closed ones (as a preview)."""
    try:
        return await queries.public_listing(listing_id)
    except NotFoundException:
        if principal.has_role(*rules.LEAD_ROLES):
            return await queries.staff_listing(principal, listing_id)
        raise


async def _listing_page(
    request: Request, principal: Principal, listing: queries.ListingView, form: forms.LeadForm, status_code: int = 200
) -> Template:
    settings = get_settings()
    return render(
        request,
        "showcase/listing.html",
        listing=listing,
        form=form,
        errors=form.errors,
        consent_text=consent.text(i18n.get_locale(), i18n.own_words(settings, "company_name")),
        base_url=settings.base_url,
        preview=not rules.is_public(listing.status),
        block="lead" if status_code != 200 else "main",
        status_code=status_code,
        **_words(),
    )


async def _count_view(request: Request, principal: Principal, listing: queries.ListingView) -> None:
    """One more view of the listing, once a visitor a day, where a person opened it (``rules.counts_view``, not
    their own flat's): a HEAD, a reload, the owner and the robots count nothing."""
    agent = request.headers.get("user-agent", "")
    if is_head(request) or not rules.counts_view(principal, listing.status, agent):
        return
    if await queries.owns_premise(principal, listing.premise_id):
        return
    secret, day, ip = get_settings().secret_key, clock.today_local(), client_ip(request)
    visitor = rules.view_key(secret, listing.id, day, principal.user_id, ip, agent)
    if await limits.counter(request).take(rules.VIEWS_PER_VISITOR, visitor):
        await actions.count_view(listing.id)


class PublicShowcase(Controller):
    path = "/showcase"
    opt = public()

    @get("/", name="showcase:index")
    async def index(self, request: Request) -> Template:
        return render(request, "showcase/index.html", counts=await queries.counts_by_kind(), **_words())

    @get("/{kind:str}", name="showcase:list")
    async def listings(self, request: Request, kind: FromPath[str]) -> Template:
        f = forms.read_filter(request.query_params, _kind(kind))
        page = await queries.cards(f, forms.read_page(request.query_params))
        complexes, floors = await queries.filter_choices(f.kind)
        choices = {"complex_choices": [(c.id, c.name) for c in complexes],
                   "floor_choices": [(n, words.floor_text(n)) for n in floors]}  # fmt: skip
        return render(request, "showcase/list.html", f=f, page=page, complexes=complexes, sorts=_sorts(),
                      block="results", **choices, **_words())  # fmt: skip

    @get("/listings/{listing_id:int}", name="showcase:listing", dependencies={"listing": Provide(provide_listing)})
    async def listing(self, request: Request, principal: NamedDependency[Principal], listing: ListingDep) -> Template:
        await _count_view(request, principal, listing)
        form = forms.LeadForm(typed={"name": principal.name if principal.is_authenticated else ""})
        if principal.user_id is not None:
            form.typed["phone"] = await queries.phone_of(principal.user_id)
        return await _listing_page(request, principal, listing, form)

    @post("/listings/{listing_id:int}/lead", name="showcase:lead", status_code=200,
          dependencies={"listing": Provide(provide_listing)})  # fmt: skip
    async def lead(
        self, request: Request, principal: NamedDependency[Principal], listing: ListingDep, data: FormData
    ) -> Template | Response[Any]:
        """The lead form: refused with words at each field and what was typed kept; at most 10 an hour per IP."""
        form = forms.read_lead(data)
        ip = client_ip(request)
        if not await limits.counter(request).take(rules.LEADS_PER_IP, ip):
            form.errors = FormErrors(general=[_too_many()])
            return await _listing_page(request, principal, listing, form, status_code=429)
        if form.errors:
            return await _listing_page(request, principal, listing, form, status_code=422)
        visitor = actions.Visitor(ip=ip, user_agent=request.headers.get("user-agent", ""), locale=i18n.get_locale())
        await actions.send_lead(principal, listing, form.name, form.phone, form.message, visitor)
        flash(request, i18n.gettext("Thank you! Your request is sent: we will call you back within a working day."))
        return see_other(request, f"/showcase/listings/{listing.id}")

    @get("/photos/{photo_id:int}", name="showcase:photo")
    async def photo(self, principal: NamedDependency[Principal], photo_id: FromPath[int]) -> Any:
        key, _small = await queries.photo_keys(principal, photo_id)
        return storage.response_for(key, "image/jpeg", f"photo-{photo_id}.jpg")

    @get("/photos/{photo_id:int}/small", name="showcase:photo_small")
    async def photo_small(self, principal: NamedDependency[Principal], photo_id: FromPath[int]) -> Any:
        _key, small = await queries.photo_keys(principal, photo_id)
        return storage.response_for(small, "image/jpeg", f"photo-{photo_id}-small.jpg")

    @get("/feed.xml", name="showcase:feed")
    async def feed(self) -> Response[bytes]:
        """Published listings in the Yandex realty feed format (YML) that property aggregators take."""
        items, photos = await queries.feed_listings()
        body = feed.realty_feed(items, photos, get_settings())
        return Response(body, media_type="application/xml; charset=utf-8",
                        headers={"Cache-Control": "public, max-age=600"})  # fmt: skip


def _too_many() -> str:
    return i18n.gettext(
        "Too many requests have come from your network in the last hour. Please call us or try again later."
    )


def _sorts() -> list[tuple[str, str]]:
    return [
        (rules.Sort.NEWEST.value, i18n.gettext("Newest first")),
        (rules.Sort.CHEAP.value, i18n.gettext("Cheapest first")),
        (rules.Sort.DEAR.value, i18n.gettext("Most expensive first")),
        (rules.Sort.SMALL.value, i18n.gettext("Smallest first")),
        (rules.Sort.LARGE.value, i18n.gettext("Largest first")),
    ]


class MyShowcase(Controller):
    path = "/showcase/mine"
    opt = signed_in()

    @get("/", name="showcase:mine")
    async def mine(self, request: Request, principal: NamedDependency[Principal]) -> Template:
        user_id = principal.user_id or 0
        leads = await queries.leads_of_user(user_id)
        offers = await queries.offers_of_user(user_id)
        return render(request, "showcase/mine.html", leads=leads, offers=offers, **_words())


class OwnerOffers(Controller):
    """An owner asks the company to let or sell their flat (from the flat's page: ``?account=``)."""

    path = "/showcase/offer"
    opt = resident()

    @get("/", name="showcase:offer")
    async def form(self, request: Request, principal: NamedDependency[Principal]) -> Template:
        typed = {"account": request.query_params.get("account", ""), "kind": request.query_params.get("kind", "rent")}
        if principal.user_id is not None:
            typed["phone"] = await queries.phone_of(principal.user_id)
        return await _offer_page(request, principal, forms.Form(typed=typed))

    @post("/", name="showcase:offer_send", status_code=200)
    async def send(
        self, request: Request, principal: NamedDependency[Principal], data: FormData
    ) -> Template | Response[Any]:
        flats = {f.account_id: f for f in await queries.owned_flats(principal)}
        form = forms.read_offer(data, set(flats))
        if not form.errors and not await limits.counter(request).take(rules.OFFERS_PER_USER, str(principal.user_id)):
            form.errors.general.append(
                i18n.gettext("You have sent too many requests in the last hour. Please call us or try again later.")
            )
            return await _offer_page(request, principal, form, flats=list(flats.values()), status_code=429)
        if form.errors:
            return await _offer_page(request, principal, form, flats=list(flats.values()), status_code=422)
        v = form.values
        await actions.ask_to_list(principal, flats[v["account"]], ListingKind(v["kind"]), v["price_kopecks"],
                                  v["phone"], v["comment"], principal.name, ip=client_ip(request))  # fmt: skip
        flash(request, i18n.gettext("Your request is sent. A manager will call you to agree the details."))
        return see_other(request, "/showcase/mine")


async def _offer_page(
    request: Request,
    principal: Principal,
    form: forms.Form,
    *,
    flats: list[queries.OwnedFlat] | None = None,
    status_code: int = 200,
) -> Template:
    flats = flats if flats is not None else await queries.owned_flats(principal)
    # Without the town all the flats share (``house_choices``): a phone's closed dropdown cut the flat's number off.
    options = house_choices([(f.account_id, full_address(f.address, "flat", f.number)) for f in flats])
    return render(request, "showcase/offer.html", form=form, errors=form.errors, flats=flats, flats_options=options,
                  status_code=status_code, **_words())  # fmt: skip


# Queries each page may run on an ordinary load (the principal read included), asserted on both engines by
# tests/showcase/test_public.py: a change that adds a query to a page raises its number here, on purpose.
QUERY_BUDGETS: dict[str, int] = {
    "/showcase/{kind:str}": 3,  # anonymous: the count, the page of cards, the complexes and floors of the filters
    "/showcase/listings/{listing_id:int}": 3,  # the listing, its photos, one more view (a visitor's first today)
}
