"""The mystery resident through the pages, on both engines: the invitation on the home page, its acceptance, the
month's check (its mistakes said with what was typed kept, its low grades filed, a second send refused), another
person's checker as missing; the staff's scorecard (averages, remarks with their requests, names for admins only)."""

from __future__ import annotations

import re

from portal.mystery.tables import MysteryChecker
from portal.mystery.tables import MysteryReport
from portal.tickets.tables import Ticket
from tests.mystery.conftest import graded


async def test_a_resident_accepts_the_invitation_and_sends_the_months_check(client, login, house):
    await login(client, house.checker_user)
    home = (await client.get("/")).text
    assert "Тайный житель" in home and 'href="/mystery"' in home
    page = (await client.get("/mystery")).text
    assert "не показываются сотрудникам дома" in page  # the consent says the name is not shown to the house's staff
    assert (await client.form(f"/mystery/{house.checker}/accept")).status_code == 303
    page = (await client.get("/mystery")).text
    assert f'id="check-{house.checker}"' in page and "Проверка дома за" in page

    form = graded({"lift": (1, "")})  # a low grade with no words
    del form["grade_playground"]  # and a point not graded
    form["comment_garbage"] = "Всё хорошо, но редко"
    answer = await client.form(f"/mystery/{house.checker}", form, files=[("photos", ("", b"", "image/jpeg"))])
    assert answer.status_code == 422
    assert 'id="e-comment_lift"' in answer.text and 'id="e-grade_playground"' in answer.text
    assert "Всё хорошо, но редко" in answer.text  # what was typed is kept
    assert re.search(r'name="grade_lift" value="1"[^>]*checked', answer.text)  # the grades too

    sent = await client.form(
        f"/mystery/{house.checker}", graded({"lift": (1, "Лифт стоит")}), files=[("photos", ("", b"", "image/jpeg"))]
    )
    assert sent.status_code == 303, sent.text[-600:]
    assert await Ticket.count().where((Ticket.house == house.id) & (Ticket.source == "mystery")) == 1
    again = await client.form(
        f"/mystery/{house.checker}", graded({"lift": (1, "Лифт стоит")}), files=[("photos", ("", b"", "image/jpeg"))]
    )
    assert again.status_code == 303  # refused: back to the page, told it is sent
    assert await MysteryReport.count() == 1
    assert await Ticket.count().where(Ticket.house == house.id) == 1
    page = (await client.get("/mystery")).text
    assert f'id="check-{house.checker}"' not in page and "Отправлено" in page
    assert "Тайный житель" not in (await client.get("/")).text  # nothing owed: no prompt on the home page


async def test_another_persons_checker_is_missing(client, login, house):
    await login(client, house.stranger)
    for path in ("accept", "decline", "stop"):
        assert (await client.form(f"/mystery/{house.checker}/{path}")).status_code == 404
    assert (await client.form(f"/mystery/{house.checker}", graded())).status_code == 404
    row = await MysteryChecker.select(MysteryChecker.status).where(MysteryChecker.id == house.checker).first()
    assert row["status"] == "invited"
    assert "Тайный житель" not in (await client.get("/")).text


async def test_the_manager_sees_the_scorecard_without_names_and_the_admin_with(
    client, new_client, login, make_user, house
):
    await login(client, house.checker_user)
    await client.form(f"/mystery/{house.checker}/accept")
    await client.form(f"/mystery/{house.checker}", graded({"garbage": (2, "Мусор не вывезли")}, mark=5))
    manager = new_client()
    await login(manager, house.manager)
    page = (await manager.get("/staff/mystery")).text
    assert "4,6" in page  # (7 × 5 + 2) / 8 = 4.625 → 4,6
    assert "Мусор не вывезли" in page and "№ 701" in page and "/staff/tickets/" in page
    assert "Анна Проверяющая" not in page
    # another house is none of the manager's: the scorecard stays on theirs
    other = (await manager.get(f"/staff/mystery?house={house.other_house}")).text
    assert "Мусор не вывезли" in other
    admin = new_client()
    await login(admin, await make_user(roles=("admin",)))
    page = (await admin.get(f"/staff/mystery?house={house.id}")).text
    assert "Анна Проверяющая" in page


async def test_the_manager_invites_a_resident_of_the_house(client, login, make_account, make_user, house):
    flat = await make_account(house=house.id)
    neighbour = await make_user(name="Пётр Соседов", accounts={flat.account: "owner"})
    await login(client, house.manager)
    page = (await client.get("/staff/mystery")).text
    assert "Пётр Соседов" in page  # offered in the list of the house's residents
    answer = await client.form("/staff/mystery/invite", {"house": house.id, "resident": neighbour})
    assert answer.status_code == 303
    assert await MysteryChecker.exists().where(
        (MysteryChecker.user == neighbour) & (MysteryChecker.status == "invited")
    )
    wrong = await client.form("/staff/mystery/invite", {"house": house.id, "resident": house.stranger})
    assert wrong.status_code == 303  # refused: not a resident of the house
    assert not await MysteryChecker.exists().where(MysteryChecker.user == house.stranger)


async def test_the_manager_takes_a_checker_off_the_checks_from_the_page(client, login, make_user, house):
    await login(client, house.manager)
    page = (await client.get("/staff/mystery")).text
    assert f'action="/staff/mystery/{house.checker}/withdraw"' in page and "Снять с проверок" in page
    assert "Анна Проверяющая" not in page and "Проверяющий 1" in page  # the manager sees no names
    answer = await client.form(f"/staff/mystery/{house.checker}/withdraw")
    assert answer.status_code == 303 and answer.headers["location"] == f"/staff/mystery?house={house.id}"
    row = await MysteryChecker.select(MysteryChecker.status).where(MysteryChecker.id == house.checker).first()
    assert row["status"] == "stopped"
    after = (await client.get(answer.headers["location"])).text
    assert f"/staff/mystery/{house.checker}/withdraw" not in after and "Житель снят с проверок" in after
    # a manager of another house: as missing
    await login(client, await make_user(roles=("manager",), houses=(house.other_house,)))
    assert (await client.form(f"/staff/mystery/{house.checker}/withdraw")).status_code == 404


def _checkers_card(page: str) -> str:
    """The text of the card «Кто проверяет дом», tags dropped and spaces joined."""
    card = page[page.index('id="checkers-h"') : page.index("</section>", page.index('id="checkers-h"'))]
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", card)).strip()  # no-break spaces kept


async def test_the_checkers_card_says_nobody_checks_yet_and_counts_with_the_plural(
    client, login, make_account, make_user, house
):
    """With no active checker the card says nobody checks the house (not «0 тайных жителей проверяют дом», nor
    that every checker sent the check) and offers the invitation; then counts with the plural of the number."""
    from portal.core import clock

    await login(client, house.manager)
    card = _checkers_card((await client.get("/staff/mystery")).text)  # one invitation, no active checker
    assert "Дом пока никто не проверяет. 1\u00a0приглашение ждёт ответа." in card, card
    assert "0 " not in card and "прислал" not in card and "проверяет дом." not in card
    assert (
        'href="#f-resident"' in (await client.get("/staff/mystery")).text and "Пригласить жителя проверять дом" in card
    )
    await client.form(f"/staff/mystery/{house.checker}/withdraw")
    card = _checkers_card((await client.get("/staff/mystery")).text)  # nobody at all
    assert (
        "Дом пока никто не проверяет." in card and "приглашен" not in card and "Пригласить жителя проверять дом" in card
    )

    this = clock.today_local().replace(day=1)
    ids = []
    for n, name in enumerate(("Первый", "Второй", "Третий"), start=2):
        flat = await make_account(house=house.id)
        user = await make_user(name=name, accounts={flat.account: "owner"})
        row = MysteryChecker(
            house=house.id, user=user, status="active", seat=f"{house.id}:{n}", live=f"{house.id}:{user}",
            invited_by=house.manager, invited_at=clock.now(),
        )  # fmt: skip
        await row.save()
        ids.append(row.id)
    card = _checkers_card((await client.get("/staff/mystery")).text)
    assert (
        "3\u00a0тайных жителя проверяют дом." in card and "3\u00a0тайных жителя ещё не прислали проверку за" in card
    ), card
    assert "никто" not in card and "приглашен" not in card and "Пригласить жителя проверять дом" not in card
    assert "Проверяющий 2 — Проверяет" in card and "Проверок" not in card  # its status, not the column «Проверок»
    await MysteryChecker.update({MysteryChecker.last_month: this}).where(MysteryChecker.id.is_in(ids[:2]))
    card = _checkers_card((await client.get("/staff/mystery")).text)
    assert "1\u00a0тайный житель ещё не прислал проверку за" in card, card
    await MysteryChecker.update({MysteryChecker.last_month: this}).where(MysteryChecker.id == ids[2])
    card = _checkers_card((await client.get("/staff/mystery")).text)
    assert "Все 3\u00a0тайных жителя прислали проверку за" in card, card
    await client.speak("en")
    card = _checkers_card((await client.get("/staff/mystery")).text)
    assert "3 mystery residents check the house." in card and "All 3 checkers have sent the check for" in card, card
    await MysteryChecker.update(
        {MysteryChecker.status: "stopped", MysteryChecker.seat: None, MysteryChecker.live: None}
    ).where(MysteryChecker.id.is_in(ids[1:]))
    card = _checkers_card((await client.get("/staff/mystery")).text)
    assert "1 mystery resident checks the house." in card and "The checker has sent the check for" in card, card
    await client.speak("ru")
    card = _checkers_card((await client.get("/staff/mystery")).text)
    assert "1\u00a0тайный житель проверяет дом." in card and "Тайный житель прислал проверку за" in card, card


async def test_the_staff_page_opens_on_a_house_that_has_a_checker(client, login, make_user, house):
    """Not on the empty card of the first house by address: on the first with an active checker, unless asked."""
    from portal.housing.tables import House

    await House.update({House.address: "г. Симферополь, ул. Ясная, д. 1"}).where(House.id == house.id)
    await House.update({House.address: "г. Симферополь, ул. Абрикосовая, д. 1"}).where(House.id == house.other_house)
    await login(client, await make_user(roles=("admin",)))
    chosen = re.compile(r'<option value="(\d+)"[^>]*selected')
    page = (await client.get("/staff/mystery")).text
    assert chosen.search(page).group(1) == str(house.other_house)  # invited only: nobody checks yet
    await MysteryChecker.update({MysteryChecker.status: "active"}).where(MysteryChecker.id == house.checker)
    page = (await client.get("/staff/mystery")).text
    assert chosen.search(page).group(1) == str(house.id)
    asked = (await client.get(f"/staff/mystery?house={house.other_house}")).text
    assert chosen.search(asked).group(1) == str(house.other_house)
