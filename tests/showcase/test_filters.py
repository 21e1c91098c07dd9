"""The public list's filters and sorts on both engines: each filter narrows to exactly the listings that pass it,
filters combine, every sort orders as it says with the id breaking ties, and walking the pages shows each listing
once, in the order of the whole list."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from portal.showcase import queries
from portal.showcase.rules import ListingFilter
from portal.showcase.rules import Sort
from portal.showcase.tables import Listing
from portal.showcase.tables import ListingKind
from portal.showcase.tables import ListingStatus

BASE = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


async def _stock(make_account: Any) -> dict[str, Any]:
    """60 listings in two complexes: commercial ones in every status and some flats; areas, floors and prices
    spread, with equal prices and equal publication times so that ties must be broken."""
    a, b = await make_account(), await make_account()
    complexes = {}
    for place in (a, b):
        from portal.housing.tables import House

        complexes[place.house] = (await House.select(House.complex).where(House.id == place.house).first())["complex"]
    rows = []
    for i in range(60):
        house = a.house if i % 3 else b.house
        area = Decimal(20 + (i * 37) % 180) + Decimal("0.25") * (i % 4)
        per_m2 = 80_000 + (i * 7_919) % 70_000 if i % 5 else 100_000  # every fifth: the same price per m²
        status = (
            ListingStatus.RESERVED if i % 10 == 3 else ListingStatus.DRAFT if i % 10 == 7
            else ListingStatus.CLOSED if i == 59 else ListingStatus.PUBLISHED
        )  # fmt: skip
        row = Listing(
            kind=ListingKind.RENT if i % 9 == 4 else ListingKind.COMMERCIAL,
            status=status,
            house=house,
            complex=complexes[house],
            address=f"ул. Фильтровая, д. {i}",
            premise_number=f"{i}Н",
            area=area,
            floor=i % 4,
            price_kopecks=per_m2,
            price_unit="m2_month",
            per_m2_kopecks=per_m2,
            total_kopecks=int((area * per_m2).to_integral_value()) if i % 6 else 9_000_000,  # ties on the total
            published_at=BASE + timedelta(hours=i // 5),  # five listings share each hour
        )
        await row.save()
        rows.append({"id": row.id, "kind": row.kind, "status": status, "complex": complexes[house], "area": area,
                     "floor": row.floor, "total": row.total_kopecks, "per_m2": per_m2,
                     "published_at": row.published_at})  # fmt: skip
    return {"rows": rows, "a": complexes[a.house], "b": complexes[b.house]}


def _passes(r: dict[str, Any], f: ListingFilter) -> bool:
    return (
        r["kind"] == f.kind
        and r["status"] in (ListingStatus.PUBLISHED, ListingStatus.RESERVED)
        and (f.area_from is None or r["area"] >= f.area_from)
        and (f.area_to is None or r["area"] <= f.area_to)
        and (f.floor is None or r["floor"] == f.floor)
        and (f.price_from is None or r["total"] >= f.price_from)
        and (f.price_to is None or r["total"] <= f.price_to)
        and (f.m2_from is None or r["per_m2"] >= f.m2_from)
        and (f.m2_to is None or r["per_m2"] <= f.m2_to)
        and (f.complex is None or r["complex"] == f.complex)
    )


def _expected(rows: list[dict[str, Any]], f: ListingFilter) -> list[int]:
    """The ids the list must show, in its order (the sort's key, then the id in the same direction)."""
    key, descending = {
        Sort.NEWEST: ("published_at", True),
        Sort.CHEAP: ("total", False),
        Sort.DEAR: ("total", True),
        Sort.SMALL: ("area", False),
        Sort.LARGE: ("area", True),
    }[f.sort]
    found = [r for r in rows if _passes(r, f)]
    return [r["id"] for r in sorted(found, key=lambda r: (r[key], r["id"]), reverse=descending)]


async def _all_pages(f: ListingFilter) -> tuple[list[int], int]:
    first = await queries.cards(f, 1)
    ids = [c.id for c in first.items]
    for number in range(2, first.pages + 1):
        ids += [c.id for c in (await queries.cards(f, number)).items]
    return ids, first.total


FILTERS = {
    "area from": {"area_from": Decimal("60")},
    "area to": {"area_to": Decimal("100.25")},
    "floor 0": {"floor": 0},
    "floor 2": {"floor": 2},
    "price from": {"price_from": 12_000_000},
    "price to": {"price_to": 9_000_000},
    "per m² from": {"m2_from": 110_000},
    "per m² to": {"m2_to": 100_000},
    "complex": {"complex": "a"},
}


@pytest.mark.parametrize("name", list(FILTERS))
async def test_each_filter_narrows_to_exactly_the_listings_that_pass_it(db, make_account, name):
    stock = await _stock(make_account)
    values = {k: stock["a"] if v == "a" else v for k, v in FILTERS[name].items()}
    every = ListingFilter(kind=ListingKind.COMMERCIAL)
    f = replace(every, **values)
    shown, total = await _all_pages(f)
    want = _expected(stock["rows"], f)
    assert sorted(shown) == sorted(want)
    assert total == len(want)
    assert 0 < len(want) < len(_expected(stock["rows"], every)), "the filter must narrow, and leave something"


async def test_the_list_shows_published_and_reserved_listings_of_its_kind_only(db, make_account):
    stock = await _stock(make_account)
    shown, _ = await _all_pages(ListingFilter(kind=ListingKind.COMMERCIAL))
    by_id = {r["id"]: r for r in stock["rows"]}
    assert {by_id[i]["status"] for i in shown} == {ListingStatus.PUBLISHED, ListingStatus.RESERVED}
    assert {by_id[i]["kind"] for i in shown} == {ListingKind.COMMERCIAL}
    flats, _ = await _all_pages(ListingFilter(kind=ListingKind.RENT))
    assert flats and {by_id[i]["kind"] for i in flats} == {ListingKind.RENT}


@pytest.mark.parametrize("sort", list(Sort))
async def test_combined_filters_in_every_sort_and_stable_paging(db, make_account, sort):
    stock = await _stock(make_account)
    f = ListingFilter(kind=ListingKind.COMMERCIAL, area_from=Decimal("30"), price_to=20_000_000, floor=None,
                      complex=stock["a"], sort=sort)  # fmt: skip
    want = _expected(stock["rows"], f)
    assert 12 < len(want) < 46, "the combination must narrow, and fill more than one page"
    shown, total = await _all_pages(f)
    assert shown == want, "each page continues the last, in the sort's order, the id breaking ties"
    assert len(set(shown)) == len(shown) == total
    assert [c.id for c in (await queries.cards(f, 2)).items] == want[12:24]  # the same page twice is the same


async def test_the_page_of_the_url_shows_the_filtered_sorted_cards(db, client, make_account):
    stock = await _stock(make_account)
    f = ListingFilter(kind=ListingKind.COMMERCIAL, area_from=Decimal("30"), complex=stock["a"], sort=Sort.DEAR)
    url = f"/showcase/commercial?area_from=30&complex={stock['a']}&sort=-price"
    page = await client.get(url)
    assert page.status_code == 200
    shown = [int(i) for i in re.findall(r'class="sc-card-link" href="/showcase/listings/(\d+)"', page.text)]
    assert shown == _expected(stock["rows"], f)[:12]
    second = await client.get(url + "&page=2")
    assert [int(i) for i in re.findall(r'href="/showcase/listings/(\d+)"', second.text)] == _expected(stock["rows"], f)[
        12:24
    ]


async def test_values_that_do_not_read_are_left_out_of_the_filter(db, client, make_account):
    stock = await _stock(make_account)
    page = await client.get("/showcase/commercial?area_from=abc&floor=²&price_to=1e9&complex=-1&sort=id;drop table")
    assert page.status_code == 200
    shown = re.findall(r'class="sc-card-link" href="/showcase/listings/(\d+)"', page.text)
    assert [int(i) for i in shown] == _expected(stock["rows"], ListingFilter(kind=ListingKind.COMMERCIAL))[:12]
    assert (await client.get("/showcase/nothing")).status_code == 404


@pytest.mark.parametrize(
    ("lang", "floor", "chip"),
    [("ru", 0, "Цокольный этаж"), ("ru", 3, "3 этаж"), ("en", 0, "Basement floor"), ("en", 3, "Floor 3")],
)
async def test_the_floor_chip_is_a_phrase_of_its_own_in_each_language(db, client, monkeypatch, lang, floor, chip):
    """The chip of the floor filter is its own translated phrase, not the in-sentence words («цокольный этаж»,
    «floor 3») with the first letter raised, which lowered every other letter: an in-sentence phrase with an
    abbreviation in it does not reach the chip at all."""
    from portal.showcase import words

    monkeypatch.setattr(words, "floor_text", lambda n: "этаж в ТЦ «ЮГ»")
    client.cookies.set("lang", lang)
    page = await client.get(f"/showcase/commercial?floor={floor}")
    assert page.status_code == 200
    chips = [" ".join(c.split()) for c in re.findall(r'<a class="chip" [^>]*>(.*?)<span', page.text, re.S)]
    assert chips == [chip]
