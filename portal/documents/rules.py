"""The decisions of the house's documents, as plain functions: who among staff may change a document, how a
file's size is told and the name it is saved under."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from decimal import ROUND_HALF_UP
from decimal import Decimal

MAX_TITLE = 200
NEWCOMER_DAYS = 30  # a resident is told of the newcomer's memo for so many days after their first residency began
KB = 1024
MB = 1024 * 1024


def may_change(scope: frozenset[int] | None, company_wide: bool, houses: Iterable[int]) -> bool:
    """Whether a staff member who works with the houses ``scope`` (None: every house) may change a document: one
    for the whole company only staff of every house; one for houses only if every one of them is theirs (a manager
    of one house does not hide the contract another house's residents read)."""
    if scope is None:
        return True
    chosen = set(houses)
    return not company_wide and bool(chosen) and chosen <= scope


def may_edit(
    scope: frozenset[int] | None,
    was_company_wide: bool,
    was_houses: Iterable[int],
    company_wide: bool,
    houses: Iterable[int],
) -> bool:
    """Whether a staff member may change a document's houses: they must be allowed to change it as it was and as it
    becomes (a manager neither takes a document from another manager's house nor gives one to it)."""
    return may_change(scope, was_company_wide, was_houses) and may_change(scope, company_wide, houses)


def is_newcomer(resident_since: datetime | None, now: datetime) -> bool:
    """Whether a resident whose residency began at ``resident_since`` is still new (under ``NEWCOMER_DAYS``)."""
    return resident_since is not None and now - resident_since < timedelta(days=NEWCOMER_DAYS)


@dataclass(frozen=True)
class Memo:
    """A shown newcomer's memo: for the whole company, or for its houses."""

    id: int
    company_wide: bool
    houses: frozenset[int]


def newcomer_memos(memos: Sequence[Memo], houses: Iterable[int], most: int = 2) -> list[int]:
    """The ids of the ``memos`` (newest first) a resident of ``houses`` sees, ``most`` at most: the home page links
    to the memo itself when there is only one."""
    own = set(houses)
    return [m.id for m in memos if m.company_wide or m.houses & own][:most]


@dataclass(frozen=True)
class Size:
    """A file's size as told: a number (one decimal at most) and its unit, "KB" or "MB"."""

    number: Decimal
    unit: str


def size_of(size: int) -> Size:
    """«1,2 МБ» for 1,258,291 bytes; under a megabyte in kilobytes, whole («340 КБ»), never «0 КБ»."""
    if size < MB:
        return Size(max(Decimal(1), (Decimal(size) / KB).quantize(Decimal(1), ROUND_HALF_UP)), "KB")
    return Size((Decimal(size) / MB).quantize(Decimal("0.1"), ROUND_HALF_UP), "MB")


_UNSAFE_IN_NAME = str.maketrans({c: " " for c in '/\\:*?"<>|'})


def file_name(title: str) -> str:
    """The name a document is saved under: its title (the characters a file name may not hold become spaces),
    at most 100 characters, with «.pdf»."""
    cleaned = "".join(c for c in title.translate(_UNSAFE_IN_NAME) if c.isprintable())
    stem = " ".join(cleaned.split())[:100].strip(" .") or "document"
    return f"{stem}.pdf"
