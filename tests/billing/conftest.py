"""Fixtures of the billing tests: payees and services, and a checked charges file (on both engines).

Houses, premises and accounts come from the one ``make_account`` factory of ``tests/conftest.py``.
"""

from __future__ import annotations

import asyncio
import time
from datetime import date
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from portal.billing import actions
from portal.billing import importer
from portal.core.security import Principal

SAMPLE = Path(__file__).with_name("charges_sample.csv")
# Who imports in most tests: the company as a whole (an administrator works with every house).
EVERY_HOUSE = Principal(name="Бухгалтерия", house_ids=None)


@pytest.fixture
async def catalog(db: Any) -> dict[str, Any]:
    """The payees and services of the demo (the УК and the capital-repair fund), ids by code."""
    return await actions.ensure_catalog()


async def checked(
    content: bytes, period: date, principal: Principal = EVERY_HOUSE, name: str = "charges.csv"
) -> importer.ParsedFile:
    """A charges file read and checked against the database, as the preview shows it."""
    return await importer.check_against_db(importer.read_file(content, name), period, principal)


async def import_sample(period: date, occurred_at: datetime | None = None) -> actions.ImportResult:
    """The sample file (accounts 7700000001 and 7700000002) imported for ``period``."""
    parsed = await checked(SAMPLE.read_bytes(), period)
    return await actions.import_charges(EVERY_HOUSE, parsed, period, occurred_at=occurred_at)


async def upload_charges(
    client: Any, content: bytes, period: str = "2026-09", name: str = "charges.csv", seconds: float = 60
) -> Any:
    """Upload a charges file on the staff page and wait for its check to end; the job's page at the end."""
    response = await client.form("/staff/billing/import", {"period": period}, files={"file": (name, content, "")})
    assert response.status_code == 303, response.text
    return await checked_page(client, response.headers["location"], seconds)


async def checked_page(client: Any, location: str, seconds: float = 60) -> Any:
    """The page of an uploaded file's check (at ``location``) once the check has ended."""
    deadline = time.monotonic() + seconds
    while 'hx-trigger="every' in (await client.get(location, headers={"HX-Request": "true"})).text:
        assert time.monotonic() < deadline, f"the check did not end in {seconds} s"
        await asyncio.sleep(0.05)
    return await client.get(location)


def token_of(page: Any) -> str:
    return page.text.split('name="token" value="')[1].split('"')[0]
