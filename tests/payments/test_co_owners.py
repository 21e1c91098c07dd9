"""Two co-owners of one account paying it at once: while the first one's checkout could still be paid (its page
open, being confirmed, just paid with its webhook on its way), the second one's «Оплатить» opens nothing, and they
are told who is paying what, since when, and when they may pay if that payment does not go through. A checkout
closed unpaid (abandoned: its page closed at the gateway, its webhook lost) keeps nobody out: the gateway is asked.
The sandbox gateway over real HTTP, the second person's own POST (both engines)."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from portal.billing.ledger import balance_of
from portal.core import clock
from portal.housing.tables import PersonalAccount
from portal.payments.tables import Payment
from tests.payments.test_pay_flow import start


async def _rows(account: int) -> list[dict]:
    return await (
        Payment.select(Payment.id, Payment.status, Payment.created_by)
        .where(Payment.account == account)
        .order_by(Payment.id)
    )


async def _co_owner(household, make_user, new_client, login, role: str = "owner"):
    """A second owner of the first account (or a family member who may pay it), signed in in their own browser."""
    a = household["accounts"][0]
    second = await make_user(name="Иванова Мария", accounts={a: role}, rights=("view", "pay"))
    browser = new_client()
    await login(browser, second)
    return second, browser


async def _number(account: int) -> str:
    return (await PersonalAccount.select(PersonalAccount.number).where(PersonalAccount.id == account).first())["number"]


def _sheet(a: int) -> dict[str, str]:
    return {f"pay_{a}": "1", f"amount_{a}": "3540.00"}


@pytest.mark.parametrize(("lang", "role"), [("ru", "owner"), ("en", "owner"), ("ru", "family"), ("en", "family")])
async def test_a_co_owner_cannot_open_a_second_payment_while_the_first_ones_page_is_open(
    client, login, household, gateway, make_user, new_client, lang, role
):
    """The second payer is told who is paying: by name to an owner, who sees the first on the account's access
    list; a family member, who does not see that list, reads «another member of your household»."""
    a = household["accounts"][0]
    url = await start(client, login, household, {a: "3540.00"})
    first = await _rows(a)
    _, browser = await _co_owner(household, make_user, new_client, login, role)
    await browser.speak(lang)

    refused = await browser.form("/pay", _sheet(a))
    assert refused.status_code == 303 and refused.headers["location"] == "/pay"
    assert await _rows(a) == first  # nothing recorded, nothing opened at the gateway
    page = (await browser.get("/pay")).text
    expires = await Payment.select(Payment.created_at, Payment.expires_at).where(Payment.account == a).first()
    since = clock.local(expires["created_at"]).strftime("%H:%M")
    until = clock.local(expires["expires_at"]).strftime("%H:%M")
    history = (await browser.get("/payments")).text  # their history shows the payment being made
    assert f'href="/payments/{first[0]["id"]}"' in history
    rest = (
        "её страница ещё открыта. Второй платёж не открыт: один долг не оплачивается дважды. Если оплата не "
        f"состоится, страница закроется сама в {until}, и тогда вы сможете оплатить здесь; как идёт оплата, видно "
        "в истории платежей."
    )
    number = await _number(a)
    assert lang == "en" or '<span lang="ru">' not in page  # on a Russian page nothing is marked
    if (lang, role) == ("ru", "owner"):
        assert f"Сейчас платит Иванов Иван: л/с {number}, 3\u00a0540,00\u00a0₽, оплата начата в {since}; {rest}" in page
    elif lang == "ru":
        assert (
            f"Сейчас идёт оплата другого члена вашей семьи: л/с {number}, 3\u00a0540,00\u00a0₽, начата в {since}; "
            + rest
            in page
        )
        assert "Иванов Иван" not in page
    else:
        who = '<span lang="ru">Иванов Иван</span>' if role == "owner" else "Another member of your household"
        assert f"{who} is paying now: account {number}," in page
        assert f"the page closes by itself at {until}, and then you can pay here" in page
        assert role == "owner" or "Иванов Иван" not in page
    async with httpx.AsyncClient() as payer:  # the first one's page is still theirs to pay
        assert (await payer.get(url)).status_code == 200


async def test_a_co_owner_is_not_locked_out_by_an_abandoned_checkout(
    client, login, household, gateway, make_user, new_client
):
    """The first owner walked away and the gateway closed their page; its webhook never came. The second owner's
    «Оплатить» asks the gateway, records the first as closed unpaid, and opens their own payment."""
    a = household["accounts"][0]
    await start(client, login, household, {a: "3540.00"})
    session = (await Payment.select(Payment.session_id).where(Payment.account == a).first())["session_id"]
    gateway.faults(reorder=True)  # the webhooks are held: the portal still thinks the page open
    gateway.http.post(f"/v1/checkout/sessions/{session}/expire").raise_for_status()
    second, browser = await _co_owner(household, make_user, new_client, login)

    opened = await browser.form("/pay", _sheet(a))
    assert opened.status_code == 303 and opened.headers["location"].startswith(gateway.url)
    rows = sorted(await _rows(a), key=lambda r: r["id"])
    assert [(r["status"], r["created_by"]) for r in rows] == [
        ("expired", household["resident"]),
        ("open", second),
    ]


async def test_a_co_owner_is_told_the_debt_was_just_paid_by_the_other(
    client, login, household, gateway, make_user, new_client
):
    """The first owner paid on the gateway's page, the webhook still on its way: the second owner's «Оплатить» with
    the sheet's amounts (already paid) opens nothing and says the payment has just come in."""
    a = household["accounts"][0]
    url = await start(client, login, household, {a: "3540.00"})
    gateway.faults(reorder=True)
    assert (await gateway.pay(url, "4242424242424242")).status_code == 303
    _, browser = await _co_owner(household, make_user, new_client, login)

    refused = await browser.form("/pay", _sheet(a))
    assert refused.status_code == 303 and refused.headers["location"] == "/pay"
    assert [(r["status"], r["created_by"]) for r in await _rows(a)] == [("succeeded", household["resident"])]
    assert await balance_of(a) == Decimal("0.00")
    page = (await browser.get("/pay")).text
    assert (
        f"Только что поступила оплата: л/с {await _number(a)}, 3\u00a0540,00\u00a0₽, плательщик — Иванов Иван. "
        "Новый платёж не открыт, чтобы не оплатить долг дважды." in page
    )


async def test_a_co_owner_is_refused_while_the_others_payment_is_being_confirmed(
    client, login, household, gateway, make_user, new_client
):
    a = household["accounts"][0]
    await start(client, login, household, {a: "3540.00"})
    await Payment.update({Payment.status: "pending"}, force=True)  # back from the page, the bank's word awaited
    gateway.faults(fail_next=50, fail_mode="before")  # and the gateway not answering when asked
    _, browser = await _co_owner(household, make_user, new_client, login)

    refused = await browser.form("/pay", _sheet(a))
    assert refused.status_code == 303 and refused.headers["location"] == "/pay"
    assert [r["status"] for r in await _rows(a)] == ["pending"]
    page = (await browser.get("/pay")).text
    assert (
        f"Оплата ждёт подтверждения банка: л/с {await _number(a)}, 3\u00a0540,00\u00a0₽, плательщик — Иванов Иван"
        in page
    )
    assert "Если банк её отклонит, вы сможете оплатить здесь" in page
    gateway.faults(fail_next=0)


# What the second person reads of the first one's checkout, in the history and on its page (and when a POST of
# theirs is refused): by name to an owner, who sees the first on the account's access list; else «another member of
# your household».
SOMEONE_ELSES = {
    ("ru", "owner"): (
        "оплачивает Иванов Иван",
        "Этот платёж начат не вами, плательщик — Иванов Иван: продолжить или отменить его может только плательщик.",
    ),
    ("ru", "family"): (
        "оплачивает другой член вашей семьи",
        "Этот платёж начал другой член вашей семьи: продолжить или отменить его может только он.",
    ),
    ("en", "owner"): (  # the name stays Russian, and says so to a screen reader's voice
        'being paid by <span lang="ru">Иванов Иван</span>',
        'This payment was started by <span lang="ru">Иванов Иван</span>: only they can continue or cancel it.',
    ),
    ("en", "family"): (
        "being paid by another member of your household",
        "This payment was started by another member of your household: only they can continue or cancel it.",
    ),
}


@pytest.mark.parametrize(("lang", "role"), list(SOMEONE_ELSES))
async def test_a_co_owner_may_neither_continue_nor_cancel_the_others_checkout(
    client, login, household, gateway, make_user, new_client, lang, role
):
    """The refusal sends the second owner to the history, where the first owner's checkout is listed: it says who is
    paying and offers neither «продолжить оплату» nor «Отменить платёж»; their direct POSTs change nothing at the
    gateway and say why. The first owner still continues and cancels their own."""
    a = household["accounts"][0]
    url = await start(client, login, household, {a: "3540.00"})
    first = (await _rows(a))[0]["id"]
    _, browser = await _co_owner(household, make_user, new_client, login, role)
    await browser.speak(lang)
    listed, started = SOMEONE_ELSES[lang, role]

    history = (await browser.get("/payments")).text
    assert f'action="/payments/{first}/continue"' not in history and listed in history
    page = (await browser.get(f"/payments/{first}")).text
    assert "/continue" not in page and "/cancel" not in page
    assert started in page
    assert role == "owner" or "Иванов Иван" not in history + page
    for action in ("continue", "cancel"):
        refused = await browser.form(f"/payments/{first}/{action}")
        assert refused.status_code == 303 and refused.headers["location"] == f"/payments/{first}"
        told = (await browser.get(refused.headers["location"])).text
        assert told.count(started) == 2  # the page's words, and the refusal said above them
        assert lang == "en" or '<span lang="ru">' not in told  # on a Russian page nothing is marked
    assert [r["status"] for r in await _rows(a)] == ["open"]
    async with httpx.AsyncClient() as payer:
        assert (await payer.get(url)).status_code == 200  # the first owner's page is still open

    assert f'action="/payments/{first}/continue"' in (await client.get("/payments")).text
    assert (await client.form(f"/payments/{first}/cancel")).status_code == 303
    assert [r["status"] for r in await _rows(a)] == ["canceled"]
