"""Import of charges: a good file, the same file again (no change), a bad file (by line, nothing written)."""

from datetime import date
from decimal import Decimal as D

import pytest

from portal.billing import actions
from portal.billing import importer
from portal.billing import ledger
from portal.billing.importer import Problem
from portal.billing.tables import Charge
from portal.billing.tables import ImportBatch
from portal.billing.tables import LedgerEntry
from portal.core import tabular
from portal.core.web import Refused
from tests.billing.conftest import EVERY_HOUSE
from tests.billing.conftest import SAMPLE
from tests.billing.conftest import checked

PERIOD = date(2026, 11, 1)


@pytest.fixture
async def accounts(make_account, catalog):
    first = await make_account(number="7700000001", payer="Иванов Иван Иванович")
    second = await make_account(number="7700000002", payer="Петрова Анна Сергеевна", area="38.10")
    return first.account, second.account


async def _import(content: bytes, name: str = "charges.csv") -> importer.ParsedFile:
    return await checked(content, PERIOD, name=name)


async def _apply(parsed: importer.ParsedFile) -> actions.ImportResult:
    return await actions.import_charges(EVERY_HOUSE, parsed, PERIOD)


async def test_a_good_file_is_previewed_then_applied_in_one_go(accounts):
    first, second = accounts
    parsed = await _import(SAMPLE.read_bytes())
    assert parsed.ok, [p.message() for p in parsed.problems]
    assert len(parsed.rows) == 12
    assert parsed.accounts == 2
    assert parsed.total == D("5932.52")
    assert await Charge.count() == 0, "the preview writes nothing"

    result = await _apply(parsed)
    assert result.created and result.charges == 12 and result.accounts == 2
    assert await ledger.balance_of(first) == D("3341.23")
    assert await ledger.balance_of(second) == D("2591.29")
    hot = await Charge.select().where((Charge.account == first) & (Charge.recalculation_kopecks != 0)).first()
    assert hot["recalculation_kopecks"] == -12158
    assert hot["recalculation_reason"].startswith("Перерасчёт")


async def test_the_same_file_applied_again_changes_nothing(accounts):
    first, _ = accounts
    content = SAMPLE.read_bytes()
    await _apply(await _import(content))
    counts = (await Charge.count(), await LedgerEntry.count(), await ImportBatch.count())
    again = await _apply(await _import(content))
    assert not again.created
    assert (await Charge.count(), await LedgerEntry.count(), await ImportBatch.count()) == counts
    # Another file with the same rows (re-exported, so another hash) changes nothing either.
    reexported = await _import(content.replace(b"\n", b"\r\n"))
    assert reexported.ok and reexported.unchanged == 12
    assert not (await _apply(reexported)).created
    assert (await Charge.count(), await LedgerEntry.count()) == counts[:2]
    assert await ledger.balance_of(first) == D("3341.23")


async def test_a_bad_file_reports_each_problem_by_line_and_writes_nothing(accounts):
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("4,200", "4,2x0")  # line 3: bad number
    lines[5] = lines[5].replace("7700000001", "7799999999")  # line 6: unknown account
    lines.append(lines[8])  # line 14: duplicate of line 9
    lines.append("7700000002;gas;1;1;1;0;;norm;")  # line 15: unknown service
    parsed = await _import("\n".join(lines).encode())
    found = [(p.line, p.code) for p in parsed.problems]
    assert (3, Problem.BAD_NUMBER) in found
    assert (6, Problem.UNKNOWN_ACCOUNT) in found
    assert (14, Problem.DUPLICATE) in found
    assert (15, Problem.UNKNOWN_SERVICE) in found
    assert "9" in next(p for p in parsed.problems if p.code is Problem.DUPLICATE).message()
    with pytest.raises(Refused):
        await _apply(parsed)
    assert await Charge.count() == 0
    assert await LedgerEntry.count() == 0
    assert await ImportBatch.count() == 0


async def test_a_row_charged_before_with_other_numbers_is_a_problem(accounts):
    content = SAMPLE.read_bytes()
    await _apply(await _import(content))
    changed = content.replace(b"1764,75", b"1800,00")
    parsed = await _import(changed)
    assert [(p.line, p.code) for p in parsed.problems] == [(2, Problem.CHARGED_BEFORE)]


async def test_an_xlsx_file_is_read_like_the_csv(accounts):
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for line in SAMPLE.read_text(encoding="utf-8").splitlines():
        sheet.append(line.split(";"))
    buffer = io.BytesIO()
    book.save(buffer)
    parsed = await _import(buffer.getvalue(), "charges.xlsx")
    assert parsed.ok and len(parsed.rows) == 12 and parsed.total == D("5932.52")


def test_a_missing_column_is_reported_on_line_1():
    parsed = importer.read_file(b"account;service;volume\n1;maintenance;1\n")
    assert [(p.line, p.code, p.column) for p in parsed.problems] == [
        (1, Problem.MISSING_COLUMN, "tariff"),
        (1, Problem.MISSING_COLUMN, "amount"),
    ]


def test_a_binary_file_is_not_a_table():
    problem = importer.read_file(b"\x00\x01\x02\x03garbage").problems[0]
    assert (problem.code, problem.value) == (Problem.FILE, tabular.Trouble.NOT_A_TABLE)
    assert problem.message() == "Файл не является таблицей CSV или XLSX."
