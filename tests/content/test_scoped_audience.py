"""Two people edit one post: a manager of house A opens a post whose audience also covers house B. They see and
edit only the part in their own house; of B's part they are told only that it is there (never its entrance
numbers, riser codes, account numbers, address or its residents' contacts), and saving keeps it exactly as it was.
A staff member of both houses still sees and edits the whole audience."""

from __future__ import annotations

import re
from typing import Any

from portal.content import actions
from portal.content.queries import stored_audience
from portal.content.tables import PostKind
from portal.content.tables import PostTarget
from portal.notifications.rules import Audience
from tests.content.test_edit_audience import _as_sent

ELSEWHERE = "Публикация также адресована помещениям в домах, с которыми вы не работаете; эта часть не изменится."
NAMED_ELSEWHERE = "помещения в домах, с которыми вы не работаете"
NO_FILE = {"image": ("", b"", "x/y")}


async def _two_houses(t: dict[str, Any], staff_principal: Any) -> tuple[int, Audience, dict[str, str]]:
    """A notice by the moderator (of both houses) for entrance 2 and Anna's account in A, and for entrance 17, riser
    «СТБ-17» and Vera's account in B; returns it, its audience and B's identifiers."""
    from portal.housing.tables import Entrance
    from portal.housing.tables import Riser

    anna, _, vera = t["places"]
    entrance = Entrance(house=t["other_house"], number=17, floors=9)
    await entrance.save()
    riser = Riser(house=t["other_house"], code="СТБ-17", kind="cold_water", entrance=entrance.id)
    await riser.save()
    audience = Audience.of(entrances=[t["entrance2"], entrance.id], accounts=[anna.account, vera.account])
    moderator = await staff_principal(t["moderator"], "moderator", houses=(t["house"], t["other_house"]))
    post_id = await actions.save_post(
        moderator,
        actions.PostInput(kind=PostKind.NOTICE, title="Покраска", body="Красим.", audience=audience, by_email=True),
    )
    b = {"account": vera.number, "riser": "СТБ-17", "address": "ул. Другая, д. 9", "email": "vera@example.ru"}
    return post_id, audience, {**b, "entrance": str(entrance.id), "riser_id": str(riser.id)}


def _value(page: str, name: str) -> str:
    found = re.search(rf'<input\b[^>]*\bname="{name}"[^>]*>', page)
    assert found, name
    value = re.search(r'\bvalue="([^"]*)"', found[0])
    return value[1] if value else ""


async def _b_part(post_id: int, house: int) -> list[tuple[Any, ...]]:
    rows = await PostTarget.select(
        PostTarget.kind, PostTarget.ref, PostTarget.entrance, PostTarget.floor_from, PostTarget.floor_to
    ).where((PostTarget.post == post_id) & (PostTarget.house == house))
    return sorted(tuple(r.values()) for r in rows)


async def test_a_manager_of_one_house_sees_and_edits_only_their_part(db, client, login, town, staff_principal):
    from portal.core.tables import OutboxMessage

    t = await town()
    post_id, audience, b = await _two_houses(t, staff_principal)
    b_part = await _b_part(post_id, t["other_house"])
    assert len(b_part) == 2  # B's entrance and Vera's account
    anna, vera = t["residents"][0], t["residents"][2]
    for user, email in ((anna, "anna@example.ru"), (vera, b["email"])):
        key = f"post:{post_id}:email:{user}"
        await OutboxMessage(channel="email", recipient=email, user_id=user, template="post", dedupe_key=key,
                            ref=f"post:{post_id}").save()  # fmt: skip
    await login(client, t["manager"])  # a manager of house A only

    form = (await client.get(f"/staff/posts/{post_id}/edit")).text
    assert ELSEWHERE in form
    assert _value(form, "entrances") == "2" and _value(form, "accounts") == t["places"][0].number
    page = (await client.get(f"/staff/posts/{post_id}")).text
    listed = (await client.get("/staff/posts")).text
    assert NAMED_ELSEWHERE in page and NAMED_ELSEWHERE in listed
    for shown in (form, page, listed):
        for secret in (b["account"], b["riser"], b["address"], b["email"]):
            assert secret not in shown
    assert "anna@example.ru" in page and "подъезд 2" in page and t["places"][0].number in page

    # Saved unchanged: the whole audience stays, B's part to the row.
    sent = await client.form(f"/staff/posts/{post_id}/edit", _as_sent(form), files=NO_FILE)
    assert sent.status_code == 303, re.findall(r"<li>.*?</li>", sent.text)
    assert await stored_audience(post_id) == audience
    # A new choice replaces the part in A only.
    chosen = {**_as_sent(form), "entrances": "1", "accounts": ""}
    sent = await client.form(f"/staff/posts/{post_id}/edit", chosen, files=NO_FILE)
    assert sent.status_code == 303, re.findall(r"<li>.*?</li>", sent.text)
    assert await _b_part(post_id, t["other_house"]) == b_part
    assert await stored_audience(post_id, [t["house"]]) == Audience.of(entrances=[t["places"][0].entrance])
    # Nothing of A chosen: the post leaves A and still reaches B's part.
    none = {**_as_sent(form), "houses": [], "entrances": "", "accounts": ""}
    sent = await client.form(f"/staff/posts/{post_id}/edit", none, files=NO_FILE)
    assert sent.status_code == 303, re.findall(r"<li>.*?</li>", sent.text)
    assert await _b_part(post_id, t["other_house"]) == b_part
    assert await stored_audience(post_id, [t["house"]]) == Audience()


async def test_a_manager_of_one_house_sees_only_their_risers(db, client, login, town, staff_principal):
    t = await town()
    _, _, b = await _two_houses(t, staff_principal)
    audience = Audience.of(risers=[t["riser"], int(b["riser_id"])])
    moderator = await staff_principal(t["moderator"], "moderator", houses=(t["house"], t["other_house"]))
    post_id = await actions.save_post(
        moderator, actions.PostInput(kind=PostKind.NOTICE, title="Стояки", body="Меняем.", audience=audience)
    )
    await login(client, t["manager"])
    form = (await client.get(f"/staff/posts/{post_id}/edit")).text
    page = (await client.get(f"/staff/posts/{post_id}")).text
    assert _value(form, "risers") == "ХВС-1" and "стояк ХВС-1" in page
    assert b["riser"] not in form and b["riser"] not in page and b["address"] not in page
    sent = await client.form(f"/staff/posts/{post_id}/edit", _as_sent(form), files=NO_FILE)
    assert sent.status_code == 303, re.findall(r"<li>.*?</li>", sent.text)
    assert await stored_audience(post_id) == audience


async def test_a_copy_by_a_manager_of_one_house_is_for_their_part(db, town, staff_principal):
    t = await town()
    post_id, _, _ = await _two_houses(t, staff_principal)
    manager = await staff_principal(t["manager"], "manager", houses=(t["house"],))
    copy = await actions.duplicate(manager, post_id)
    assert await stored_audience(copy) == Audience.of(entrances=[t["entrance2"]], accounts=[t["places"][0].account])


async def test_staff_of_both_houses_see_and_edit_the_whole_audience(db, client, login, town, staff_principal):
    t = await town()
    post_id, _, b = await _two_houses(t, staff_principal)
    await login(client, t["moderator"])  # of houses A and B
    form = (await client.get(f"/staff/posts/{post_id}/edit")).text
    assert ELSEWHERE not in form
    assert _value(form, "entrances") == "2, 17"
    assert _value(form, "accounts") == ", ".join(sorted((t["places"][0].number, b["account"])))
    page = (await client.get(f"/staff/posts/{post_id}")).text
    assert b["account"] in page and b["address"] in page and NAMED_ELSEWHERE not in page
    chosen = {**_as_sent(form), "entrances": "17"}
    sent = await client.form(f"/staff/posts/{post_id}/edit", chosen, files=NO_FILE)
    assert sent.status_code == 303, re.findall(r"<li>.*?</li>", sent.text)
    assert await stored_audience(post_id) == Audience.of(
        entrances=[int(b["entrance"])], accounts=[t["places"][0].account, t["places"][2].account]
    )


async def test_single_flats_in_two_houses_are_kept_by_a_manager_of_one(db, client, login, town, staff_principal):
    """The form cannot show single flats: the manager is told which of their house's flats the post is for, and
    once that it also reaches other houses; saved unchanged it keeps both, a new choice replaces only theirs."""
    t = await town()
    anna, _, vera = t["places"]
    audience = Audience.of(premises=[anna.premise, vera.premise])
    moderator = await staff_principal(t["moderator"], "moderator", houses=(t["house"], t["other_house"]))
    post_id = await actions.save_post(
        moderator, actions.PostInput(kind=PostKind.NOTICE, title="Поверка", body="Поверка.", audience=audience)
    )
    await login(client, t["manager"])
    form = (await client.get(f"/staff/posts/{post_id}/edit")).text
    assert "Сейчас для: г. Симферополь, ул. Ручьевая, д. 1; кв. 7. Эта форма" in form
    assert form.count("с которыми вы не работаете") == 1 and ELSEWHERE in form and "Другая" not in form
    sent = await client.form(f"/staff/posts/{post_id}/edit", _as_sent(form), files=NO_FILE)
    assert sent.status_code == 303 and await stored_audience(post_id) == audience
    chosen = {**_as_sent(form), "houses": [str(t["house"])]}
    sent = await client.form(f"/staff/posts/{post_id}/edit", chosen, files=NO_FILE)
    assert sent.status_code == 303
    assert await stored_audience(post_id) == Audience.of(houses=[t["house"]], premises=[vera.premise])
