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

import hashlib
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from kam.errors import InvalidData, RuleError
from kam.rules.permissions import Action, require
from kam.services.importing.checks import (
    check_categories,
    check_costs,
    check_customers,
    check_sales,
)
from kam.services.importing.contacts import check_contacts, write_contacts
from kam.services.importing.customers import write_customers
from kam.services.importing.names import clean_name, listed, normalise_header, one_line
from kam.services.importing.reading import read_table
from kam.services.importing.report import (
    COLUMNS,
    ImportRefused,
    ImportReport,
    Progress,
)
from kam.services.importing.writing import (
    write_categories,
    write_costs,
    write_rejects,
    write_sales,
)

if TYPE_CHECKING:
    from sqlmodel import Session

    from kam.identity import Actor
    from kam.services.audit import Entry


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
    blank_clears: bool = False,
    progress: Progress | None = None,
    encoding: str | None = None,
    name: str | None = None,
) -> ImportReport:
    """Validate every row of `path`, then write all of it (or, with skip_invalid, the valid
    rows). Customers and contacts: only the columns the file has change known ones, and a
    blank cell changes nothing unless `blank_clears` (customers). `encoding`: a CSV's, when
    not UTF-8; `name`: the file as reports and messages name it (default: its name)."""
    from kam.services import audit
    from kam.services.exports import EXPORT_ONLY

    if kind in EXPORT_ONLY:
        raise RuleError(
            f"{kind} are export-only: programme membership changes through nomination, "
            "admission and retirement (kam account nominate|admit|reject|retire), never "
            "through a file."
        )
    require(actor, Action.IMPORT)
    if kind not in COLUMNS:
        raise InvalidData(f"Unknown import kind '{kind}'; use one of: {', '.join(COLUMNS)}.")
    if skip_invalid and rejects is None:
        raise InvalidData("--skip-invalid needs --rejects FILE, so no rejected row is lost.")
    if blank_clears and kind != "customers":
        raise InvalidData("--blank-clears is for customers; sales and cost lines are only added.")
    started = time.perf_counter()
    table = read_table(path, encoding=encoding, label=name)
    report = ImportReport(kind=kind, file=clean_name(name or path.name), dry_run=dry_run)
    with path.open("rb") as handle:
        report.sha256 = hashlib.file_digest(handle, "sha256").hexdigest()
    frame = _rename(table.frame, kind, mapping or {}, report)
    report.rows_read = len(frame)
    mark = decimal or ("," if table.delimiter == ";" else ".")
    if progress:
        progress("validating", 0, len(frame))
    if kind == "customers":
        checked = check_customers(session, frame, mark, date_order, blank_clears=blank_clears)
    elif kind == "categories":
        checked = check_categories(session, frame)
    elif kind == "contacts":
        checked = check_contacts(session, frame, mark)
    else:
        checked = (check_sales if kind == "transactions" else check_costs)(
            session, frame, mark, date_order
        )
    bad_rows = sorted({e.row for e in checked.errors})
    report.errors = sorted(checked.errors, key=lambda e: (e.row, e.column))
    report.rejected = len(bad_rows)
    if bad_rows and not skip_invalid:
        raise ImportRefused(report.file, report.errors, len(frame))
    values = checked.values
    if bad_rows:
        valid = ~frame.index.isin([r - 2 for r in bad_rows])
        values = {k: v[valid] for k, v in values.items()}
    entries: list[Entry] = []
    if kind == "customers":
        entries = write_customers(session, values, report, progress, blank_clears=blank_clears)
    elif kind == "categories":
        entries = write_categories(session, values, report)
    elif kind == "contacts":
        write_contacts(session, actor, values, report)
    else:
        (write_sales if kind == "transactions" else write_costs)(session, values, report, progress)
    if rejects is not None and bad_rows:
        write_rejects(rejects, table.frame, report.errors)
    report.seconds = round(time.perf_counter() - started, 3)
    summary = {k: v for k, v in report.to_dict().items() if k not in ("errors", "seconds")}
    entries.append(
        audit.Entry("import", None, None, kind, new=json.dumps(summary, ensure_ascii=False))
    )
    audit.record_many(session, actor, entries)
    return report


def _rename(
    frame: pd.DataFrame, kind: str, mapping: dict[str, str], report: ImportReport
) -> pd.DataFrame:
    """Match headers to documented fields case-insensitively, after --map renames. Names
    from the file are cleaned before they are kept (ignored columns) or shown."""
    known = {c.name for c in COLUMNS[kind]}
    renames = {normalise_header(k): normalise_header(v) for k, v in mapping.items()}
    for target in renames.values():
        if target not in known:
            raise InvalidData(
                f"--map names '{clean_name(target)}', which is not a {kind} field; "
                f"fields: {', '.join(sorted(known))}."
            )
    sources: dict[str, list[str]] = {}
    for original in frame.columns:
        name = normalise_header(one_line(str(original)))
        name = renames.get(name, name)
        if name in known:
            sources.setdefault(name, []).append(original)
        elif name:
            report.ignored_columns.append(clean_name(original))
    doubled = [
        f"{field} ({' and '.join(clean_name(s) for s in found)})"
        for field, found in sources.items()
        if len(found) > 1
    ]
    if doubled:
        raise InvalidData(
            f"{report.file}: two columns mean the same field: {listed(doubled, width=200)}; "
            "drop one or change --map."
        )
    missing = [c.name for c in COLUMNS[kind] if c.required and c.name not in sources]
    if missing:
        found = listed(frame.columns, 10) or "none"
        raise InvalidData(
            f"{report.file}: the {kind} file has no {', '.join(missing)} column "
            f"(found: {found}); rename with --map SOURCE=FIELD."
        )
    columns = {found[0]: field for field, found in sources.items()}
    out = frame[list(columns)].rename(columns=columns)
    out.index = pd.RangeIndex(len(out))
    return out
