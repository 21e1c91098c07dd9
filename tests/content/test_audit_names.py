"""The audit log names a post its events are about by its title (an outage notice's in the reader's language), not
as a bare «Запись #id»: the titles of a whole page are looked up at once, however many events it holds."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.content.tables import Post
from portal.content.tables import PostKind
from portal.core import clock
from tests.accounts.test_audit_values import _page
from tests.words import as_read


async def _posts(make_account) -> dict[str, int]:
    """A news post and the notice of an outage (its title said from the outage), with no events of their own."""
    from portal.content.actions import announce_outage
    from portal.core.tables import AuditEvent
    from portal.tickets.tables import Outage

    place = await make_account(address="г. Симферополь, ул. Киевская, д. 12")
    news = Post(kind=PostKind.NEWS, title="Субботник во дворе")
    await news.save()
    outage = Outage(house=place.house, service="cold_water", description="Замена задвижки",
                    starts_at=clock.now() - timedelta(minutes=1))  # fmt: skip
    await outage.save()
    notice = await announce_outage(outage.id)
    await AuditEvent.delete(force=True)
    return {"news": news.id, "notice": notice, "outage": outage.id}


def _events(p: dict[str, int]) -> list[tuple]:
    return [
        ("post.create", "post", p["news"], {"kind": "news", "title": "Субботник во дворе"}),
        ("post.edit", "post", p["news"], {"title": ["Субботник", "Субботник во дворе"]}),
        ("post.outage", "post", p["notice"], {"outage": p["outage"]}),
        ("post.delete", "post", 10**9, {}),
    ]


@pytest.mark.parametrize(("lang", "notice"), [("ru", "Холодная вода: "), ("en", "Cold water: ")])
async def test_a_post_reads_as_its_title(client, make_user, make_account, login, lang, notice):
    p = await _posts(make_account)
    page = await _page(client, make_user, login, lang, *_events(p))
    listed = as_read(page)  # as they read
    record = "Запись" if lang == "ru" else "Post"
    assert f'{record} #{p["news"]}<div class="muted">Субботник во дворе</div>' in listed
    assert f'{record} #{p["notice"]}<div class="muted">{notice}г. Симферополь, ул. Киевская, д. 12' in listed
    assert f"{record} #{10**9}</td>" in listed  # a post since deleted keeps its number alone


async def test_the_titles_of_a_page_come_from_one_query(client, make_user, make_account, login, audit_log_queries):
    p = await _posts(make_account)
    await _page(client, make_user, login, "ru", *_events(p))
    few = await audit_log_queries()
    events = []
    for n in range(5):
        extra = Post(kind=PostKind.NOTICE, title=f"Объявление {n}")
        await extra.save()
        events += [*_events(p), ("post.create", "post", extra.id, {})]
    many = await audit_log_queries(*events)
    assert len(many) == len(few), (few, many)
    assert sum('FROM "post"' in q for q in many) == 1, many
