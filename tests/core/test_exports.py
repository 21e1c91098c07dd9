"""The spreadsheets staff download are written for their reader: a CSV in the reader's language (Russian «;» and a
decimal comma, English «,» and a decimal point, dates alike in each), an XLSX with real numbers and dates."""

from __future__ import annotations

import io
from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal

from openpyxl import load_workbook

from portal.core import csv_stream
from portal.core import exports
from portal.core.i18n import set_locale

PAID = datetime(2026, 2, 28, 21, 5, tzinfo=UTC)  # 1 March 00:05 in the company's zone (UTC+3)
ROWS = [["Сумма", "Дата", "День", "Адрес"], [exports.Money("3540.50"), PAID, date(2026, 3, 9), "=HYPERLINK(1)"]]


def _lines(content: bytes) -> list[str]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    return text[1:].split("\r\n")


def test_a_russian_csv_has_semicolons_a_decimal_comma_and_russian_dates():
    lines = _lines(exports.to_csv(ROWS, exports.dialect("ru")))
    assert lines[0] == "Сумма;Дата;День;Адрес"
    assert lines[1] == "3540,50;01.03.2026 00:05;09.03.2026;'=HYPERLINK(1)"


def test_an_english_csv_has_commas_a_decimal_point_and_iso_dates():
    lines = _lines(exports.to_csv(ROWS, exports.dialect("en")))
    assert lines[0] == "Сумма,Дата,День,Адрес"
    assert lines[1] == "3540.50,2026-03-01 00:05,2026-03-09,'=HYPERLINK(1)"
    # A text with a comma is quoted, so that it stays one cell.
    assert _lines(exports.to_csv([["Киевская, 12", Decimal("-5.00")]], exports.ENGLISH))[0] == '"Киевская, 12",-5.00'


def test_a_month_is_written_as_a_month():
    november = exports.Month.of(date(2026, 11, 17))
    assert _lines(exports.to_csv([[november]], exports.RUSSIAN))[0] == "11.2026"
    assert _lines(exports.to_csv([[november]], exports.ENGLISH))[0] == "2026-11"
    cell = load_workbook(io.BytesIO(exports.to_xlsx([("М", [["Месяц"], [november]])], exports.ENGLISH))).active["A2"]
    assert cell.value == datetime(2026, 11, 1) and cell.number_format == "YYYY-MM"


def test_the_csv_follows_the_language_of_the_request():
    set_locale("en")
    try:
        assert _lines(exports.to_csv(ROWS))[1].startswith("3540.50,2026-03-01")
    finally:
        set_locale("ru")
    assert _lines(exports.to_csv(ROWS))[1].startswith("3540,50;01.03.2026")


async def test_a_streamed_csv_takes_the_language_when_it_is_asked_for():
    async def lines():
        yield ROWS[1]

    set_locale("en")
    try:
        chunks = csv_stream.csv_chunks(ROWS[0], lines())
    finally:
        set_locale("ru")  # the stream is read after the handler has returned
    content = b"".join([chunk async for chunk in chunks])
    assert _lines(content)[1] == "3540.50,2026-03-01 00:05,2026-03-09,'=HYPERLINK(1)"


def test_an_xlsx_holds_numbers_and_dates_with_their_formats():
    for locale, moment_format, day_format in (
        ("ru", "DD.MM.YYYY HH:MM", "DD.MM.YYYY"),
        ("en", "YYYY-MM-DD HH:MM", "YYYY-MM-DD"),
    ):
        content = exports.to_xlsx([("Платежи", [*ROWS, [Decimal("1.234"), None, None, 7]])], exports.dialect(locale))
        sheet = load_workbook(io.BytesIO(content)).active
        amount, moment, day, text = sheet[2]
        assert amount.value == 3540.5 and amount.data_type == "n" and amount.number_format == exports.MONEY_FORMAT
        assert moment.value == datetime(2026, 3, 1, 0, 5) and moment.is_date and moment.number_format == moment_format
        assert day.value == datetime(2026, 3, 9) and day.is_date and day.number_format == day_format
        assert text.value == "'=HYPERLINK(1)"
        reading = sheet["A3"]
        assert reading.value == 1.234 and reading.number_format == "General"  # a number that said nothing
        assert sheet.column_dimensions["B"].width >= len("01.03.2026 00:05")  # not «#####»


async def test_a_workbook_written_a_row_at_a_time_keeps_every_row_and_a_lone_header():
    async def rows():
        for n in range(5):
            yield [n, PAID]

    book = exports.Workbook(exports.RUSSIAN)
    sheet = book.sheet("Заявки")
    sheet.append(["№", "Создана"])
    async for row in rows():
        sheet.append(row)
    book.sheet("Пусто").append(["только заголовок"])
    workbook = load_workbook(io.BytesIO(book.content()))
    lines = list(workbook["Заявки"].iter_rows(values_only=True))
    assert lines[0] == ("№", "Создана") and [line[0] for line in lines[1:]] == [0, 1, 2, 3, 4]
    assert workbook["Заявки"]["B2"].is_date and workbook["Заявки"].column_dimensions["B"].width >= 16
    assert list(workbook["Пусто"].iter_rows(values_only=True)) == [("только заголовок",)]


KINDS = [
    ("Сумма, ₽", exports.Money("3540.50"), "#,##0.00"),
    ("Сумма без копеек, ₽", exports.Money("3540"), "#,##0.00"),
    ("Площадь, м²", exports.Area("54.30"), "#,##0.0#"),
    ("Площадь целая, м²", exports.Area("146.00"), "#,##0.0#"),
    ("Показание", exports.Quantity("12345.670"), "#,##0.000"),
    ("Часы", exports.Quantity("1.5"), "#,##0.0"),
    ("Оценка", exports.Quantity("4.67"), "#,##0.00"),
    ("Собрано, %", exports.Percent("87.5"), "#,##0.0"),
    ("Снижение, %", exports.Percent("0.1500"), "#,##0.0000"),
    ("Лицевых счетов", exports.Count(1234), "#,##0"),
    ("Без сведений", Decimal("54.30"), "General"),
]


def test_a_number_is_formatted_as_what_it_is_not_as_its_type():
    """Every ``Decimal`` of two places was written as money: a premise's 54.30 m², a collection of 87.50 %, a mean
    rating of 4.67 all read «#,##0.00», and a reading of three places was a plain General. Now each number's kind
    gives its format; a plain number is money no more."""
    header, values, formats = zip(*KINDS, strict=True)
    content = exports.to_xlsx([("Виды", [list(header), list(values)])], exports.RUSSIAN)
    sheet = load_workbook(io.BytesIO(content)).active
    for cell, value, number_format in zip(sheet[2], values, formats, strict=True):
        assert cell.data_type == "n" and cell.value == float(value), cell.coordinate
        assert cell.number_format == number_format, (sheet.cell(1, cell.column).value, cell.number_format)
    assert sheet.column_dimensions["E"].width >= len("12 345,670")  # a big reading is not «#####»


def test_a_kind_keeps_its_empty_cells_and_its_csv():
    assert exports.Money.of(None) is None and exports.Count.of(None) is None and exports.Percent.of(None) is None
    row = [exports.Money("5.00"), exports.Area("54.30"), exports.Quantity("12.340"), exports.Count(3), None]
    assert _lines(exports.to_csv([row], exports.RUSSIAN))[0] == "5,00;54,30;12,340;3;"
    assert _lines(exports.to_csv([row], exports.ENGLISH))[0] == "5.00,54.30,12.340,3,"
    assert exports.Money("5.00") == Decimal("5.00") and exports.Count(3) == 3  # still the numbers they were


def test_a_yes_or_no_is_a_word_of_the_csvs_language_and_a_boolean_cell_of_the_xlsx():
    """A yes-or-no (a meeting register's «Совместная») was written 1 / 0 in both: now a CSV says it in its reader's
    words, an XLSX has a real boolean cell (Excel names it in its own language, filters and counts it)."""
    rows = [["Совместная", "Другая"], [True, False]]
    assert _lines(exports.to_csv(rows, exports.RUSSIAN))[1] == "да;нет"
    assert _lines(exports.to_csv(rows, exports.ENGLISH))[1] == "yes,no"
    sheet = load_workbook(io.BytesIO(exports.to_xlsx([("Реестр", rows)], exports.RUSSIAN))).active
    assert [(c.value, c.data_type) for c in sheet[2]] == [(True, "b"), (False, "b")]


def test_an_account_number_stays_text_for_the_spreadsheet_that_opens_it():
    """A personal account's number of digits in a plain CSV cell is read by Excel as a number: «0012…» loses its
    zeros, a long one shows as 1,23E+18 and is rounded past 15 digits. As a ``Code`` the CSV writes it as the text
    formula ="…" (its quotes doubled inside the quoted cell), which Excel and LibreOffice open as that text; the XLSX
    holds a text cell in the Text format. A code that is not all digits stays a guarded text."""
    number = "0012345678901234567"
    rows = [["Лицевой счёт", "Сумма"], [exports.Code(number), exports.Money("10.00")], [exports.Code("=1+1"), None]]
    assert exports.to_csv(rows, exports.RUSSIAN) == (
        '\ufeffЛицевой счёт;Сумма\r\n"=""0012345678901234567""";10,00\r\n\'=1+1;\r\n'
    ).encode("utf-8")
    assert exports.to_csv(rows[:2], exports.ENGLISH).endswith(b'"=""0012345678901234567""",10.00\r\n')
    sheet = load_workbook(io.BytesIO(exports.to_xlsx([("Счета", rows)], exports.RUSSIAN))).active
    assert sheet["A2"].value == number and sheet["A2"].data_type == "s" and sheet["A2"].number_format == "@"
    assert sheet["A3"].value == "'=1+1"


def test_a_control_character_in_a_text_is_left_out_not_failing_the_export():
    """A control character pasted into a text (an address) is no XML: openpyxl refused it and the whole export
    failed; it is left out of the cell."""
    content = exports.to_xlsx([("Адреса", [["Адрес"], ["ул.\x0bЛенина"]])], exports.RUSSIAN)
    assert load_workbook(io.BytesIO(content)).active["A2"].value == "ул.Ленина"
