"""A visitor's first views of a listing at the same moment, on a database of the test's own where everything is
committed: each request takes a connection of its own, as a double click or a browser's prefetch beside the click
do on the server."""

from __future__ import annotations

import asyncio

from tests.meetings.test_code_race import committed_url  # noqa: F401 (fixture)
from tests.meetings.test_code_race import db  # noqa: F401 (fixture)
from tests.showcase.test_public import BROWSER
from tests.showcase.test_public import _views


async def test_first_visits_at_the_same_moment_count_once(visitor, make_listing):
    """The visitor's mark was read, then written: first visits at once all found no mark and all counted. Marking
    is one atomic step that only one of them wins."""
    listing = await make_listing()
    url = f"/showcase/listings/{listing}"
    anna = await visitor()
    pages = await asyncio.gather(*(anna.get(url, headers=BROWSER) for _ in range(8)))
    assert [page.status_code for page in pages] == [200] * 8
    assert await _views(listing) == 1
