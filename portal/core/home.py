"""The resident home page is assembled from sections that domains register (balances, requests, news…).

A section is a template plus an async loader that returns its context for the signed-in principal, or
``None`` when it has nothing to show. Domains register at import of their ``routes`` module.
"""

from __future__ import annotations

from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from portal.core.memo import shared_reads
from portal.core.security import Principal

# A loader returns what its template reads as ``section`` (a mapping or a dataclass), or None to hide it.
Loader = Callable[[Principal], Awaitable[Any]]


@dataclass(frozen=True)
class Section:
    order: int
    template: str
    loader: Loader


_sections: dict[str, Section] = {}


def register_section(name: str, order: int, template: str, loader: Loader) -> None:
    _sections[name] = Section(order, template, loader)


async def _shown(sections: dict[str, Section], principal: Principal) -> list[tuple[str, Any]]:
    """The ``sections`` to show ``principal``, in order, each with its context."""
    shown: list[tuple[str, Any]] = []
    for section in sorted(sections.values(), key=lambda s: s.order):
        context = await section.loader(principal)
        if context is not None:
            shown.append((section.template, context))
    return shown


async def load_sections(principal: Principal, answers: dict[Hashable, Any] | None = None) -> list[tuple[str, Any]]:
    """The sections to show, in order, each with its context; what several of them read is read once (with the
    request's ``answers``: once with the page's navigation too)."""
    with shared_reads(answers):
        return await _shown(_sections, principal)


# --- banners: a strip at the top of every page of a signed-in user (emergency notices in force) ---------------

_banners: dict[str, Section] = {}


def register_banner(name: str, order: int, template: str, loader: Loader) -> None:
    """A strip shown above the content of every full page for the principals its loader returns something for.
    The loader runs on every page, so it must cost no query on an ordinary load (keep a short cache)."""
    _banners[name] = Section(order, template, loader)


async def load_banners(principal: Principal) -> list[tuple[str, Any]]:
    return await _shown(_banners, principal)


# --- counts in the resident's navigation (unread in-app messages at «Ещё») -------------------------------------

_nav_counts: dict[str, Callable[[Principal], Awaitable[int]]] = {}


def register_nav_count(name: str, loader: Callable[[Principal], Awaitable[int]]) -> None:
    """A number the resident's navigation shows on every full page (``nav[name]`` in the templates). The loader runs
    once per such page, so it must be one cheap indexed statement, read through ``memo.read_once`` so that a part of
    the same page asking for it (a home section) gets the same answer."""
    _nav_counts[name] = loader


async def load_nav_counts(principal: Principal, answers: dict[Hashable, Any]) -> dict[str, int]:
    with shared_reads(answers):
        return {name: await loader(principal) for name, loader in _nav_counts.items()}
