"""The people of an owner's account: each «Отозвать доступ» and «Отменить приглашение» names its person for a screen
reader's list of buttons, and closing someone's access asks once more, with the consequence. Both engines."""

from __future__ import annotations

import re


def _words(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()


async def test_each_revoke_and_cancel_button_names_its_person_and_revoking_asks_first(
    client, make_user, make_account, login
):
    place = await make_account()
    owner = await make_user(name="Хозяйка Счёта", accounts={place.account: "owner"})
    await make_user(name="Член Семьи", accounts={place.account: "family"})
    await make_user(name="Жилец Квартиры", accounts={place.account: "tenant"})
    await login(client, owner)
    sent = await client.form(f"/accounts/{place.account}/people", {"email": "guest@example.ru", "role": "family"})
    assert sent.status_code == 303

    page = (await client.get(f"/accounts/{place.account}/people")).text
    revokes = re.findall(r'<form method="post" action="[^"]+/revoke" data-confirm="([^"]+)">(.*?)</form>', page, re.S)
    assert sorted(_words(body) for _confirm, body in revokes) == [
        "Отозвать доступ: Жилец Квартиры",
        "Отозвать доступ: Член Семьи",
    ]
    assert sorted(confirm for confirm, _body in revokes) == [
        "Отозвать доступ? Жилец Квартиры больше не увидит этот лицевой счёт.",
        "Отозвать доступ? Член Семьи больше не увидит этот лицевой счёт.",
    ]
    cancel = r'action="[^"]+/cancel">.*?<button class="link-button" type="submit">(.*?)</button>'
    cancels = re.findall(cancel, page, re.S)
    assert [_words(c) for c in cancels] == ["Отменить приглашение: guest@example.ru"]


async def test_peoples_russian_names_are_marked_russian_on_english_pages_only(client, make_user, make_account, login):
    """A blind reader's English voice reads a Cyrillic name as gibberish: on an English page each name in the list,
    in a button's hidden words and in the top bar (with its ``title``) is marked ``lang="ru"``; an e-mail is not."""
    place = await make_account()
    owner = await make_user(name="Хозяйка Счёта", accounts={place.account: "owner"})
    await make_user(name="Член Семьи", accounts={place.account: "family"})
    await make_user(name="", email="tenant@example.ru", accounts={place.account: "tenant"})
    await login(client, owner)
    url = f"/accounts/{place.account}/people"
    await client.speak("en")
    english = (await client.get(url)).text
    assert '<span lang="ru">Хозяйка Счёта</span> (you)' in english
    assert ': <span lang="ru">Член Семьи</span></span>' in english
    assert 'title="Хозяйка Счёта" lang="ru">Хозяйка Счёта</a>' in english
    assert ">tenant@example.ru</td>" in english
    await client.speak("ru")
    russian = (await client.get(url)).text
    assert "Член Семьи" in russian and '<span lang="ru">Член' not in russian
    assert 'title="Хозяйка Счёта">Хозяйка Счёта</a>' in russian
