"""What every command needs: the database and the acting user, in one transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from db.enums import Door

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy import Connection
    from sqlmodel import Session

    from kam.database import Database
    from kam.identity import Actor
    from kam.settings import Settings


def settings() -> Settings:
    """The process settings, from the environment."""
    from kam.settings import Settings

    return Settings.from_env()


def open_database(config: Settings | None = None, *, require_schema: bool = True) -> Database:
    """Open the configured database, refusing one that `kam init` has not set up."""
    from kam.database import Database

    database = Database.open(config or settings())
    if require_schema:
        database.require_schema()
    return database


@contextmanager
def reading(door: Door = Door.CLI) -> Iterator[tuple[Session, Actor]]:
    """A read session and the identified user; health the command computed for today is
    kept afterwards, in a short write of its own (kam.services.snapshots)."""
    from kam.identity import identify

    config = settings()
    database = open_database(config)
    try:
        with database.reading() as session:
            actor = identify(session, door=door, act_as=config.act_as)
            yield session, actor
        if session.info:  # the session noted something (computed health among what it may be)
            from kam.services.snapshots import keep_computed

            keep_computed(database, actor, session)
    finally:
        database.dispose()


@contextmanager
def reading_rows(door: Door = Door.CLI) -> Iterator[tuple[Connection, Actor]]:
    """A read on a bare connection and the identified user, for a command that lists rows
    with SQLAlchemy Core alone (db.reads): no ORM and no SQLModel class is built, and
    nothing is computed that would be kept afterwards."""
    from kam.identity import identify

    config = settings()
    database = open_database(config)
    try:
        with database.connected() as connection:
            yield connection, identify(connection, door=door, act_as=config.act_as)
    finally:
        database.dispose()


@contextmanager
def administering(door: Door = Door.CLI) -> Iterator[tuple[Database, Actor]]:
    """The open database and the identified user, for work on the whole database (backups,
    restores) that runs outside a single session."""
    from kam.identity import identify

    config = settings()
    database = open_database(config)
    try:
        with database.reading() as session:
            actor = identify(session, door=door, act_as=config.act_as)
        yield database, actor
    finally:
        database.dispose()


@contextmanager
def restoring(source: Path, door: Door = Door.CLI) -> Iterator[tuple[Database, Actor]]:
    """As `administering`, for a restore from `source`: when the SQLite database file is
    damaged or gone (what a restore is for), the user is identified by the backup's users."""
    from db.engine import is_sqlite
    from kam.errors import Damaged, NotInitialised
    from kam.identity import identify
    from kam.services.backup import identify_in_backup

    config = settings()
    database = open_database(config, require_schema=False)
    try:
        try:
            database.require_schema()
            with database.reading() as session:
                actor = identify(session, door=door, act_as=config.act_as)
        except (Damaged, NotInitialised):
            if not is_sqlite(database.engine):
                raise
            database.dispose()
            actor = identify_in_backup(database, source, door=door, act_as=config.act_as)
        yield database, actor
    finally:
        database.dispose()


@contextmanager
def writing(
    *, dry_run: bool = False, door: Door = Door.CLI, keys_in_bulk: bool = False
) -> Iterator[tuple[Session, Actor]]:
    """A write transaction (rolled back on a dry run) and the identified user;
    `keys_in_bulk` for an import of lines (kam.database.Database.writing)."""
    from kam.identity import identify

    config = settings()
    database = open_database(config)
    try:
        with database.writing(dry_run=dry_run, keys_in_bulk=keys_in_bulk) as session:
            yield session, identify(session, door=door, act_as=config.act_as)
    finally:
        database.dispose()
    if dry_run:
        from kam.cli.output import info

        info("Dry run: nothing was written.")
