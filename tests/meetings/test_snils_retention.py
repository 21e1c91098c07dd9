"""The owners' СНИЛС typed from paper ballots, and the ballots' scans that show them with the signature, are kept no
longer than their purpose (152-ФЗ ст. 5 ч. 7): for ``BALLOT_SNILS_KEEP_YEARS`` (3, the housing inspectorate's storage
term of DOMAIN.md §1.7, §7.3) from the protocol's date, then erased by the daily job, which the staff pages, the
scan's address and the protocol say."""

from __future__ import annotations

import io
import json
from datetime import date
from datetime import timedelta

import pytest
from pypdf import PdfReader

from portal.core import clock
from portal.core import jobs
from portal.core import storage
from portal.core.i18n import format_day
from portal.core.i18n import in_locale
from portal.core.tables import AuditEvent
from portal.meetings import actions
from portal.meetings import queries
from portal.meetings import rules
from portal.meetings.routes import protocol_bytes
from portal.meetings.tables import Ballot
from portal.meetings.tables import Meeting
from portal.meetings.tables import MeetingStatus
from tests.meetings.test_actions import SNILS
from tests.meetings.test_actions import _admin
from tests.pdfs import text_off_the_page

DIGITS = rules.snils_digits(SNILS)
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.mark.parametrize(
    ("protocol", "years", "erased"),
    [
        (date(2023, 12, 5), 3, date(2026, 12, 6)),  # the term ends on 05.12.2026; the day after, the digits go
        (date(2024, 2, 29), 3, date(2027, 3, 1)),  # no 29.02.2027: the term ends on the 28th (ГК ст. 192 п. 3)
        (date(2024, 2, 29), 4, date(2028, 3, 1)),
        (date(2023, 12, 5), 5, date(2028, 12, 6)),  # the lawyer's longer term
    ],
)
def test_the_snils_are_erased_the_day_after_their_term_from_the_protocols_date(protocol, years, erased):
    assert rules.snils_erased_on(protocol, years) == erased


async def _closed_with_snils(house, make_meeting, protocol_day: date) -> int:
    """A meeting with a natural person's paper ballot carrying its СНИЛС, closed with a protocol of ``protocol_day``."""
    meeting_id = await make_meeting(house.house)
    meeting = await queries.meeting_for_staff(await _admin(), meeting_id)
    (line,) = [x for x in await queries.register_of(meeting_id) if x.owner_id == house.owners["A"]]
    answers = {i.id: rules.Choice.FOR for i in meeting.items}
    scan = await storage.save_document(PDF)  # a real file in storage, as the operator's upload is
    await actions.enter_paper(await _admin(), meeting, line.id, "", clock.now(), answers, scan, SNILS)
    await Ballot.update({Ballot.status: "accepted"}).where(Ballot.meeting == meeting_id)
    closed_at = clock.day_start(protocol_day) + timedelta(hours=15)
    await Meeting.update(
        {Meeting.status: MeetingStatus.CLOSED, Meeting.closed_at: closed_at, Meeting.protocol_number: "1/2023"}
    ).where(Meeting.id == meeting_id)
    return meeting_id


async def _snils_of(meeting_id: int) -> list[str]:
    return [r["snils"] for r in await Ballot.select(Ballot.snils).where(Ballot.meeting == meeting_id)]


async def _scans_of(meeting_id: int) -> list[str]:
    return [r["scan_key"] for r in await Ballot.select(Ballot.scan_key).where(Ballot.meeting == meeting_id)]


def _stored(key: str) -> bool:
    return storage.path_of(key).exists()


async def _erasures() -> list[tuple[int, dict]]:
    rows = await AuditEvent.select(AuditEvent.entity_id, AuditEvent.changes).where(
        AuditEvent.action == "meeting.snils_erased"
    )
    return [
        (r["entity_id"], r["changes"] if isinstance(r["changes"], dict) else json.loads(r["changes"])) for r in rows
    ]


async def _protocol_text(meeting_id: int) -> str:
    meeting = await queries.meeting_for_staff(await _admin(), meeting_id)
    content = await protocol_bytes(meeting)
    return " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split())


async def test_a_protocol_three_years_and_a_day_old_loses_its_snils_one_a_day_younger_keeps_them(
    example_house, make_meeting
):
    house = await example_house()
    now = clock.now()
    today = clock.local(now).date()
    old = await _closed_with_snils(house, make_meeting, rules.years_after(today, -3) - timedelta(days=1))
    young = await _closed_with_snils(house, make_meeting, rules.years_after(today, -3))
    assert await _snils_of(old) == [DIGITS] and await _snils_of(young) == [DIGITS]
    (old_scan,), (young_scan,) = await _scans_of(old), await _scans_of(young)
    assert _stored(old_scan) and _stored(young_scan)

    assert await actions.erase_snils(now, 3) == 1
    assert await _snils_of(old) == [""] and await _scans_of(old) == [""]
    assert not _stored(old_scan)  # the scan shows the same СНИЛС and the signature: it goes with them
    assert await _snils_of(young) == [DIGITS] and await _scans_of(young) == [young_scan] and _stored(young_scan)
    assert await _erasures() == [(old, {"snils_erased": 1, "scans_deleted": 1})]
    erased = await queries.meeting_for_staff(await _admin(), old)
    assert erased.snils_erased_at == now and erased.snils_erased_on == today
    kept = await queries.meeting_for_staff(await _admin(), young)
    assert kept.snils_erased_at is None and kept.snils_erased_on == today + timedelta(days=1)

    # run again the same day (a restart, a second worker): nothing changes, no second audit row. An hour later
    # failed at 23:xx in the company's zone, where the next day's run rightly takes the younger protocol.
    again = min(now + timedelta(hours=1), clock.day_start(today + timedelta(days=1)) - timedelta(seconds=1))
    assert await actions.erase_snils(again, 3) == 0
    assert await _snils_of(old) == [""] and await _snils_of(young) == [DIGITS]
    assert len(await _erasures()) == 1
    assert (await queries.meeting_for_staff(await _admin(), old)).snils_erased_at == now

    # the next day the younger one's term has ended too; its scan is gone from storage already (lost, or deleted by
    # a run that stopped before its row was told): no error, the row forgets it all the same
    storage.delete(young_scan)
    assert await actions.erase_snils(now + timedelta(days=1), 3) == 1
    assert await _snils_of(young) == [""] and await _scans_of(young) == [""]
    assert (young, {"snils_erased": 1, "scans_deleted": 1}) in await _erasures()


async def test_a_failed_erasure_keeps_each_row_with_its_file(example_house, make_meeting, monkeypatch):
    """The files go only after the meeting's rows are committed: a transaction that fails leaves every ballot with
    its СНИЛС and a scan it can open, and the next run does it all."""
    house = await example_house()
    now = clock.now()
    old = await _closed_with_snils(
        house, make_meeting, rules.years_after(clock.local(now).date(), -3) - timedelta(days=1)
    )
    (scan,) = await _scans_of(old)

    async def audit_down(*args, **kwargs):
        raise RuntimeError("the audit row could not be written")

    monkeypatch.setattr(actions, "record", audit_down)
    with pytest.raises(RuntimeError):
        await actions.erase_snils(now, 3)
    assert await _snils_of(old) == [DIGITS] and await _scans_of(old) == [scan] and _stored(scan)
    assert (await queries.meeting_for_staff(await _admin(), old)).snils_erased_at is None

    monkeypatch.undo()
    assert await actions.erase_snils(now, 3) == 1
    assert await _scans_of(old) == [""] and not _stored(scan)


async def test_the_daily_job_reads_its_term_from_the_setting(example_house, make_meeting, monkeypatch):
    from portal import settings as portal_settings

    house = await example_house()
    now = clock.now()
    four_years = await _closed_with_snils(
        house, make_meeting, rules.years_after(clock.local(now).date(), -4) - timedelta(days=1)
    )
    job = jobs.registered()["ballot-snils-erasure"]
    assert job.every_seconds == 86400 and job.key is not None
    current = portal_settings.get_settings()
    monkeypatch.setattr(portal_settings, "_current", portal_settings.Settings(
        **{**current.__dict__, "ballot_snils_keep_years": 5}))  # fmt: skip
    assert await job.run(now) == 0 and await _snils_of(four_years) == [DIGITS]
    monkeypatch.setattr(portal_settings, "_current", current)
    assert await job.run(now) == 1 and await _snils_of(four_years) == [""]


async def test_the_protocol_built_after_the_erasure_says_so(example_house, make_meeting):
    house = await example_house()
    now = clock.now()
    today = clock.local(now).date()
    old = await _closed_with_snils(house, make_meeting, rules.years_after(today, -3) - timedelta(days=1))
    with in_locale("ru"):
        said = f"удалены из портала {format_day(today)} по истечении срока их хранения"
    before = await _protocol_text(old)
    assert "СНИЛС" in before and said not in before
    await actions.erase_snils(now, 3)
    after = await _protocol_text(old)
    assert said in after, after
    assert DIGITS not in after
    meeting = await queries.meeting_for_staff(await _admin(), old)
    assert not text_off_the_page(await protocol_bytes(meeting))


async def test_the_staff_meeting_page_says_when_the_snils_go_and_that_they_went(
    client, login, make_user, example_house, make_meeting
):
    house = await example_house()
    now = clock.now()
    today = clock.local(now).date()
    old = await _closed_with_snils(house, make_meeting, rules.years_after(today, -3) - timedelta(days=1))
    await login(client, await make_user(roles=("manager",), houses=(house.house,)))
    with in_locale("ru"):
        day = format_day(today)
    page = (await client.get(f"/staff/meetings/{old}")).text
    assert "СНИЛС из бюллетеней" in page
    assert f"будут удалены {day} по сроку хранения" in page, page
    await actions.erase_snils(now, 3)
    page = (await client.get(f"/staff/meetings/{old}")).text
    assert f"удалены {day} по сроку хранения" in page and "будут удалены" not in page
    # a meeting under Order No. 44/пр never had СНИЛС: nothing said of them
    await Meeting.update({Meeting.starts_on: date(2025, 8, 1)}).where(Meeting.id == old)
    assert "СНИЛС из бюллетеней" not in (await client.get(f"/staff/meetings/{old}")).text


async def test_the_ballot_view_and_the_scans_address_say_the_scan_was_deleted(
    client, login, make_user, example_house, make_meeting
):
    house = await example_house()
    now = clock.now()
    today = clock.local(now).date()
    old = await _closed_with_snils(house, make_meeting, rules.years_after(today, -3) - timedelta(days=1))
    (ballot,) = [r["id"] for r in await Ballot.select(Ballot.id).where(Ballot.meeting == old)]
    await login(client, await make_user(roles=("moderator",), houses=(house.house,)))
    with in_locale("ru"):
        said = f"Скан удалён {format_day(today)} по сроку хранения"
    link = f'href="/staff/meetings/ballots/{ballot}/scan"'
    page = (await client.get(f"/staff/meetings/{old}/moderation")).text
    assert link in page and "Открыть скан" in page and said not in page  # the checked ballot's scan opens
    opened = await client.get(f"/staff/meetings/ballots/{ballot}/scan")
    assert opened.status_code == 200 and opened.content == PDF

    await actions.erase_snils(now, 3)
    page = (await client.get(f"/staff/meetings/{old}/moderation")).text
    assert said in " ".join(page.split()) and link not in page, page
    fragment = await client.get(f"/staff/meetings/{old}/moderation", headers={"HX-Request": "true"})
    assert said in " ".join(fragment.text.split())
    gone = await client.get(f"/staff/meetings/ballots/{ballot}/scan")
    assert gone.status_code == 410 and said in " ".join(gone.text.split()), gone.text
    assert (await client.get(f"/staff/meetings/ballots/{ballot + 1000}/scan")).status_code == 404
