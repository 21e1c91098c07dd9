"""A post in its reader's language, on both engines: staff may write a post's title and text in English too; a
resident who reads English reads them on the feed, the post's page, the pinned emergencies and the post's
e-mail, and where staff left them empty reads the Russian, marked as Russian; a resident who reads Russian always
reads the Russian; the English text is sanitised as the Russian is; staff see both."""

from __future__ import annotations

import re
from typing import Any

from portal.content import actions
from portal.content import pinned
from portal.content.rules import Move
from portal.content.tables import Post
from portal.content.tables import PostKind
from portal.core import outbox
from portal.core.security import Principal
from portal.core.tables import OutboxMessage
from portal.notifications.rules import Audience

RU_TITLE, EN_TITLE = "Покраска подъезда", "Stairwell painting"
RU_TEXT, EN_TEXT = "Красим **подъезд** в среду.", "We paint the **stairwell** on Wednesday."


def _input(house: int, kind: PostKind = PostKind.NOTICE, **words: str) -> actions.PostInput:
    return actions.PostInput(
        kind=kind, title=RU_TITLE, body=RU_TEXT, audience=Audience.of(houses=[house]), by_email=True, **words
    )


async def _published(t: dict[str, Any], staff_principal: Any, **words: str) -> int:
    """A notice for the whole house (Anna reads Russian, Boris English), published."""
    moderator = await staff_principal(t["moderator"], "moderator")
    kind = words.pop("kind", PostKind.NOTICE)
    post_id = await actions.save_post(moderator, _input(t["house"], PostKind(kind), **words))
    if kind == PostKind.EMERGENCY:
        await actions.move(moderator, post_id, Move.SEND_NOW)
    else:
        await actions.move(moderator, post_id, Move.SUBMIT)
        await actions.move(moderator, post_id, Move.APPROVE)
    return post_id


async def _reader(new_client: Any, login: Any, user_id: int, lang: str) -> Any:
    client = new_client()
    await login(client, user_id)
    await client.speak(lang)
    return client


async def test_staff_write_the_english_twin_on_the_form_and_a_reader_of_english_reads_it(db, new_client, login, town):
    t = await town()
    manager = new_client()
    await login(manager, t["manager"])
    form = (await manager.get("/staff/posts/new")).text
    assert 'name="title_en"' in form and 'name="body_en"' in form
    # Each box says the language it is written in, whatever the page's: spell-checkers and screen readers follow.
    boxes = {m[1]: m[0] for m in re.finditer(r'<(?:input|textarea) id="f-(title|body|title_en|body_en)"[^>]*>', form)}
    langs = {name: "".join(re.findall(r'\blang="(\w+)"', tag)) for name, tag in boxes.items()}
    assert langs == {"title": "ru", "body": "ru", "title_en": "en", "body_en": "en"}
    assert "Заголовок на английском (необязательно)" in form
    made = await manager.form(
        "/staff/posts/new",
        {"kind": "notice", "title": RU_TITLE, "body": RU_TEXT, "title_en": EN_TITLE, "body_en": EN_TEXT,
         "houses": str(t["house"])},
        files={"image": ("", b"", "application/octet-stream")},
    )  # fmt: skip
    assert made.status_code == 303, made.text[-500:]
    post_id = int(made.headers["location"].rsplit("/", 1)[1])
    edit = (await manager.get(f"/staff/posts/{post_id}/edit")).text
    assert f'value="{EN_TITLE}"' in edit and EN_TEXT in edit  # kept on the form
    staff_page = (await manager.get(f"/staff/posts/{post_id}")).text
    assert f"<h1>{RU_TITLE}</h1>" in staff_page and EN_TITLE in staff_page  # the Russian, the English under it
    assert staff_page.index("<strong>подъезд</strong>") < staff_page.index("<strong>stairwell</strong>")
    await manager.form(f"/staff/posts/{post_id}/move", {"step": "submit"})
    moderator = new_client()
    await login(moderator, t["moderator"])
    assert (await moderator.form(f"/staff/posts/{post_id}/move", {"step": "approve"})).status_code == 303
    assert RU_TITLE in (await moderator.get("/staff/posts?q=stairwell")).text  # found by its English words

    boris = await _reader(new_client, login, t["residents"][1], "en")
    feed = (await boris.get("/news")).text
    assert f'class="feed-title">{EN_TITLE}</a>' in feed and RU_TITLE not in feed
    page = (await boris.get(f"/news/{post_id}")).text
    assert f"<h1>{EN_TITLE}</h1>" in page and "<strong>stairwell</strong>" in page
    assert RU_TITLE not in page and "подъезд" not in page and 'lang="ru"' not in page.split("<main", 1)[1]

    anna = await _reader(new_client, login, t["residents"][0], "ru")
    feed = (await anna.get("/news")).text
    assert f'class="feed-title">{RU_TITLE}</a>' in feed and EN_TITLE not in feed
    page = (await anna.get(f"/news/{post_id}")).text
    assert f"<h1>{RU_TITLE}</h1>" in page and "<strong>подъезд</strong>" in page
    assert EN_TITLE not in page and "stairwell" not in page


async def test_without_a_twin_a_reader_of_english_reads_the_russian_marked_as_russian(
    db, new_client, login, town, staff_principal
):
    t = await town()
    post_id = await _published(t, staff_principal)
    boris = await _reader(new_client, login, t["residents"][1], "en")
    feed = (await boris.get("/news")).text
    assert f'class="feed-title"><span lang="ru">{RU_TITLE}</span></a>' in feed
    page = (await boris.get(f"/news/{post_id}")).text
    assert f'<h1><span lang="ru">{RU_TITLE}</span></h1>' in page
    assert '<div class="post-body" lang="ru"><p>Красим <strong>подъезд</strong>' in page
    anna = await _reader(new_client, login, t["residents"][0], "ru")
    page = (await anna.get(f"/news/{post_id}")).text
    assert f"<h1>{RU_TITLE}</h1>" in page and '<div class="post-body">' in page


async def test_a_pinned_emergency_reads_in_english_where_staff_wrote_it(db, new_client, login, town, staff_principal):
    t = await town()
    await _published(t, staff_principal, kind=PostKind.EMERGENCY, title_en=EN_TITLE, body_en=EN_TEXT)
    pinned.forget()
    boris = await _reader(new_client, login, t["residents"][1], "en")
    home = (await boris.get("/")).text
    banner = home.split('class="pinned-emergencies"', 1)[1].split("</section>", 1)[0]
    assert EN_TITLE in banner and RU_TITLE not in banner
    anna = await _reader(new_client, login, t["residents"][0], "ru")
    banner = (await anna.get("/")).text.split('class="pinned-emergencies"', 1)[1].split("</section>", 1)[0]
    assert RU_TITLE in banner and EN_TITLE not in banner


async def test_the_pinned_emergencys_end_keeps_its_day_and_month_together(db, new_client, login, town, staff_principal):
    """«до 7» at a line's end and «декабря 2026, 09:00» on the next at 320 px: the strip's end is held."""
    from datetime import timedelta

    from portal.core import clock
    from portal.core.i18n import format_moment
    from portal.settings import get_settings

    t = await town()
    end = clock.now().replace(microsecond=0) + timedelta(days=2)
    await _published(t, staff_principal, kind=PostKind.EMERGENCY, ends_at=end)
    pinned.forget()
    anna = await _reader(new_client, login, t["residents"][0], "ru")
    banner = (await anna.get("/")).text.split('class="pinned-emergencies"', 1)[1].split("</section>", 1)[0]
    held = format_moment(end, get_settings().time_zone, "ru", held=True)
    assert "\u00a0" in held and f"до\u00a0{held}" in banner, banner  # «до» is not left at a line's end either


async def test_the_email_of_a_post_carries_the_english_title_to_a_reader_of_english(db, town, staff_principal):
    from portal.notifications import channels  # noqa: F401  (registers the senders)

    t = await town()
    post_id = await _published(t, staff_principal, title_en=EN_TITLE, body_en=EN_TEXT)
    await outbox.deliver_all(seconds=60)
    mails = await OutboxMessage.select(OutboxMessage.recipient, OutboxMessage.subject, OutboxMessage.body).where(
        (OutboxMessage.ref == f"post:{post_id}") & (OutboxMessage.channel == "email")
    )
    by = {m["recipient"]: m for m in mails}
    assert by["boris@example.ru"]["subject"] == f"Notice: {EN_TITLE}"
    assert "We paint the stairwell" in by["boris@example.ru"]["body"]
    assert by["anna@example.ru"]["subject"] == f"Объявление: {RU_TITLE}"
    assert "Красим подъезд" in by["anna@example.ru"]["body"]


async def test_the_english_text_is_sanitised_as_the_russian_is(db, town, staff_principal):
    t = await town()
    moderator: Principal = await staff_principal(t["moderator"], "moderator")
    evil = "**ok** [link](javascript:alert(1)) <img src=x onerror=alert(1)>\n\n<script>alert(1)</script>"
    post_id = await actions.save_post(moderator, _input(t["house"], title_en=EN_TITLE, body_en=evil))
    row = await Post.select(Post.body_html_en).where(Post.id == post_id).first()
    html = row["body_html_en"]
    assert "<strong>ok</strong>" in html
    assert "<script" not in html and 'href="javascript' not in html and "onerror" not in html and "<img" not in html


async def test_an_outage_notice_said_in_english_is_not_marked_russian_nor_shown_to_staff_as_a_twin(
    db, new_client, login, town
):
    from tests.content.test_outage_words import ADDRESS
    from tests.content.test_outage_words import _record

    t = await town()
    dispatcher = new_client()
    await dispatcher.speak("ru")
    await login(dispatcher, t["dispatcher"])
    post_id = await _record(dispatcher, t["house"])
    boris = await _reader(new_client, login, t["residents"][1], "en")
    pinned.forget()
    said = f'Cold water: <span lang="ru">{ADDRESS}</span>'
    for path in ("/", "/news", f"/news/{post_id}"):
        # Read as words: a title's short words are bound to the next one (not what this test is about).
        main = (await boris.get(path)).text.split("<main", 1)[1].replace("\xa0", " ")
        assert said in main, path
        # Said in English, not the Russian standing in: only the house's address (in each title, and the home's
        # accounts) and the dispatcher's own words are Russian, said so.
        marked = main.count(f'<span lang="ru">{ADDRESS}</span>') + (1 if path.endswith(str(post_id)) else 0)
        assert main.count('lang="ru"') == marked, path
    page = (await boris.get(f"/news/{post_id}")).text
    # Its words as a reader sees them (a short word is bound to the next one: not what this test is about).
    assert '<div lang="ru"><p>Замена задвижки в подвале</p>\n</div><p>From ' in page.replace("\xa0", " ")
    assert f"<title>Cold water: {ADDRESS}" in page  # the window's title is text, unmarked
    staff_page = (await dispatcher.get(f"/staff/posts/{post_id}")).text
    assert "post-twin" not in staff_page and "На английском" not in staff_page
    await dispatcher.speak("en")
    staff_page = (await dispatcher.get(f"/staff/posts/{post_id}")).text
    assert f"<h1>{said}</h1>" in staff_page
    assert f'<a href="/staff/posts/{post_id}">{said}</a>' in (await dispatcher.get("/staff/posts")).text
    await dispatcher.speak("ru")
    staff_page = (await dispatcher.get(f"/staff/posts/{post_id}")).text
    assert f"<h1>Холодная вода: {ADDRESS}</h1>" in staff_page


async def test_the_staff_pages_in_english_mark_the_posts_russian_title_and_text_as_russian(
    db, new_client, login, town, staff_principal
):
    """Staff read a post as written, in Russian, with its English twin under it: on a page in English the
    Russian title and text say they are Russian (a screen reader reads them with a Russian voice); on a page in
    Russian nothing is marked."""
    t = await town()
    post_id = await _published(t, staff_principal, title_en=EN_TITLE, body_en=EN_TEXT)
    english = await _reader(new_client, login, t["moderator"], "en")
    page = (await english.get(f"/staff/posts/{post_id}")).text
    assert f'<h1 lang="ru">{RU_TITLE}</h1>' in page
    assert '<div class="post-body" lang="ru"><p>Красим <strong>подъезд</strong>' in page
    assert '<section class="post-twin" lang="en"' in page and "<strong>stairwell</strong>" in page
    assert '<dt>Author</dt><dd><span lang="ru">' in page  # the author's Russian name
    listed = (await english.get("/staff/posts")).text
    assert f'<a href="/staff/posts/{post_id}" lang="ru">{RU_TITLE}</a>' in listed
    russian = await _reader(new_client, login, t["moderator"], "ru")
    page = (await russian.get(f"/staff/posts/{post_id}")).text
    assert f"<h1>{RU_TITLE}</h1>" in page and '<div class="post-body"><p>Красим' in page
    assert f'<a href="/staff/posts/{post_id}">{RU_TITLE}</a>' in (await russian.get("/staff/posts")).text


async def test_the_email_of_a_post_without_a_twin_marks_its_russian_title_russian_for_a_reader_of_english(
    db, town, staff_principal
):
    from portal.notifications import channels  # noqa: F401  (registers the senders)
    from tests.content.test_outage_words import _context

    t = await town()
    post_id = await _published(t, staff_principal)
    await outbox.deliver_all(seconds=60)
    mails = await OutboxMessage.select(OutboxMessage.recipient, OutboxMessage.context).where(
        (OutboxMessage.ref == f"post:{post_id}") & (OutboxMessage.channel == "email")
    )
    html = {m["recipient"]: _context(m)["html"] for m in mails}
    assert f'>Notice: <span lang="ru">{RU_TITLE}</span></h1>' in html["boris@example.ru"]
    assert f">Объявление: {RU_TITLE}</h1>" in html["anna@example.ru"] and 'lang="ru"' not in html["anna@example.ru"]


async def test_the_staff_pages_in_english_mark_the_russian_addresses_and_riser_codes_of_the_audience(
    db, new_client, login, town, staff_principal
):
    """«Кому» names the houses and risers as the company typed them, in Russian: read in English, each is marked
    as Russian, whole, inside the English words around it; read in Russian, nothing is marked."""
    t = await town()
    moderator = await staff_principal(t["moderator"], "moderator")
    audience = Audience.of(houses=[t["house"], t["other_house"]], risers=[t["riser"]])
    post_id = await actions.save_post(
        moderator, actions.PostInput(kind=PostKind.NOTICE, title=RU_TITLE, body=RU_TEXT, audience=audience)
    )
    ru = '<span lang="ru">{}</span>'.format
    said = f"{ru('г. Симферополь, ул. Другая, д. 9')}, {ru('г. Симферополь, ул. Ручьевая, д. 1')}; riser {ru('ХВС-1')}"
    english = await _reader(new_client, login, t["moderator"], "en")
    assert f"<dd>{said} — 3 people</dd>" in (await english.get(f"/staff/posts/{post_id}")).text
    assert f"{said}</td>" in (await english.get("/staff/posts")).text
    russian = await _reader(new_client, login, t["moderator"], "ru")
    page = (await russian.get(f"/staff/posts/{post_id}")).text
    assert "<dd>г. Симферополь, ул. Другая, д. 9, г. Симферополь, ул. Ручьевая, д. 1; стояк ХВС-1 — " in page
    assert 'lang="ru"' not in page.split("<main", 1)[1].split("post-body", 1)[0]


async def test_the_edit_form_in_english_marks_the_russian_names_of_an_audience_it_cannot_show(
    db, new_client, login, town, staff_principal, make_account
):
    """«Now for: …» on the edit form of a post for single premises names the house and the flat as the company typed
    them: read in English, the address and a flat number with a Russian letter («12А») are each marked as Russian,
    as on the post's page; a number of digits alone is no word of any language."""
    t = await town()
    flats = [await make_account(house=t["house"], premise_number=number) for number in ("12А", "14")]
    moderator = await staff_principal(t["moderator"], "moderator")
    audience = Audience.of(premises=[flat.premise for flat in flats])
    post_id = await actions.save_post(
        moderator, actions.PostInput(kind=PostKind.NOTICE, title=RU_TITLE, body=RU_TEXT, audience=audience)
    )
    said = '<span lang="ru">г. Симферополь, ул. Ручьевая, д. 1</span>; flat 14, flat <span lang="ru">12А</span>'
    english = await _reader(new_client, login, t["moderator"], "en")
    page = (await english.get(f"/staff/posts/{post_id}/edit")).text
    assert f"Now for: {said}. This form" in page
    assert f"<dd>{said} — " in (await english.get(f"/staff/posts/{post_id}")).text
    russian = await _reader(new_client, login, t["moderator"], "ru")
    form = (await russian.get(f"/staff/posts/{post_id}/edit")).text
    assert "Сейчас для: г. Симферополь, ул. Ручьевая, д. 1; кв. 14, кв. 12А. Эта форма" in form
    assert 'lang="ru"' not in form.split('id="kept-audience"', 1)[1].split("</p>", 1)[0]
