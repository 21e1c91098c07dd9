"""Paging of long lists: page sizes 10/30/50/100 (default 30), clamped, with links that keep the filters.

A page asked for past the end of its list (an old link, a list that has since grown shorter) is not answered with
an empty page under «Показаны 0 из 120» or «Пока пусто»: building its ``Page`` raises ``PastTheEnd``, and the app
sends the person to the last page, saying there was no such page (``core.web.to_last_page``). Every list that
builds a ``Page`` does so, none by itself. A page number that is not a number, or below 1, is page 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from typing import Generic
from typing import TypeVar
from urllib.parse import urlencode

from litestar.di import NamedDependency
from litestar.params import FromQuery

T = TypeVar("T")

PAGE_SIZES: tuple[int, ...] = (10, 30, 50, 100)
DEFAULT_PAGE_SIZE = 30
MAX_PAGE_SIZE = PAGE_SIZES[-1]


@dataclass(frozen=True)
class PageRequest:
    number: int = 1
    size: int = DEFAULT_PAGE_SIZE

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def _to_int(value: object, default: int) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return default


def page_request(page: object = None, size: object = None) -> PageRequest:
    """Read ``page`` and ``size`` from a query; any size is clamped to 10…100, any page to ≥ 1."""
    number = max(1, _to_int(page, 1))
    wanted = _to_int(size, DEFAULT_PAGE_SIZE)
    wanted = min(MAX_PAGE_SIZE, max(PAGE_SIZES[0], wanted))
    return PageRequest(number=min(number, 1_000_000), size=wanted)


async def provide_paging(page: FromQuery[str] = "", size: FromQuery[str] = "") -> PageRequest:
    """The app-wide dependency: a list handler declares ``paging: Paging`` and gets the page asked for."""
    return page_request(page, size)


def page_of(query: Mapping[str, Any]) -> PageRequest:
    """The page a list's query names, read as ``provide_paging`` reads a request's: for a list shown again to a
    refused form of it, whose query came in the form."""
    return page_request(query.get("page"), query.get("size"))


Paging = NamedDependency[PageRequest]


class PastTheEnd(Exception):
    """Page ``asked`` of a list whose last page is ``last`` (``total`` rows in all; page 1 of an empty list)."""

    def __init__(self, asked: int, last: int, total: int) -> None:
        super().__init__(f"page {asked} of {last}")
        self.asked = asked
        self.last = last
        self.total = total


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    total: int
    number: int
    size: int

    def __post_init__(self) -> None:
        if self.number > self.pages:
            raise PastTheEnd(self.number, self.pages, self.total)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first_index(self) -> int:
        return 0 if not self.total else (self.number - 1) * self.size + 1

    @property
    def last_index(self) -> int:
        return min(self.total, self.number * self.size)

    def window(self, radius: int = 2) -> list[int | None]:
        """Page numbers to show, with ``None`` for a gap: 1 … 4 5 [6] 7 8 … 20."""
        shown = {1, self.pages, *range(self.number - radius, self.number + radius + 1)}
        result: list[int | None] = []
        previous = 0
        for n in sorted(p for p in shown if 1 <= p <= self.pages):
            if n - previous > 1:
                result.append(None)
            result.append(n)
            previous = n
        return result


def with_params(params: Mapping[str, object], **changes: object) -> str:
    """A query string of ``params`` with ``changes`` applied (``None`` removes a key). An empty value is no value:
    a field a form sent empty (``q=``), alone or in a list of a key's values (``status=new&status=``), is left
    out of the link, whether it came from the request or a change."""
    merged = {**params, **changes}
    kept = {key: _filled(value) for key, value in merged.items()}
    kept = {key: value for key, value in kept.items() if value not in (None, [])}
    return "?" + urlencode(kept, doseq=True) if kept else "?"


def _filled(value: object) -> object:
    """``value`` without its empty items: a list or tuple keeps its filled ones, a lone ``""`` becomes ``None``."""
    if isinstance(value, list | tuple):
        return [item for item in value if item not in (None, "")]
    return None if value == "" else value
