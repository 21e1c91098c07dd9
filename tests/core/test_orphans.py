"""Stored files no row refers to are deleted however old they are (a run of the files' erasure stopped for months
before its files went, a form that failed after storing its file), once older than a grace period: a file just
stored whose row is not committed yet stays. The daily job walks the storage a page at a time from where its last
run stopped. Real files in a storage folder of the test's own, real rows on both engines."""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import secrets
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest

from portal import settings as portal_settings
from portal.app import PORTAL
from portal.app import collect_routes
from portal.catalog.tables import PaidService
from portal.catalog.tables import ServiceCategory
from portal.core import jobs
from portal.core import orphans
from portal.core import storage
from portal.core.db import is_sqlite
from portal.core.tables import JobRun
from portal.tickets import actions
from portal.tickets.tables import HandoverApplication
from portal.tickets.tables import TicketAttachment
from tests.querylog import captured
from tests.querylog import plan_of
from tests.querylog import unindexed_steps
from tests.tickets.conftest import jpeg_bytes
from tests.tickets.test_file_retention import _request_with_photo
from tests.tickets.test_handover import _filed
from tests.tickets.test_handover import today_is  # noqa: F401  (a fixture: the day the application names is past)

NOW = datetime.now(UTC)
LONG_AGO = NOW - timedelta(days=5 * 365)


@pytest.fixture
def uploads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The storage of this test alone, empty."""
    monkeypatch.setattr(
        portal_settings, "_current", dataclasses.replace(portal_settings.get_settings(), var_dir=tmp_path)
    )
    return storage.root()


def _lying(key: str, written: datetime = LONG_AGO, body: bytes = b"%PDF-1.4\n%%EOF\n") -> Path:
    path = storage.root() / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    _written(path, written)
    return path


def _written(path: Path, moment: datetime) -> None:
    os.utime(path, (moment.timestamp(), moment.timestamp()))


def _key(folder: str = "2021/04", ext: str = "jpg") -> str:
    return f"{folder}/{secrets.token_urlsafe(24)}.{ext}"


async def _referred_by_a_row(*keys: str) -> None:
    """Rows that refer to ``keys``: services of the catalogue with these photos."""
    category = ServiceCategory(title="Сантехника")
    await category.save()
    await PaidService.insert(*(PaidService(category=category.id, title="Замена смесителя", photo_key=k) for k in keys))


async def test_a_file_no_row_refers_to_goes_however_old_and_a_young_one_or_a_rows_stays(
    db, uploads, client, login, make_user, make_account
):
    _, attachment = await _request_with_photo(client, login, make_user, make_account, jpeg_bytes(), "in_work", NOW)
    photo = storage.path_of(attachment["file_key"])
    _written(photo, LONG_AGO)  # a request's photo of five years ago, still kept
    small = _lying(attachment["file_key"].removesuffix(".jpg") + "-w480.jpg")  # its narrow copy
    old = _lying(_key("2019/03", "pdf"))  # left by a run stopped long ago: no row
    old_small = _lying(_key("2019/03").removesuffix(".jpg") + "-w480.jpg")  # a narrow copy of a photo gone
    partial = _lying(f"2019/03/.{secrets.token_urlsafe(24)}-w480.jpg.{secrets.token_hex(4)}")  # a copy half written
    young = _lying(_key("2026/12"), NOW - timedelta(hours=2))  # stored for a form whose row is not saved yet
    foreign = _lying("2019/03/notes.txt")  # not a file of ours

    assert await orphans.sweep(NOW) == 3
    assert not old.exists() and not old_small.exists() and not partial.exists()
    assert photo.exists() and small.exists() and young.exists() and foreign.exists()

    _written(young, NOW - orphans.GRACE - timedelta(minutes=1))  # a day later, still no row
    assert await orphans.sweep(NOW) == 1 and not young.exists() and photo.exists()


async def test_a_requests_files_left_by_a_run_stopped_for_months_go_with_the_next_sweep(
    db, uploads, client, login, make_user, make_account, monkeypatch
):
    """The erasure marks the rows, commits, and is stopped before the files go; months later no row refers to them
    (the rows say they were deleted), and the sweep deletes them."""
    finished = NOW - timedelta(days=4 * 365)
    _, attachment = await _request_with_photo(client, login, make_user, make_account, jpeg_bytes(), "closed", finished)
    photo = storage.path_of(attachment["file_key"])
    _written(photo, finished)

    def stopped(_key: str) -> None:
        raise OSError("the worker was stopped")

    with monkeypatch.context() as patched:
        patched.setattr(storage, "delete", stopped)
        with pytest.raises(OSError):
            await actions.erase_request_files(NOW, 1095, 3)
    assert (await TicketAttachment.select().where(TicketAttachment.id == attachment["id"]).first())["erased_at"]
    assert photo.exists()  # committed, the file left behind
    assert await orphans.sweep(NOW + timedelta(days=90)) == 1 and not photo.exists()


@pytest.mark.usefixtures("today_is")
async def test_an_applications_documents_stay_while_kept_and_go_once_marked_deleted(
    db, uploads, client, login, make_user, make_account
):
    _, _, _, ticket = await _filed(client, login, make_user, make_account)
    await _referred_by_a_row(_key("2018/01"))  # the database holds the keys of other files too
    handover = await HandoverApplication.select().where(HandoverApplication.ticket == ticket["id"]).first()
    (key,) = handover["documents"].splitlines()
    extract = storage.path_of(key)
    _written(extract, LONG_AGO)
    assert await orphans.sweep(NOW) == 0 and extract.exists()
    await HandoverApplication.update({HandoverApplication.documents_erased_at: NOW}).where(
        HandoverApplication.id == handover["id"]
    )
    assert await orphans.sweep(NOW) == 1 and not extract.exists()


async def test_the_walk_goes_on_from_where_the_last_run_stopped_and_starts_again_past_the_end(db, uploads):
    await _referred_by_a_row(_key("2018/01"))  # the database is the folder's: it holds the key of a file
    keys = sorted([_key("2020/01"), _key("2020/01"), _key("2020/01"), _key("2024/11", "pdf"), _key("2026/02")])
    paths = [_lying(key) for key in keys]
    assert await orphans.sweep(NOW, budget=2, page=2) == 2  # the first two, by their keys
    assert [p.exists() for p in paths] == [False, False, True, True, True]
    kept = _lying("2020/01/" + "-" * 32 + ".jpg")  # behind the cursor: the next round's
    assert await orphans.sweep(NOW, budget=2, page=2) == 2
    assert [p.exists() for p in paths] == [False, False, False, False, True]
    assert await orphans.sweep(NOW, budget=2, page=2) == 1  # the last, then the walk starts again
    assert kept.exists() and not paths[-1].exists()
    assert await orphans.sweep(NOW, budget=2, page=2) == 1 and not kept.exists()


def test_every_domain_that_stores_files_says_which_its_rows_refer_to():
    """A domain that stores uploads (``core.storage``) and did not say which its rows refer to would lose them all
    to the sweep."""
    collect_routes()
    storing = {
        path.parent.name
        for path in PORTAL.glob("*/*.py")
        if path.parent.name != "core"
        and re.search(r"storage\.(save_image|save_document|save_pdf|_write)", path.read_text())
    }
    assert storing and storing <= set(orphans.readers()), storing - set(orphans.readers())
    assert storing <= set(orphans.holders()), storing - set(orphans.holders())


async def test_a_domain_naming_its_key_columns_is_asked_by_them_both_which_keys_and_whether_any(db):
    """``orphans.kept_in``: the catalogue names its columns once; its two reads ask them."""
    collect_routes()
    kept, other = _key(), _key()
    assert not await orphans.holders()["catalog"]()
    await _referred_by_a_row(kept)
    assert await orphans.readers()["catalog"]([kept, other]) == {kept}
    assert await orphans.holders()["catalog"]()


def test_the_sweep_is_a_daily_job():
    collect_routes()
    assert jobs.registered()["orphan-files"].every_seconds == 86400


async def test_the_domains_are_asked_through_the_indexes_of_their_keys(db):
    collect_routes()
    with captured(db) as seen:
        await orphans.referred([_key(), _key(ext="pdf")])
        assert not await orphans.anything_referred()  # every domain asked, none holds a key
    assert len(seen) >= 9 + 9
    for query in seen:
        table = re.search(r'FROM "?(\w+)"?', str(query))[1]
        plan = await plan_of(db, query, forbid_seqscan=True)
        assert unindexed_steps(plan, table, is_sqlite(db)) == [], (table, plan)


# --- the safeguard: a run on an empty or another database with the real folder deletes nothing --------------------


@pytest.mark.parametrize(
    ("orphaned", "walked", "referring", "refused"),
    [
        (3, 3, False, True),  # no row holds a file's key: an empty database, or another one
        (49, 49, True, False),  # fewer than 50 files walked: a few leftovers are no sign
        (11, 50, True, True),  # 22 % of the files no row's
        (10, 50, True, False),  # 20 %: no more than the share
    ],
)
def test_a_run_deletes_nothing_on_a_database_holding_no_files_key_or_too_many_orphans(
    orphaned, walked, referring, refused
):
    assert (orphans.unsafe(orphaned, walked, 20, referring) is not None) is refused


async def test_a_run_on_a_database_holding_no_files_key_deletes_nothing_and_its_job_fails_saying_why(
    db, uploads, caplog
):
    """An empty database started with the real folder: every file looks like no row's; none goes."""
    paths = [_lying(_key("2021/04")) for _ in range(3)]
    job = jobs.registered()["orphan-files"]
    with caplog.at_level(logging.ERROR, logger="portal"):
        await jobs.run_job(job, NOW)
    assert all(p.exists() for p in paths)
    (error,) = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "nothing deleted" in error.getMessage() and str(uploads) in error.getMessage()
    assert "the database holds no key of a stored file" in error.getMessage()
    run = await JobRun.select().where(JobRun.name == "orphan-files").first()
    assert run["status"] == "failed" and str(uploads) in run["detail"]
    assert not (uploads / orphans.CURSOR).exists()  # the next run walks the same files again

    await _referred_by_a_row(_key("2018/01"))  # the database of this folder after all
    assert await orphans.sweep(NOW) == 3 and not any(p.exists() for p in paths)


async def test_a_run_finding_more_than_a_share_of_the_files_no_rows_deletes_nothing(db, uploads, monkeypatch):
    """Another company's database with this folder: of 60 files, the 10 its rows name stay and 50 look like
    orphans, 83 % (more than ORPHANS_MAX_SHARE, 20 %): none goes. Once 12 of the 60 are no row's (20 %), they go."""
    named = [_key("2021/04") for _ in range(10)]
    unnamed = [_key("2021/05") for _ in range(50)]
    await _referred_by_a_row(*named)
    paths = {key: _lying(key) for key in named + unnamed}
    with pytest.raises(orphans.Unsafe, match="50 of the 60 files walked are no row's, more than 20 %"):
        await orphans.sweep(NOW)
    assert all(p.exists() for p in paths.values())

    await _referred_by_a_row(*unnamed[12:])  # the rows of 38 more: 12 of the 60 files are no row's, 20 %
    assert await orphans.sweep(NOW) == 12
    assert [k for k, p in paths.items() if not p.exists()] == unnamed[:12]

    later = [_lying(_key("2022/01")) for _ in range(50)]  # 50 of 98 no row's: past the share the company set?
    with pytest.raises(orphans.Unsafe):
        await orphans.sweep(NOW)
    raised = dataclasses.replace(portal_settings.get_settings(), orphans_max_share=60)
    monkeypatch.setattr(portal_settings, "_current", raised)
    assert await orphans.sweep(NOW) == 50 and not any(p.exists() for p in later)
