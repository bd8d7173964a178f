"""Printing results: aligned plain tables for people, JSON and CSV for scripts, notes on stderr.

Every command prints through `show_list`, `show_record` or `show_written`, so every
`--json` follows one convention:

- a list prints `{"total": N, "rows": [...]}`, `total` being the rows that match before
  any limit; a list may add keys that say what it is (`as_of`, a report's `summary`);
- a record prints the record object itself;
- a write prints the record it wrote (a batch or an import: its report).

`--csv` prints the JSON rows: a header of their keys, nested values as JSON text, and
cells a spreadsheet would run as formulas prefixed with `'`. A list cut short by a limit
says so on stderr.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

from kam.text import for_terminal, terminal_json

if TYPE_CHECKING:
    import pandas as pd


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if hasattr(value, "to_dict"):
        return value.to_dict()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _write(text: str) -> None:
    """Write text to stdout as UTF-8, whatever the locale says stdout's encoding is."""
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "")
    buffer = getattr(sys.stdout, "buffer", None)
    if encoding == "utf8" or buffer is None:
        sys.stdout.write(text)
        return
    sys.stdout.flush()
    buffer.write(text.encode("utf-8"))
    buffer.flush()


def print_json(data: Any) -> None:
    """Write `data` as JSON (UTF-8, not ASCII-escaped) to stdout."""
    text = json.dumps(data, default=_json_default, ensure_ascii=False, indent=2)
    _write(terminal_json(text) + "\n")


def frame_encodable(frame: pd.DataFrame, *, lists: bool = False) -> bool:
    """True when print_json_frame (print_csv_frame) writes `frame` as print_json
    (print_csv) would: numbers, booleans, datetimes and text only (no dates or enums in
    object columns); with `lists`, for JSON, lists of text too (a churn row's reasons)."""
    import pandas as pd

    def plain(value: object) -> bool:
        if value is None or isinstance(value, str):
            return True
        return lists and type(value) is list and all(isinstance(v, str) for v in value)

    for column, dtype in frame.dtypes.items():
        if dtype.kind in "biufM" or isinstance(dtype, pd.StringDtype):
            continue
        if dtype.kind != "O" or not frame[column].map(plain).all():
            return False
    return True


#: Rows of a frame encoded and written at a time by print_json_frame: the text of one
#: such part is held in memory, never the whole report's.
FRAME_ROWS = 20_000


def print_json_frame(context: Mapping[str, Any], frame: pd.DataFrame, *, total: int) -> None:
    """`{**context, "total", "rows"}` as print_json writes it for `show_list`, with the
    frame's rows encoded by pandas (C) one row per line, FRAME_ROWS at a time: a
    200,000-row report in a twentieth of the time of encoding its records one by one, and
    in a few megabytes of text at once. Dates are written as days."""
    head = json.dumps(
        {**context, "total": total}, default=_json_default, ensure_ascii=False, indent=2
    )
    if frame.empty:
        _write(terminal_json(f'{head[:-2]},\n  "rows": []\n}}') + "\n")
        return
    _write(terminal_json(f'{head[:-2]},\n  "rows": ['))
    for start in range(0, len(frame), FRAME_ROWS):
        lines = _json_lines(frame.iloc[start : start + FRAME_ROWS])
        _write(("\n    " if start == 0 else ",\n    ") + terminal_json(lines))
    _write("\n  ]\n}\n")


def _json_lines(frame: pd.DataFrame) -> str:
    """A frame's rows as JSON objects, one per line (joined by ",\\n    "), in print_json's
    style (a "/" written as itself)."""
    frame = frame.copy()
    for column in frame.columns[frame.dtypes.map(lambda t: t.kind == "M")]:
        frame[column] = frame[column].dt.strftime("%Y-%m-%d")
    places = _decimal_places(frame)
    # pandas writes every "/" as "\\/" (valid JSON, not print_json's style); a backslash
    # of the text is written "\\\\", so undoing "\\/" never splits one.
    text = frame.to_json(orient="records", force_ascii=False, double_precision=places)
    body = text[1:-1].replace("\\/", "/")
    # The rows' objects are flat (a list in one holds text alone): outside the text of a
    # cell, "},{" is where one row ends and the next begins. When a cell holds "},{" too,
    # the count says so and pandas splits the lines itself (slower: it reads the text one
    # character at a time).
    if body.count("},{") == len(frame) - 1:
        return body.replace("},{", "},\n    {")
    lines = frame.to_json(orient="records", lines=True, force_ascii=False, double_precision=places)
    # "\n" only: a line separator or C1 control inside a text stays in its cell.
    return ",\n    ".join(lines.replace("\\/", "/").rstrip("\n").split("\n"))


def _decimal_places(frame: pd.DataFrame) -> int:
    """The decimals pandas' writer gives the frame's floats: fifteen significant digits of
    the largest (a float's precision), at least six and at most fifteen places. The writer
    prints as many places as asked, digits past a float's precision included: 1764454.99
    came out as 1764454.989999999990687 at fifteen places, and a sum's 1764454.989999996
    as 1764454.989999996032566; at eight places both read 1764454.99."""
    import math

    floats = frame.select_dtypes("float")
    largest = float(floats.abs().max().max()) if not floats.empty else math.nan
    if not math.isfinite(largest) or largest < 1:
        return 15
    return max(6, 15 - (math.floor(math.log10(largest)) + 1))


def print_json_rows(
    context: Mapping[str, Any], rows: Sequence[Mapping[str, Any]], *, total: int
) -> None:
    """`{**context, "total", "rows"}` as print_json writes it for `show_list`, one row per
    line (as print_json_frame writes a frame's): rows of plain numbers and text, encoded
    without indenting each field."""
    head = json.dumps(
        {**context, "total": total}, default=_json_default, ensure_ascii=False, indent=2
    )
    body = ",\n    ".join(_json_row(row) for row in rows)
    listed = f"[\n    {body}\n  ]" if body else "[]"
    _write(terminal_json(f'{head[:-2]},\n  "rows": {listed}\n}}') + "\n")


def _json_row(row: Mapping[str, Any]) -> str:
    """One row as compact JSON, as json.dumps writes it: text, whole numbers and finite
    floats are written here (an encoder call per row costs ten times as much); anything
    else goes to json.dumps."""
    from json.encoder import encode_basestring  # type: ignore[attr-defined]

    cells = []
    for key, value in row.items():
        kind = type(value)
        if kind is str:
            cell = encode_basestring(value)
        elif kind is int:
            cell = int.__repr__(value)
        elif kind is float and value - value == 0:  # finite
            cell = float.__repr__(value)
        elif value is None:
            cell = "null"
        else:
            cell = json.dumps(
                value, default=_json_default, ensure_ascii=False, separators=(",", ":")
            )
        cells.append(f"{encode_basestring(key)}:{cell}")
    return "{" + ",".join(cells) + "}"


def _csv_cell(value: Any) -> Any:
    from kam.text import csv_safe

    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"  # as in the JSON
    if isinstance(value, int | float):
        return value
    if isinstance(value, list | dict):
        value = json.dumps(value, default=_json_default, ensure_ascii=False)
    elif isinstance(value, datetime | date | Enum):
        value = _json_default(value)
    return csv_safe(for_terminal(str(value), multiline=True))


def print_csv(rows: Sequence[Mapping[str, Any]], keys: Sequence[str] = ()) -> None:
    """Write rows as CSV to stdout: a header of their keys (`keys` if there are no rows)."""
    import csv
    import io

    from kam.text import csv_safe

    header = list(dict.fromkeys(k for row in rows for k in row)) if rows else list(keys)
    if not header:
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([csv_safe(for_terminal(k)) for k in header])
    writer.writerows([_csv_cell(row.get(k)) for k in header] for row in rows)
    _write(buffer.getvalue())


def print_csv_frame(frame: pd.DataFrame) -> None:
    """A frame that `frame_encodable` accepts, written as print_csv writes its records
    (text cleaned and kept from running as a formula, booleans as true/false, datetimes as
    ISO text, missing as empty), by pandas FRAME_ROWS rows at a time."""
    import io

    from kam.text import csv_safe

    def text(value: str) -> Any:
        return csv_safe(for_terminal(value, multiline=True))

    header = [str(csv_safe(for_terminal(str(k)))) for k in frame.columns]
    for start in range(0, max(len(frame), 1), FRAME_ROWS):
        part = frame.iloc[start : start + FRAME_ROWS].copy()
        for column, dtype in part.dtypes.items():
            if dtype.kind == "b":
                part[column] = part[column].map({True: "true", False: "false"})
            elif dtype.kind == "M":
                part[column] = part[column].map(lambda t: t.isoformat(), na_action="ignore")
            elif dtype.kind not in "iuf":
                part[column] = part[column].map(text, na_action="ignore")
        buffer = io.StringIO()
        part.to_csv(
            buffer, index=False, header=header if start == 0 else False, lineterminator="\n"
        )
        _write(buffer.getvalue())


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, list):
        return for_terminal(", ".join(str(v) for v in value).replace("\n", " "))
    return for_terminal(str(value).replace("\n", " "))


def print_table(rows: Iterable[Any], columns: Sequence[tuple[str, str]]) -> None:
    """Print rows (views or dicts) as an aligned table; wide (CJK) characters count double."""
    from rich.cells import cell_len

    def get(row: Any, key: str) -> Any:
        return row.get(key) if isinstance(row, dict) else getattr(row, key)

    cells = [[_cell(get(row, key)) for _, key in columns] for row in rows]
    headers = [title for title, _ in columns]
    widths = [cell_len(h) for h in headers]
    for line in cells:
        widths = [max(w, cell_len(c)) for w, c in zip(widths, line, strict=True)]

    def fmt(line: list[str]) -> str:
        padded = [c + " " * (w - cell_len(c)) for c, w in zip(line, widths, strict=True)]
        return "  ".join(padded).rstrip()

    out = [fmt(headers), fmt(["-" * w for w in widths])]
    out.extend(fmt(line) for line in cells)
    if not cells:
        out.append("(none)")
    sys.stdout.write("\n".join(out) + "\n")


def print_record(record: Mapping[str, Any]) -> None:
    """Print one record as aligned `field: value` lines."""
    width = max((len(k) for k in record), default=0)
    for key, value in record.items():
        sys.stdout.write(f"{for_terminal(key).replace('_', ' '):<{width}}  {_cell(value)}\n")


def info_out(message: str) -> None:
    """A line for people on stdout (what they asked to see), cleaned for the terminal."""
    _write(for_terminal(message, multiline=True) + "\n")


def info(message: str) -> None:
    """A status line for people, on stderr so stdout stays clean for pipes."""
    sys.stderr.write(for_terminal(message, multiline=True) + "\n")


def as_dict(item: Any) -> dict[str, Any]:
    """A view (`to_dict()`) or a mapping as a plain dict."""
    return item.to_dict() if hasattr(item, "to_dict") else dict(item)


def keys_of(view: type) -> list[str]:
    """The JSON keys of a view dataclass's rows: the CSV header of an empty list."""
    assert is_dataclass(view)
    return [f.name for f in fields(view)]


def show_list(
    rows: Sequence[Any],
    columns: Sequence[tuple[str, str]] = (),
    *,
    json_: bool = False,
    csv_: bool = False,
    total: int | None = None,
    context: Mapping[str, Any] | None = None,
    more: str | None = None,
    keys: Sequence[str] = (),
    table: Callable[[], None] | None = None,
) -> None:
    """Print a list: JSON `{**context, "total", "rows"}`, CSV, or a table for people.

    `rows` are views or dicts; `total` counts the matching rows before any limit (default:
    all of `rows`); `more` says how to see the rest when rows were left out, on stderr;
    `keys` heads the CSV of an empty list; `table` prints the list for people when a
    plain table of `columns` is not enough.
    """
    records = [as_dict(row) for row in rows]
    total = len(records) if total is None else total
    if json_:
        print_json({**(context or {}), "total": total, "rows": records})
    elif csv_:
        print_csv(records, keys)
    elif table is not None:
        table()
    else:
        print_table(rows, columns)
    showing(len(records), total, more)


def showing(shown: int, total: int, more: str | None) -> None:
    """Say on stderr when a list left rows out, and how to see them (`more`)."""
    if total > shown:
        info(f"Showing {shown:,} of {total:,}" + (f"; {more}." if more else "."))


def show_record(
    record: Any, *, json_: bool = False, table: Callable[[], None] | None = None
) -> None:
    """Print one record: its JSON object, or `field: value` lines (or `table`) for people."""
    if json_:
        print_json(as_dict(record))
    elif table is not None:
        table()
    else:
        print_record(as_dict(record))


def show_written(record: Any, *, json_: bool, said: str) -> None:
    """After a write: the JSON of what was written, or a sentence for people on stderr."""
    if json_:
        print_json(as_dict(record))
    else:
        info(said)
