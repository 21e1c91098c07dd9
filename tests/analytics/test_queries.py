"""The dashboard's aggregates on both engines, each figure checked against a direct count of the rows made here;
the houses outside a manager's scope are never counted."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from portal.analytics import aggregates
from portal.analytics import queries
from portal.analytics import rules
from portal.billing.tables import Balance
from portal.core.security import Principal
from portal.tickets.tables import Ticket

TZ = ZoneInfo("Europe/Simferopol")
DEC, JAN, FEB, MAR = date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


async def balance(account: int, period: date, *, charged: int, paid: int, closing: int, other: int = 0) -> None:
    await Balance(
        account=account,
        period=period,
        opening_kopecks=0,
        charged_kopecks=charged,
        paid_kopecks=paid,
        other_kopecks=other,
        closing_kopecks=closing,
    ).save()


NUMBER = {"n": 900000}


async def ticket(house: int, created: datetime, **fields: Any) -> None:
    NUMBER["n"] += 1
    await Ticket(number=NUMBER["n"], house=house, created_at=created, **fields).save()


async def make_world(make_account: Any) -> dict[str, Any]:
    a = await make_account(area="50.00")
    b = await make_account(house=a.house, area="30.00")
    other = await make_account(area="99.00")  # another house, outside the manager's scope
    for account, rows in (
        (a.account, [(JAN, 100000, 90000, 10000), (FEB, 100000, 120000, -10000), (MAR, 100000, 50000, 40000)]),
        (b.account, [(JAN, 50000, 0, 50000), (FEB, 50000, 30000, 70000), (MAR, 50000, 100000, 20000)]),
        (other.account, [(JAN, 777700, 0, 777700), (FEB, 777700, 0, 1555400), (MAR, 777700, 0, 2333100)]),
    ):
        for period, charged, paid, closing in rows:
            await balance(account, period, charged=charged, paid=paid, closing=closing)
    house = a.house
    # January: three received; two completed in January (one late, one on time rated 5), one completed in February.
    await ticket(house, at(date(2026, 1, 5)), status="closed", completed_at=at(date(2026, 1, 6)),
                 deadline=at(date(2026, 1, 7)), rating=5)  # fmt: skip
    await ticket(house, at(date(2026, 1, 10)), status="done", completed_at=at(date(2026, 1, 20)),
                 deadline=at(date(2026, 1, 12)), rating=2)  # fmt: skip
    await ticket(house, at(date(2026, 1, 31), 23), status="closed", completed_at=at(date(2026, 2, 2)), rating=4)
    # February: one cancelled (received, never closed), one still open past its deadline.
    await ticket(house, at(date(2026, 2, 1), 0), status="cancelled", completed_at=None)
    await ticket(house, at(date(2026, 2, 3)), status="in_work", deadline=at(date(2026, 2, 4)))
    # March: one open within its deadline; and one from before the period, completed in March without a rating.
    await ticket(house, at(date(2026, 3, 3)), status="new", deadline=at(date(2026, 3, 3)) + timedelta(days=300))
    await ticket(house, at(date(2025, 12, 20)), status="closed", completed_at=at(date(2026, 3, 1), 0),
                 deadline=at(date(2026, 3, 10)))  # fmt: skip
    # The other house's requests are never counted for the manager.
    for n in range(3):
        await ticket(other.house, at(date(2026, 1, 10 + n)), status="closed", completed_at=at(date(2026, 1, 20)),
                     rating=1)  # fmt: skip
    for period in (DEC, JAN, FEB, MAR):
        await aggregates.refresh(period)
    return {"a": a, "b": b, "other": other}


async def test_money_by_month_sums_the_balances_of_the_scope(db: Any, make_account: Any) -> None:
    world = await make_world(make_account)
    manager = Principal(user_id=1, staff_roles=frozenset({"manager"}), house_ids=frozenset({world["a"].house}))
    found = await queries.scope(manager)
    assert found.ids == [world["a"].house]
    months = await queries.money_by_month(found.ids, [JAN, FEB, MAR])
    assert [m.charged for m in months] == [Decimal("1500.00")] * 3
    assert [m.paid for m in months] == [Decimal("900.00"), Decimal("1500.00"), Decimal("1500.00")]
    # Receivables are the positive balances only (an overpayment does not lower another account's debt).
    assert [m.debt for m in months] == [Decimal("600.00"), Decimal("700.00"), Decimal("600.00")]
    assert months[0].area == Decimal("80.00")
    assert months[0].debt_per_m2 == Decimal("7.50")
    assert months[0].collection == Decimal("60.0")
    # Direct counts of the same rows.
    rows = await Balance.select().where(Balance.account.is_in([world["a"].account, world["b"].account]))
    assert sum(r["paid_kopecks"] for r in rows) == sum(m.paid for m in months) * 100
    assert sum(max(r["closing_kopecks"], 0) for r in rows) == sum(m.debt for m in months) * 100


async def test_tickets_by_month_count_received_closed_on_time_and_ratings(db: Any, make_account: Any) -> None:
    world = await make_world(make_account)
    house = world["a"].house
    months = await queries.tickets_by_month([house], [JAN, FEB, MAR])
    jan, feb, mar = months
    assert (jan.received, jan.closed, jan.on_time, jan.rated, jan.rating_sum) == (3, 2, 1, 2, 7)
    assert (feb.received, feb.closed, feb.on_time, feb.rated, feb.rating_sum) == (2, 1, 1, 1, 4)
    assert (mar.received, mar.closed, mar.on_time, mar.rated) == (1, 1, 1, 0)
    assert jan.on_time_share == Decimal("50.0") and jan.csi == Decimal("3.50") and jan.csat == Decimal("50")
    assert mar.csi is None
    # Direct counts: every request of the house created in the months, every one completed in them.
    start, end = queries.month_bounds([JAN])[0][0], queries.month_bounds([MAR])[0][1]
    created = await Ticket.count().where(
        (Ticket.house == house) & (Ticket.created_at >= start) & (Ticket.created_at < end)
    )
    completed = await Ticket.count().where(
        (Ticket.house == house)
        & Ticket.status.is_in(["done", "closed"])
        & (Ticket.completed_at >= start)
        & (Ticket.completed_at < end)
    )
    assert created == sum(t.received for t in months)
    assert completed == sum(t.closed for t in months)


async def test_the_dashboard_keeps_to_the_scope_and_compares_with_the_month_before(db: Any, make_account: Any) -> None:
    world = await make_world(make_account)
    house, other = world["a"].house, world["other"].house
    manager = Principal(user_id=1, staff_roles=frozenset({"manager"}), house_ids=frozenset({house}))
    now = at(date(2026, 3, 20))
    board = await queries.dashboard(await queries.scope(manager), rules.Period(FEB, MAR), now)
    assert board.money_before is not None and board.money_before.debt == Decimal("600.00")
    assert [t for _, t in board.debt_trend()] == [Decimal("116.7"), Decimal("85.7")]
    assert board.paid == Decimal("3000.00") and board.collection == Decimal("100.0")
    assert (board.requests.received, board.requests.closed, board.requests.on_time) == (3, 2, 2)
    assert board.overdue_now == 1
    assert board.requests.csi == Decimal("4.00")
    # The manager of the other house asks for this one: nothing to count.
    stranger = Principal(user_id=2, staff_roles=frozenset({"manager"}), house_ids=frozenset({other}))
    assert (await queries.scope(stranger, house_id=house)).ids == []
    assert (await queries.scope(stranger, complex_id=None)).ids == [other]
    # An admin sees every house; narrowed to one house, only that one.
    admin = Principal(user_id=3, staff_roles=frozenset({"admin"}), house_ids=None)
    company = await queries.scope(admin)
    assert company.every_house and not company.empty
    whole = await queries.dashboard(company, rules.Period(JAN, JAN), now)  # the company's total rows
    assert whole.money[0].debt == Decimal("8377.00") and whole.requests.closed == 5 and whole.requests.received == 6
    assert sum(r.received for r in whole.by_category) == 6
    assert (await queries.scope(admin, house_id=other)).ids == [other]
    everything = await queries.dashboard(await queries.scope(admin, house_id=other), rules.Period(JAN, JAN), now)
    assert (
        everything.money[0].debt == Decimal("7777.00")
        and everything.requests.closed == 3
        and everything.requests.csi == Decimal("1.00")
    )


async def test_a_complex_narrows_the_scope_to_its_houses(db: Any, make_account: Any) -> None:
    from portal.housing.tables import House

    world = await make_world(make_account)
    complex_of_a = (await House.select(House.complex).where(House.id == world["a"].house).first())["complex"]
    admin = Principal(user_id=3, staff_roles=frozenset({"admin"}), house_ids=None)
    assert (await queries.scope(admin, complex_id=complex_of_a)).ids == [world["a"].house]
    manager = Principal(user_id=1, staff_roles=frozenset({"manager"}), house_ids=frozenset({world["other"].house}))
    assert (await queries.scope(manager, complex_id=complex_of_a)).ids == []


async def test_requests_by_category_and_by_executor(db: Any, make_account: Any, make_user: Any) -> None:
    place = await make_account()
    worker = await make_user(name="Слесарь Петров", roles=("executor",))
    await ticket(place.house, at(date(2026, 1, 5)), status="closed", category="roof_leak", executor=worker,
                 completed_at=at(date(2026, 1, 6)), deadline=at(date(2026, 1, 7)), rating=4)  # fmt: skip
    await ticket(place.house, at(date(2026, 1, 8)), status="new", category="roof_leak")
    await ticket(place.house, at(date(2026, 2, 8)), status="done", category="lift_fault", executor=worker,
                 completed_at=at(date(2026, 2, 20)), deadline=at(date(2026, 2, 10)))  # fmt: skip
    await ticket(place.house, at(date(2025, 12, 8)), status="new", category="other")  # before the period
    for period in (DEC, JAN, FEB):
        await aggregates.refresh(period)
    admin = Principal(user_id=3, staff_roles=frozenset({"admin"}), house_ids=None)
    found = await queries.scope(admin, house_id=place.house)
    categories = {r.key: r for r in await queries.breakdown("category", found, [JAN, FEB])}
    assert set(categories) == {"roof_leak", "lift_fault"}
    roof = categories["roof_leak"]
    assert (roof.received, roof.closed, roof.on_time, roof.rated, roof.csi) == (2, 1, 1, 1, Decimal("4.00"))
    assert roof.label != "roof_leak"  # the category's words, not its code
    executors = {r.key: r for r in await queries.breakdown("executor", found, [JAN, FEB])}
    assert executors[worker].label == "Слесарь Петров"
    assert (executors[worker].received, executors[worker].closed, executors[worker].on_time) == (2, 2, 1)
    assert executors[None].received == 1
    assert await queries.breakdown("status; DROP", found, [JAN]) == []


async def test_payments_by_channel_and_the_portal_uptake_refreshed_twice_the_same(
    db: Any, make_account: Any, make_user: Any
) -> None:
    from portal.accounts.tables import Residency
    from portal.billing.tables import LedgerEntry
    from portal.payments.tables import Payment

    world = await make_world(make_account)
    a, b, house = world["a"].account, world["b"].account, world["a"].house
    for n, (kind, method, status, amount) in enumerate(
        [("checkout", "card", "succeeded", 10000), ("checkout", "sbp", "succeeded", 20000),
         ("checkout", "sbp", "succeeded", 5000), ("autopay", "card", "succeeded", 30000),
         ("checkout", "card", "failed", 99900)]  # a failed payment counts nowhere
    ):  # fmt: skip
        uid = f"channel-test-{n}"
        await Payment(uid=uid, batch=uid, kind=kind, account=a, amount_kopecks=amount, status=status, method=method,
                      idempotency_key=uid, paid_at=at(date(2026, 2, 10 + n))).save()  # fmt: skip
    for n, reference in enumerate(["bank-registry:1", "payment:channel-test-0", None]):
        await LedgerEntry(account=b, occurred_at=at(date(2026, 2, 5)), period=FEB, kind="payment",
                          amount_kopecks=-7000 * (n + 1), reference=reference).save()  # fmt: skip
    owner = await make_user(accounts={a: "owner"})
    await Residency.update({Residency.created_at: at(date(2026, 2, 15))}).where(Residency.user == owner)
    await make_user(accounts={b: "tenant"})  # a tenant is not an owner connected
    manager = Principal(user_id=1, staff_roles=frozenset({"manager"}), house_ids=frozenset({house}))
    found = await queries.scope(manager)
    first = await aggregates.refresh(FEB)
    again = await aggregates.refresh(FEB)
    assert first == again == 2  # the two houses with balances in February
    (feb,) = await queries.month_figures(found, [FEB])
    assert feb.channels.counts == {"card": 1, "sbp": 2, "autopay": 1, "other": 2}
    assert feb.channels.sums == {
        "card": Decimal("100.00"), "sbp": Decimal("250.00"), "autopay": Decimal("300.00"), "other": Decimal("280.00")
    }  # fmt: skip
    assert feb.uptake.paid == Decimal("650.00") and feb.uptake.requests == 2  # filed through the portal (the default)
    assert feb.uptake.accounts == 2 and feb.tickets.received == 2
    assert feb.uptake.connected == 1 and feb.uptake.connected_share == Decimal("50.0")
    (jan,) = await queries.month_figures(found, [JAN])
    assert jan.uptake.connected == 0 and jan.channels.count == 0


async def test_receivables_per_m2_are_per_m2_of_floor_area_with_every_premise_s_debt(
    db: Any, make_account: Any
) -> None:
    """Per m² divided by the area of every premise, parking spaces and storage rooms too: a house with a garage
    read its debt lower than it is. The area is now the flats' and non-residential premises'; the debt of a parking
    space or storage room stays in the receivables. Checked against the sums of the rows in SQL."""
    from portal.billing import queries as billing
    from portal.housing.tables import Premise

    flat = await make_account(kind="flat", area="50.00")
    office = await make_account(house=flat.house, kind="nonresidential", area="30.00")
    parking = await make_account(house=flat.house, kind="parking", area="15.50")
    storage = await make_account(house=flat.house, kind="storage", area="4.50")
    for place, closing in ((flat, 400_00), (office, -50_00), (parking, 200_00), (storage, 50_00)):
        await balance(place.account, JAN, charged=100_00, paid=0, closing=closing)
    area = await Premise.raw(
        "SELECT SUM(area) AS area FROM premise WHERE house = {} AND kind IN ('flat', 'nonresidential')", flat.house
    )
    debt = await Balance.raw(
        "SELECT SUM(b.closing_kopecks) AS debt FROM balance b JOIN personal_account a ON a.id = b.account "
        "JOIN premise p ON p.id = a.premise WHERE p.house = {} AND b.period = {} AND b.closing_kopecks > 0",
        flat.house,
        JAN,
    )
    floor, owed = Decimal(str(area[0]["area"])).quantize(Decimal("0.01")), Decimal(debt[0]["debt"]) / 100
    assert (floor, owed) == (Decimal("80.00"), Decimal("650.00"))
    (month,) = await queries.money_by_month([flat.house], [JAN])
    assert (month.area, month.debt, month.debt_per_m2) == (floor, owed, Decimal("8.13"))  # 650 / 80, not 650 / 100
    await aggregates.refresh(JAN)  # the dashboard reads the monthly aggregates
    found = await queries.scope(Principal(user_id=1, staff_roles=frozenset({"manager"}), house_ids={flat.house}))
    (counted,) = await queries.month_figures(found, [JAN])
    assert (counted.money.area, counted.money.debt, counted.money.debt_per_m2) == (floor, owed, Decimal("8.13"))
    admin = Principal(user_id=1, name="Админ", staff_roles=frozenset({"admin"}), house_ids=None)
    (house,) = [t for t in await billing.house_totals(JAN, admin) if t.house_id == flat.house]
    assert (house.area, house.debt, house.debt_per_m2) == (floor, owed, Decimal("8.13"))


async def test_a_request_is_counted_overdue_after_the_minute_of_its_deadline_as_the_staff_list_shows_it(
    db: Any, make_account: Any
) -> None:
    """In the minute of its deadline a request reads «Срок — сейчас» in the staff list, not overdue: the
    dashboard's count of overdue requests counts it from the same moment as the list's overdue tab."""
    from portal.tickets.queries import tab_counts

    house = (await make_account()).house
    deadline = at(date(2026, 3, 10))
    await ticket(house, deadline - timedelta(days=1), status="in_work", deadline=deadline)
    admin = Principal(user_id=1, staff_roles=frozenset({"admin"}), house_ids=None)
    for now, counted in ((deadline, 0), (deadline + timedelta(seconds=59), 0), (deadline + timedelta(minutes=1), 1)):
        assert await queries.overdue_now([house], now) == counted
        assert await queries.overdue_now(None, now) == counted
        assert (await tab_counts(admin, now))["overdue"] == counted


async def test_an_account_without_a_balance_in_the_month_keeps_its_debt_in_the_receivables(
    db: Any, make_account: Any
) -> None:
    """An account closed in January (no charge, no balance row in February) still owes its January debt at the end
    of February: the receivables counted only the month's rows and lost it."""
    closed = await make_account(area="50.00")
    open_ = await make_account(house=closed.house, area="30.00")
    await balance(closed.account, JAN, charged=100_00, paid=0, closing=400_00)
    await balance(open_.account, JAN, charged=100_00, paid=0, closing=100_00)
    await balance(open_.account, FEB, charged=100_00, paid=50_00, closing=150_00)
    await balance(closed.account, MAR, charged=0, paid=400_00, closing=0)  # paid off in March; the other owes on
    for period in (JAN, FEB, MAR):
        await aggregates.refresh(period)
    found = await queries.scope(Principal(user_id=1, staff_roles=frozenset({"manager"}), house_ids={closed.house}))
    counted = await queries.month_figures(found, [JAN, FEB, MAR])
    assert [m.money.debt for m in counted] == [Decimal("500.00"), Decimal("550.00"), Decimal("150.00")]
    assert [m.money.accounts for m in counted] == [2, 1, 1]  # the accounts billed in the month
    measured = await queries.money_by_month([closed.house], [JAN, FEB, MAR])  # the KPI's receivables per m²
    assert [m.debt for m in measured] == [Decimal("500.00"), Decimal("550.00"), Decimal("150.00")]


async def test_a_refund_is_taken_from_the_payments_collected_not_added_to_the_charges(
    db: Any, make_account: Any
) -> None:
    from portal.billing import ledger
    from portal.billing.tables import EntryKind

    place = await make_account(area="50.00")
    await ledger.post_entry(place.account, EntryKind.CHARGE, 1500_00, at(date(2026, 2, 1)))
    await ledger.post_entry(place.account, EntryKind.CORRECTION, -100_00, at(date(2026, 2, 2)))
    await ledger.post_entry(place.account, EntryKind.PENALTY, 7_00, at(date(2026, 2, 3)))
    await ledger.post_payment(place.account, Decimal("1000.00"), "payment:refund-test", at(date(2026, 2, 10)))
    await ledger.post_refund(place.account, Decimal("300.00"), "refund:refund-test", at(date(2026, 2, 20)))
    await aggregates.refresh(FEB)
    found = await queries.scope(Principal(user_id=1, staff_roles=frozenset({"manager"}), house_ids={place.house}))
    (feb,) = await queries.month_figures(found, [FEB])
    # Charged: the services alone, as the receipt (the correction apart, penalties apart); paid: 1000 less the 300
    # given back; owed: all of it.
    assert (feb.money.charged, feb.money.corrections, feb.money.paid, feb.money.debt) == (
        Decimal("1500.00"), Decimal("-100.00"), Decimal("700.00"), Decimal("707.00")
    )  # fmt: skip
    assert feb.money.collection == Decimal("46.7")  # paid ÷ charged for the services
    # The KPI's reading of the balances counts the month alike.
    (measured,) = await queries.money_by_month([place.house], [FEB])
    assert (measured.charged, measured.corrections, measured.paid) == (
        Decimal("1500.00"), Decimal("-100.00"), Decimal("700.00")
    )  # fmt: skip


def test_the_csat_of_the_dashboard_is_to_a_tenth() -> None:
    month = queries.MonthTickets(period=JAN, received=13, closed=13, on_time=13, rated=13, rating_sum=53, satisfied=10)
    assert month.csat == Decimal("76.9")


async def test_a_month_counted_before_a_request_was_reopened_or_rated_is_counted_again_each_night(
    db: Any, make_account: Any
) -> None:
    """October counted while it was the month before; in December a request done in October is reopened (its
    completion and rating cleared) and another one rated: the hourly job counts only November and December again,
    so October kept the old figures. The nightly run counts every month the dashboard offers."""
    place = await make_account()
    house = place.house
    oct_, nov, dec = date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 2)
    await ticket(house, at(date(2026, 10, 2)), status="done", completed_at=at(date(2026, 10, 8)), rating=5)
    await ticket(house, at(date(2026, 10, 3)), status="closed", completed_at=at(date(2026, 10, 31), 23))
    await aggregates.refresh(oct_)
    reopened, rated = (await Ticket.select(Ticket.id).where(Ticket.house == house).order_by(Ticket.id))[:2]
    await Ticket.update({Ticket.status: "reopened", Ticket.completed_at: None, Ticket.rating: None}).where(
        Ticket.id == reopened["id"]
    )
    await Ticket.update({Ticket.rating: 1}).where(Ticket.id == rated["id"])
    found = await queries.scope(Principal(user_id=1, staff_roles=frozenset({"manager"}), house_ids={house}))
    assert await aggregates.refresh_due(dec) == [nov, date(2026, 12, 1)]
    (stale,) = await queries.month_figures(found, [oct_])
    assert (stale.tickets.closed, stale.tickets.rated, stale.tickets.rating_sum) == (2, 1, 5)
    assert oct_ in await aggregates.refresh_due(dec, every=True)
    (october,) = await queries.month_figures(found, [oct_])
    assert (october.tickets.received, october.tickets.closed, october.tickets.rated) == (2, 1, 1)
    assert october.tickets.rating_sum == 1
