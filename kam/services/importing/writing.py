"""Writing checked import rows: lines in bulk through db.bulk, customers through the ORM."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from db.bulk import CHUNK, date_cells, insert_lines, insert_rows
from kam.errors import InvalidData
from kam.services.importing.report import ImportReport, Progress, RowError
from kam.text import csv_safe

if TYPE_CHECKING:
    from sqlmodel import Session


def _text_cells(values: pd.Series) -> pd.Series:
    """A text column, numbered by position (db.bulk turns it into strings, NaN into None)."""
    return values.reset_index(drop=True)


def _number_cells(values: pd.Series | np.ndarray) -> np.ndarray:
    return pd.Series(values).astype(float).to_numpy()


def _insert(
    session: Session,
    table: str,
    columns: dict[str, np.ndarray | pd.Series],
    report: ImportReport,
    progress: Progress | None,
) -> None:
    total = len(next(iter(columns.values()))) if columns else 0
    report.written = insert_lines(session, table, columns, progress)
    report.unchanged = total - report.written


def write_sales(
    session: Session, values: dict[str, pd.Series], report: ImportReport, progress: Progress | None
) -> None:
    columns = {
        "customer_id": values["customer_id"].astype("int64").to_numpy(),
        "sold_on": date_cells(session, values["sold_on"]),
        **{c: _number_cells(values[c]) for c in ("revenue", "cost_of_goods", "quantity")},
        **{c: _text_cells(values[c]) for c in ("product", "order_id", "line_key")},
    }
    _insert(session, "sales_line", columns, report, progress)


def write_costs(
    session: Session, values: dict[str, pd.Series], report: ImportReport, progress: Progress | None
) -> None:
    columns = {
        "customer_id": values["customer_id"].astype("int64").to_numpy(),
        "incurred_on": date_cells(session, values["incurred_on"]),
        "category": _text_cells(values["category"]),
        "amount": _number_cells(values["amount"]),
        "note": _text_cells(values["note"]),
        "line_key": _text_cells(values["line_key"]),
    }
    _insert(session, "service_cost", columns, report, progress)


def write_customers(
    session: Session, values: dict[str, pd.Series], report: ImportReport, progress: Progress | None
) -> None:
    """Insert new customers; update known ones (matched by code, else name) where they differ."""
    from sqlmodel import select

    from db.models import Customer, utcnow

    existing = session.exec(select(Customer)).all()
    by_code = {c.code: c for c in existing if c.code}
    by_name = {c.name.lower(): c for c in existing}
    fields = ["name", "code", "industry", "region", "status", "lifecycle_stage", "loyalty_type",
              "estimated_wallet"]  # fmt: skip
    records = pd.DataFrame(values)[fields].astype(object)
    records = records.where(records.notna(), None)
    now = utcnow()
    new: list[dict[str, Any]] = []
    taken_names = set(by_name)
    for done, record in enumerate(records.to_dict("records"), start=1):
        match = by_code.get(record["code"]) if record["code"] else None
        match = match or by_name.get(record["name"].lower())
        if match is None:
            if record["name"].lower() in taken_names:
                raise InvalidData(
                    f"A customer named '{record['name']}' already exists with another code."
                )
            taken_names.add(record["name"].lower())
            new.append({**record, "created_at": now, "updated_at": now})
            continue
        changes = {k: v for k, v in record.items() if v is not None and getattr(match, k) != v}
        if not (record["code"] and match.code == record["code"]):
            changes.pop("name", None)  # matched by name: the name's spelling stays as it is
        if changes:
            for k, v in changes.items():
                setattr(match, k, v)
            match.updated_at = now
            report.updated += 1
        else:
            report.unchanged += 1
        if progress and done % CHUNK == 0:
            progress("writing", done, len(records))
    insert_rows(session, Customer, new)
    session.flush()
    report.written = len(new)


def write_rejects(path: Path, original: pd.DataFrame, errors: list[RowError]) -> None:
    """Every rejected row as it was in the file, with its row number and reasons (CSV, UTF-8)."""
    reasons: dict[int, list[str]] = {}
    for e in errors:
        reasons.setdefault(e.row, []).append(f"{e.column}: {e.problem}")
    rows = original.iloc[[r - 2 for r in sorted(reasons)]].copy()
    rows.insert(0, "row", sorted(reasons))
    rows["reason"] = ["; ".join(reasons[r]) for r in sorted(reasons)]
    rows = rows.map(csv_safe)
    rows.to_csv(path, index=False, encoding="utf-8")
