"""Two people and one post: a manager of house A opens a post whose audience also covers house B. They see only the
part in their own house; of B's part they are told only that it is there (never its entrance numbers, riser codes,
account numbers, address or its residents' contacts), and the people counted for them are their part, said so.

Whatever is done to a post reaches everyone it is for, so such a post is theirs to read and to copy, not to change:
its title, text, pictures and audience, sending it out, publishing, returning, unpublishing or deleting it are left
to staff who see all of its audience (``rules.may_change``). The page offers none of it and says why; a direct
request is refused (403) and changes nothing. Posts for their own houses they write, change, send and delete as
before; staff of both houses see and change the whole audience."""

from __future__ import annotations

import re
from typing import Any

import pytest

from portal.content import actions
from portal.content import rules
from portal.content.queries import stored_audience
from portal.content.rules import Move
from portal.content.tables import Post
from portal.content.tables import PostImage
from portal.content.tables import PostKind
from portal.content.tables import PostStatus
from portal.core.security import Principal
from portal.core.tables import AuditEvent
from portal.core.tables import OutboxMessage
from portal.core.web import Refused
from portal.notifications.rules import Audience
from tests.content.test_edit_audience import _as_sent
from tests.tickets.test_audit_trail import CLIENT_IP

READ_ONLY = (
    "Эта публикация адресована и домам, с которыми вы не работаете, поэтому изменить, отправить или удалить её могут "
    "только сотрудники, работающие со всеми её домами."
)
NAMED_ELSEWHERE = "помещения в домах, с которыми вы не работаете"
NO_FILE = {"image": ("", b"", "x/y")}


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("houses", "reaches_elsewhere", "allowed"),
    [
        (None, True, True),
        (frozenset({1, 3}), False, True),
        (frozenset({3}), True, False),
        (frozenset(), True, False),
    ],
    ids=[
        "staff of every house change any post",
        "staff of all of a post's houses change it",
        "a manager of house 3 only reads a post that also reaches house 1",
        "staff of no house change nothing that reaches anyone",
    ],
)
def test_a_post_is_changed_only_by_staff_who_see_all_of_its_audience(houses, reaches_elsewhere, allowed):
    principal = Principal(user_id=1, name="С", staff_roles=frozenset({"moderator"}), house_ids=houses)
    assert rules.may_change(principal, reaches_elsewhere) is allowed


@pytest.mark.parametrize(
    ("scope", "chosen", "outside"),
    [
        (None, {"д. 1": 1, "д. 9": 9}, []),
        (frozenset({1}), {"д. 1": 1, "д. 9": 9}, ["д. 9"]),
        (frozenset({1, 9}), {"9000000001": 1, "9000000009": 9}, []),
        (frozenset(), {"9000000001": 1}, ["9000000001"]),
    ],
    ids=["staff of every house", "a manager of house 1", "a manager of both", "staff of no house"],
)
def test_what_a_writer_chose_outside_their_houses_is_named(scope, chosen, outside):
    assert rules.outside(scope, chosen) == outside


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


async def _unchanged(post_id: int) -> dict[str, Any]:
    """What residents would read or receive of the post: its row, its audience, its pictures and messages."""
    row = await Post.select(Post.title, Post.body, Post.status, Post.publish_at).where(Post.id == post_id).first()
    images = await PostImage.count().where(PostImage.post == post_id)
    sent = await OutboxMessage.count().where(OutboxMessage.ref == f"post:{post_id}")
    return {"row": row, "audience": await stored_audience(post_id), "images": images, "outbox": sent}


async def test_a_manager_of_one_house_reads_a_shared_post_and_sees_only_their_part(
    db, client, new_client, login, town, staff_principal
):
    from portal.core.tables import OutboxMessage

    t = await town()
    post_id, _, b = await _two_houses(t, staff_principal)
    anna, vera = t["residents"][0], t["residents"][2]
    for user, email in ((anna, "anna@example.ru"), (vera, b["email"])):
        key = f"post:{post_id}:email:{user}"
        await OutboxMessage(channel="email", recipient=email, user_id=user, template="post", dedupe_key=key,
                            ref=f"post:{post_id}").save()  # fmt: skip
    await login(client, t["manager"])  # a manager of house A only

    page = (await client.get(f"/staff/posts/{post_id}")).text
    listed = (await client.get("/staff/posts")).text
    assert NAMED_ELSEWHERE in page and NAMED_ELSEWHERE in listed
    for shown in (page, listed):
        for secret in (b["account"], b["riser"], b["address"], b["email"]):
            assert secret not in shown
    assert "anna@example.ru" in page and "подъезд 2" in page and t["places"][0].number in page
    # Read-only, said why; a copy for their houses offered. Anna and Boris live in A, Vera in B: two of three.
    assert READ_ONLY in page and "2 человека в ваших домах" in page and "Копия для моих домов" in page
    assert f'href="/staff/posts/{post_id}/edit"' not in page and 'name="step"' not in page
    assert f'href="/staff/posts/{post_id}/edit"' not in listed

    moderator = new_client()  # of both houses: the whole audience, and every action
    await login(moderator, t["moderator"])
    whole = (await moderator.get(f"/staff/posts/{post_id}")).text
    assert READ_ONLY not in whole and "3 человека" in whole and "в ваших домах" not in whole
    assert f'href="/staff/posts/{post_id}/edit"' in whole and 'value="submit"' in whole


async def test_a_manager_of_one_house_cannot_change_send_or_delete_a_shared_post(
    db, client, login, town, staff_principal
):
    """Asked directly, without the page: every change is refused (403) and nothing residents read changes."""
    t = await town()
    post_id, _, _ = await _two_houses(t, staff_principal)
    await Post.update({Post.kind: PostKind.EMERGENCY}).where(Post.id == post_id)  # a draft a manager may send now
    before = await _unchanged(post_id)
    await login(client, t["manager"])

    assert (await client.get(f"/staff/posts/{post_id}/edit")).status_code == 403
    form = {"kind": "emergency", "title": "Чужой заголовок", "body": "Чужой текст.", "houses": [str(t["house"])]}
    picture = {"image": ("pic.png", _png(), "image/png")}
    assert (await client.form(f"/staff/posts/{post_id}/edit", form, files=picture)).status_code == 403
    for step in ({"step": "submit"}, {"step": "send_now"}, {"step": "delete"}, {"step": "delete", "confirm": "1"}):
        assert (await client.form(f"/staff/posts/{post_id}/move", step)).status_code == 403, step
    assert await _unchanged(post_id) == before
    assert before["row"]["status"] == PostStatus.DRAFT and before["outbox"] == 0


async def test_actions_refuse_to_change_a_post_for_staff_who_see_part_of_its_audience(db, town, staff_principal):
    """The same rule where every change is made, for every role: a moderator of house A alone approves nothing
    that also reaches house B."""
    t = await town()
    post_id, audience, _ = await _two_houses(t, staff_principal)
    manager = await staff_principal(t["manager"], "manager", houses=(t["house"],))
    moderator_of_a = await staff_principal(t["moderator"], "moderator", houses=(t["house"],))
    before = await _unchanged(post_id)
    changed = actions.PostInput(kind=PostKind.NOTICE, title="Чужой", body="Чужой.", audience=None)
    with pytest.raises(Refused):
        await actions.save_post(manager, changed, post_id)
    with pytest.raises(Refused):
        await actions.add_image(manager, post_id, object())
    for step in (Move.SUBMIT, Move.DELETE):
        with pytest.raises(Refused):
            await actions.move(manager, post_id, step)
    await Post.update({Post.status: PostStatus.REVIEW}).where(Post.id == post_id)
    for step in (Move.APPROVE, Move.RETURN):
        with pytest.raises(Refused):
            await actions.move(moderator_of_a, post_id, step, "Поправьте")
    await Post.update({Post.status: PostStatus.DRAFT}).where(Post.id == post_id)
    assert await _unchanged(post_id) == before and await stored_audience(post_id) == audience


async def test_a_manager_of_one_house_writes_changes_sends_and_deletes_posts_for_their_house(db, client, login, town):
    t = await town()
    await login(client, t["manager"])
    new = {"kind": "emergency", "title": "Нет воды", "body": "Авария.", "houses": [str(t["house"])]}
    made = await client.form("/staff/posts/new", new, files=NO_FILE)
    assert made.status_code == 303, re.findall(r"<li>.*?</li>", made.text)
    post_id = int(made.headers["location"].rsplit("/", 1)[1])
    page = (await client.get(f"/staff/posts/{post_id}")).text
    assert READ_ONLY not in page and f'href="/staff/posts/{post_id}/edit"' in page and "2 человека" in page
    form = (await client.get(f"/staff/posts/{post_id}/edit")).text
    changed = await client.form(f"/staff/posts/{post_id}/edit", {**_as_sent(form), **new, "title": "Нет воды до 14:00"},
                                files=NO_FILE)  # fmt: skip
    assert changed.status_code == 303, re.findall(r"<li>.*?</li>", changed.text)
    assert (await client.form(f"/staff/posts/{post_id}/move", {"step": "send_now"})).status_code == 303
    row = await Post.select(Post.title, Post.status).where(Post.id == post_id).first()
    assert row == {"title": "Нет воды до 14:00", "status": PostStatus.PUBLISHED}
    draft = await client.form("/staff/posts/new", {**new, "kind": "notice"}, files=NO_FILE)
    draft_id = int(draft.headers["location"].rsplit("/", 1)[1])
    deleted = await client.form(f"/staff/posts/{draft_id}/move", {"step": "delete", "confirm": "1"})
    assert deleted.status_code == 303 and not await Post.exists().where(Post.id == draft_id)


async def test_a_manager_of_one_house_sees_only_their_risers(db, client, login, town, staff_principal):
    t = await town()
    _, _, b = await _two_houses(t, staff_principal)
    audience = Audience.of(risers=[t["riser"], int(b["riser_id"])])
    moderator = await staff_principal(t["moderator"], "moderator", houses=(t["house"], t["other_house"]))
    post_id = await actions.save_post(
        moderator, actions.PostInput(kind=PostKind.NOTICE, title="Стояки", body="Меняем.", audience=audience)
    )
    await login(client, t["manager"])
    page = (await client.get(f"/staff/posts/{post_id}")).text
    assert "стояк ХВС-1" in page and READ_ONLY in page
    assert b["riser"] not in page and b["address"] not in page


async def test_a_copy_by_a_manager_of_one_house_is_for_their_part(db, town, staff_principal):
    t = await town()
    post_id, _, _ = await _two_houses(t, staff_principal)
    manager = await staff_principal(t["manager"], "manager", houses=(t["house"],))
    copy = await actions.duplicate(manager, post_id)
    assert await stored_audience(copy) == Audience.of(entrances=[t["entrance2"]], accounts=[t["places"][0].account])


async def test_the_copy_offered_on_a_shared_post_is_the_managers_to_change(db, client, login, town, staff_principal):
    t = await town()
    post_id, _, _ = await _two_houses(t, staff_principal)
    await login(client, t["manager"])
    copied = await client.form(f"/staff/posts/{post_id}/duplicate")
    assert copied.status_code == 303
    edit = copied.headers["location"]
    assert (await client.get(edit)).status_code == 200
    assert await stored_audience(int(edit.split("/")[-2]), [t["other_house"]]) == Audience()
    # The copy is a post written by the manager: its audit row keeps the address they acted from, as every other.
    [created] = await AuditEvent.select(AuditEvent.ip).where(
        (AuditEvent.action == "post.create") & (AuditEvent.entity_id == int(edit.split("/")[-2]))
    )
    assert created["ip"] == CLIENT_IP


async def test_staff_of_both_houses_see_and_edit_the_whole_audience(db, client, login, town, staff_principal):
    """Entrance 2 of A and entrance 17 of B: each house's entrances stand in its own field (the form once had one
    field for every chosen house, where «2, 17» read as both entrances in both, and kept such a post aside,
    uneditable). Saved unchanged it stays as it is; an entrance B lacks is refused at B's field, naming B, with
    what was typed in each house kept; A cleared goes to the whole of A, B still to its entrance alone."""
    t = await town()
    a, b_house = t["house"], t["other_house"]
    post_id, audience, b = await _two_houses(t, staff_principal)
    await login(client, t["moderator"])  # of houses A and B
    form = (await client.get(f"/staff/posts/{post_id}/edit")).text
    assert 'id="kept-audience"' not in form
    assert (_value(form, f"entrances-{a}"), _value(form, f"entrances-{b_house}")) == ("2", "17")
    page = (await client.get(f"/staff/posts/{post_id}")).text
    assert b["account"] in page and b["address"] in page and NAMED_ELSEWHERE not in page
    unchanged = await client.form(f"/staff/posts/{post_id}/edit", _as_sent(form), files=NO_FILE)
    assert unchanged.status_code == 303 and await stored_audience(post_id) == audience

    wrong = {**_as_sent(form), f"entrances-{b_house}": "17, 18", f"floor_from-{a}": "3", f"floor_to-{a}": "5"}
    refused = await client.form(f"/staff/posts/{post_id}/edit", wrong, files=NO_FILE)
    assert refused.status_code == 422
    summary = re.findall(r'<li><a href="#f-([^"]+)">([^<]*)</a></li>', refused.text)
    assert [(name, said.split(", ", 1)[1]) for name, said in summary] == [
        (f"entrances-{b_house}", f"{b['address']}: В этом доме нет такого подъезда: 18."),
        (f"floor_from-{a}", "ул. Ручьевая, д. 1: Здесь нет помещений на этажах 3–5."),
    ]  # each at its house's field, the house named, in the order of the page (by address)
    assert (_value(refused.text, f"entrances-{b_house}"), _value(refused.text, f"entrances-{a}")) == ("17, 18", "2")
    assert (_value(refused.text, f"floor_from-{a}"), _value(refused.text, f"floor_to-{a}")) == ("3", "5")
    assert await stored_audience(post_id) == audience

    sent = await client.form(f"/staff/posts/{post_id}/edit", {**_as_sent(form), f"entrances-{a}": ""}, files=NO_FILE)
    assert sent.status_code == 303, re.findall(r"<li>.*?</li>", sent.text)
    assert await stored_audience(post_id) == Audience.of(
        houses=[a], entrances=[int(b["entrance"])], accounts=[t["places"][0].account, t["places"][2].account]
    )


async def test_single_flats_in_two_houses_are_named_for_a_manager_of_one_by_their_own(
    db, client, new_client, login, town, staff_principal
):
    """The manager is told which of their house's flats the post is for, and once that it also reaches other
    houses; staff of both houses keep both flats when they save it unchanged."""
    t = await town()
    anna, _, vera = t["places"]
    audience = Audience.of(premises=[anna.premise, vera.premise])
    moderator = await staff_principal(t["moderator"], "moderator", houses=(t["house"], t["other_house"]))
    post_id = await actions.save_post(
        moderator, actions.PostInput(kind=PostKind.NOTICE, title="Поверка", body="Поверка.", audience=audience)
    )
    await login(client, t["manager"])
    page = (await client.get(f"/staff/posts/{post_id}")).text
    assert f"ул. Ручьевая, д. 1; кв. 7; {NAMED_ELSEWHERE}" in page and "Другая" not in page
    assert (await client.get(f"/staff/posts/{post_id}/edit")).status_code == 403
    both = new_client()
    await login(both, t["moderator"])
    form = (await both.get(f"/staff/posts/{post_id}/edit")).text
    sent = await both.form(f"/staff/posts/{post_id}/edit", _as_sent(form), files=NO_FILE)
    assert sent.status_code == 303 and await stored_audience(post_id) == audience


def _sent_cell(listed: str, post_id: int) -> str:
    row = re.search(rf'<tr>\s*<td class="primary"><a href="/staff/posts/{post_id}">.*?</tr>', listed, re.S)
    assert row, listed
    cell = re.search(r'<td class="col-sent" data-label="([^"]*)">(.*?)</td>', row[0], re.S)
    assert cell, row[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", f"{cell[1]}: {cell[2]}")).strip()


async def test_the_list_counts_for_a_manager_of_one_house_the_messages_sent_in_their_houses(
    db, client, new_client, login, town, staff_principal, make_user
):
    """The list's «Отправлено» of a post shared with house B counts, for a manager of house A, the messages to
    people of house A only, and says so; staff of both houses count every message (one grouped query either way:
    the list's budget, tests/billing/test_query_budgets.py)."""
    t = await town()
    post_id, _, b = await _two_houses(t, staff_principal)
    anna, vera = t["residents"][0], t["residents"][2]
    for user, email, status in (
        (anna, "anna@example.ru", "sent"), (vera, b["email"], "sent"), (vera, "vera2@example.ru", "failed")
    ):  # fmt: skip
        await OutboxMessage(channel="email", recipient=email, user_id=user, template="post", status=status,
                            dedupe_key=f"post:{post_id}:email:{email}", ref=f"post:{post_id}").save()  # fmt: skip
    await login(client, t["manager"])  # of house A, where Anna lives
    assert _sent_cell((await client.get("/staff/posts")).text, post_id) == "Отправлено в ваших домах: E-mail 1"

    both = new_client()  # a moderator of both houses: every message is in their houses
    await login(both, t["moderator"])
    in_both = "Отправлено в ваших домах: E-mail 2 не доставлено: 1"
    assert _sent_cell((await both.get("/staff/posts")).text, post_id) == in_both
    admin = new_client()  # of every house: every message, as ever
    await login(admin, await make_user(name="Ада Админ", roles=("admin",)))
    assert _sent_cell((await admin.get("/staff/posts")).text, post_id) == "Отправлено: E-mail 2 не доставлено: 1"


def _read_cell(listed: str, post_id: int) -> str:
    row = re.search(rf'<tr>\s*<td class="primary"><a href="/staff/posts/{post_id}">.*?</tr>', listed, re.S)
    assert row, listed
    cell = re.search(r'<td class="num" data-label="([^"]*)">(.*?)</td>', row[0], re.S)
    assert cell, row[0]
    return f"{cell[1]}: {cell[2].strip()}"


async def test_the_list_counts_for_a_manager_of_one_house_the_readers_in_their_houses(
    db, client, new_client, login, town, staff_principal, make_user
):
    """The list's «Прочитали» of a post shared with house B counts, for a manager of house A, the readers living in
    house A only, and says so; staff of both houses count every reader, and so do staff of every house, as before
    (one grouped query either way: the list's budget, tests/billing/test_query_budgets.py)."""
    from portal.content.tables import PostRead

    t = await town()
    post_id, _, _ = await _two_houses(t, staff_principal)
    for user in t["residents"]:  # two readers in house A, one (Vera) in house B
        await PostRead(post=post_id, user=user).save()
    await login(client, t["manager"])  # of house A
    assert _read_cell((await client.get("/staff/posts")).text, post_id) == "Прочитали в ваших домах: 2"

    both = new_client()  # a moderator of both houses: every reader lives in their houses
    await login(both, t["moderator"])
    assert _read_cell((await both.get("/staff/posts")).text, post_id) == "Прочитали в ваших домах: 3"
    admin = new_client()  # of every house: every reader, as ever
    await login(admin, await make_user(name="Ада Админ", roles=("admin",)))
    assert _read_cell((await admin.get("/staff/posts")).text, post_id) == "Прочитали: 3"


async def test_each_selection_of_an_audience_is_placed_in_its_own_house(db, town):
    """What staff scoping checks: the house of every entrance, riser, premise, account, house and floors chosen,
    each in the house it stands in (a hand-picked audience across two houses)."""
    from portal.notifications.queries import houses_of
    from portal.notifications.rules import FloorRange

    t = await town()
    a, other = t["places"][0], t["places"][2]
    audience = Audience.of(
        houses=[t["other_house"]],
        floors=[FloorRange(house=t["house"], floor_from=2, floor_to=4)],
        entrances=[t["entrance2"], other.entrance],
        risers=[t["riser"]],
        premises=[a.premise, other.premise],
        accounts=[a.account, other.account],
    )
    assert await houses_of(audience) == {
        ("house", t["other_house"]): t["other_house"],
        ("floors", t["house"]): t["house"],
        ("entrance", t["entrance2"]): t["house"],
        ("entrance", other.entrance): t["other_house"],
        ("riser", t["riser"]): t["house"],
        ("premise", a.premise): t["house"],
        ("premise", other.premise): t["other_house"],
        ("account", a.account): t["house"],
        ("account", other.account): t["other_house"],
    }


async def test_an_audience_typed_beyond_the_writers_houses_is_said_at_its_fields_keeping_the_form(
    db, client, login, town
):
    """A manager of house A whose form still offered house B (taken from them since), or who typed an account
    number of B, had the save refused with a message over an empty form: the title and text were gone. It is a
    form's error now: said at the houses' field (B by its address, as it stood on their form) and at the account
    numbers' (the numbers typed, not where they are), everything typed kept, nothing saved."""
    t = await town()
    anna, _, vera = t["places"]
    await login(client, t["manager"])
    typed = {
        "kind": "news",
        "title": "Мой заголовок",
        "body": "Мой длинный текст.",
        "accounts": f"{anna.number}, {vera.number}",
    }
    refused = await client.form(
        "/staff/posts/new", {**typed, "houses": [str(t["house"]), str(t["other_house"])]}, files=NO_FILE
    )
    assert refused.status_code == 422
    page = refused.text
    houses = re.search(r'id="e-houses"[^>]*>(.*?)</p>', page, re.S)
    accounts = re.search(r'id="e-accounts"[^>]*>(.*?)</p>', page, re.S)
    assert houses and "убраны из выбора: г. Симферополь, ул. Другая, д. 9." in houses[1], page
    assert accounts and f"с которыми вы не работаете: {vera.number}." in accounts[1], page
    assert anna.number not in accounts[1]
    assert _value(page, "title") == "Мой заголовок" and "Мой длинный текст." in page
    assert _value(page, "accounts") == f"{anna.number}, {vera.number}"
    assert await Post.count() == 0


async def test_saving_a_post_widened_meanwhile_to_other_houses_keeps_the_form_and_says_why(
    db, client, login, town, staff_principal
):
    """A manager edits their post for house A; meanwhile a moderator adds house B to it. Their save was answered
    with a bare 403 page and their words were lost: it is refused as before (nothing changes), on the form with
    what they typed and why, B named by nothing of its own."""
    t = await town()
    await login(client, t["manager"])
    mine = {"kind": "news", "title": "Мой заголовок", "body": "Текст.", "houses": [str(t["house"])]}
    assert (await client.form("/staff/posts/new", mine, files=NO_FILE)).status_code == 303
    post_id = (await Post.select(Post.id).first())["id"]
    form = (await client.get(f"/staff/posts/{post_id}/edit")).text
    moderator = await staff_principal(t["moderator"], "moderator", houses=(t["house"], t["other_house"]))
    wider = Audience.of(houses=[t["house"], t["other_house"]])
    await actions.save_post(moderator, actions.PostInput(kind=PostKind.NEWS, title="Мой заголовок", body="Текст.",
                                                         audience=wider), post_id)  # fmt: skip
    before = await _unchanged(post_id)
    saved = await client.form(
        f"/staff/posts/{post_id}/edit",
        {**_as_sent(form), **mine, "title": "Мой новый заголовок", "body": "Новый длинный текст."},
        files=NO_FILE,
    )
    assert saved.status_code == 403
    assert READ_ONLY in saved.text and 'class="error-summary"' in saved.text
    assert "Новый длинный текст." in saved.text and _value(saved.text, "title") == "Мой новый заголовок"
    assert "Другая" not in saved.text
    assert await _unchanged(post_id) == before
