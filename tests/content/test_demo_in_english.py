"""The demo reads in English where the portal keeps English: its posts have their English twins (a reader of
English reads them, not the Russian), and the requests' history names the dispatch service in the reader's language
and words a cancellation as the portal does. Both engines."""

from __future__ import annotations

import random
from datetime import date

from portal.accounts import demo as accounts_demo
from portal.content import demo as content_demo
from portal.content.tables import Post
from portal.demo import DemoContext
from portal.housing import demo as housing_demo
from portal.tickets import demo as tickets_demo
from portal.tickets.tables import TicketEvent


async def _seeded(*modules: object) -> DemoContext:
    ctx = DemoContext(rng=random.Random(20261125), today=date(2026, 12, 4))
    await housing_demo.seed(ctx)
    await accounts_demo.seed(ctx)
    for module in modules:
        await module.seed(ctx)  # type: ignore[attr-defined]
    return ctx


async def test_a_reader_of_english_reads_the_demo_news_in_english(client, login):
    ctx = await _seeded(content_demo)
    posts = await Post.select(Post.title, Post.title_en, Post.body_en, Post.body_html_en)
    assert posts and all(p["title_en"] and p["body_en"] and p["body_html_en"] for p in posts)
    await login(client, ctx.shared["users"]["resident"])
    await client.speak("en")
    english = (await client.get("/news")).text
    assert "Cameras at the entrances" in english or "A New Year tree in the courtyard" in english
    assert "Нет холодной воды" not in english and "No cold water on riser" in english
    assert 'lang="ru"' not in english.split("<main", 1)[1]
    await client.speak("ru")
    russian = (await client.get("/news")).text
    assert "Нет холодной воды на\xa0стояке" in russian and "No cold water on riser" not in russian


async def test_the_demo_requests_name_their_authors_as_the_portal_does(db):
    await _seeded(tickets_demo)
    events = await TicketEvent.select(
        TicketEvent.kind, TicketEvent.to_value, TicketEvent.comment, TicketEvent.comment_en, TicketEvent.author_name
    )
    assert len(events) > 500
    # A person by their full name; the dispatch service without one (pages say «Диспетчер» / "Dispatcher").
    assert [n for n in {e["author_name"] for e in events} if n and len(n.split()) != 3] == []
    assert any(e["author_name"] == "" for e in events)
    cancelled = [e for e in events if e["kind"] == "status" and e["to_value"] == "cancelled"]
    assert cancelled
    assert all((e["comment"], e["comment_en"]) == ("Отменена жителем", "Cancelled by the resident") for e in cancelled)
