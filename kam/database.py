"""An open kam database: the engine, and transactions that turn driver errors into domain errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from kam.errors import (
    BusyError,
    ConflictError,
    Damaged,
    InvalidData,
    NotInitialised,
    PermissionDenied,
    Unreachable,
)

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine
    from sqlmodel import Session

    from kam.settings import Settings


class Database:
    """kam's handle on one database (SQLite file or PostgreSQL server)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, settings: Settings) -> Database:
        """Open the database the settings name (without touching the schema)."""
        from db.engine import make_engine

        return cls(make_engine(settings.database_url, busy_timeout_ms=settings.busy_timeout_ms))

    def require_schema(self) -> None:
        """Refuse to go on against a database that `kam init` has not set up."""
        from db.migrate import has_schema

        with _translated_driver(self._where()):
            if not has_schema(self.engine):
                raise NotInitialised(
                    "This database has no kam schema yet: run `kam init` first "
                    f"({self.engine.url.render_as_string(hide_password=True)})."
                )

    @contextmanager
    def connected(self) -> Iterator[Connection]:
        """A connection for reads on SQLAlchemy Core alone (no ORM is built); nothing it
        does is committed."""
        with _translated_driver(self._where()), self.engine.connect() as connection:
            try:
                yield connection
            finally:
                connection.rollback()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads; nothing it does is committed."""
        from db.engine import read_session

        with _translated(self._where()), read_session(self.engine) as session:
            try:
                yield session
            finally:
                session.rollback()

    @contextmanager
    def writing(self, *, dry_run: bool = False, keys_in_bulk: bool = False) -> Iterator[Session]:
        """A write transaction: committed at the end, rolled back on error or on a dry run.
        `keys_in_bulk`: an import of lines, whose foreign keys db.bulk checks set-based
        (db.engine.write_session)."""
        from db.engine import write_session

        session_of = write_session(self.engine, keys_in_bulk=keys_in_bulk)
        with _translated(self._where()), session_of as session:
            try:
                yield session
                if dry_run:
                    session.rollback()
                else:
                    session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def translated(self) -> Iterator[None]:
        """Driver errors as domain errors, for work on the engine outside a session
        (schema upgrades, status)."""
        with _translated(self._where()):
            yield

    def _where(self) -> str:
        """The database, as errors name it (never with its password)."""
        return self.engine.url.render_as_string(hide_password=True)

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


@contextmanager
def _translated(where: str = "the database") -> Iterator[None]:
    """Turn the errors a user can cause or meet into domain errors, each one sentence: a
    stale version (the ORM's optimistic lock), and every driver error `_translated_driver`
    turns."""
    from sqlalchemy.orm.exc import StaleDataError

    try:
        with _translated_driver(where):
            yield
    except StaleDataError as exc:
        raise ConflictError(
            "Someone else changed this record while you were editing it; "
            "nothing was overwritten. Reload and try again."
        ) from exc


@contextmanager
def _translated_driver(where: str = "the database") -> Iterator[None]:
    """Turn driver errors a user can cause or meet into domain errors, each one sentence:
    locks and serialization failures, constraints, a server that cannot be reached, a
    login without the right to write. Core alone: the ORM is not imported."""
    from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

    try:
        yield
    except IntegrityError as exc:
        raise InvalidData(f"The database refused the change: {_first_line(exc.orig)}") from exc
    except OverflowError as exc:
        if "too large to convert" not in str(exc):
            raise
        raise InvalidData(
            "A number is too large for the database (whole numbers hold at most "
            f"{2**63 - 1:,})."  # a 64-bit integer: the column type of SQLite and PostgreSQL
        ) from exc
    except OperationalError as exc:
        text = str(exc.orig).lower()
        if "locked" in text or "busy" in text:
            raise BusyError(
                "The database is busy (another kam is writing); try again in a moment."
            ) from exc
        if "no such table" in text:
            raise NotInitialised(
                "This database has no kam schema yet: run `kam init` first."
            ) from exc
        if "readonly" in text or "read-only" in text:
            raise PermissionDenied(
                f"{where} is read-only for you ({_first_line(exc.orig)}); ask its owner for "
                "write access."
            ) from exc
        if getattr(exc.orig, "sqlstate", None) in (None, "08001", "08006", "08004", "57P03"):
            raise Unreachable(
                f"Cannot reach {where}: {_first_line(exc.orig)} (check KAM_DATABASE_URL and "
                "that the server is running)."
            ) from exc
        raise
    except DBAPIError as exc:
        state = getattr(exc.orig, "sqlstate", None)
        if state in ("40001", "40P01"):
            raise BusyError(
                "The database could not serialise this change with another; try again."
            ) from exc
        if state == "42501":
            raise PermissionDenied(
                f"{where} refused: {_first_line(exc.orig)}; your database login may only "
                "read. Use a login with write access (GRANT), or ask the database's owner."
            ) from exc
        if state == "25006":  # read-only transaction
            raise PermissionDenied(
                f"{where} is read-only for this login ({_first_line(exc.orig)})."
            ) from exc
        text = str(exc.orig).lower()
        if "malformed" in text or "not a database" in text:  # SQLite's CORRUPT and NOTADB
            raise Damaged(
                f"{where} is damaged ({_first_line(exc.orig)}); an admin can restore a "
                "backup with `kam db restore FILE --force`."
            ) from exc
        raise


def _first_line(error: object) -> str:
    """The first line of a driver error, which names the constraint."""
    return str(error).strip().splitlines()[0] if str(error).strip() else "constraint failed"
