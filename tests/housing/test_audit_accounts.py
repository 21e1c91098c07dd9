"""The audit log names a personal account by its number (the one on the payer's receipts), linked to its staff
page, not by its database id, whether the event calls it ``account`` (its form) or ``personal_account`` (its
access, its autopay); events written before this read the same, the number being looked up, not stored; the
numbers of a whole page come from one query."""

from __future__ import annotations

import html

from portal.housing.tables import PersonalAccount
from tests.accounts.test_audit_values import _page
from tests.words import as_read


async def test_the_log_names_an_account_by_its_number_linked_to_its_page(client, make_user, make_account, login):
    place = await make_account()
    account, number = place.account, place.number
    assert str(account) != number
    gone = 10**9
    events = [
        ("housing.account.update", "account", account, {"payer_name": ["Иванов", "Петров"]}),
        ("autopay.off", "personal_account", account, None),
        ("housing.account.update", "account", gone, {"payer_name": ["Иванов", "Петров"]}),
    ]
    listed = as_read(await _page(client, make_user, login, "ru", *events))
    linked = f'<a href="/staff/accounts/{account}">Лицевой счёт №\u00a0{number}</a></td>'
    assert listed.count(linked) == 2, listed
    assert f"Лицевой счёт #{account}<" not in listed
    assert f"Лицевой счёт #{gone}</td>" in listed  # an account since deleted keeps its id, unlinked
    await PersonalAccount.update({PersonalAccount.number: "7700000001"}).where(PersonalAccount.id == account)
    await client.speak("en")
    english = as_read(html.unescape((await client.get("/staff/audit")).text))
    assert f'<a href="/staff/accounts/{account}">Personal account No.\u00a07700000001</a>' in english


async def test_the_numbers_of_a_page_come_from_one_query(client, make_user, make_account, login, audit_log_queries):
    admin = await make_user(roles=("admin",))
    await login(client, admin)
    first = await make_account()
    await audit_log_queries(("autopay.off", "personal_account", first.account, None))  # the first page
    few = await audit_log_queries()
    more = [(await make_account()).account for _ in range(4)]
    many = await audit_log_queries(
        *[("housing.account.update", "account", a, {"payer_name": ["Иванов", "Петров"]}) for a in more],
        *[("autopay.off", "personal_account", a, None) for a in more],
    )
    assert len(many) == len(few), "\n".join(many)
    assert sum('FROM "personal_account"' in q for q in many) == 1, many
