"""A static file is the same for whoever asks: a signed-in browser's request for one reads no session, loads no
caller (no statement) and sets no cookie. Each page a browser opens asks for several of them (the stylesheet, the
scripts, the icons, the tab's icon), and each used to cost the session's read from the store and the principal's
statement on the database."""

from __future__ import annotations

from typing import Any

import pytest

from portal.core.assets import asset
from tests.querylog import captured

FILES = [asset("css/portal.css"), asset("vendor/htmx.min.js"), "/static/vendor/icons.svg", "/favicon.ico"]


@pytest.fixture
async def signed_in(client: Any, login: Any, make_user: Any, make_account: Any) -> Any:
    account = (await make_account()).account
    await login(client, await make_user(accounts={account: "owner"}))
    assert (await client.get("/")).status_code == 200  # the principal is built and kept in the session
    return client


async def test_a_static_file_runs_no_statement_and_reads_no_session(
    db: Any, app: Any, signed_in: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = app.stores.get("sessions")
    reads: list[str] = []
    read = type(store).get

    async def counted(self: Any, key: str, *args: Any, **kwargs: Any) -> Any:
        reads.append(key)
        return await read(self, key, *args, **kwargs)

    monkeypatch.setattr(type(store), "get", counted)
    for path in FILES:
        with captured(db) as seen:
            answer = await signed_in.get(path)
        assert answer.status_code == 200, path
        assert [str(q) for q in seen] == [], path
        assert "set-cookie" not in answer.headers, (path, answer.headers.get_list("set-cookie"))
    assert reads == []
    # A page still reads both: the session, and the principal's one statement.
    with captured(db) as seen:
        assert (await signed_in.get("/more")).status_code == 200
    assert reads and any("portal_user" in str(q) for q in seen)


async def test_a_missing_static_file_still_shows_the_signed_in_caller_their_menu(db: Any, signed_in: Any) -> None:
    answer = await signed_in.get("/static/css/no-such-file.css")
    assert answer.status_code == 404
    assert "/logout" in answer.text  # the error page knows who asked (app._caller_of_unrouted)
