"""The catalog's actions on both engines (no HTTP): ordering with prices as they were, paying through the sandbox
gateway apart from the utility ledger, cancelling with one refund, and certificates made from the ledger."""

from __future__ import annotations

import io
import re
from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import pytest
from pypdf import PdfReader

from portal.accounts.principal import load_principal_for
from portal.billing.ledger import EntryKind
from portal.billing.ledger import balance_of
from portal.billing.ledger import post_entry
from portal.billing.tables import LedgerEntry
from portal.catalog import actions
from portal.catalog import queries
from portal.catalog.tables import Order
from portal.catalog.tables import OrderItem
from portal.catalog.tables import PaidService
from portal.core import clock
from portal.core import storage
from portal.core.db import is_sqlite
from portal.core.pagination import PageRequest
from portal.core.tables import AuditEvent
from portal.core.web import Refused
from portal.payments.tables import Payment
from portal.payments.tables import Refund
from portal.tickets.tables import Ticket
from tests.pdfs import text_off_the_page
from tests.querylog import captured
from tests.querylog import plan_of
from tests.querylog import unindexed_steps


async def _place(principal: Any, account_id: int) -> queries.OrderPlace:
    places = await queries.places_of(principal, "tickets")
    place = queries.choose_place(places, account_id)
    assert place is not None and place.account_id == account_id
    return place


async def _wanted(place: queries.OrderPlace, *items: tuple[int, str]) -> list[actions.Wanted]:
    offered = await queries.offered_services(place, [sid for sid, _ in items])
    return [actions.Wanted(offered[sid], Decimal(q)) for sid, q in items]


def _visit_day() -> date:
    """The day a visit is asked for: the day after tomorrow, still ahead of the company's date if midnight passes
    while the test runs (tomorrow then became today: «past»)."""
    return date.fromordinal(clock.today_local().toordinal() + 2)


async def _order(household: dict[str, Any], shop: dict[str, int], *items: tuple[int, str]) -> tuple[Any, Any]:
    resident = await load_principal_for(household["resident"])
    place = await _place(resident, household["accounts"][0])
    placed = await actions.order_services(
        resident, place, await _wanted(place, *items), day=_visit_day(), slot="09:00–12:00", comment="Домофон 12",
        phone="+79780000000", now=clock.now(),
    )  # fmt: skip
    return resident, placed


async def test_prices_are_snapshotted_a_later_price_change_leaves_the_order_alone(db, household, shop, make_user):
    resident, placed = await _order(household, shop, (shop["plumber"], "1"), (shop["cleaning"], "10.5"))
    assert placed.status == "awaiting_payment"
    # 1 500,00 + 10,5 m² × 120,50 = 1 500,00 + 1 265,25
    assert placed.total == Decimal("2765.25")
    manager = await load_principal_for(await make_user(roles=("admin",)))
    plumber = await queries.service(shop["plumber"])
    assert plumber is not None
    values = {
        k: getattr(plumber, k)
        for k in ("title", "description", "kind", "price_kind", "unit", "duration_minutes", "slots_per_day")
    }
    values |= {"category": plumber.category_id, "executor_group": plumber.executor_group, "price": Decimal("9999")}
    values |= {"document": plumber.document, "all_houses": True, "active": True, "position": 0}
    await actions.save_service(manager, plumber.id, values, complexes=[], houses=[], photo=None, now=clock.now())
    assert (await queries.service(shop["plumber"])).price == Decimal("9999.00")
    order = await queries.order_for_resident(resident, placed.id)
    assert order is not None
    assert order.total == Decimal("2765.25")
    assert [(i.title, i.unit_price, i.quantity, i.amount) for i in order.items] == [
        ("Вызов сантехника", Decimal("1500.00"), Decimal("1"), Decimal("1500.00")),
        ("Уборка квартиры", Decimal("120.50"), Decimal("10.5"), Decimal("1265.25")),
    ]
    stored = await Order.select(Order.total_kopecks).where(Order.id == placed.id).first()
    assert stored["total_kopecks"] == 276525


async def test_a_free_or_quoted_order_and_a_full_day(db, household, shop):
    _, placed = await _order(household, shop, (shop["repair"], "1"))
    assert (placed.status, placed.total) == ("quote_requested", None)
    # The plumber takes two orders a day: the third on the same day is refused with the reason.
    await _order(household, shop, (shop["plumber"], "1"))
    await _order(household, shop, (shop["plumber"], "1"))
    with pytest.raises(Refused, match="полностью занята"):
        await _order(household, shop, (shop["plumber"], "1"))
    assert await OrderItem.count().where(OrderItem.service == shop["plumber"]) == 2


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


async def _paid_order(household, shop, gateway) -> tuple[Any, Any]:
    resident, placed = await _order(household, shop, (shop["plumber"], "1"))
    order = await queries.order_for_resident(resident, placed.id)
    url = await gateway.exclusive(actions.start_payment(resident, order, "http://testserver"))
    hosted = await gateway.pay(url, "4242 4242 4242 4242")
    assert hosted.status_code == 303
    back = _path(hosted.headers["location"])
    assert back.startswith(f"/services/orders/{placed.id}/paid?session_id=")
    await gateway.settle()
    status = await gateway.exclusive(actions.come_back(resident, back.split("session_id=")[1]))
    assert status == "succeeded"
    return resident, await queries.order_for_resident(resident, placed.id)


async def test_a_paid_order_opens_a_paid_request_flagged_paid_and_never_touches_the_utility_balance(
    db, household, shop, gateway
):
    account = household["accounts"][0]
    balance = await balance_of(account)
    entries = await LedgerEntry.count().where(LedgerEntry.account == account)
    _, order = await _paid_order(household, shop, gateway)
    assert order.status == "accepted" and order.paid and order.ticket_id is not None
    ticket = await Ticket.select().where(Ticket.id == order.ticket_id).first()
    assert ticket["type"] == "paid" and ticket["paid_for"] is True and ticket["category"] == "paid_service"
    assert ticket["control_date"] == (await Order.select(Order.preferred_date).first())["preferred_date"]
    assert "Вызов сантехника" in ticket["description"]
    # The utility balance and the ledger are exactly as before; the payment is the order's.
    assert await balance_of(account) == balance
    assert await LedgerEntry.count().where(LedgerEntry.account == account) == entries
    payment = await Payment.select().where(Payment.reference == order.reference).first()
    assert payment["purpose"] == "order" and payment["amount_kopecks"] == 150000
    # Only one request however often the payment is reported.
    await gateway.exclusive(actions.come_back(await load_principal_for(household["resident"]), payment["session_id"]))
    assert await Ticket.count().where(Ticket.id == order.ticket_id) == 1
    assert await Order.count().where(Order.ticket.is_not_null() & (Order.id == order.id)) == 1


async def test_cancelling_a_paid_order_twice_refunds_it_once_through_the_gateway(db, household, shop, gateway):
    account = household["accounts"][0]
    balance = await balance_of(account)
    resident, order = await _paid_order(household, shop, gateway)
    refund = await gateway.exclusive(actions.cancel(resident, order, by_staff=False, reason="", now=clock.now()))
    assert refund == "refunded"
    with pytest.raises(Refused):  # the second cancel (a double click, a second tab) finds it cancelled
        again = await queries.order_for_resident(resident, order.id)
        await gateway.exclusive(actions.cancel(resident, again, by_staff=False, reason="", now=clock.now()))
    # The stale copy of the order sent again is refused too: the order is claimed by a conditional update.
    with pytest.raises(Refused):
        await gateway.exclusive(actions.cancel(resident, order, by_staff=False, reason="", now=clock.now()))
    assert await gateway.exclusive(actions.retry_refunds()) == 0
    await gateway.settle()
    payment = await Payment.select().where(Payment.reference == order.reference).first()
    assert payment["status"] == "refunded"
    assert await Refund.count().where(Refund.payment == payment["id"]) == 1
    refunds = gateway.http.get("/v1/refunds", params={"payment_intent": payment["intent_id"]}).json()["data"]
    assert [r["amount"] for r in refunds] == [150000]
    after = await queries.order_for_resident(resident, order.id)
    assert after.status == "cancelled" and after.refunded_at is not None
    ticket = await Ticket.select(Ticket.status).where(Ticket.id == order.ticket_id).first()
    assert ticket["status"] == "cancelled"
    assert await balance_of(account) == balance


def _pdf_text(key: str) -> str:
    reader = PdfReader(io.BytesIO(storage.path_of(key).read_bytes()))
    return "\n".join(page.extract_text() for page in reader.pages)


def _plain(text: str) -> str:
    return re.sub(r"\s+", "", text)


async def test_a_statement_lists_the_ledger_of_the_period(db, household, shop):
    account = household["accounts"][0]
    await post_entry(account, EntryKind.CHARGE, 210000, datetime(2026, 9, 20, 9, tzinfo=UTC), reference="t-sep")
    await post_entry(account, EntryKind.PAYMENT, -150050, datetime(2026, 10, 5, 9, tzinfo=UTC), reference="t-oct")
    await post_entry(account, EntryKind.PENALTY, 1234, datetime(2026, 10, 15, 9, tzinfo=UTC), reference="t-pen")
    await post_entry(account, EntryKind.CHARGE, 99900, datetime(2026, 8, 20, 9, tzinfo=UTC), reference="t-aug")
    resident = await load_principal_for(household["resident"])
    place = await _place(resident, account)
    service = (await queries.offered_services(place, [shop["statement"]]))[shop["statement"]]
    placed = await actions.order_document(
        resident, place, service, period_from=date(2026, 9, 1), period_to=date(2026, 10, 1), now=clock.now()
    )
    assert placed.status == "done"
    order = await queries.order_for_resident(resident, placed.id)
    assert len(order.documents) == 1
    text = _pdf_text(order.documents[0].file_key)
    lines = [_plain(line) for line in text.splitlines() if re.match(r"\s*\d\d\.\d\d\.\d{4}", line)]
    ledger = (
        await LedgerEntry.select(LedgerEntry.occurred_at, LedgerEntry.amount_kopecks)
        .where(
            (LedgerEntry.account == account)
            & (LedgerEntry.period >= date(2026, 9, 1))
            & (LedgerEntry.period <= date(2026, 10, 1))
        )
        .order_by(LedgerEntry.occurred_at)
    )
    assert len(ledger) == 3 and len(lines) == 3
    for line, entry in zip(lines, ledger, strict=True):
        kopecks = abs(entry["amount_kopecks"])
        assert line.startswith(clock.local(entry["occurred_at"]).strftime("%d.%m.%Y"))
        assert line.endswith(f"{kopecks // 100},{kopecks % 100:02d}")
    plain = _plain(text)
    assert _plain("Выписка из лицевого счёта") in plain
    # The balance at the start is August's charge (outside the period, so not a line of it); at the end,
    # 999,00 + 2 100,00 − 1 500,50 + 12,34 (December's charge comes after the period).
    assert "999,00" in plain and "1610,84" in plain
    # The company's details and the period are paragraphs under the heading, not written off the page.
    assert text_off_the_page(storage.path_of(order.documents[0].file_key).read_bytes()) == []


async def test_a_no_debt_certificate_is_refused_while_there_is_a_debt_then_issued(db, household, shop):
    account = household["accounts"][0]
    resident = await load_principal_for(household["resident"])
    place = await _place(resident, account)
    service = (await queries.offered_services(place, [shop["no_debt"]]))[shop["no_debt"]]
    before = await Order.count()
    with pytest.raises(Refused) as refused:
        await actions.order_document(resident, place, service, period_from=None, period_to=None, now=clock.now())
    assert "3 540,00" in str(refused.value).replace("\xa0", " ").replace("\u202f", " ")
    assert await Order.count() == before
    debt = await balance_of(account)
    await post_entry(account, EntryKind.PAYMENT, -int(debt * 100), clock.now(), reference="t-pay-off")
    placed = await actions.order_document(resident, place, service, period_from=None, period_to=None, now=clock.now())
    order = await queries.order_for_resident(resident, placed.id)
    assert placed.status == "done" and len(order.documents) == 1
    text = _plain(_pdf_text(order.documents[0].file_key))
    assert _plain("Справка об отсутствии задолженности") in text
    assert place.number in text
    assert text_off_the_page(storage.path_of(order.documents[0].file_key).read_bytes()) == []


async def test_staff_name_the_price_of_a_from_order_and_the_call_centre_orders_for_a_resident(
    db, household, shop, make_user
):
    _, placed = await _order(household, shop, (shop["repair"], "1"), (shop["plumber"], "1"))
    dispatcher = await load_principal_for(await make_user(roles=("dispatcher",), houses=(household["house"],)))
    order = await queries.order_for_staff(dispatcher, placed.id)
    assert order is not None and order.total is None and not order.may_pay
    with pytest.raises(Refused):  # below the service priced in advance
        await actions.quote(dispatcher, order, Decimal("1000"), "", clock.now())
    await actions.quote(dispatcher, order, Decimal("3200"), "Замена картриджа", clock.now())
    quoted = await queries.order_for_staff(dispatcher, placed.id)
    assert (quoted.status, quoted.total, quoted.may_pay) == ("quoted", Decimal("3200.00"), True)
    assert [i.amount for i in quoted.items] == [Decimal("1700.00"), Decimal("1500.00")]
    # Staff out of the house do not see the order at all.
    elsewhere = await load_principal_for(await make_user(roles=("dispatcher",), houses=()))
    assert await queries.order_for_staff(elsewhere, placed.id) is None

    operator = await load_principal_for(await make_user(roles=("operator",), houses=(household["house"],)))
    resident = await load_principal_for(household["resident"])
    number = (await _place(resident, household["accounts"][1])).number
    account = await queries.place_by_number(operator, number)
    assert account is not None
    offered = await queries.offered_services(account, [shop["plumber"]])
    made = await actions.order_services(
        operator, account, [actions.Wanted(offered[shop["plumber"]], Decimal(1))], day=_visit_day(),
        slot="12:00–15:00", comment="", phone="", now=clock.now(), source="call_centre",
    )  # fmt: skip
    row = await Order.select(Order.source, Order.user, Order.created_by).where(Order.id == made.id).first()
    assert row == {"source": "call_centre", "user": None, "created_by": operator.user_id}


async def test_a_resident_reading_english_is_told_of_the_price_in_english_though_staff_read_russian(
    db, household, shop, make_user
):
    """The order's services in a message were a fixed «Ремонт смесителя +1», whoever read it: now they are worded
    in the recipient's language, not in the language of the staff member who named the price."""
    from portal.accounts.tables import User
    from portal.core.i18n import get_locale
    from portal.core.tables import OutboxMessage

    await User.update({User.locale: "en"}).where(User.id == household["resident"])
    dispatcher = await load_principal_for(await make_user(roles=("dispatcher",), houses=(household["house"],)))
    _, placed = await _order(household, shop, (shop["repair"], "1"), (shop["plumber"], "1"))
    # The dispatcher was asked for the price in Russian (a message of their own language).
    asked = await OutboxMessage.select().where(
        (OutboxMessage.user_id == dispatcher.user_id) & (OutboxMessage.channel == "email")
    )
    assert len(asked) == 1 and "Ремонт смесителя и ещё 1 услуга" in asked[0]["body"], asked
    assert get_locale() == "ru"  # the staff member acts in Russian
    order = await queries.order_for_staff(dispatcher, placed.id)
    await actions.quote(dispatcher, order, Decimal("3200"), "", clock.now())
    email = (
        await OutboxMessage.select()
        .where(
            (OutboxMessage.user_id == household["resident"])
            & (OutboxMessage.channel == "email")
            & (OutboxMessage.template == "catalog/quote_ready")
        )
        .first()
    )
    assert "(Ремонт смесителя and 1 more service)" in email["body"], email["body"]
    assert "ещё" not in email["body"] and "+1" not in email["body"]


async def test_a_document_staff_attach_without_a_title_is_named_in_russian_whatever_they_read(
    db, household, shop, make_user
):
    """The title the portal gives a document staff attach untitled is stored once and read by the resident: it is in
    the documents' language (Russian, as the certificates the portal makes), not the attaching staff member's."""
    from PIL import Image

    from portal.catalog.tables import OrderDocument
    from portal.core.i18n import in_locale

    _, placed = await _order(household, shop, (shop["repair"], "1"), (shop["plumber"], "1"))
    await Order.update({Order.status: "accepted"}).where(Order.id == placed.id)  # priced and paid
    dispatcher = await load_principal_for(await make_user(roles=("dispatcher",), houses=(household["house"],)))
    order = await queries.order_for_staff(dispatcher, placed.id)
    photo = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(photo, "JPEG")
    with in_locale("en"):
        await actions.attach_document(
            dispatcher, order, await actions.store_document(photo.getvalue()), "", clock.now()
        )
    stored = await OrderDocument.select(OrderDocument.title).where(OrderDocument.order == placed.id).first()
    assert stored["title"] == "Ремонт смесителя и ещё 1 услуга"


async def test_a_document_staff_attach_is_not_kept_when_the_order_refuses_it_or_saving_it_fails(
    db, household, shop, make_user, monkeypatch
):
    """The file of a document staff attach is stored before the order takes it: refused (the order cancelled or
    not paid) or failed on its way in, the file is removed, as it would stay behind of no order; taken, it stays."""
    from PIL import Image

    from portal.catalog.tables import OrderDocument

    _, placed = await _order(household, shop, (shop["repair"], "1"))
    dispatcher = await load_principal_for(await make_user(roles=("dispatcher",), houses=(household["house"],)))
    photo = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(photo, "JPEG")

    async def attach() -> tuple[bool, str]:
        order = await queries.order_for_staff(dispatcher, placed.id)
        stored = await actions.store_document(photo.getvalue())
        try:
            await actions.attach_document(dispatcher, order, stored, "Копия", clock.now())
        except (Refused, RuntimeError):
            return False, stored.key
        return True, stored.key

    for status in ("cancelled", "awaiting_payment"):
        await Order.update({Order.status: status}).where(Order.id == placed.id)
        taken, key = await attach()
        assert not taken and not storage.path_of(key).exists(), status

    await Order.update({Order.status: "accepted"}).where(Order.id == placed.id)

    async def fails(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the outbox is away")

    with monkeypatch.context() as patched:
        patched.setattr(actions, "_tell", fails)
        taken, key = await attach()
    assert not taken and not storage.path_of(key).exists()
    assert await OrderDocument.count().where(OrderDocument.order == placed.id) == 0

    taken, key = await attach()
    assert taken and storage.path_of(key).exists()
    assert await OrderDocument.count().where(OrderDocument.order == placed.id) == 1


async def test_the_staff_list_dates_are_whole_days_in_the_company_zone(db, household, shop, make_user):
    _, placed = await _order(household, shop, (shop["plumber"], "1"))
    # Local midnight of 1 March in Simferopol (UTC+3) is still 28 February in UTC.
    await Order.update({Order.created_at: datetime(2026, 2, 28, 21, 0, tzinfo=UTC)}).where(Order.id == placed.id)
    staff = await load_principal_for(await make_user(roles=("admin",)))

    async def listed(**dates: date) -> bool:
        page = await queries.staff_orders(staff, queries.StaffFilter(**dates), PageRequest(size=100))
        return placed.id in {row.id for row in page.items}

    assert await listed(date_from=date(2026, 3, 1), date_to=date(2026, 3, 1))
    assert await listed()
    assert not await listed(date_to=date(2026, 2, 28))
    assert not await listed(date_from=date(2026, 3, 2))


@pytest.mark.parametrize(
    ("language", "others", "words"),
    [
        ("ru", 0, "Мелкий ремонт"),
        ("ru", 1, "Мелкий ремонт и ещё 1 услуга"),
        ("ru", 3, "Мелкий ремонт и ещё 3 услуги"),
        ("ru", 5, "Мелкий ремонт и ещё 5 услуг"),
        ("ru", 21, "Мелкий ремонт и ещё 21 услуга"),
        ("en", 1, "Minor repairs and 1 more service"),
        ("en", 2, "Minor repairs and 2 more services"),
    ],
)
def test_an_orders_services_in_one_line_take_the_plural_of_the_language(language: str, others: int, words: str):
    from portal.catalog.texts import summary_label
    from portal.core.i18n import in_locale

    first = "Мелкий ремонт" if language == "ru" else "Minor repairs"
    with in_locale(language):
        assert summary_label(first, others) == words


@pytest.mark.parametrize(("language", "area"), [("ru", "54,35 м²"), ("en", "54.35 m²")])
def test_a_certificate_gives_the_area_in_the_readers_language(language: str, area: str):
    from portal.billing.queries import AccountInfo
    from portal.catalog import pdf
    from portal.core.i18n import get_locale
    from portal.core.i18n import set_locale

    account = AccountInfo(
        house_address="г. Симферополь, ул. Тестовая, д. 1", premise_kind="flat", premise_number="1", id=1,
        number="9100000001", payer_name="Иванов И. И.", house_id=1, entrance=None, area=Decimal("54.35"),
        closed_on=None,
    )  # fmt: skip
    before = get_locale()
    set_locale(language)
    try:
        content = pdf.no_debt_pdf(account, None, Decimal(0), on=date(2026, 12, 1), number=1, issued=clock.now())
    finally:
        set_locale(before)
    text = _plain("".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages))
    assert _plain(area) in text, text
    assert text_off_the_page(content) == []


async def test_cancelling_a_paid_order_audits_its_refund_with_the_address_it_came_from(db, household, shop, gateway):
    resident, order = await _paid_order(household, shop, gateway)
    cancelled = actions.cancel(resident, order, by_staff=False, reason="", now=clock.now(), ip="198.51.100.7")
    assert await gateway.exclusive(cancelled) == "refunded"
    events = await AuditEvent.select(AuditEvent.action, AuditEvent.ip).where(AuditEvent.entity == "payment")
    assert sorted((e["action"], e["ip"]) for e in events) == [
        ("payment.refund", "198.51.100.7"),
        ("payment.refund_asked", "198.51.100.7"),
    ]


async def test_every_cancelled_order_has_its_refund_asked_in_turn_however_many_keep_failing(
    db, household, shop, gateway
):
    """The refund job takes a bounded number of cancelled orders a run. They were taken by order, the same first ones
    every run: while their refunds kept failing, the orders past that number were never asked for again. A run now
    takes those whose refund was asked least recently, marked before the payment service is asked."""
    await PaidService.update({PaidService.slots_per_day: 3}).where(PaidService.id == shop["plumber"])
    orders = [(await _paid_order(household, shop, gateway))[1] for _ in range(3)]
    gateway.faults(fail_next=1000, fail_mode="before")  # the service answers nothing: every refund stays pending
    resident = await load_principal_for(household["resident"])
    for order in orders:
        assert await gateway.exclusive(actions.cancel(resident, order, by_staff=False, reason="", now=clock.now()))

    async def asked() -> list[Any]:
        found = []
        for order in orders:
            payment = await Payment.select(Payment.id).where(Payment.reference == order.reference).first()
            refund = await Refund.select(Refund.asked_at).where(Refund.payment == payment["id"])
            assert len(refund) == 1
            found.append(refund[0]["asked_at"])
        return found

    *_, third = await asked()  # when each was cancelled
    assert await gateway.exclusive(actions.retry_refunds(limit=2)) == 0
    run = await asked()
    assert run[0] > third and run[1] == run[0] and run[2] == third  # the first two
    assert await gateway.exclusive(actions.retry_refunds(limit=2)) == 0
    again = await asked()
    assert again[2] > run[1] and again[0] == again[2] and again[1] == run[1]  # the last, then the first


async def test_the_orders_to_refund_and_their_refunds_are_read_by_indexes(db):
    """Every ten minutes: the cancelled orders awaiting their money, each one's last asked refund looked up by the
    payment's reference and the refund's payment, not by reading every payment or refund ever made."""
    with captured(db) as seen:
        await queries.orders_to_refund(50)
    assert len(seen) == 1
    plan = await plan_of(db, seen[0], forbid_seqscan=True)
    for table in ("service_order", "payment", "refund"):
        assert unindexed_steps(plan, table, sqlite=is_sqlite(db)) == [], plan
    if is_sqlite(db):  # PostgreSQL picks by its statistics (on a few test rows, the purpose's index)
        assert "payment_reference" in plan and "refund_payment" in plan, plan
