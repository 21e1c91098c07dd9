"""Who a post is for reads in the reader's language, one entrance or floor in the singular and several in the
plural: the post keeps what its audience is (its selections: houses,
entrances, floors, risers, accounts), and the staff list and the post's page say it in words when they show it, so
a post written on a Russian page reads «entrance 2; floors 4–6» to an English-speaking moderator and the other way
round; the words of a page of posts come from one query."""

from __future__ import annotations

import html
import re

import pytest

from portal.content import actions
from portal.content import queries
from portal.content.forms import PART_FIELDS
from portal.content.forms import AudienceChoice
from portal.content.forms import HousePart
from portal.content.forms import part_name
from portal.content.queries import audience_of
from portal.content.tables import PostKind
from portal.content.tables import PostTarget
from portal.core import i18n
from tests.querylog import captured

ADDRESS = "г. Симферополь, ул. Ручьевая, д. 1"
SAID = {
    "ru": f"{ADDRESS}; подъезд 2; этажи 4–6",
    "en": f"{ADDRESS}; entrance 2; floors 4–6",
}


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        (
            "ru",
            [
                "подъезд 2; этаж 6",
                "подъезды 1, 2; этажи 3–6",
                "стояк ХВС-1",
                "лицевой счёт {a}",
                "лицевые счета {a}, {b}",
            ],
        ),
        (
            "en",
            ["entrance 2; floor 6", "entrances 1, 2; floors 3–6", "riser ХВС-1", "account {a}", "accounts {a}, {b}"],
        ),
    ],
)
async def test_one_is_named_in_the_singular_and_several_in_the_plural(db, town, staff_principal, lang, said):
    """One entrance, floor, riser or account is named in the singular («подъезд 2», «этаж 6»), several in the
    plural («подъезды 1, 2»), in each language, as said from the stored audience."""
    t = await town()
    a, b = sorted((t["places"][0].number, t["places"][1].number))
    choices = [
        AudienceChoice(houses=(t["house"],), parts=(HousePart(t["house"], (2,), 6, 6),)),
        AudienceChoice(houses=(t["house"],), parts=(HousePart(t["house"], (1, 2), 6, 3),)),
        AudienceChoice(houses=(t["house"],), risers=("ХВС-1",)),
        AudienceChoice(accounts=(a,)),
        AudienceChoice(accounts=(a, b)),
    ]
    admin = await staff_principal(t["manager"], "admin")
    posts = []
    for choice in choices:
        audience, missing = await audience_of(choice)
        assert not missing
        post = actions.PostInput(kind=PostKind.NOTICE, title="Объявление", body="Текст.", audience=audience)
        posts.append(await actions.save_post(admin, post))
    names = await queries.audience_names(posts)
    i18n.set_locale(lang)
    try:
        labels = [names[post].said() for post in posts]
    finally:
        i18n.set_locale("ru")
    assert labels == [ADDRESS + "; " + said[0], ADDRESS + "; " + said[1], ADDRESS + "; " + said[2],
                      said[3].format(a=a, b=b), said[4].format(a=a, b=b)]  # fmt: skip


def _read(page: str) -> str:
    """A page's text as read: the names marked as Russian in an English page (``lang``) read as the words around
    them."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


async def _write(manager, lang: str, house: int, **audience: str) -> int:
    await manager.speak(lang)
    made = await manager.form(
        "/staff/posts/new",
        {
            "kind": "notice",
            "title": "Покраска подъезда",
            "body": "Красим.",
            "houses": str(house),
            **{part_name(k, house) if k in PART_FIELDS else k: v for k, v in audience.items()},
        },  # the house's own fields
        files={"image": ("", b"", "application/octet-stream")},
    )
    assert made.status_code == 303, made.text[-500:]
    return int(made.headers["location"].rsplit("/", 1)[1])


@pytest.mark.parametrize(("author", "reader"), [("ru", "en"), ("en", "ru")])
async def test_the_audience_reads_in_the_reader_s_language_whoever_wrote_it(
    db, new_client, login, town, author, reader
):
    t = await town()
    manager = new_client()
    await login(manager, t["manager"])
    post_id = await _write(manager, author, t["house"], entrances="2", floor_from="4", floor_to="6")
    await manager.speak(reader)
    listed = _read((await manager.get("/staff/posts")).text)
    shown = _read((await manager.get(f"/staff/posts/{post_id}")).text)
    for page in (listed, shown):
        assert SAID[reader] in page
        assert SAID[author] not in page


async def test_a_riser_an_account_and_the_whole_company_read_as_words(db, new_client, login, town, make_user):
    from portal.housing.tables import PersonalAccount

    t = await town()
    admin = await make_user(roles=("admin",))
    staff = new_client()
    await login(staff, admin)
    riser_post = await _write(staff, "ru", t["house"], risers="ХВС-1")
    number = (await PersonalAccount.select(PersonalAccount.number).first())["number"]
    account_post = await _write(staff, "ru", t["house"], accounts=number)
    await staff.speak("ru")
    company = await staff.form(
        "/staff/posts/new", {"kind": "news", "title": "Новый сайт", "body": "Запустили.", "company": "1"},
        files={"image": ("", b"", "application/octet-stream")},
    )  # fmt: skip
    assert company.status_code == 303, company.text[-500:]
    await staff.speak("en")
    said = {
        riser_post: f"{ADDRESS}; riser ХВС-1",
        account_post: f"{ADDRESS}; account {number}",
        int(company.headers["location"].rsplit("/", 1)[1]): "Whole company",
    }
    for post_id, words in said.items():
        assert words in _read((await staff.get(f"/staff/posts/{post_id}")).text)


async def test_a_selection_stored_before_it_named_its_house_still_names_it(db, new_client, login, town, make_user):
    """Posts written before each selection kept its house read their house through the entrance or the house the
    selection names. Staff of some houses count such a selection as outside their houses (they are not shown what
    may be another house's) until the migration has given it its house."""
    import importlib

    fill = importlib.import_module("migrations.content.content_2026_12_03t16_00_00_000000").fill_houses
    t = await town()
    manager, admin = new_client(), new_client()
    await login(manager, t["manager"])
    await login(admin, await make_user(roles=("admin",)))
    post_id = await _write(manager, "ru", t["house"], entrances="2")
    await PostTarget.update({PostTarget.house: None}).where(PostTarget.post == post_id)
    for client in (manager, admin):
        await client.speak("en")
    assert f"{ADDRESS}; entrance 2" in _read((await admin.get(f"/staff/posts/{post_id}")).text)
    unnamed = _read((await manager.get(f"/staff/posts/{post_id}")).text)
    assert "places in houses you do not work with" in unnamed and "entrance 2" not in unnamed
    await fill()
    assert await PostTarget.count().where((PostTarget.post == post_id) & (PostTarget.house == t["house"])) == 1
    assert f"{ADDRESS}; entrance 2" in _read((await manager.get(f"/staff/posts/{post_id}")).text)


async def test_the_words_of_a_page_of_posts_come_from_one_query(db, new_client, login, town):
    t = await town()
    manager = new_client()
    await login(manager, t["manager"])
    await _write(manager, "ru", t["house"], entrances="2")

    async def count() -> int:
        with captured(db) as seen:
            page = await manager.get("/staff/posts")
        assert page.status_code == 200
        return len(seen)

    one = await count()
    for audience in ({"risers": "ХВС-1"}, {"floor_from": "3", "floor_to": "4"}, {}, {"entrances": "1, 2"}):
        await _write(manager, "ru", t["house"], **audience)
    assert await count() == one
