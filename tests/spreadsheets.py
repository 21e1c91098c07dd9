"""XLSX files written by hand for the tests of uploads: forged dimensions, gaps in row numbers, a million rows.

A workbook is a zip of a few XML parts; building it here (instead of with openpyxl) lets a test say exactly what
the sheet's XML holds, and writes a million rows in about a second (the XML is repetitive, so the file is small).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from xml.sax.saxutils import escape

_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Начисления" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>'
)
_SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def row(*cells: str, number: int | None = None) -> bytes:
    """One ``<row>`` of inline strings (``number`` sets its ``r`` attribute)."""
    r = f' r="{number}"' if number is not None else ""
    body = "".join(f'<c t="inlineStr"><is><t>{escape(c)}</t></is></c>' for c in cells)
    return f"<row{r}>{body}</row>".encode()


def xlsx(
    rows: Iterable[bytes], *, dimension: str | None = "A1:E2", shared: Iterable[str] = (), declared: int | None = None
) -> bytes:
    """A workbook whose first sheet holds ``rows`` (XML of ``<row>`` elements) with the ``<dimension>`` given.

    ``declared`` forges the sheet's uncompressed size in the zip directory (a zip bomb claims what it likes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        book.writestr("[Content_Types].xml", _TYPES)
        book.writestr("_rels/.rels", _RELS)
        book.writestr("xl/workbook.xml", _WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        strings = "".join(f"<si><t>{escape(s)}</t></si>" for s in shared)
        book.writestr(
            "xl/sharedStrings.xml", f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_SHEET_NS}">{strings}</sst>'
        )
        with book.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_SHEET_NS}">'.encode())
            if dimension:
                sheet.write(f'<dimension ref="{dimension}"/>'.encode())
            sheet.write(b"<sheetData>")
            for part in rows:
                sheet.write(part)
            sheet.write(b"</sheetData></worksheet>")
    data = buffer.getvalue()
    if declared is not None:
        data = _forge_size(data, "xl/worksheets/sheet1.xml", declared)
    return data


def _forge_size(data: bytes, name: str, size: int) -> bytes:
    """Rewrite the uncompressed size the zip's central directory states for ``name`` (offset 24 of its entry)."""
    at = data.find(b"PK\x01\x02")
    while at != -1:
        length = int.from_bytes(data[at + 28 : at + 30], "little")
        if data[at + 46 : at + 46 + length] == name.encode():
            return data[: at + 24] + size.to_bytes(4, "little") + data[at + 28 :]
        at = data.find(b"PK\x01\x02", at + 4)
    raise ValueError(name)


def million_rows(dimension: str | None = "A1:E2", broken_after: int | None = None) -> bytes:
    """A charges workbook with a header and 1,000,000 rows of one account and service (about 0.7 MB on disk);
    by default its ``<dimension>`` is forged to claim two rows (which a reader trusting it would believe).

    ``broken_after`` (a multiple of 10,000) breaks the sheet's XML after that many rows: a reader that stops at
    its limit before them refuses the file for its rows, one that reads on finds it broken."""
    header = b"<row>" + b"".join(b'<c t="s"><v>%d</v></c>' % n for n in range(5)) + b"</row>"
    line = b'<row><c t="s"><v>5</v></c><c t="s"><v>6</v></c><c><v>1</v></c><c><v>1</v></c><c><v>1</v></c></row>'
    block = line * 10_000
    blocks: list[bytes] = [block] * 100
    if broken_after is not None:
        blocks.insert(broken_after // 10_000, b"<row><c><v>1</c></row>")
    return xlsx(
        [header, *blocks],
        dimension=dimension,
        shared=["account", "service", "volume", "tariff", "amount", "7700000001", "waste"],
    )
