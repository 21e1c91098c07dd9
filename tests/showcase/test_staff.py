"""The staff's showcase over HTTP on both engines: a listing from the registry or typed by hand, photos uploaded
(cleaned), ordered and deleted, publishing and closing, duplicating, the list with its counts and its XLSX, leads
moved along their work, owners' requests turned into listings — each staff write in the audit log, each staff
member kept to their houses."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook

from portal.core.tables import AuditEvent
from portal.core.tables import OutboxMessage
from portal.housing.tables import Premise
from portal.notifications.messages import render
from portal.showcase import notices
from portal.showcase.tables import Lead
from portal.showcase.tables import Listing
from portal.showcase.tables import ListingOffer
from portal.showcase.tables import ListingPhoto
from tests.showcase.conftest import jpeg_bytes
from tests.tickets.test_audit_trail import CLIENT_IP

FORM = {"kind": "commercial", "source": "registry", "price": "1 050", "price_unit": "m2_month",
        "description": "Угловое помещение", "features": ["shop_window", "furnished"]}  # fmt: skip


async def _manager(make_account: Any, make_user: Any, login: Any, client: Any) -> tuple[Any, int]:
    place = await make_account(kind="nonresidential", premise_number="3Н", area="146.00", floor=1)
    manager = await make_user(roles=("manager",), houses=(place.house,))
    await login(client, manager)
    return place, manager


async def test_a_listing_takes_its_figures_from_the_registry_premise(db, client, login, make_account, make_user):
    place, manager = await _manager(make_account, make_user, login, client)
    made = await client.form("/staff/showcase/new", {**FORM, "house": place.house, "premise_number": "3Н",
                                                     "area": "999", "floor": "7", "manager": manager})  # fmt: skip
    assert made.status_code == 303
    listing = await Listing.select().where(Listing.house == place.house).first()
    assert made.headers["location"] == f"/staff/showcase/{listing['id']}"
    assert (listing["premise"], Decimal(str(listing["area"])), listing["floor"]) == (place.premise, Decimal("146"), 1)
    assert (listing["total_kopecks"], listing["per_m2_kopecks"]) == (15_330_000, 105_000)  # the deck's 153 300
    assert listing["address"].endswith(", пом. 3Н") and listing["status"] == "draft"
    assert listing["features"] == ["shop_window"]  # furniture is not a commercial premise's feature
    assert await AuditEvent.exists().where(
        (AuditEvent.action == "showcase.listing_create") & (AuditEvent.entity_id == listing["id"])
    )


async def test_a_listing_keeps_its_address_in_russian_whatever_the_staff_members_language(
    db, client, login, make_account, make_user
):
    """The address is the listing's record, shown to every visitor and sent in the classifieds' feed: written by
    a manager reading English it kept «…, premise 3Н» for Russian readers."""
    place, _ = await _manager(make_account, make_user, login, client)
    await client.speak("en")
    made = await client.form("/staff/showcase/new", {**FORM, "house": place.house, "premise_number": "3Н"})
    assert made.status_code == 303
    listing = await Listing.select(Listing.address).where(Listing.house == place.house).first()
    assert listing["address"].endswith(", пом. 3Н"), listing["address"]


async def test_an_unknown_premise_is_refused_and_a_premise_by_hand_is_typed(db, client, login, make_account, make_user):
    place, _ = await _manager(make_account, make_user, login, client)
    refused = await client.form("/staff/showcase/new", {**FORM, "house": place.house, "premise_number": "99Н"})
    assert refused.status_code == 422 and "В реестре нет такого помещения" in refused.text
    assert 'value="99Н"' in refused.text and "Угловое помещение</textarea>" in refused.text
    typed = await client.form("/staff/showcase/new", {**FORM, "house": place.house, "source": "free",
                                                      "premise_number": "99Н", "area": "40,9", "floor": "1",
                                                      "price": "1500"})  # fmt: skip
    assert typed.status_code == 303
    row = await Listing.select().where(Listing.premise_number == "99Н").first()
    assert row["premise"] is None and row["total_kopecks"] == 6_135_000  # 40,9 m² × 1 500 ₽ = 61 350 ₽


async def test_every_page_and_refused_form_is_served_as_html(db, client, login, make_account, make_user, make_listing):
    """A page opened directly (a reload, a link from a mail) is shown as a page only when its type says HTML."""
    place, _ = await _manager(make_account, make_user, login, client)
    listing = await make_listing(house=place.house)
    for url in ("/staff/showcase", f"/staff/showcase/{listing}", f"/staff/showcase/{listing}/edit",
                "/staff/showcase/new", "/staff/showcase/leads", "/staff/showcase/offers", "/showcase",
                "/showcase/commercial", f"/showcase/listings/{listing}"):  # fmt: skip
        page = await client.get(url)
        assert (page.status_code, page.headers["content-type"].split(";")[0]) == (200, "text/html"), url
    for url in ("/staff/showcase/new", f"/staff/showcase/{listing}/edit"):
        refused = await client.form(url, {**FORM, "house": place.house, "premise_number": "99Н"})
        assert (refused.status_code, refused.headers["content-type"].split(";")[0]) == (422, "text/html"), url


async def test_staff_list_only_in_their_houses(db, client, login, make_account, make_user, make_listing):
    _place, _ = await _manager(make_account, make_user, login, client)
    elsewhere = await make_account(kind="nonresidential", premise_number="1Н")
    refused = await client.form("/staff/showcase/new", {**FORM, "house": elsewhere.house, "premise_number": "1Н"})
    assert refused.status_code == 422 and not await Listing.exists().where(Listing.house == elsewhere.house)
    foreign = await make_listing(house=elsewhere.house)
    for url in (f"/staff/showcase/{foreign}", f"/staff/showcase/{foreign}/edit"):
        assert (await client.get(url)).status_code == 404
    assert (await client.form(f"/staff/showcase/{foreign}/move", {"move": "close"})).status_code == 404
    assert f'href="/staff/showcase/{foreign}"' not in (await client.get("/staff/showcase")).text


async def test_photos_are_cleaned_ordered_and_needed_to_publish(db, client, login, make_account, make_user):
    place, _ = await _manager(make_account, make_user, login, client)
    await client.form("/staff/showcase/new", {**FORM, "house": place.house, "premise_number": "3Н"})
    listing = (await Listing.select(Listing.id).where(Listing.house == place.house).first())["id"]
    back = {"referer": f"http://testserver/staff/showcase/{listing}"}  # a refusal goes back where the form was
    refused = await client.form(f"/staff/showcase/{listing}/move", {"move": "publish"}, headers=back)
    assert refused.status_code == 303 and refused.headers["location"] == f"/staff/showcase/{listing}"
    assert "Чтобы опубликовать объявление, добавьте: фотография" in (await client.get(refused.headers["location"])).text
    files = [("photos", ("a.jpg", jpeg_bytes(colour=(200, 0, 0)), "image/jpeg")),
             ("photos", ("b.png", jpeg_bytes(colour=(0, 200, 0)), "image/png")),
             ("photos", ("fake.jpg", b"%PDF-1.4 not a photo", "image/jpeg"))]  # fmt: skip
    uploaded = await client.form(f"/staff/showcase/{listing}/photos", {}, files=files)
    assert uploaded.status_code == 303
    page = (await client.get(f"/staff/showcase/{listing}")).text
    assert "Файл «fake.jpg» — не изображение: приложите JPEG, PNG или WebP." in page  # the words of every picture form
    photos = [r["id"] for r in await ListingPhoto.select(ListingPhoto.id).where(ListingPhoto.listing == listing)
              .order_by(ListingPhoto.position)]  # fmt: skip
    assert len(photos) == 2
    assert (await Listing.select(Listing.cover_photo).where(Listing.id == listing).first())["cover_photo"] == photos[0]
    moved = await client.htmx_form(f"/staff/showcase/{listing}/photos/{photos[1]}/move", {"direction": "first"})
    assert moved.status_code == 200 and 'id="photos"' in moved.text and "<html" not in moved.text
    order = [r["id"] for r in await ListingPhoto.select(ListingPhoto.id).where(ListingPhoto.listing == listing)
             .order_by(ListingPhoto.position)]  # fmt: skip
    assert order == [photos[1], photos[0]]
    assert (await Listing.select(Listing.cover_photo).where(Listing.id == listing).first())["cover_photo"] == photos[1]
    published = await client.form(f"/staff/showcase/{listing}/move", {"move": "publish"})
    assert published.status_code == 303
    assert (await Listing.select(Listing.status).where(Listing.id == listing).first())["status"] == "published"
    await client.form(f"/staff/showcase/{listing}/photos/{photos[0]}/delete")
    last = await client.form(f"/staff/showcase/{listing}/photos/{photos[1]}/delete", headers=back)
    assert "хотя бы одна фотография" in (await client.get(last.headers["location"])).text
    assert await ListingPhoto.count().where(ListingPhoto.listing == listing) == 1
    written = await AuditEvent.select(AuditEvent.ip).where(
        (AuditEvent.entity == "listing") & (AuditEvent.entity_id == listing)
    )
    assert len(written) >= 5 and {e["ip"] for e in written} == {CLIENT_IP}  # each with the address staff acted from


async def test_duplicate_and_close(db, client, login, make_account, make_user, make_listing):
    place, _ = await _manager(make_account, make_user, login, client)
    listing = await make_listing(house=place.house, photos=2)
    copy = await client.form(f"/staff/showcase/{listing}/duplicate")
    copy_id = int(re.search(r"/staff/showcase/(\d+)/edit", copy.headers["location"])[1])
    twin = await Listing.select().where(Listing.id == copy_id).first()
    original = await Listing.select(Listing.total_kopecks).where(Listing.id == listing).first()
    assert (twin["status"], twin["photo_count"], twin["views"]) == ("draft", 0, 0)
    assert twin["total_kopecks"] == original["total_kopecks"] > 0
    assert (await client.get(f"/showcase/listings/{listing}")).status_code == 200
    await client.form(f"/staff/showcase/{listing}/move", {"move": "close"})
    client.cookies.delete("session")
    assert (await client.get(f"/showcase/listings/{listing}")).status_code == 404


async def test_the_list_counts_views_and_leads_and_exports_the_filtered_rows(
    db, client, login, make_account, make_user, make_listing
):
    place, _ = await _manager(make_account, make_user, login, client)
    shown = await make_listing(house=place.house, area="146", price="1050")
    draft = await make_listing(house=place.house, publish=False)
    await Listing.update({Listing.views: 17}).where(Listing.id == shown)
    for status in ("new", "new", "viewing"):
        await Lead(listing=shown, status=status, name="Тест", phone="+79780000000", consent_version="x").save()
    page = await client.get("/staff/showcase?status=published")
    assert page.status_code == 200
    row = re.search(rf'<tr>\s*<td class="primary col-address"><a href="/staff/showcase/{shown}">.*?</tr>', page.text,
                    re.S)[0]  # fmt: skip
    assert ">17<" in row and ">3</a>" in row and "2 новые" in row
    assert f'href="/staff/showcase/{draft}"' not in page.text
    xlsx = await client.get("/staff/showcase/export.xlsx?status=published")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("№", "Вид", "Статус") and [r[0] for r in rows[1:]] == [shown]
    assert rows[1][7] == 153300 and rows[1][9] == 17 and rows[1][10] == 3
    area, price, per_m2, views = sheet["F2"], sheet["H2"], sheet["I2"], sheet["J2"]
    assert area.value == 146 and area.number_format == "#,##0.0#"  # square metres, not a sum of money
    assert price.number_format == per_m2.number_format == "#,##0.00" and views.number_format == "#,##0"
    every = load_workbook(io.BytesIO((await client.get("/staff/showcase/export.xlsx")).content)).active
    assert sorted(r[0] for r in every.iter_rows(min_row=2, values_only=True)) == sorted([shown, draft])


async def test_leads_move_along_their_work(db, client, new_client, login, make_account, make_user, make_listing):
    place, _ = await _manager(make_account, make_user, login, client)
    listing = await make_listing(house=place.house)
    lead = Lead(listing=listing, name="Анна", phone="+79781112233", consent_version="x", consent_ip="10.0.0.1")
    await lead.save()
    page = await client.get("/staff/showcase/leads")
    assert "Анна" in page.text and "+79781112233" in page.text and "Назначен просмотр" in page.text
    moved = await client.form(
        f"/staff/showcase/leads/{lead.id}", {"status": "viewing", "back": "/staff/showcase/leads"}
    )
    assert moved.status_code == 303 and moved.headers["location"] == "/staff/showcase/leads"
    assert (await Lead.select(Lead.status).where(Lead.id == lead.id).first())["status"] == "viewing"
    assert await AuditEvent.exists().where(
        (AuditEvent.action == "showcase.lead_status") & (AuditEvent.entity_id == lead.id) & (AuditEvent.ip == CLIENT_IP)
    )
    await client.form(f"/staff/showcase/leads/{lead.id}", {"status": "new"})
    assert (await Lead.select(Lead.status).where(Lead.id == lead.id).first())["status"] == "viewing"
    # No status chosen: the lead's page again (422), the message at the status, the note as typed.
    typed = {"status": "", "note": "Перезвонить <вечером>", "back": "/staff/showcase/leads"}
    refused = await client.form(f"/staff/showcase/leads/{lead.id}", typed)
    assert refused.status_code == 422 and "Form-Taken" not in refused.headers
    assert 'id="e-status"' in refused.text and "Выберите статус заявки." in refused.text
    assert re.search(r'<textarea id="f-note" name="note"[^>]*>Перезвонить &lt;вечером&gt;</textarea>', refused.text)
    operator = new_client()
    await login(operator, await make_user(roles=("operator",), houses=(place.house,)))
    await operator.form(f"/staff/showcase/leads/{lead.id}", {"status": "deal", "note": "Договор в пятницу"})
    done = await Lead.select(Lead.status, Lead.note).where(Lead.id == lead.id).first()
    assert done == {"status": "deal", "note": "Договор в пятницу"}
    stranger = new_client()
    await login(stranger, await make_user(roles=("manager",), houses=((await make_account()).house,)))
    assert (await stranger.get(f"/staff/showcase/leads/{lead.id}")).status_code == 404
    assert (await stranger.form(f"/staff/showcase/leads/{lead.id}", {"status": "lost"})).status_code == 404


async def test_an_owners_request_becomes_a_draft_listing_of_the_flat(db, client, login, make_account, make_user):
    flat = await make_account(premise_number="12", area="54.30", floor=5)
    owner = await make_user(accounts={flat.account: "owner"})
    offer = ListingOffer(premise=flat.premise, house=flat.house, account=flat.account, user=owner, kind="rent",
                         price_kopecks=3_500_000)  # fmt: skip
    await offer.save()
    await login(client, await make_user(roles=("manager",), houses=(flat.house,)))
    page = (await client.get(f"/staff/showcase/offers/{offer.id}")).text.replace("\xa0", " ")
    assert "<dd>35 000 ₽</dd>" in page
    await client.speak("en")
    assert "<dd>₽35,000</dd>" in (await client.get(f"/staff/showcase/offers/{offer.id}")).text  # as English sums read
    await client.speak("ru")
    made = await client.form(f"/staff/showcase/offers/{offer.id}/list")
    listing_id = int(re.search(r"/staff/showcase/(\d+)/edit", made.headers["location"])[1])
    listing = await Listing.select().where(Listing.id == listing_id).first()
    premise = await Premise.select(Premise.area).where(Premise.id == flat.premise).first()
    assert (listing["kind"], listing["premise"], listing["total_kopecks"], listing["status"]) == (
        "rent", flat.premise, 3_500_000, "draft")  # fmt: skip
    assert Decimal(str(listing["area"])) == Decimal(str(premise["area"])) and listing["floor"] == 5
    assert (await ListingOffer.select(ListingOffer.status).where(ListingOffer.id == offer.id).first())[
        "status"
    ] == "listed"
    told = await OutboxMessage.select(OutboxMessage.subject).where(OutboxMessage.user_id == owner)
    assert told and all(m["subject"].startswith("Ваша квартира размещается") for m in told)
    listed = await AuditEvent.select(AuditEvent.action, AuditEvent.ip).where(
        AuditEvent.entity.is_in(["listing", "listing_offer"])
    )
    assert sorted(e["action"] for e in listed) == ["showcase.listing_create", "showcase.offer_listed"]
    assert {e["ip"] for e in listed} == {CLIENT_IP}
    again = await client.form(f"/staff/showcase/offers/{offer.id}/decline", {"answer": "Нет"})
    assert again.status_code == 303
    assert (await ListingOffer.select(ListingOffer.status).where(ListingOffer.id == offer.id).first())[
        "status"
    ] == "listed"


async def test_an_owner_told_their_flat_is_not_taken_reads_its_address_in_russian(
    db, client, login, make_account, make_user
):
    """The address in the owner's message was composed in the language of the manager who answered: one reading
    English wrote «…, flat 12» into a Russian message."""
    flat = await make_account(premise_number="12", area="54.30", floor=5)
    owner = await make_user(accounts={flat.account: "owner"})
    offer = ListingOffer(premise=flat.premise, house=flat.house, account=flat.account, user=owner, kind="rent",
                         price_kopecks=3_500_000)  # fmt: skip
    await offer.save()
    await login(client, await make_user(roles=("manager",), houses=(flat.house,)))
    await client.speak("en")
    declined = await client.form(f"/staff/showcase/offers/{offer.id}/decline", {"answer": "Не сдаём студии"})
    assert declined.status_code == 303
    told = await OutboxMessage.select(OutboxMessage.body).where(OutboxMessage.user_id == owner)
    assert told and all(", кв. 12" in m["body"] and "flat 12" not in m["body"] for m in told)
    # the owner's Russian name, the answer and the house read with a Russian voice on the English pages
    page = (await client.get(f"/staff/showcase/offers/{offer.id}")).text
    assert '<dd><span lang="ru">Тестовый Пользователь</span></dd>' in page
    assert '<dd><span lang="ru">Не сдаём студии</span></dd>' in page and ', flat 12 <span class="badge' in page
    listed = (await client.get("/staff/showcase/offers?status=declined")).text
    assert '<td data-label="Owner"><span lang="ru">Тестовый Пользователь</span>' in listed


async def test_an_owners_request_status_none_of_the_tabs_shows_the_new_ones_and_says_so(
    db, client, login, make_account, make_user
):
    flats = [await make_account(premise_number="12"), None]
    flats[1] = await make_account(premise_number="14", house=flats[0].house)
    owner = await make_user(accounts={f.account: "owner" for f in flats})
    for flat, status, price in zip(flats, ("new", "declined"), (3_500_000, 4_700_000), strict=True):
        await ListingOffer(premise=flat.premise, house=flat.house, account=flat.account, user=owner, kind="rent",
                           price_kopecks=price, status=status).save()  # fmt: skip
    await login(client, await make_user(roles=("manager",), houses=(flats[0].house,)))

    def prices(page: Any) -> list[str]:
        return re.findall(r"(35|47) 000", page.text.replace("\xa0", " "))

    unread = await client.get("/staff/showcase/offers?status=lost")
    assert prices(unread) == ["35"]  # the new requests, as the default tab shows them
    assert "Нет статуса «lost»; показаны новые заявки." in unread.text
    assert 'href="?status=new" class="current" aria-current="page"' in unread.text
    for tab, shown in (("", ["35"]), ("new", ["35"]), ("declined", ["47"]), ("all", ["47", "35"])):
        page = await client.get(f"/staff/showcase/offers?status={tab}")
        assert prices(page) == shown and "Нет статуса" not in page.text, tab


def test_every_message_of_the_showcase_renders_in_both_languages():
    for template in (notices.LEAD, notices.OFFER, notices.OFFER_ANSWER):
        ru, en = render(template, "ru", template.sample), render(template, "en", template.sample)
        assert ru.subject and en.subject and ru.subject != en.subject, template.name
        assert ru.text != en.text and "%(" not in ru.text + en.text


async def test_the_lists_choices_not_read_are_said_and_not_applied(
    db, client, login, make_account, make_user, make_listing
):
    place, _ = await _manager(make_account, make_user, login, client)
    draft = await make_listing(house=place.house, publish=False)
    await Lead(listing=draft, status="new", name="Анна", phone="+79781112233", consent_version="x").save()
    assert f'href="/staff/showcase/{draft}"' not in (await client.get("/staff/showcase?status=published")).text
    assert "Анна" not in (await client.get("/staff/showcase/leads?status=viewing")).text
    lists = {
        "/staff/showcase?kind=bogus&status=опубликовано&complex=abc&manager=кто": (
            "listing-filters", f'href="/staff/showcase/{draft}"', ("bogus", "опубликовано", "abc", "кто"),
            "Вид; Статус; ЖК; Ответственный"),
        "/staff/showcase/leads?status=bogus&kind=офис": ("lead-filters", "Анна", ("bogus", "офис"), "Статус; Вид"),
    }  # fmt: skip
    for url, (form_id, row, values, names) in lists.items():
        for answer in (await client.get(url), await client.get(url, headers={"HX-Request": "true"})):
            assert answer.status_code == 200
            assert row in answer.text  # the list is shown without them
            form = answer.text.split(f'id="{form_id}"')[1].split("</form>")[0]
            for value in values:
                assert f"Такого варианта нет: «{value}»; список показан без этого условия." in form
            notice = answer.text.split('id="list"')[1]
            assert f"Не применены, так как не прочитаны: {names}." in notice


async def test_the_lists_complex_or_person_none_of_its_choices_is_not_applied(
    db, client, login, make_account, make_user, make_listing
):
    place, _ = await _manager(make_account, make_user, login, client)
    mine = await make_listing(house=place.house, publish=False)
    elsewhere = await make_listing()  # a complex of the company, not of this manager's houses
    complex_ = (await Listing.select(Listing.complex).where(Listing.id == elsewhere).first())["complex"]
    resident = await make_user()  # a person who is never in charge of a listing
    forms = {}
    for value in (complex_, 987654):
        url = f"/staff/showcase?complex={value}&manager={resident}"
        for answer in (await client.get(url), await client.get(url, headers={"HX-Request": "true"})):
            assert f'href="/staff/showcase/{mine}"' in answer.text  # the list is shown without them
            form = answer.text.split('id="listing-filters"')[1].split("</form>")[0]
            for typed in (value, resident):
                assert f"Такого варианта нет: «{typed}»; список показан без этого условия." in form
            assert "Не применены, так как не прочитаны: ЖК; Ответственный." in answer.text.split('id="list"')[1]
            forms[value] = form.replace(f"«{value}»", "«…»", 1)  # the complex, the first field of the two
    assert forms[complex_] == forms[987654]  # a complex out of reach and one that is not there read alike


async def test_a_refused_photos_name_comes_back_inert(db, client, login, make_account, make_user, make_listing):
    """The refusal names the file as the browser sent it (SECURITY.md: script in user content): a name holding
    markup is shown as text, on a Russian page and on an English one."""

    place, _ = await _manager(make_account, make_user, login, client)
    listing = await make_listing(house=place.house)
    name = 'Фото"><img src=x onerror=alert(1)>.jpg'
    for lang in ("ru", "en"):
        await client.speak(lang)
        files = {"photos": (name, b"not a picture", "image/jpeg")}
        assert (await client.form(f"/staff/showcase/{listing}/photos", {}, files=files)).status_code == 303
        page = (await client.get(f"/staff/showcase/{listing}")).text
        assert "<img src=x" not in page, lang
        assert "&lt;img src=x onerror=alert(1)&gt;.jpg" in page, lang


async def test_the_staff_pages_in_english_mark_the_russian_data_of_leads_and_listings(
    db, client, login, make_account, make_user, make_listing
):
    """A lead's name, its listing's complex and address and the manager in charge are Russian data: each says
    ``lang="ru"`` on an English staff page."""
    place = await make_account(kind="nonresidential", premise_number="3Н", area="146.00", floor=1)
    manager = await make_user(name="Менеджер Витрины", roles=("manager",), houses=(place.house,))
    await login(client, manager)
    listing = await make_listing(house=place.house, manager=manager)
    lead = Lead(listing=listing, name="Анна", phone="+79781112233", message="Можно в субботу?", consent_version="x",
                consent_ip="10.0.0.1")  # fmt: skip
    await lead.save()
    await client.speak("en")
    leads = (await client.get("/staff/showcase/leads")).text
    assert '<td class="primary"><span lang="ru">Анна</span></td>' in leads
    assert re.search(
        r'<span lang="ru">ЖК Тестовый \w+</span>, 84\.09\u00a0m²</a><br><span class="muted"><span lang="ru">г\.', leads
    )
    page = (await client.get(f"/staff/showcase/{listing}")).text
    assert '<dd><span lang="ru">Менеджер Витрины</span></dd>' in page
    assert re.search(r'<dt>Complex</dt><dd><span lang="ru">ЖК Тестовый \w+</span></dd>', page)
    opened = (await client.get(f"/staff/showcase/leads/{lead.id}")).text
    assert '<dd class="sc-message"><span lang="ru">Можно в субботу?</span></dd>' in opened
