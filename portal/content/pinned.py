"""Emergency notices in force, pinned at the top of every page of the residents they reach.

Every page of a resident would otherwise pay a query for something that is rarely there, so each process keeps
the short list of emergencies in force — with the accounts each one reaches — for ``TTL`` seconds and checks
a resident's accounts against it in memory. A post published, unpublished or ended here clears the list at
once; another process sees the change within ``TTL`` seconds (the database stays the only truth).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from dataclasses import replace
from datetime import datetime
from typing import Any

from portal.content.queries import outage_facts
from portal.content.rules import OutageFacts
from portal.content.tables import Post
from portal.content.tables import PostKind
from portal.content.tables import PostStatus
from portal.content.tables import PostTarget
from portal.core import clock
from portal.core.security import Principal
from portal.notifications.queries import audience_clause
from portal.notifications.rules import Audience
from portal.notifications.rules import Target

TTL = 15.0
LIMIT = 50


@dataclass(frozen=True)
class Pinned:
    id: int
    title: str
    ends_at: datetime | None
    publish_at: datetime | None
    company: bool
    accounts: frozenset[int]
    # The notice of an outage: its title is said from these in the reader's language (kept here, not the words,
    # since one list serves the readers of every language).
    facts: OutageFacts | None = None


_cache: dict[str, Any] = {"at": None, "items": []}


def forget() -> None:
    _cache["at"] = None


async def _load(now: datetime) -> list[Pinned]:
    posts = (
        await Post.select(Post.id, Post.title, Post.publish_at, Post.ends_at, Post.outage, Post.own_words)
        .where(
            (Post.kind == PostKind.EMERGENCY)
            & (Post.status == PostStatus.PUBLISHED)
            & (Post.publish_at.is_null() | (Post.publish_at <= now))
            & (Post.ends_at.is_null() | (Post.ends_at > now))
        )
        .order_by(Post.publish_at, ascending=False)
        .limit(LIMIT)
    )
    facts = await outage_facts(p["outage"] for p in posts if not p["own_words"])
    audiences = await _audiences([p["id"] for p in posts])
    reached = await _accounts_reached(audiences)
    found = []
    for post in posts:
        audience = audiences.get(post["id"], Audience())
        told = None if post["own_words"] else facts.get(post["outage"])
        found.append(
            Pinned(
                post["id"],
                post["title"],
                post["ends_at"],
                post["publish_at"],
                audience.company,
                frozenset(reached.get(post["id"], ())),
                told,
            )
        )
    return found


async def _audiences(post_ids: list[int]) -> dict[int, Audience]:
    """The audience of each of these posts: one query for all of them (at most ``LIMIT``)."""
    if not post_ids:
        return {}
    rows = await PostTarget.select(
        PostTarget.post,
        PostTarget.kind,
        PostTarget.ref,
        PostTarget.entrance,
        PostTarget.floor_from,
        PostTarget.floor_to,
    ).where(PostTarget.post.is_in(post_ids))
    targets: dict[int, list[Target]] = {}
    for row in rows:
        post = row.pop("post")
        targets.setdefault(post, []).append(Target(**row))
    return {post: Audience.from_targets(targets.get(post, ())) for post in post_ids}


async def _accounts_reached(audiences: dict[int, Audience]) -> dict[int, set[int]]:
    """The accounts each post reaches, by post: one query for all of them (one branch per post, each the same
    indexed selection ``resolve_audience`` uses), none when every post is for the company or for nobody."""
    branches: list[str] = []
    args: list[Any] = []
    for post, audience in audiences.items():
        if audience.company or audience.is_empty:
            continue
        args.append(post)
        where = audience_clause(audience, args)
        branches.append(
            "SELECT CAST({} AS INTEGER) AS post, a.id AS account FROM personal_account a "  # noqa: S608 (placeholders only)
            "JOIN premise p ON p.id = a.premise JOIN house h ON h.id = p.house WHERE " + where
        )
    if not branches:
        return {}
    reached: dict[int, set[int]] = {}
    for row in await Post.raw(" UNION ALL ".join(branches), *args):
        reached.setdefault(int(row["post"]), set()).add(int(row["account"]))
    return reached


async def for_principal(principal: Principal) -> list[Pinned]:
    """The emergencies in force that reach one of the resident's accounts (none for staff-only users)."""
    accounts = principal.account_ids
    if not accounts:
        return []
    moment = time.monotonic()
    now = clock.now()
    if _cache["at"] is None or moment - _cache["at"] > TTL:
        _cache["items"] = await _load(now)
        _cache["at"] = moment
    return [
        replace(p, title=p.facts.title()) if p.facts else p
        for p in _cache["items"]
        if (p.ends_at is None or p.ends_at > now) and (p.company or p.accounts & accounts)
    ]


async def banner(principal: Principal) -> list[Pinned] | None:
    """The loader of the pinned banner (core.home.register_banner)."""
    found = await for_principal(principal)
    return found or None
