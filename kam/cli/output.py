"""Printing results: aligned plain tables for people, JSON for scripts, one-line errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if hasattr(value, "to_dict"):
        return value.to_dict()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def print_json(data: Any) -> None:
    """Write `data` as JSON (UTF-8, not ASCII-escaped) to stdout."""
    sys.stdout.write(json.dumps(data, default=_json_default, ensure_ascii=False, indent=2) + "\n")


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
    return str(value).replace("\n", " ")


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


def print_record(record: dict[str, Any]) -> None:
    """Print one record as aligned `field: value` lines."""
    width = max((len(k) for k in record), default=0)
    for key, value in record.items():
        sys.stdout.write(f"{key.replace('_', ' '):<{width}}  {_cell(value)}\n")


def info(message: str) -> None:
    """A status line for people, on stderr so stdout stays clean for pipes."""
    sys.stderr.write(message + "\n")
