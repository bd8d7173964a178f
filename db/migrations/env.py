"""Alembic environment: runs against the connection kam passes in (see db.migrate)."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import db.models

db.models.load_all()  # every table on SQLModel.metadata
config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    """Run migrations on the connection given in config.attributes."""
    connection = config.attributes.get("connection")
    if connection is None:
        from db.engine import make_engine

        engine = make_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
        with engine.begin() as connection:
            _run(connection)
    else:
        _run(connection)


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("kam migrations run online only: use `kam db upgrade`.")
run_migrations_online()
