"""core.tabular: CSV and XLSX read as a stream, with the limits checked while reading (SECURITY.md, uploads)."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from portal.core import tabular
from portal.core.i18n import set_locale
from portal.core.tabular import Limits
from portal.core.tabular import TableError
from portal.core.tabular import Trouble
from tests.spreadsheets import million_rows
from tests.spreadsheets import row
from tests.spreadsheets import xlsx

LIMITS = Limits(rows=100, columns=8, cell=20, size=1024 * 1024)


def rows(data: bytes, limits: Limits = LIMITS) -> list[list[str]]:
    return list(tabular.read_rows(data, limits))


def refusal(data: bytes, limits: Limits = LIMITS) -> TableError:
    with pytest.raises(TableError) as caught:
        rows(data, limits)
    return caught.value


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("лс;услуга\n1;вода\n".encode(), [["лс", "услуга"], ["1", "вода"]]),
        ("\ufeffлс,услуга\r\n1,вода\r\n".encode(), [["лс", "услуга"], ["1", "вода"]]),
        ("лс;услуга\n1;вода\n".encode("cp1251"), [["лс", "услуга"], ["1", "вода"]]),
        (b'a;b\n"1;2";" x "\n\n', [["a", "b"], ["1;2", "x"], []]),
    ],
    ids=["utf-8 ;", "utf-8 BOM ,", "cp1251", "quotes and an empty line"],
)
def test_csv_in_either_encoding_and_delimiter(data, expected):
    assert rows(data) == expected


def test_a_csv_from_a_dos_or_koi8_system_or_in_capitals_reads_as_russian():
    """A billing system's or a bank's export in DOS (866) or KOI8-R, or in capitals in Windows-1251, was read as
    Windows-1251: names and notes came in as box drawings or other letters (an ЕПД printed them so)."""
    for name, note in (("Иванов Иван", "Площадь 54,30 м2"), ("ИВАНОВ ИВАН", "ПЛОЩАДЬ 54,30")):
        for encoding in ("cp1251", "koi8_r", "cp866"):
            data = f"лс;плательщик;основание\n7700000001;{name};{note}\n".encode(encoding)
            assert rows(data)[1] == ["7700000001", name, note], encoding


def test_an_xlsx_is_read_from_its_first_sheet_as_texts():
    from datetime import date

    book = Workbook()
    book.active.append(["account", "amount", "day", "flag"])
    book.active.append([7700000001, 1764.75, date(2026, 11, 30), True])
    book.active.append([7700000002.0, 10.0, None, None])
    buffer = io.BytesIO()
    book.save(buffer)
    assert rows(buffer.getvalue()) == [
        ["account", "amount", "day", "flag"],
        ["7700000001", "1764.75", "30.11.2026", "1"],
        ["7700000002", "10"],
    ]


def test_the_type_comes_from_the_content_not_the_name():
    assert refusal(b"\x00\x01garbage").trouble is Trouble.NOT_A_TABLE
    assert refusal(b"PK\x03\x04 not really a zip").trouble is Trouble.NOT_A_TABLE
    assert refusal(b"").trouble is Trouble.NOT_A_TABLE


def test_a_forged_dimension_neither_hides_rows_nor_pads_them():
    lines = [row("a", "b"), *(row(str(n), "x") for n in range(5))]
    for dimension in ("A1:B2", "A1:XFD1048576", None):
        found = rows(xlsx(lines, dimension=dimension))
        assert len(found) == 6, dimension
        assert all(len(cells) == 2 for cells in found), dimension


def test_rows_past_the_limit_stop_the_reading_at_that_line():
    csv_data = b"a;b\n" + b"1;2\n" * 101
    error = refusal(csv_data)
    assert (error.trouble, error.line) == (Trouble.TOO_MANY_ROWS, 102)
    assert len(rows(b"a;b\n" + b"1;2\n" * 100)) == 101  # exactly the limit is fine
    # An XLSX whose dimension claims two rows but holds 101 after the header.
    assert refusal(xlsx([row("a"), *(row("1") for _ in range(101))])).trouble is Trouble.TOO_MANY_ROWS


def test_a_gap_in_xlsx_row_numbers_counts_as_lines():
    data = xlsx([row("a", number=1), row("1", number=2), row("2", number=500)], dimension=None)
    assert refusal(data).trouble is Trouble.TOO_MANY_ROWS
    assert rows(data, Limits(rows=500))[-1] == ["2"]


def test_cells_longer_than_the_limit_and_files_larger_than_it_are_refused():
    error = refusal(b"a;b\n1;" + b"x" * 21 + b"\n")
    assert (error.trouble, error.line) == (Trouble.CELL_TOO_LONG, 2)
    assert refusal(xlsx([row("a"), row("y" * 21)])).trouble is Trouble.CELL_TOO_LONG
    assert refusal(b"a;b\n" * 300_000).trouble is Trouble.TOO_LARGE


def test_cells_right_of_the_column_limit_are_not_read():
    assert rows(b";".join([b"c"] * 20) + b"\n") == [["c"] * 8]
    assert rows(xlsx([row(*["c"] * 20)])) == [["c"] * 8]


def test_a_part_that_claims_to_unpack_past_the_limit_is_refused_before_reading():
    bomb = xlsx([row("a")], declared=300 * 1024 * 1024)
    assert refusal(bomb, Limits(rows=10)).trouble is Trouble.TOO_LARGE


def test_a_million_row_xlsx_is_refused_at_the_limit_without_reading_on():
    """The reading stops at the line past the limit: the rest of the million is never parsed (its XML, broken after
    line 110,001, would refuse the file as no table), so the refusal costs no more than the limit's rows."""
    data = million_rows(broken_after=110_000)
    assert len(data) < 1_500_000
    error = refusal(data, Limits(rows=100_000))
    assert (error.trouble, error.line) == (Trouble.TOO_MANY_ROWS, 100_002)


def test_the_message_names_the_line_and_the_limit_in_the_readers_language():
    error = refusal(b"a\n" + b"1\n" * 101)
    set_locale("ru")
    assert error.message() == "Строка 102: В файле больше 100 строк."
    set_locale("en")
    try:
        assert error.message() == "Line 102: The file has more than 100 rows."
    finally:
        set_locale("ru")


def test_the_header_gives_each_known_columns_position_whatever_the_case_and_order() -> None:
    lines = iter([[" Serial ", "ADDRESS", "note"], ["1", "2", "3"]])
    index, problem = tabular.read_header(lines, ["address"], ["address", "serial", "zone"])
    assert (index, problem) == ({"address": 1, "serial": 0}, "")
    assert next(lines) == ["1", "2", "3"]  # the rows are left to read


def test_an_empty_file_or_a_missing_required_column_is_the_problem_of_the_header() -> None:
    set_locale("en")
    assert tabular.read_header(iter([]), ["address"], ["address"]) == ({}, "The file is empty.")
    index, problem = tabular.read_header(iter([["serial"]]), ["address", "premise"], ["address", "serial"])
    assert index == {} and problem == "Line 1: the columns address, premise are missing."
    set_locale("ru")
    assert tabular.read_header(iter([["serial"]]), ["address"], ["address"])[1] == "Строка 1: нет столбцов address."
