"""Script in a post (SECURITY.md, XSS): Markdown is rendered, then an allow-list keeps plain formatting only."""

from __future__ import annotations

import re

import pytest

from portal.content.rules import plain_text
from portal.content.rules import render_markdown

PAYLOAD = """# Отключение
<script>alert('x')</script>
[нажмите](javascript:alert(1)) и [ещё](JaVaScRiPt:alert(2))
и <a href="javascript:alert(3)" onclick="alert(4)">ссылка</a>

"><img src=x onerror=alert(5)> <b onmouseover="alert(6)">жирный</b> <svg onload=alert(7)></svg>
<iframe src="https://evil.example"></iframe> ![p](data:text/html;base64,PHNjcmlwdD4=)

Обычная [ссылка](https://example.ru) и **важное**.
"""


def _inert(html: str) -> None:
    lowered = html.lower()
    assert "<script" not in lowered and "<iframe" not in lowered and "<svg" not in lowered and "<img" not in lowered
    assert not re.search(r"\son\w+\s*=", lowered), html
    assert not re.search(r"href\s*=\s*\"?\s*(javascript|data):", lowered), html


def test_script_links_and_event_attributes_do_not_survive() -> None:
    html = render_markdown(PAYLOAD)
    _inert(html)
    assert '<a href="https://example.ru" rel="noopener noreferrer nofollow">ссылка</a>' in html
    assert "<strong>важное</strong>" in html and "<h2>Отключение</h2>" in html
    assert "alert(" not in plain_text("<script>alert('x')</script>Текст")


@pytest.mark.parametrize("field", ["title", "body"])
async def test_a_post_with_payloads_is_shown_inert(db, client, new_client, login, town, staff_principal, field):
    from portal.content import actions
    from portal.content.rules import Move
    from portal.content.tables import PostKind
    from portal.notifications.rules import Audience

    t = await town()
    moderator = await staff_principal(t["moderator"], "moderator")
    title = "<script>alert(1)</script>Новость" if field == "title" else "Новость"
    post_id = await actions.save_post(
        moderator,
        actions.PostInput(kind=PostKind.NEWS, title=title, body=PAYLOAD, audience=Audience.of(houses=[t["house"]])),
    )
    await actions.move(moderator, post_id, Move.SUBMIT)
    await actions.move(moderator, post_id, Move.APPROVE)
    await login(client, t["residents"][0])
    for url in (f"/news/{post_id}", "/news", "/"):
        page = await client.get(url)
        assert page.status_code == 200, url
        main = page.text.split('<main id="main"', 1)[1].split("</main>", 1)[0]
        _inert(main)
    staff = new_client()
    await login(staff, t["moderator"])
    for url in (f"/staff/posts/{post_id}", "/staff/posts"):
        page = await staff.get(url)
        assert page.status_code == 200, url
        _inert(page.text.split('<main id="main"', 1)[1].split("</main>", 1)[0])
