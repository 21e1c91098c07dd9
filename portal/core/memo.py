"""Reads shared by the parts of one page: the home page's sections, each written by its own domain, ask for some of
the same rows (the resident's accounts). Inside ``shared_reads()`` the first part to ask reads them and the others
get that answer; outside it every read goes to the database. Nothing outlives the request: a block holds
the answers of one request (two blocks of one request may share them), never across requests, so a change made by
another request is seen on the next page.
"""

from __future__ import annotations

from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Hashable
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from typing import TypeVar

T = TypeVar("T")

_answers: ContextVar[dict[Hashable, Any] | None] = ContextVar("shared_reads", default=None)


@contextmanager
def shared_reads(answers: dict[Hashable, Any] | None = None) -> Iterator[None]:
    """The reads inside the block made once each (by ``read_once``'s key); given the ``answers`` of an earlier
    block of the same request (``core.web.request_reads``), also those it made: the home page's sections and the
    navigation of the same page read the count of unread messages once."""
    token = _answers.set({} if answers is None else answers)
    try:
        yield
    finally:
        _answers.reset(token)


async def read_once(key: Hashable, read: Callable[[], Awaitable[T]]) -> T:
    """``await read()``, or inside ``shared_reads()`` the answer it gave the first time ``key`` was asked for."""
    answers = _answers.get()
    if answers is None:
        return await read()
    if key not in answers:
        answers[key] = await read()
    return answers[key]  # type: ignore[no-any-return]
