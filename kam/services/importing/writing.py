"""Writing checked sales and cost lines in bulk through db.bulk (customers: customers.py),
and the rejects file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from db.bulk import insert_lines, insert_rows
from kam.services.importing.names import one_line
from kam.services.importing.report import ImportReport, Progress, RowError
from kam.text import csv_safe

if TYPE_CHECKING:
    from sqlmodel import Session

    from kam.services.audit import Entry


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
        "sold_on": values["sold_on"].to_numpy(),
        **{c: _number_cells(values[c]) for c in ("revenue", "cost_of_goods", "quantity")},
        **{c: _text_cells(values[c]) for c in ("product", "order_id", "line_key")},
    }
    _insert(session, "sales_line", columns, report, progress)


def write_costs(
    session: Session, values: dict[str, pd.Series], report: ImportReport, progress: Progress | None
) -> None:
    columns = {
        "customer_id": values["customer_id"].astype("int64").to_numpy(),
        "incurred_on": values["incurred_on"].to_numpy(),
        "category": _text_cells(values["category"]),
        "amount": _number_cells(values["amount"]),
        "note": _text_cells(values["note"]),
        "line_key": _text_cells(values["line_key"]),
    }
    _insert(session, "service_cost", columns, report, progress)


def write_categories(
    session: Session, values: dict[str, pd.Series], report: ImportReport
) -> list[Entry]:
    """Map each product to its category: new products are added, known ones change where
    the file says otherwise (products the file does not name keep theirs). Returns one audit
    entry per changed product."""
    from sqlalchemy import bindparam, update
    from sqlmodel import select

    from db.models import ProductCategory
    from kam.services.audit import Entry

    stored = dict(session.exec(select(ProductCategory.product, ProductCategory.category)).all())
    pairs = zip(values["product"].tolist(), values["category"].tolist(), strict=True)
    new, changed = [], []
    for product, category in pairs:
        if product not in stored:
            new.append({"product": product, "category": category})
        elif stored[product] != category:
            changed.append((product, category))
    insert_rows(session, ProductCategory, new)
    if changed:
        table = ProductCategory.__table__  # type: ignore[attr-defined]
        statement = (
            update(table)
            .where(table.c.product == bindparam("_product"))
            .values(category=bindparam("_category"))
        )
        session.execute(statement, [{"_product": p, "_category": c} for p, c in changed])
    report.written, report.updated = len(new), len(changed)
    report.unchanged = len(values["product"]) - len(new) - len(changed)
    return [Entry("product_category", None, None, p, stored[p], c) for p, c in changed]


def write_rejects(path: Path, original: pd.DataFrame, errors: list[RowError]) -> None:
    """Every rejected row as it was in the file, with its row number and reasons (CSV, UTF-8)."""
    reasons: dict[int, list[str]] = {}
    for e in errors:
        reasons.setdefault(e.row, []).append(one_line(f"{e.column}: {e.problem}"))
    rows = original.iloc[[r - 2 for r in sorted(reasons)]].copy()
    rows.insert(0, "row", sorted(reasons))
    rows["reason"] = ["; ".join(reasons[r]) for r in sorted(reasons)]
    rows = rows.map(csv_safe)
    rows.to_csv(path, index=False, encoding="utf-8")
