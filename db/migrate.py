"""Alembic, driven from code: no alembic.ini needed, the engine is passed in."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, inspect

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

    with engine.begin() as connection:
        command.upgrade(_config(engine, connection), revision)


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

    with engine.begin() as connection:
        command.downgrade(_config(engine, connection), revision)
