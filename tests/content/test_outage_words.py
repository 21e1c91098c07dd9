"""The notice of an outage reads in its reader's language, whoever recorded the outage: its words are said from
the outage (what is off, where, from when, until when expected) on every page a resident sees it and in every
message, in the recipient's language; the dispatcher's own words stay as typed, and a notice staff rewrote keeps
the words they wrote."""

from __future__ import annotations

import html
import json
from datetime import timedelta

import pytest

from portal.content import actions
from portal.content import pinned
from portal.content import queries
from portal.content import rules
from portal.content.rules import OutageFacts
from portal.content.tables import Post
from portal.core import clock
from portal.core import i18n
from portal.core import outbox
from portal.core.security import Principal
from portal.core.tables import OutboxMessage

ADDRESS = "г. Симферополь, ул. Ручьевая, д. 1"


async def _record(dispatcher_client, house: int) -> int:
    """The dispatcher, on a Russian page, records cold water off in the whole house from an hour ago for four hours."""
    zone = clock.zone()
    now = clock.now()
    made = await dispatcher_client.form(
        "/staff/outages",
        {
            "house": str(house),
            "service": "cold_water",
            "description": "Замена задвижки в подвале",
            "starts_at": (now - timedelta(hours=1)).astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (now + timedelta(hours=3)).astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert made.status_code == 303, made.text[-800:]
    post = await Post.select(Post.id).where(Post.outage.is_not_null()).first()
    return int(post["id"])


def seen(text: str) -> str:
    """Words as a reader sees them: a no-break space (a short word bound to the next one) reads as a space; this test
    is about the language they are in."""
    return html.unescape(text).replace("\xa0", " ")


async def _read(c, post_id: int) -> dict[str, str]:
    """What a resident sees of the notice: the home page (pinned strip, news), the list of news, the post."""
    pinned.forget()
    pages = {"home": "/", "list": "/news", "post": f"/news/{post_id}"}
    found = {}
    for name, path in pages.items():
        page = await c.get(path)
        assert page.status_code == 200, (path, page.status_code)
        found[name] = seen(page.text)
    return found


async def test_a_russian_dispatchers_outage_reads_in_english_to_an_english_resident_and_in_russian_to_a_russian(
    db, new_client, login, town
):
    t = await town()
    dispatcher = new_client()
    dispatcher.cookies.set("lang", "ru")
    await login(dispatcher, t["dispatcher"])
    post_id = await _record(dispatcher, t["house"])

    boris = new_client()  # entrance 2, English
    boris.cookies.set("lang", "en")
    await login(boris, t["residents"][1])
    english = await _read(boris, post_id)
    for name, text in english.items():
        # The address, typed in Russian, is said to be Russian, a whole name inside the English title.
        assert f'Cold water: <span lang="ru">{ADDRESS}</span>' in text, name
        assert "Холодная вода" not in text, name
    post = english["post"]
    assert "From " in post and "Expected back by" in post and "Замена задвижки в подвале" in post
    assert "Ожидаемое время" not in post and "<p>С " not in post

    anna = new_client()  # entrance 1, Russian
    anna.cookies.set("lang", "ru")
    await login(anna, t["residents"][0])
    russian = await _read(anna, post_id)
    for name, text in russian.items():
        assert f"Холодная вода: {ADDRESS}" in text, name
        assert "Cold water" not in text, name
    post = russian["post"]
    assert "<p>С " in post and "Ожидаемое время восстановления" in post and "Замена задвижки в подвале" in post
    assert "Expected back by" not in post and 'lang="ru"' not in post.split("<main", 1)[1]  # Russian in Russian

    from portal.notifications import channels  # noqa: F401  (registers the senders)

    await outbox.deliver_all(seconds=60)
    sent = await OutboxMessage.select(
        OutboxMessage.user_id, OutboxMessage.channel, OutboxMessage.subject, OutboxMessage.body, OutboxMessage.context
    ).where((OutboxMessage.ref == f"post:{post_id}") & OutboxMessage.channel.is_in(["email", "sms"]))
    by = {(m["user_id"], m["channel"]): m for m in sent}
    boris_id, anna_id = t["residents"][1], t["residents"][0]
    assert {(boris_id, "email"), (boris_id, "sms"), (anna_id, "email"), (anna_id, "sms")} <= set(by)
    assert by[boris_id, "email"]["subject"] == f"Emergency notice: Cold water: {ADDRESS}"
    assert "Expected back by" in by[boris_id, "email"]["body"] and "Ожидаемое" not in by[boris_id, "email"]["body"]
    assert by[boris_id, "sms"]["body"].startswith(f"Emergency: Cold water: {ADDRESS}")
    assert by[anna_id, "email"]["subject"] == f"Аварийное сообщение: Холодная вода: {ADDRESS}"
    assert "Ожидаемое время восстановления" in by[anna_id, "email"]["body"]
    # The e-mail's HTML says the dispatcher's words are Russian where the rest is English.
    html_of = {who: seen(_context(by[who, "email"])["html"]) for who in (boris_id, anna_id)}
    assert '<div lang="ru"><p>Замена задвижки в подвале</p>' in html_of[boris_id]
    assert f'>Emergency notice: Cold water: <span lang="ru">{ADDRESS}</span></h1>' in html_of[boris_id]
    assert "Замена задвижки в подвале" in html_of[anna_id] and 'lang="ru"' not in html_of[anna_id]
    assert by[anna_id, "sms"]["body"].startswith(f"Авария: Холодная вода: {ADDRESS}")


def _context(message: dict) -> dict:
    context = message["context"]
    return context if isinstance(context, dict) else json.loads(context or "{}")


def _resident(user_id: int, account: int) -> Principal:
    return Principal(user_id=user_id, name="Житель", account_rights={account: frozenset({"view"})})


async def test_a_notice_staff_rewrote_keeps_their_words_and_one_saved_unchanged_still_reads_in_each_language(
    db, new_client, login, town, staff_principal
):
    t = await town()
    dispatcher = new_client()
    await login(dispatcher, t["dispatcher"])
    post_id = await _record(dispatcher, t["house"])
    moderator = await staff_principal(t["moderator"], "moderator")
    boris = _resident(t["residents"][1], t["places"][1].account)
    view = await queries.post_view(post_id)
    assert view is not None
    audience = await queries.stored_audience(post_id)
    as_stored = actions.PostInput(
        view.kind, view.title, view.body.replace("\n", "\r\n"), audience, view.publish_at, view.ends_at
    )
    await actions.save_post(moderator, as_stored, post_id)  # saved as the form shows it, lines as a browser sends
    i18n.set_locale("en")
    try:
        assert [i.title for i in await queries.feed(boris)] == [f"Cold water: {ADDRESS}"]
        rewritten = actions.PostInput(
            view.kind, "Нет холодной воды", "Воду дадут к вечеру.", audience, view.publish_at, view.ends_at
        )
        await actions.save_post(moderator, rewritten, post_id)
        assert [i.title for i in await queries.feed(boris)] == ["Нет холодной воды"]
        post = await queries.post_for_resident(boris, post_id)
        assert (post.title, post.body) == ("Нет холодной воды", "Воду дадут к вечеру.")
    finally:
        i18n.set_locale("ru")


@pytest.mark.parametrize(
    ("lang", "entrance", "riser", "title"),
    [
        ("en", 2, None, "Hot water: ул. Ручьевая, 1, entrance 2"),
        ("ru", 2, None, "Горячая вода: ул. Ручьевая, 1, подъезд 2"),
        ("en", None, "ГВС-1", "Hot water: ул. Ручьевая, 1, riser ГВС-1"),
        ("ru", None, "ГВС-1", "Горячая вода: ул. Ручьевая, 1, стояк ГВС-1"),
    ],
)
def test_an_outage_of_one_entrance_or_riser_names_it_in_the_readers_language(lang, entrance, riser, title):
    import portal.tickets.actions  # noqa: F401  (names the kinds of outage)

    facts = OutageFacts("hot_water", "ул. Ручьевая, 1", clock.now(), entrance=entrance, riser=riser)
    i18n.set_locale(lang)
    try:
        assert facts.title() == title
    finally:
        i18n.set_locale("ru")


@pytest.mark.parametrize(
    ("lang", "riser", "html"),
    [
        ("en", None, 'Hot water: <span lang="ru">ул. Ручьевая, 1 &lt;б&gt;</span>'),
        (
            "en",
            "ГВС-1",
            'Hot water: <span lang="ru">ул. Ручьевая, 1 &lt;б&gt;</span>, riser <span lang="ru">ГВС-1</span>',
        ),
        ("ru", "ГВС-1", "Горячая вода: ул. Ручьевая, 1 &lt;б&gt;, стояк ГВС-1"),
    ],
    ids=["the address in an English title is marked Russian", "so is the riser's code", "nothing in a Russian one"],
)
def test_an_outage_title_as_html_marks_the_names_typed_in_russian_and_escapes_them(lang, riser, html):
    import portal.tickets.actions  # noqa: F401  (names the kinds of outage)

    facts = OutageFacts("hot_water", "ул. Ручьевая, 1 <б>", clock.now(), riser=riser)
    i18n.set_locale(lang)
    try:
        assert str(facts.title_html()) == html
    finally:
        i18n.set_locale("ru")


async def _found(staff_client, post_id: int, words: str) -> bool:
    """Whether the staff list's search for ``words`` lists the post."""
    page = await staff_client.get("/staff/posts", params={"q": words})
    assert page.status_code == 200
    return f'href="/staff/posts/{post_id}"' in page.text


async def test_staff_find_an_outage_notice_by_its_words_in_their_own_language_as_well(
    db, new_client, login, town, staff_principal
):
    """A Russian dispatcher's notice is found by a staff member reading English by the words they read («cold
    water»), as by its Russian words; still so after a moderator saves it unchanged; once rewritten, by the new
    words only."""
    t = await town()
    dispatcher = new_client()
    dispatcher.cookies.set("lang", "ru")
    await login(dispatcher, t["dispatcher"])
    post_id = await _record(dispatcher, t["house"])
    moderator = new_client()
    moderator.cookies.set("lang", "en")
    await login(moderator, t["moderator"])

    async def found(words: str) -> bool:
        return await _found(moderator, post_id, words)

    for words in ("cold water", "Cold water ручьевая", "expected back", "Холодная вода", "задвижки"):
        assert await found(words), words
    assert not await found("hot water")

    view = await queries.post_view(post_id)
    assert view is not None
    audience = await queries.stored_audience(post_id)
    staff = await staff_principal(t["moderator"], "moderator")
    unchanged = actions.PostInput(view.kind, view.title, view.body, audience, view.publish_at, view.ends_at)
    await actions.save_post(staff, unchanged, post_id)
    assert await found("cold water") and await found("холодная вода")

    rewritten = actions.PostInput(
        view.kind, "Нет воды", "Воду дадут к вечеру.", audience, view.publish_at, view.ends_at
    )
    await actions.save_post(staff, rewritten, post_id)
    assert await found("дадут к вечеру")
    assert not await found("cold water") and not await found("холодная вода")


async def test_notices_stored_before_are_found_by_their_words_in_every_language_once_migrated(
    db, new_client, login, town
):
    """A notice stored before (searched by its Russian words only) is found by its English words once the
    migration has run; a notice staff rewrote keeps being found by their words only."""
    import importlib

    migration = importlib.import_module("migrations.content.content_2026_12_03t13_30_00_000000")
    t = await town()
    dispatcher = new_client()
    await login(dispatcher, t["dispatcher"])
    post_id = await _record(dispatcher, t["house"])
    view = await queries.post_view(post_id)
    assert view is not None
    await Post.update({Post.search_text: rules.search_text(view.title, view.body)}).where(Post.id == post_id)
    moderator = new_client()
    moderator.cookies.set("lang", "en")
    await login(moderator, t["moderator"])
    assert await _found(moderator, post_id, "холодная вода") and not await _found(moderator, post_id, "cold water")

    await migration.backfill()
    assert await _found(moderator, post_id, "cold water") and await _found(moderator, post_id, "холодная вода")

    own = {Post.own_words: True, Post.search_text: rules.search_text("Нет воды", "Своими словами.")}
    await Post.update(own).where(Post.id == post_id)
    await migration.backfill()
    assert await _found(moderator, post_id, "своими словами") and not await _found(moderator, post_id, "cold water")
