"""The notes the portal writes on ledger entries («Онлайн-оплата №42», a bank's «Платёж … от …», the billing
system's opening balance) read in the reader's language: stored in Russian, they showed in Russian on the English
ledger. Rows written before keep showing (their Russian words are read back), and words the portal did not write
(a refund's reason as staff typed it) stay as they are, marked Russian on an English page; on both engines."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal as D

import pytest

from portal.billing import ledger
from portal.billing import notes
from portal.billing.registries import note_of
from portal.core import i18n

NOVEMBER = date(2026, 11, 1)


@pytest.mark.parametrize(
    ("kind", "stored", "ru", "en"),
    [
        ("payment", "Онлайн-оплата №42", "Онлайн-оплата №42", "Online payment No. 42"),
        ("payment", "Онлайн-оплата", "Онлайн-оплата", "Online payment"),
        ("payment", "Оплата через банк", "Оплата через банк", "Payment through a bank"),
        (
            "payment",
            "Платёж 7781-A от 03.11.2026",
            "Платёж 7781-A от 3 ноября 2026",
            "Payment 7781-A of 3 November 2026",
        ),
        (
            "correction",
            "Сальдо на начало 11.2026 по данным биллинга",
            "Сальдо на 1 ноября 2026 по данным биллинга",
            "Balance on 1 November 2026 by the billing system",
        ),
    ],
    ids=["online payment", "online payment (demo)", "bank payment (demo)", "bank registry", "opening balance"],
)
def test_a_note_the_portal_wrote_reads_in_the_readers_language(kind, stored, ru, en):
    for locale, shown in (("ru", ru), ("en", en)):
        i18n.set_locale(locale)
        assert notes.words(kind, stored) == (shown, False)
    i18n.set_locale("ru")


def test_a_note_after_its_kind_does_not_say_the_kind_again():
    """The history read «Оплата · Оплата через банк»: after the kind a bank payment's note says only how it came; a
    note with nothing of its own to say there reads as it always does."""
    for locale, bank, online in (
        ("ru", "через банк", "Онлайн-оплата №42"),
        ("en", "through a bank", "Online payment No. 42"),
    ):
        i18n.set_locale(locale)
        assert notes.words("payment", "Оплата через банк", after_kind=True) == (bank, False)
        assert notes.words("payment", "Онлайн-оплата №42", after_kind=True) == (online, False)
    i18n.set_locale("ru")


def test_the_words_stored_are_the_ones_the_portal_always_wrote():
    """Old rows and new ones read alike: the stored words did not change."""
    assert notes.ONLINE_PAYMENT.write(number=42) == "Онлайн-оплата №42"
    assert note_of("7781-A", date(2026, 11, 3)) == "Платёж 7781-A от 03.11.2026"
    assert notes.OPENING.write(month=NOVEMBER) == "Сальдо на начало 11.2026 по данным биллинга"


@pytest.mark.parametrize(
    ("kind", "stored"),
    [
        ("refund", "Возврат по заявлению жильца"),
        ("refund", "Онлайн-оплата №42"),  # a refund's reason that looks like a payment's note is the reason
        ("payment", "Онлайн-оплата №42 и ещё"),
        ("charge", "11.2026"),
    ],
)
def test_words_the_portal_did_not_write_are_shown_as_stored(kind, stored):
    i18n.set_locale("en")
    try:
        assert notes.words(kind, stored) == (stored, True)
    finally:
        i18n.set_locale("ru")


async def test_the_staff_ledger_shows_the_portals_notes_in_english_and_a_typed_reason_marked_russian(
    client, login, make_user, make_account
):
    account = await make_account(number="7700000001")
    moment = datetime(2026, 11, 29, 9, tzinfo=UTC)
    await ledger.post_payment(
        account.account, D("100.00"), "payment:u-1", moment, notes.ONLINE_PAYMENT.write(number=42)
    )
    await ledger.post_payment(account.account, D("50.00"), "registry:r-1", moment, note_of("7781", date(2026, 11, 3)))
    await ledger.post_refund(account.account, D("10.00"), "refund:u-1", moment, reason="Ошибочный платёж")
    await login(client, await make_user(roles=("accountant",), houses=(account.house,)))

    await client.speak("en")
    page = (await client.get(f"/staff/billing/accounts/{account.account}")).text
    assert "Online payment No. 42" in page and "Payment 7781 of 3 November 2026" in page
    assert "Онлайн-оплата" not in page and "Платёж" not in page
    assert '<span lang="ru">Ошибочный платёж</span>' in page

    await client.speak("ru")
    page = (await client.get(f"/staff/billing/accounts/{account.account}")).text
    assert "Онлайн-оплата №42" in page and "Платёж 7781 от 3 ноября 2026" in page
    assert "Ошибочный платёж" in page and 'lang="ru">Ошибочный' not in page
