"""The showcase's rules and forms as plain functions: the deck's prices, statuses, publishing, leads' moves, photo
order, what a visitor may see, the lead form's refusals, the feed's XML."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from decimal import Decimal
from types import SimpleNamespace
from xml.etree import ElementTree as ET

import pytest

from portal.core.i18n import format_money
from portal.core.i18n import set_locale
from portal.core.security import ANONYMOUS
from portal.core.security import Principal
from portal.showcase import feed
from portal.showcase import forms
from portal.showcase import rules
from portal.showcase import words
from portal.showcase.rules import Direction
from portal.showcase.rules import Missing
from portal.showcase.rules import Move
from portal.showcase.rules import Sort
from portal.showcase.tables import LeadStatus
from portal.showcase.tables import ListingKind
from portal.showcase.tables import ListingStatus
from portal.showcase.tables import PriceUnit


@pytest.mark.parametrize(
    ("unit", "price", "area", "total", "per_m2"),
    [
        # The deck's cards: «146 м² / 1 этаж / 153 300 руб./мес.», «40,9 м² … 61 350», «84,09 м² … 100 908».
        (PriceUnit.M2_MONTH, "1050", "146", "153300.00", "1050.00"),
        (PriceUnit.M2_MONTH, "1500", "40.9", "61350.00", "1500.00"),
        (PriceUnit.M2_MONTH, "1200", "84.09", "100908.00", "1200.00"),
        (PriceUnit.M2_MONTH, "1033.33", "10.01", "10343.63", "1033.33"),  # 10 343,6333 rounds to the kopeck
        (PriceUnit.MONTH, "35000", "54.3", "35000.00", "644.57"),
        (PriceUnit.TOTAL, "7450000", "62.5", "7450000.00", "119200.00"),
        (PriceUnit.TOTAL, "100", "3", "100.00", "33.33"),
        (PriceUnit.TOTAL, "200", "3", "200.00", "66.67"),  # half up
    ],
)
def test_prices_in_every_unit(unit, price, area, total, per_m2):
    got = rules.prices(unit, Decimal(price), Decimal(area))
    assert (got.total, got.per_m2) == (Decimal(total), Decimal(per_m2))


@pytest.mark.parametrize(
    ("status", "move", "target"),
    [
        (ListingStatus.DRAFT, Move.PUBLISH, ListingStatus.PUBLISHED),
        (ListingStatus.PUBLISHED, Move.RESERVE, ListingStatus.RESERVED),
        (ListingStatus.RESERVED, Move.RELEASE, ListingStatus.PUBLISHED),
        (ListingStatus.RESERVED, Move.CLOSE, ListingStatus.CLOSED),
        (ListingStatus.DRAFT, Move.CLOSE, ListingStatus.CLOSED),
        (ListingStatus.CLOSED, Move.REOPEN, ListingStatus.DRAFT),
        (ListingStatus.CLOSED, Move.PUBLISH, None),  # a closed listing is reopened as a draft first
        (ListingStatus.PUBLISHED, Move.PUBLISH, None),
        (ListingStatus.DRAFT, Move.RESERVE, None),
        (ListingStatus.PUBLISHED, Move.REOPEN, None),
    ],
)
def test_listing_moves(status, move, target):
    assert rules.moved(status, move) == target
    assert (move in rules.moves_from(status)) is (target is not None)


@pytest.mark.parametrize(
    ("photos", "total", "area", "missing"),
    [
        (1, 100, Decimal("10"), []),
        (0, 100, Decimal("10"), [Missing.PHOTO]),
        (3, 0, Decimal("10"), [Missing.PRICE]),
        (0, 0, Decimal("0"), [Missing.PHOTO, Missing.PRICE, Missing.AREA]),
    ],
)
def test_a_card_needs_a_photo_a_price_and_an_area_to_be_published(photos, total, area, missing):
    assert rules.missing_to_publish(photos, total, area) == missing


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        (LeadStatus.NEW, LeadStatus.VIEWING, True),
        (LeadStatus.NEW, LeadStatus.IN_PROGRESS, True),
        (LeadStatus.NEW, LeadStatus.DEAL, False),  # a deal comes after talking to the person
        (LeadStatus.VIEWING, LeadStatus.DEAL, True),
        (LeadStatus.LOST, LeadStatus.IN_PROGRESS, True),
        (LeadStatus.DEAL, LeadStatus.NEW, False),
        (LeadStatus.IN_PROGRESS, LeadStatus.NEW, False),
    ],
)
def test_lead_moves(current, target, allowed):
    assert rules.lead_may_move(current, target) is allowed


@pytest.mark.parametrize(
    ("photo", "direction", "order"),
    [
        (3, Direction.UP, [1, 3, 2, 4]),
        (1, Direction.UP, [1, 2, 3, 4]),
        (2, Direction.DOWN, [1, 3, 2, 4]),
        (4, Direction.DOWN, [1, 2, 3, 4]),
        (4, Direction.FIRST, [4, 1, 2, 3]),
        (9, Direction.FIRST, [1, 2, 3, 4]),
        (2, "sideways", [1, 2, 3, 4]),
    ],
)
def test_photos_reorder(photo, direction, order):
    assert rules.reordered([1, 2, 3, 4], photo, direction) == order


def test_drafts_and_closed_listings_are_seen_only_by_the_showcase_staff_of_their_house():
    manager = Principal(user_id=1, staff_roles=frozenset({"manager"}), house_ids=frozenset({5}))
    dispatcher = Principal(user_id=2, staff_roles=frozenset({"dispatcher"}), house_ids=frozenset({5}))
    assert rules.may_see_listing(ANONYMOUS, ListingStatus.PUBLISHED, 5)
    assert rules.may_see_listing(ANONYMOUS, ListingStatus.RESERVED, 5)
    assert not rules.may_see_listing(ANONYMOUS, ListingStatus.DRAFT, 5)
    assert rules.may_see_listing(manager, ListingStatus.DRAFT, 5)
    assert not rules.may_see_listing(manager, ListingStatus.CLOSED, 6)
    assert not rules.may_see_listing(dispatcher, ListingStatus.DRAFT, 5)


def test_only_owners_offer_a_flat():
    principal = Principal(user_id=1, account_rights={7: frozenset({"view", "vote"}), 8: frozenset({"view"})})
    assert rules.is_owner_of(principal, 7)
    assert not rules.is_owner_of(principal, 8)


def test_sort_keys_come_from_an_allow_list():
    assert rules.sort_of("-price") is Sort.DEAR
    assert rules.sort_of("id; drop table listing") is Sort.NEWEST
    assert rules.staff_sort_of("-views") == "-views"
    assert rules.staff_sort_of("password") == "-created"


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"name": "Анна", "phone": "+7 978 123-45-67", "consent": "yes"}, set()),
        ({"name": "Анна", "phone": "8 (978) 123-45-67", "consent": "yes"}, set()),
        ({"name": "Анна", "phone": "12345", "consent": "yes"}, {"phone"}),
        ({"name": "Анна", "phone": "+7 978 ABC-45-67", "consent": "yes"}, {"phone"}),
        ({"name": "Анна", "phone": "", "consent": "yes"}, {"phone"}),
        ({"name": "Анна", "phone": "+79781234567"}, {"consent"}),
        ({"name": "", "phone": "+79781234567", "consent": "yes"}, {"name"}),
    ],
)
def test_the_lead_form_refuses_bad_phones_and_missing_consent(data, errors):
    form = forms.read_lead({"message": "Когда можно посмотреть?", **data})
    assert set(form.errors.fields) == errors
    assert form.typed["name"] == data["name"] and form.typed["phone"] == data["phone"]
    if not errors:
        assert form.phone == "+79781234567"


def test_filters_read_from_a_url_keep_what_reads():
    f = forms.read_filter(
        {"area_from": "40,5", "area_to": "x", "floor": "0", "price_to": "150 000", "m2_from": "-5", "complex": "3",
         "sort": "area"},
        ListingKind.COMMERCIAL,
    )  # fmt: skip
    assert (f.area_from, f.area_to, f.floor, f.price_to, f.m2_from, f.complex, f.sort) == (
        Decimal("40.50"), None, 0, 15_000_000, None, 3, Sort.SMALL,
    )  # fmt: skip


def test_the_card_reads_like_the_deck():
    set_locale("ru")
    try:
        # The area keeps its «м²» on its line too (core.i18n.format_area).
        assert words.title("commercial", "ЖК Черника", Decimal("146.00"), None) == "ЖК Черника, 146\xa0м²"
        # The price is money as the portal writes it: the sign after a no-break space, never on a line of its own.
        figures = words.figures("commercial", Decimal("146.00"), 1, 15_330_000)
        assert figures == "146\xa0м² / 1 этаж / 153\xa0300\xa0₽ в месяц"
        assert words.figures("sale", Decimal("40.90"), 0, 745_000_000).endswith("цокольный этаж / 7\xa0450\xa0000\xa0₽")
        assert words.per_m2_text("sale", 11_994_460) == "119\xa0944,60\xa0₽ за м²"  # both digits of the kopecks
        assert words.rubles(11_994_460) == "119\xa0944,60" and words.rubles(15_330_000) == "153\xa0300"
    finally:
        set_locale("ru")


def test_the_card_in_english_puts_the_ruble_sign_before_the_price_as_every_english_sum_does():
    set_locale("en")
    try:
        assert words.figures("commercial", Decimal("146.00"), 1, 15_330_000) == "146\xa0m² / floor 1 / ₽153,300 a month"
        assert words.figures("sale", Decimal("40.90"), 0, 745_000_000).endswith("basement floor / ₽7,450,000")
        assert words.per_m2_text("commercial", 105_000) == "₽1,050 per m² a month"
        assert words.per_m2_text("sale", 11_197_339) == "₽111,973.39 per m²"
        assert words.per_m2_text("sale", 11_994_460) == "₽119,944.60 per m²"
        assert words.price(11_994_460) == format_money(Decimal("119944.60"))  # as every other sum of the portal
    finally:
        set_locale("ru")


def test_the_feed_is_a_realty_feed_with_one_offer_per_listing():
    item = SimpleNamespace(
        id=12, kind=ListingKind.COMMERCIAL, features=("separate_entrance",), created_at=None, updated_at=None,
        published_at=datetime(2026, 11, 2, tzinfo=UTC), address="г. Симферополь, пр-т А. Суворова, д. 15",
        total_kopecks=15_330_000, area=Decimal("146.00"), floor=1, rooms=None, description="Витрина на проспект",
    )  # fmt: skip
    settings = SimpleNamespace(base_url="https://uk.example", company_name="УК «Монолит Комфорт»")
    root = ET.fromstring(feed.realty_feed([item], {12: [5, 6]}, settings))  # noqa: S314 (our own output)
    ns = {"y": feed.NAMESPACE}
    offers = root.findall("y:offer", ns)
    assert len(offers) == 1 and offers[0].get("internal-id") == "12"
    offer = offers[0]
    assert offer.findtext("y:type", namespaces=ns) == "аренда"
    assert offer.findtext("y:category", namespaces=ns) == "коммерческая"
    assert offer.findtext("y:price/y:value", namespaces=ns) == "153300"
    assert offer.findtext("y:price/y:period", namespaces=ns) == "месяц"
    assert offer.findtext("y:area/y:value", namespaces=ns) == "146"
    assert offer.findtext("y:location/y:locality-name", namespaces=ns) == "Симферополь"
    assert [i.text for i in offer.findall("y:image", ns)] == [
        "https://uk.example/showcase/photos/5",
        "https://uk.example/showcase/photos/6",
    ]
    assert offer.findtext("y:url", namespaces=ns) == "https://uk.example/showcase/listings/12"


def test_every_status_visitors_do_not_see_has_its_own_preview_sentence():
    hidden = [s for s in ListingStatus if not rules.is_public(s)]
    assert hidden and all(words.preview_notice(s) != s for s in hidden), hidden


@pytest.mark.parametrize(
    ("agent", "robot"),
    [
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
         False),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Mobile Safari/604.1",
         False),
        ("Mozilla/5.0 (Windows NT 10.0) Chrome/128.0 YaBrowser/24.10.0.0 Safari/537.36", False),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", False),
        ("Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", True),
        ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", True),
        ("TelegramBot (like TwitterBot)", True),
        ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", True),
        ("WhatsApp/2.23.20.0 A", True),
        ("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", True),
        ("Mozilla/5.0 (compatible; vkShare; +http://vk.com/dev/Share)", True),
        ("Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5", True),
        ("Mozilla/5.0 (compatible; SemrushCrawler)", True),
        ("Mozilla/5.0 (compatible; Baiduspider/2.0)", True),
        ("Mozilla/5.0 (Linux; Android 10; CUBOT KING KONG) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile "
         "Safari/537.36", False),  # a phone whose maker's name ends in «bot»
        ("Mozilla/5.0 (Linux; Android 11; Cubot Note 8 Build/RP1A) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537",
         False),
        ("Mozilla/5.0 (Linux; Android 9; Robotics Lab tablet) AppleWebKit/537.36 Chrome/120.0 Safari/537.36", False),
        ("Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 "
         "(compatible; Bytespider; spider-feedback@bytedance.com)", True),
        ("Mozilla/5.0 (compatible; MJ12bot/v1.4.8; http://mj12bot.com/)", True),
        ("Mozilla/5.0 (compatible; Mail.RU_Bot/2.0; +http://go.mail.ru/help/robots)", True),
        ("Mozilla/5.0 (compatible; Yahoo! Slurp; http://help.yahoo.com/help/us/ysearch/slurp)", True),
        ("", True),  # a program that does not say what it is
        ("   ", True),
    ],
)  # fmt: skip
def test_robots_and_link_previews_are_told_from_browsers(agent, robot):
    assert rules.is_robot(agent) is robot


def test_a_view_counts_for_a_person_on_a_listing_on_show_only():
    browser = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
    resident = Principal(user_id=5, account_rights={1: frozenset({"view"})})
    operator = Principal(user_id=6, staff_roles=frozenset({"operator"}))
    assert rules.counts_view(ANONYMOUS, ListingStatus.PUBLISHED, browser)
    assert rules.counts_view(resident, ListingStatus.RESERVED, browser)
    assert not rules.counts_view(operator, ListingStatus.PUBLISHED, browser)
    assert not rules.counts_view(ANONYMOUS, ListingStatus.PUBLISHED, "TelegramBot (like TwitterBot)")
    assert not rules.counts_view(ANONYMOUS, ListingStatus.DRAFT, browser)  # a staff preview of a draft
    assert not rules.counts_view(ANONYMOUS, ListingStatus.CLOSED, browser)


def test_a_visitors_view_is_remembered_by_a_key_that_tells_neither_who_nor_from_where():
    """Once a visitor a listing a day: the key is the same for the same visitor, listing and day, and differs for
    any other; an anonymous visitor is their address with their browser, a signed-in one the person wherever
    they are; nothing of the address or the browser can be read back from it."""
    day = datetime(2026, 12, 5, tzinfo=UTC).date()
    ip, agent = "203.0.113.7", "Mozilla/5.0 Firefox/133.0"
    key = rules.view_key("secret", 1, day, None, ip, agent)
    assert key == rules.view_key("secret", 1, day, None, ip, agent)
    others = [
        rules.view_key("secret", 2, day, None, ip, agent),  # another listing
        rules.view_key("secret", 1, day.replace(day=6), None, ip, agent),  # the next day
        rules.view_key("secret", 1, day, None, "203.0.113.8", agent),  # another network
        rules.view_key("secret", 1, day, None, ip, "Mozilla/5.0 Chrome/131.0"),  # another browser there
        rules.view_key("secret", 1, day, 5, ip, agent),  # a person signed in
        rules.view_key("other secret", 1, day, None, ip, agent),
    ]
    assert len({key, *others}) == 1 + len(others)
    assert rules.view_key("secret", 1, day, 5, ip, agent) == rules.view_key("secret", 1, day, 5, "198.51.100.1", "x")
    assert ip not in key and agent not in key and len(key) == 64
