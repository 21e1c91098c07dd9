"""The administrator edits the company's checklist: a point added, changed, taken out of use; a change over one
saved meanwhile is refused with what was typed, never written over it; only the administrator edits it."""

from __future__ import annotations

from portal.inspections import queries
from portal.inspections.tables import ChecklistPoint


async def test_the_administrator_adds_and_changes_a_point(client, login, walk, make_user):
    admin = await make_user(roles=("admin",))
    await login(client, admin)
    added = await client.form(
        "/staff/inspections/checklist",
        {
            "title": "Пожарный шкаф укомплектован",
            "place": "entrance",
            "category": "other",
            "position": "9",
            "active": "1",
        },
    )
    assert added.status_code == 303, added.text[-600:]
    point = await ChecklistPoint.select().where(ChecklistPoint.title == "Пожарный шкаф укомплектован").first()
    assert (point["place"], point["position"], point["active"]) == ("entrance", 9, True)
    page = (await client.get(f"/staff/inspections/checklist/{point['id']}")).text
    assert 'name="version" value="0"' in page
    taken_out = {"title": point["title"], "place": "entrance", "category": "other", "position": "9", "version": "0"}
    assert (await client.form(f"/staff/inspections/checklist/{point['id']}", taken_out)).status_code == 303
    assert point["id"] not in [p.id for p in await queries.points()]  # no longer walked


async def test_a_change_over_one_saved_meanwhile_is_refused(client, login, walk, make_user):
    admin = await make_user(roles=("admin",))
    await login(client, admin)
    url = f"/staff/inspections/checklist/{walk.points['roof']}"
    values = {"title": "Кровля без протечек", "place": "roof", "category": "roof_leak", "position": "4", "active": "1"}
    first = await client.form(url, values | {"title": "Кровля и козырьки без протечек", "version": "0"})
    assert first.status_code == 303
    second = await client.form(url, values | {"position": "1", "version": "0"})
    assert second.status_code == 409
    row = await ChecklistPoint.select().where(ChecklistPoint.id == walk.points["roof"]).first()
    assert (row["title"], row["position"]) == ("Кровля и козырьки без протечек", 4)


async def test_only_the_administrator_edits_the_checklist(client, login, walk):
    await login(client, walk.user)
    assert (await client.get("/staff/inspections/checklist")).status_code == 403
