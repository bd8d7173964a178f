"""`kam export`: the customer base, its numbers, the people and the programme, as CSV or XLSX
files that `kam import` reads back to the same data.

- Columns are the import's own (`importing.report.COLUMNS`), so an export is an import file;
  accounts, which are export-only, add the programme's columns.
- A customer is named by its code, or by its name when it has none (the import looks codes
  up first); a kam user by login; a contact's manager (`reports_to`) by name.
- Money is rounded to cents (`1200.50`), dates are `YYYY-MM-DD`, other numbers are written as
  they are stored (whole numbers without `.0`).
- Text a spreadsheet would run as a formula starts with `'` (`kam.text.csv_safe`), in CSV and
  XLSX alike; `kam import` removes exactly that `'`.
- CSV is UTF-8 with a BOM (so spreadsheets read it as UTF-8); XLSX is one sheet named after
  the kind, written by xlsxwriter row by row (constant memory), at most as many rows as
  `kam import` reads from a workbook.
- Rows come from the database in id order, in blocks (`db.exports`); nothing is held whole.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from db.exports import KINDS, count_rows, export_rows
from kam.errors import InvalidData
from kam.text import csv_safe

if TYPE_CHECKING:
    from sqlmodel import Session

    from kam.identity import Actor

FORMATS = ("csv", "xlsx")

#: Each kind's columns and how each is written: text, money (cents), number, int, day, flag.
#: The order is the query's in `db.exports` (transactions: `line` comes from the line's key).
#: Money is rounded to cents, dates are days, flags are true/false.
SPECS: dict[str, tuple[tuple[str, str], ...]] = {
    "customers": (
        ("name", "text"), ("code", "text"), ("industry", "text"), ("region", "text"),
        ("status", "text"), ("lifecycle_stage", "text"), ("loyalty_type", "text"),
        ("estimated_wallet", "money"),
    ),
    "transactions": (
        ("customer", "text"), ("date", "day"), ("revenue", "money"), ("cost_of_goods", "money"),
        ("quantity", "number"), ("product", "text"), ("order_id", "text"), ("line", "text"),
    ),
    "costs": (
        ("customer", "text"), ("date", "day"), ("category", "text"), ("amount", "money"),
        ("note", "text"),
    ),
    "contacts": (
        ("customer", "text"), ("name", "text"), ("job_title", "text"), ("email", "text"),
        ("phone", "text"), ("buying_role", "text"), ("communication_style", "text"),
        ("relationship_strength", "int"), ("reports_to", "text"), ("influence", "int"),
        ("stance", "text"), ("owner", "text"), ("cadence_days", "int"),
    ),
    "accounts": (
        ("customer", "text"), ("status", "text"), ("manager", "text"), ("sponsor", "text"),
        ("nominated_on", "day"), ("admitted_on", "day"), ("retired_on", "day"),
        ("next_review_on", "day"), ("reason", "text"), ("admitted_by_override", "flag"),
        ("retention_override", "number"), ("margin_override", "money"), ("version", "int"),
    ),
}  # fmt: skip

#: Kinds that `kam import` does not read back: programme membership changes through
#: nomination, admission and retirement, never through a file.
EXPORT_ONLY = ("accounts",)


@dataclass
class ExportReport:
    """What an export wrote."""

    kind: str
    file: str
    format: str
    rows: int
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return asdict(self)

    def summary(self) -> str:
        """One line for people."""
        return f"{self.kind}: wrote {self.rows:,} rows to {self.file} in {self.seconds:.1f} s."


#: A line that starts as text `csv_safe` may change (a text cell's lines are read together).
_RISKY = re.compile(r"^[=+\-@\t\r']", re.MULTILINE)


def _neutralise(block: list[tuple[Any, ...]], column: int) -> None:
    """Neutralise the text cells of one column of a block of rows, in place. The column's
    cells are searched at once (in C); only a block where some cell may need it is walked."""
    from operator import itemgetter

    cells = "\n".join(map(str, map(itemgetter(column), block)))
    if _RISKY.search(cells) is None:
        return
    for n, row in enumerate(block):
        value = row[column]
        if value and csv_safe(value) != value:
            block[n] = (*row[:column], csv_safe(value), *row[column + 1 :])


def export(
    session: Session, actor: Actor, kind: str, path: Path, *, fmt: str, label: str | None = None
) -> ExportReport:
    """Write every row of `kind` to `path` (anyone may: kam's readers read everything)."""
    from kam.services.importing.limits import MAX_XLSX_ROWS

    if kind not in KINDS:
        raise InvalidData(f"Unknown export kind '{kind}'; use one of: {', '.join(KINDS)}.")
    if fmt not in FORMATS:
        raise InvalidData(f"Unknown format '{fmt}'; use csv or xlsx.")
    started = time.perf_counter()
    if fmt == "xlsx":
        total = count_rows(session, kind)
        if total > MAX_XLSX_ROWS:
            raise InvalidData(
                f"{total:,} {kind} rows are more than the {MAX_XLSX_ROWS:,} a workbook may hold "
                "for `kam import`; export them as CSV (--format csv)."
            )
        written = _write_xlsx(path, kind, export_rows(session, kind))
    else:
        written = _write_csv(session, path, kind)
    seconds = round(time.perf_counter() - started, 3)
    return ExportReport(kind, label or path.name, fmt, written, seconds)


def _write_csv(session: Session, path: Path, kind: str) -> int:
    """Write the CSV: the database gives every cell as the file holds it, but text, which is
    neutralised here where it starts like a formula."""
    import csv

    spec = SPECS[kind]
    texts = [i for i, (_, how) in enumerate(spec) if how == "text"]
    written = 0
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([name for name, _ in spec])
        for block in export_rows(session, kind, text=True):
            for i in texts:
                _neutralise(block, i)
            writer.writerows(block)
            written += len(block)
    return written


def _write_xlsx(path: Path, kind: str, blocks: Iterator[list[tuple[Any, ...]]]) -> int:
    import xlsxwriter  # type: ignore[import-untyped]

    spec = SPECS[kind]
    options = {"constant_memory": True, "strings_to_numbers": False,
               "strings_to_formulas": False, "strings_to_urls": False}  # fmt: skip
    workbook = xlsxwriter.Workbook(str(path), options)
    try:
        sheet = workbook.add_worksheet(kind)
        bold = workbook.add_format({"bold": True})
        money = workbook.add_format({"num_format": "0.00"})
        day = workbook.add_format({"num_format": "yyyy-mm-dd"})
        for column, (name, _) in enumerate(spec):
            sheet.write_string(0, column, name, bold)
        written = 0
        for block in blocks:
            for row in block:
                written += 1
                for column, ((_, how), value) in enumerate(zip(spec, row, strict=True)):
                    if value is None:
                        continue
                    if how == "text":
                        sheet.write_string(written, column, str(csv_safe(value)))
                    elif how == "money":
                        sheet.write_number(written, column, round(float(value), 2) + 0.0, money)
                    elif how in ("number", "int"):
                        sheet.write_number(written, column, value)
                    elif how == "day":
                        sheet.write_datetime(written, column, date.fromisoformat(value), day)
                    else:  # a flag
                        sheet.write_boolean(written, column, bool(value))
    finally:
        workbook.close()
    return written
