"""The words of the showcase: kinds, statuses, features and price units as people read them, a listing's title and
its line of figures («146 м² / 1 этаж / 153 300 ₽ в месяц»), in the reader's language."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING
from typing import Any

from portal.core.clock import local
from portal.core.i18n import format_area
from portal.core.i18n import format_day
from portal.core.i18n import format_money
from portal.core.i18n import format_number
from portal.core.i18n import format_phone
from portal.core.i18n import gettext
from portal.core.i18n import lazy
from portal.core.i18n import ngettext
from portal.core.i18n import tel_href as i18n_tel_href
from portal.core.labels import Labels
from portal.settings import get_settings
from portal.showcase.rules import SALES_PHONE
from portal.showcase.rules import lead_erased_on
from portal.showcase.tables import Feature
from portal.showcase.tables import LeadStatus
from portal.showcase.tables import ListingKind
from portal.showcase.tables import ListingStatus
from portal.showcase.tables import OfferStatus
from portal.showcase.tables import PriceUnit

if TYPE_CHECKING:
    from portal.showcase.queries import LeadDetail

kind_label = Labels(
    {
        ListingKind.COMMERCIAL: lazy("Commercial premises for rent"),
        ListingKind.RENT: lazy("Flats for rent"),
        ListingKind.SALE: lazy("Flats for sale"),
    }
).shown

kind_short = Labels(
    {
        ListingKind.COMMERCIAL: lazy("Commercial rent"),
        ListingKind.RENT: lazy("Flat rent"),
        ListingKind.SALE: lazy("Flat sale"),
    }
).shown

kind_intro = Labels(
    {
        ListingKind.COMMERCIAL: lazy(
            "Premises on the ground floors of our complexes: steady footfall every day of the week, the best spots "
            "in growing neighbourhoods, room for any business. We have a contract ready and handle the paperwork."
        ),
        ListingKind.RENT: lazy(
            "Flats in the houses we manage. We help the tenant move in: we go round the flat with you, record the "
            "meters at the handover and open the tenant's access to the resident portal."
        ),
        ListingKind.SALE: lazy(
            "Monolit Broker: resale of flats in our complexes. We know every house from the inside — its meters, "
            "its debts, its neighbours — and go with you to the deal."
        ),
    }
).known

status_label = Labels(
    {
        ListingStatus.DRAFT: lazy("Draft"),
        ListingStatus.PUBLISHED: lazy("Published"),
        ListingStatus.RESERVED: lazy("Reserved"),
        ListingStatus.CLOSED: lazy("Closed"),
    }
).shown

# The notice over a listing staff preview, one whole sentence for each status visitors do not see (a status label
# cut into a sentence would need its case and article changed, which only a translator can do).
preview_notice = Labels(
    {
        ListingStatus.DRAFT: lazy("Preview: this listing is a draft, visitors do not see it."),
        ListingStatus.CLOSED: lazy("Preview: this listing is closed, visitors do not see it."),
    }
).shown

STATUS_BADGE = {
    ListingStatus.DRAFT: "neutral",
    ListingStatus.PUBLISHED: "done",
    ListingStatus.RESERVED: "work",
    ListingStatus.CLOSED: "closed",
}

lead_status_label = Labels(
    {
        LeadStatus.NEW: lazy("New"),
        LeadStatus.IN_PROGRESS: lazy("In progress"),
        LeadStatus.VIEWING: lazy("Viewing arranged"),
        LeadStatus.DEAL: lazy("Deal"),
        LeadStatus.LOST: lazy("Lost"),
    }
).shown

LEAD_BADGE = {
    LeadStatus.NEW: "new",
    LeadStatus.IN_PROGRESS: "work",
    LeadStatus.VIEWING: "work",
    LeadStatus.DEAL: "done",
    LeadStatus.LOST: "closed",
}

offer_status_label = Labels(
    {
        OfferStatus.NEW: lazy("New"),
        OfferStatus.LISTED: lazy("Listed"),
        OfferStatus.DECLINED: lazy("Declined"),
    }
).shown

OFFER_BADGE = {OfferStatus.NEW: "new", OfferStatus.LISTED: "done", OfferStatus.DECLINED: "closed"}

feature_label = Labels(
    {
        Feature.SEPARATE_ENTRANCE: lazy("Separate entrance"),
        Feature.SHOP_WINDOW: lazy("Shop window"),
        Feature.WET_POINT: lazy("Wet point"),
        Feature.PARKING: lazy("Parking"),
        Feature.HIGH_CEILING: lazy("High ceiling"),
        Feature.POWER: lazy("Dedicated electric power"),
        Feature.FIRST_LINE: lazy("On the street front"),
        Feature.FURNISHED: lazy("Furnished"),
        Feature.APPLIANCES: lazy("Household appliances"),
        Feature.BALCONY: lazy("Balcony or loggia"),
        Feature.PETS: lazy("Pets welcome"),
        Feature.MOVE_IN_HELP: lazy("We help the tenant move in"),
    }
).shown

unit_label = Labels(
    {
        PriceUnit.MONTH: lazy("₽ a month"),
        PriceUnit.M2_MONTH: lazy("₽ per m² a month"),
        PriceUnit.TOTAL: lazy("₽, the whole price"),
    }
).shown


def rubles(kopecks: int) -> str:
    """Whole rubles as people read a price («153 300»), kopecks only where there are any, both of them
    («100 908,50», not «119 944,6»): a number under a column headed «Цена, ₽»."""
    value = Decimal(kopecks) / 100
    whole = value == value.to_integral_value()
    return format_number(value, 0 if whole else 2, fixed=not whole)


def price(kopecks: int) -> str:
    """A price as the portal writes money (``core.i18n.format_money``), in whole rubles where there are no kopecks:
    «153 300 ₽» and «100 908,50 ₽» in Russian, "₽153,300" in English, the sign never on a line of its own."""
    return format_money(Decimal(kopecks) / 100, whole=True)


def area_text(area: Decimal) -> str:
    """«146 м²», «84,09 м²»: only the decimals it has, as the deck writes it, the unit on the number's line."""
    return format_area(area, fixed=False)


def floor_text(floor: int) -> str:
    """The floor inside a phrase («54 м² / 3 этаж / …», «floor 3»)."""
    if floor <= 0:
        return gettext("basement floor")
    return gettext("floor %(n)s", n=floor)


def floor_chip(floor: int) -> str:
    """The floor as a phrase of its own, its first word capitalised by its translation («Цокольный этаж», «Floor 3»)."""
    if floor <= 0:
        return gettext("Basement floor")
    return gettext("Floor %(n)s", n=floor)


def rooms_text(rooms: int | None) -> str:
    if rooms is None:
        return ""
    if rooms == 0:
        return gettext("Studio")
    return ngettext("%(num)s-room flat", "%(num)s-room flat", rooms)


def price_text(kind: str, total_kopecks: int) -> str:
    """«153 300 ₽ в месяц» for rent, «7 450 000 ₽» for a sale."""
    if kind == ListingKind.SALE:
        return price(total_kopecks)
    return gettext("%(price)s a month", price=price(total_kopecks))


def per_m2_text(kind: str, per_m2_kopecks: int) -> str:
    if kind == ListingKind.SALE:
        return gettext("%(price)s per m²", price=price(per_m2_kopecks))
    return gettext("%(price)s per m² a month", price=price(per_m2_kopecks))


def title(kind: str, complex_name: str, area: Decimal, rooms: int | None) -> str:
    """«ЖК «Крымская Ривьера», 146 м²» as the deck writes it; a flat says what it is first."""
    if kind != ListingKind.COMMERCIAL and rooms is not None:
        return gettext("%(rooms)s, %(area)s", rooms=rooms_text(rooms), area=area_text(area))
    return gettext("%(complex)s, %(area)s", complex=complex_name, area=area_text(area))


def figures(kind: str, area: Decimal, floor: int, total_kopecks: int) -> str:
    """The card's line: «146 м² / 1 этаж / 153 300 ₽ в месяц»."""
    return " / ".join((area_text(area), floor_text(floor), price_text(kind, total_kopecks)))


def phone_text(phone: str = SALES_PHONE) -> str:
    """The sales phone as written, that never breaks across lines (``core.i18n.format_phone``)."""
    return format_phone(phone)


def tel_href(phone: str = SALES_PHONE) -> str:
    """A ``tel:`` link of the sales phone (``core.i18n.tel_href``)."""
    return i18n_tel_href(phone)


def chips(f: Any, complexes: list[Any]) -> list[tuple[str, str]]:
    """The filters in force as words, each with the URL parameter that removes it («Площадь от 50 м²», area_from)."""
    names = {c.id: c.name for c in complexes}
    shown: list[tuple[str, str]] = []
    if f.area_from is not None:
        shown.append((gettext("Area from %(area)s", area=area_text(f.area_from)), "area_from"))
    if f.area_to is not None:
        shown.append((gettext("Area up to %(area)s", area=area_text(f.area_to)), "area_to"))
    if f.floor is not None:
        shown.append((floor_chip(f.floor), "floor"))
    if f.price_from is not None:
        shown.append((gettext("Price from %(price)s", price=price(f.price_from)), "price_from"))
    if f.price_to is not None:
        shown.append((gettext("Price up to %(price)s", price=price(f.price_to)), "price_to"))
    if f.m2_from is not None:
        shown.append((gettext("Per m² from %(price)s", price=price(f.m2_from)), "m2_from"))
    if f.m2_to is not None:
        shown.append((gettext("Per m² up to %(price)s", price=price(f.m2_to)), "m2_to"))
    if f.complex is not None:
        shown.append((names.get(f.complex, gettext("Complex")), "complex"))
    return shown


def lead_kept_until(lead: LeadDetail) -> str:
    """The day a visitor's name, phone and words will be deleted at the end of their keeping term, on the lead's
    page as the daily job counts it (``rules.lead_erased_on``); "" for a resident's lead, which stays as it is, and
    once they are deleted."""
    if lead.erased_at is not None or lead.resident or lead.updated_at is None or lead.consent_at is None:
        return ""
    keep_days = get_settings().viewing_keep_days
    on = lead_erased_on(local(lead.updated_at).date(), local(lead.consent_at).date(), keep_days)
    return gettext(
        "The name, phone and message will be deleted on %(date)s at the end of their keeping term (152-ФЗ ст. 5 ч. 7)",
        date=format_day(on),
    )


def lead_erased(moment: datetime) -> str:
    """What stands for a visitor's name, phone and words deleted at the end of their keeping term
    (``actions.forget_viewing_requests``): on the lead's page and in the list."""
    return gettext(
        "Name, phone and message deleted on %(date)s at the end of their keeping term (152-ФЗ ст. 5 ч. 7)",
        date=format_day(local(moment).date()),
    )
