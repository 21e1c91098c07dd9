"""Reads of content: the staff list with its filters and delivery counts, a post loaded only for those who may see
it, the resident's feed with unread marks, and the emergencies in force for a resident."""

from __future__ import annotations

from collections.abc import Collection
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from dataclasses import fields
from dataclasses import replace
from datetime import UTC
from datetime import date
from datetime import datetime
from typing import Any
from typing import TypeVar

from litestar.exceptions import NotFoundException
from piccolo.query.methods.select import Count

from portal.content import rules
from portal.content.rules import ACCOUNTS_NAMED
from portal.content.rules import AudienceNames
from portal.content.rules import OutageFacts
from portal.content.rules import is_live
from portal.content.rules import outside
from portal.content.tables import EventAnswer
from portal.content.tables import Post
from portal.content.tables import PostImage
from portal.content.tables import PostKind
from portal.content.tables import PostRead
from portal.content.tables import PostStatus
from portal.content.tables import PostTarget
from portal.core import clock
from portal.core import orphans
from portal.core.clauses import either
from portal.core.clauses import every
from portal.core.clauses import on_days
from portal.core.db import from_row
from portal.core.db import is_sqlite
from portal.core.paged import read_page
from portal.core.pagination import Page
from portal.core.pagination import PageRequest
from portal.core.search import text_match
from portal.core.security import Principal
from portal.core.tables import OutboxMessage
from portal.core.values import placeholders
from portal.core.web import found
from portal.housing.queries import kept
from portal.housing.queries import kept_by
from portal.housing.queries import open_on
from portal.notifications.rules import Audience
from portal.notifications.rules import FloorRange
from portal.notifications.rules import Target


@dataclass(frozen=True)
class PostRow:
    id: int
    kind: str
    status: str
    title: str
    publish_at: datetime | None
    ends_at: datetime | None
    published_at: datetime | None
    created_at: datetime
    author_name: str
    needs_review: bool
    by_email: bool
    by_sms: bool
    by_push: bool
    outage: int | None = None
    editor_name: str = ""  # who last changed it, and when (None: nobody since it was written)
    edited_at: datetime | None = None
    own_words: bool = False
    title_html: str = ""  # an outage notice's title said as HTML (``said``), its Russian names marked
    sent: dict[str, int] = field(default_factory=dict)  # channel → sent
    failed: dict[str, int] = field(default_factory=dict)  # channel → failed
    reads: int = 0
    audience_names: AudienceNames = field(default_factory=AudienceNames)
    going: int | None = None  # an event's «Пойду» answers in all, as its page counts them (None: not an event)


@dataclass(frozen=True)
class PostView:
    id: int
    kind: str
    status: str
    title: str
    body: str
    body_html: str
    publish_at: datetime | None
    ends_at: datetime | None
    published_at: datetime | None
    author: int | None
    author_name: str
    review_comment: str
    needs_review: bool
    by_email: bool
    by_sms: bool
    by_push: bool
    outage: int | None
    own_words: bool = False
    editor_name: str = ""  # who last changed it, and when (None: nobody since it was written)
    edited_at: datetime | None = None
    updated_at: datetime | None = None  # its version: the edit form carries it (core.stale)
    title_html: str = ""  # an outage notice's title said as HTML (``said``), its Russian names marked
    title_en: str = ""  # the English twin (read through i18n.own_words: the Russian stands in where empty)
    body_en: str = ""
    body_html_en: str = ""
    images: list[Picture] = field(default_factory=list)
    houses: frozenset[int] = frozenset()
    audience_names: AudienceNames = field(default_factory=AudienceNames)
    # An event's time, place and capacity (kind EVENT).
    event_starts_at: datetime | None = None
    event_ends_at: datetime | None = None
    event_place: str = ""
    event_capacity: int | None = None


@dataclass(frozen=True)
class Picture:
    """A picture of a post with its size in pixels (0 where unknown): the page keeps its room before it loads."""

    id: int
    width: int = 0
    height: int = 0


async def pictures_of(post_id: int) -> list[Picture]:
    rows = (
        await PostImage.select(PostImage.id, PostImage.width, PostImage.height)
        .where(PostImage.post == post_id)
        .order_by(PostImage.id)
    )
    return [Picture(r["id"], r["width"] or 0, r["height"] or 0) for r in rows]


@dataclass(frozen=True)
class StaffFilter:
    q: str = ""
    kind: str = ""
    status: str = ""  # a PostStatus, or "" for all
    published: str = ""  # "yes" / "no" / ""
    date_from: date | None = None  # created on or after this day, in the company's zone
    date_to: date | None = None  # created on or before this day


_ROW_COLUMNS = (
    Post.id,
    Post.kind,
    Post.status,
    Post.title,
    Post.publish_at,
    Post.ends_at,
    Post.published_at,
    Post.created_at,
    Post.author_name,
    Post.needs_review,
    Post.by_email,
    Post.by_sms,
    Post.by_push,
    Post.outage,
    Post.own_words,
    Post.editor_name,
    Post.edited_at,
)


def _staff_scope(principal: Principal) -> Any:
    """Posts a staff user may see: every post for those with every house; otherwise posts that name one of
    their houses (or were written by them)."""
    if principal.house_ids is None:
        return Post.id > 0
    houses = sorted(principal.house_ids) or [-1]
    named = PostTarget.select(PostTarget.post).where(PostTarget.house.is_in(houses))
    return Post.id.is_in(named) | (Post.author == principal.user_id)


def _where(principal: Principal, f: StaffFilter) -> Any:
    where = _staff_scope(principal)
    if f.kind in PostKind.__members__.values():
        where &= Post.kind == f.kind
    if f.status in PostStatus.__members__.values():
        where &= Post.status == f.status
    if f.published == "yes":
        where &= Post.status == PostStatus.PUBLISHED
    elif f.published == "no":
        where &= Post.status != PostStatus.PUBLISHED
    days = on_days(Post.created_at, f.date_from, f.date_to)
    if days is not None:
        where &= days
    if f.q:
        match = text_match("post", "search_text", f.q)
        if match is not None:
            where &= match
    return where


async def staff_posts(principal: Principal, f: StaffFilter, page: PageRequest) -> Page[PostRow]:
    """One page of the staff list, newest first, with the delivery counts and reads of its posts, and how many
    are going to its events."""
    where = _where(principal, f)
    rows, total = await read_page(Post, _ROW_COLUMNS, where, page)
    ids = [r["id"] for r in rows]
    sent, failed, reads = await _counts(ids, principal.house_ids)
    names = await audience_names(ids, principal.house_ids)
    going = await going_counts([r["id"] for r in rows if r["kind"] == PostKind.EVENT])
    items = [
        PostRow(
            **r, sent=sent.get(r["id"], {}), failed=failed.get(r["id"], {}), reads=reads.get(r["id"], 0),
            audience_names=names.get(r["id"], AudienceNames()),
            going=going.get(r["id"], 0) if r["kind"] == PostKind.EVENT else None,
        )
        for r in rows
    ]  # fmt: skip
    items = await in_readers_words(items)
    return Page(items=items, total=total, number=page.number, size=page.size)


# The messages to, and the reads by, people living in some houses, as the delivery log shows them
# (``delivery_log``): a condition inside the grouped counts, so a scoped list costs no more queries than the whole one.
# A family member or tenant of a closed account lives there no more (``housing.queries.kept_by``).
_LIVING_IN = """ AND {who} IN (SELECT r."user" FROM residency r JOIN personal_account a ON a.id = r.account
JOIN premise p ON p.id = a.premise WHERE p.house IN ({houses}) AND KEPT)""".replace("KEPT", kept_by("r"))


async def _counts(
    ids: list[int], scope: Collection[int] | None = None
) -> tuple[dict[int, dict[str, int]], dict[int, dict[str, int]], dict[int, int]]:
    """Sent and failed messages per channel, and reads, for these posts (two grouped queries); for a staff member
    of some houses (``scope``), the messages to and the reads by people living in their houses only."""
    sent: dict[int, dict[str, int]] = {}
    failed: dict[int, dict[str, int]] = {}
    reads: dict[int, int] = {}
    if not ids:
        return sent, failed, reads
    refs = [f"post:{i}" for i in ids]
    houses = [] if scope is None else sorted(scope) or [-1]
    scoped = [*houses, clock.today_local()] if houses else []

    def living_in(who: str) -> str:
        return _LIVING_IN.replace("{who}", who).replace("{houses}", placeholders(houses)) if houses else ""

    delivery = await OutboxMessage.raw(
        "SELECT ref, channel, status, COUNT(*) AS n FROM outbox_message WHERE ref IN ("  # noqa: S608 (placeholders only)
        + placeholders(refs)
        + ") AND channel IN ('email', 'sms', 'push')"
        + living_in("user_id")
        + " GROUP BY ref, channel, status",
        *refs,
        *scoped,
    )
    for row in delivery:
        post = int(row["ref"].split(":")[1])
        if row["status"] in ("sent", "kept"):
            sent.setdefault(post, {})[row["channel"]] = sent.get(post, {}).get(row["channel"], 0) + row["n"]
        elif row["status"] == "failed":
            failed.setdefault(post, {})[row["channel"]] = row["n"]
    for row in await PostRead.raw(
        "SELECT post, COUNT(*) AS n FROM post_read WHERE post IN ("  # noqa: S608 (placeholders only)
        + placeholders(ids)
        + ")"
        + living_in('"user"')
        + " GROUP BY post",
        *ids,
        *scoped,
    ):
        reads[int(row["post"])] = int(row["n"])
    return sent, failed, reads


def within(houses: Collection[int] | None) -> Any:
    """The selections of a post that lie in ``houses`` (a staff member's; None: every house, every selection).
    A selection of a complex or the whole company, or one stored without its house, lies in none of them."""
    if houses is None:
        return PostTarget.id > 0
    return PostTarget.house.is_in(sorted(houses) or [-1])


async def stored_audience(post_id: int, houses: Collection[int] | None = None) -> Audience:
    """The audience a post has stored, every selection of it (what a copy of the post starts from); with
    ``houses``, only the part that lies in them (``within``)."""
    rows = await PostTarget.select(
        PostTarget.kind, PostTarget.ref, PostTarget.entrance, PostTarget.floor_from, PostTarget.floor_to
    ).where((PostTarget.post == post_id) & within(houses))
    return Audience.from_targets(Target(**r) for r in rows)


FORM_TARGETS = 250  # more selections than the post form can show (its account field takes 200 numbers)


async def form_choice(post_id: int, houses: Collection[int] | None = None) -> Any | None:
    """The post's stored audience as the post form says it (``forms.AudienceChoice``), so that editing a post
    starts from whom it is for, each house with its own entrances and floors — or None where the form cannot say it
    exactly (single premises, a complex, one house's floors of some entrances and all of others, a hand-picked
    audience larger than the form): a form that showed only the houses would, saved, have widened «entrance 2» to
    the whole house. Bounded reads: at most ``FORM_TARGETS`` selections, then the names of those few.

    With ``houses`` (a staff member's), only the part of the audience that lies in them (``within``): the
    entrances, risers and accounts of other houses are never read into the form, and saving replaces only this
    part (``actions.save_post``)."""
    from portal.content.forms import AudienceChoice
    from portal.content.forms import HousePart
    from portal.housing.tables import Entrance
    from portal.housing.tables import PersonalAccount
    from portal.housing.tables import Riser

    rows = await (
        PostTarget.select(
            PostTarget.kind, PostTarget.ref, PostTarget.entrance, PostTarget.floor_from, PostTarget.floor_to
        )
        .where((PostTarget.post == post_id) & within(houses))
        .limit(FORM_TARGETS + 1)
    )
    if len(rows) > FORM_TARGETS:
        return None
    stored = Audience.from_targets(Target(**r) for r in rows)
    if stored.company:
        return AudienceChoice(company=True)
    if stored.complexes or stored.premises:
        return None
    entrance_ids = sorted(stored.entrances | {f.entrance for f in stored.floors if f.entrance is not None})
    entrances = await Entrance.select(Entrance.id, Entrance.house, Entrance.number).where(
        Entrance.id.is_in(entrance_ids or [0])
    )
    risers = await Riser.select(Riser.house, Riser.code).where(Riser.id.is_in(sorted(stored.risers) or [0]))
    accounts = await PersonalAccount.select(PersonalAccount.number).where(
        PersonalAccount.id.is_in(sorted(stored.accounts) or [0])
    )
    entrance = {r["id"]: (r["house"], r["number"]) for r in entrances}
    numbers: dict[int, set[int]] = {}
    for e in stored.entrances:
        numbers.setdefault(entrance[e][0], set()).add(entrance[e][1])
    ranges: dict[int, set[tuple[int, int]]] = {}
    for f in stored.floors:
        ranges.setdefault(f.house, set()).add((f.floor_from, f.floor_to))
        if f.entrance is not None:
            numbers.setdefault(f.house, set()).add(entrance[f.entrance][1])
    if any(len(r) > 1 for r in ranges.values()):
        return None  # one house, several ranges of floors: more than its two fields say
    parts = tuple(
        HousePart(house, tuple(sorted(numbers.get(house, ()))), *next(iter(ranges.get(house, {(None, None)}))))
        for house in sorted(set(numbers) | set(ranges))
    )
    named = stored.houses_named() | {r["house"] for r in entrances} | {r["house"] for r in risers}
    choice = AudienceChoice(
        houses=tuple(sorted(named)),
        parts=parts,
        risers=tuple(sorted({r["code"] for r in risers})),
        accounts=tuple(sorted(r["number"] for r in accounts)),
    )
    said, missing = await audience_of(choice)
    return choice if said == stored and not missing else None


async def reaches_elsewhere(post_id: int, houses: Collection[int] | None) -> bool:
    """Whether the post's audience has a selection outside ``houses`` (a staff member's; None: every house, so
    none), as ``within`` draws the line: a look by the post's index that stops at the first such selection."""
    if houses is None:
        return False
    elsewhere = PostTarget.house.is_null() | PostTarget.house.not_in(sorted(houses) or [-1])
    return await PostTarget.exists().where((PostTarget.post == post_id) & elsewhere)


async def post_view(post_id: int, scope: Collection[int] | None = None) -> PostView | None:
    """The post as staff see it: its audience by a bounded summary (its houses, the names ``audience_names``
    reads), never every selection — a post may be hand-picked for 100,000 accounts. With ``scope`` (a staff
    member's houses) the names are of the part in those houses, the rest said only to exist."""
    row = await Post.select().where(Post.id == post_id).first()
    if row is None:
        return None
    houses = (
        await PostTarget.select(PostTarget.house)
        .where((PostTarget.post == post_id) & PostTarget.house.is_not_null())
        .distinct()
    )
    names = (await audience_names([post_id], scope)).get(post_id, AudienceNames())
    return from_row(
        PostView,
        row,
        houses=frozenset(r["house"] for r in houses),
        images=await pictures_of(post_id),
        audience_names=names,
    )


def staff_may_see(principal: Principal, post: PostView) -> bool:
    if principal.house_ids is None or post.author == principal.user_id:
        return True
    return bool(post.houses & principal.house_ids)


async def post_for_staff(principal: Principal, post_id: int) -> PostView:
    """The post if this staff user may see it; 404 otherwise (missing and forbidden look alike)."""
    post = await post_view(post_id, principal.house_ids)
    if post is None or not staff_may_see(principal, post):
        raise NotFoundException()
    return post


def _living_in(scope: Collection[int]) -> Any:
    """The people who live in these houses (a sub-select of user ids; ``housing.queries.kept``)."""
    from portal.accounts.tables import Residency

    houses = sorted(scope) or [-1]
    return Residency.select(Residency.user).where(
        Residency.account.premise.house.is_in(houses) & kept(clock.today_local())
    )


async def delivery_log(post_id: int, scope: Collection[int] | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """The messages of one post (newest first), for its delivery log; for a staff member of some houses
    (``scope``), those to people living in their houses — another house's e-mails and phones are not theirs."""
    where = (OutboxMessage.ref == f"post:{post_id}") & (OutboxMessage.channel != "post")
    if scope is not None:
        where &= OutboxMessage.user_id.is_in(_living_in(scope))
    return (
        await OutboxMessage.select(
            OutboxMessage.id,
            OutboxMessage.channel,
            OutboxMessage.recipient,
            OutboxMessage.status,
            OutboxMessage.attempts,
            OutboxMessage.last_error,
            OutboxMessage.sent_at,
            OutboxMessage.created_at,
        )
        .where(where)
        .order_by(OutboxMessage.id, ascending=False)
        .limit(limit)
    )


async def sent_out(post_id: int) -> bool:
    """Whether the post has gone out to its whole audience: its release row of the outbox (the ``post`` channel,
    walked page by page) is done, so an empty delivery log means that nobody gets it by a message."""
    return await OutboxMessage.exists().where(
        (OutboxMessage.ref == f"post:{post_id}") & (OutboxMessage.channel == "post") & (OutboxMessage.status == "sent")
    )


@dataclass(frozen=True)
class Reader:
    name: str
    read_at: datetime


@dataclass(frozen=True)
class Readers:
    """Who opened a post: how many did, and the latest of them by name."""

    total: int
    latest: list[Reader]


READERS_SHOWN = 100


async def readers(post_id: int, scope: Collection[int] | None = None, limit: int = READERS_SHOWN) -> Readers:
    """The people who opened the post (latest first, at most ``limit`` named) and how many did; for a staff member
    of some houses (``scope``), the readers living in their houses only, as the staff list counts them."""
    where = PostRead.post == post_id
    if scope is not None:
        where &= PostRead.user.is_in(_living_in(scope))
    total = await PostRead.count().where(where)
    rows = await (
        PostRead.select(PostRead.user.full_name.as_alias("name"), PostRead.read_at)
        .where(where)
        .order_by(PostRead.read_at, ascending=False)
        .order_by(PostRead.id, ascending=False)
        .limit(limit)
    )
    return Readers(total, [Reader(row["name"] or "—", _aware(row["read_at"])) for row in rows])


# --- the notice of an outage in the reader's words ---------------------------------------------------------------

_OUTAGE_FACTS = """
SELECT o.id AS id, o.service AS service, o.description AS description, o.starts_at AS starts_at,
       o.ends_at AS ends_at, h.address AS address, e.number AS entrance, r.code AS riser
FROM outage o JOIN house h ON h.id = o.house
LEFT JOIN entrance e ON e.id = o.entrance
LEFT JOIN riser r ON r.id = o.riser
WHERE o.id IN ({ids})
"""


def _aware(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


async def outage_facts(outage_ids: Iterable[int | None]) -> dict[int, OutageFacts]:
    """What each of these outages tells (``rules.OutageFacts``), by outage: one query for a page of posts, none
    when no post of it is the notice of an outage."""
    ids = sorted({int(i) for i in outage_ids if i is not None})
    if not ids:
        return {}
    rows = await Post.raw(_OUTAGE_FACTS.replace("{ids}", placeholders(ids)), *ids)
    return {
        int(r["id"]): OutageFacts(
            service=r["service"],
            address=r["address"],
            starts_at=_aware(r["starts_at"]),
            ends_at=_aware(r["ends_at"]) if r["ends_at"] else None,
            entrance=r["entrance"],
            riser=r["riser"],
            description=r["description"] or "",
        )
        for r in rows
    }


Said = TypeVar("Said")


def said(item: Said, facts: dict[int, OutageFacts]) -> Said:
    """``item`` (a post, a row of a list) with the words of its outage in the current language when it is the
    notice of an outage whose words staff did not rewrite: its title (and ``title_html``, the same as HTML for a
    page), and its text where it carries one."""
    outage = getattr(item, "outage", None)
    found = facts.get(outage) if outage is not None and not getattr(item, "own_words", False) else None
    if found is None:
        return item
    names = {f.name for f in fields(item)}  # type: ignore[arg-type]
    changes: dict[str, Any] = {"title": found.title()}
    if "body" in names:
        changes["body"] = found.text()
    if "body_html" in names:
        changes["body_html"] = found.html()
    # Said in the current language: its English twin, where the item has one, is these same words.
    changes.update({f"{name}_en": value for name, value in list(changes.items()) if f"{name}_en" in names})
    if "title_html" in names:  # for a page: the title with the names typed in Russian marked so
        changes["title_html"] = found.title_html()
    return replace(item, **changes)  # type: ignore[type-var]


async def in_readers_words(items: list[Said]) -> list[Said]:
    """``items`` with each outage notice's words said in the current language (``said``)."""
    facts = await outage_facts(getattr(i, "outage", None) for i in items if not getattr(i, "own_words", False))
    return [said(i, facts) for i in items] if facts else items


async def post_titles(ids: Collection[int]) -> dict[int, str]:
    """The titles of the posts ``ids`` (the audit log names a post by its title), an outage notice's said from its
    outage in the current language: one query, and one more when some of them are outage notices."""
    if not ids:
        return {}
    rows = await Post.select(Post.id, Post.title, Post.outage, Post.own_words).where(Post.id.is_in(sorted(ids)))
    facts = await outage_facts(r["outage"] for r in rows if not r["own_words"])
    titles = {}
    for r in rows:
        found = None if r["own_words"] else facts.get(r["outage"])
        titles[r["id"]] = found.title() if found else r["title"]
    return titles


# --- residents -----------------------------------------------------------------------------------------------


# Who a post reaches, said once for the feed, the post page and the pinned emergencies: the resident's places (m:
# each of their open accounts with its premise, house, entrance, floor and complex; the owner of a closed account
# keeps its page, not the news of a house they left, as the sending reaches open accounts only: ``open_on``), then
# the posts whose stored selections name one of them, each kind looked up by its (kind, ref) index from the
# resident's side. The cost is set by the resident's accounts, never by how many a post selects: a post hand-picked
# for 100,000 accounts costs a resident outside it nothing (CROSS JOIN keeps SQLite from starting at the targets;
# PostgreSQL plans it as any join). The whole company reaches a resident with a place, as every other selection
# does; it is stored with no ref (``Audience.targets``), and saying so keeps it a lookup by the index where
# statistics call a kind common (an analysed SQLite otherwise reads every selection to find the company's).
_PLACES = """WITH m AS (
    SELECT a.id AS account, pr.id AS premise, pr.house AS house, pr.entrance AS entrance, pr.floor AS floor,
           h.complex AS complex
    FROM personal_account a JOIN premise pr ON pr.id = a.premise JOIN house h ON h.id = pr.house
    WHERE a.id IN ({accounts}) AND OPEN_ACCOUNT
)
""".replace("OPEN_ACCOUNT", open_on("a"))
_REACHED = """p.id IN (
    SELECT t.post FROM post_target t WHERE t.kind = 'company' AND t.ref IS NULL AND EXISTS (SELECT 1 FROM m)
    UNION ALL SELECT t.post FROM m CROSS JOIN post_target t WHERE t.kind = 'complex' AND t.ref = m.complex
    UNION ALL SELECT t.post FROM m CROSS JOIN post_target t WHERE t.kind = 'house' AND t.ref = m.house
    UNION ALL SELECT t.post FROM m CROSS JOIN post_target t WHERE t.kind = 'entrance' AND t.ref = m.entrance
    UNION ALL SELECT t.post FROM m CROSS JOIN post_target t WHERE t.kind = 'floors' AND t.ref = m.house
        AND m.floor BETWEEN t.floor_from AND t.floor_to AND (t.entrance IS NULL OR t.entrance = m.entrance)
    UNION ALL SELECT t.post FROM m CROSS JOIN premise_riser rr CROSS JOIN post_target t
        WHERE rr.premise = m.premise AND t.kind = 'riser' AND t.ref = rr.riser
    UNION ALL SELECT t.post FROM m CROSS JOIN post_target t WHERE t.kind = 'premise' AND t.ref = m.premise
    UNION ALL SELECT t.post FROM m CROSS JOIN post_target t WHERE t.kind = 'account' AND t.ref = m.account
)"""


def _reaching(accounts: Collection[int], args: list[Any], select: str) -> str:
    """``select``, a query of posts ``p`` whose condition says ``{reached}`` where only the posts that reach one of
    ``accounts`` (a resident's own) may pass, with the resident's places ahead of it. The accounts are the first
    parameters: call it before adding the query's own."""
    mine = sorted(accounts)
    args[:0] = [*mine, clock.today_local()]
    return _PLACES.replace("{accounts}", placeholders(mine)) + select.replace("{reached}", _REACHED)


async def reaching(post_ids: Collection[int], accounts: Collection[int]) -> set[int]:
    """Which of these posts reach one of ``accounts`` (a resident's own; the feed's answer): one query whose size
    is set by the posts (a short list in force) and the resident's accounts, never by the posts' audiences — those
    are joined against the resident's premises and accounts, not sent as lists of ids."""
    if not post_ids or not accounts:
        return set()
    ids = sorted(post_ids)
    args: list[Any] = list(ids)
    posts = "SELECT p.id AS id FROM post p WHERE p.id IN (" + placeholders(ids) + ") AND {reached}"  # noqa: S608 (placeholders only)
    sql = _reaching(accounts, args, posts)
    return {int(r["id"]) for r in await Post.raw(sql, *args)}


@dataclass(frozen=True)
class FeedItem:
    id: int
    kind: str
    title: str
    body: str
    publish_at: datetime | None
    published_at: datetime | None
    ends_at: datetime | None
    unread: bool
    outage: int | None = None
    own_words: bool = False
    title_en: str = ""
    title_html: str = ""  # an outage notice's title said as HTML (``said``), its Russian names marked
    event_starts_at: datetime | None = None  # an event's start and place (kind EVENT)
    event_place: str = ""

    @property
    def shown_at(self) -> datetime | None:
        return self.publish_at or self.published_at


def _in_feed(
    principal: Principal,
    kind: str,
    now: datetime,
    select: str,
    tail: str,
    head: list[Any],
    more: list[Any],
    *,
    without: str = "",
) -> tuple[str, list[Any]]:
    """``select`` (with ``head``'s parameters) over the posts in force that reach one of the resident's accounts,
    of ``kind`` when it is one and not of ``without`` when it is one, then ``tail`` (with ``more``'s): the SQL and
    its parameters."""
    args: list[Any] = [*head, PostStatus.PUBLISHED, now, now]
    kind_clause = ""
    if kind in PostKind.__members__.values():
        kind_clause = " AND p.kind = {}"
        args.append(kind)
    if without in PostKind.__members__.values():
        kind_clause += " AND p.kind <> {}"
        args.append(without)
    args.extend(more)
    sql = _reaching(
        sorted(principal.account_ids),
        args,
        select + "FROM post p WHERE p.status = {} AND (p.publish_at IS NULL OR p.publish_at <= {}) "
        "AND (p.ends_at IS NULL OR p.ends_at > {})" + kind_clause + " AND {reached}" + tail,
    )
    return sql, args


async def feed(
    principal: Principal,
    *,
    kind: str = "",
    without: str = "",
    limit: int = 30,
    offset: int = 0,
    now: datetime | None = None,
) -> list[FeedItem]:
    """The posts in force for this resident (their audience selects one of the resident's accounts), newest
    first, each with its unread mark: one query. Of ``kind`` only, or all but ``without`` (the home page's news
    leave out the events it lists in a section of their own)."""
    if not principal.account_ids or principal.user_id is None:
        return []
    sql, args = _in_feed(
        principal,
        kind,
        now or clock.now(),
        "SELECT p.id, p.kind, p.title, p.title_en, p.body, p.publish_at, p.published_at, p.ends_at, p.outage, "
        "p.own_words, p.event_starts_at, p.event_place, "
        '(SELECT COUNT(*) FROM post_read r WHERE r.post = p.id AND r."user" = {}) AS seen ',
        " ORDER BY COALESCE(p.publish_at, p.published_at) DESC, p.id DESC LIMIT {} OFFSET {}",
        [principal.user_id],
        [max(1, min(limit, 100)), max(0, offset)],
        without=without,
    )
    rows = await Post.raw(sql, *args)
    return await in_readers_words([_feed_item(r) for r in rows])


def _feed_item(row: dict[str, Any]) -> FeedItem:
    start = row["event_starts_at"]
    return from_row(FeedItem, row, unread=not row["seen"], own_words=bool(row["own_words"]),
                    event_starts_at=_aware(start) if start is not None else None)  # fmt: skip


async def feed_total(principal: Principal, *, kind: str = "", now: datetime | None = None) -> int:
    """How many posts ``feed`` finds for this resident in all (a page asked for past the end names the last)."""
    if not principal.account_ids or principal.user_id is None:
        return 0
    sql, args = _in_feed(principal, kind, now or clock.now(), "SELECT COUNT(*) AS n ", "", [], [])
    rows = await Post.raw(sql, *args)
    return int(rows[0]["n"]) if rows else 0


async def post_for_resident(principal: Principal, post_id: int) -> PostView:
    """A post in force whose audience reaches one of the resident's accounts; 404 otherwise. What a resident reads
    of it: its words and pictures, not its audience (a post for 100,000 accounts is read as one for one)."""
    row = await Post.select().where(Post.id == post_id).first()
    if row is None or not principal.account_ids:
        raise NotFoundException()
    if not is_live(row["status"], row["publish_at"], row["ends_at"], clock.now()):
        raise NotFoundException()
    args: list[Any] = [post_id]
    sql = _reaching(principal.account_ids, args, "SELECT p.id FROM post p WHERE p.id = {} AND {reached}")
    if not await Post.raw(sql, *args):
        raise NotFoundException()
    post = from_row(PostView, row, images=await pictures_of(post_id))
    return (await in_readers_words([post]))[0]


# --- the form's audience -----------------------------------------------------------------------------------------


async def audience_of(choice: Any, scope: Collection[int] | None = None) -> tuple[Audience, dict[str, list[str]]]:
    """The form's choice (forms.AudienceChoice) as an audience, and what was not found, by the form's field (houses;
    a house's entrance numbers it does not have and floors with no premises, at that house's fields; riser codes
    that the chosen houses do not have; account numbers); no key for a field whose every value was found. A house
    with entrances or floors of its own is reached there only; every other chosen house whole, or at the risers.
    For a staff member of some houses (``scope``), what lies outside them too: the whole company, houses by their
    address, account numbers as typed (``rules.outside``)."""
    from portal.content.forms import part_name
    from portal.housing.tables import House
    from portal.housing.tables import PersonalAccount
    from portal.housing.tables import Riser

    if choice.company:
        return Audience.of(company=True), {"company_elsewhere": [""]} if scope is not None else {}
    missing: dict[str, list[str]] = {}
    houses = list(choice.houses)
    addresses = {
        r["id"]: r["address"]
        for r in (await House.select(House.id, House.address).where(House.id.is_in(houses)) if houses else [])
    }
    _note(missing, "houses", [str(h) for h in houses if h not in addresses])
    _note(missing, "houses_elsewhere", outside(scope, {a: h for h, a in addresses.items()}))
    houses = [h for h in houses if h in addresses]
    parts = [p for p in choice.parts if p.house in addresses]
    entrance_of = await _entrances_of(parts)
    entrance_ids: list[int] = []
    floors: list[FloorRange] = []
    ids_of = {p.house: [entrance_of[(p.house, n)] for n in p.entrances if (p.house, n) in entrance_of] for p in parts}
    # The floors of each house's found entrances, or of the house when no entrance is typed (none found: said there).
    on_floors = await _houses_on_floors(
        [(p.house, ids_of[p.house], p.floor_from, p.floor_to) for p in parts
         if p.floor_from is not None and p.floor_to is not None and (ids_of[p.house] or not p.entrances)]
    )  # fmt: skip
    for part in parts:
        ids = ids_of[part.house]
        _note(missing, part_name("entrances", part.house),
              [str(n) for n in part.entrances if (part.house, n) not in entrance_of])  # fmt: skip
        if part.floor_from is None or part.floor_to is None:
            entrance_ids += ids
            continue
        floors += [FloorRange(part.house, part.floor_from, part.floor_to, e) for e in ids or [None]]
        if (ids or not part.entrances) and part.house not in on_floors:
            low, high = sorted((part.floor_from, part.floor_to))
            _note(missing, part_name("floor_from", part.house), [f"{low}–{high}"])
    whole = [h for h in houses if h not in {p.house for p in parts}]
    riser_ids: list[int] = []
    if choice.risers and houses:
        rows = await Riser.select(Riser.id, Riser.code, Riser.house).where(
            Riser.house.is_in(houses) & Riser.code.is_in(list(choice.risers))
        )
        riser_ids = [r["id"] for r in rows]
        _note(missing, "risers", [c for c in choice.risers if c not in {r["code"] for r in rows}])
        _note(missing, "risers_lacking", _lacking(houses, addresses, [(r["house"], r["code"]) for r in rows]))
        whole = []  # the chosen houses' risers, not the houses
    account_ids: list[int] = []
    if choice.accounts:
        rows = await PersonalAccount.select(
            PersonalAccount.id, PersonalAccount.number, PersonalAccount.premise.house.as_alias("house")
        ).where(PersonalAccount.number.is_in(list(choice.accounts)))
        account_ids = [r["id"] for r in rows]
        _note(missing, "accounts", [n for n in choice.accounts if n not in {r["number"] for r in rows}])
        _note(missing, "accounts_elsewhere", outside(scope, {r["number"]: r["house"] for r in rows}))
    audience = Audience.of(houses=whole, entrances=entrance_ids, floors=floors, risers=riser_ids, accounts=account_ids)
    return audience, missing


async def _entrances_of(parts: Sequence[Any]) -> dict[tuple[int, int], int]:
    """The entrance of each (house, number) the houses' parts name that the house has, by its id: one query."""
    houses = sorted({p.house for p in parts if p.entrances})
    numbers = sorted({n for p in parts for n in p.entrances})
    if not houses:
        return {}
    from portal.housing.tables import Entrance

    rows = await Entrance.select(Entrance.id, Entrance.number, Entrance.house).where(
        Entrance.house.is_in(houses) & Entrance.number.is_in(numbers)
    )
    return {(r["house"], r["number"]): r["id"] for r in rows}


def _lacking(houses: list[int], addresses: dict[int, str], found: list[tuple[int, Any]]) -> list[str]:
    """Each chosen house without some of the entrance numbers or riser codes ``found`` (house, value) in another,
    as «address (2, 3)»: the post would have gone to the houses that have them alone, unsaid."""
    had: dict[int, set[Any]] = {h: set() for h in houses}
    for house, value in found:
        had[house].add(value)
    every = sorted({value for _, value in found}, key=str)
    return [
        f"{addresses[h]} ({', '.join(str(v) for v in every if v not in had[h])})"
        for h in houses
        if had[h] != set(every)
    ]


async def _houses_on_floors(checks: Sequence[tuple[int, list[int], int, int]]) -> set[int]:
    """The houses of ``checks`` (house, its chosen entrances' ids or none, floors from, to) where a premise lies on
    those floors (of those entrances, when some are): floors above the house's or below its entrance's flats reach
    nobody. One query for all the houses of the form, at most a row per house."""
    from portal.housing.tables import Premise

    if not checks:
        return set()
    on_floors = either(
        every(
            [
                Premise.house == house,
                Premise.floor >= min(first, last),
                Premise.floor <= max(first, last),
                Premise.entrance.is_in(ids) if ids else None,
            ]
        )
        for house, ids, first, last in checks
    )
    where = Premise.house.is_in(sorted({house for house, *_ in checks})) & on_floors
    return {r["house"] for r in await Premise.select(Premise.house).where(where).distinct()}


def _note(missing: dict[str, list[str]], name: str, values: list[str]) -> None:
    if values:
        missing[name] = values


# What each stored selection of a post names, in one query for a page of posts: the house of a house, floors,
# entrance, riser or premise (an older selection without its house column: the house its entrance or riser is in),
# the entrance's number (of an entrance, or of floors of one entrance), the riser's code, the complex's name — each
# distinct name once, however many selections share it (40,000 premises of one house are one address) — and the
# first account numbers (one more than are named, so the page knows there are more). The rows read are bounded by
# the names shown, never by how many accounts or premises a post is hand-picked for. For a staff member of some
# houses ({scope}) only the selections in their houses are named; that others exist is one more row, read by a
# look that stops at the first of them: another house's entrances, risers and accounts are never read out.
# Robust to statistics that say post_target, personal_account and premise are nearly empty (analysed before a post
# for tens of thousands was written): the hand-picked premises are folded to their houses before any join, and
# each account or premise is looked up by its primary key from its selection (a subquery per row, which no plan
# turns into a scan of every selection for each account: minutes for 20,000 of them).
_AUDIENCE_NAMES = """
SELECT DISTINCT t.post AS post, t.kind AS kind, t.floor_from AS floor_from, t.floor_to AS floor_to,
       h.address AS address, e.number AS entrance, r.code AS riser, NULL AS account, c.name AS complex
FROM (
    SELECT DISTINCT t.post AS post, t.kind AS kind, CASE WHEN t.kind = 'premise' THEN NULL ELSE t.ref END AS ref,
           t.entrance AS entrance, t.floor_from AS floor_from, t.floor_to AS floor_to, t.house AS house
    FROM post_target t WHERE t.post IN ({ids}) AND t.kind <> 'account'{scope}
) t
LEFT JOIN entrance e ON e.id = CASE WHEN t.kind = 'entrance' THEN t.ref WHEN t.kind = 'floors' THEN t.entrance END
LEFT JOIN riser r ON t.kind = 'riser' AND r.id = t.ref
LEFT JOIN complex c ON t.kind = 'complex' AND c.id = t.ref
LEFT JOIN house h ON t.kind IN ('house', 'floors', 'entrance', 'riser', 'premise')
    AND h.id = COALESCE(t.house, CASE WHEN t.kind IN ('house', 'floors') THEN t.ref END, e.house, r.house)
UNION ALL
SELECT post, 'account', NULL, NULL, NULL, NULL, NULL, account, NULL FROM (
    SELECT post, account, ROW_NUMBER() OVER (PARTITION BY post ORDER BY account) AS n FROM (
        SELECT t.post AS post, (SELECT a.number FROM personal_account a WHERE a.id = t.ref) AS account
        FROM post_target t WHERE t.post IN ({ids}) AND t.kind = 'account'{scope}
    ) targets WHERE account IS NOT NULL
) named WHERE n <= {named}
UNION ALL
SELECT post, 'premise_named', NULL, NULL, NULL, NULL, (SELECT p.kind FROM premise p WHERE p.id = named.premise),
       number, NULL FROM (
    SELECT post, premise, number, ROW_NUMBER() OVER (PARTITION BY post ORDER BY LENGTH(number), number) AS n FROM (
        SELECT t.post AS post, t.ref AS premise, (SELECT p.number FROM premise p WHERE p.id = t.ref) AS number
        FROM post_target t WHERE t.post IN ({ids}) AND t.kind = 'premise'{scope}
    ) targets WHERE number IS NOT NULL
) named WHERE n <= {named}
"""
_ELSEWHERE = """
UNION ALL
SELECT p.id, 'elsewhere', NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM post p WHERE p.id IN ({ids}) AND EXISTS (
    SELECT 1 FROM post_target t WHERE t.post = p.id AND (t.house IS NULL OR t.house NOT IN ({houses}))
)
"""


async def audience_names(post_ids: list[int], scope: Collection[int] | None = None) -> dict[int, AudienceNames]:
    """Who each of these posts is for, by the names of what its audience selects (``rules.AudienceNames``): one
    query for all of them. The words are said when a page shows them, in the reader's language. With ``scope`` (a
    staff member's houses) only what lies in those houses is named, and the rest only said to be there."""
    if not post_ids:
        return {}
    sql = _AUDIENCE_NAMES.replace("{named}", str(ACCOUNTS_NAMED + 1))
    args: list[Any] = [*post_ids]
    houses = sorted(scope) if scope is not None else []
    if scope is not None:
        houses = houses or [-1]
        sql = sql.replace("{scope}", " AND t.house IN (" + placeholders(houses) + ")") + _ELSEWHERE
        args += houses
    sql = sql.replace("{scope}", "").replace("{houses}", placeholders(houses)).replace("{ids}", placeholders(post_ids))
    args = args * 3 + ([*post_ids, *houses] if scope is not None else [])
    rows = await PostTarget.raw(sql, *args)
    by_post: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        by_post.setdefault(int(row["post"]), []).append(row)
    return {post: _names(found) for post, found in by_post.items()}


def _names(rows: list[dict[str, Any]]) -> AudienceNames:
    def distinct(column: str, among: list[dict[str, Any]]) -> list[Any]:
        return sorted({r[column] for r in among if r[column] is not None})

    floors = sorted(
        {
            (min(r["floor_from"], r["floor_to"]), max(r["floor_from"], r["floor_to"]))
            for r in rows
            if r["kind"] == "floors" and r["floor_from"] is not None and r["floor_to"] is not None
        }
    )
    named = [r for r in rows if r["kind"] == "premise_named"]  # a premise's kind and number ride in two columns
    others = [r for r in rows if r["kind"] != "premise_named"]
    return AudienceNames(
        company=any(r["kind"] == "company" for r in others),
        complexes=tuple(distinct("complex", others)),
        houses=tuple(distinct("address", others)),
        entrances=tuple(distinct("entrance", others)),
        floors=tuple(floors),
        risers=tuple(distinct("riser", others)),
        premises=tuple(sorted({(r["riser"], r["account"]) for r in named}, key=lambda p: (len(p[1]), p[1]))),
        accounts=tuple(distinct("account", others)),
        elsewhere=any(r["kind"] == "elsewhere" for r in others),
    )


async def image_for_resident(principal: Principal, image_id: int) -> str:
    """The stored key of a post's picture if the post is in force for this resident; 404 otherwise."""
    row = found(await PostImage.select(PostImage.post, PostImage.key).where(PostImage.id == image_id).first())
    await post_for_resident(principal, row["post"])
    return row["key"]


async def image_for_staff(principal: Principal, image_id: int) -> str:
    row = found(await PostImage.select(PostImage.post, PostImage.key).where(PostImage.id == image_id).first())
    await post_for_staff(principal, row["post"])
    return row["key"]


orphans.kept_in("content", PostImage.key)  # a post's pictures


# --- events -------------------------------------------------------------------------------------------------------


async def upcoming_events(principal: Principal, *, limit: int = 3, now: datetime | None = None) -> list[FeedItem]:
    """The events in force for this resident that have not ended, the next first (the home page's «Ближайшие
    мероприятия»): one query."""
    if not principal.account_ids or principal.user_id is None:
        return []
    now = now or clock.now()
    sql, args = _in_feed(
        principal,
        PostKind.EVENT,
        now,
        "SELECT p.id, p.kind, p.title, p.title_en, p.body, p.publish_at, p.published_at, p.ends_at, p.outage, "
        "p.own_words, p.event_starts_at, p.event_place, "
        '(SELECT COUNT(*) FROM post_read r WHERE r.post = p.id AND r."user" = {}) AS seen ',
        " AND p.event_ends_at > {} ORDER BY p.event_starts_at, p.id LIMIT {}",
        [principal.user_id],
        [now, max(1, min(limit, 10))],
    )
    return [_feed_item(r) for r in await Post.raw(sql, *args)]


async def lock_event(post_id: int) -> dict[str, Any] | None:
    """An event's start and capacity, read under its row's lock in the caller's transaction: two answers to one
    event take turns here (PostgreSQL ``FOR UPDATE``; SQLite's write transactions are serial)."""
    query = Post.select(Post.event_starts_at, Post.event_capacity).where(
        (Post.id == post_id) & (Post.kind == PostKind.EVENT)
    )
    row = await (query if is_sqlite() else query.lock_rows()).first()
    if row is None or row["event_starts_at"] is None:
        return None
    return {**row, "event_starts_at": _aware(row["event_starts_at"])}


async def going_count(post_id: int) -> int:
    """How many said «Пойду»."""
    return await EventAnswer.count().where((EventAnswer.post == post_id) & (EventAnswer.going == True))  # noqa: E712


async def going_counts(event_ids: list[int]) -> dict[int, int]:
    """How many said «Пойду» to each of these events, as ``going_count`` counts one (an event nobody is going to has
    no key): one grouped query for a page of posts, none when it holds no event."""
    if not event_ids:
        return {}
    rows = await (
        EventAnswer.select(EventAnswer.post, Count(EventAnswer.id, alias="n"))
        .where(EventAnswer.post.is_in(sorted(event_ids)) & (EventAnswer.going == True))  # noqa: E712
        .group_by(EventAnswer.post)
    )
    return {int(r["post"]): int(r["n"]) for r in rows}


async def my_answer(post_id: int, user_id: int | None) -> bool | None:
    """The person's answer: True «Пойду», False «Не пойду», None: none."""
    if user_id is None:
        return None
    row = await (
        EventAnswer.select(EventAnswer.going)
        .where((EventAnswer.post == post_id) & (EventAnswer.user == user_id))
        .first()
    )
    return None if row is None else bool(row["going"])


@dataclass(frozen=True)
class Goer:
    """One person going, with the flats they live in (the organiser's list)."""

    name: str
    flats: str


GOERS_SHOWN = 500


async def goers(post_id: int, scope: Collection[int] | None = None, limit: int = GOERS_SHOWN) -> list[Goer]:
    """Those who said «Пойду», by name, each with their premises (``premise_name``, in houses of ``scope`` for a staff
    member of some houses, as the readers are counted); at most ``limit``."""
    from portal.accounts.tables import Residency
    from portal.core.address import premise_name

    where = (EventAnswer.post == post_id) & (EventAnswer.going == True)  # noqa: E712
    if scope is not None:
        where &= EventAnswer.user.is_in(_living_in(scope))
    rows = await (
        EventAnswer.select(EventAnswer.user, EventAnswer.user.full_name.as_alias("name"))
        .where(where)
        .order_by(EventAnswer.answered_at)
        .order_by(EventAnswer.id)
        .limit(limit)
    )
    users = [r["user"] for r in rows]
    homes: dict[int, list[str]] = {}
    if users:
        premise = Residency.account.premise
        places = Residency.select(Residency.user, premise.kind.as_alias("kind"), premise.number.as_alias("number"))
        live = Residency.user.is_in(users) & Residency.revoked_at.is_null()
        if scope is not None:
            live &= premise.house.is_in(sorted(scope) or [-1])
        for r in await places.where(live).order_by(Residency.id).limit(len(users) * 10):
            homes.setdefault(r["user"], []).append(premise_name(r["kind"], r["number"]))
    return [Goer(r["name"] or "—", ", ".join(dict.fromkeys(homes.get(r["user"], [])))) for r in rows]


# --- the print for the house's boards ---------------------------------------------------------------------------

# The house and entrance of each premise a post's hand-picked premises, risers and accounts lie in (a riser's own
# entrance too, where it has one), distinct: a post for 100,000 accounts of 40 entrances reads 40 rows.
_BOARD_SPOTS = """
SELECT p.house AS house, p.entrance AS entrance FROM post_target t JOIN premise p ON p.id = t.ref
WHERE t.post = {} AND t.kind = 'premise'
UNION
SELECT p.house, p.entrance FROM post_target t JOIN premise_riser pr ON pr.riser = t.ref
JOIN premise p ON p.id = pr.premise WHERE t.post = {} AND t.kind = 'riser'
UNION
SELECT r.house, r.entrance FROM post_target t JOIN riser r ON r.id = t.ref
WHERE t.post = {} AND t.kind = 'riser' AND r.entrance IS NOT NULL
UNION
SELECT p.house, p.entrance FROM post_target t JOIN personal_account a ON a.id = t.ref
JOIN premise p ON p.id = a.premise WHERE t.post = {} AND t.kind = 'account'
"""
_WHOLE = ("company", "complex", "house", "entrance", "floors")
# The post's selections of whole places as stored, and the spots above (kind «spot»): one read for the board card.
_BOARD_REACH = (  # constants only: the post's id is a parameter
    "SELECT t.kind AS kind, t.ref AS ref, t.entrance AS entrance, t.floor_from AS floor_from, t.floor_to AS floor_to, "  # noqa: S608
    "NULL AS house FROM post_target t WHERE t.post = {} AND t.kind IN ("
    + ", ".join(f"'{kind}'" for kind in _WHOLE)
    + ") UNION ALL SELECT 'spot', NULL, s.entrance, NULL, NULL, s.house FROM ("
    + _BOARD_SPOTS
    + ") s"
)


async def board_reach(post_id: int) -> rules.BoardReach:
    """Where the post's audience lives (``rules.BoardReach``): its selections of the company, complexes, houses,
    entrances and floors as stored, and the places of those it names one by one (one statement)."""
    read = await PostTarget.raw(_BOARD_REACH, post_id, post_id, post_id, post_id, post_id)
    rows = [r for r in read if r["kind"] != "spot"]
    spots = [r for r in read if r["kind"] == "spot"]

    def refs(kind: str) -> frozenset[int]:
        return frozenset(r["ref"] for r in rows if r["kind"] == kind and r["ref"] is not None)

    floors = tuple(
        FloorRange(r["ref"], r["floor_from"], r["floor_to"], r["entrance"])
        for r in rows
        if r["kind"] == "floors" and None not in (r["ref"], r["floor_from"], r["floor_to"])
    )
    return rules.BoardReach(
        company=any(r["kind"] == "company" for r in rows),
        complexes=refs("complex"),
        # a premise of no entrance on record: its house's every board
        houses=refs("house") | {s["house"] for s in spots if s["entrance"] is None},
        entrances=refs("entrance") | {s["entrance"] for s in spots if s["entrance"] is not None},
        floors=floors,
    )


async def board_houses(scope: Collection[int] | None, house: int | None = None) -> list[rules.BoardHouse]:
    """The houses a staff member works with (``scope``; None: every house), by address, with their entrances; with
    ``house``, that one only (none if it is not theirs). One statement: the houses joined with their entrances."""
    from portal.housing.queries import HOUSES_LIMIT
    from portal.housing.tables import House

    if scope is not None and not scope:
        return []
    conditions, values = [], []
    if scope is not None:
        conditions.append("id IN (" + ", ".join("{}" for _ in scope) + ")")
        values.extend(sorted(scope))
    if house is not None:
        conditions.append("id = {}")
        values.append(house)
    where = f"WHERE {' AND '.join(conditions)} " if conditions else ""
    rows = await House.raw(  # placeholders only: the ids are parameters
        "SELECT h.id AS id, h.address AS address, h.complex AS complex, e.id AS entrance, e.number AS number, "  # noqa: S608
        f"e.floors AS floors FROM (SELECT id, address, complex FROM house {where}ORDER BY address, id LIMIT {{}}) h "
        "LEFT JOIN entrance e ON e.house = h.id ORDER BY h.address, h.id, e.number",
        *values,
        HOUSES_LIMIT,
    )
    houses: dict[int, rules.BoardHouse] = {}
    entrances: dict[int, list[rules.BoardEntrance]] = {}
    for r in rows:
        houses.setdefault(r["id"], rules.BoardHouse(r["id"], r["address"], r["complex"]))
        if r["entrance"] is not None:
            entrances.setdefault(r["id"], []).append(rules.BoardEntrance(r["entrance"], r["number"], r["floors"] or 1))
    return [replace(h, entrances=tuple(entrances.get(h.id, ()))) for h in houses.values()]
