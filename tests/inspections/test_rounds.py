"""A comendant's round through the pages, on both engines: points answered one by one (photos with a remark),
completed once, its remarks filed as requests of source «обход» with their photos, the act with their numbers."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader

from portal.core import clock
from portal.core import orphans
from portal.core import storage
from portal.core.tables import AuditEvent
from portal.inspections.tables import InspectionAnswer
from portal.inspections.tables import InspectionPhoto
from portal.inspections.tables import InspectionRound
from portal.tickets import actions as ticket_actions
from portal.tickets.tables import Ticket
from portal.tickets.tables import TicketAttachment
from tests.core.test_orphans import uploads  # noqa: F401  (a fixture: the storage of the test alone)
from tests.tickets.conftest import jpeg_bytes


async def _start(client, walk, kind="current") -> int:
    answer = await client.form("/staff/inspections", {"house": walk.house, "kind": kind})
    assert answer.status_code == 303, answer.text[-500:]
    return int(answer.headers["location"].rsplit("/", 1)[1])


async def _answer(client, round_id, point, photos=0, **values):
    files = [("photos", (f"p{n}.jpg", jpeg_bytes(), "image/jpeg")) for n in range(photos)]
    return await client.form(
        f"/staff/inspections/{round_id}/points/{point}", {k: str(v) for k, v in values.items()}, files=files or None
    )


async def _walked(client, walk) -> int:
    round_id = await _start(client, walk)
    second = walk.entrances[1]
    assert (await _answer(client, round_id, walk.points["lights"], verdict="ok")).status_code == 303
    saved = await _answer(
        client, round_id, walk.points["door"], photos=2, verdict="remark", comment="Доводчик сломан", entrance=second
    )
    assert saved.status_code == 303, saved.text[-800:]
    saved = await _answer(client, round_id, walk.points["lift"], verdict="remark", comment="Грязно", no_request="1")
    assert saved.status_code == 303
    saved = await _answer(
        client, round_id, walk.points["roof"], photos=1, verdict="remark", comment="Течёт над 9 этажом", floor=9
    )
    assert saved.status_code == 303
    return round_id


async def test_completing_a_round_files_one_request_per_remark_with_its_photos(client, login, walk):
    await login(client, walk.user)
    round_id = await _walked(client, walk)
    done = await client.form(f"/staff/inspections/{round_id}/complete")
    assert done.status_code == 303
    tickets = await Ticket.select().where(Ticket.house == walk.house).order_by(Ticket.number)
    assert [(t["source"], t["category"], t["place"], t["description"]) for t in tickets] == [
        ("walk_in", "entrance_doors", "entrance", "Доводчик сломан"),
        ("walk_in", "roof_leak", "roof", "Течёт над 9 этажом"),
    ]
    assert tickets[0]["entrance"] == walk.entrances[1]
    photos = {t["id"]: await TicketAttachment.count().where(TicketAttachment.ticket == t["id"]) for t in tickets}
    assert list(photos.values()) == [2, 1]
    filed = await InspectionAnswer.select(InspectionAnswer.ticket).where(InspectionAnswer.ticket.is_not_null())
    assert sorted(r["ticket"] for r in filed) == sorted(photos)
    audit = await AuditEvent.count().where(AuditEvent.action == "ticket.create")
    assert audit == 2  # the tickets domain's own audit row of a request staff file, once each

    page = (await client.get(f"/staff/inspections/{round_id}")).text
    assert "701" in page and "702" in page
    shown = await client.get(page.split('<img src="', 1)[1].split('"', 1)[0])  # a remark's photo on the round's page
    assert (
        shown.status_code == 200 and shown.headers["content-type"] == "image/jpeg" and shown.content[:2] == b"\xff\xd8"
    )


async def test_a_remarks_photos_keep_their_file_type_size_and_pixels_on_the_round_and_the_request(client, login, walk):
    """One photo row shape (``core.stamps.PhotoColumns``, filled by ``StoredFile.columns()``) serves the round's
    answer and the request filed from it: each keeps the stored file's key, type, bytes and pixels."""
    await login(client, walk.user)
    round_id = await _walked(client, walk)
    assert (await client.form(f"/staff/inspections/{round_id}/complete")).status_code == 303
    kept = ("file_key", "content_type", "size", "width", "height")
    on_round = await InspectionPhoto.select(*(getattr(InspectionPhoto, c) for c in kept)).order_by(InspectionPhoto.id)
    on_request = await TicketAttachment.select(*(getattr(TicketAttachment, c) for c in kept)).order_by(
        TicketAttachment.id
    )
    assert len(on_round) == 3 and on_request == on_round
    assert all(
        (p["content_type"], p["width"], p["height"]) == ("image/jpeg", 64, 48) and p["size"] > 0 for p in on_round
    )


async def test_a_round_completed_twice_files_nothing_twice(client, login, walk):
    await login(client, walk.user)
    round_id = await _walked(client, walk)
    assert (await client.form(f"/staff/inspections/{round_id}/complete")).status_code == 303
    again = await client.form(f"/staff/inspections/{round_id}/complete")
    assert again.status_code == 303  # refused: told it is completed, back to the round
    assert await Ticket.count().where(Ticket.house == walk.house) == 2
    assert await AuditEvent.count().where(AuditEvent.action == "inspection.complete") == 1
    late = await _answer(client, round_id, walk.points["lights"], verdict="remark", comment="Поздно")
    assert late.status_code == 303
    assert await InspectionAnswer.count().where(InspectionAnswer.comment == "Поздно") == 0


async def test_a_second_start_resumes_the_open_round(client, login, walk):
    await login(client, walk.user)
    first = await _start(client, walk)
    assert await _start(client, walk, kind="spring") == first
    assert await InspectionRound.count() == 1


async def test_the_act_names_the_requests_filed(client, login, walk):
    await login(client, walk.user)
    round_id = await _walked(client, walk)
    await client.form(f"/staff/inspections/{round_id}/complete")
    numbers = [r["number"] for r in await Ticket.select(Ticket.number).where(Ticket.house == walk.house)]
    act = await client.get(f"/staff/inspections/{round_id}/act.pdf")
    assert act.status_code == 200 and act.headers["content-type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(act.content)).pages)
    assert sorted(numbers) == [701, 702]
    for number in numbers:
        assert f"№ {number}" in text or f"No. {number}" in text, text
    assert "Доводчик сломан" in text


@pytest.mark.usefixtures("uploads")
async def test_the_act_ends_with_the_remarks_photos(client, login, walk):
    """The act's appendix shows each remark's photos under the remark's number and words: the door's two and the
    roof's one, none of the remark without photos; a photo whose file is gone is said, not dropped silently (the
    walk of staff of other houses meets one stored as a PDF: the act is made all the same)."""
    await login(client, walk.user)
    round_id = await _walked(client, walk)
    await client.form(f"/staff/inspections/{round_id}/complete")
    act = PdfReader(io.BytesIO((await client.get(f"/staff/inspections/{round_id}/act.pdf")).content))
    first, *appendix = act.pages
    assert not first.images and appendix
    text = " ".join(page.extract_text() for page in appendix)
    assert "Фотофиксация замечаний" in text or "photos of the remarks" in text, text
    assert "Доводчик сломан" in text and "Течёт над 9 этажом" in text and "Грязно" not in text, text
    assert sum(len(page.images) for page in appendix) == 3

    gone = (await InspectionPhoto.select(InspectionPhoto.file_key).order_by(InspectionPhoto.id).first())["file_key"]
    storage.delete(gone)
    act = PdfReader(io.BytesIO((await client.get(f"/staff/inspections/{round_id}/act.pdf")).content))
    assert sum(len(page.images) for page in act.pages) == 2
    text = " ".join(page.extract_text() for page in act.pages)
    assert "файла нет или он повреждён" in text or "missing or damaged" in text, text


@pytest.mark.usefixtures("uploads")
async def test_a_remarks_photo_stays_in_the_round_when_its_requests_files_are_erased(client, login, walk):
    """The request filed for a remark carries the remark's photo (the same stored file): the request's files erased at
    the end of their term (the daily job) leave the photo to the round's page and act, and the orphans' sweep too."""
    await login(client, walk.user)
    round_id = await _walked(client, walk)
    await client.form(f"/staff/inspections/{round_id}/complete")
    photos = await InspectionPhoto.select(InspectionPhoto.id, InspectionPhoto.file_key)
    assert len(photos) == 3
    long_ago = clock.now() - timedelta(days=5 * 366)
    await Ticket.update({Ticket.status: "closed", Ticket.closed_at: long_ago}).where(Ticket.house == walk.house)
    await TicketAttachment.update({TicketAttachment.created_at: long_ago}).where(TicketAttachment.id > 0)
    filed = await TicketAttachment.select(TicketAttachment.file_key)
    assert sorted(r["file_key"] for r in filed) == sorted(p["file_key"] for p in photos)  # the very same files

    assert await ticket_actions.erase_request_files(clock.now(), 1095, 3) == 3
    assert await TicketAttachment.count().where(TicketAttachment.erased_at.is_null()) == 0  # the requests' are gone
    assert await orphans.sweep(clock.now() + timedelta(days=2)) == 0

    page = (await client.get(f"/staff/inspections/{round_id}")).text
    for photo in photos:
        assert storage.path_of(photo["file_key"]).exists()
        assert f'<img src="/staff/inspections/photos/{photo["id"]}"' in page
        shown = await client.get(f"/staff/inspections/photos/{photo['id']}")
        assert shown.status_code == 200 and shown.content[:2] == b"\xff\xd8"
    act = await client.get(f"/staff/inspections/{round_id}/act.pdf")
    assert act.status_code == 200 and act.headers["content-type"] == "application/pdf"


async def test_a_remark_needs_its_words_and_at_most_three_photos(client, login, walk):
    await login(client, walk.user)
    round_id = await _start(client, walk)
    wordless = await _answer(client, round_id, walk.points["door"], verdict="remark")
    assert wordless.status_code == 422
    too_many = await _answer(client, round_id, walk.points["door"], photos=4, verdict="remark", comment="x")
    assert too_many.status_code == 422
    assert await InspectionAnswer.count() == 0


async def test_staff_outside_the_house_get_404(client, login, walk, make_user, make_account):
    await login(client, walk.user)
    round_id = await _walked(client, walk)
    other = await make_account()
    stranger = await make_user(roles=("executor",), houses=(other.house,))
    await login(client, stranger)
    assert (await client.get(f"/staff/inspections/{round_id}")).status_code == 404
    assert (await client.get(f"/staff/inspections/{round_id}/act.pdf")).status_code == 404
    assert (await client.form(f"/staff/inspections/{round_id}/complete")).status_code == 404
    point = walk.points["lights"]
    assert (await _answer(client, round_id, point, verdict="ok")).status_code == 404
    assert await Ticket.count().where(Ticket.house == walk.house) == 0
    listed = (await client.get("/staff/inspections")).text
    assert f"/staff/inspections/{round_id}" not in listed


async def test_a_point_saved_by_htmx_gets_its_form_back_saying_so(client, login, walk):
    await login(client, walk.user)
    round_id = await _start(client, walk)
    point = walk.points["door"]
    url = f"/staff/inspections/{round_id}/points/{point}"
    headers = {"HX-Request": "true", "HX-Target": f"point-{point}"}
    saved = await client.form(url, {"verdict": "remark", "comment": "Скрипит"}, headers=headers)
    assert saved.status_code == 200, saved.text[-800:]
    assert saved.text.lstrip().startswith("<form") and 'role="status"' in saved.text and "Скрипит" in saved.text
    refused = await client.form(url, {"verdict": "remark", "comment": ""}, headers=headers)
    assert refused.status_code == 422 and 'aria-invalid="true"' in refused.text


async def test_the_staff_menu_offers_rounds_to_those_who_walk_a_house(client, login, walk, make_user):
    for roles, shown in (
        (("executor",), True),
        (("manager",), True),
        (("dispatcher",), False),
        (("accountant",), False),
    ):
        user = await make_user(roles=roles, houses=(walk.house,))
        await login(client, user)
        page = (await client.get("/staff")).text
        assert ('href="/staff/inspections"' in page) is shown, roles
        assert (await client.get("/staff/inspections")).status_code == (200 if shown else 403), roles


async def test_the_overview_names_the_houses_with_no_round_for_long(client, login, walk, make_account):
    await login(client, walk.user)
    overview = (await client.get("/staff")).text
    assert 'hx-get="/staff/inspections/overdue"' in overview
    late = (await client.get("/staff/inspections/overdue", headers={"HX-Request": "true"})).text
    assert "Тестовая" in late and "обходов ещё не было" in late
    round_id = await _walked(client, walk)
    await client.form(f"/staff/inspections/{round_id}/complete")
    done = (await client.get("/staff/inspections/overdue", headers={"HX-Request": "true"})).text
    assert "Тестовая" not in done and "Все дома" in done


async def test_a_wrongly_typed_period_is_said_not_applied_and_kept_as_typed(client, login, walk):
    await login(client, walk.user)
    await _start(client, walk)
    page = (await client.get("/staff/inspections", params={"from": "31.02.2026", "to": "31.12.2099"})).text
    assert "Не применены, так как не прочитаны: Начат с." in page  # the list does not pass for one of that period
    assert 'value="31.02.2026"' in page and 'value="2099-12-31"' in page
    assert "/staff/inspections/" in page.split('id="list"', 1)[1]  # shown without the date not read
    backwards = (await client.get("/staff/inspections", params={"from": "02.01.2026", "to": "01.01.2026"})).text
    assert "Не применён период" in backwards and 'value="2026-01-02"' in backwards
    fine = (await client.get("/staff/inspections", params={"from": "01.01.2026"})).text
    assert "не прочитаны" not in fine and "Не применён" not in fine


async def test_the_requests_of_remarks_are_linked_only_for_those_who_may_open_them(
    client, new_client, login, walk, make_user
):
    """The comendant (an executor) opens only the requests assigned to them: the others' numbers are text; the
    manager of the house follows each to its page."""
    await login(client, walk.user)
    round_id = await _walked(client, walk)
    assert (await client.form(f"/staff/inspections/{round_id}/complete")).status_code == 303
    first, second = await Ticket.select(Ticket.id, Ticket.number).where(Ticket.house == walk.house).order_by(Ticket.id)
    await Ticket.update({Ticket.executor: walk.user}).where(Ticket.id == second["id"])
    assert (await client.get(f"/staff/tickets/{first['id']}")).status_code == 404

    page = (await client.get(f"/staff/inspections/{round_id}")).text
    assert f'href="/staff/tickets/{first["id"]}"' not in page and f"№\u00a0{first['number']}" in page
    assert f'href="/staff/tickets/{second["id"]}"' in page

    manager = new_client()
    await login(manager, await make_user(roles=("manager",), houses=(walk.house,)))
    page = (await manager.get(f"/staff/inspections/{round_id}")).text
    assert f'href="/staff/tickets/{first["id"]}"' in page and f'href="/staff/tickets/{second["id"]}"' in page
