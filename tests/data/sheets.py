"""Well-formed workbooks for the import tests, built here from their parts so no spreadsheet
library decides what kam reads: XLSX and OpenDocument (.ods) with typed cells (text,
numbers, dates), and old Excel (.xls) through xlwt (a test dependency; nothing else writes
that format). Rows are lists of str, int, float, date or None (a blank cell)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from tests.data.hostile.make import _DOC, _MAIN, _PROLOG, _RELS, _zip, column_letters

Cell = str | int | float | date | None

_STYLES = (
    f'{_PROLOG}<styleSheet xmlns="{_MAIN}"><fonts count="1"><font><sz val="11"/></font></fonts>'
    '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs></styleSheet>"
)


def _xlsx_cell(ref: str, value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, date):  # a day number since 1899-12-30, in the date style
        return f'<c r="{ref}" s="1"><v>{(value - date(1899, 12, 30)).days}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'


def xlsx(rows: list[list[Cell]], path: Path) -> Path:
    """An XLSX workbook of one sheet."""
    cells = "".join(
        f'<row r="{r}">'
        + "".join(_xlsx_cell(f"{column_letters(c)}{r}", v) for c, v in enumerate(row, 1))
        + "</row>"
        for r, row in enumerate(rows, start=1)
    )
    types = (
        f'{_PROLOG}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>'
    )
    parts = {
        "[Content_Types].xml": types,
        "_rels/.rels": f'{_PROLOG}<Relationships xmlns="{_RELS}"><Relationship Id="rId1" '
        f'Type="{_DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'{_PROLOG}<workbook xmlns="{_MAIN}" xmlns:r="{_DOC}"><sheets>'
        '<sheet name="Sales" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'{_PROLOG}<Relationships xmlns="{_RELS}">'
        f'<Relationship Id="rId1" Type="{_DOC}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_DOC}/styles" Target="styles.xml"/></Relationships>',
        "xl/styles.xml": _STYLES,
        "xl/worksheets/sheet1.xml": f'{_PROLOG}<worksheet xmlns="{_MAIN}"><sheetData>{cells}'
        "</sheetData></worksheet>",
    }
    path.write_bytes(_zip({name: text.encode() for name, text in parts.items()}))
    return path


_ODF = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)
ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"


def _ods_cell(value: Cell) -> str:
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, date):
        typed = f'office:value-type="date" office:date-value="{value.isoformat()}"'
    elif isinstance(value, int | float):
        typed = f'office:value-type="float" office:value="{value!r}"'
    else:
        typed = 'office:value-type="string"'
    return f"<table:table-cell {typed}><text:p>{escape(str(value))}</text:p></table:table-cell>"


def ods(rows: list[list[Cell]], path: Path, *, doctype: str = "", mimetype: str = "") -> Path:
    """An OpenDocument spreadsheet of one sheet (a DOCTYPE or another mimetype for the
    hostile cases)."""
    body = "".join(
        "<table:table-row>" + "".join(_ods_cell(v) for v in row) + "</table:table-row>"
        for row in rows
    )
    manifest = (
        f'{_PROLOG}<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:'
        'manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
        f'manifest:media-type="{ODS_MIMETYPE}"/><manifest:file-entry '
        'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    content = (
        f'{_PROLOG}{doctype}<office:document-content {_ODF} office:version="1.2"><office:body>'
        f'<office:spreadsheet><table:table table:name="Sales">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    path.write_bytes(
        _zip(
            {
                "mimetype": (mimetype or ODS_MIMETYPE).encode(),
                "META-INF/manifest.xml": manifest.encode(),
                "content.xml": content.encode(),
            }
        )  # fmt: skip
    )
    return path


def xls(rows: list[list[Cell]], path: Path) -> Path:
    """An old Excel (BIFF8) workbook of one sheet, written by xlwt."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sales")
    day = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, date):
                sheet.write(r, c, value, day)
            elif value is not None:
                sheet.write(r, c, value)
    book.save(str(path))
    return path
