"""Reading an import file into a frame of text cells: CSV (delimiter detected) or a
workbook's first sheet (XLSX, ODS, old .xls).

The file's shape is checked before its rows are read: its size, its format (by its first
bytes as well as its name), and its header (how many columns, no name twice). After
reading, no cell may be longer than MAX_CELL characters.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from kam.errors import InvalidData
from kam.services.importing.limits import (
    MAX_CELL,
    MAX_FILE_BYTES,
    MAX_HEADER_BYTES,
    MAX_XLSX_ROWS,
    SHOWN,
)
from kam.services.importing.names import check_header, clean_name, indented, one_line
from kam.services.importing.xlsx import FODS, XLSB, read_workbook, reason

if TYPE_CHECKING:
    import pyarrow as pa

#: The first bytes of a zip archive (XLSX, ODS) and of an OLE2 compound file (old .xls).
_ZIP = b"PK\x03\x04"
_OLE2 = bytes.fromhex("d0cf11e0a1b11ae1")
#: How much of a CSV file the delimiter is guessed from.
_SNIFF_BYTES = 64 * 1024


@dataclass(frozen=True)
class Table:
    """An import file's cells, all text, with the file's delimiter when it was CSV."""

    frame: pd.DataFrame
    delimiter: str | None


def file_label(path: Path) -> str:
    """The file as messages name it: the path given, cleaned; a long path loses its start
    (the file's own name stays)."""
    text = one_line(str(path))
    return text if len(text) <= 200 else "…" + text[-199:]


def no_such_file(path: Path, label: str | None = None) -> InvalidData:
    """The refusal of a FILE to read that is not there: its folder (`somefile.csv/x.csv`,
    whose parent is a file or missing) when that is what is missing, else the file (`label`,
    default its path)."""
    if not path.parent.is_dir():
        return InvalidData(f"{file_label(path.parent)}: no such folder.")
    return InvalidData(f"{label or file_label(path)}: no such file.")


def sniff_delimiter(sample: str) -> str:
    """Comma, semicolon or tab: whichever splits the header and first lines consistently."""
    lines = [line for line in sample.splitlines()[:20] if line.strip()]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=",;\t").delimiter
    except csv.Error:
        counts = {d: lines[0].count(d) for d in (",", ";", "\t")}
        return max(counts, key=lambda d: counts[d]) if max(counts.values()) else ","


def read_table(
    path: Path,
    *,
    max_rows: int | None = None,
    encoding: str | None = None,
    label: str | None = None,
) -> Table:
    """Read CSV (UTF-8 with or without BOM, or `encoding`) or a workbook (XLSX, ODS, .xls)
    into text cells, refusing oversized files, other spreadsheet formats, unreadable headers
    and over-long cells. A cell that `kam export` neutralised (`'=...`) reads as it was.
    `label` names the file in messages (default: its path)."""
    label = label or file_label(path)
    if path.is_dir():
        raise InvalidData(f"{label} is a folder; name a file in it.")
    if not path.is_file():
        raise no_such_file(path, label)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise InvalidData(f"{label}: {size:,} bytes is over the {MAX_FILE_BYTES:,}-byte limit.")
    with path.open("rb") as handle:
        head = handle.read(MAX_HEADER_BYTES)
    suffix = path.suffix.lower()
    if suffix == ".fods":
        raise InvalidData(FODS.format(label=label))
    if suffix == ".xlsb":
        raise InvalidData(XLSB.format(label=label))
    rows = max_rows or MAX_XLSX_ROWS
    if suffix == ".xls" or head.startswith(_OLE2):
        table = Table(read_workbook(path, label, rows, zipped=False), None)
    elif suffix in (".xlsx", ".xlsm", ".ods") or head.startswith(_ZIP):
        table = Table(read_workbook(path, label, rows, zipped=True), None)
    elif encoding is not None and not _is_utf8(encoding):
        copy = _as_utf8(path, label, encoding)
        try:
            with copy.open("rb") as handle:
                head = handle.read(MAX_HEADER_BYTES)
            table = _read_csv(copy, label, head, copy.stat().st_size, max_rows)
        finally:
            copy.unlink(missing_ok=True)
    else:
        table = _read_csv(path, label, head, size, max_rows)
    check_cells(label, table.frame)
    _restore_neutralised(table.frame)
    return table


def _is_utf8(encoding: str) -> bool:
    import codecs

    return codecs.lookup(encoding).name in ("utf-8", "utf-8-sig")


def _as_utf8(path: Path, label: str, encoding: str) -> Path:
    """A UTF-8 copy of a CSV file in another encoding (a temporary file the caller removes);
    a byte sequence the encoding does not know is refused, naming where it is."""
    import codecs
    import tempfile

    decoder = codecs.getincrementaldecoder(encoding)()
    handle, name = tempfile.mkstemp(prefix="kam-import-", suffix=".csv")
    copy = Path(name)
    done = 0
    try:
        with path.open("rb") as source, open(handle, "w", encoding="utf-8", newline="") as out:
            while chunk := source.read(1 << 20):
                try:
                    out.write(decoder.decode(chunk))
                except UnicodeDecodeError as exc:
                    raise InvalidData(
                        f"{label}: not {encoding} text (byte {done + exc.start:,}); "
                        "check --encoding."
                    ) from exc
                done += len(chunk)
            out.write(decoder.decode(b"", final=True))
    except BaseException:
        copy.unlink(missing_ok=True)
        raise
    return copy


def _restore_neutralised(frame: pd.DataFrame) -> None:
    """Remove the ' that `kam export` (`kam.text.csv_safe`) put before text a spreadsheet would
    run as a formula, and only that one, in place."""
    from kam.text import csv_unsafe

    for position in range(frame.shape[1]):
        cells = frame.iloc[:, position]
        marked = cells.astype(str).str.startswith("'").to_numpy(dtype=bool)
        if marked.any():
            rows = marked.nonzero()[0]
            restored = [csv_unsafe(str(v)) for v in cells.iloc[rows]]
            frame.iloc[rows, position] = restored


def _read_csv(path: Path, label: str, head: bytes, size: int, max_rows: int | None) -> Table:
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the sample's end
            raise InvalidData(
                f"{label}: not UTF-8 (byte {exc.start}); if it came from Chinese Excel try "
                "--encoding gb18030, else save it as UTF-8 CSV."
            ) from exc
        text = head[: exc.start].decode("utf-8-sig")
    delimiter = sniff_delimiter(text[:_SNIFF_BYTES])
    header = _header(label, text, delimiter, whole=len(head) == size)
    if max_rows is None:
        fast = _read_csv_arrow(path, header, delimiter)
        if fast is not None:
            return Table(fast, delimiter)
    try:
        frame = pd.read_csv(
            path,
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            encoding="utf-8-sig",
            skipinitialspace=True,
            nrows=max_rows,
        )
    except UnicodeDecodeError as exc:
        raise InvalidData(
            f"{label}: not UTF-8; if it came from Chinese Excel try --encoding gb18030, else "
            "save it as UTF-8 CSV."
        ) from exc
    except pd.errors.ParserError as exc:
        first = (str(exc).strip().splitlines() or [""])[0]
        raise InvalidData(f"{label}: not a readable CSV file: {clean_name(first, 120)}") from exc
    except pd.errors.EmptyDataError as exc:
        raise InvalidData(f"{label}: the file is empty.") from exc
    return Table(frame, delimiter)


def _header(label: str, text: str, delimiter: str, *, whole: bool) -> list[str]:
    """The header's names, read from the start of the file alone and checked (how many, no
    name twice) before any row is read. `whole`: `text` is the whole file."""
    lines = io.StringIO(text, newline="").readlines()  # CR and LF end lines, nothing else
    reader = csv.reader(lines, delimiter=delimiter, skipinitialspace=True)

    def cut() -> bool:  # the header runs past the end of `text`
        read = lines[: reader.line_num]
        return not whole and len(read) == len(lines) and not read[-1].endswith(("\n", "\r"))

    header: list[str] = []
    try:
        while not header and reader.line_num < len(lines):  # pandas skips blank lines too
            header = next(reader, [])
    except csv.Error as exc:
        if cut():
            raise InvalidData(f"{label}: the first line is too long to be a header.") from exc
        raise InvalidData(f"{label}: the header is not readable CSV ({reason(exc)}).") from exc
    check_header(label, header, complete=not cut())
    return header


def check_cells(label: str, frame: pd.DataFrame) -> None:
    """Refuse the file when any cell, in any column, is longer than MAX_CELL characters:
    nothing that long belongs in an import, and it is never cut silently."""
    found: list[tuple[int, int, int]] = []  # (row, column position, length)
    total = 0
    for position in range(frame.shape[1]):
        lengths = lengths_over(frame.iloc[:, position], MAX_CELL)
        total += len(lengths)
        found += [(int(i) + 2, position, int(n)) for i, n in lengths.iloc[:SHOWN].items()]
    if total:
        found.sort()
        lines = [
            f"row {row}, {clean_name(frame.columns[position])}: {length:,} characters"
            for row, position, length in found[:SHOWN]
        ]
        cells = "1 cell is" if total == 1 else f"{total:,} cells are"
        raise InvalidData(
            f"{label}: {cells} longer than {MAX_CELL:,} characters; nothing was imported.\n"
            + indented(lines, total=total)
        )


def lengths_over(column: pd.Series, limit: int) -> pd.Series:
    """The lengths (in characters) of the cells longer than `limit`, by row label."""
    from kam.services.importing.parsing import arrow_text_dtype

    if isinstance(column.dtype, pd.StringDtype) and column.dtype == arrow_text_dtype():
        import pyarrow as pa
        import pyarrow.compute as pc

        cells = pa.array(column, type=pa.large_string(), from_pandas=True)
        longest = pc.max(pc.binary_length(cells)).as_py()
        if longest is None or longest <= limit:  # bytes >= characters: nothing to count
            return pd.Series([], dtype="int64")
    lengths = column.astype(str).str.len()
    return lengths[lengths > limit]


def _read_csv_arrow(path: Path, header: list[str], delimiter: str) -> pd.DataFrame | None:
    """The common case, read by Arrow's multithreaded CSV reader into Arrow-backed text cells.

    None (read it with pandas' parser) whenever the result might differ from pandas' with
    skipinitialspace: a cell or header that starts with a space or tab, a header that pandas
    would rename (empty or repeated), or anything Arrow refuses (rows of the wrong width,
    blank-looking lines, invalid UTF-8, an empty file).
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    from pyarrow import csv as arrow_csv

    from kam.services.importing.parsing import arrow_text_dtype, text_series

    if arrow_text_dtype() is None:  # pandas' own text cells are not Arrow-backed
        return None
    if (
        not header
        or len(set(header)) < len(header)
        or any(not name or name[0] in " \t" for name in header)
    ):
        return None
    text = pa.large_string()
    try:
        table = arrow_csv.read_csv(
            path,
            read_options=arrow_csv.ReadOptions(use_threads=True),
            parse_options=arrow_csv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=arrow_csv.ConvertOptions(
                column_types={name: text for name in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowException, OSError, ValueError):
        return None
    if table.num_rows == 0 or table.column_names != header:
        return None
    if any(t != text for t in table.schema.types) or _ends_inside_quotes(path, table):
        return None
    for column in table.columns:
        if column.null_count or any(
            pc.any(pc.starts_with(column, blank)).as_py() for blank in (" ", "\t")
        ):
            return None
    index = pd.RangeIndex(table.num_rows)
    columns = zip(header, table.columns, strict=True)
    return pd.DataFrame({name: text_series(column, index) for name, column in columns})


def _ends_inside_quotes(path: Path, table: pa.Table) -> bool:
    """Whether the last cell is a quoted value never closed (Arrow reads it to the end of the
    file; pandas refuses the file)."""
    last = table.column(table.num_columns - 1)[table.num_rows - 1].as_py()
    unclosed = b'"' + last.replace('"', '""').encode("utf-8")
    with path.open("rb") as handle:
        handle.seek(max(0, path.stat().st_size - len(unclosed)))
        return handle.read() == unclosed
