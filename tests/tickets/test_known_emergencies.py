"""«Уже известно» on the new-request form lists the emergency notices in force for the resident beside the recorded
outages (the banner's audience rule), each linked to its post, and an outage and its notice once: a resident of
the riser sees the notice, a neighbour in another entrance of the house does not."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from portal.content import pinned
from portal.content.actions import PostInput
from portal.content.actions import move
from portal.content.actions import save_post
from portal.content.rules import Move
from portal.content.tables import Post
from portal.content.tables import PostKind
from portal.core import clock
from portal.core.security import Principal
from portal.notifications.rules import Audience
from portal.tickets.actions import record_outage


def _known(page: str) -> str:
    """The «Уже известно» section of the new-request page ('' when the page has none)."""
    start = page.find('class="card outage-notice"')
    return "" if start < 0 else page[start : page.index("</section>", start)]


async def test_the_new_request_form_knows_the_emergency_of_the_residents_riser_once(
    client: Any, login: Any, make_account: Any, make_user: Any
) -> None:
    from portal.housing.tables import Entrance
    from portal.housing.tables import PremiseRiser
    from portal.housing.tables import Riser

    here = await make_account(floor=3)
    second = Entrance(house=here.house, number=2, floors=9)
    await second.save()
    neighbour = await make_account(house=here.house, entrance=second.id, floor=6)
    riser = Riser(house=here.house, code="ХВС-1", kind="cold_water", entrance=here.entrance)
    await riser.save()
    await PremiseRiser(premise=here.premise, riser=riser.id).save()
    resident = await make_user(accounts={here.account: "owner"}, rights=("view", "tickets"))
    other = await make_user(accounts={neighbour.account: "owner"}, rights=("view", "tickets"))
    staff = await make_user(roles=("dispatcher",), houses=(here.house,))
    dispatcher = Principal(
        user_id=staff, name="Диспетчер", staff_roles=frozenset({"dispatcher"}), house_ids=frozenset({here.house})
    )
    notice = await save_post(
        dispatcher,
        PostInput(
            kind=PostKind.EMERGENCY, title="Нет холодной воды на стояке ХВС-1", body="Устраняем течь.",
            audience=Audience.of(risers=[riser.id]), by_email=False, by_sms=False, by_push=False,
        ),
    )  # fmt: skip
    await move(dispatcher, notice, Move.SEND_NOW)
    now = clock.now()
    outage = await record_outage(
        dispatcher,
        {
            "house_id": here.house, "service": "hot_water", "description": "Замена задвижки",
            "starts_at": now - timedelta(minutes=1), "ends_at": now + timedelta(hours=3),
            "entrance_id": None, "riser_id": riser.id,
        },
        now,
    )  # fmt: skip
    told = (await Post.select(Post.id).where(Post.outage == outage).first())["id"]
    pinned.forget()

    await login(client, resident)
    known = _known((await client.get("/tickets/new")).text)
    assert f'href="/news/{notice}"' in known and "Нет холодной воды на стояке ХВС-1" in known
    assert "Горячая вода" in known  # the recorded outage…
    # …with when it should end as people say it («Ожидается до …» read as «is expected until», an odd promise).
    assert "Ориентировочно до " in known and "Ожидается" not in known
    assert f"/news/{told}" not in known and known.count("<li>") == 2  # …and its own notice not listed again

    await login(client, other)
    page = (await client.get("/tickets/new")).text
    assert _known(page) == "" and "ХВС-1" not in page
