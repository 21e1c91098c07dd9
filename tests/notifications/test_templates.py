"""Every automatic message of the portal is a message template with Russian and English words: a resident whose
language is English receives the English text of each, a Russian-speaking one the Russian (with the HTML part
and the short form for SMS and push)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from portal.notifications.messages import registered
from portal.notifications.messages import render
from portal.settings import get_settings

CYRILLIC = re.compile(r"[а-яА-ЯёЁ]")
EXPECTED = {
    "accounts/reset",  # password reset
    "accounts/invite",  # invitation
    "accounts/staff_invite",  # a new staff member's invitation
    "accounts/granted",
    "accounts/confirm",
    "accounts/exists",
    "payment_succeeded",  # payment received
    "payment_failed",
    "autopay_over_limit",
    "ticket_status",  # request status
    "ticket_reply",  # request reply
    "ticket_assigned",
    "ticket_emergency",
    "meetings/notice",  # meeting notice
    "meetings/results",
    "meters/window_closing",  # meter reminder
    "content/post",  # news, notices, emergency notices
}


def test_every_automatic_message_has_a_template() -> None:
    assert set(registered()) >= EXPECTED, sorted(EXPECTED - set(registered()))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_an_english_speaking_resident_gets_english_and_a_russian_speaking_one_russian(name: str) -> None:
    template = registered()[name]
    english = render(template, "en", {**template.sample, "link": "/x"})
    words = " ".join([english.subject, english.text, english.short]).replace(get_settings().company_name, "")
    # The sample data is English or numbers (the company's own name aside), so any Cyrillic letter would be
    # untranslated Russian.
    assert not CYRILLIC.search(words), words
    assert english.html.startswith("<!doctype html>") and "/x" in english.html
    russian = render(template, "ru", {**template.sample, "link": "/x"})
    assert CYRILLIC.search(russian.subject + russian.text), (name, russian.subject, russian.text)
    assert russian.subject != english.subject or russian.text != english.text


async def test_notify_renders_a_template_in_the_recipients_language(db, make_user):
    from portal.accounts.notify import notify
    from portal.accounts.tables import User
    from portal.core.tables import OutboxMessage

    user = await make_user(email="reader@example.ru")
    await User.update({User.locale: "en"}).where(User.id == user)
    queued = await notify(
        user, "ticket_assigned", context={"number": 7, "category": "garbage_chute"}, dedupe_key="t:7:assigned"
    )
    assert queued == 2  # in-app and e-mail
    mail = (
        await OutboxMessage.select().where((OutboxMessage.user_id == user) & (OutboxMessage.channel == "email")).first()
    )
    assert mail["subject"] == "Request No. 7 is assigned to you"
    assert mail["context"]["html"] if isinstance(mail["context"], dict) else "html" in mail["context"]


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_a_message_whose_optional_part_is_empty_reads_with_single_spaces(locale: str) -> None:
    """The price of an order named without a note: «… — 3 200,00 ₽. Если она вас устраивает …», not two spaces."""
    bare = render("catalog/quote_ready", locale, {"number": 7, "amount": Decimal("3200.00"), "title": "Уборка"})
    assert "  " not in bare.text and "  " not in bare.html
    noted = render("catalog/quote_ready", locale, {"number": 7, "amount": Decimal("3200.00"), "note": "Два окна."})
    assert ". Два окна. " in noted.text  # the note between its two sentences, a space each side


@pytest.mark.parametrize("name", ["accounts/reset", "accounts/invite", "accounts/confirm", "accounts/exists"])
def test_the_link_of_an_account_e_mail_is_a_link_in_its_html_part(name: str) -> None:
    """The reset, invitation and confirmation e-mails showed their link in the HTML part as plain text: not
    clickable in a mail client that does not guess links, and one long line running off a phone's screen."""
    template = registered()[name]
    for locale in ("ru", "en"):
        message = render(template, locale, dict(template.sample))
        url = next(w for w in message.text.split() if w.startswith("http"))
        assert f'<a href="{url}"' in message.html, message.html
        link = message.html.split(f'<a href="{url}"')[1].split("</a>")[0]
        assert "break-all" in link and link.endswith(f">{url}")  # the address wraps at a phone's width
