"""The messages of the showcase (notifications.messages templates, rendered in each recipient's language) and the
one function that queues them through the outbox (``accounts.notify``: in-app and e-mail, as each person chose)."""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Any

from portal.accounts.notify import notify
from portal.core.i18n import gettext
from portal.core.i18n import lazy
from portal.notifications.messages import message_template
from portal.notifications.rules import Topic
from portal.showcase import words as words_of


def words(c: dict[str, Any]) -> dict[str, Any]:
    """A lead's or an offer's context as staff read it: the listing's title, the price in roubles, dashes for
    what the visitor left empty."""
    said: dict[str, Any] = {"said": c.get("message") or "—", "phone": c.get("phone") or "—",
                            "comment": c.get("comment") or "—"}  # fmt: skip
    if "kind" in c and "complex" in c:
        said["title"] = words_of.title(c["kind"], c["complex"], Decimal(c["area"]), c["rooms"])
    if "price" in c:
        said["price"] = words_of.price(c["price"]) if c["price"] else "—"
        said["what"] = gettext("sell") if c["kind"] == "sale" else gettext("let")
    return {**c, **said}


# Every message of the showcase is on the account's topic, its context worded by ``words``.
_showcase_message = partial(message_template, topic=Topic.ACCOUNT, words=words)


LEAD = _showcase_message(
    "showcase/lead",
    subject=lazy("New lead: %(title)s"),
    text=lazy(
        "A visitor asks about the listing “%(title)s” (%(address)s).\n\nName: %(name)s\nPhone: %(phone)s\n"
        "Message: %(said)s\n\nCall them back and mark the lead in the portal."
    ),
    sample={"kind": "commercial", "complex": "ЖК «Черника»", "area": "146.00", "rooms": None,
            "address": "г. Симферополь, пр-т А. Суворова, д. 15", "name": "Анна",
            "phone": "+79781234567", "message": "Когда можно посмотреть?", "link": "/staff/showcase/leads/1"},
)  # fmt: skip

OFFER = _showcase_message(
    "showcase/offer",
    subject=lazy("An owner offers a flat: %(address)s"),
    text=lazy(
        "%(owner)s asks the company to %(what)s the flat %(address)s.\nPrice they expect: %(price)s\nPhone: %(phone)s\n"
        "Comment: %(comment)s"
    ),
    sample={"owner": "Иван Петрович Смирнов", "kind": "rent", "address": "ул. Киевская, д. 189, кв. 12",
            "price": 3500000, "phone": "+79780000001", "comment": "", "link": "/staff/showcase/offers/1"},
)  # fmt: skip

OFFER_ANSWER = _showcase_message(
    "showcase/offer_answer",
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
    """Queue the message for each person in their own language (in the caller's transaction; ``accounts.notify``
    renders the template for each: the e-mail with the page's address, the in-app words without it); how many
    queued. The rows name the event (``dedupe_key``, such as ``showcase:lead:7``) as their ``ref``, by which they
    are found again (the messages of a lead deleted with the visitor's data)."""
    queued = 0
    for user_id in user_ids:
        queued += await notify(
            user_id,
            template.name,
            context={k: v for k, v in context.items() if k != "link"},
            dedupe_key=dedupe_key,
            link=context.get("link", ""),
            ref=dedupe_key,
        )
    return queued
