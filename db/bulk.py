"""Bulk writes and reads for imports: the only dialect-specific code kam has.

SQLite: multi-row INSERT ... ON CONFLICT DO NOTHING with a large page cache, rebuilding
plain indexes once after a big import into a small table. PostgreSQL: COPY of CSV blocks
(written by Arrow) into a temporary table without constraints, then one INSERT ... SELECT
of the rows not stored yet (an anti-join on line_key); a big import into a small table
COPYs straight into the table under an exclusive lock, building the plain indexes and
foreign keys once at the end. Rows come as columns (numpy arrays or pandas Series), never
as ORM objects.
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


def date_cells(values: np.ndarray | pd.Series) -> np.ndarray:
    """Dates (datetime64) as ISO text (`YYYY-MM-DD`) Python strings for the SQLite driver,
    each distinct date converted once; a missing date is None (the database refuses it)."""
    codes, distinct = pd.factorize(pd.Series(values, copy=False))
    converted = objects([*pd.DatetimeIndex(distinct).strftime("%Y-%m-%d").tolist(), None])
    return converted[codes]  # code -1 (missing) takes the last item, None


def objects(items: list[Any]) -> np.ndarray:
    """A 1-D object array of the items, as they are."""
    cells = np.empty(len(items), dtype=object)
    cells[:] = items
    return cells


#: SQLite: rows per INSERT statement (capped by the connection's variable limit).
ROWS_PER_STATEMENT = 500
#: SQLite: page cache while an import writes (KiB); it grows only as far as it is used.
IMPORT_CACHE_KIB = 256 * 1024
#: Imports of at least this many rows into a table holding no more rows than the import
#: set the table's plain indexes (and, on PostgreSQL, its foreign keys) aside and build
#: them once at the end, instead of updating them row by row; in the same transaction, so
#: a failed or rolled-back import leaves them as they were.
REBUILD_INDEXES_FROM = 50_000
#: PostgreSQL: how long the import waits for the exclusive lock that setting a table's
#: indexes aside takes; past it, the rows are written with the indexes kept up to date.
LOCK_TIMEOUT = "5s"


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


def _big_import_into_small_table(cursor: Any, table: str, total: int) -> bool:
    """Whether the import is big and the table holds no more rows than it (a first load):
    then building indexes once beats updating them for every row."""
    if total < REBUILD_INDEXES_FROM:
        return False
    cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT {total + 1}) AS head")
    return int(cursor.fetchone()[0]) <= total


def _python_cells(column: np.ndarray | pd.Series) -> np.ndarray | pd.Series:
    """A column ready to be cut into Python values chunk by chunk: a text column that
    repeats its values (products, categories) becomes an object array whose cells share one
    Python string per distinct value; others stay as they are (their strings are made a
    chunk at a time)."""
    if column.dtype.kind == "M":
        return date_cells(column)
    if not isinstance(column, pd.Series) or column.dtype.kind in "iuf":
        return column
    sample = column.iloc[:_SAMPLE]
    if sample.nunique(dropna=False) * 4 > len(sample):  # mostly distinct (order ids, keys)
        return column
    codes, distinct = pd.factorize(column, use_na_sentinel=True)
    return objects([*np.asarray(distinct, dtype=object).tolist(), None])[codes]


#: Rows a text column is sampled on to tell whether it repeats its values.
_SAMPLE = 10_000


def blocks(
    columns: dict[str, np.ndarray | pd.Series], total: int, progress: Progress | None
) -> Iterator[np.ndarray]:
    """CHUNK rows at a time as a 2-D object array of Python values (None for NULL); text
    columns become Python strings a chunk at a time."""
    cells = [_python_cells(c) for c in columns.values()]
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

    if not cursor.execute("PRAGMA foreign_keys").fetchone()[0]:
        _check_references(cursor, table, columns)
    cache = cursor.execute("PRAGMA cache_size").fetchone()[0]
    cursor.execute(f"PRAGMA cache_size = {-IMPORT_CACHE_KIB}")
    rebuilt: list[tuple[str, str]] = []
    written = 0
    try:
        if _big_import_into_small_table(cursor, table, total):
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


def _check_references(cursor: Any, table: str, columns: dict[str, np.ndarray | pd.Series]) -> None:
    """SQLite, when this transaction checks no foreign key row by row (a bulk import's,
    db.engine.KEYS_IN_BULK_OPTION): refuse the rows unless every key they refer to exists,
    one query per foreign key over its distinct values. The transaction holds the write
    lock, so no referenced row can go before it commits."""
    import json

    from sqlalchemy.exc import IntegrityError

    for row in cursor.execute(f"PRAGMA foreign_key_list({table})").fetchall():
        parent, child, key = row[2], row[3], row[4] or "rowid"
        if child not in columns:
            continue
        values = pd.unique(pd.Series(columns[child], copy=False).dropna())
        wanted = json.dumps([v.item() if hasattr(v, "item") else v for v in values])
        query = (
            f"SELECT value FROM json_each(?) WHERE value NOT IN (SELECT {key} FROM {parent}) "
            "LIMIT 1"
        )
        missing = cursor.execute(query, (wanted,)).fetchone()
        if missing is not None:
            problem = (
                f"FOREIGN KEY constraint failed: {table}.{child} {missing[0]} is not in {parent}"
            )
            raise IntegrityError(query, None, Exception(problem))


def arrow_table(columns: dict[str, np.ndarray | pd.Series]) -> Any:
    """The columns as one Arrow table: integers and floats as they are, datetime64 as dates,
    anything else as text (Arrow-backed text columns without a copy); a missing cell is
    null."""
    import pyarrow as pa

    arrays = []
    for column in columns.values():
        if column.dtype.kind == "M":
            stamps = pa.array(column, from_pandas=True)
            arrays.append(stamps.cast(pa.date32()))  # whole days: nothing is cut
        elif isinstance(column, np.ndarray) and column.dtype.kind in "iuf":
            arrays.append(pa.array(column))  # NaN stays NaN: the database refuses it
        else:
            arrays.append(pa.array(column, type=pa.large_string(), from_pandas=True))
    return pa.Table.from_arrays(arrays, names=list(columns))


def csv_blocks(rows: Any, progress: Progress | None) -> Iterator[bytes]:
    """An Arrow table's rows, CHUNK at a time, as CSV text for PostgreSQL's COPY (no header;
    a null is an unquoted empty field, an empty text a quoted one), written by Arrow in C++."""
    import io

    from pyarrow import csv as arrow_csv

    options = arrow_csv.WriteOptions(include_header=False, quoting_style="needed")
    total = rows.num_rows
    for start in range(0, total, CHUNK):
        buffer = io.BytesIO()
        arrow_csv.write_csv(rows.slice(start, CHUNK), buffer, options)
        yield buffer.getvalue()
        if progress:
            progress("writing", min(start + CHUNK, total), total)


def _copy_into(cursor: Any, table: str, rows: Any, progress: Progress | None) -> None:
    """COPY an Arrow table's rows into `table`, the CSV blocks sent to the server from a
    thread of their own while the next is written."""
    from psycopg.copy import QueuedLibpqWriter

    copying = f"COPY {table} ({', '.join(rows.column_names)}) FROM STDIN (FORMAT csv)"
    with cursor.copy(copying, writer=QueuedLibpqWriter(cursor)) as copy:
        for block in csv_blocks(rows, progress):
            copy.write(block)


def _copy_postgres(
    cursor: Any,
    table: str,
    columns: dict[str, np.ndarray | pd.Series],
    total: int,
    progress: Progress | None,
) -> int:
    """A big import into a small table: under an exclusive lock, set the table's plain
    indexes and foreign keys aside, COPY the lines not stored yet straight into the table,
    and build the indexes and keys once (all in the import's transaction). Otherwise: COPY
    into a temporary table without constraints or indexes, then one INSERT ... SELECT of
    the lines whose line_key is not stored yet (an anti-join on the unique index)."""
    rows = arrow_table(columns)
    if _big_import_into_small_table(cursor, table, total):
        aside = _set_aside_postgres(cursor, table)
        if aside is not None:
            new = _not_stored(cursor, table, rows)
            _copy_into(cursor, table, new, progress)
            _restore_postgres(cursor, table, aside)
            return int(new.num_rows)
    names = ", ".join(columns)
    staging = f"kam_import_{table}"
    cursor.execute(f"CREATE TEMPORARY TABLE {staging} AS SELECT {names} FROM {table} WITH NO DATA")
    _copy_into(cursor, staging, rows, progress)
    cursor.execute(f"ANALYZE {staging}")
    # Another import may add the same lines meanwhile: they are then skipped as present.
    cursor.execute(
        f"INSERT INTO {table} ({names}) SELECT {names} FROM {staging} AS s "
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} AS t WHERE t.line_key = s.line_key) "
        "ON CONFLICT (line_key) DO NOTHING"
    )
    written = int(cursor.rowcount)
    cursor.execute(f"DROP TABLE {staging}")
    return written


def _not_stored(cursor: Any, table: str, rows: Any) -> Any:
    """The rows whose line_key the table does not hold (read under the exclusive lock, so
    it cannot change before the import commits; the table holds no more rows than the
    import)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    cursor.execute(f"SELECT line_key FROM {table}")
    stored = pa.array([key for (key,) in cursor.fetchall()], type=pa.large_string())
    if len(stored) == 0:
        return rows
    return rows.filter(pc.invert(pc.is_in(rows.column("line_key"), value_set=stored)))


Aside = tuple[list[tuple[str, str]], list[tuple[str, str]]]
"""A table's plain indexes (name, CREATE INDEX statement) and foreign keys (name,
definition), as set aside for a big import."""


def _set_aside_postgres(cursor: Any, table: str) -> Aside | None:
    """Drop the table's plain indexes and foreign keys for the rest of the transaction,
    returning how to build them again; None (nothing dropped) when the login may not alter
    the table or the exclusive lock does not come within LOCK_TIMEOUT."""
    import psycopg

    cursor.execute("SAVEPOINT kam_set_aside")
    try:
        cursor.execute("SELECT current_setting('lock_timeout')")
        timeout = cursor.fetchone()[0]
        cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        cursor.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", (timeout,))
        cursor.execute(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index AS i "
            "JOIN pg_class AS c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = %s::regclass AND NOT i.indisunique AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint AS k WHERE k.conindid = i.indexrelid) "
            "ORDER BY c.relname",
            (table,),
        )
        indexes = [(str(n), str(sql)) for n, sql in cursor.fetchall()]
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
            (table,),
        )
        keys = [(str(n), str(d)) for n, d in cursor.fetchall()]
        for name, _definition in keys:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _sql in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    except (psycopg.errors.InsufficientPrivilege, psycopg.errors.LockNotAvailable):
        cursor.execute("ROLLBACK TO SAVEPOINT kam_set_aside")
        cursor.execute("RELEASE SAVEPOINT kam_set_aside")
        return None
    cursor.execute("RELEASE SAVEPOINT kam_set_aside")
    return indexes, keys


def _restore_postgres(cursor: Any, table: str, aside: Aside) -> None:
    """Build the indexes again and add the foreign keys back (each checked on every row,
    in one pass)."""
    indexes, keys = aside
    for _name, sql in indexes:
        cursor.execute(sql)
    for name, definition in keys:
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
