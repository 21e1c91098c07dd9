"""A long job in batches (the receipts' issue, the meters' export) writes each batch's progress by compare and set
(``jobs.save_progress``): a process that read the run before someone else moved it writes nothing and stops, so a
batch is never counted twice (both engines)."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import date

from portal.billing import issuing
from portal.core import clock
from portal.core import jobs
from portal.core.tables import JobRun


async def _run(detail: str, status: str = "running") -> int:
    inserted = await JobRun.insert(
        JobRun(name="test-progress", key="k", status=status, detail=detail, started_at=clock.now())
    ).returning(JobRun.id)
    return inserted[0]["id"]


async def _row(run_id: int) -> dict:
    return await JobRun.select().where(JobRun.id == run_id).first()


async def test_progress_is_written_only_over_the_progress_it_was_read_at(db) -> None:
    run_id = await _run('{"done": 0}')
    assert await jobs.save_progress(run_id, '{"done": 500}', '{"done": 0}')
    # a second process that read the run at 0 as well was overtaken: it writes nothing
    assert not await jobs.save_progress(run_id, '{"done": 500}', '{"done": 0}')
    row = await _row(run_id)
    assert (row["detail"], row["status"], row["finished_at"]) == ('{"done": 500}', "running", None)


async def test_the_last_batch_ends_the_run_and_an_ended_run_takes_no_more(db) -> None:
    run_id = await _run('{"done": 500}')
    assert await jobs.save_progress(run_id, '{"done": 900}', '{"done": 500}', "done")
    row = await _row(run_id)
    assert row["status"] == "done" and row["finished_at"] is not None
    assert not await jobs.save_progress(run_id, '{"done": 1000}', '{"done": 900}')
    assert (await _row(run_id))["detail"] == '{"done": 900}'


async def test_a_month_run_is_read_back_as_written_and_goes_on_in_its_starters_scope(db) -> None:
    """The receipts' issue and the meters' export share one shape (``jobs.MonthRun``): the row keeps who started
    the run and their houses, and the run reads and writes in that scope whoever takes it up."""
    fresh = jobs.MonthRun(0, jobs.RUNNING, "2026-11", None, [3, 5], 7, "Бухгалтер", total=40, beat=time.time())
    run = jobs.MonthRun.of_row({"id": await _run(fresh.detail()), "status": jobs.RUNNING, "detail": fresh.detail()})
    assert (run.month, run.running, run.stale) == (date(2026, 11, 1), True, False)
    assert (run.starter.user_id, run.starter.name, run.starter.house_ids) == (7, "Бухгалтер", frozenset({3, 5}))
    assert replace(run, houses=None).starter.house_ids is None, "a starter of every house goes on over every house"
    moved = replace(run, done=20)
    assert await moved.save(run) and not await replace(run, done=30).save(run), "the slower one is overtaken"
    assert json.loads((await _row(run.id))["detail"])["done"] == 20


def test_a_run_whose_progress_stopped_moving_is_stale_and_a_finished_one_never() -> None:
    run = jobs.MonthRun(1, jobs.RUNNING, "2026-11", 3, None, 7, "Бухгалтер", total=40)
    moment = time.time()
    assert not replace(run, beat=moment - jobs.STALE_SECONDS + 5).stale
    assert replace(run, beat=moment - jobs.STALE_SECONDS - 1).stale
    assert not replace(run, status=jobs.DONE, beat=0.0).stale


async def test_a_receipts_issue_stored_with_house_ids_is_read_with_its_houses(db) -> None:
    """Issues of receipts written before the shared shape kept the starter's houses as ``house_ids``: the month's
    list still shows them, and one left running goes on over those houses, not over every house."""
    detail = '{"period": "2026-10", "house_id": null, "user_id": 7, "user_name": "Б", "house_ids": [4], "total": 9}'
    run = issuing.Run.of_row({"id": await _run(detail), "status": jobs.RUNNING, "detail": detail})
    assert run.starter.house_ids == frozenset({4}) and run.month == date(2026, 10, 1)


async def test_a_month_run_starts_once_per_key_until_it_ends_or_is_left(db) -> None:
    """The receipts' issue and the meters' export start their runs the same way (``MonthRun.begin``): a second
    press while the run goes on gets that run, not another; a run finished, or left by a stopped process, is
    replaced by the new one, which says which it replaced (the export deletes the old file)."""
    fresh = jobs.MonthRun(0, jobs.RUNNING, "2026-11", 3, [3], 7, "Бухгалтер", total=40, beat=time.time())
    first, started, replaced = await fresh.begin("test-begin", "2026-11:3")
    assert started and first.id and replaced is None
    again, started, _ = await replace(fresh, user_name="Коллега").begin("test-begin", "2026-11:3")
    assert not started and (again.id, again.user_name) == (first.id, "Бухгалтер"), "the run going on"
    other, started, _ = await fresh.begin("test-begin", "2026-11:all")
    assert started and other.id != first.id, "another house's run is another run"

    assert await replace(first, done=40).save(first, jobs.DONE)
    later, started, replaced = await replace(fresh, total=41).begin("test-begin", "2026-11:3")
    assert started and later.id == first.id and replaced is not None and replaced.done == 40
    row = await _row(first.id)
    assert (row["status"], row["finished_at"], json.loads(row["detail"])["total"]) == ("running", None, 41)

    left = replace(later, beat=time.time() - jobs.STALE_SECONDS - 1)
    await JobRun.update({JobRun.detail: left.detail()}).where(JobRun.id == later.id)
    taken, started, replaced = await replace(fresh, user_name="Коллега").begin("test-begin", "2026-11:3")
    assert started and taken.user_name == "Коллега" and replaced is not None and replaced.stale
