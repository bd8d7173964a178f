"""Reading the first sheet of an XLSX workbook, behind guards that do not depend on the
library that parses it.

Before the reader opens the file, the archive itself is checked: its size packed and
unpacked, that it is a workbook at all (`xl/workbook.xml`; OpenDocument and binary
workbooks are named as such), and that no XML part declares a DTD (XLSX never does; a DTD
is how entity-expansion bombs and external entities get in). Whatever the reader then
raises on a malformed workbook (cut-short XML, missing parts) becomes one sentence naming
the file. The reader itself (openpyxl, with defusedxml as a second line) sits in
`_first_sheet` alone.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pandas as pd

from kam.errors import InvalidData
from kam.services.importing.limits import (
    MAX_XLSX_BYTES,
    MAX_XLSX_PARTS,
    MAX_XLSX_UNPACKED,
    MAX_XML_PROLOG,
)
from kam.services.importing.names import check_header, clean_name

#: What other spreadsheet files are, and how to get an XLSX or CSV from them.
ODS = "{label} is an OpenDocument spreadsheet (.ods); save it as .xlsx or CSV."
XLS = "{label} is an old Excel workbook (.xls); save it as .xlsx or CSV."
XLSB = "{label} is an Excel binary workbook (.xlsb); save it as .xlsx or CSV."


def reason(error: BaseException) -> str:
    """An exception as a short clause: its type and the first line of its message."""
    text = str(error).strip()
    first = clean_name(text.splitlines()[0], 120) if text else ""
    return f"{type(error).__name__}: {first}" if first else type(error).__name__


def read_xlsx(path: Path, label: str, max_rows: int) -> pd.DataFrame:
    """The first sheet as text cells, the first row naming the columns."""
    check_archive(path, label)
    try:
        columns, rows = _first_sheet(path, label, max_rows)
    except (InvalidData, MemoryError):
        raise
    except Exception as error:  # whatever the reader raises on a malformed workbook
        raise InvalidData(f"{label}: not a readable XLSX file ({reason(error)}).") from error
    return pd.DataFrame(rows, columns=columns)


def check_archive(path: Path, label: str) -> None:
    """Refuse what is not a plain XLSX workbook, before any XML parser sees it."""
    if path.stat().st_size > MAX_XLSX_BYTES:
        raise InvalidData(f"{label}: XLSX files over {MAX_XLSX_BYTES // 2**20} MiB are refused.")
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
            _check_members(archive, label)
        except (InvalidData, MemoryError):
            raise
        except Exception as error:  # a damaged, encrypted or oddly packed member
            raise InvalidData(f"{label}: not a readable XLSX file ({reason(error)}).") from error


def _check_members(archive: zipfile.ZipFile, label: str) -> None:
    infos = archive.infolist()
    names = {info.filename for info in infos}
    if "mimetype" in names and archive.getinfo("mimetype").file_size < 200:
        if archive.read("mimetype").startswith(b"application/vnd.oasis.opendocument"):
            raise InvalidData(ODS.format(label=label))
    if "xl/workbook.bin" in names:
        raise InvalidData(XLSB.format(label=label))
    if "xl/workbook.xml" not in names:
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
                f"{label}: {part} declares a DTD (<!DOCTYPE …>), which XLSX files never "
                "have; refused as a possible XML attack (entity expansion, external entities)."
            )


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
    """The first sheet's header and rows as text, read with openpyxl (defusedxml installed:
    it refuses DTDs too). Trailing columns without a name are dropped."""
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        if not workbook.worksheets:
            raise InvalidData(f"{label}: the workbook has no sheet.")
        sheet: Any = workbook.worksheets[0]
        title = clean_name(sheet.title)
        rows = sheet.iter_rows(values_only=True)
        first = next(rows, None)
        header = ["" if v is None else str(v) for v in first or ()]
        width = max((i + 1 for i, name in enumerate(header) if name.strip()), default=0)
        if width == 0:
            raise InvalidData(f"{label}: the first sheet ({title}) has no header row.")
        header = header[:width]
        check_header(label, header)
        data: list[list[str]] = []
        for count, row in enumerate(rows, start=1):
            if count > max_rows:
                raise InvalidData(
                    f"{label}: more than {max_rows:,} rows; split the file or use CSV."
                )
            cells = ["" if v is None else str(v) for v in row[:width]]
            data.append(cells + [""] * (width - len(cells)))
    finally:
        workbook.close()
    return header, data
