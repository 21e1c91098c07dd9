"""The feed of published listings for property aggregators, in the Yandex realty feed format (YML) that Яндекс
Недвижимость, Авито and ЦИАН take: one ``<offer>`` per listing with its type, category, address, price, area, floor,
photos and description. Built from plain data (no I/O); Russian words, as the format wants them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from datetime import datetime
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree as ET

from portal.showcase.rules import SALES_PHONE
from portal.showcase.tables import Feature
from portal.showcase.tables import ListingKind

NAMESPACE = "http://webmaster.yandex.ru/schemas/feed/realty/2010-06"

# The format's own words for a commercial premise's purposes, by our features.
COMMERCIAL_TYPE = "retail"


def _add(parent: ET.Element, tag: str, text: Any = None) -> ET.Element:
    element = ET.SubElement(parent, tag)
    if text is not None:
        element.text = str(text)
    return element


def _number(value: Decimal) -> str:
    """«146», «84.09»: no trailing zeros, a point as the separator (the format is not localised)."""
    return format(value.normalize(), "f")


def _city(address: str) -> str:
    """«г. Симферополь, ул. …» → «Симферополь» (the demo and the deck write the city first)."""
    first = address.split(",", 1)[0].strip()
    return first.removeprefix("г.").strip() if first.startswith("г.") else ""


def offer(item: Any, photo_ids: Sequence[int], base_url: str, company: str, phone: str) -> ET.Element:
    """One listing as an ``<offer>`` element."""
    element = ET.Element("offer", {"internal-id": str(item.id)})
    _add(element, "type", "продажа" if item.kind == ListingKind.SALE else "аренда")
    _add(element, "property-type", "жилая" if item.kind != ListingKind.COMMERCIAL else "нежилая")
    _add(element, "category", "коммерческая" if item.kind == ListingKind.COMMERCIAL else "квартира")
    if item.kind == ListingKind.COMMERCIAL:
        _add(element, "commercial-type", COMMERCIAL_TYPE)
        if Feature.SEPARATE_ENTRANCE in item.features:
            _add(element, "entrance-type", "separate")
    _add(element, "url", f"{base_url}/showcase/listings/{item.id}")
    _add(element, "creation-date", (item.published_at or item.created_at or datetime.now(UTC)).isoformat())
    if item.updated_at:
        _add(element, "last-update-date", item.updated_at.isoformat())
    location = _add(element, "location")
    _add(location, "country", "Россия")
    if city := _city(item.address):
        _add(location, "locality-name", city)
    _add(location, "address", item.address)
    agent = _add(element, "sales-agent")
    _add(agent, "phone", phone)
    _add(agent, "organization", company)
    _add(agent, "category", "agency")
    price = _add(element, "price")
    _add(price, "value", _number(Decimal(item.total_kopecks) / 100))
    _add(price, "currency", "RUR")
    if item.kind != ListingKind.SALE:
        _add(price, "period", "месяц")
    area = _add(element, "area")
    _add(area, "value", _number(item.area))
    _add(area, "unit", "кв. м")
    _add(element, "floor", item.floor)
    if item.kind != ListingKind.COMMERCIAL and item.rooms is not None:
        if item.rooms == 0:
            _add(element, "studio", "true")
        else:
            _add(element, "rooms", item.rooms)
    for photo_id in photo_ids:
        _add(element, "image", f"{base_url}/showcase/photos/{photo_id}")
    if item.description:
        _add(element, "description", item.description)
    return element


def realty_feed(
    items: Sequence[Any], photos: dict[int, list[int]], settings: Any, now: datetime | None = None
) -> bytes:
    """The whole feed as UTF-8 XML."""
    root = ET.Element("realty-feed", {"xmlns": NAMESPACE})
    _add(root, "generation-date", (now or datetime.now(UTC)).isoformat())
    for item in items:
        root.append(offer(item, photos.get(item.id, []), settings.base_url, settings.company_name, SALES_PHONE))
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
