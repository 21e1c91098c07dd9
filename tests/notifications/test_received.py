"""What a person receives, read as they read it: every kind of message the portal sends (the registry of message
templates), in Russian and in English, sent through the sending path its domain uses, delivered by the outbox over a
real SMTP conversation (or to the SMS provider), and read as the mail client shows it — the MIME message decoded.

On the demo data, so that every link leads to a real record: each link is followed over HTTP as its reader would
(signed in as them, or signed out where the link needs no sign-in) and opens the page of what the message names.

A kind of message without its case here fails ``test_every_kind_of_message_has_its_case``."""

from __future__ import annotations

import dataclasses
import html
import re
import secrets
import shutil
from collections.abc import AsyncIterator
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Iterator
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from email import message_from_bytes
from email import policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from portal.accounts.rules import always_mailed
from portal.notifications.messages import registered
from tests.conftest import _RUN
from tests.conftest import COOKIE_DOMAIN
from tests.conftest import Inbox
from tests.conftest import PortalClient
from tests.conftest import demo_postgres
from tests.conftest import demo_template
from tests.conftest import missing
from tests.conftest import smtp_inbox

BASE = "https://portal.example.ru"  # the portal's configured address: every link of a message starts with it
LOCALES = ("ru", "en")
LATIN_WORD = re.compile(r"\b[A-Za-z]{3,}\b")
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
URL = re.compile(r"https?://[^\s<>\"']+")
E_MAIL = re.compile(r"[\w.+-]+@[\w.-]+")
# Words that are no leftover English in a Russian message: the e-mail the Russian text calls «e-mail».
LATIN_IN_RUSSIAN = {"mail"}
UNSUBSCRIBE = {"ru": "Не хотите получать такие письма?", "en": "Don't want such e-mails?"}
# What a message of each language may not carry: a placeholder left unfilled, a value that was missing.
LEFTOVERS = re.compile(r"%\(\w+\)s|%s|\{\w*\}|\bNone\b|\bnan\b|\$\w+")
MONEY = {
    "ru": re.compile(r"(?<!\d)(?<!\d )\d{1,3}(?: \d{3})*(?:,\d{2})? ₽"),
    "en": re.compile(r"₽\d{1,3}(?:,\d{3})*(?:\.\d{2})?"),
}


@dataclasses.dataclass
class Sent:
    """What a case sent and how its reader meets it."""

    to: str  # the address (or phone) it goes to
    reader: int | None  # who follows its links signed in; None: its links work signed out
    names: tuple[str, ...] = ()  # what the message names, which the page its link opens names too
    data: tuple[str, ...] = ()  # stored values (names, addresses, titles) that read the same in either language
    says: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)  # by language: words it must have
    sms: bool = False


@dataclasses.dataclass
class World:
    """The demo data on one engine, the mail server its messages reach, and the app its links lead to."""

    inbox: Inbox
    app: Any

    async def user(self, email: str) -> int:
        from portal.accounts.tables import User

        return (await User.select(User.id).where(User.email == email).first())["id"]

    async def speaks(self, user_id: int, locale: str) -> None:
        from portal.accounts.tables import User

        await User.update({User.locale: locale}).where(User.id == user_id)


# How each kind of message is sent, by its name: ``case(world, locale, name)`` sends it to a reader of ``locale``.
Case = Callable[[World, str, str], Awaitable[Sent]]
CASES: dict[str, Case] = {}


def case(*names: str) -> Callable[[Case], Case]:
    def register(fn: Case) -> Case:
        CASES.update(dict.fromkeys(names, fn))
        return fn

    return register


def key() -> str:
    return secrets.token_hex(6)


async def notified(user_id: int, template: str, context: dict[str, Any], link: str) -> None:
    from portal.accounts.notify import notify

    await notify(user_id, template, context=context, dedupe_key=f"received:{key()}", link=link)


# --- identity: one-time links and what happened to the account --------------------------------------------------


async def _resident(world: World, locale: str) -> tuple[int, str]:
    email = "resident@demo.ru"
    user_id = await world.user(email)
    await world.speaks(user_id, locale)
    return user_id, email


async def _first_account(user_id: int) -> dict[str, Any]:
    from portal.accounts.tables import Residency
    from portal.housing.tables import PersonalAccount

    found = await Residency.select(Residency.account).where(Residency.user == user_id).order_by(Residency.id).first()
    return (
        await PersonalAccount.select(PersonalAccount.id, PersonalAccount.number)
        .where(PersonalAccount.id == found["account"])
        .first()
    )


@case("accounts/reset", "accounts/confirm", "accounts/email_change")
async def _token_link(world: World, locale: str, name: str) -> Sent:
    from portal.accounts import mail
    from portal.accounts.actions import _create_token
    from portal.accounts.rules import TokenPurpose

    user_id, email = await _resident(world, locale)
    purpose, send = {
        "accounts/reset": (TokenPurpose.RESET, mail.send_reset),
        "accounts/confirm": (TokenPurpose.CONFIRM, mail.send_confirmation),
        "accounts/email_change": (TokenPurpose.EMAIL, mail.send_email_change),
    }[name]
    to = email if purpose is not TokenPurpose.EMAIL else f"new-{key()}@example.ru"
    token = await _create_token(purpose, user_id=user_id, sent_to=to)
    await send(to, token, locale, user_id)
    return Sent(to, None)


@case("accounts/invite", "accounts/staff_invite")
async def _invitation(world: World, locale: str, name: str) -> Sent:
    from portal.accounts import mail
    from portal.accounts.actions import _create_token
    from portal.accounts.rules import TokenPurpose

    user_id, _ = await _resident(world, locale)
    account = await _first_account(user_id)
    to = f"invited-{key()}@example.ru"
    if name == "accounts/invite":
        token = await _create_token(TokenPurpose.INVITE, sent_to=to, account_id=account["id"], role="family")
        await mail.send_invitation(to, token, locale, account["number"], "ул. Киевская, д. 189, кв. 1")
        return Sent(to, None, data=("ул. Киевская, д. 189, кв. 1",))
    # Through the administrator's action, as the form sends it: the letter in the language chosen for the newcomer.
    from portal.accounts.actions import create_staff_user
    from portal.core.security import Principal

    admin = Principal(user_id=await world.user("admin@demo.ru"), name="Администратор", staff_roles=frozenset({"admin"}))
    values = {"full_name": "Новый Сотрудник", "email": to, "roles": ["admin"], "houses": [], "locale": locale}
    await create_staff_user(admin, values, ip="")
    return Sent(to, None)


@case(
    "accounts/granted",
    "accounts/exists",
    "accounts/email_change_asked",
    "accounts/email_changed",
    "accounts/email_taken",
)
async def _account_news(world: World, locale: str, name: str) -> Sent:
    from portal.accounts import mail

    user_id, email = await _resident(world, locale)
    other = f"other-{key()}@example.ru"
    if name == "accounts/granted":
        account = await _first_account(user_id)
        await mail.send_access_granted(email, locale, account["number"], "ул. Киевская, д. 189, кв. 1", user_id)
        return Sent(email, None, data=("ул. Киевская, д. 189, кв. 1",))
    if name == "accounts/exists":
        await mail.send_already_registered(email, locale, user_id)
    elif name == "accounts/email_change_asked":
        await mail.send_email_change_asked(email, other, locale, user_id)
    elif name == "accounts/email_changed":
        await mail.send_email_changed(email, other, locale, user_id)
    else:
        await mail.send_email_taken(email, locale, user_id)
    return Sent(email, None)


@case("accounts/phone_code")
async def _phone_code(world: World, locale: str, name: str) -> Sent:
    from portal.accounts import mail
    from portal.accounts.rules import Issued

    user_id, _ = await _resident(world, locale)
    phone = "+79780000077"
    await mail.send_phone_code(phone, Issued("483920", datetime.now(UTC) + timedelta(minutes=10)), locale, user_id)
    return Sent(phone, user_id, sms=True, says={"ru": ("483920",), "en": ("483920",)})


@case("accounts/reset_code")
async def _reset_code(world: World, locale: str, name: str) -> Sent:
    from portal.accounts import mail
    from portal.accounts.rules import Issued

    user_id, _ = await _resident(world, locale)
    phone = "+79780000078"
    await mail.send_reset_code(phone, Issued("519204", datetime.now(UTC) + timedelta(minutes=15)), locale, user_id)
    return Sent(phone, None, sms=True, says={"ru": ("519204", "15 минут"), "en": ("519204", "15 minutes")})


@case("accounts/password_changed")
async def _password_changed(world: World, locale: str, name: str) -> Sent:
    from portal.accounts.actions import _password_changed

    user_id, email = await _resident(world, locale)
    await _password_changed(user_id, secrets.randbelow(10**6) + 1000)
    return Sent(email, user_id)


@case("accounts/access_changed")
async def _access_changed(world: World, locale: str, name: str) -> Sent:
    user_id, email = await _resident(world, locale)
    account = await _first_account(user_id)
    what = {"what": "granted", "actor": "Анна Петровна Смирнова", "email": "anna@example.ru", "role": "family"}
    context = {"account_id": account["id"], "number": account["number"], **what}
    await notified(user_id, name, context, f"/accounts/{account['id']}/people")
    role = {"ru": ("Член семьи",), "en": ("Family member",)}
    return Sent(email, user_id, names=(account["number"],), data=("Анна Петровна Смирнова",), says=role)


# --- requests -------------------------------------------------------------------------------------------------------


def number(n: Any, locale: str) -> str:
    """A request's or an order's number as a page and a message of the language write it."""
    return f"№ {n}" if locale == "ru" else f"No. {n}"


async def _ticket(where: Any) -> dict[str, Any]:
    from portal.tickets.tables import Ticket

    return await Ticket.select(Ticket.id, Ticket.number, Ticket.category).where(where).order_by(Ticket.id).first()


@case("ticket_status", "ticket_reply")
async def _to_author(world: World, locale: str, name: str) -> Sent:
    from portal.tickets.tables import Ticket

    user_id, email = await _resident(world, locale)
    ticket = await _ticket(Ticket.author == user_id)
    context: dict[str, Any] = {"ticket_id": ticket["id"], "number": ticket["number"]}
    says: dict[str, tuple[str, ...]] = {}
    if name == "ticket_status":  # reopened: its new deadline at 18:00 in Simferopol, 15:00 UTC
        context |= {"status": "reopened", "comment": "", "comment_en": "", "deadline": "2026-03-11T15:00:00+00:00"}
        says = {"ru": ("11 марта 2026, 18:00",), "en": ("11 March 2026, 18:00",)}
    else:
        context |= {"text": "Мастер придёт завтра.", "text_en": "The plumber comes tomorrow."}
        says = {"ru": ("Мастер придёт завтра.",), "en": ("The plumber comes tomorrow.",)}
    await notified(user_id, name, context, f"/tickets/{ticket['id']}")
    return Sent(email, user_id, names=(number(ticket["number"], locale),), says=says)


@case("ticket_assigned", "ticket_unassigned", "ticket_emergency")
async def _to_staff(world: World, locale: str, name: str) -> Sent:
    from portal.accounts.tables import StaffHouse
    from portal.tickets.tables import Ticket

    email = "dispatcher@demo.ru" if name == "ticket_emergency" else "executor@demo.ru"
    user_id = await world.user(email)
    await world.speaks(user_id, locale)
    if name == "ticket_emergency":
        houses = StaffHouse.select(StaffHouse.house).where(StaffHouse.user == user_id)
        ticket = await _ticket(Ticket.house.is_in(houses))
    else:
        ticket = await _ticket(Ticket.executor == user_id)
    context = {"ticket_id": ticket["id"], "number": ticket["number"], "category": ticket["category"]}
    link = "/staff/my-tickets" if name == "ticket_unassigned" else f"/staff/tickets/{ticket['id']}"
    await notified(user_id, name, context, link)
    names = () if name == "ticket_unassigned" else (number(ticket["number"], locale),)
    return Sent(email, user_id, names=names)


@case("ticket_handed_back")
async def _to_dispatchers(world: World, locale: str, name: str) -> Sent:
    """A request handed back by its executor: to a dispatcher of its house, with the executor's name and reason (their
    own Russian words in either language)."""
    from portal.accounts.tables import StaffHouse
    from portal.tickets.tables import Ticket

    email = "dispatcher@demo.ru"
    user_id = await world.user(email)
    await world.speaks(user_id, locale)
    ticket = await _ticket(Ticket.house.is_in(StaffHouse.select(StaffHouse.house).where(StaffHouse.user == user_id)))
    said = ("Сергей Иванович Лукин", "Не тот адрес: в доме нет кв. 50")
    context = {"ticket_id": ticket["id"], "number": ticket["number"], "executor": said[0], "reason": said[1]}
    await notified(user_id, name, context, f"/staff/tickets/{ticket['id']}")
    return Sent(email, user_id, names=(number(ticket["number"], locale),), data=said)


@case("ticket_handover_ended")
async def _to_previous_owner(world: World, locale: str, name: str) -> Sent:
    """The previous owner, whose account the new owner's documents closed (they keep it, with its history and debt):
    the link opens their home page; the day is said in their language."""
    user_id, email = await _resident(world, locale)
    account = await _first_account(user_id)
    await notified(user_id, name, {"account": account["number"], "day": "2026-12-01"}, "/")
    days = {"ru": ("1 декабря 2026",), "en": ("1 December 2026",)}
    return Sent(email, user_id, data=(account["number"],), says=days)


@case("ticket_handover_closed")
async def _to_previous_family(world: World, locale: str, name: str) -> Sent:
    """A family member or tenant of the account a new owner's documents closed: the new owner invites them to theirs;
    the day is said in their language."""
    user_id, email = await _resident(world, locale)
    account = await _first_account(user_id)
    await notified(user_id, name, {"account": account["number"], "day": "2026-12-01"}, "/")
    days = {"ru": ("1 декабря 2026",), "en": ("1 December 2026",)}
    return Sent(email, user_id, data=(account["number"],), says=days)


# --- orders ---------------------------------------------------------------------------------------------------------

# The messages of an order to its resident, and whether each names the sum.
ORDER_KINDS = {
    "catalog/order_paid": True,
    "catalog/order_placed": True,
    "catalog/quote_ready": True,
    "catalog/document_ready": False,
    "catalog/order_cancelled": False,
    "catalog/order_refunded": True,
    "catalog/order_refunded_by_hand": True,
}


@case(*ORDER_KINDS, "catalog/quote_requested")
async def _order(world: World, locale: str, name: str) -> Sent:
    from portal.catalog.tables import Order

    user_id, email = await _resident(world, locale)
    order = await Order.select(Order.id).where(Order.created_by == user_id).order_by(Order.id).first()
    context = {"number": order["id"], "amount": Decimal("1234.50"), "title": "Вызов сантехника",
               "title_en": "Plumber call-out", "more": 2, "ticket": 1, "note": "", "reason": ""}  # fmt: skip
    says = {"ru": ("1 234,50 ₽",), "en": ("₽1,234.50",)} if ORDER_KINDS.get(name) else {}
    if name == "catalog/quote_requested":  # to the dispatchers of the order's house
        dispatcher = await world.user("dispatcher@demo.ru")
        await world.speaks(dispatcher, locale)
        context |= {"address": "ул. Киевская, д. 189, кв. 1"}
        await notified(dispatcher, name, context, f"/staff/orders/{order['id']}")
        names = (number(order["id"], locale),)
        return Sent("dispatcher@demo.ru", dispatcher, names=names, data=("ул. Киевская, д. 189, кв. 1",))
    await notified(user_id, name, context, f"/services/orders/{order['id']}")
    return Sent(email, user_id, names=(number(order["id"], locale),), says=says)


# --- payments -------------------------------------------------------------------------------------------------------

AUTOPAY_STOPS = ("autopay_closed_account", "autopay_card_gone", "autopay_no_right")  # each says no sum
PAYMENT_KINDS = ("payment_succeeded", "payment_failed", "payment_refunded", "autopay_over_limit", *AUTOPAY_STOPS)


@case(*PAYMENT_KINDS)
async def _payment(world: World, locale: str, name: str) -> Sent:
    from portal.payments.tables import Payment

    user_id, email = await _resident(world, locale)
    account = await _first_account(user_id)
    payment = await Payment.select(Payment.id).where(Payment.created_by == user_id).order_by(Payment.id).first()
    link = f"/payments/{payment['id']}"
    money = {"ru": ("1 234,50 ₽",), "en": ("₽1,234.50",)}
    context: dict[str, Any] = {
        "payment_succeeded": {"amount": Decimal("1234.50"), "numbers": account["number"]},
        "payment_failed": {"code": "insufficient_funds"},
        "payment_refunded": {"amount": Decimal("1234.50"), "id": payment["id"], "number": account["number"]},
        "autopay_over_limit": {"number": account["number"], "due": Decimal("1234.50"), "limit": Decimal("1000")},
        "autopay_closed_account": {"number": account["number"]},
        "autopay_card_gone": {"number": account["number"], "last4": "4242"},
        "autopay_no_right": {"number": account["number"]},
    }[name]
    if name == "autopay_over_limit":
        link = f"/pay?account={account['id']}"
    if name in AUTOPAY_STOPS:
        link = f"/autopay#account-{account['id']}"
    await notified(user_id, name, context, link)
    return Sent(email, user_id, says={} if name == "payment_failed" or name in AUTOPAY_STOPS else money)


# --- owners' meetings -----------------------------------------------------------------------------------------------


async def _meeting(user_id: int) -> Any:
    from portal.core.security import Principal
    from portal.meetings import queries

    principal = Principal(user_id=user_id)
    reach = await queries.resident_reach(principal)
    meetings = await queries.resident_meetings(reach)
    return next(m for m in meetings if m.status == "published")


@case("meetings/notice", "meetings/results", "meetings/ballot_rejected")
async def _meeting_news(world: World, locale: str, name: str) -> Sent:
    user_id, email = await _resident(world, locale)
    meeting = await _meeting(user_id)
    context: dict[str, Any] = {"title": meeting.title, "title_en": meeting.title_en, "address": meeting.address}
    if name == "meetings/notice":
        context |= {"form": meeting.form, "starts_on": meeting.starts_on, "voting_ends_on": meeting.voting_ends_on}
    if name == "meetings/ballot_rejected":
        context |= {"premise_kind": "flat", "premise_number": "1", "reason": "unsigned", "note": ""}
    else:
        context["url"] = f"{BASE}/meetings/{meeting.id}"
    await notified(user_id, name, context, f"/meetings/{meeting.id}")
    title = meeting.title_en if locale == "en" and meeting.title_en else meeting.title
    return Sent(email, user_id, names=(title,), data=(meeting.title, meeting.title_en, meeting.address))


@case("meetings/code")
async def _meeting_code(world: World, locale: str, name: str) -> Sent:
    from portal.core import clock
    from portal.core.security import Principal
    from portal.meetings import queries
    from portal.meetings.actions import mail_code
    from portal.meetings.tables import BallotCode

    user_id, email = await _resident(world, locale)
    meeting = await _meeting(user_id)
    lines = await queries.voter_lines(Principal(user_id=user_id), meeting.id)
    row = BallotCode(meeting=meeting.id, user=user_id, code_hash=key(), ballots="", created_at=clock.now(),
                     expires_at=clock.now() + timedelta(minutes=15))  # fmt: skip
    await row.save()
    await mail_code(user_id, email, locale, meeting, lines, "583920", row)
    return Sent(email, user_id, data=(meeting.title, meeting.title_en), says={"ru": ("583920",), "en": ("583920",)})


@case("meetings/reminder")
async def _meeting_reminder(world: World, locale: str, name: str) -> Sent:
    from portal.core import clock
    from portal.meetings.actions import remind
    from portal.meetings.tables import MeetingReminder

    user_id, email = await _resident(world, locale)
    meeting = await _meeting(user_id)
    # reminded afresh in each language: an earlier reminder is set aside (kept, so no id is used again)
    mine = (MeetingReminder.meeting == meeting.id) & (MeetingReminder.user == user_id)
    await MeetingReminder.update({MeetingReminder.key: f"aside:{key()}"}).where(mine)
    await remind(meeting, 3, [user_id], clock.now())
    title = meeting.title_en if locale == "en" and meeting.title_en else meeting.title
    says = {"ru": ("осталось 3 дня", "Вы ещё не проголосовали."), "en": ("3 days are left", "You have not voted yet.")}
    return Sent(email, user_id, names=(title,), data=(meeting.title, meeting.title_en), says=says)


# --- meters ---------------------------------------------------------------------------------------------------------


@case(*(n for n in registered() if n.startswith("meters/")))
async def _meters(world: World, locale: str, name: str) -> Sent:
    from portal.meters.actions import _tell_account

    user_id, email = await _resident(world, locale)
    account = await _first_account(user_id)
    template = registered()[name]
    context = {**template.sample, "account": account["number"], "link": "/meters"}
    await _tell_account(account["id"], template, context, f"received:{key()}")
    written = ("address", "serial", "reason")  # the stored address and serial, the reason as staff wrote it
    return Sent(email, user_id, data=tuple(str(context[k]) for k in written if context.get(k)))


# --- the mystery resident -------------------------------------------------------------------------------------------


async def _checker(user_id: int) -> Any:
    from portal.mystery import queries

    return (await queries.live_of(user_id))[0]  # the demo's resident checks the first house


@case("mystery/reminder")
async def _mystery_reminder(world: World, locale: str, name: str) -> Sent:
    from portal.core import clock
    from portal.core.tables import OutboxMessage
    from portal.mystery import rules
    from portal.mystery.actions import remind

    user_id, email = await _resident(world, locale)
    checker = await _checker(user_id)
    # reminded afresh in each language: an earlier reminder is set aside (kept, so no key is used again)
    earlier = await OutboxMessage.select(OutboxMessage.id).where(
        OutboxMessage.dedupe_key.like("%:mystery:reminder:%") & (OutboxMessage.user_id == user_id)
    )
    for row in earlier:  # each its own key (the in-app row and the e-mail)
        await OutboxMessage.update({OutboxMessage.dedupe_key: f"aside:{key()}"}).where(OutboxMessage.id == row["id"])
    await remind(checker.id, user_id, checker.address, rules.month_of(clock.today_local()), clock.now())
    says = {"ru": ("Проверка дома за",), "en": ("House check for",)}
    return Sent(email, user_id, data=(checker.address,), says=says)


@case("mystery/received")
async def _mystery_received(world: World, locale: str, name: str) -> Sent:
    user_id, email = await _resident(world, locale)
    checker = await _checker(user_id)
    context = {"month": "2026-11-01", "address": checker.address, "numbers": [701]}
    await notified(user_id, name, context, "/mystery")
    says = {"ru": ("ноябрь 2026", "№ 701"), "en": ("November 2026", "№ 701")}
    return Sent(email, user_id, data=(checker.address,), says=says)


@case("mystery/invited", "mystery/withdrawn")
async def _mystery_checker(world: World, locale: str, name: str) -> Sent:
    user_id, email = await _resident(world, locale)
    checker = await _checker(user_id)
    await notified(user_id, name, {"address": checker.address}, "/mystery")
    says = {
        "mystery/invited": {"ru": ("тайным жителем",), "en": ("mystery resident",)},
        "mystery/withdrawn": {"ru": ("сняла вас с проверок",), "en": ("taken you off the checks",)},
    }[name]
    return Sent(email, user_id, data=(checker.address,), says=says)


# --- visits to the client centre ------------------------------------------------------------------------------------


@case("visits/booked", "visits/reminder", "visits/cancelled", "visits/missed", "visits/came")
async def _visit(world: World, locale: str, name: str) -> Sent:
    from portal.visits.tables import Visit

    user_id, email = await _resident(world, locale)
    visit = await Visit.select(Visit.id, Visit.starts_at).where(Visit.user == user_id).order_by(Visit.id).first()
    context = {
        "starts_at": visit["starts_at"].isoformat(), "centre": "Клиентский центр ЖК «Крымская роза»",
        "address": "г. Симферополь, ул. Киевская, д. 1, офис 1", "purpose": "keys",
        "reason": "Санитарный день" if name == "visits/cancelled" else "",
    }  # fmt: skip
    await notified(user_id, name, context, f"/visits/{visit['id']}")
    says = {
        "visits/booked": {"ru": ("Ключи и доступ", "Возьмите с собой"), "en": ("Keys and access", "Please bring")},
        "visits/reminder": {"ru": ("Ждём вас", "Возьмите с собой"), "en": ("We are expecting you", "Please bring")},
        "visits/cancelled": {"ru": ("отменён",), "en": ("is cancelled",)},
        "visits/missed": {"ru": ("не пришли",), "en": ("did not come",)},
        "visits/came": {"ru": ("Как вас приняли", "Оцените визит"), "en": ("How were you received", "Rate the visit")},
    }[name]
    data = (context["centre"],) if name == "visits/came" else (context["centre"], context["address"])
    data += (context["reason"],) if context["reason"] else ()
    return Sent(email, user_id, data=data, says=says)


CALLER_SAYS = {
    "visits/caller_booked": {"ru": ("Вы записаны", "Возьмите с собой", "позвоните"), "en": ("You are booked", "call")},
    "visits/caller_reminder": {"ru": ("Ждём вас", "позвоните"), "en": ("We are expecting you", "call")},
    "visits/caller_cancelled": {"ru": ("отменён", "позвоните"), "en": ("is cancelled", "call")},
}


@case(*CALLER_SAYS)
async def _caller_visit(world: World, locale: str, name: str) -> Sent:
    """A caller without a sign-in, booked by the call centre, is told by SMS: the office's phone, not the portal."""
    from portal.notifications.messages import get
    from portal.settings import get_settings
    from portal.visits.actions import tell_caller

    phone = f"+797800001{sorted(CALLER_SAYS).index(name)}{LOCALES.index(locale)}"
    context = {
        "starts_at": "2026-12-10T10:30:00+03:00", "centre": "Клиентский центр ЖК «Крымская роза»",
        "address": "г. Симферополь, ул. Киевская, д. 1, офис 1", "purpose": "keys", "visit": 1,
        "reason": "Санитарный день" if name == "visits/caller_cancelled" else "",
    }  # fmt: skip
    await tell_caller(phone, get(name), context, f"test:{name}:{locale}", datetime.now(UTC), locale=locale)
    says = {k: (*v, get_settings().office_phone) for k, v in CALLER_SAYS[name].items()}
    data = (context["centre"], context["address"]) + ((context["reason"],) if context["reason"] else ())
    return Sent(phone, None, data=data, says=says, sms=True)


# --- the accountant, surveys, posts, the showcase -------------------------------------------------------------------


@case("billing_reconciliation")
async def _reconciliation(world: World, locale: str, name: str) -> Sent:
    email = "accountant@demo.ru"
    user_id = await world.user(email)
    await world.speaks(user_id, locale)
    context = {"period": date(2026, 11, 1), "found": 21, "total": 123450}
    await notified(user_id, name, context, "/staff/billing/reconciliation?period=2026-11")
    says = {"ru": ("21 лицевой счёт", "1 234,50 ₽"), "en": ("21 accounts", "₽1,234.50")}
    return Sent(email, user_id, says=says)


@case("billing/receipt_ready")
async def _receipt_ready(world: World, locale: str, name: str) -> Sent:
    from portal.billing import notices
    from portal.billing import queries
    from portal.billing.tables import ReceiptNotice
    from portal.core import clock
    from portal.core.i18n import format_money

    user_id, email = await _resident(world, locale)
    account = await _first_account(user_id)
    receipt = (await queries.receipts_of(account["id"], 1))[0]
    # told afresh in each language: an earlier notice of the month is set aside (kept, so no id is used again)
    await ReceiptNotice.update({ReceiptNotice.key: f"aside:{key()}"}).where(ReceiptNotice.account == account["id"])
    await notices.wait(receipt.period, [account["id"]], clock.now())
    await notices.tell_waiting(clock.now())
    owed = receipt.to_pay if receipt.to_pay > 0 else receipt.overpaid
    says = {lang: (spaced(format_money(owed, lang)),) if owed else () for lang in LOCALES}
    return Sent(email, user_id, names=(account["number"],), says=says)


@case("analytics/nps_invitation")
async def _survey(world: World, locale: str, name: str) -> Sent:
    from portal.analytics.actions import invite
    from portal.analytics.tables import NpsWave
    from portal.core import clock
    from portal.housing.tables import House
    from portal.housing.tables import PersonalAccount

    user_id, email = await _resident(world, locale)
    account = await _first_account(user_id)
    premise = (
        await PersonalAccount.select(PersonalAccount.premise.house.as_alias("house"))
        .where(PersonalAccount.id == account["id"])
        .first()
    )
    house = await House.select(House.complex).where(House.id == premise["house"]).first()
    today = clock.today_local()
    opens_on = date(2020, 1, 1) + timedelta(days=secrets.randbelow(1000))  # a wave of its own: one a day
    wave = NpsWave(complex=house["complex"], opens_on=opens_on, closes_on=today + timedelta(days=14))
    await wave.save()
    await invite(wave.id, house["complex"], wave.closes_on, today)
    return Sent(email, user_id)


@case("content/post")
async def _post(world: World, locale: str, name: str) -> Sent:
    from portal.content.tables import Post
    from portal.content.tables import PostTarget
    from portal.core import clock
    from portal.core import outbox

    user_id, email = await _resident(world, locale)
    post = Post(kind="emergency", status="published", title="Отключение воды", title_en="Water is off",
                body="Ремонт стояка до 18:00.", body_en="The riser is repaired until 18:00.",
                body_html="<p>Ремонт стояка до 18:00.</p>", body_html_en="<p>The riser is repaired until 18:00.</p>",
                published_at=clock.now(), by_email=True, own_words=True, author_name="Диспетчер")  # fmt: skip
    await post.save()
    account = await _first_account(user_id)
    await PostTarget.insert(PostTarget(post=post.id, kind="account", ref=account["id"]))
    await outbox.enqueue("post", f"post:{post.id}", "content/post", {"post": post.id}, f"post:{post.id}")
    return Sent(email, user_id, names=({"ru": "Отключение воды", "en": "Water is off"}[locale],))


@case("content/event_reminder")
async def _event_reminder(world: World, locale: str, name: str) -> Sent:
    from portal.content import actions
    from portal.content.tables import EventAnswer
    from portal.content.tables import Post
    from portal.content.tables import PostTarget
    from portal.core import clock

    user_id, email = await _resident(world, locale)
    starts_at = clock.now() + timedelta(hours=20)  # tomorrow: the reminder is due
    post = Post(kind="event", status="published", title="Субботник во дворе", title_en="Courtyard clean-up",
                body="Грабли выдаём.", body_html="<p>Грабли выдаём.</p>", published_at=clock.now(),
                event_starts_at=starts_at, event_ends_at=starts_at + timedelta(hours=3), event_place="Двор дома",
                author_name="Менеджер")  # fmt: skip
    await post.save()
    account = await _first_account(user_id)
    await PostTarget.insert(PostTarget(post=post.id, kind="account", ref=account["id"]))
    await EventAnswer.insert(EventAnswer(post=post.id, user=user_id, going=True))
    published = clock.now() - timedelta(days=2)  # queued when it was published: its day before has come
    await actions.queue_reminder(post.id, starts_at, published, published)
    title = {"ru": "Субботник во дворе", "en": "Courtyard clean-up"}[locale]
    return Sent(email, user_id, names=(title,), data=("Двор дома",))


@case("showcase/lead", "showcase/offer")
async def _to_showcase_staff(world: World, locale: str, name: str) -> Sent:
    from portal.accounts.tables import User
    from portal.showcase import notices
    from portal.showcase.queries import staff_to_tell
    from portal.showcase.tables import Lead
    from portal.showcase.tables import ListingOffer

    template = registered()[name]
    if name == "showcase/lead":
        lead = await Lead.select(Lead.id, Lead.listing.house, Lead.listing.manager).order_by(Lead.id).first()
        link = f"/staff/showcase/leads/{lead['id']}"
        staff = await staff_to_tell(lead["listing.house"], lead["listing.manager"])
    else:
        offer = await ListingOffer.select(ListingOffer.id, ListingOffer.house).order_by(ListingOffer.id).first()
        link = f"/staff/showcase/offers/{offer['id']}"
        staff = await staff_to_tell(offer["house"], None)
    user_id = staff[0]
    email = (await User.select(User.email).where(User.id == user_id).first())["email"]
    await world.speaks(user_id, locale)
    sample = {**template.sample, "link": link}
    await notices.tell([user_id], template, sample, f"received:{key()}")  # to the first of whom it goes to
    data = tuple(str(v) for k, v in sample.items() if k in ("complex", "address", "name", "message", "owner"))
    return Sent(email, user_id, data=data)


@case("showcase/offer_answer")
async def _offer_answer(world: World, locale: str, name: str) -> Sent:
    from portal.showcase import notices

    user_id, email = await _resident(world, locale)
    template = registered()[name]
    await notices.tell([user_id], template, dict(template.sample), f"received:{key()}")
    return Sent(email, user_id, data=(template.sample["address"],))


# --- the demo data, a mail server, the app ----------------------------------------------------------------------------


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def demo_database(request: pytest.FixtureRequest) -> Iterator[str]:
    """A copy of the demo data on each engine, for this module (each test's messages have keys of their own)."""
    folder = _RUN / f"received-{request.param}"
    if request.param == "sqlite":
        shutil.copytree(demo_template(), folder, dirs_exist_ok=True)
        yield f"sqlite:///{folder / 'live.sqlite'}"
        return
    with demo_postgres("received", folder) as url:
        if url is None:
            missing("PostgreSQL", "start it and set TEST_POSTGRES_URL")
        yield url


@pytest.fixture
async def world(demo_database: str, app: Any, sandbox_sms: Any) -> AsyncIterator[World]:
    from portal.core import db
    from portal.core.tables import OutboxMessage
    from portal.settings import get_settings
    from portal.settings import use_settings

    engine, previous = db.make_engine(demo_database), db.get_engine()
    db.use_engine(engine)
    await db.start(engine)
    before = get_settings()
    with smtp_inbox() as inbox:
        use_settings(dataclasses.replace(before, base_url=BASE, smtp_host=inbox.host, smtp_port=inbox.port))
        try:
            # What the demo left waiting goes nowhere: the test reads only what its case sends.
            waiting = OutboxMessage.status.is_in(["pending", "sending"])
            await OutboxMessage.update({OutboxMessage.status: "kept"}).where(waiting)
            yield World(inbox, app)
        finally:
            use_settings(before)
            if engine is not previous:
                await db.stop(engine)
            db.use_engine(previous)


def test_every_kind_of_message_has_its_case() -> None:
    """A new kind of message is read here from the day it is added."""
    assert sorted(registered()) == sorted(CASES), sorted(set(registered()) ^ set(CASES))


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("name", sorted(CASES))
async def test_a_message_reads_whole_in_its_readers_language_and_its_links_open_its_page(
    world: World, sandbox_sms: Any, name: str, locale: str
) -> None:
    from portal.core import outbox

    sent = await CASES[name](world, locale, name)
    await outbox.deliver_all(seconds=60)
    if sent.sms:
        texts = [m["text"] for m in sandbox_sms.messages() if m["phone"] == sent.to]
        assert len(texts) == 1, texts
        words_of(name, locale, "", texts[0], sent)
        return
    mail = received(world.inbox, sent.to)
    plain, page = parts(mail)
    headers_of(mail, name, locale)
    words_of(name, locale, str(mail["Subject"]), plain, sent)
    if page is not None:
        shown = said(spaced(text_of(page)))
        for sentence in sentences(plain):
            assert sentence in shown, (sentence, shown)
    for link in links(plain, page):
        await opens(world, link, sent, locale)


def received(inbox: Inbox, to: str) -> EmailMessage:
    """The one message to ``to``, as a mail client parses it."""
    found = [e for e in inbox.messages if to in e.rcpt_tos]
    assert len(found) == 1, f"{len(found)} messages to {to}"
    return message_from_bytes(found[0].content, policy=policy.default)  # type: ignore[return-value]


def parts(mail: EmailMessage) -> tuple[str, str | None]:
    """Its text/plain part and its HTML part (None where it has none), each decoded, each said to be UTF-8."""
    plain = mail.get_body(("plain",))
    assert plain is not None, "no text/plain part"
    assert plain.get_content_charset() == "utf-8"
    page = mail.get_body(("html",))
    if page is not None:
        assert page.get_content_charset() == "utf-8"
    return plain.get_content(), page.get_content() if page is not None else None


def headers_of(mail: EmailMessage, name: str, locale: str) -> None:
    from portal.core.i18n import own_words
    from portal.settings import get_settings

    settings = get_settings()
    (sender,) = mail["From"].addresses
    assert sender.display_name == own_words(settings, "company_name", locale), sender
    assert sender.addr_spec == settings.smtp_from
    sent_at = parsedate_to_datetime(mail["Date"])
    now = datetime.now(ZoneInfo(settings.time_zone))
    assert sent_at.utcoffset() == now.utcoffset(), mail["Date"]  # the company's local time, not UTC
    assert abs(sent_at - now) < timedelta(minutes=5), mail["Date"]
    assert re.fullmatch(r"<[^<>@\s]+@[^<>@\s]+>", mail["Message-ID"] or ""), mail["Message-ID"]
    assert str(mail["Subject"]).strip()
    if name.startswith("accounts/") or always_mailed(name):  # a code or a security message: nobody turns it off
        assert mail["List-Unsubscribe"] is None and mail["List-Unsubscribe-Post"] is None
    else:
        assert re.fullmatch(rf"<{re.escape(BASE)}/unsubscribe/[^>]+>", mail["List-Unsubscribe"] or ""), mail
        assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def words_of(name: str, locale: str, subject: str, text: str, sent: Sent) -> None:
    """Whole sentences in the reader's language: nothing left unfilled, no other language's words but the stored
    names, money and the things it must say written as the language writes them."""
    from portal.settings import get_settings

    settings = get_settings()
    text = spaced(text)
    words = spaced(f"{subject}\n{text}")
    assert not LEFTOVERS.search(words), LEFTOVERS.search(words)
    for say in sent.says.get(locale, ()):
        assert say in words, (say, words)
    for thing in sent.names:
        assert thing in words, (thing, words)
    message = text.split("\n\n" + UNSUBSCRIBE[locale])[0]  # what it says, before how to stop such e-mails
    assert re.search(r"[^\s.!?][.!?]", URL.sub("", message)), f"no sentence: {message!r}"
    bare = E_MAIL.sub(" ", URL.sub(" ", words))
    for value in sorted({*sent.data, settings.company_name, settings.company_name_en}, key=len, reverse=True):
        bare = bare.replace(value, " ") if value else bare
    if locale == "en":
        assert not CYRILLIC.search(bare), bare
    else:
        assert CYRILLIC.search(bare), bare
        latin = set(LATIN_WORD.findall(bare)) - LATIN_IN_RUSSIAN
        assert not latin, (latin, bare)
    assert words.count("₽") == len(MONEY[locale].findall(words)), words


def spaced(text: str) -> str:
    """No-break spaces (in money, in «№ 12») read as spaces."""
    return text.replace("\xa0", " ").replace("\u202f", " ")


def sentences(text: str) -> list[str]:
    """The sentences of a plain text that its HTML part says as well: all but a link's label («Отписаться:»,
    «Полностью — в личном кабинете:»), which the HTML part gives as the link itself."""
    found = [
        part for line in spaced(URL.sub("\n", text)).splitlines() for part in re.split(r"(?<=[.!?])\s+", said(line))
    ]
    return [part for part in found if part and not part.endswith(":")]


def said(text: str) -> str:
    return " ".join(text.split())


def text_of(page: str) -> str:
    """An HTML part's words as its reader sees them (the company's name at its top aside)."""
    body = page.split("</p>", 1)[1] if page.count("</p>") > 1 else page  # the first paragraph names the company
    body = re.sub(r"<br\s*/?>", "\n", body)
    body = re.sub(r"</(p|h1|div)>", "\n\n", body)
    return html.unescape(re.sub(r"<[^>]+>", "", body))


def links(plain: str, page: str | None) -> list[str]:
    """Every address of the message, in its text and its HTML part: each one absolute, to the portal."""
    found = URL.findall(plain) + (re.findall(r'href="([^"]+)"', page) if page else [])
    found = [html.unescape(u).rstrip(".,;)") for u in found]
    for url in found:
        assert url.startswith(BASE + "/"), url
    return sorted(set(found))


async def opens(world: World, url: str, sent: Sent, locale: str) -> None:
    """Followed as its reader follows it — signed in as them, signed out where it needs no sign-in — it opens
    (200) the page of what the message names."""
    path = url.removeprefix(BASE)
    signed_in = sent.reader is not None and not path.startswith("/unsubscribe/")
    transport = httpx.ASGITransport(app=world.app)
    browser = {"Accept-Language": locale}  # the reader's browser reads their language
    async with PortalClient(
        transport=transport, base_url="http://testserver", follow_redirects=True, headers=browser
    ) as reader:
        if signed_in:
            await sign_in(world.app, reader, sent.reader)
        answer = await reader.get(path)
        assert answer.status_code == 200, (url, answer.status_code)
        assert answer.url.path != "/login" or path.startswith("/login"), (url, answer.url)
        if signed_in:
            shown = " ".join(spaced(html.unescape(re.sub(r"<[^>]+>", " ", answer.text))).split())
            for thing in sent.names:
                assert thing in shown, (thing, url)


async def sign_in(app: Any, client: httpx.AsyncClient, user_id: int | None) -> None:
    import json

    store = app.stores.get("sessions")
    session_id = secrets.token_hex(32)
    await store.set(session_id, json.dumps({"uid": user_id}).encode(), expires_in=3600)
    client.cookies.set("session", session_id, domain=COOKIE_DOMAIN)


# The messages that count a thing, with the words each count takes (1, 2, 5 and 21: each Russian form and its
# return after 20), as received.
COUNTED = {
    ("billing_reconciliation", "found"): {
        "ru": {1: "1 лицевой счёт,", 2: "2 лицевых счёта,", 5: "5 лицевых счетов,", 21: "21 лицевой счёт,"},
        "en": {1: "1 account whose", 2: "2 accounts whose", 5: "5 accounts whose", 21: "21 accounts whose"},
    },
    ("catalog/order_paid", "more"): {
        "ru": {1: "ещё 1 услуга)", 2: "ещё 2 услуги)", 5: "ещё 5 услуг)", 21: "ещё 21 услуга)"},
        "en": {1: "1 more service)", 2: "2 more services)", 5: "5 more services)", 21: "21 more services)"},
    },
}


@pytest.mark.parametrize("count", [1, 2, 5, 21])
@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("counted", sorted(COUNTED), ids="-".join)
async def test_a_count_takes_the_form_its_number_asks_for(
    world: World, counted: tuple[str, str], locale: str, count: int
) -> None:
    from portal.core import outbox

    name, field = counted
    email = "accountant@demo.ru" if name.startswith("billing") else "resident@demo.ru"
    user_id = await world.user(email)
    await world.speaks(user_id, locale)
    context = {"period": date(2026, 11, 1), "total": 123450, "number": 7, "amount": Decimal("1500"), "title": "Окна",
               "title_en": "Windows", "ticket": 3, field: count}  # fmt: skip
    await notified(user_id, name, context, "/")
    await outbox.deliver_all(seconds=60)
    plain, _ = parts(received(world.inbox, email))
    assert COUNTED[counted][locale][count] in spaced(plain), plain
