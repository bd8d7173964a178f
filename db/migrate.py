"""Alembic, driven from code: no alembic.ini needed, the engine is passed in.

Each upgrade or downgrade runs in one transaction. On SQLite, foreign keys are off while it
runs, as SQLite's own procedure for changing a table asks: a batch operation rebuilds a
table by copy, and dropping the old copy of a table other rows refer to would fail (or
cascade). Before the transaction commits, `PRAGMA foreign_key_check` must find nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, inspect

MIGRATIONS = Path(__file__).parent / "migrations"


def _config(engine: Engine, connection=None):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to `revision` (the newest by default)."""
    from alembic import command

    with _migrating(engine) as connection:
        command.upgrade(_config(engine, connection), revision)


@contextmanager
def _migrating(engine: Engine) -> Iterator[Connection]:
    """One connection in one transaction for a migration (SQLite: foreign keys off meanwhile,
    checked before the commit, on again after)."""
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        raw = connection.connection.driver_connection if sqlite else None
        if raw is not None:  # outside any transaction, where the pragma takes effect
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                yield connection
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(
                            f"The migration left {len(broken)} rows referring to rows that do "
                            f"not exist (first: {tuple(broken[0])}); nothing was changed."
                        )
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """The newest revision in the migration scripts."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS))
    head = script.get_current_head()
    assert head is not None
    return head


def has_schema(engine: Engine) -> bool:
    """Whether the database has kam's tables at all."""
    return inspect(engine).has_table("alembic_version")


def revisions() -> list[str]:
    """Every revision of this kam's migration scripts, oldest first."""
    from alembic.script import ScriptDirectory

    return [s.revision for s in ScriptDirectory(str(MIGRATIONS)).walk_revisions()][::-1]


def known_revision(revision: str) -> bool:
    """Whether `revision` is one of this kam's migration scripts."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    try:
        return ScriptDirectory(str(MIGRATIONS)).get_revision(revision) is not None
    except CommandError:
        return False


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema back to `revision` (the migrations' downgrade steps)."""
    from alembic import command

    with _migrating(engine) as connection:
        command.downgrade(_config(engine, connection), revision)
