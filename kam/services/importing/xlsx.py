"""Reading the first sheet of a workbook (XLSX, OpenDocument .ods, old Excel .xls), behind
guards that do not depend on the library that parses it.

Before the reader opens the file, its size is checked; a zip archive (XLSX, ODS) is checked
further: its size unpacked and its number of parts, that it is a workbook at all
(`xl/workbook.xml`, or an OpenDocument spreadsheet's `mimetype`; binary .xlsb workbooks are
named as such and refused), and that no XML part declares a DTD (workbooks never do; a DTD
is how entity-expansion bombs and external entities get in). Whatever the reader then raises
on a malformed workbook (cut-short XML, missing parts, a damaged .xls) becomes one sentence
naming the file. The reader itself (python-calamine, in Rust, which expands no entities
either) sits in `_first_sheet` alone.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from kam.errors import InvalidData
from kam.services.importing.limits import (
    MAX_XLSX_BYTES,
    MAX_XLSX_PARTS,
    MAX_XLSX_UNPACKED,
    MAX_XML_PROLOG,
)
from kam.services.importing.names import check_header, clean_name

#: Spreadsheet files kam does not read, and how to get one it reads from them.
FODS = "{label} is a flat OpenDocument spreadsheet (.fods); save it as .ods, .xlsx or CSV."
XLSB = "{label} is an Excel binary workbook (.xlsb); save it as .xlsx or CSV."
#: What each kind of workbook is called in messages.
NAMES = {"xlsx": "XLSX file", "ods": "OpenDocument spreadsheet", "xls": "Excel workbook (.xls)"}
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def reason(error: BaseException) -> str:
    """An exception as a short clause: its type and the first line of its message."""
    text = str(error).strip()
    first = clean_name(text.splitlines()[0], 120) if text else ""
    return f"{type(error).__name__}: {first}" if first else type(error).__name__


def read_workbook(path: Path, label: str, max_rows: int, *, zipped: bool) -> pd.DataFrame:
    """The first sheet as text cells, the first row naming the columns. `zipped`: an XLSX or
    ODS archive (else an old Excel file)."""
    if path.stat().st_size > MAX_XLSX_BYTES:
        raise InvalidData(f"{label}: workbooks over {MAX_XLSX_BYTES // 2**20} MiB are refused.")
    kind = check_archive(path, label) if zipped else "xls"
    try:
        columns, rows = _first_sheet(path, label, max_rows)
    except (InvalidData, MemoryError):
        raise
    except Exception as error:  # whatever the reader raises on a malformed workbook
        raise InvalidData(f"{label}: not a readable {NAMES[kind]} ({reason(error)}).") from error
    frame = pd.DataFrame(dict(enumerate(rows)), columns=range(len(columns)))
    frame.columns = columns  # by position: blank names may repeat
    return frame


def check_archive(path: Path, label: str) -> str:
    """Refuse what is not a plain XLSX or ODS workbook, before any XML parser sees it;
    return which it is ("xlsx" or "ods")."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as error:
        raise InvalidData(
            f"{label}: not a valid XLSX file (an XLSX file is a zip archive; this is not one)."
        ) from error
    except Exception as error:
        raise InvalidData(f"{label}: not a valid XLSX file ({reason(error)}).") from error
    with archive:
        try:
            return _check_members(archive, label)
        except (InvalidData, MemoryError):
            raise
        except Exception as error:  # a damaged, encrypted or oddly packed member
            raise InvalidData(f"{label}: not a readable XLSX file ({reason(error)}).") from error


def _check_members(archive: zipfile.ZipFile, label: str) -> str:
    infos = archive.infolist()
    names = {info.filename for info in infos}
    kind = "xlsx"
    if "mimetype" in names and archive.getinfo("mimetype").file_size < 200:
        mimetype = archive.read("mimetype").strip()
        if mimetype.startswith(b"application/vnd.oasis.opendocument"):
            if mimetype != _ODS_MIMETYPE or "content.xml" not in names:
                raise InvalidData(
                    f"{label}: an OpenDocument file that is not a spreadsheet with content "
                    "(a text or a drawing?); save the sheet as .ods, .xlsx or CSV."
                )
            kind = "ods"
    if kind == "xlsx" and "xl/workbook.bin" in names:
        raise InvalidData(XLSB.format(label=label))
    if kind == "xlsx" and "xl/workbook.xml" not in names:
        raise InvalidData(f"{label}: not an XLSX workbook (a zip archive without xl/workbook.xml).")
    if len(infos) > MAX_XLSX_PARTS:
        raise InvalidData(
            f"{label}: {len(infos):,} parts in the archive, over the {MAX_XLSX_PARTS:,}-part limit."
        )
    unpacked = sum(info.file_size for info in infos)
    if unpacked > MAX_XLSX_UNPACKED:
        raise InvalidData(
            f"{label}: unpacks to {unpacked:,} bytes, over the {MAX_XLSX_UNPACKED:,}-byte limit."
        )
    for info in infos:
        if info.is_dir():
            continue
        with archive.open(info) as member:
            head = member.read(MAX_XML_PROLOG)
        declares = _declares_dtd(head, whole=len(head) < MAX_XML_PROLOG)
        part = clean_name(info.filename)
        if declares is None:
            raise InvalidData(
                f"{label}: {part} has more than {MAX_XML_PROLOG // 1024} KiB before its first "
                "XML element; refused as a possible XML attack."
            )
        if declares:
            raise InvalidData(
                f"{label}: {part} declares a DTD (<!DOCTYPE …>), which workbooks never "
                "have; refused as a possible XML attack (entity expansion, external entities)."
            )
    return kind


def _declares_dtd(head: bytes, *, whole: bool) -> bool | None:
    """Whether an XML document's prolog (declaration, comments, processing instructions)
    holds a DTD or another markup declaration: True or False, or None when `head` ends
    inside the prolog. A part that is not XML at all (an image) answers False: the first
    thing in it is not `<!`."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    text = head.removeprefix(b"\xef\xbb\xbf")
    at = 0
    while True:
        while at < len(text) and text[at : at + 1] in b" \t\r\n":
            at += 1
        if at >= len(text):
            return False if whole else None
        for opening, closing in ((b"<?", b"?>"), (b"<!--", b"-->")):
            if text.startswith(opening, at):
                end = text.find(closing, at + len(opening))
                if end < 0:
                    return False if whole else None
                at = end + len(closing)
                break
        else:
            return text.startswith(b"<!", at)


def _first_sheet(path: Path, label: str, max_rows: int) -> tuple[list[str], list[list[str]]]:
    """The first sheet's header and columns of text, read with python-calamine. Trailing
    columns without a name are dropped; rows are as the sheet numbers them (from row 1)."""
    from python_calamine import CalamineWorkbook

    with path.open("rb") as handle:  # the format is told by the content, not the name
        workbook = CalamineWorkbook.from_filelike(handle)
    try:
        if not workbook.sheet_names:
            raise InvalidData(f"{label}: the workbook has no sheet.")
        sheet = workbook.get_sheet_by_index(0)
        title = clean_name(sheet.name)
        rows = sheet.to_python(skip_empty_area=False, nrows=max_rows + 2)
    finally:
        workbook.close()
    header = [text(v) for v in rows[0]] if rows else []
    width = max((i + 1 for i, name in enumerate(header) if name.strip()), default=0)
    if width == 0:
        raise InvalidData(f"{label}: the first sheet ({title}) has no header row.")
    header = header[:width]
    check_header(label, header)
    if len(rows) - 1 > max_rows:
        raise InvalidData(f"{label}: more than {max_rows:,} rows; split the file or use CSV.")
    columns = [list(c) for c in zip(*rows[1:], strict=True)][:width] if len(rows) > 1 else []
    columns += [[] for _ in range(width - len(columns))]  # a sheet narrower than its header
    return header, [_texts(column, len(rows) - 1) for column in columns]


def _texts(cells: list[object], rows: int) -> list[str]:
    """A column's cells as text, as `text` gives each: a column of text or of numbers at
    once, others cell by cell (each distinct value once: dates repeat)."""
    if not cells:
        return [""] * rows
    kinds = set(map(type, cells))
    if kinds <= {str}:
        return cells  # type: ignore[return-value]
    if kinds <= {str, type(None)}:
        return ["" if c is None else c for c in cells]  # type: ignore[misc]
    if kinds <= {float, type(None)}:
        return _numbers(np.array(cells, dtype=float))
    seen: dict[tuple[type, object], str] = {}
    out = []
    for cell in cells:
        key = (type(cell), cell)  # 1, 1.0 and True are equal keys; their texts differ
        found = seen.get(key)
        if found is None:
            found = seen[key] = text(cell)
        out.append(found)
    return out


def _numbers(values: np.ndarray) -> list[str]:
    """Numbers as `text` writes them (NaN, a blank cell, as empty text), whole ones at once."""
    out = np.full(len(values), "", dtype=object)
    blank = np.isnan(values)
    whole = ~blank & (values == np.floor(values)) & (np.abs(values) < 2**53)
    out[whole] = values[whole].astype(np.int64).astype(str).astype(object)
    rest = ~blank & ~whole
    if rest.any():  # the shortest text that reads back as the same number, as repr() gives
        import pyarrow as pa
        import pyarrow.compute as pc

        out[rest] = pc.cast(pa.array(values[rest]), pa.string()).to_numpy(zero_copy_only=False)
    return out.tolist()  # type: ignore[no-any-return]


def text(value: object) -> str:
    """A cell as text, as the spreadsheet shows it unformatted: empty for a blank cell, a
    whole number without ".0" (an order number 1001 stays 1001), a date as YYYY-MM-DD and a
    date with a time as YYYY-MM-DD HH:MM:SS."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    return str(value)
