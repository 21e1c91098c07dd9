"""A long job in batches (the receipts' issue, the meters' export) writes each batch's progress by compare and set
(``jobs.save_progress``): a process that read the run before someone else moved it writes nothing and stops, so a
batch is never counted twice (both engines)."""

from __future__ import annotations

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
