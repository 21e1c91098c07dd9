"""Every automatic message of the portal is a message template with Russian and English words: a resident whose
language is English receives the English text of each, a Russian-speaking one the Russian (with the HTML part
and the short form for SMS and push)."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

from portal.accounts.rules import always_mailed
from portal.notifications.messages import registered
from portal.notifications.messages import render
from portal.notifications.messages import unsubscribable
from portal.settings import get_settings
from tests.notifications.test_inapp import leads_to

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
    "autopay_closed_account",  # autopay of a closed account turned off
    "ticket_status",  # request status
    "ticket_reply",  # request reply
    "ticket_assigned",
    "ticket_unassigned",  # a request taken from its executor
    "ticket_emergency",
    "meetings/notice",  # meeting notice
    "meetings/results",
    "meetings/ballot_rejected",  # a paper ballot not counted, and why
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


# The messages that reach the in-app list: every template but identity's e-mails (``accounts.mail`` sends them to an
# address only) and posts (whose in-app channel is the news feed).
IN_APP = sorted(n for n in registered() if not n.startswith("accounts/") and n != "content/post")
ORDER_PAGE = "/services/orders/3"


@pytest.mark.parametrize("locale", ["ru", "en"])
@pytest.mark.parametrize("name", IN_APP)
def test_an_in_app_message_leaves_the_pages_address_to_its_title(name: str, locale: str) -> None:
    """On /notifications a message's title links to its page, so its words end without «… in the portal:
    http://…/services/orders/3» or a bare address; the e-mail's text keeps the address, and nothing else is lost."""
    template = registered()[name]
    message = render(template, locale, {**template.sample, "link": ORDER_PAGE})
    assert "http" not in message.inapp, message.inapp
    assert ORDER_PAGE in message.text
    assert message.text.startswith(message.inapp)


@pytest.mark.parametrize("locale", ["ru", "en"])
async def test_the_in_app_row_of_a_message_has_no_address_and_its_e_mail_has(db, client, login, make_user, locale):
    from portal.accounts.notify import notify
    from portal.accounts.tables import User
    from portal.core.tables import OutboxMessage

    user = await make_user(email="reader@example.ru")
    await User.update({User.locale: locale}).where(User.id == user)
    context = {"number": 3, "amount": "1500.00", "title": "Сантехник", "ticket": 12}
    await notify(user, "catalog/order_paid", context=context, dedupe_key="order:3:paid", link=ORDER_PAGE)
    rows = await OutboxMessage.select(OutboxMessage.channel, OutboxMessage.body).where(OutboxMessage.user_id == user)
    bodies = {r["channel"]: r["body"] for r in rows}
    assert "http" not in bodies["inapp"] and bodies["inapp"]
    page_line, last_line = bodies["email"].rsplit("\n\n", 2)[-2:]  # the page, then how to unsubscribe
    assert page_line.endswith(ORDER_PAGE) and "/unsubscribe/" in last_line
    await login(client, user)
    page = (await client.get("/notifications")).text
    assert await leads_to(client, page) == [ORDER_PAGE]  # the title leads to the order
    assert "http" not in page.split('class="notification-body">')[1].split("</p>")[0]


@pytest.mark.parametrize("template", ["catalog/order_paid", None], ids=["a message template", "words of its own"])
async def test_an_in_app_row_stores_the_page_it_links_to_and_no_letter(db, client, login, make_user, template):
    """The in-app row kept the whole e-mail — its HTML page — in its context, which the list never reads: the
    context keeps the site path its title links to and, for a template, the facts the list words it from again
    (in the language its reader reads the portal in then). The e-mail row keeps its HTML part, and the list still
    links the title."""
    from portal.accounts.notify import notify
    from portal.accounts.tables import User
    from portal.core.tables import OutboxMessage

    user = await make_user(email="reader@example.ru")
    await User.update({User.locale: "en"}).where(User.id == user)
    facts = {"number": 3, "amount": "1500.00", "title": "Сантехник", "ticket": 12}
    if template:
        await notify(user, template, context=facts, dedupe_key="order:3:paid", link=ORDER_PAGE)
    else:
        await notify(user, "t", subject="Ваш заказ", body="Оплачен", context=facts, dedupe_key="k", link=ORDER_PAGE)
    rows = await OutboxMessage.select(OutboxMessage.channel, OutboxMessage.context).where(OutboxMessage.user_id == user)
    stored = {r["channel"]: r["context"] if isinstance(r["context"], dict) else json.loads(r["context"]) for r in rows}
    assert stored["inapp"] == ({"link": ORDER_PAGE, "words": facts} if template else {"link": ORDER_PAGE})
    assert stored["email"]["link"] == ORDER_PAGE and stored["email"]["number"] == 3
    assert bool(stored["email"].get("html")) is bool(template)
    await login(client, user)
    assert await leads_to(client, (await client.get("/notifications")).text) == [ORDER_PAGE]


# Identity's e-mails (``accounts.mail``: a reset, an invitation, a confirmation) and the security notices go whatever
# the person chose: they carry no unsubscribe line.
OPTIONAL = sorted(n for n in registered() if not n.startswith("accounts/") and not always_mailed(n))


@pytest.mark.parametrize("name", OPTIONAL)
def test_the_unsubscribe_line_ends_each_e_mail_a_person_may_turn_off_in_their_language(name: str) -> None:
    """Each template's sample as an e-mail to a person who may turn it off: its text and its HTML end with «Не
    хотите получать такие письма? Отписаться: …» (English for an English reader), its address that of the header."""
    template = registered()[name]
    for locale, line in (
        ("ru", "Не хотите получать такие письма? Отписаться: "),
        ("en", "Don't want such e-mails? Unsubscribe: "),
    ):
        mailed = unsubscribable(render(template, locale, {**template.sample, "link": "/x"}), 7, template.topic, locale)
        assert mailed.unsubscribe.startswith(get_settings().base_url + "/unsubscribe/7.")
        assert mailed.text.splitlines()[-1] == line + mailed.unsubscribe
        ending = mailed.html.rsplit("<p", 1)[1]
        assert ending.endswith("</p></body></html>") and f'href="{mailed.unsubscribe}"' in ending
        assert mailed.email_context()["unsubscribe"] == mailed.unsubscribe
