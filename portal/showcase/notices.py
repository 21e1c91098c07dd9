"""The messages of the showcase (notifications.messages templates, rendered in each recipient's language) and the
one function that queues them through the outbox (``accounts.notify``: in-app and e-mail, as each person chose)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from portal.accounts.notify import notify
from portal.core.i18n import gettext
from portal.notifications.messages import message_template, render
from portal.notifications.rules import Topic
from portal.showcase import queries, words


def _title(c: dict[str, Any]) -> str:
    return words.title(c["kind"], c["complex"], Decimal(c["area"]), c["rooms"])


def _price(c: dict[str, Any]) -> str:
    return words.rubles(c["price"]) if c["price"] else "—"


LEAD = message_template(
    "showcase/lead",
    Topic.ACCOUNT,
    subject=lambda c: gettext("New lead: %(title)s", title=_title(c)),
    text=lambda c: gettext(
        "A visitor asks about the listing «%(title)s» (%(address)s).\n\nName: %(name)s\nPhone: %(phone)s\n"
        "Message: %(said)s\n\nCall them back and mark the lead in the portal.",
        title=_title(c),
        address=c["address"],
        name=c["name"],
        phone=c["phone"],
        said=c["message"] or "—",
    ),
    short=lambda c: gettext("New lead: %(title)s", title=_title(c)),
    sample={"kind": "commercial", "complex": "ЖК «Черника»", "area": "146.00", "rooms": None,
            "address": "г. Симферополь, пр-т А. Суворова, д. 15", "name": "Анна",
            "phone": "+79781234567", "message": "Когда можно посмотреть?", "link": "/staff/showcase/leads/1"},
)  # fmt: skip

OFFER = message_template(
    "showcase/offer",
    Topic.ACCOUNT,
    subject=lambda c: gettext("An owner offers a flat: %(address)s", address=c["address"]),
    text=lambda c: gettext(
        "%(owner)s asks the company to %(what)s the flat %(address)s.\nPrice they expect: %(price)s\nPhone: %(phone)s\n"
        "Comment: %(comment)s",
        owner=c["owner"],
        what=gettext("sell") if c["kind"] == "sale" else gettext("let"),
        address=c["address"],
        price=_price(c),
        phone=c["phone"] or "—",
        comment=c["comment"] or "—",
    ),
    sample={"owner": "Иван Петрович Смирнов", "kind": "rent", "address": "ул. Киевская, д. 189, кв. 12",
            "price": 3500000, "phone": "+79780000001", "comment": "", "link": "/staff/showcase/offers/1"},
)  # fmt: skip

OFFER_ANSWER = message_template(
    "showcase/offer_answer",
    Topic.ACCOUNT,
    subject=lambda c: (
        gettext("Your flat is being listed: %(address)s", address=c["address"])
        if c["listed"]
        else gettext("About your flat %(address)s", address=c["address"])
    ),
    text=lambda c: (
        gettext(
            "We are preparing the listing of your flat %(address)s. A manager will call you to agree the photos "
            "and the price.",
            address=c["address"],
        )
        if c["listed"]
        else gettext(
            "We cannot take your flat %(address)s for listing now: %(answer)s", address=c["address"], answer=c["answer"]
        )
    ),
    sample={"address": "ул. Киевская, д. 189, кв. 12", "listed": True, "answer": "", "link": "/showcase/mine"},
)  # fmt: skip


async def tell(user_ids: list[int], template: Any, context: dict[str, Any], dedupe_key: str) -> int:
    """Queue the message for each person in their own language (in the caller's transaction); how many queued."""
    locales = await queries.locales_of(user_ids)
    queued = 0
    for user_id in user_ids:
        message = render(template, locales.get(user_id), context)
        queued += await notify(
            user_id,
            template.name,
            subject=message.subject,
            body=message.text,
            context={k: v for k, v in context.items() if k != "link"},
            dedupe_key=dedupe_key,
            link=context.get("link", ""),
        )
    return queued
