"""The meters' XLSX for billing made by a job: pressed, it answers at once with the export's page; the job writes
the file and records the export; a second press shows the running one; the file goes only to staff who may export
every house of it now, for a day; a failed run offers nothing and is started again."""

from __future__ import annotations

import io
import time
from dataclasses import replace
from datetime import timedelta
from typing import Any

from openpyxl import load_workbook

from portal.core import clock
from portal.core import jobs
from portal.core.exports import XLSX
from portal.core.tables import AuditEvent
from portal.core.tables import JobRun
from portal.meters import export
from portal.meters import exporting
from portal.meters.tables import MeterExport
from portal.meters.tables import MeterReading
from tests.meters.conftest import NOV
from tests.meters.conftest import staff_principal

HTMX = {"HX-Request": "true"}


def _files() -> list[str]:
    folder = exporting.folder()
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


async def _run(page: str = "") -> exporting.Run:
    """The export run of the page (its address), or the only one."""
    where = JobRun.name == exporting.NAME
    if page:
        where &= JobRun.id == int(page.rsplit("/", 1)[1])
    return exporting.Run.of_row(await JobRun.select().where(where).first())


async def test_a_press_answers_at_once_and_the_job_makes_the_file_and_records_the_export(
    client, login, make_user, period
):
    house = period["first"][0].house
    await login(client, await make_user(roles=("accountant",), houses=(house,)))
    await MeterReading.update({MeterReading.recount: True}).where(MeterReading.period == NOV)
    before = _files()
    pressed = await client.form(f"/staff/meters/export.xlsx?period=2026-11&house={house}", {})
    assert pressed.status_code == 303 and pressed.headers["location"].startswith("/staff/meters/exports/")
    page = pressed.headers["location"]
    running = await client.get(page)
    assert "Готовим файл: 0 из 4 лицевых счетов" in running.text  # the house's four flats
    assert 'hx-trigger="every 2s"' in running.text and 'role="status"' in running.text
    assert f'href="{page}">Обновить</a>' in running.text  # without scripts, a link
    assert await MeterExport.count() == 0 and _files() == before, "the press only starts the job"

    assert await exporting.work(clock.now()) == 1
    done = await client.get(page, headers=HTMX)
    assert "hx-trigger" not in done.text, "a finished export is not polled"
    assert "Файл готов: readings-2026-11.xlsx." in done.text and "Скачать (" in done.text
    file = await client.get(f"{page}/file")
    assert file.status_code == 200 and file.headers["content-type"] == XLSX
    assert 'filename="readings-2026-11.xlsx"' in file.headers["content-disposition"]
    readings = load_workbook(io.BytesIO(file.content))["readings"]
    assert [c.value for c in readings[1]] == list(export.COLUMNS)
    serials = {row[4].value for row in readings.iter_rows(min_row=2)}
    assert f"ХВ{period['first'][0].account}" in serials and f"ХВ{period['other'].account}" not in serials
    # Recorded as the request recorded it: the month and house exported, its marks to recount cleared, the audit row.
    exported = await MeterExport.select(MeterExport.house).first()
    assert exported["house"] == house
    (event,) = await AuditEvent.select().where(AuditEvent.action == "meters.export")
    assert event["ip"] and event["actor_id"] == (await _run()).user_id
    taken = await MeterReading.select(MeterReading.recount).where(
        MeterReading.meter == period["meters"][period["first"][0].account]
    )
    assert not any(r["recount"] for r in taken)
    assert await exporting.work(clock.now()) == 0, "a finished run is not run again"


async def test_a_second_press_while_it_runs_shows_the_running_one(client, login, make_user, period):
    house = period["first"][0].house
    await login(client, await make_user(roles=("manager",), houses=(house,)))
    first = await client.form("/staff/meters/export.xlsx?period=2026-11", {})
    again = await client.form("/staff/meters/export.xlsx?period=2026-11", {})
    assert again.headers["location"] == first.headers["location"]
    shown = await client.get(again.headers["location"])
    assert "Этот файл уже готовится; ход подготовки ниже." in shown.text and "Готовим файл" in shown.text
    assert await JobRun.count().where(JobRun.name == exporting.NAME) == 1
    other_month = await client.form("/staff/meters/export.xlsx?period=2026-10", {})
    assert other_month.headers["location"] != first.headers["location"]  # another filter: a run of its own
    assert await exporting.work(clock.now()) == 2
    # Done, a press makes the file again (the readings may have changed): a new file, the old one gone.
    old = (await _run(first.headers["location"])).file
    assert (await client.form("/staff/meters/export.xlsx?period=2026-11", {})).headers["location"] == first.headers[
        "location"
    ]
    assert old not in _files()
    await exporting.work(clock.now())
    assert (await client.get(f"{first.headers['location']}/file")).status_code == 200


async def test_the_file_goes_only_to_staff_who_may_export_all_its_houses_now(client, login, make_user, period):
    first, other = period["first"][0].house, period["other"].house
    starter = await make_user(roles=("accountant",), houses=(first, other))
    await login(client, starter)
    page = (await client.form("/staff/meters/export.xlsx?period=2026-11", {})).headers["location"]  # both houses
    await exporting.work(clock.now())
    assert (await client.get(f"{page}/file")).status_code == 200
    await login(client, await make_user(roles=("accountant",), houses=(first,)))  # a colleague of one of them
    assert (await client.get(page)).status_code == 404
    assert (await client.get(f"{page}/file")).status_code == 404
    await login(client, await make_user(roles=("admin",)))  # every house
    assert (await client.get(f"{page}/file")).status_code == 200
    await login(client, await make_user(roles=("operator",), houses=(first, other)))  # reads the list, exports not
    assert (await client.get(f"{page}/file")).status_code == 403
    # The starter, a house taken from them since: checked at the download, not only at the start.
    from portal.accounts.tables import StaffHouse

    await StaffHouse.delete().where((StaffHouse.user == starter) & (StaffHouse.house == other))
    await login(client, starter)
    assert (await client.get(f"{page}/file")).status_code == 404


async def test_the_file_is_kept_a_day(client, login, make_user, period):
    await login(client, await make_user(roles=("accountant",), houses=(period["first"][0].house,)))
    page = (await client.form("/staff/meters/export.xlsx?period=2026-11", {})).headers["location"]
    await exporting.work(clock.now())
    run = await _run()
    assert run.file in _files()
    await exporting.sweep(clock.now() + timedelta(hours=23))
    assert run.file in _files() and (await client.get(f"{page}/file")).status_code == 200
    day_ago = clock.now() - timedelta(days=1, minutes=1)
    aged = replace(run, finished=day_ago.isoformat())
    await JobRun.update({JobRun.detail: aged.detail(), JobRun.finished_at: day_ago}).where(JobRun.id == run.id)
    assert (await client.get(f"{page}/file")).status_code == 404, "not offered past its day, swept or not"
    assert await exporting.sweep(clock.now()) == 1
    assert run.file not in _files()
    shown = await client.get(page)
    assert "Файл хранился сутки и удалён." in shown.text and "Подготовить файл заново" in shown.text


async def test_a_failed_run_offers_nothing_records_nothing_and_starts_again(
    client, login, make_user, period, monkeypatch
):
    await login(client, await make_user(roles=("accountant",), houses=(period["first"][0].house,)))
    page = (await client.form("/staff/meters/export.xlsx?period=2026-11", {})).headers["location"]
    before = _files()

    async def broken(*args: Any, **kwargs: Any) -> bytes:
        raise OSError("disk full")

    with monkeypatch.context() as m:
        m.setattr(export, "xlsx_bytes", broken)
        assert await exporting.work(clock.now()) == 1
    run = await _run()
    assert (run.status, run.file) == ("failed", "")
    assert _files() == before and await MeterExport.count() == 0
    assert await AuditEvent.count().where(AuditEvent.action == "meters.export") == 0
    shown = await client.get(page, headers=HTMX)
    assert "Файл подготовить не удалось." in shown.text and "hx-trigger" not in shown.text
    assert (await client.get(f"{page}/file")).status_code == 404
    assert 'action="/staff/meters/export.xlsx?period=2026-11"' in shown.text  # started again from the page
    again = await client.form("/staff/meters/export.xlsx?period=2026-11", {})
    assert again.headers["location"] == page
    await exporting.work(clock.now())
    assert (await client.get(f"{page}/file")).status_code == 200


async def test_a_failure_recording_the_export_leaves_no_file(make_user, period, monkeypatch):
    """The file is stored before the export is recorded: a failure there deletes it, nothing half-done offered."""
    staff = staff_principal(await make_user(roles=("accountant",)), period["first"][0].house, "accountant")
    await exporting.start(staff, NOV, None)
    before = _files()

    async def refused(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(exporting.actions, "record_export", refused)
    await exporting.work(clock.now())
    assert (await _run()).status == "failed" and _files() == before


async def test_a_run_left_by_a_stopped_process_is_taken_up_again(make_user, period):
    staff = staff_principal(await make_user(roles=("accountant",)), period["first"][0].house, "accountant")
    run, _ = await exporting.start(staff, NOV, None)
    taken = replace(run, owner="another", beat=time.time())
    await JobRun.update({JobRun.detail: taken.detail()}).where(JobRun.id == run.id)
    assert await exporting.work(clock.now()) == 0, "another process works on it"
    left = replace(taken, beat=time.time() - jobs.STALE_SECONDS - 1)
    await JobRun.update({JobRun.detail: left.detail()}).where(JobRun.id == run.id)
    again, restarted = await exporting.start(staff, NOV, None)
    assert restarted and again.id == run.id, "a press starts a run whose process died"
    assert await exporting.work(clock.now()) == 1 and (await _run()).status == "done"


async def test_the_progress_counts_the_accounts_written(make_user, period, monkeypatch):
    """Saved every ``METERS_EXPORT_BATCH`` lines: the accounts whose lines are written, never past the total."""
    monkeypatch.setattr(exporting, "_batch", lambda: 1)
    staff = staff_principal(await make_user(roles=("accountant",)), period["first"][0].house, "accountant")
    run, _ = await exporting.start(staff, NOV, None)
    seen: list[int] = []
    original = exporting.Run.save

    async def noted(after: exporting.Run, before: exporting.Run, status: str = jobs.RUNNING) -> bool:
        seen.append(after.done)
        return await original(after, before, status)

    monkeypatch.setattr(exporting.Run, "save", noted)
    await exporting.work(clock.now())
    assert seen == sorted(seen) and seen[-1] == run.total == 4 and len(set(seen)) > 2, seen


async def test_the_list_offers_the_file_of_its_month_being_prepared_or_made(client, login, make_user, period):
    """Back at the list, the staff member finds the XLSX of the month and house shown (its progress, or the file to
    download), not a new minute's wait; another month's, a colleague's of other houses, an expired one are not."""
    house = period["first"][0].house
    await login(client, await make_user(roles=("accountant",), houses=(house,)))
    page = (await client.form("/staff/meters/export.xlsx?period=2026-11", {})).headers["location"]

    async def head(query: str = "period=2026-11") -> str:
        return (await client.get(f"/staff/meters?{query}")).text.split('id="meter-head"')[1].split("</div>")[0]

    assert "XLSX этого месяца готовится: 0 из 4 лицевых счетов." in await head()
    assert f'href="{page}">Смотреть ход подготовки</a>' in await head()
    assert "XLSX этого месяца" not in await head("period=2026-10")
    await exporting.work(clock.now())
    ready = await head()
    assert "Готов XLSX от" in ready and f'href="{page}/file"' in ready and "Скачать (" in ready
    run = await _run(page)
    aged = replace(run, finished=(clock.now() - timedelta(days=2)).isoformat())
    await JobRun.update({JobRun.detail: aged.detail()}).where(JobRun.id == run.id)
    assert "Готов XLSX" not in await head()
    await login(client, await make_user(roles=("accountant",), houses=(house, period["other"].house)))
    await JobRun.update({JobRun.detail: run.detail()}).where(JobRun.id == run.id)
    assert "Готов XLSX" not in await head(), "another scope's file is its own"
