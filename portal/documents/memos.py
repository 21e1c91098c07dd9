"""The newcomer's memos a resident in their first days is led to from the home page.

Each newcomer's home page would otherwise pay a statement for a list that changes a few times a year, so each
process keeps the company's shown newcomer's memos, each with its houses, for ``TTL`` seconds and picks the
resident's from them (``rules.newcomer_memos``: no statement on the page). A memo put up, corrected or hidden here
clears the list at once; another process sees the change within ``TTL`` seconds (the database stays the only
truth). A company with more than ``LIMIT`` of them has its resident's read on each page, as before.
"""

from __future__ import annotations

import time
from typing import Any

from portal.core.security import Principal
from portal.documents import queries
from portal.documents import rules
from portal.documents.tables import DocumentHouse
from portal.documents.tables import DocumentKind
from portal.documents.tables import HouseDocument

TTL = 60.0
LIMIT = 500

# ``at``: when the list was read (monotonic seconds), None once forgotten; ``generation`` counts the forgettings, so
# a read that began before one never keeps what it found.
_cache: dict[str, Any] = {"at": None, "memos": None, "generation": 0}


def forget() -> None:
    """The list is read again on the next newcomer's page (a memo changed in this process)."""
    _cache["at"] = None
    _cache["generation"] += 1


async def _load() -> list[rules.Memo] | None:
    """The shown newcomer's memos, newest first, each with its houses (None: more than ``LIMIT``)."""
    rows = (
        await HouseDocument.select(HouseDocument.id, HouseDocument.company_wide)
        .where((HouseDocument.kind == DocumentKind.NEWCOMER) & (HouseDocument.hidden == False))  # noqa: E712
        .order_by(HouseDocument.issued_on, ascending=False)
        .order_by(HouseDocument.id, ascending=False)
        .limit(LIMIT + 1)
    )
    if len(rows) > LIMIT:
        return None
    houses: dict[int, set[int]] = {r["id"]: set() for r in rows if not r["company_wide"]}
    if houses:
        links = await DocumentHouse.select(DocumentHouse.document, DocumentHouse.house).where(
            DocumentHouse.document.is_in(list(houses))
        )
        for link in links:
            houses[link["document"]].add(link["house"])
    return [rules.Memo(r["id"], bool(r["company_wide"]), frozenset(houses.get(r["id"], ()))) for r in rows]


async def newcomer_memos(principal: Principal) -> list[int]:
    """The newcomer's memos the resident sees, newest first, two at most (``queries.newcomer_memos``, from the
    list this process keeps)."""
    houses = await queries.resident_houses(principal)
    if not houses:
        return []
    now = time.monotonic()
    if _cache["at"] is None or now - _cache["at"] > TTL:
        generation = _cache["generation"]
        memos = await _load()
        if generation == _cache["generation"]:
            _cache.update(at=now, memos=memos)
    else:
        memos = _cache["memos"]
    if memos is None:
        return await queries.newcomer_memos(principal)
    return rules.newcomer_memos(memos, houses)
