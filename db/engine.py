"""The engine factory and sessions. Nothing here runs at import time.

SQLite gets WAL, foreign keys and a busy timeout on every connection, and write
sessions open with ``BEGIN IMMEDIATE`` so that a transaction that reads and then writes
waits for the write lock instead of failing with "database is locked".
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from db.folding import SQLITE_FUNCTION, sqlite_lower

if TYPE_CHECKING:
    from sqlmodel import Session

#: Execution option naming how a SQLite transaction begins (DEFERRED or IMMEDIATE).
BEGIN_OPTION = "kam_sqlite_begin"
#: Execution option: SQLite checks no foreign key row by row in this transaction; the bulk
#: writer (db.bulk) checks the keys of what it writes set-based instead.
KEYS_IN_BULK_OPTION = "kam_sqlite_keys_in_bulk"


def _prepare_sqlite_file(path: Path) -> None:
    """Create the database file (and its folder) readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)


def sqlite_on_disk(database: str | None) -> bool:
    """Whether a SQLite URL's database is a file (not in memory, not a `file:` URI): one
    that every connection of an engine reaches."""
    database = database or ""
    return database not in ("", ":memory:") and not database.startswith("file:")


def make_engine(url: str, *, busy_timeout_ms: int = 10_000, echo: bool = False) -> Engine:
    """Build the engine for `url` (SQLite or PostgreSQL), configured for kam."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, echo=echo, pool_pre_ping=True, hide_parameters=True)

    database = parsed.database or ""
    on_disk = sqlite_on_disk(database)
    if on_disk:
        _prepare_sqlite_file(Path(database).expanduser())
    engine = create_engine(
        url,
        echo=echo,
        hide_parameters=True,
        connect_args={"timeout": busy_timeout_ms / 1000, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        dbapi_connection.create_function(SQLITE_FUNCTION, 1, sqlite_lower, deterministic=True)
        if on_disk:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):  # type: ignore[no-untyped-def]
        options = connection.get_execution_options()
        if options.get(KEYS_IN_BULK_OPTION):
            # Only outside a transaction does SQLite take this; checkin turns it back on.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.info[KEYS_IN_BULK_OPTION] = True
        connection.exec_driver_sql(f"BEGIN {options.get(BEGIN_OPTION, 'DEFERRED')}")

    @event.listens_for(engine, "checkin")
    def _checkin(dbapi_connection, record):  # type: ignore[no-untyped-def]
        if record.info.pop(KEYS_IN_BULK_OPTION, False) and dbapi_connection is not None:
            dbapi_connection.execute("PRAGMA foreign_keys=ON")

    return engine


def is_sqlite(engine: Engine) -> bool:
    """Whether the engine talks to SQLite."""
    return engine.dialect.name == "sqlite"


def read_session(engine: Engine) -> Session:
    """A session for reading (a deferred transaction on SQLite)."""
    from sqlmodel import Session

    return Session(engine, expire_on_commit=False)


def write_session(engine: Engine, *, keys_in_bulk: bool = False) -> Session:
    """A session that will write: on SQLite it takes the write lock when it begins.

    `keys_in_bulk`: a bulk import's transaction, where SQLite checks no foreign key row by
    row (a third of a big import's time) and db.bulk checks the keys of the lines it
    writes, set-based, instead; nothing else written in it may rely on SQLite's check."""
    from sqlmodel import Session

    options = {BEGIN_OPTION: "IMMEDIATE", KEYS_IN_BULK_OPTION: keys_in_bulk}
    return Session(engine.execution_options(**options), expire_on_commit=False)
