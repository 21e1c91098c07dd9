"""Editing a post keeps whom it is for: the form starts from the stored audience where it can say it, and keeps
the stored one where it cannot. The form used to show only the post's houses, so a post for entrance 2, saved
unchanged, went to the whole house."""

from __future__ import annotations

import re
from typing import Any

from portal.content import actions
from portal.content.queries import stored_audience
from portal.content.tables import PostKind
from portal.notifications.rules import Audience
from portal.notifications.rules import FloorRange

FIELDS = ("risers", "accounts", "keep_audience")
HOUSE_FIELD = re.compile(r"(entrances|floor_from|floor_to)-\d+")  # a house's own entrances and floors


def _as_sent(page: str) -> dict[str, Any]:
    """What the browser sends of the edit form's audience, as the page shows it."""
    data: dict[str, Any] = {"kind": "notice", "title": "Покраска", "body": "Красим."}
    for tag in re.findall(r"<input\b[^>]*>", page):
        name = re.search(r'\bname="([^"]+)"', tag)
        value = re.search(r'\bvalue="([^"]*)"', tag)
        if not name:
            continue
        if name[1] in FIELDS or HOUSE_FIELD.fullmatch(name[1]):
            data[name[1]] = value[1] if value else ""
        elif name[1] in ("houses", "company") and re.search(r"\bchecked\b", tag):
            data.setdefault(name[1], []).append(value[1] if value else "1")
    return data


async def _post(staff_principal: Any, t: dict[str, Any], audience: Audience) -> int:
    moderator = await staff_principal(t["moderator"], "moderator")
    return await actions.save_post(
        moderator,
        actions.PostInput(kind=PostKind.NOTICE, title="Покраска", body="Красим.", audience=audience, by_email=True),
    )


async def _edit_unchanged(client: Any, post_id: int) -> tuple[str, Any]:
    page = (await client.get(f"/staff/posts/{post_id}/edit")).text
    sent = await client.form(f"/staff/posts/{post_id}/edit", _as_sent(page), files={"image": ("", b"", "x/y")})
    assert sent.status_code == 303, re.findall(r"<li>.*?</li>", sent.text)
    return page, await stored_audience(post_id)


async def test_a_post_for_an_entrance_and_floors_saved_unchanged_stays_theirs(
    db, client, new_client, login, town, staff_principal, make_user
):
    t = await town()
    await login(client, t["moderator"])
    for audience in (
        Audience.of(entrances=[t["entrance2"]]),
        Audience.of(floors=[FloorRange(t["house"], 2, 6, t["entrance2"])]),
        Audience.of(floors=[FloorRange(t["house"], 1, 3)]),
        Audience.of(risers=[t["riser"]]),
        Audience.of(houses=[t["house"], t["other_house"]], accounts=[t["places"][1].account]),
    ):
        post_id = await _post(staff_principal, t, audience)
        page, kept = await _edit_unchanged(client, post_id)
        assert 'id="kept-audience"' not in page, audience  # the form says it, field by field
        assert kept == audience
    admin = new_client()
    await login(admin, await make_user(roles=("admin",)))  # of every house: may address the whole company
    post_id = await _post(staff_principal, t, Audience.of(company=True))
    assert (await _edit_unchanged(admin, post_id))[1] == Audience.of(company=True)


async def test_a_post_the_form_cannot_show_keeps_its_audience_unless_a_new_one_is_chosen(
    db, client, login, town, staff_principal
):
    t = await town()
    await login(client, t["moderator"])
    single_flat = Audience.of(premises=[t["places"][0].premise])
    post_id = await _post(staff_principal, t, single_flat)
    page, kept = await _edit_unchanged(client, post_id)
    assert 'id="kept-audience"' in page and "д. 1; кв. 7." in page  # says whom it is for now
    assert kept == single_flat
    chosen = {**_as_sent(page), "houses": [str(t["other_house"])]}
    sent = await client.form(f"/staff/posts/{post_id}/edit", chosen, files={"image": ("", b"", "x/y")})
    assert sent.status_code == 303
    assert await stored_audience(post_id) == Audience.of(houses=[t["other_house"]])
    # a new post has no stored audience to keep: the form asks for one
    new = {**_as_sent(""), "keep_audience": "1"}
    refused = await client.form("/staff/posts/new", new, files={"image": ("", b"", "x/y")})
    assert refused.status_code == 422 and 'id="e-houses"' in refused.text


async def test_single_premises_are_named_in_their_numbers_order(db, town, staff_principal, make_account):
    """The first premises a post names are the lowest numbers as people count (2 before 10), then «…»."""
    from portal.content.queries import audience_names

    t = await town()
    places = [await make_account(house=t["house"], premise_number=str(n)) for n in (10, 2, 11, 3, 1, 12, 4, 5)]
    post_id = await _post(staff_principal, t, Audience.of(premises=[p.premise for p in places]))
    said = (await audience_names([post_id]))[post_id].said()
    assert said.endswith("кв. 1, кв. 2, кв. 3, кв. 4, кв. 5…"), said
