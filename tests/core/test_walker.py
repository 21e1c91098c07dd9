"""Every demo role signs in and walks the pages its home links to, as a person clicking would, on both engines:
no page or HTMX fragment answers 5xx (a Jinja error is a 500), and no link leads to a page the role cannot open
(see tests/walker.py for what is walked and how)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import _RUN
from tests.conftest import demo_postgres
from tests.conftest import missing
from tests.conftest import portal_server
from tests.walker import ROLES
from tests.walker import Walk
from tests.walker import walk_all


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def demo_site(request: pytest.FixtureRequest) -> Iterator[str]:
    """A live server with the demo data on each engine (SQLite: the shared one of the browser tests)."""
    if request.param == "sqlite":
        yield request.getfixturevalue("live_server")
        return
    with demo_postgres("walk", _RUN / "walk-postgres") as url:
        if url is None:
            missing("PostgreSQL", "start it and set TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/portal_test")
        with portal_server("walk-postgres", DATABASE_URL=url or "") as (base, _):
            yield base


@pytest.fixture(scope="module")
def walks(demo_site: str) -> dict[str, Walk]:
    """Every demo role's walk on this engine, a few roles at a time."""
    return walk_all(demo_site, ROLES, max_pages=40)


@pytest.mark.parametrize("login", ROLES)
def test_every_page_a_role_reaches_opens_whole_and_as_its_fragments(walks: dict[str, Walk], login: str) -> None:
    result = walks[login]
    assert not result.problems, "\n".join(result.problems)
    # The walk reached beyond the home page (a sign-in that failed quietly would walk nothing).
    assert len(result.pages) >= 10, result.pages
