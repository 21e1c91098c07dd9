"""An order's request is linked on the staff pages of orders only for a viewer who may open it (the staff scope
of requests: an accountant answers instalment plans alone, an executor their own requests); anyone else reads its
number as text, not a link that answers 404. Both engines."""

from __future__ import annotations

from portal.catalog.tables import Order
from portal.core.security import Principal
from portal.tickets import queries as ticket_queries
from portal.tickets.tables import Ticket
from tests.catalog.test_routes import _place_plumber


async def _paid_with_request(client, login, household, shop, gateway) -> tuple[int, int, int]:
    """The household's resident orders the plumber and pays: the order's id, its request's id and number."""
    placed = await _place_plumber(client, login, household, shop)
    order = await Order.select(Order.id).first()
    hosted = await gateway.pay(placed.headers["location"], "4242 4242 4242 4242")
    assert hosted.status_code == 303
    await gateway.settle()
    row = await Order.select(Order.id, Order.ticket, Order.ticket.number).where(Order.id == order["id"]).first()
    assert row["ticket"], "a paid order has its request"
    return row["id"], row["ticket"], row["ticket.number"]


async def _pages(viewer, order_id: int) -> list[str]:
    return [(await viewer.get(p)).text.split("<main", 1)[1] for p in ("/staff/orders", f"/staff/orders/{order_id}")]


async def test_the_accountant_reads_the_number_of_a_request_they_cannot_open_and_the_dispatcher_a_link(
    client, new_client, login, household, shop, gateway, make_user
):
    order_id, ticket_id, number = await _paid_with_request(client, login, household, shop, gateway)
    link = f'href="/staff/tickets/{ticket_id}"'
    accountant, dispatcher = new_client(), new_client()
    await login(accountant, await make_user(roles=("accountant",), houses=(household["house"],)))
    await login(dispatcher, await make_user(roles=("dispatcher",), houses=(household["house"],)))
    assert (await accountant.get(f"/staff/tickets/{ticket_id}")).status_code == 404  # the link would lead here

    listed, page = await _pages(accountant, order_id)
    assert link not in listed and link not in page
    assert f"заявка №\u00a0{number}" in listed or f"заявка № {number}" in listed
    assert f"№\u00a0{number}</dd>" in page

    listed, page = await _pages(dispatcher, order_id)
    assert link in listed and link in page

    # A request the accountant answers (an instalment plan) is linked for them too: the rule, not the role.
    await Ticket.update({Ticket.category: "instalment_plan"}).where(Ticket.id == ticket_id)
    assert (await accountant.get(f"/staff/tickets/{ticket_id}")).status_code == 200
    listed, page = await _pages(accountant, order_id)
    assert link in listed and link in page


async def test_an_executor_may_open_only_their_own_requests_of_the_ids_asked(
    client, login, household, shop, gateway, make_user
):
    """Executors do not see the orders' pages; the helper those pages use answers them as the request's page."""
    _, ticket_id, _ = await _paid_with_request(client, login, household, shop, gateway)
    mine = await make_user(roles=("executor",), houses=(household["house"],))
    other = await make_user(roles=("executor",), houses=(household["house"],))
    await Ticket.update({Ticket.executor: mine}).where(Ticket.id == ticket_id)
    house = frozenset({household["house"]})
    as_mine = Principal(user_id=mine, staff_roles=frozenset({"executor"}), house_ids=house)
    as_other = Principal(user_id=other, staff_roles=frozenset({"executor"}), house_ids=house)
    admin = Principal(user_id=other, staff_roles=frozenset({"admin"}), house_ids=None)
    assert await ticket_queries.openable_for_staff(as_mine, [ticket_id, ticket_id + 999]) == {ticket_id}
    assert await ticket_queries.openable_for_staff(as_other, [ticket_id]) == frozenset()
    assert await ticket_queries.openable_for_staff(admin, [ticket_id]) == {ticket_id}
    assert await ticket_queries.openable_for_staff(admin, []) == frozenset()
