"""Bulk writes and reads for imports: the only dialect-specific code kam has.

SQLite: multi-row INSERT ... ON CONFLICT DO NOTHING with a large page cache, rebuilding
plain indexes once after a big import into a small table. PostgreSQL: COPY into a
temporary table, then one INSERT ... SELECT ... ON CONFLICT DO NOTHING. Rows come as
columns (numpy arrays or pandas Series), never as ORM objects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from sqlmodel import Session, SQLModel

Progress = Callable[[str, int, int], None]
"""progress(stage, done, total): called as rows are written."""

#: Rows converted to Python values at a time.
CHUNK = 50_000


def is_sqlite(session: Session) -> bool:
    """Whether the session talks to SQLite."""
    return session.get_bind().dialect.name == "sqlite"


def customer_keys(session: Session) -> list[tuple[int, str, str | None]]:
    """(id, name, code) of every customer, as plain tuples (50,000 rows in about 30 ms)."""
    cursor = session.connection().connection.cursor()
    try:
        return [tuple(r) for r in cursor.execute("SELECT id, name, code FROM customer").fetchall()]
    finally:
        cursor.close()


def customer_table(session: Session, columns: Sequence[str]) -> pd.DataFrame:
    """`id` and the named columns of every customer, as a frame (read with the driver)."""
    from db.models import Customer

    known = set(Customer.model_fields)
    assert all(c in known for c in columns), columns  # names from kam's code, never from data
    cursor = session.connection().connection.cursor()
    try:
        rows = cursor.execute(f"SELECT id, {', '.join(columns)} FROM customer").fetchall()
    finally:
        cursor.close()
    return pd.DataFrame([tuple(r) for r in rows], columns=["id", *columns], dtype=object)


def update_column(
    session: Session,
    model: type[SQLModel],
    column: str,
    changes: list[tuple[int, Any]],
    **same: Any,
) -> None:
    """Set one column on many rows by id, (id, value) pairs, in one executemany; `same`
    sets further columns to one value on each of them (e.g. `updated_at`)."""
    from sqlalchemy import Table, bindparam, update

    table = cast(Table, inspect_table(model))
    statement = (
        update(table)
        .where(table.c.id == bindparam("_id"))
        .values({column: bindparam("_value"), **{k: bindparam(f"_{k}") for k in same}})
    )
    extra = {f"_{k}": v for k, v in same.items()}
    for start in range(0, len(changes), 20_000):
        rows = [{"_id": i, "_value": v, **extra} for i, v in changes[start : start + 20_000]]
        session.execute(statement, rows)


def inspect_table(model: type[SQLModel]) -> Any:
    """The model's Core table (its __table__)."""
    from sqlalchemy import inspect

    return inspect(model).local_table


def insert_rows(session: Session, model: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    """Insert many rows of a table with Core statements (the ORM is kept off bulk paths)."""
    from sqlalchemy import Table, insert

    table = cast(Table, inspect_table(model))
    for start in range(0, len(rows), 20_000):
        session.execute(insert(table), rows[start : start + 20_000])


def date_cells(session: Session, values: pd.Series) -> np.ndarray:
    """Dates as the driver takes them: text on SQLite, `date` objects on PostgreSQL; each
    distinct date is converted once."""
    sqlite = is_sqlite(session)
    codes, distinct = pd.factorize(values)
    if (codes < 0).any():  # a missing date (the database refuses it): convert every cell
        cells = values.dt.strftime("%Y-%m-%d").tolist() if sqlite else [d.date() for d in values]
        return objects(cells)
    if sqlite:
        converted = pd.DatetimeIndex(distinct).strftime("%Y-%m-%d").tolist()
    else:
        converted = [d.date() for d in distinct]
    return objects(converted)[codes]


def objects(items: list[Any]) -> np.ndarray:
    """A 1-D object array of the items, as they are."""
    cells = np.empty(len(items), dtype=object)
    cells[:] = items
    return cells


#: SQLite: rows per INSERT statement (capped by the connection's variable limit).
ROWS_PER_STATEMENT = 500
#: SQLite: page cache while an import writes (KiB); it grows only as far as it is used.
IMPORT_CACHE_KIB = 256 * 1024
#: SQLite: imports of at least this many rows into a table holding no more rows than the
#: import rebuild the table's plain indexes afterwards instead of updating them row by row.
REBUILD_INDEXES_FROM = 50_000


def insert_lines(
    session: Session,
    table: str,
    columns: dict[str, np.ndarray | pd.Series],
    progress: Progress | None = None,
) -> int:
    """Write the rows with the driver, in chunks (no ORM, no per-row tuples); rows whose
    line_key is already stored are skipped. Returns how many rows were written."""
    total = len(next(iter(columns.values()))) if columns else 0
    cursor = session.connection().connection.cursor()
    try:
        insert = _insert_sqlite if is_sqlite(session) else _copy_postgres
        return insert(cursor, table, columns, total, progress)
    finally:
        cursor.close()


def blocks(
    columns: dict[str, np.ndarray | pd.Series], total: int, progress: Progress | None
) -> Iterator[np.ndarray]:
    """CHUNK rows at a time as a 2-D object array of Python values (None for NULL); text
    columns become Python strings a chunk at a time."""
    cells = list(columns.values())
    for start in range(0, total, CHUNK):
        stop = min(start + CHUNK, total)
        block = np.empty((stop - start, len(cells)), dtype=object)
        for j, column in enumerate(cells):
            if isinstance(column, pd.Series):
                block[:, j] = column.iloc[start:stop].to_numpy(dtype=object, na_value=None)
            else:
                block[:, j] = column[start:stop]
        yield block
        if progress:
            progress("writing", stop, total)


def _insert_sqlite(
    cursor: Any,
    table: str,
    columns: dict[str, np.ndarray | pd.Series],
    total: int,
    progress: Progress | None,
) -> int:
    """Multi-row INSERT ... ON CONFLICT DO NOTHING, with a page cache large enough to keep
    the pages being written, the indexes and the customers (foreign keys) in memory. A big
    import into a small table drops the plain indexes first and builds each once at the end
    (in the same transaction, so a failed or rolled-back import leaves them as they were)."""
    import sqlite3

    width = len(columns)
    limit = cursor.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    per = max(1, min(ROWS_PER_STATEMENT, limit // width))
    row = "(" + ", ".join("?" * width) + ")"

    def statement(rows: int) -> str:
        return (
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([row] * rows)} "
            "ON CONFLICT (line_key) DO NOTHING"
        )

    cache = cursor.execute("PRAGMA cache_size").fetchone()[0]
    cursor.execute(f"PRAGMA cache_size = {-IMPORT_CACHE_KIB}")
    rebuilt: list[tuple[str, str]] = []
    written = 0
    try:
        if total >= REBUILD_INDEXES_FROM:
            stored = cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT {total + 1})"
            ).fetchone()[0]
            if stored <= total:
                rebuilt = cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                    "AND sql IS NOT NULL AND upper(sql) NOT LIKE 'CREATE UNIQUE%'",
                    (table,),
                ).fetchall()
                for name, _sql in rebuilt:
                    cursor.execute(f'DROP INDEX "{name}"')
        many = statement(per)
        for block in blocks(columns, total, progress):
            whole = len(block) // per * per
            if whole:
                cursor.executemany(many, block[:whole].reshape(-1, per * width).tolist())
                written += cursor.rowcount
            if whole < len(block):
                cursor.execute(statement(len(block) - whole), block[whole:].ravel().tolist())
                written += cursor.rowcount
    finally:
        try:
            for _name, sql in rebuilt:
                cursor.execute(sql)
        finally:
            cursor.execute(f"PRAGMA cache_size = {int(cache)}")
    return written


def _copy_postgres(
    cursor: Any,
    table: str,
    columns: dict[str, np.ndarray | pd.Series],
    total: int,
    progress: Progress | None,
) -> int:
    """COPY into a temporary table, then one INSERT ... SELECT ... ON CONFLICT DO NOTHING."""
    names = ", ".join(columns)
    staging = f"kam_import_{table}"
    cursor.execute(f"CREATE TEMPORARY TABLE {staging} AS SELECT {names} FROM {table} WITH NO DATA")
    with cursor.copy(f"COPY {staging} ({names}) FROM STDIN") as copy:
        for block in blocks(columns, total, progress):
            for row in block.tolist():
                copy.write_row(row)
    cursor.execute(
        f"INSERT INTO {table} ({names}) SELECT {names} FROM {staging} "
        "ON CONFLICT (line_key) DO NOTHING"
    )
    written = int(cursor.rowcount)
    cursor.execute(f"DROP TABLE {staging}")
    return written
