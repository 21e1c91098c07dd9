"""The public showcase over HTTP on both engines: the lead form (consent recorded, staff told through the outbox,
bad phones and empty consent refused with what was typed kept, a limit per IP), what a visitor may open, Open Graph
tags, the feed, a page's fixed number of queries, a signed-in person's own leads and an owner's offer."""

from __future__ import annotations

import json
import re
import secrets
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from portal.core import clock
from portal.core.i18n import format_money
from portal.core.tables import AuditEvent
from portal.core.tables import OutboxMessage
from portal.showcase import consent
from portal.showcase import routes
from portal.showcase.tables import Lead
from portal.showcase.tables import Listing
from portal.showcase.tables import ListingOffer
from portal.showcase.tables import ListingPhoto
from tests.querylog import captured
from tests.showcase.conftest import ADMIN
from tests.showcase.conftest import jpeg_bytes
from tests.tickets.test_audit_trail import CLIENT_IP

LEAD = {
    "name": "Анна Королёва",
    "phone": "8 (978) 555-12-34",
    "message": "Можно посмотреть в субботу?",
    "consent": "yes",
}


async def test_a_visitor_sends_a_lead_with_consent_and_the_staff_in_charge_are_told(
    db, visitor, make_account, make_user, make_listing
):
    house = (await make_account()).house
    manager = await make_user(name="Игорь Белов", roles=("manager",), houses=(house,))
    listing = await make_listing(house=house, manager=manager)
    ip = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.3"
    browser = await visitor(ip)
    page = await browser.get(f"/showcase/listings/{listing}")
    assert page.status_code == 200 and "Записаться на просмотр" in page.text
    sent = await browser.form(f"/showcase/listings/{listing}/lead", LEAD, headers={"user-agent": "Test/1.0"})
    assert sent.status_code == 303 and sent.headers["location"] == f"/showcase/listings/{listing}"
    assert "Заявка отправлена" in (await browser.get(sent.headers["location"])).text
    lead = await Lead.select().where(Lead.listing == listing).first()
    assert (lead["name"], lead["phone"], lead["status"], lead["user"]) == ("Анна Королёва", "+79785551234", "new", None)
    assert lead["consent_version"] == consent.current_version()
    assert (lead["consent_ip"], lead["consent_user_agent"], lead["consent_locale"]) == (ip, "Test/1.0", "ru")
    told = await OutboxMessage.select(OutboxMessage.channel, OutboxMessage.subject, OutboxMessage.body).where(
        OutboxMessage.user_id == manager
    )
    assert sorted(m["channel"] for m in told) == ["email", "inapp"]
    assert all(m["subject"].startswith("Новая заявка: ЖК") for m in told)
    bodies = {m["channel"]: m["body"] for m in told}
    assert all("+79785551234" in body for body in bodies.values())
    assert f"/staff/showcase/leads/{lead['id']}" in bodies["email"]  # in-app, the title links to the lead


async def test_the_staff_are_told_in_their_own_language(db, visitor, make_account, make_user, make_listing):
    from portal.accounts.tables import User

    house = (await make_account()).house
    manager = await make_user(roles=("manager",), houses=(house,))
    await User.update({User.locale: "en"}).where(User.id == manager)
    listing = await make_listing(house=house)  # nobody in charge: the managers of the house hear of it
    assert (await (await visitor()).form(f"/showcase/listings/{listing}/lead", LEAD)).status_code == 303
    subjects = {m["subject"] for m in await OutboxMessage.select(OutboxMessage.subject).where(
        OutboxMessage.user_id == manager)}  # fmt: skip
    assert len(subjects) == 1
    subject = subjects.pop()
    assert subject.startswith("New lead: ЖК Тестовый") and subject.endswith(", 84.09\xa0m²"), subject


async def test_bad_phones_and_empty_consent_are_refused_with_words_and_what_was_typed_kept(db, visitor, make_listing):
    listing = await make_listing()
    browser = await visitor()
    typed = {"name": "Олег", "phone": "978-55", "message": "Под кофейню, <b>с террасой</b>"}
    page = await browser.form(f"/showcase/listings/{listing}/lead", typed)
    assert page.status_code == 422
    assert "Это не похоже на номер телефона. Укажите его с кодом: +7\u00a0978\u00a0123\u201145\u201167." in page.text
    assert "Отметьте согласие: без него мы не можем принять ваш номер телефона." in page.text
    assert 'value="Олег"' in page.text and 'value="978-55"' in page.text
    assert "Под кофейню, &lt;b&gt;с террасой&lt;/b&gt;</textarea>" in page.text
    assert 'id="f-consent"' in page.text and 'aria-invalid="true" aria-describedby="e-consent"' in page.text
    fragment = await browser.htmx_form(f"/showcase/listings/{listing}/lead", {**typed, "phone": ""})
    assert fragment.status_code == 422 and "<html" not in fragment.text and 'id="lead"' in fragment.text
    assert "Укажите номер телефона" in fragment.text and 'value="Олег"' in fragment.text
    assert not await Lead.exists().where(Lead.listing == listing)


async def test_leads_are_limited_per_ip(db, visitor, make_listing):
    listing = await make_listing()
    net = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
    browser = await visitor(net + ".9")
    for n in range(10):
        answer = await browser.form(f"/showcase/listings/{listing}/lead", {**LEAD, "name": f"Спамер {n}"})
        assert answer.status_code == 303
    refused = await browser.form(f"/showcase/listings/{listing}/lead", {**LEAD, "name": "Одиннадцатый"})
    assert refused.status_code == 429
    assert "слишком много заявок" in refused.text and 'value="Одиннадцатый"' in refused.text
    assert await Lead.count().where(Lead.listing == listing) == 10
    other = await visitor(net + ".10")
    assert (await other.form(f"/showcase/listings/{listing}/lead", LEAD)).status_code == 303


async def test_a_page_of_cards_keeps_its_query_count_whatever_the_number_of_photos(db, client, make_listing):
    from portal.showcase import actions
    from portal.showcase import queries

    ids = [await make_listing(photos=1) for _ in range(3)]

    async def count(url: str) -> int:
        await client.get(url)
        with captured(db) as seen:
            assert (await client.get(url)).status_code == 200
        return len(seen)

    few = await count("/showcase/commercial")
    one = await count(f"/showcase/listings/{ids[0]}")
    for listing_id in ids:
        await actions.add_photos(ADMIN, await queries.staff_listing(ADMIN, listing_id), [jpeg_bytes()] * 7)
    assert await ListingPhoto.count().where(ListingPhoto.listing.is_in(ids)) == 24
    many = await count("/showcase/commercial")
    assert many == few <= routes.QUERY_BUDGETS["/showcase/{kind:str}"]
    assert (
        await count(f"/showcase/listings/{ids[0]}")
        == one
        <= routes.QUERY_BUDGETS["/showcase/listings/{listing_id:int}"]
    )


async def test_a_listing_shares_as_a_card_with_open_graph_tags(db, client, make_listing):
    listing = await make_listing(area="146", price="1050")
    page = (await client.get(f"/showcase/listings/{listing}")).text
    photo = (await ListingPhoto.select(ListingPhoto.id).where(ListingPhoto.listing == listing).first())["id"]
    tags = dict(re.findall(r'<meta property="(og:[a-z:]+)" content="([^"]*)"', page))
    assert tags["og:title"].endswith(", 146\xa0м²")
    assert tags["og:url"] == f"http://127.0.0.1:8000/showcase/listings/{listing}"
    assert tags["og:image"] == f"http://127.0.0.1:8000/showcase/photos/{photo}"
    assert "153\xa0300\xa0₽ в месяц" in tags["og:description"].replace("&#160;", "\xa0")


@pytest.mark.parametrize(
    ("lang", "said", "never"),
    [
        ("ru", ["8\xa0660\xa0000\xa0₽", "119\xa0944,60\xa0₽ за м²", "Цена от 8\xa0000\xa0000\xa0₽"],
         ["8\xa0660\xa0000 ₽", "119\xa0944,6 ", "₽8"]),
        ("en", ["₽8,660,000", "₽119,944.60 per m²", "Price from ₽8,000,000"],
         ["8,660,000 ₽", "8,660,000\xa0₽", "119,944.6 ", "8,000,000 ₽"]),
    ],
)  # fmt: skip
async def test_a_price_reads_as_the_portal_writes_money_in_each_language(db, client, make_listing, lang, said, never):
    """The sign stands where the money filter puts it (after the number and a no-break space in Russian, before it
    in English), whole rubles without «,00», and kopecks, where there are any, with both digits."""
    listing = await make_listing(kind="sale", area="72.20", price="8660000", unit="total")
    await client.speak(lang)
    page = (await client.get(f"/showcase/listings/{listing}")).text.replace("&#160;", "\xa0")
    chosen = (await client.get("/showcase/sale?price_from=8000000")).text.replace("&#160;", "\xa0")
    for words in said:
        assert words in page + chosen, words
    for wrong in never:
        assert wrong not in page + chosen, wrong
    assert format_money(Decimal("119944.60"), lang) in page  # the money filter's own writing of the sum


async def test_drafts_and_their_photos_are_hidden_from_visitors_and_staff_of_other_houses(
    db, client, login, make_account, make_user, make_listing
):
    house = (await make_account()).house
    draft = await make_listing(house=house, publish=False)
    photo = (await ListingPhoto.select(ListingPhoto.id).where(ListingPhoto.listing == draft).first())["id"]
    for url in (f"/showcase/listings/{draft}", f"/showcase/photos/{photo}", f"/showcase/photos/{photo}/small"):
        assert (await client.get(url)).status_code == 404, url
    await login(client, await make_user(roles=("manager",), houses=((await make_account()).house,)))
    assert (await client.get(f"/showcase/listings/{draft}")).status_code == 404
    await login(client, await make_user(roles=("manager",), houses=(house,)))
    preview = await client.get(f"/showcase/listings/{draft}")
    assert preview.status_code == 200 and "Предпросмотр" in preview.text
    shown = await client.get(f"/showcase/photos/{photo}")
    assert shown.status_code == 200 and shown.content[:2] == b"\xff\xd8"
    published = await make_listing(house=house)
    assert (await client.get("/showcase/listings/999999999")).status_code == 404
    assert (await client.get(f"/showcase/listings/{published}")).status_code == 200


async def test_a_preview_says_in_a_whole_sentence_that_the_listing_is_a_draft_or_closed(
    db, client, login, make_account, make_user, make_listing
):
    house = (await make_account()).house
    draft = await make_listing(house=house, publish=False)
    closed = await make_listing(house=house, number="2Н")
    await Listing.update({Listing.status: "closed"}).where(Listing.id == closed)
    await login(client, await make_user(roles=("manager",), houses=(house,)))
    said = {
        "ru": {
            draft: "Предпросмотр: это черновик объявления, посетители его не видят.",
            closed: "Предпросмотр: объявление закрыто, посетители его не видят.",
        },
        "en": {
            draft: "Preview: this listing is a draft, visitors do not see it.",
            closed: "Preview: this listing is closed, visitors do not see it.",
        },
    }
    for lang, notices in said.items():
        await client.speak(lang)
        for listing, notice in notices.items():
            page = await client.get(f"/showcase/listings/{listing}")
            shown = re.search(r'<p class="notice notice-warning">([^<]*)<a', page.text).group(1).strip()
            assert shown == notice, (lang, shown)


BROWSER = {"user-agent": "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"}


async def _views(listing: int) -> int:
    return (await Listing.select(Listing.views).where(Listing.id == listing).first())["views"]


async def test_a_listing_counts_a_visitor_once_a_day_and_robots_never(db, visitor, monkeypatch, make_listing):
    """The staff's «Просмотры» counted every GET and HEAD: a visitor's reloads, link previews, robots. A view counts
    once a visitor a listing a day — an anonymous visitor is their network with their browser — and a HEAD, a robot
    or a messenger's link preview counts nothing."""
    listing = await make_listing()
    url = f"/showcase/listings/{listing}"
    anna, boris = await visitor(), await visitor()
    for _ in range(3):
        assert (await anna.get(url, headers=BROWSER)).status_code == 200
    assert (await anna.head(url, headers=BROWSER)).status_code == 200
    assert (await boris.head(url, headers=BROWSER)).status_code == 200
    assert await _views(listing) == 1
    await boris.get(url, headers=BROWSER)
    await anna.get(url, headers={"user-agent": "Mozilla/5.0 (Windows NT 10.0) Chrome/131.0"})  # another on her network
    assert await _views(listing) == 3
    for agent in ("TelegramBot (like TwitterBot)", "facebookexternalhit/1.1", "WhatsApp/2.23.20.0 A", ""):
        assert (await (await visitor()).get(url, headers={"user-agent": agent})).status_code == 200
    assert await _views(listing) == 3
    tomorrow = clock.today_local() + timedelta(days=1)
    monkeypatch.setattr(clock, "today_local", lambda: tomorrow)
    await anna.get(url, headers=BROWSER)
    assert await _views(listing) == 4


async def test_a_person_counts_once_wherever_they_are_and_the_owner_and_staff_never(
    db, visitor, login, make_account, make_user, make_listing
):
    """A signed-in person is one visitor from home and from work; the flat's own owner (reloading to see how it
    looks) and the company's staff count nothing."""
    place = await make_account()
    listing = await make_listing(house=place.house)
    await Listing.update({Listing.premise: place.premise}).where(Listing.id == listing)  # the owner's flat
    url = f"/showcase/listings/{listing}"
    owner = await make_user(accounts={place.account: "owner"})
    operator = await make_user(roles=("operator",), houses=(place.house,))
    neighbour = await make_user(accounts={(await make_account(house=place.house)).account: "owner"})
    for user in (owner, operator, neighbour, neighbour):
        browser = await visitor()  # each from a network of its own
        await login(browser, user)
        assert (await browser.get(url, headers=BROWSER)).status_code == 200
    assert await _views(listing) == 1


async def test_the_feed_lists_published_listings_for_aggregators(db, client, make_listing):
    shown = await make_listing(area="146", price="1050")
    hidden = await make_listing(publish=False)
    feed = await client.get("/showcase/feed.xml")
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("application/xml")
    assert f'<offer internal-id="{shown}">' in feed.text and f'internal-id="{hidden}"' not in feed.text
    assert "<value>153300</value>" in feed.text


async def test_a_signed_in_resident_sees_their_own_leads_only(db, visitor, login, make_account, make_user,
                                                              make_listing):  # fmt: skip
    place = await make_account()
    listing = await make_listing(house=place.house)
    anna = await make_user(name="Анна Жилец", accounts={place.account: "owner"})
    boris = await make_user(name="Борис Сосед", accounts={(await make_account(house=place.house)).account: "owner"})
    first, second = await visitor(), await visitor()  # each from an address of its own: leads are limited per IP
    await login(first, anna)
    await login(second, boris)
    form = await first.get(f"/showcase/listings/{listing}")
    assert 'value="Анна Жилец"' in form.text  # the name is filled in for a signed-in person
    assert (await first.form(f"/showcase/listings/{listing}/lead", {**LEAD, "name": "Анна"})).status_code == 303
    mine = await first.get("/showcase/mine")
    assert mine.status_code == 200 and f'href="/showcase/listings/{listing}"' in mine.text and "Новая" in mine.text
    assert f'href="/showcase/listings/{listing}"' not in (await second.get("/showcase/mine")).text
    assert (await Lead.select(Lead.user).where(Lead.listing == listing).first())["user"] == anna


async def test_an_owner_offers_a_flat_and_a_tenant_cannot(db, client, new_client, login, make_account, make_user):
    place = await make_account(premise_number="12")
    manager = await make_user(roles=("manager",), houses=(place.house,))
    owner = await make_user(accounts={place.account: "owner"})
    await login(client, owner)
    page = await client.get(f"/showcase/offer?account={place.account}")
    assert page.status_code == 200 and "кв. 12" in page.text
    # The flat is named without the town every flat of the list shares, which cut it off in a phone's dropdown.
    option = page.text.split(f'<option value="{place.account}"')[1].split("</option>")[0]
    assert option.endswith(", кв. 12") and "Симферополь" not in option and "ул. Тестовая" in option, option
    sent = await client.form("/showcase/offer", {"account": place.account, "kind": "sale", "price": "7 450 000",
                                                 "phone": "+7 978 000-00-01", "comment": "Свободна"})  # fmt: skip
    assert sent.status_code == 303
    offer = await ListingOffer.select().where(ListingOffer.user == owner).first()
    assert (offer["kind"], offer["price_kopecks"], offer["phone"], offer["status"]) == (
        "sale", 745_000_000, "+79780000001", "new",
    )  # fmt: skip
    assert await OutboxMessage.exists().where(
        (OutboxMessage.user_id == manager) & OutboxMessage.subject.like("Собственник предлагает квартиру%")
    )
    # The owner's offer is in the audit log as the managers' answer to it is: signed by the owner, with the address
    # they sent it from, the flat, the kind and the price, not the phone or the comment they wrote.
    sent_events = await AuditEvent.select().where(AuditEvent.action == "showcase.offer_sent")
    assert [(e["actor_id"], e["entity"], e["entity_id"], e["ip"]) for e in sent_events] == [
        (owner, "listing_offer", offer["id"], CLIENT_IP)
    ]
    changes = sent_events[0]["changes"]
    changes = json.loads(changes) if isinstance(changes, str) else changes
    assert changes == {"premise": place.premise, "kind": "sale", "price_kopecks": 745_000_000}
    again = await client.form("/showcase/offer", {"account": place.account, "kind": "rent"})
    assert again.status_code == 303 and await ListingOffer.count().where(ListingOffer.user == owner) == 1
    assert await AuditEvent.count().where(AuditEvent.action == "showcase.offer_sent") == 1  # refused: none
    tenant = await make_user(accounts={place.account: "tenant"})
    other = new_client()
    await login(other, tenant)
    refused = await other.form("/showcase/offer", {"account": place.account, "kind": "rent"})
    assert refused.status_code == 422
    assert "Предложить квартиру может только собственник." in refused.text
    assert not await ListingOffer.exists().where(ListingOffer.user == tenant)


async def test_a_page_past_the_end_sends_a_visitor_to_the_last_without_storing_a_session(
    app, db, visitor, make_listing, monkeypatch
):
    """«/showcase/rent?page=99» went to the last page with a note kept in a session made for it: every passer-by
    (a crawler following old links) left a session behind. The visitor gets the redirect and nothing is stored."""
    await make_listing(kind="rent", unit="month")
    stored: list[str] = []
    sessions = app.stores.get("sessions")
    real_set = type(sessions).set

    async def spy(store: Any, key: str, value: Any, expires_in: Any = None) -> None:
        if store is sessions:  # the sessions' own keys (rate-limit counts live in a namespace of their own)
            stored.append(key)
        await real_set(store, key, value, expires_in=expires_in)

    monkeypatch.setattr(type(sessions), "set", spy)
    browser = await visitor()
    past = await browser.get("/showcase/rent?sort=new&page=99")
    assert past.status_code == 303 and past.headers["location"] == "/showcase/rent?sort=new"
    assert "session" not in past.headers.get("set-cookie", "") and stored == []
    assert (await browser.get(past.headers["location"])).status_code == 200


async def test_a_listings_russian_words_are_marked_russian_on_english_pages(db, client, make_listing):
    """The complex's name in the title, the recorded address and the staff's description are Russian data: an
    English screen reader's voice read them as gibberish unless they say ``lang="ru"``; the area reads English."""
    listing = await make_listing(area="146")
    await client.speak("en")
    page = (await client.get(f"/showcase/listings/{listing}")).text
    assert re.search(r'<h1><span lang="ru">ЖК Тестовый \w+</span>, 146\xa0m²', page)
    assert re.search(r'<p class="sc-address"><span lang="ru">г\. Симферополь, [^<]*, пом\. 1Н</span></p>', page)
    assert '<p><span lang="ru">Тестовое помещение</span></p>' in page
    assert re.search(r'<dt>Complex</dt><dd><span lang="ru">ЖК Тестовый \w+</span></dd>', page)
    assert re.search(r'<dt>Address</dt><dd><span lang="ru">г\. Симферополь, [^<]*</span></dd>', page)
    cards = (await client.get("/showcase/commercial")).text
    assert re.search(r'<span class="sc-title"><span lang="ru">ЖК Тестовый \w+</span>, 146\xa0m²</span>', cards)
    assert re.search(r'<span class="sc-address"><span lang="ru">г\. Симферополь, [^<]*</span></span>', cards)
    await client.speak("ru")
    page = (await client.get(f"/showcase/listings/{listing}")).text
    assert "<p>Тестовое помещение</p>" in page and '<span lang="ru">' not in page
