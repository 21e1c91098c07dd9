"""The registry import on both engines, from CSV and from XLSX: a good file, a re-import, a bad row."""

import dataclasses
import io
from pathlib import Path

import pytest

from portal.core import tabular
from portal.core.imports import Checked
from portal.housing import actions
from portal.housing import queries
from portal.housing import registry
from portal.housing.tables import Complex
from portal.housing.tables import Entrance
from portal.housing.tables import House
from portal.housing.tables import Owner
from portal.housing.tables import Ownership
from portal.housing.tables import PersonalAccount
from portal.housing.tables import Premise
from portal.housing.tables import PremiseRiser
from portal.housing.tables import Riser

SAMPLE = Path(__file__).parent / "registry_sample.csv"
TABLES = (Complex, House, Entrance, Riser, Premise, PremiseRiser, Owner, Ownership, PersonalAccount)


def sample_rows() -> list[list[str]]:
    return list(tabular.read_rows(SAMPLE.read_bytes(), registry.LIMITS))


def as_csv(rows: list[list[str]]) -> bytes:
    import csv

    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(rows)
    return out.getvalue().encode("utf-8")


def as_xlsx(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        # Figures go in as numbers, the way a spreadsheet keeps them.
        sheet.append([_typed(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _typed(value: str):
    text = value.replace(",", ".")
    if text.replace(".", "", 1).isdigit() and not value.startswith("0") and len(value) < 9:
        return float(text) if "." in text else int(text)
    return value


FORMATS = {"csv": ("registry.csv", as_csv), "xlsx": ("registry.xlsx", as_xlsx)}


async def counts() -> dict[str, int]:
    return {t._meta.tablename: await t.count() for t in TABLES}


async def stamps() -> list:
    rows = []
    for table in (Complex, House, Premise, Owner, PersonalAccount):
        rows.extend(r["updated_at"] for r in await table.select(table.updated_at).order_by(table.id))
    return rows


async def run_import(filename: str, data: bytes) -> Checked:
    parsed = registry.parse_file(filename, data)
    assert parsed.ok, parsed.problems
    return await actions.import_registry(parsed.rows)


@pytest.mark.parametrize("fmt", FORMATS)
async def test_a_good_file_fills_the_registry(db, fmt):
    name, encode = FORMATS[fmt]
    before = await counts()
    report = await run_import(name, encode(sample_rows()))
    assert report.applied
    after = await counts()
    grown = {k: after[k] - before[k] for k in after}
    assert grown == {
        "complex": 1,
        "house": 1,
        "entrance": 2,
        "riser": 6,
        "premise": 6,
        "premise_riser": 12,
        "owner": 7,
        "ownership": 8,
        "personal_account": 4,
    }
    house = await House.select().where(House.address == "г. Симферополь, ул. Тестовая, д. 1").first()
    flat = await Premise.select().where((Premise.house == house["id"]) & (Premise.number == "2")).first()
    shares = await Ownership.select(Ownership.share_numerator, Ownership.share_denominator).where(
        Ownership.premise == flat["id"]
    )
    assert sorted((s["share_numerator"], s["share_denominator"]) for s in shares) == [(1, 2), (1, 2)]
    account = await PersonalAccount.select().where(PersonalAccount.number == "7700000002").first()
    assert account["premise"] == flat["id"]
    assert queries.area(flat["area"]) == queries.area("54.70")


@pytest.mark.parametrize("fmt", FORMATS)
async def test_a_reimport_of_the_same_file_changes_nothing(db, fmt):
    name, encode = FORMATS[fmt]
    data = encode(sample_rows())
    await run_import(name, data)
    before, stamped = await counts(), await stamps()
    report = await run_import(name, data)
    assert report.changes == 0
    assert await counts() == before
    assert await stamps() == stamped


async def test_a_changed_file_updates_only_what_changed(db):
    rows = sample_rows()
    await run_import("a.csv", as_csv(rows))
    before = await counts()
    rows[1][registry.COLUMNS.index("area")] = "38,45"
    report = await run_import("a.csv", as_csv(rows))
    assert report.updated["premises"] == 1
    assert report.changes == 1
    assert await counts() == before


@pytest.mark.parametrize("fmt", FORMATS)
async def test_a_file_with_a_bad_row_writes_nothing_and_names_the_line(db, fmt):
    name, encode = FORMATS[fmt]
    rows = sample_rows()
    rows[6][registry.COLUMNS.index("area")] = "-5"  # the 7th line of the file
    before = await counts()
    parsed = registry.parse_file(name, encode(rows))
    assert not parsed.ok
    assert parsed.problems[0].startswith("Строка 7:")
    assert "area" in parsed.problems[0]
    assert await counts() == before


async def test_a_row_contradicting_the_database_rolls_back_the_whole_file(db):
    await run_import("a.csv", as_csv(sample_rows()))
    before = await counts()
    rows = sample_rows()
    extra = list(rows[1])
    extra[registry.COLUMNS.index("premise_number")] = "99"
    extra[registry.COLUMNS.index("house_address")] = "г. Симферополь, ул. Новая, д. 5"
    extra[registry.COLUMNS.index("account_number")] = "7700000099"
    taken = list(rows[2])
    taken[registry.COLUMNS.index("house_address")] = "г. Симферополь, ул. Новая, д. 5"
    taken[registry.COLUMNS.index("premise_number")] = "100"
    taken[registry.COLUMNS.index("owner_name")] = "Новый Владелец"
    # account 7700000002 already belongs to flat 2 of the first house
    parsed = registry.parse_lines([rows[0], extra, taken])
    assert parsed.ok, parsed.problems
    report = await actions.import_registry(parsed.rows)
    assert not report.applied
    assert report.problems[0].startswith("Строка 3:")
    assert await counts() == before


async def test_the_preview_reports_the_changes_and_writes_nothing(db):
    parsed = registry.parse_file("a.csv", SAMPLE.read_bytes())
    before = await counts()
    report = await actions.import_registry(parsed.rows, dry_run=True)
    assert report.created["premises"] == 6
    assert not report.applied
    assert await counts() == before


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_file_past_the_row_limit_stops_while_it_is_read(monkeypatch, fmt):
    """The limit holds as the file is streamed (core.tabular), whatever an XLSX says of its own size."""
    monkeypatch.setattr(registry, "LIMITS", dataclasses.replace(registry.LIMITS, rows=10))
    rows = sample_rows()
    many = [rows[0]] + [[*rows[1][:3], "", rows[1][4], str(n), *rows[1][6:]] for n in range(1, 30)]
    name, encode = FORMATS[fmt]
    parsed = registry.parse_file(name, encode(many))
    assert not parsed.ok
    assert parsed.problems == ["Строка 12: В файле больше 10 строк."]


def test_a_person_given_an_organisations_inn_is_refused_as_on_the_owner_form():
    """Ten digits are an organisation's INN: for a «физлицо» row it is a mistake of the INN or of the kind."""
    rows = sample_rows()
    person = list(rows[1])
    person[registry.COLUMNS.index("owner_inn")] = "7707083893"
    organisation = list(rows[7])  # ООО «Ромашка», «юрлицо»
    organisation[registry.COLUMNS.index("owner_inn")] = "7707083893"
    parsed = registry.parse_lines([rows[0], person, organisation])
    assert len(parsed.problems) == 1
    assert parsed.problems[0].startswith("Строка 2:")
    assert "owner_inn" in parsed.problems[0]
