"""Emergency notices in force, pinned at the top of every page of the residents they reach.

Every page of a resident would otherwise pay a query for something that is rarely there, so each process keeps
the short list of emergencies in force for ``TTL`` seconds, and for each set of a resident's accounts which of
them reach it (one query, asked once per ``TTL``: the notices' audiences are joined against the resident's own
premises and accounts, however many accounts a notice was written for). A post published, unpublished or ended
here clears the list at once; another process sees the change within ``TTL`` seconds (the database stays the only
truth).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from dataclasses import replace
from datetime import datetime
from typing import Any

from portal.content.queries import outage_facts
from portal.content.queries import reaching
from portal.content.rules import OutageFacts
from portal.content.tables import Post
from portal.content.tables import PostKind
from portal.content.tables import PostStatus
from portal.core import clock
from portal.core.security import Principal

TTL = 15.0
LIMIT = 50
# The sets of accounts whose answer is kept until the list is read again (a busy process's residents, bounded).
REACHED_KEPT = 10_000


@dataclass(frozen=True)
class Pinned:
    id: int
    title: str
    ends_at: datetime | None
    publish_at: datetime | None
    # The notice of an outage: its title is said from these in the reader's language (kept here, not the words,
    # since one list serves the readers of every language).
    facts: OutageFacts | None = None
    title_en: str = ""  # the English twin staff wrote (read through i18n.own_words)
    title_html: str = ""  # the outage's title said as HTML for the reader, its Russian names marked
    outage: int | None = None  # the outage of the dispatch service this notice tells of, if any


_cache: dict[str, Any] = {"at": None, "items": [], "reached": {}}


def forget() -> None:
    _cache["at"] = None


async def _load(now: datetime) -> list[Pinned]:
    posts = (
        await Post.select(
            Post.id, Post.title, Post.title_en, Post.publish_at, Post.ends_at, Post.outage, Post.own_words
        )
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
    return [
        Pinned(
            post["id"],
            post["title"],
            post["ends_at"],
            post["publish_at"],
            None if post["own_words"] else facts.get(post["outage"]),
            post["title_en"],
            outage=post["outage"],
        )
        for post in posts
    ]


async def _reached(accounts: frozenset[int]) -> frozenset[int]:
    """The notices of the list in force that reach one of ``accounts``, kept with the list."""
    kept: dict[frozenset[int], frozenset[int]] = _cache["reached"]
    if accounts not in kept:
        if len(kept) >= REACHED_KEPT:
            kept.clear()
        kept[accounts] = frozenset(await reaching([p.id for p in _cache["items"]], accounts))
    return kept[accounts]


async def for_principal(principal: Principal) -> list[Pinned]:
    """The emergencies in force that reach one of the resident's accounts (none for staff-only users)."""
    accounts = frozenset(principal.account_ids)
    if not accounts:
        return []
    moment = time.monotonic()
    now = clock.now()
    if _cache["at"] is None or moment - _cache["at"] > TTL:
        _cache["items"] = await _load(now)
        _cache["reached"] = {}
        _cache["at"] = moment
    if not _cache["items"]:
        return []
    reached = await _reached(accounts)
    return [
        replace(p, title=(said := p.facts.title()), title_en=said, title_html=p.facts.title_html()) if p.facts else p
        for p in _cache["items"]
        if (p.ends_at is None or p.ends_at > now) and p.id in reached
    ]


async def banner(principal: Principal) -> list[Pinned] | None:
    """The loader of the pinned banner (core.home.register_banner)."""
    found = await for_principal(principal)
    return found or None
