"""A closed personal account (the flat passed to a new owner, billed on an account of their own) is read-only to its
residents: they see its history and pay its debt, and start nothing new on it — no request or application, no
readings, no offer of the flat, no paid service, no autopay turned on. The pages offer none of it and the routes
refuse it when posted directly; the same resident's open account is offered all of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from decimal import Decimal

import pytest

from portal.billing.ledger import EntryKind
from portal.billing.ledger import post_entry
from portal.catalog.tables import Order
from portal.catalog.tables import PaidService
from portal.catalog.tables import ServiceCategory
from portal.core import clock
from portal.housing.rules import account_kept
from portal.housing.rules import account_open
from portal.housing.tables import PersonalAccount
from portal.meters.tables import Meter
from portal.meters.tables import MeterReading
from portal.payments.tables import AutopayMandate
from portal.payments.tables import PaymentMethod
from portal.showcase.tables import ListingOffer
from portal.tickets.tables import Ticket

FILING_LINKS = ("/tickets/absence?account=", "/tickets/residents?account=", "/showcase/offer?account=")


def test_an_account_is_open_through_its_closing_day():
    day = date(2026, 8, 2)
    assert account_open(None, day)
    assert account_open(day, day)  # the day before the new owner's: still the previous owner's
    assert not account_open(day, day + timedelta(days=1))


@dataclass
class Former:
    user: int
    closed: int
    still_open: int


async def _close(account: int) -> None:
    yesterday = clock.today_local() - timedelta(days=1)
    await PersonalAccount.update({PersonalAccount.closed_on: yesterday}).where(PersonalAccount.id == account)


@pytest.fixture
async def former(db, make_account, make_user) -> Former:
    """An owner of two flats with every right on both; the first flat passed to a new owner yesterday."""
    closed, still_open = await make_account(), await make_account()
    user = await make_user(accounts={closed.account: "owner", still_open.account: "owner"})
    await _close(closed.account)
    return Former(user, closed.account, still_open.account)


async def test_the_closed_account_s_page_offers_paying_and_nothing_new(client, login, former):
    await login(client, former.user)
    page = (await client.get(f"/accounts/{former.closed}")).text
    assert 'id="closed-account"' in page
    assert not [link for link in FILING_LINKS if link in page]
    assert "/tickets/instalment?account=" not in page
    open_page = (await client.get(f"/accounts/{former.still_open}")).text
    assert [link for link in FILING_LINKS if link in open_page] == list(FILING_LINKS)


async def test_the_principal_is_built_again_when_an_account_closes(client, login, former):
    """The principal kept in the session learns of a closing made after the resident signed in."""
    await login(client, former.user)
    assert "/tickets/absence?account=" in (await client.get(f"/accounts/{former.still_open}")).text
    await _close(former.still_open)
    assert "/tickets/absence?account=" not in (await client.get(f"/accounts/{former.still_open}")).text


async def _file(client, account: int):
    data = {"account": str(account), "place": "premise", "category": "leaking_taps", "description": "Течёт кран"}
    return await client.form("/tickets/new", data, files={"photos": ("", b"", "application/octet-stream")})


async def test_no_request_is_filed_on_a_closed_account(client, login, former):
    await login(client, former.user)
    form = (await client.get("/tickets/new")).text
    assert f'value="{former.closed}"' not in form and f'value="{former.still_open}"' in form
    assert (await _file(client, former.closed)).status_code == 422
    assert not await Ticket.exists().where(Ticket.account == former.closed)
    assert (await _file(client, former.still_open)).status_code == 303


async def test_a_closed_account_s_flat_is_not_offered_to_let_or_sell(client, login, former):
    await login(client, former.user)
    refused = await client.form("/showcase/offer", {"account": former.closed, "kind": "rent"})
    assert refused.status_code == 422
    assert not await ListingOffer.exists().where(ListingOffer.user == former.user)
    sent = await client.form("/showcase/offer", {"account": former.still_open, "kind": "rent"})
    assert sent.status_code == 303 and await ListingOffer.count().where(ListingOffer.user == former.user) == 1


async def test_no_readings_are_passed_for_a_closed_account(client, login, former):
    meters = {}
    for account in (former.closed, former.still_open):
        meter = Meter(account=account, service="cold_water", serial=f"S{account}", digits=5, decimals=3)
        await meter.save()
        await MeterReading(meter=meter.id, zone=1, value=Decimal("123.456"), period=date(2026, 1, 1)).save()
        meters[account] = meter.id
    await login(client, former.user)
    page = (await client.get("/meters")).text
    assert f"S{former.closed}" not in page and f"S{former.still_open}" in page
    await client.form("/meters", {f"m{m}z1": "130,5" for m in meters.values()})
    passed = await MeterReading.select(MeterReading.meter).where(MeterReading.value == Decimal("130.5"))
    assert [r["meter"] for r in passed] == [meters[former.still_open]]


async def test_no_paid_service_is_ordered_to_a_closed_account(client, login, former):
    section = ServiceCategory(title="Сантехника", position=1)
    await section.save()
    service = PaidService(category=section.id, title="Вызов сантехника", description="-", price_kopecks=150000)
    await service.save()
    await login(client, former.user)
    await client.form("/services/cart", {"service": service.id, "account": former.still_open})
    offered = (await client.get("/services/cart")).text.split('name="account"')[1].split("</select>")[0]
    assert f'value="{former.closed}"' not in offered and f'value="{former.still_open}"' in offered
    visit = {"day": (clock.today_local() + timedelta(days=2)).isoformat(), "slot": "09:00–12:00", "phone": ""}
    assert (await client.form("/services/cart/order", {"account": former.closed, **visit})).status_code == 422
    assert not await Order.exists()
    assert (await client.form("/services/cart/order", {"account": former.still_open, **visit})).status_code == 303


async def test_autopay_is_not_turned_on_for_a_closed_account(client, login, former):
    card = PaymentMethod(user=former.user, gateway_id="pm_test", last4="4242")
    await card.save()
    await login(client, former.user)
    page = (await client.get("/autopay")).text
    assert f'action="/autopay/{former.closed}"' not in page and f'action="/autopay/{former.still_open}"' in page
    for account in (former.closed, former.still_open):
        await client.form(f"/autopay/{account}", {f"card_{account}": str(card.id), f"limit_{account}": "5000"})
    refused = await client.get("/autopay")
    assert "Лицевой счёт закрыт: автоплатёж по нему не включается." in refused.text.replace("\xa0", " ")
    mandates = await AutopayMandate.select(AutopayMandate.account).where(AutopayMandate.user == former.user)
    assert [m["account"] for m in mandates] == [former.still_open]


# Every page that starts something new on an account: the request, the six applications, the readings, the services.
STARTING_PAGES = (
    "/tickets/new",
    "/tickets/absence",
    "/tickets/residents",
    "/tickets/meter-commissioning",
    "/tickets/instalment",
    "/tickets/warranty",
    "/tickets/lift",
    "/meters",
    "/services",
)
MONTHS = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября")
MONTHS += ("декабря",)


def _yesterday_in_russian() -> str:
    day = clock.today_local() - timedelta(days=1)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


async def test_a_resident_whose_only_account_is_closed_is_told_so_on_every_page_not_blamed_on_access(
    client, login, make_account, make_user
):
    """With nothing to start, each page names the closed account, its closing day, its page (history, debt) and who
    can help, in one message: not that the access granted leaves requests out."""
    closed = await make_account()
    user = await make_user(accounts={closed.account: "owner"})
    await _close(closed.account)
    await login(client, user)
    said = f"Лицевой счёт {closed.number} закрыт {_yesterday_in_russian()}: по нему больше не подают заявки"
    for path in STARTING_PAGES:
        page = (await client.get(path)).text.replace("\xa0", " ")
        assert said in page, path
        assert f'href="/accounts/{closed.account}"' in page, path
        assert "попросите нового собственника пригласить вас" in page, path
        assert "не включает" not in page and "Счётчиков по вашим счетам пока нет" not in page, path


async def test_the_closed_account_is_named_in_english_too(client, login, make_account, make_user):
    closed = await make_account()
    user = await make_user(accounts={closed.account: "owner"}, locale="en")
    await _close(closed.account)
    await login(client, user)
    page = (await client.get("/tickets/absence")).text.replace("\xa0", " ")
    assert f"Personal account {closed.number} was closed on" in page
    assert "ask the new owner to invite you" in page and "does not include" not in page


async def test_a_resident_whose_open_account_leaves_requests_out_is_still_told_that(
    client, login, make_account, make_user
):
    viewer = await make_account()
    user = await make_user(accounts={viewer.account: "family"}, rights=("view",))
    await login(client, user)
    page = (await client.get("/tickets/absence")).text
    assert "Ваш доступ к лицевым счетам не включает заявки" in page and "closed-accounts" not in page


def test_only_its_owners_keep_a_closed_account():
    """DOMAIN: family members and tenants were there because they lived in the flat; the history and the debt of
    a closed account belong to its owners, who keep it read-only."""
    day = date(2026, 8, 2)
    for role in ("owner", "family", "tenant"):
        assert account_kept(role, None, day) and account_kept(role, day, day)  # open through its closing day
    assert account_kept("owner", day, day + timedelta(days=1))
    assert not account_kept("family", day, day + timedelta(days=1))
    assert not account_kept("tenant", day, day + timedelta(days=1))


async def test_family_and_tenants_lose_a_closed_account_from_the_day_after_and_its_owner_keeps_it(
    client, login, make_account, make_user
):
    flat, elsewhere = await make_account(), await make_account()
    owner = await make_user(accounts={flat.account: "owner"})
    family = await make_user(accounts={flat.account: "family"}, rights=("view", "pay", "tickets"))
    tenant = await make_user(accounts={flat.account: "tenant", elsewhere.account: "tenant"})
    await post_entry(flat.account, EntryKind.CHARGE, 250000, clock.now() - timedelta(days=3), reference="t-flat")
    await login(client, family)
    assert (await client.get(f"/accounts/{flat.account}")).status_code == 200
    await _close(flat.account)  # the principal kept in the session is built again
    # As any account not theirs: with no account left, a resident's page is not theirs at all (403).
    not_theirs = (await client.get(f"/accounts/{elsewhere.account}")).status_code
    assert (await client.get(f"/accounts/{flat.account}")).status_code == not_theirs == 403
    home = (await client.get("/")).text.replace("\xa0", " ")
    assert 'id="accounts-left"' in home
    assert f"Лицевой счёт {flat.number} закрыт {_yesterday_in_russian()}" in home
    client.cookies.clear()
    await login(client, tenant)
    assert (await client.get(f"/accounts/{flat.account}")).status_code == 404
    home = (await client.get("/")).text
    assert elsewhere.number in home and flat.number not in home and 'id="accounts-left"' not in home
    client.cookies.clear()
    await login(client, owner)
    page = (await client.get(f"/accounts/{flat.account}")).text
    assert 'id="closed-account"' in page and f'href="/pay?account={flat.account}"' in page  # «Оплатить 2 500,00 ₽»


async def _no_debt_certificate() -> int:
    papers = ServiceCategory(title="Справки", position=2)
    await papers.save()
    service = PaidService(
        category=papers.id, title="Справка об отсутствии задолженности", description="-", kind="certificate",
        document="no_debt", price_kopecks=0,
    )  # fmt: skip
    await service.save()
    return int(service.id)


async def test_the_closed_account_s_page_links_to_its_certificate_of_no_debt_while_it_can_be_ordered(
    client, login, former
):
    """Its owner selling the flat is led from the account's page to the one thing ordered on it: only where the house
    offers the certificate, and only while nothing is owed (a debt is paid first: «Оплатить» stays)."""
    await login(client, former.user)
    assert "/services/" not in (await client.get(f"/accounts/{former.closed}")).text  # the house offers none
    certificate = await _no_debt_certificate()
    link = f'href="/services/{certificate}?account={former.closed}"'
    page = (await client.get(f"/accounts/{former.closed}")).text
    assert link in page and "Справка об отсутствии задолженности</a>" in page
    assert f'href="/services/{certificate}?account=' not in (await client.get(f"/accounts/{former.still_open}")).text
    await post_entry(former.closed, EntryKind.CHARGE, 120000, clock.now() - timedelta(days=3), reference="t-owed")
    owing = (await client.get(f"/accounts/{former.closed}")).text
    assert link not in owing and f'href="/pay?account={former.closed}"' in owing


async def test_a_closed_only_owner_where_no_certificate_is_offered_is_told_why_and_not_that_nothing_was_found(
    client, login, make_account, make_user
):
    closed = await make_account()
    user = await make_user(accounts={closed.account: "owner"})
    await _close(closed.account)
    await login(client, user)
    page = (await client.get("/services")).text.replace("\xa0", " ")
    assert 'id="closed-accounts"' in page and f"Лицевой счёт {closed.number} закрыт" in page
    assert "Ничего не найдено" not in page and "справку об отсутствии задолженности" not in page
    certificate = await _no_debt_certificate()
    offered = (await client.get("/services")).text.replace("\xa0", " ")
    assert 'id="closed-accounts"' in offered and f'href="/services/{certificate}?account={closed.account}"' in offered
    assert "может получить справку об отсутствии задолженности" in offered and "Ничего не найдено" not in offered
    searched = (await client.get("/services?q=сантехник")).text
    assert "Ничего не найдено" in searched  # words asked for and matching nothing: said so
