"""A closed personal account (the flat passed to a new owner, who is billed on an account of their own) is still
paid by its owners for what it owes, and takes no advance: nothing will be charged on it for one to pay."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal

from portal.billing.ledger import post_entry
from portal.billing.tables import EntryKind
from portal.housing.tables import PersonalAccount
from portal.payments import rules
from portal.payments.tables import Payment


def test_a_closed_account_takes_what_is_left_and_no_more():
    left = Decimal("3540.00")
    assert not rules.over_closed(left, left, closed=True)
    assert rules.over_closed(Decimal("3540.01"), left, closed=True)
    assert rules.over_closed(Decimal("1.00"), Decimal("0.00"), closed=True)
    assert not rules.over_closed(Decimal("9000.00"), left, closed=False)  # an open account takes an advance


async def _close(account: int) -> None:
    await PersonalAccount.update({PersonalAccount.closed_on: date(2026, 8, 2)}).where(PersonalAccount.id == account)


async def test_the_owners_pay_a_closed_account_s_debt_but_never_more(client, login, household, gateway):
    owed, other = household["accounts"]
    await post_entry(other, EntryKind.PAYMENT, -120050, datetime.now(UTC), reference=f"test-paid-{other}")
    await _close(owed)
    await _close(other)
    await login(client, household["resident"])
    sheet = await client.get(f"/pay?account={owed}")
    assert sheet.status_code == 200 and 'value="3540,00"' in sheet.text.replace("3 540", "3540")
    over = await client.form("/pay", {"only": str(owed), f"amount_{owed}": "3600"})
    assert over.status_code == 422 and "оплатите не больше оставшегося долга" in over.text
    nothing = await client.form("/pay", {"only": str(other), f"amount_{other}": "100"})
    assert nothing.status_code == 422 and "платить по нему больше нечего" in nothing.text
    assert await Payment.count().where(Payment.account.is_in([owed, other])) == 0
    paid = await client.form("/pay", {"only": str(owed), f"amount_{owed}": "3540,00"})
    assert paid.status_code == 303, paid.text[:2000]
    assert await Payment.count().where(Payment.account == owed) == 1


def _chosen(text: str, account: int) -> bool:
    box = text.split(f'name="pay_{account}"')[1].split(">")[0]
    return "checked" in box


async def test_a_closed_account_with_nothing_due_is_offered_no_advance(client, login, household):
    """With nothing to pay anywhere, the pay sheet opens on the account still open, and the home page offers no
    «Оплатить» for the closed one, which it marks closed."""
    closed, still_open = household["accounts"]
    await post_entry(closed, EntryKind.PAYMENT, -354000, datetime.now(UTC), reference=f"test-paid-{closed}")
    await post_entry(still_open, EntryKind.PAYMENT, -120050, datetime.now(UTC), reference=f"test-paid-{still_open}")
    await _close(closed)
    await login(client, household["resident"])
    sheet = await client.get("/pay")
    assert _chosen(sheet.text, still_open) and not _chosen(sheet.text, closed)
    home = await client.get("/")
    assert f'href="/pay?account={still_open}"' in home.text and f'href="/pay?account={closed}"' not in home.text
    assert "закрыт 2 августа 2026" in home.text.replace("\xa0", " ")
