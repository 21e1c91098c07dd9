"""An accountant makes the month's XLSX for billing in Chromium, at 1280 and 390 px: the press answers at once with
the export's page and its progress («Готовим файл: N из M лицевых счетов», a status region, polled), then the link
«Скачать (… КБ)»; the file downloaded opens in openpyxl with the export's columns, account numbers as text and
readings as numbers. ``PORTAL_SCREENSHOTS=folder`` keeps the screenshots (running and done)."""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from portal.meters import export
from tests.browser import OpenPage
from tests.browser import sign_in
from tests.conftest import portal_server

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("PORTAL_SCREENSHOTS")
RUNNING = re.compile(r"Готовим файл: [\d\s]+ из [\d\s]+ лицевых счетов")


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, Path]]:
    """A server of its own whose job saves its progress at every line, so that the progress is seen to move."""
    with portal_server("live-meters-export", METERS_EXPORT_BATCH="1") as found:
        yield found


@pytest.mark.parametrize("width", [1280, 390])
def test_the_xlsx_for_billing_is_prepared_with_its_progress_then_downloaded(
    served: tuple[str, Path], open_page: OpenPage, width: int, tmp_path: Path
) -> None:
    url, folder = served
    with sqlite3.connect(folder / "live.sqlite") as db:
        accounts = db.execute("SELECT count(*) FROM personal_account").fetchone()[0]
    page = open_page(width, accept_downloads=True)
    sign_in(page, url, "admin@demo.ru")
    page.goto(url + "/staff/meters")
    page.get_by_role("button", name="Выгрузить для биллинга (XLSX)").click()
    status = page.locator("#export-run[role=status]")
    expect(status).to_contain_text(RUNNING, timeout=10_000)
    assert status.get_attribute("aria-live") == "polite"
    assert re.search(r"/staff/meters/exports/\d+$", page.url), page.url
    assert f"из {accounts} лицевых" in _digits(status.inner_text())
    expect(page.get_by_role("link", name="Обновить")).to_be_visible()  # without scripts, the page again
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"meters-export-running-{width}.png"), full_page=True)

    page.evaluate("window.stillThisPage = true")
    download = page.get_by_role("link", name=re.compile(r"Скачать \(\d[\d\s]*\sКБ\)"))
    expect(download).to_be_visible(timeout=120_000)
    assert page.evaluate("window.stillThisPage === true"), "the file came by the polled fragment, not a reload"
    expect(status).to_contain_text(re.compile(r"Файл готов: readings-\d{4}-\d{2}\.xlsx\."))
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"meters-export-done-{width}.png"), full_page=True)
    with page.expect_download() as info:
        download.click()
    saved = info.value
    assert re.fullmatch(r"readings-\d{4}-\d{2}\.xlsx", saved.suggested_filename)
    saved.save_as(tmp_path / saved.suggested_filename)  # openpyxl reads a file by its extension
    book = load_workbook(tmp_path / saved.suggested_filename)
    readings = book["readings"]
    assert [c.value for c in readings[1]] == list(export.COLUMNS)
    lines = list(readings.iter_rows(min_row=2))
    assert lines, "the demo's month has readings"
    assert all(line[1].data_type == "s" and line[1].value.isdigit() for line in lines)  # account numbers as text
    taken = [line[8] for line in lines if line[8].value is not None]
    assert taken and all(cell.data_type == "n" for cell in taken)  # readings as numbers
    assert book["recalculations"]["A1"].value == "period"
    page.get_by_role("link", name="Показания счётчиков").click()  # back at the list, the file is offered there
    expect(page.locator("#meter-head")).to_contain_text("Готов XLSX от")
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"meters-export-list-{width}.png"))


def _digits(text: str) -> str:
    """The text with its numbers' group separators taken out («20 000» → «20000»)."""
    return re.sub(r"(?<=\d)[\s\xa0\u202f](?=\d)", "", text)
