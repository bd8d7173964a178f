"""The hostile import files: the small ones are stored beside this file, the large ones are
built by the test that uses them (`LARGE`). `python -m tests.data.hostile.make` rewrites the
stored ones. Every XLSX is built here from its XML parts, so no spreadsheet library decides
what the hostile files look like.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).parent

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_PROLOG = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def column_letters(number: int) -> str:
    """1 -> A, 27 -> AA: a spreadsheet column's letters."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def sheet_xml(rows: list[list[str]], *, doctype: str = "") -> str:
    """A worksheet of inline-string cells (after an optional DOCTYPE)."""
    cells = "".join(
        f'<row r="{r}">'
        + "".join(
            f'<c r="{column_letters(c)}{r}" t="inlineStr"><is><t>{value}</t></is></c>'
            for c, value in enumerate(row, start=1)
        )
        + "</row>"
        for r, row in enumerate(rows, start=1)
    )
    return (
        f'{_PROLOG}{doctype}<worksheet xmlns="{_MAIN}"><sheetData>{cells}</sheetData></worksheet>'
    )


def xlsx(
    rows: list[list[str]] | None = None,
    *,
    sheet: str | None = None,
    sheet_name: str = "Sheet1",
    without: tuple[str, ...] = (),
) -> bytes:
    """A minimal XLSX: one sheet of `rows` (cells escaped), or the worksheet XML `sheet` as
    given; parts named in `without` left out."""
    parts = {
        "[Content_Types].xml": _TYPES,
        "_rels/.rels": f'{_PROLOG}<Relationships xmlns="{_RELS}"><Relationship Id="rId1" '
        f'Type="{_DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'{_PROLOG}<workbook xmlns="{_MAIN}" xmlns:r="{_DOC}"><sheets>'
        f'<sheet name="{escape(sheet_name, {chr(34): "&quot;"})}" sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": f'{_PROLOG}<Relationships xmlns="{_RELS}">'
        f'<Relationship Id="rId1" Type="{_DOC}/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>",
        "xl/worksheets/sheet1.xml": sheet
        if sheet is not None
        else sheet_xml([[escape(v) for v in row] for row in rows or []]),
    }
    return _zip({name: text.encode("utf-8") for name, text in parts.items() if name not in without})


def _zip(members: dict[str, bytes]) -> bytes:
    """A zip archive of the members, the same bytes on every run (fixed timestamps)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


SALES_HEADER = ["customer", "date", "revenue", "cost_of_goods"]
SALE = ["Acme [/b] Ltd", "2026-01-05", "100", "60"]


def _laughs() -> str:
    """The classic "billion laughs": nine levels of ten references each."""
    entities = ['<!ENTITY lol "lol">']
    previous = "lol"
    for level in range(1, 10):
        name = f"lol{level}"
        entities.append(f'<!ENTITY {name} "{f"&{previous};" * 10}">')
        previous = name
    return f"<!DOCTYPE worksheet [{''.join(entities)}]>"


def _truncated() -> bytes:
    whole = sheet_xml([SALES_HEADER, SALE, SALE])
    return xlsx(sheet=whole[: len(whole) * 2 // 3])


def _ods() -> bytes:
    """An OpenDocument spreadsheet's opening: its `mimetype` member, stored first."""
    return _zip({
        "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
        "content.xml": b'<?xml version="1.0"?><office:document-content/>',
    })  # fmt: skip


#: Stored cases: file name -> its bytes.
SMALL: dict[str, Callable[[], bytes]] = {
    "xxe.xlsx": lambda: xlsx(
        sheet=sheet_xml(
            [SALES_HEADER, ["&xxe;", "2026-01-05", "100", "60"]],
            doctype='<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        )
    ),
    "billion_laughs.xlsx": lambda: xlsx(
        sheet=sheet_xml([SALES_HEADER, ["&lol9;", "2026-01-05", "100", "60"]], doctype=_laughs())
    ),
    "no_workbook.xlsx": lambda: xlsx([SALES_HEADER, SALE], without=("xl/workbook.xml",)),
    "truncated_sheet.xlsx": _truncated,
    "not_a_zip.xlsx": lambda: b"customer,date,revenue,cost_of_goods\n",
    "sheet_name_hostile.xlsx": lambda: xlsx([], sheet_name="Q3\u202e\u009b31m\u0085 plan"),
    "header_hostile.xlsx": lambda: xlsx([["customer", "\u009b2J\u202eevil\u2066"], ["x", "y"]]),
    "spreadsheet.ods": _ods,
    "old_excel.xls": lambda: bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504),
    "xls_named_csv.csv": lambda: bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504),
    "header_escape.csv": lambda: b"customer,\x1b]0;pwned\x07X\nAcme [/b] Ltd,1\n",
    "header_c1_bidi.csv": lambda: (
        'customer,\u202eetad\u202c,\u009b2Jrevenue_x,"multi\nline\u2028name"\nAcme,1,2,3\n'
    ).encode(),
    "duplicate_header.csv": lambda: (
        b"customer,date,revenue,cost_of_goods,Customer \nAcme [/b] Ltd,2026-01-05,100,60,Other\n"
    ),
    "same_field_twice.csv": lambda: (
        b"Kunde,customer,date,revenue,cost_of_goods\n"
        b"Acme [/b] Ltd,Acme [/b] Ltd,2026-01-05,100,60\n"
    ),
    "long_order_id.csv": lambda: (
        b"customer,date,revenue,cost_of_goods,order_id\n"
        b"Acme [/b] Ltd,2026-01-05,100,60," + b"X" * 101 + b"\n"
    ),
    "cells_escape.csv": lambda: (
        "customer,date,revenue,cost_of_goods\n"
        "\u202eEvil\x1b]0;pwned\x07,2026-01-05\x1b[2J,\u009b1x,60\n"
    ).encode(),
    "not_utf8.csv": lambda: (
        "customer,date,revenue,cost_of_goods\nCaf\u00e9,2026-01-05,1,1\n".encode("latin-1")
    ),
    "empty.csv": lambda: b"",
    "unclosed_quote.csv": lambda: b'customer,date,revenue,cost_of_goods\n"Acme,2026-01-05,1,1\n',
}


def zip_bomb(path: Path) -> None:
    """An XLSX whose sheet unpacks to 600 MiB of spaces (under 1 MiB packed)."""
    small = zipfile.ZipFile(io.BytesIO(xlsx([SALES_HEADER])))
    chunk = b" " * 2**20
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in small.namelist():
            if name != "xl/worksheets/sheet1.xml":
                archive.writestr(name, small.read(name))
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            for _ in range(600):
                member.write(chunk)


def main() -> None:
    for name, build in SMALL.items():
        (HERE / name).write_bytes(build())


if __name__ == "__main__":
    main()
