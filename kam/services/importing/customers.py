"""Imported customers: which stored customer each row is, and what a re-import changes.

A row is a known customer when its `code` is stored, else when its name is (ignoring case).
A re-import changes only the columns the file has: a column the file lacks is left as it is,
and so is a blank cell, unless --blank-clears makes blank mean "clear" (to the column's
empty value: "" for text, NULL for the code, loyalty type and wallet; `status` and
`lifecycle_stage` always hold one of their words, so a blank one is refused). A new
customer gets the defaults for what the file lacks or leaves blank. Every changed field of
every known customer is audited with its old and new value, in one bulk insert.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from db.enums import CustomerStatus, LifecycleStage, LoyaltyType
from kam.services.importing.names import clean_name
from kam.services.importing.report import ImportReport, Progress, RowError

if TYPE_CHECKING:
    from sqlmodel import Session

    from kam.services.audit import Entry

#: The customer columns an import may set, in the order the audit lists changes.
FIELDS = ("name", "code", "industry", "region", "status", "lifecycle_stage", "loyalty_type",
          "estimated_wallet")  # fmt: skip
#: The vocabularies of the customer columns that hold one word of a list.
VOCABULARIES = {"status": CustomerStatus, "lifecycle_stage": LifecycleStage,
                "loyalty_type": LoyaltyType}  # fmt: skip
#: Each column's empty value, which --blank-clears sets for a blank cell (status and
#: lifecycle_stage have none).
EMPTY: dict[str, Any] = {"code": None, "industry": "", "region": "", "loyalty_type": None,
                         "estimated_wallet": None}  # fmt: skip
#: What a new customer gets for a column the file lacks or leaves blank (the schema's defaults).
DEFAULTS: dict[str, Any] = {**EMPTY, "status": CustomerStatus.ACTIVE.value,
                            "lifecycle_stage": LifecycleStage.PURCHASE.value}  # fmt: skip


def stored_customers(session: Session) -> pd.DataFrame:
    """Every stored customer's id and importable columns, indexed by id."""
    from db.bulk import customer_table

    return customer_table(session, FIELDS).set_index("id")


def match(
    stored: pd.DataFrame, name: pd.Series, code: pd.Series | None
) -> tuple[pd.Series, pd.Series]:
    """Each row's stored customer id (NaN for a new customer), and whether it was found by
    its code (else by its name, ignoring case)."""
    codes = {c: i for i, c in stored["code"].items() if isinstance(c, str) and c}
    names = {n.lower(): i for i, n in stored["name"].items()}
    by_code = (
        pd.Series(np.nan, index=name.index)
        if code is None
        else code.astype(object).map(codes).astype("float64")
    )
    by_name = name.str.lower().astype(object).map(names).astype("float64")
    return by_code.fillna(by_name), by_code.notna()


def match_errors(
    stored: pd.DataFrame, name: pd.Series, code: pd.Series | None, ids: pd.Series,
    by_code: pd.Series,
) -> list[RowError]:  # fmt: skip
    """Rows that would break the customers' keys: two rows for one customer, and a
    customer found by its code renamed to another customer's name."""
    errors: list[RowError] = []
    found = ids[ids.notna()]
    first_row: dict[float, int] = {}
    for i, customer in found[found.duplicated(keep=False)].items():
        if customer in first_row:
            column = "code" if by_code[i] else "name"
            errors.append(
                RowError(int(i) + 2, column, f"is the same customer as row {first_row[customer]}")
            )
        else:
            first_row[customer] = int(i) + 2
    names = {n.lower(): i for i, n in stored["name"].items()}
    owner = name.str.lower().astype(object).map(names).astype("float64")
    taken = by_code & owner.notna() & (owner != ids)
    for i in name.index[taken.to_numpy()]:
        assert code is not None  # found by code
        errors.append(RowError(int(i) + 2, "name", (
            f"'{clean_name(name[i])}' is another customer's name, but code "
            f"{clean_name(code[i])} is '{clean_name(stored['name'][ids[i]])}'"
        )))  # fmt: skip
    return errors


def write_customers(
    session: Session,
    values: dict[str, pd.Series],
    report: ImportReport,
    progress: Progress | None,
    *,
    blank_clears: bool = False,
) -> list[Entry]:
    """Insert the new customers; change the known ones where the file's columns differ.
    Returns the audit entries of the changes, one per changed field."""
    from db.bulk import insert_rows
    from db.models import Customer, utcnow

    rows = pd.DataFrame(values)
    ids, by_code = rows.pop("id"), rows.pop("by_code").astype(bool)
    known = ids.notna().to_numpy()
    now = utcnow()
    stored = stored_customers(session)
    new = _new_customers(rows[~known])
    insert_rows(session, Customer, [{**r, "created_at": now, "updated_at": now} for r in new])
    changes = _changes(rows[known], ids[known].astype("int64"), by_code[known], stored,
                       blank_clears)  # fmt: skip
    _apply(session, changes, now)
    report.written = len(new)
    report.updated = int(changes["id"].nunique())
    report.unchanged = int(known.sum()) - report.updated
    if progress:
        progress("writing", len(rows), len(rows))
    return _entries(changes)


def _blank(values: pd.Series) -> np.ndarray:
    """Which cells the file left blank ("" text, None word, NaN number)."""
    cells = values.astype(object)
    return np.asarray(cells.isna() | (cells == ""), dtype=bool)


def _new_customers(rows: pd.DataFrame) -> list[dict[str, Any]]:
    """The new customers' records: the file's cells, defaults where absent or blank."""
    records = pd.DataFrame(index=rows.index)
    for field in FIELDS:
        column = rows[field].astype(object) if field in rows else None
        if column is None:
            records[field] = pd.Series(DEFAULTS[field], index=rows.index, dtype=object)
        else:
            records[field] = column.where(~_blank(column), DEFAULTS.get(field))
    records = records.astype(object)
    return list(records.where(records.notna(), None).to_dict("records"))


def _changes(
    rows: pd.DataFrame,
    ids: pd.Series,
    by_code: pd.Series,
    stored: pd.DataFrame,
    blank_clears: bool,
) -> pd.DataFrame:
    """(id, field, old, new) for every field the file changes on a known customer, in file
    order and then field order. The name changes only on a customer found by its code
    (found by name, its spelling stays)."""
    before = stored.loc[ids.to_numpy()]
    found: list[pd.DataFrame] = []
    for order, field in enumerate(FIELDS):
        if field not in rows:
            continue
        cells = rows[field].astype(object).to_numpy()
        blank = _blank(rows[field])
        if field in EMPTY and blank_clears:
            cells = np.where(blank, EMPTY[field], cells)
            considered = np.ones(len(rows), dtype=bool)
        else:
            considered = ~blank
        if field == "name":
            considered &= by_code.to_numpy()
        old = before[field].to_numpy(dtype=object)
        changed = considered & ~_same(old, cells)
        found.append(pd.DataFrame({"row": np.flatnonzero(changed), "order": order,
                                   "id": ids.to_numpy()[changed], "field": field,
                                   "old": old[changed], "new": cells[changed]}))  # fmt: skip
    if not found:
        return pd.DataFrame({"id": [], "field": [], "old": [], "new": []})
    changes = pd.concat(found, ignore_index=True).sort_values(["row", "order"], kind="stable")
    changes = changes[["id", "field", "old", "new"]].astype(object)
    return changes.where(changes.notna(), None)


def _same(old: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Cell by cell: equal, or both empty (None, NaN)."""
    old_missing = pd.isna(old)
    new_missing = pd.isna(new)
    equal = np.asarray(pd.Series(old, dtype=object) == pd.Series(new, dtype=object), dtype=bool)
    return (old_missing & new_missing) | (~old_missing & ~new_missing & equal)


def _apply(session: Session, changes: pd.DataFrame, now: Any) -> None:
    """Write the changes, one executemany per changed field."""
    from db.bulk import update_column
    from db.models import Customer

    for field, group in changes.groupby("field", sort=False):
        pairs = list(zip(group["id"].astype(int).tolist(), group["new"].tolist(), strict=True))
        update_column(session, Customer, str(field), pairs, updated_at=now)


def _entries(changes: pd.DataFrame) -> list[Entry]:
    """One audit entry per changed field, entity and customer being the customer."""
    from kam.services.audit import Entry

    return [
        Entry("customer", customer, customer, field, old, new)
        for customer, field, old, new in zip(
            changes["id"].astype(int).tolist(), changes["field"].tolist(),
            changes["old"].tolist(), changes["new"].tolist(), strict=True,
        )
    ]  # fmt: skip
