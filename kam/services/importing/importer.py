"""Validating and writing an import: all or nothing by default, idempotent on re-import.

Natural keys (so importing the same file twice adds nothing twice):
- customers: the `code` when given, else the name (case-insensitive); a known customer
  is updated where the file differs.
- transactions: `order_id` + `line` (the line is numbered by its order of appearance in
  the order when the file has no `line` column); a row without an order id is keyed by
  a hash of its content plus its occurrence number among identical rows.
- costs: a hash of customer, date, category, amount and note, plus occurrence number.

The steps live beside this module: reading (files), parsing (cells), checks (rows),
keys (natural keys), writing (through db.bulk), report (columns, errors, the report).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from kam.errors import InvalidData
from kam.rules.permissions import Action, require
from kam.services.importing.checks import check_costs, check_customers, check_sales
from kam.services.importing.reading import normalise_header, read_table
from kam.services.importing.report import (
    COLUMNS,
    ImportRefused,
    ImportReport,
    Progress,
)
from kam.services.importing.writing import (
    write_costs,
    write_customers,
    write_rejects,
    write_sales,
)

if TYPE_CHECKING:
    from sqlmodel import Session

    from kam.identity import Actor


def run_import(
    session: Session,
    actor: Actor,
    kind: str,
    path: Path,
    *,
    mapping: dict[str, str] | None = None,
    skip_invalid: bool = False,
    rejects: Path | None = None,
    dry_run: bool = False,
    date_order: str | None = None,
    decimal: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Validate every row of `path`, then write all of it (or, with skip_invalid, the valid
    rows)."""
    from kam.services import audit

    require(actor, Action.IMPORT)
    if kind not in COLUMNS:
        raise InvalidData(f"Unknown import kind '{kind}'; use one of: {', '.join(COLUMNS)}.")
    if skip_invalid and rejects is None:
        raise InvalidData("--skip-invalid needs --rejects FILE, so no rejected row is lost.")
    started = time.perf_counter()
    report = ImportReport(kind=kind, file=path.name, dry_run=dry_run)
    table = read_table(path)
    frame = _rename(table.frame, kind, mapping or {}, report)
    report.rows_read = len(frame)
    mark = decimal or ("," if table.delimiter == ";" else ".")
    if progress:
        progress("validating", 0, len(frame))
    checker = {"customers": check_customers, "transactions": check_sales, "costs": check_costs}
    checked = checker[kind](session, frame, mark, date_order)
    bad_rows = sorted({e.row for e in checked.errors})
    report.errors = sorted(checked.errors, key=lambda e: (e.row, e.column))
    report.rejected = len(bad_rows)
    if bad_rows and not skip_invalid:
        raise ImportRefused(path, report.errors, len(frame))
    values = checked.values
    if bad_rows:
        valid = ~frame.index.isin([r - 2 for r in bad_rows])
        values = {k: v[valid] for k, v in values.items()}
    writer = {"customers": write_customers, "transactions": write_sales, "costs": write_costs}
    writer[kind](session, values, report, progress)
    if rejects is not None and bad_rows:
        write_rejects(rejects, table.frame, report.errors)
    report.seconds = round(time.perf_counter() - started, 3)
    audit.record(
        session,
        actor,
        entity="import",
        entity_id=None,
        customer_id=None,
        field=kind,
        new=json.dumps(
            {k: v for k, v in report.to_dict().items() if k not in ("errors", "seconds")},
            ensure_ascii=False,
        ),
    )
    return report


def _rename(
    frame: pd.DataFrame, kind: str, mapping: dict[str, str], report: ImportReport
) -> pd.DataFrame:
    """Match headers to documented fields case-insensitively, after --map renames."""
    known = {c.name for c in COLUMNS[kind]}
    renames = {normalise_header(k): normalise_header(v) for k, v in mapping.items()}
    for target in renames.values():
        if target not in known:
            raise InvalidData(
                f"--map names '{target}', which is not a {kind} field; "
                f"fields: {', '.join(sorted(known))}."
            )
    columns: dict[str, str] = {}
    for original in frame.columns:
        name = normalise_header(str(original))
        name = renames.get(name, name)
        if name in known:
            if name in columns.values():
                raise InvalidData(f"Two columns both mean '{name}'; rename one with --map.")
            columns[original] = name
        else:
            report.ignored_columns.append(str(original))
    missing = [c.name for c in COLUMNS[kind] if c.required and c.name not in columns.values()]
    if missing:
        found = ", ".join(str(c) for c in frame.columns) or "none"
        raise InvalidData(
            f"The {kind} file has no {', '.join(missing)} column (found: {found}); "
            "rename with --map SOURCE=FIELD."
        )
    out = frame[list(columns)].rename(columns=columns)
    out.index = pd.RangeIndex(len(out))
    return out
