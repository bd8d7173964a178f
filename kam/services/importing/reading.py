"""Reading an import file into a frame of text cells: CSV (delimiter detected) or XLSX."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from kam.errors import InvalidData

if TYPE_CHECKING:
    import pyarrow as pa

#: Largest import file accepted, in bytes.
MAX_FILE_BYTES = 512 * 1024 * 1024
#: Largest XLSX file accepted (compressed), and its largest total size unpacked.
MAX_XLSX_BYTES = 50 * 1024 * 1024
MAX_XLSX_UNPACKED = 500 * 1024 * 1024
#: Most data rows read from an XLSX sheet.
MAX_XLSX_ROWS = 200_000


@dataclass(frozen=True)
class Table:
    """An import file's cells, all text, with the file's delimiter when it was CSV."""

    frame: pd.DataFrame
    delimiter: str | None


def normalise_header(name: str) -> str:
    """`Cost of Goods` -> `cost_of_goods`: lower case, runs of non-word characters as `_`."""
    return re.sub(r"[^\w]+", "_", name.strip().lower()).strip("_")


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


def read_table(path: Path, *, max_rows: int | None = None) -> Table:
    """Read CSV (UTF-8 with or without BOM) or XLSX into text cells, refusing oversized files."""
    if not path.is_file():
        raise InvalidData(f"{path}: no such file.")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise InvalidData(f"{path}: {size:,} bytes is over the {MAX_FILE_BYTES:,}-byte limit.")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return Table(_read_xlsx(path, max_rows or MAX_XLSX_ROWS), None)
    if path.suffix.lower() == ".xls":
        raise InvalidData(f"{path}: the old .xls format is not read; save it as .xlsx or CSV.")
    with path.open("rb") as handle:
        head = handle.read(64 * 1024)
    try:
        sample = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the sample's end
            raise InvalidData(
                f"{path}: not UTF-8 text (byte {exc.start}); save the file as UTF-8 CSV."
            ) from exc
        sample = head[: exc.start].decode("utf-8-sig")
    delimiter = sniff_delimiter(sample)
    if max_rows is None:
        fast = _read_csv_arrow(path, sample, delimiter)
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
        raise InvalidData(f"{path}: not UTF-8 text; save the file as UTF-8 CSV.") from exc
    except pd.errors.ParserError as exc:
        raise InvalidData(f"{path}: not a readable CSV file: {str(exc).splitlines()[0]}") from exc
    except pd.errors.EmptyDataError as exc:
        raise InvalidData(f"{path}: the file is empty.") from exc
    return Table(frame, delimiter)


def _read_csv_arrow(path: Path, sample: str, delimiter: str) -> pd.DataFrame | None:
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
    try:
        header = next(csv.reader(io.StringIO(sample), delimiter=delimiter))
    except (csv.Error, StopIteration):
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


def _read_xlsx(path: Path, max_rows: int) -> pd.DataFrame:
    """The first sheet of an XLSX file, with zip-bomb and row limits (defusedxml guards XML)."""

    if path.stat().st_size > MAX_XLSX_BYTES:
        raise InvalidData(f"{path}: XLSX files over {MAX_XLSX_BYTES // 2**20} MiB are refused.")
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise InvalidData(f"{path}: not a valid XLSX file.") from exc
    if unpacked > MAX_XLSX_UNPACKED:
        raise InvalidData(
            f"{path}: unpacks to {unpacked:,} bytes, over the {MAX_XLSX_UNPACKED:,}-byte limit."
        )
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise InvalidData(f"{path}: the first sheet is empty.")
        data = []
        for count, row in enumerate(rows, start=1):
            if count > max_rows:
                raise InvalidData(
                    f"{path}: more than {max_rows:,} rows; split the file or use CSV."
                )
            data.append(["" if v is None else str(v) for v in row])
    finally:
        workbook.close()
    columns = ["" if h is None else str(h) for h in header]
    width = len(columns)
    return pd.DataFrame([r[:width] + [""] * (width - len(r)) for r in data], columns=columns)
