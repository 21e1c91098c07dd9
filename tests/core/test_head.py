"""HEAD on every page answers as its GET without the body: uptime monitors and link checkers ask with HEAD, and
got 405 from every page, ``/healthz`` among them."""

from __future__ import annotations

SAME = ("content-type", "content-length", "cache-control", "content-security-policy", "location")


async def test_head_answers_as_the_get_of_health_and_of_a_page_without_the_body(client) -> None:
    for path in ("/healthz", "/login", "/favicon.ico", "/staff"):
        head = await client.head(path)
        get = await client.get(path)
        assert head.status_code == get.status_code != 405, path
        assert {h: head.headers.get(h) for h in SAME} == {h: get.headers.get(h) for h in SAME}, path
        assert head.content == b"" and (get.content or get.status_code == 303), path
    assert (await client.head("/healthz")).headers["content-length"] == "2"
    assert (await client.head("/staff")).headers["location"].startswith("/login")  # signed out: as its GET
