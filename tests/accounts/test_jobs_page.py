"""The administrators' page of background jobs (/staff/jobs): each registered job with its last run, the runs failed
in the last seven days a page of 50 at a time, and a one-line warning on the overview of the runs failed in the last
day. Read by indexes (both engines)."""

from __future__ import annotations

import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest

from portal.accounts import queries
from portal.accounts import rules
from portal.core import jobs
from portal.core.db import is_sqlite
from portal.core.pagination import PageRequest
from portal.core.tables import JobRun
from tests import querylog
from tests.querylog import captured
from tests.querylog import plan_of


@pytest.mark.parametrize(
    ("detail", "line"),
    [
        ("orphan files: nothing deleted in /srv/files: no row holds a file's key", None),
        ("connection refused\nTraceback (most recent call last):\n  File …", "connection refused"),
        ("\n  timeout  \nmore", "timeout"),
        ('{"period": "2026-11", "total": 41, "done": 20}', ""),  # a long job's progress: no error text
        ("", ""),
        ("x" * 500, "x" * 199 + "…"),
    ],
)
def test_the_error_is_shown_as_its_first_line(detail: str, line: str | None) -> None:
    assert rules.error_line(detail) == (detail if line is None else line)


async def test_a_failed_run_keeps_when_it_finished_and_why(db: Any) -> None:
    async def refuse() -> None:
        raise RuntimeError("the bank is not answering")

    with pytest.raises(RuntimeError):
        await jobs.run_once("payments-autopay", "autopay-test", refuse)
    row = await JobRun.select().where(JobRun.key == "autopay-test").first()
    assert (row["status"], row["detail"]) == ("failed", "the bank is not answering")
    assert row["finished_at"] is not None and row["finished_at"] >= row["started_at"]

    async def work() -> None:
        again = await JobRun.select(JobRun.status, JobRun.finished_at).where(JobRun.key == "autopay-test").first()
        assert again == {"status": "running", "finished_at": None}  # the retry is running, not finished

    assert await jobs.run_once("payments-autopay", "autopay-test", work)


async def _run(name: str, key: str, status: str, started: datetime, detail: str = "") -> None:
    finished = None if status == "running" else started + timedelta(minutes=1)
    await JobRun.insert(
        JobRun(name=name, key=key, status=status, started_at=started, finished_at=finished, detail=detail)
    )


def _rows(html: str, section: str) -> list[str]:
    part = html.split(f'id="{section}"')[1].split("</section>")[0]
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
        for row in re.findall(r"<tr>(.*?)</tr>", part, re.S)
        if "<td" in row
    ]


async def test_the_page_shows_each_jobs_last_run_and_the_failures_of_the_week(
    client: Any, login: Any, make_user: Any
) -> None:
    now = datetime.now(UTC)
    await _run("orphan-files", "2026-01-01", "failed", now - timedelta(days=8), "too old to list")
    await _run("orphan-files", "2026-01-02", "failed", now - timedelta(days=2), "orphan files: nothing deleted\nmore")
    await _run("orphan-files", "2026-01-03", "done", now - timedelta(hours=3))
    await _run("payments-autopay", "autopay-1", "failed", now - timedelta(hours=1), "the bank is not answering")
    await _run("receipts-issue", "2026-11:all", "failed", now - timedelta(hours=2), '{"period": "2026-11"}')
    await login(client, await make_user(roles=("admin",)))

    page = (await client.get("/staff/jobs")).text
    assert "<h1>Фоновые задачи</h1>" in page
    last = {row.split(" ")[0]: row for row in _rows(page, "last-runs")}
    assert "Выполнена" in last["Очистка"] and "orphan-files" in last["Очистка"]  # the run of 3 hours ago, not older
    assert "С ошибкой" in last["Автоплатежи"] and "the bank is not answering" in last["Автоплатежи"]
    assert "Подробности — в журнале сервера" in last["Выпуск"]
    assert "Ещё не запускалась." in last["Пени"]  # a job recorded by key that has not run
    assert "Запуски не записываются" in last["Отправка"]  # a job run every few seconds, not recorded
    assert "Ещё не запускалась." in last["Выгрузка"]  # the meters' export keeps its runs itself

    failures = _rows(page, "failures")
    assert len(failures) == 3  # not the one of 8 days ago
    assert ["Автоплатежи" in failures[0], "Выпуск" in failures[1], "Очистка" in failures[2]] == [True] * 3
    assert "orphan files: nothing deleted" in failures[2] and "more" not in failures[2]
    assert "too old to list" not in page

    await client.speak("en")
    english = (await client.get("/staff/jobs")).text
    assert "<h1>Background jobs</h1>" in english and "Failed in the last 7 days" in english
    assert "Autopay" in english and "Details are in the server log" in english


async def test_the_failures_are_paged_by_50(client: Any, login: Any, make_user: Any) -> None:
    now = datetime.now(UTC)
    for n in range(51):
        await _run("payments-autopay", f"autopay-{n:02}", "failed", now - timedelta(minutes=n), f"error {n}")
    await login(client, await make_user(roles=("admin",)))
    first = await client.get("/staff/jobs")
    assert len(_rows(first.text, "failures")) == 50 and "error 0<" in first.text and "error 50<" not in first.text
    second = await client.get("/staff/jobs?page=2")
    assert [row.split(" ")[-1] for row in _rows(second.text, "failures")] == ["50"]


async def test_the_overview_warns_the_administrator_of_jobs_failed_in_the_last_day(
    client: Any, new_client: Any, login: Any, make_user: Any
) -> None:
    now = datetime.now(UTC)
    await login(client, await make_user(roles=("admin",)))
    assert '/staff/jobs">' not in (await client.get("/staff")).text.split("</nav>")[-1]  # nothing failed
    await _run("payments-autopay", "autopay-1", "failed", now - timedelta(hours=1), "no answer")
    await _run("orphan-files", "2026-01-02", "failed", now - timedelta(hours=23), "refused")
    await _run("orphan-files", "2026-01-01", "failed", now - timedelta(hours=25), "yesterday's")
    overview = (await client.get("/staff")).text
    assert '<a href="/staff/jobs">2 задачи завершились с ошибкой за сутки</a>' in overview
    await client.speak("en")
    assert '<a href="/staff/jobs">2 jobs failed in the last day</a>' in (await client.get("/staff")).text

    manager = new_client()
    await login(manager, await make_user(roles=("manager",)))
    assert "с ошибкой за сутки" not in (await manager.get("/staff")).text
    assert (await manager.get("/staff/jobs")).status_code == 403


async def test_the_reads_of_the_page_are_indexed(db: Any) -> None:
    now = datetime.now(UTC)
    for n in range(30):
        await _run("payments-autopay", f"autopay-{n}", "failed" if n % 3 else "done", now - timedelta(hours=n))
    if not is_sqlite(db):
        await db.run_ddl("ANALYZE job_run")
    with captured(db) as seen:
        await queries.last_runs(["payments-autopay", "orphan-files"])
        await queries.failed_runs(PageRequest(1, 50), now)
        await queries.failed_lately(now)
    assert len(seen) == 5  # a lookup per job, the failures' count and page, the overview's count
    for querystring in seen:
        plan = await plan_of(db, querystring, forbid_seqscan=True)
        assert querylog.unindexed_steps(plan, "job_run", is_sqlite(db)) == [], f"{querystring}\n{plan}"
        assert "job_run_name_started" in plan or "job_run_status_started" in plan, f"{querystring}\n{plan}"
