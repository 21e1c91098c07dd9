"""Charges files are read as a stream off the event loop, stop at the documented limit and are parsed once
(issue 11, item 4; SECURITY.md: "an XLSX with a million rows is refused")."""

from __future__ import annotations

import threading
from pathlib import Path

from portal.billing import importer
from portal.billing import uploads
from portal.billing.importer import MAX_ROWS
from portal.billing.importer import Problem
from portal.billing.tables import Charge
from portal.core.tabular import Trouble
from portal.settings import get_settings
from tests.billing.conftest import SAMPLE
from tests.billing.conftest import checked_page
from tests.billing.conftest import token_of
from tests.billing.conftest import upload_charges
from tests.meanwhile import answered
from tests.meanwhile import held
from tests.spreadsheets import million_rows

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def test_a_million_row_xlsx_is_refused_while_other_requests_are_served(
    client, login, make_user, catalog, monkeypatch
):
    """The upload is answered at once and the file read on the worker thread: while the reading is held at its
    start, ``/healthz`` is answered (the progress shown meanwhile is the test of ``test_the_page_shows_the_progress``).
    The reading stops at the limit: the rows past it (broken XML after line 110,001) are never parsed."""
    await login(client, await make_user(roles=("accountant",)))
    data = million_rows(dimension="A1:E1000001", broken_after=110_000)  # 1,000,000 rows in well under a megabyte
    assert len(data) < 1_000_000
    reading = held(monkeypatch, importer, "read_file")

    async def upload_until_read() -> object:
        upload = await client.form(
            "/staff/billing/import", {"period": "2026-11"}, files={"file": ("m.xlsx", data, XLSX)}
        )
        assert upload.status_code == 303
        return await checked_page(client, upload.headers["location"])

    page, held_the_loop = await answered(client, upload_until_read(), reading)
    assert held_the_loop == [], "/healthz waited for the file to be read"
    assert page.status_code == 422
    assert "В файле больше 100\u00a0000 строк." in page.text
    assert await Charge.count() == 0


def test_the_reader_stops_at_the_documented_limit():
    header = b"account;service;volume;tariff;amount\n"
    lines = [b"77%08d;waste;1;1;1\n" % n for n in range(MAX_ROWS + 1)]
    at_limit = importer.read_file(header + b"".join(lines[:MAX_ROWS]))
    assert at_limit.ok and len(at_limit.rows) == MAX_ROWS
    past = importer.read_file(header + b"".join(lines))
    assert [(p.line, p.code, p.value) for p in past.problems] == [(MAX_ROWS + 2, Problem.FILE, Trouble.TOO_MANY_ROWS)]
    assert past.rows == []


async def test_the_page_shows_the_progress_until_the_check_ends(client, login, make_user, make_account, catalog):
    place = await make_account(number="7700000001")
    await make_account(number="7700000002", house=place.house)
    await login(client, await make_user(roles=("accountant",), houses=(place.house,)))
    busy = threading.Event()
    uploads._WORKER.submit(busy.wait, 30)  # another file is being read: this one waits for the worker
    try:
        upload = await client.form(
            "/staff/billing/import", {"period": "2026-11"}, files={"file": ("c.csv", SAMPLE.read_bytes(), "text/csv")}
        )
        waiting = await client.get(upload.headers["location"])
        assert '<progress class="import-progress"' in waiting.text
        assert 'hx-trigger="every 1s"' in waiting.text
        assert "Сейчас проверяется другой файл" in waiting.text
    finally:
        busy.set()
    done = await upload_charges(client, SAMPLE.read_bytes(), "2026-11")
    assert "<progress" not in done.text and 'name="token"' in done.text


async def test_apply_writes_the_rows_checked_once_without_parsing_the_file_again(
    client, login, make_user, make_account, catalog, monkeypatch
):
    place = await make_account(number="7700000001")
    await make_account(number="7700000002", house=place.house)
    await login(client, await make_user(roles=("accountant",), houses=(place.house,)))
    reads = []
    read_file = importer.read_file
    monkeypatch.setattr(importer, "read_file", lambda *args, **kwargs: reads.append(1) or read_file(*args, **kwargs))
    preview = await upload_charges(client, SAMPLE.read_bytes(), "2026-11")
    folder = Path(get_settings().var_dir) / "imports" / "charges"
    assert not list(folder.glob("*.upload")), "the uploaded file is gone once it is read"
    applied = await client.form("/staff/billing/import/apply", {"token": token_of(preview)})
    assert applied.status_code == 303
    assert await Charge.count() == 12
    assert reads == [1]
    assert not list(folder.glob(f"{token_of(preview)}*")), "an applied file is forgotten"
