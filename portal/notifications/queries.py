"""Reads of notifications: an audience resolved to its people, in one bounded query."""

from __future__ import annotations

import math
from collections.abc import Collection
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from typing import Any

from piccolo.columns import Column
from piccolo.table import Table

from portal.accounts.tables import Residency
from portal.accounts.tables import User
from portal.core import clock
from portal.core.db import json_value
from portal.core.memo import read_once
from portal.core.pagination import Page
from portal.core.pagination import PageRequest
from portal.core.tables import OutboxMessage
from portal.housing.queries import kept_by
from portal.housing.queries import open_on
from portal.housing.tables import Entrance
from portal.housing.tables import PersonalAccount
from portal.housing.tables import Premise
from portal.housing.tables import Riser
from portal.notifications.messages import reworded
from portal.notifications.rules import Audience
from portal.notifications.rules import Channel
from portal.notifications.rules import TargetKind
from portal.notifications.rules import Topic
from portal.notifications.rules import channels_for
from portal.notifications.rules import inapp_link
from portal.notifications.rules import read_unsubscribe_token
from portal.notifications.tables import ChannelChoice
from portal.notifications.tables import PushSubscription
from portal.settings import get_settings

MAX_PAGE = 5000


@dataclass(frozen=True)
class Recipient:
    """A person an audience reaches, with their contacts and the consents that stand (152-ФЗ): what a message
    about a topic may use is decided by ``accounts.rules.may_send`` (``channels_for``) — an emergency reaches a
    person who withdrew the consent, news does not."""

    user_id: int
    locale: str
    email: str | None
    phone: str | None
    consent: bool  # the processing consent stands
    wants_email: bool = True
    consents: frozenset[str] = frozenset()  # the standing consents that messages depend on (processing, marketing)


def _in(column: str, ids: frozenset[int] | set[int], args: list[Any]) -> str:
    args.extend(sorted(ids))
    return f"{column} IN ({', '.join('{}' for _ in ids)})"


@dataclass(frozen=True)
class PostAudience:
    """The audience a post has stored (its selections, one ``post_target`` row each): resolved by joining the
    selections where they are stored, so a post hand-picked for 100,000 accounts is read like a post for one
    house — its ids are never sent as parameters (PostgreSQL takes at most 32,767 a query)."""

    post: int
    is_empty = False  # a post without selections reaches nobody through the join itself


# The premises/accounts a post's stored selections reach, as ``Audience.from_targets`` reads them and
# ``audience_clause`` says them: each kind is a subquery of the post's selections, run once for the query (none is
# correlated with the premise at hand), its result matched by the index of the column it names.
_STORED = """(
    EXISTS (SELECT 1 FROM post_target t WHERE t.post = {} AND t.kind = 'company')
    OR h.complex IN (SELECT t.ref FROM post_target t WHERE t.post = {} AND t.kind = 'complex')
    OR p.house IN (SELECT t.ref FROM post_target t WHERE t.post = {} AND t.kind = 'house')
    OR p.entrance IN (SELECT t.ref FROM post_target t WHERE t.post = {} AND t.kind = 'entrance')
    OR p.id IN (SELECT fp.id FROM post_target t JOIN premise fp ON fp.house = t.ref
        AND fp.floor BETWEEN t.floor_from AND t.floor_to AND (t.entrance IS NULL OR fp.entrance = t.entrance)
        WHERE t.post = {} AND t.kind = 'floors')
    OR p.id IN (SELECT pr.premise FROM post_target t JOIN premise_riser pr ON pr.riser = t.ref
        WHERE t.post = {} AND t.kind = 'riser')
    OR p.id IN (SELECT t.ref FROM post_target t WHERE t.post = {} AND t.kind = 'premise')
    OR a.id IN (SELECT t.ref FROM post_target t WHERE t.post = {} AND t.kind = 'account')
)"""


# The same selections asked of one premise and account at a time: each kind is a lookup of the post's selection
# naming this premise's house, entrance, riser, the premise or the account by the (post, kind, ref) index, so a
# page of recipients costs its own people, never the post's whole audience (which ``_STORED`` reads at once: right
# for a count, wrong for the 80th page of a big post, where it was read again for every page).
_STORED_AT = """(
    EXISTS (SELECT 1 FROM post_target t WHERE t.post = {} AND t.kind = 'company')
    OR EXISTS (SELECT 1 FROM post_target t WHERE t.post = {} AND t.kind = 'complex' AND t.ref = h.complex)
    OR EXISTS (SELECT 1 FROM post_target t WHERE t.post = {} AND t.kind = 'house' AND t.ref = p.house)
    OR EXISTS (SELECT 1 FROM post_target t WHERE t.post = {} AND t.kind = 'entrance' AND t.ref = p.entrance)
    OR EXISTS (SELECT 1 FROM post_target t WHERE t.post = {} AND t.kind = 'floors' AND t.ref = p.house
        AND p.floor BETWEEN t.floor_from AND t.floor_to AND (t.entrance IS NULL OR t.entrance = p.entrance))
    OR EXISTS (SELECT 1 FROM premise_riser pr JOIN post_target t ON t.ref = pr.riser
        WHERE pr.premise = p.id AND t.post = {} AND t.kind = 'riser')
    OR EXISTS (SELECT 1 FROM post_target t WHERE t.post = {} AND t.kind = 'premise' AND t.ref = p.id)
    OR EXISTS (SELECT 1 FROM post_target t WHERE t.post = {} AND t.kind = 'account' AND t.ref = a.id)
)"""


def audience_clause(audience: Audience | PostAudience, args: list[Any], *, one_at_a_time: bool = False) -> str:
    """The WHERE condition selecting the premises/accounts of ``audience`` (p: premise, a: account, h: house);
    ``one_at_a_time``: a post's stored audience asked of each premise and account by index (``_STORED_AT``)
    instead of read whole once (``_STORED``)."""
    if isinstance(audience, PostAudience):
        stored = _STORED_AT if one_at_a_time else _STORED
        args.extend([audience.post] * stored.count("{}"))
        return stored
    if audience.company:
        return "1 = 1"
    parts: list[str] = []
    if audience.complexes:
        parts.append(_in("h.complex", audience.complexes, args))
    if audience.houses:
        parts.append(_in("p.house", audience.houses, args))
    if audience.entrances:
        parts.append(_in("p.entrance", audience.entrances, args))
    for floors in audience.floors:
        part = "(p.house = {} AND p.floor BETWEEN {} AND {}"
        args.extend([floors.house, floors.floor_from, floors.floor_to])
        if floors.entrance is not None:
            part += " AND p.entrance = {}"
            args.append(floors.entrance)
        parts.append(part + ")")
    if audience.risers:
        parts.append(
            "p.id IN (SELECT pr.premise FROM premise_riser pr WHERE "  # noqa: S608 (placeholders only)
            + _in("pr.riser", audience.risers, args)
            + ")"
        )
    if audience.premises:
        parts.append(_in("p.id", audience.premises, args))
    if audience.accounts:
        parts.append(_in("a.id", audience.accounts, args))
    return "(" + " OR ".join(parts) + ")" if parts else "1 = 0"


_SELECT = (
    "SELECT u.id AS user_id, u.locale, u.email, u.phone, u.notify_email, "
    "EXISTS (SELECT 1 FROM consent_record c WHERE c.\"user\" = u.id AND c.consent_type = 'processing' "
    "AND c.withdrawn_at IS NULL) AS consent, "
    "EXISTS (SELECT 1 FROM consent_record c WHERE c.\"user\" = u.id AND c.consent_type = 'marketing' "
    "AND c.withdrawn_at IS NULL) AS marketing"
)
_FROM = """
FROM residency r
JOIN personal_account a ON a.id = r.account
JOIN premise p ON p.id = a.premise
JOIN house h ON h.id = p.house
JOIN portal_user u ON u.id = r."user"
WHERE r.revoked_at IS NULL AND OPEN_ACCOUNT AND u.is_active = {}
"""
# A page of people: active users from an id on, in id order, each with a live residency of an account the audience
# reaches. Two ways to find them, chosen once per sending (``paging``):
# - walking the people by their primary key, each asked of whether the audience reaches them (``_STORED_AT``), the
#   walk stopping at the page's end: a page costs the people it passes, whatever its number and however big the
#   audience — one pass over the people for the whole sending. Right for a big audience;
# - from the audience's side (``_people_of``: the post's selections joined to their premises, accounts and
#   residencies), then the page's first ids: a page costs the audience. Right for a small one (a riser's outage in
#   a company of 100,000 people), where a walk would pass every person to find a few.
_WALK = """
FROM portal_user u
WHERE u.is_active = {} AND u.id > {} AND EXISTS (
    SELECT 1 FROM residency r
    JOIN personal_account a ON a.id = r.account
    JOIN premise p ON p.id = a.premise
    JOIN house h ON h.id = p.house
    WHERE r."user" = u.id AND r.revoked_at IS NULL AND OPEN_ACCOUNT AND {where}
)
ORDER BY u.id LIMIT {}
"""
# The people a post's stored selections reach (with repeats), as ``_STORED`` selects them, found from the selections:
# the premises of each kind the post has (only those kinds, so that the planner counts on the premises they name),
# their accounts and residencies, and the residencies of its hand-picked accounts.
_PREMISES_OF = {
    "complex": "SELECT p.id FROM post_target t JOIN house h ON h.complex = t.ref JOIN premise p ON p.house = h.id "
    "WHERE t.post = {} AND t.kind = 'complex'",
    "house": "SELECT p.id FROM post_target t JOIN premise p ON p.house = t.ref WHERE t.post = {} AND t.kind = 'house'",
    "entrance": "SELECT p.id FROM post_target t JOIN premise p ON p.entrance = t.ref "
    "WHERE t.post = {} AND t.kind = 'entrance'",
    "floors": "SELECT p.id FROM post_target t JOIN premise p ON p.house = t.ref AND p.floor BETWEEN t.floor_from "
    "AND t.floor_to AND (t.entrance IS NULL OR p.entrance = t.entrance) WHERE t.post = {} AND t.kind = 'floors'",
    "riser": "SELECT pr.premise FROM post_target t JOIN premise_riser pr ON pr.riser = t.ref "
    "WHERE t.post = {} AND t.kind = 'riser'",
    "premise": "SELECT t.ref FROM post_target t WHERE t.post = {} AND t.kind = 'premise'",
}
_LIVING_IN = """SELECT r."user" AS id FROM residency r JOIN personal_account a ON a.id = r.account
WHERE r.revoked_at IS NULL AND OPEN_ACCOUNT AND a.premise IN (PREMISES)"""
_HOLDING = """SELECT r."user" AS id FROM post_target t JOIN personal_account a ON a.id = t.ref
JOIN residency r ON r.account = a.id
WHERE t.post = {} AND t.kind = 'account' AND r.revoked_at IS NULL AND OPEN_ACCOUNT"""
# The people of open accounts only (a: the account; ``housing.queries.open_on``, the rule of every read of people).
_FROM, _WALK, _LIVING_IN, _HOLDING = (
    q.replace("OPEN_ACCOUNT", open_on("a")) for q in (_FROM, _WALK, _LIVING_IN, _HOLDING)
)
# The people of an account as a message of its own reaches them (its receipt is ready): a closed one's owners too, who
# pay its debt; its family members and tenants no more (``housing.queries.kept_by``).
_OF_ACCOUNTS = _FROM.replace(open_on("a"), kept_by("r"))
_FROM_POST = """
FROM portal_user u
WHERE u.is_active = {} AND u.id > {} AND u.id IN (PEOPLE)
ORDER BY u.id LIMIT {}
"""
_KINDS = ("company", *_PREMISES_OF, "account")
_HAS = "EXISTS (SELECT 1 FROM post_target t WHERE t.post = {{}} AND t.kind = '{kind}') AS {kind}"


def _people_of(audience: PostAudience, kinds: Sequence[str], today: date, args: list[Any]) -> str:
    parts = []
    premises = [k for k in _PREMISES_OF if k in kinds]
    if premises:
        args.append(today)
        args.extend([audience.post] * len(premises))
        parts.append(_LIVING_IN.replace("PREMISES", " UNION ALL ".join(_PREMISES_OF[k] for k in premises)))
    if "account" in kinds:
        args.extend([audience.post, today])
        parts.append(_HOLDING)
    return " UNION ALL ".join(parts) or "SELECT 0 AS id WHERE 1 = 0"


async def kinds_of(audience: PostAudience) -> list[str]:
    """The kinds of selection the post has (one look each by the (post, kind, ref) index)."""
    asked = ", ".join(_HAS.format(kind=kind) for kind in _KINDS)
    row = (await Residency.raw("SELECT " + asked, *[audience.post] * len(_KINDS)))[0]
    return [kind for kind in _KINDS if row[kind]]


async def paging(audience: Audience | PostAudience, page: int, today: date | None = None) -> list[str] | None:
    """How the sending of ``audience`` in pages of ``page`` finds each page: None, walking the people (``_WALK``),
    or starting from the post's selections of these kinds (``_people_of``). Walking passes every person once for
    the whole sending (n people); starting from the audience reads the audience for each of its pages (a people,
    a / page times: a² / page): so a walk where a is more than √(page × n), and always for the whole company. A
    few bounded queries, once per sending."""
    if not isinstance(audience, PostAudience):
        return None
    kinds = await kinds_of(audience)
    if "company" in kinds:
        return None
    people = await Residency.raw("SELECT COUNT(*) AS n FROM portal_user WHERE is_active = {}", True)
    enough = math.isqrt(max(1, page) * int(people[0]["n"])) + 1
    args: list[Any] = []
    people_of = _people_of(audience, kinds, today or clock.today_local(), args)
    sql = "SELECT COUNT(*) AS n FROM (" + people_of + " LIMIT {}) x"  # noqa: S608 (placeholders only)
    reached = await Residency.raw(sql, *args, enough)
    return None if int(reached[0]["n"]) >= enough else kinds


def page_query(
    audience: Audience | PostAudience,
    *,
    after_user: int = 0,
    limit: int = 1000,
    today: date | None = None,
    kinds: Sequence[str] | None = None,
) -> tuple[str, list[Any]]:
    """The query of one page of ``resolve_audience`` and its values (the tests read its plan): a walk, or with
    ``kinds`` (``paging``) from the post's selections of those kinds."""
    today = today or clock.today_local()
    args: list[Any] = [True, after_user]
    if kinds is None or not isinstance(audience, PostAudience) or "company" in kinds:
        args.append(today)
        where = audience_clause(audience, args, one_at_a_time=True)
        sql = _SELECT + _WALK.replace("{where}", where)
    else:
        sql = _SELECT + _FROM_POST.replace("PEOPLE", _people_of(audience, kinds, today, args))
    args.append(max(1, min(limit, MAX_PAGE)))
    # Only column names and {} placeholders are assembled here; every value goes as a parameter.
    return sql, args


_DECIDE: Any = object()


async def resolve_audience(
    audience: Audience | PostAudience,
    *,
    after_user: int = 0,
    limit: int = 1000,
    today: date | None = None,
    kinds: Sequence[str] | None = _DECIDE,
) -> list[Recipient]:
    """The people ``audience`` reaches (residents of its premises and accounts, active, with a live residency),
    each once however many selections reach them, in user-id order from ``after_user`` on, at most ``limit``
    (at most 5000): one query per page; the caller pages on with the last id, and says how the pages are found
    (``paging``: None, a walk; or the kinds of selection to start from), asked here when not said.
    """
    if audience.is_empty:
        return []
    if kinds is _DECIDE:
        kinds = await paging(audience, limit, today)
    sql, args = page_query(audience, after_user=after_user, limit=limit, today=today, kinds=kinds)
    return [_recipient(row) for row in await Residency.raw(sql, *args)]


def _recipient(row: dict[str, Any]) -> Recipient:
    consent = bool(row["consent"])
    consents = {"processing"} if consent else set()
    if row["marketing"]:
        consents.add("marketing")
    return Recipient(
        user_id=int(row["user_id"]),
        locale=row["locale"] or "ru",
        email=row["email"] or None,
        phone=row["phone"] or None,
        consent=consent,
        wants_email=bool(row["notify_email"]),
        consents=frozenset(consents),
    )


async def people_of_accounts(account_ids: Collection[int], today: date | None = None) -> dict[int, list[Recipient]]:
    """The people of each account as its own messages reach them (a live residency, active; of a closed account its
    owners only, ``_OF_ACCOUNTS``), by account: one query per 1000 accounts."""
    found: dict[int, list[Recipient]] = {}
    for chunk in chunks(set(account_ids)):
        args: list[Any] = [today or clock.today_local(), True]
        where = _in("a.id", set(chunk), args)
        sql = _SELECT + ", r.account AS account" + _OF_ACCOUNTS + f"AND {where} ORDER BY r.account, u.id"
        for row in await Residency.raw(sql, *args):
            people = found.setdefault(int(row["account"]), [])
            if all(p.user_id != row["user_id"] for p in people):
                people.append(_recipient(row))
    return found


async def people(user_ids: Collection[int]) -> list[Recipient]:
    """These people, active ones, with their contacts and standing consents: one query per 1000."""
    found: list[Recipient] = []
    for chunk in chunks(set(user_ids)):
        args: list[Any] = [True]
        sql = _SELECT + " FROM portal_user u WHERE u.is_active = {} AND " + _in("u.id", set(chunk), args)
        found += [_recipient(r) for r in await Residency.raw(sql + " ORDER BY u.id", *args)]
    return found


async def count_audience(
    audience: Audience | PostAudience, *, today: date | None = None, houses: Collection[int] | None = None
) -> int:
    """How many people ``audience`` reaches (one query; shown on the post form before publishing); with
    ``houses`` (a staff member's), only those it reaches in these houses."""
    if audience.is_empty or (houses is not None and not houses):
        return 0
    args: list[Any] = [today or clock.today_local(), True]
    where = audience_clause(audience, args)
    if houses is not None:
        where += " AND " + _in("p.house", set(houses), args)
    rows = await Residency.raw("SELECT COUNT(DISTINCT u.id) AS n" + _FROM + f"AND {where}", *args)
    return int(rows[0]["n"]) if rows else 0


# --- channel choices and browsers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Subscription:
    id: int
    endpoint: str
    p256dh: str
    auth: str


async def choices_of(user_ids: list[int]) -> dict[int, dict[tuple[str, str], bool]]:
    """Each person's channel choices that differ from the defaults (one query for a page of people)."""
    found: dict[int, dict[tuple[str, str], bool]] = {u: {} for u in user_ids}
    if not user_ids:
        return found
    rows = await ChannelChoice.select(
        ChannelChoice.user, ChannelChoice.topic, ChannelChoice.channel, ChannelChoice.enabled
    ).where(ChannelChoice.user.is_in(user_ids))
    for row in rows:
        found[row["user"]][(row["topic"], row["channel"])] = bool(row["enabled"])
    return found


@dataclass(frozen=True)
class Contacts:
    """Where a person's notifications can go: the profile's e-mail and phone, and its switch for e-mail."""

    email: str | None
    phone: str | None
    email_on: bool


async def contacts_of(user_id: int) -> Contacts:
    row = await User.select(User.email, User.phone, User.notify_email).where(User.id == user_id).first()
    if row is None:
        return Contacts(email=None, phone=None, email_on=False)
    return Contacts(email=row["email"] or None, phone=row["phone"] or None, email_on=bool(row["notify_email"]))


@dataclass(frozen=True)
class Unsubscribing:
    """Whom an e-mail's unsubscribe address names, and from which topic's e-mail."""

    user_id: int
    topic: Topic


async def unsubscribing(token: str) -> Unsubscribing | None:
    """The person and topic of an unsubscribe token that is ours and names a person who still has an account (one
    erased or deleted since the letter was sent has none: the link no longer works)."""
    named = read_unsubscribe_token(get_settings().secret_key, token)
    if named is None:
        return None
    user_id, topic = named
    known = await User.exists().where((User.id == user_id) & User.is_active.eq(True))
    return Unsubscribing(user_id, topic) if known else None


async def push_counts(user_ids: list[int]) -> dict[int, int]:
    """How many live browser subscriptions each person has (one query)."""
    if not user_ids:
        return {}
    rows = await PushSubscription.select(PushSubscription.user).where(
        PushSubscription.user.is_in(user_ids) & PushSubscription.gone_at.is_null()
    )
    counts: dict[int, int] = {}
    for row in rows:
        counts[row["user"]] = counts.get(row["user"], 0) + 1
    return counts


async def push_endpoints(user_id: int) -> list[str]:
    """The endpoints of the person's live browser subscriptions (one query)."""
    rows = await PushSubscription.select(PushSubscription.endpoint).where(
        (PushSubscription.user == user_id) & PushSubscription.gone_at.is_null()
    )
    return [r["endpoint"] for r in rows]


async def channels_of(people: list[Recipient], topic: Topic, offered: frozenset[Channel]) -> dict[int, list[Channel]]:
    """The channels each of ``people`` gets a message about ``topic`` by (``rules.channels_for`` with the person's
    contacts, consents, channel choices and browsers; two queries for the whole page of people)."""
    ids = [p.user_id for p in people]
    choices, pushes = await choices_of(ids), await push_counts(ids)
    return {
        p.user_id: channels_for(
            topic,
            offered,
            choices.get(p.user_id, {}),
            email=p.email,
            phone=p.phone,
            push_endpoints=pushes.get(p.user_id, 0),
            email_on=p.wants_email,
            consents=p.consents,
        )
        for p in people
    }


async def live_subscriptions(user_id: int) -> list[Subscription]:
    rows = await PushSubscription.select(
        PushSubscription.id, PushSubscription.endpoint, PushSubscription.p256dh, PushSubscription.auth
    ).where((PushSubscription.user == user_id) & PushSubscription.gone_at.is_null())
    return [Subscription(r["id"], r["endpoint"], r["p256dh"], r["auth"]) for r in rows]


async def inapp_twin(user_id: int, ref: str) -> int | None:
    """The person's in-app message of the event a push tells of (the same ``ref``), so that tapping the push
    can open it by ``/notifications/<id>/open`` and mark it read; ``None`` when the event has none (a post: its
    own page marks it read). By the ``user_id`` index."""
    if not ref:
        return None
    row = await (
        OutboxMessage.select(OutboxMessage.id)
        .where(
            (OutboxMessage.user_id == user_id)
            & (OutboxMessage.channel == Channel.INAPP.value)
            & (OutboxMessage.ref == ref)
        )
        .order_by(OutboxMessage.id, ascending=False)
        .first()
    )
    return row["id"] if row else None


async def forget_subscription(subscription_id: int) -> None:
    await PushSubscription.update({PushSubscription.gone_at: clock.now()}).where(PushSubscription.id == subscription_id)


CHUNK = 5000  # ids a query is sent at most: a hand-picked audience is read in several, never past the driver's limit


def chunks(ids: frozenset[int] | set[int]) -> list[list[int]]:
    ordered = sorted(ids)
    return [ordered[i : i + CHUNK] for i in range(0, len(ordered), CHUNK)]


async def houses_of(audience: Audience) -> dict[tuple[str, int], int]:
    """The house of each selection that lies within one house (entrances, risers, premises, accounts, floors,
    houses): what staff scoping checks. Complexes and the whole company lie within none. A hand-picked list is
    read ``CHUNK`` ids a query."""
    found: dict[tuple[str, int], int] = {(TargetKind.HOUSE.value, h): h for h in audience.houses}
    found.update({(TargetKind.FLOORS.value, f.house): f.house for f in audience.floors})

    async def read(kind: TargetKind, chosen: frozenset[int], table: type[Table], house: Column) -> None:
        for ids in chunks(chosen):
            for r in await table.select(table.id, house.as_alias("house")).where(table.id.is_in(ids)):
                found[(kind.value, r["id"])] = r["house"]

    await read(TargetKind.ENTRANCE, audience.entrances, Entrance, Entrance.house)
    await read(TargetKind.RISER, audience.risers, Riser, Riser.house)
    await read(TargetKind.PREMISE, audience.premises, Premise, Premise.house)
    await read(TargetKind.ACCOUNT, audience.accounts, PersonalAccount, PersonalAccount.premise.house)
    return found


# --- a person's in-app messages ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class InAppMessage:
    id: int
    subject: str
    body: str
    link: str | None  # a path on this site only (``rules.inapp_link``)
    created_at: datetime
    unread: bool


def shown_in_app(user_id: int, now: datetime) -> Any:
    """A person's in-app messages that are theirs to see: delivered, or queued and due (delivering one only marks
    it sent); one put off to later (``not_before``) stays unseen until its time. By the ``user_id`` index."""
    due = OutboxMessage.status.is_in(["pending", "sending"]) & (OutboxMessage.next_attempt_at <= now)
    return (
        (OutboxMessage.user_id == user_id)
        & (OutboxMessage.channel == Channel.INAPP.value)
        & ((OutboxMessage.status == "sent") | due)
    )


async def inapp_messages(user_id: int, page: PageRequest) -> Page[InAppMessage]:
    """A page of the person's in-app messages, newest first (two queries: the count and the page), each worded in
    the reader's language of the moment where its row kept its template's context (``messages.reworded``)."""
    mine = shown_in_app(user_id, clock.now())
    total = await OutboxMessage.count().where(mine)
    rows = await (
        OutboxMessage.select(
            OutboxMessage.id,
            OutboxMessage.template,
            OutboxMessage.subject,
            OutboxMessage.body,
            OutboxMessage.context,
            OutboxMessage.created_at,
            OutboxMessage.read_at,
        )
        .where(mine)
        .order_by(OutboxMessage.created_at, ascending=False)
        .order_by(OutboxMessage.id, ascending=False)
        .limit(page.size)
        .offset(page.offset)
    )
    base_url = get_settings().base_url
    items = []
    for r in rows:
        context = json_value(r["context"])
        subject, body = reworded(r["template"], context, r["subject"], r["body"])
        link = inapp_link(context, base_url)
        items.append(InAppMessage(r["id"], subject, body, link, r["created_at"], unread=r["read_at"] is None))
    return Page(items, total, page.number, page.size)


@dataclass(frozen=True)
class Opened:
    """Where one of the person's in-app messages leads (``None``: it links nowhere, the list is shown)."""

    link: str | None


async def opened(user_id: int, message_id: int) -> Opened | None:
    """The page message ``message_id`` of the person links to; ``None`` when it is not one of theirs to see."""
    row = await (
        OutboxMessage.select(OutboxMessage.context)
        .where(shown_in_app(user_id, clock.now()) & (OutboxMessage.id == message_id))
        .first()
    )
    if row is None:
        return None
    context = json_value(row["context"])
    return Opened(inapp_link(context, get_settings().base_url))


async def unread_count(user_id: int) -> int:
    """How many of the person's in-app messages are not read yet: one count by the (user_id, channel, read_at)
    index, made once per page (``memo.read_once``: the navigation and the home page's section share it)."""
    unread = shown_in_app(user_id, clock.now()) & OutboxMessage.read_at.is_null()
    return await read_once(("notifications:unread", user_id), lambda: OutboxMessage.count().where(unread))
