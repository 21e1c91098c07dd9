"""Many rows written as plain records (``core.bulk.insert_records``, what the demo data are loaded with): the rows
are those Piccolo writes for the same values, the columns left out getting their defaults, in the records' order."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from portal.core import bulk
from portal.core.tables import JobRun

RECORDS = [
    {"name": "seed-demo", "key": "v1", "finished_at": datetime(2026, 12, 7, 9, 30, tzinfo=UTC)},
    {"name": "penalties", "key": "2026-11", "finished_at": None},
]
COLUMNS = (JobRun.id, JobRun.name, JobRun.key, JobRun.status, JobRun.finished_at, JobRun.detail)


async def test_records_are_written_as_piccolo_writes_them_with_the_defaults_of_the_rest(db):
    before = datetime.now(UTC)
    await bulk.insert_records(JobRun, RECORDS)
    written = await JobRun.select(*COLUMNS, JobRun.started_at).order_by(JobRun.id)
    await JobRun.insert(*[JobRun(**{**record, "key": record["key"] + "+"}) for record in RECORDS])  # (name, key) unique
    by_piccolo = (await JobRun.select(*COLUMNS).order_by(JobRun.id))[len(RECORDS) :]

    assert [r["name"] for r in written] == ["seed-demo", "penalties"]  # in the records' order
    assert [r["id"] for r in written] == sorted(r["id"] for r in written)
    assert [{**r, "id": 0, "key": r["key"].rstrip("+")} for r in by_piccolo] == [
        {k: v for k, v in r.items() if k != "started_at"} | {"id": 0} for r in written
    ]
    assert {r["status"] for r in written} == {"running"}  # the column's default
    assert all(before - timedelta(seconds=1) <= r["started_at"] <= datetime.now(UTC) for r in written)


async def test_records_of_other_columns_than_the_first_are_refused(db):
    with pytest.raises(ValueError, match="a record of"):
        await bulk.insert_records(JobRun, [RECORDS[0], {"name": "x", "key": "y"}])
    await bulk.insert_records(JobRun, [])  # nothing to write: nothing written
    assert await JobRun.count() == 0
