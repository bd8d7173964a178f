"""The schema: migrations build it, and the constraints hold the domain's rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import SQLModel

import db.models
from db.engine import make_engine
from db.migrate import current_revision, has_schema, head_revision, upgrade
from db.models import Customer, User
from kam.database import Database
from kam.errors import InvalidData
from tests.support import Cast


def test_migrations_upgrade_an_empty_sqlite_database_to_the_models(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    assert not has_schema(engine)
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
    db.models.load_all()
    assert tables == set(SQLModel.metadata.tables)
    engine.dispose()


def test_migrations_leave_nothing_for_autogenerate_to_add(tmp_path: Path) -> None:
    """The migration scripts and the models describe the same schema."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    engine.dispose()
    assert diff == []


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(
    sqlite_database: Database,
) -> None:
    with sqlite_database.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000


def test_a_new_sqlite_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "private" / "kam.db"
    make_engine(f"sqlite:///{path}").dispose()
    assert path.stat().st_mode & 0o777 == 0o600


_NOMINATE = text(
    "INSERT INTO key_account (customer_id, status, nominated_on, reason, admitted_by_override, "
    "version, created_at, updated_at) VALUES (:c, 'nominated', '2026-01-01', '', false, 1, "
    "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"
)


def test_a_customer_holds_one_open_programme_membership_at_a_time(
    database: Database, cast: Cast
) -> None:
    with database.engine.connect() as conn:
        acme = conn.execute(
            text("SELECT id FROM customer WHERE name = :n"), {"n": cast.customer}
        ).scalar()
    with pytest.raises(IntegrityError), database.engine.begin() as conn:
        conn.execute(_NOMINATE, {"c": acme})
    # Retired memberships are history: a new one may follow.
    with database.engine.begin() as conn:
        conn.execute(
            text("UPDATE key_account SET status = 'retired' WHERE customer_id = :c"), {"c": acme}
        )
        conn.execute(_NOMINATE, {"c": acme})


def test_user_logins_are_unique(database: Database, cast: Cast) -> None:
    with pytest.raises(InvalidData, match="login"), database.writing() as s:
        s.add(User(login="mia", display_name="Another Mia", role="viewer"))  # type: ignore[arg-type]


def test_an_id_beyond_64_bits_is_refused_as_too_large_not_a_crash(database: Database) -> None:
    """sqlite3 raised OverflowError ("Python int too large to convert to SQLite INTEGER"),
    which reached the user as an unexpected error."""
    if database.engine.dialect.name != "sqlite":
        pytest.skip("the driver's own overflow is SQLite's")
    with pytest.raises(InvalidData, match="too large"), database.reading() as s:
        s.get(Customer, 10**20)


def test_statuses_outside_the_vocabulary_are_refused_by_the_database(
    database: Database, cast: Cast
) -> None:
    with pytest.raises(IntegrityError), database.engine.begin() as conn:
        conn.execute(text("UPDATE key_account SET status = 'vip'"))


def test_scores_outside_their_range_are_refused_by_the_database(
    database: Database, cast: Cast
) -> None:
    with pytest.raises(IntegrityError), database.engine.begin() as conn:
        uid = conn.execute(text("SELECT id FROM user_account WHERE login = 'mia'")).scalar()
        conn.execute(
            text(
                "INSERT INTO manager_profile (user_id, finance, updated_at) "
                "VALUES (:u, 6, '2026-01-01 00:00:00')"
            ),
            {"u": uid},
        )


def test_foreign_keys_are_enforced(database: Database) -> None:
    with pytest.raises(IntegrityError), database.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO contact (customer_id, name, job_title, email, phone, created_at) "
                "VALUES (999, 'Ghost', '', '', '', '2026-01-01 00:00:00')"
            )
        )


def test_the_audit_trail_is_append_only(database: Database, cast: Cast) -> None:
    with database.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_event (at, actor, door, entity, hash) "
                "VALUES ('2026-01-01 00:00:00', 'ada', 'cli', 'test', 'not linked')"
            )
        )
    for statement in ("UPDATE audit_event SET actor = 'mallory'", "DELETE FROM audit_event"):
        with pytest.raises(Exception, match="append-only"), database.engine.begin() as conn:
            conn.execute(text(statement))


def test_the_orm_refuses_an_unknown_enum_value(database: Database) -> None:
    with pytest.raises(StatementError), database.writing() as s:
        s.add(Customer(name="X", status="bankrupt"))  # type: ignore[arg-type]


def test_each_table_module_builds_the_tables_its_foreign_keys_name() -> None:
    """`from db.models import X` builds X's module and those its keys point to (NEEDS):
    a write orders the tables by their keys, and a key to an unbuilt table fails it."""
    import importlib

    db.models.load_all()
    tables = {
        table.name: module
        for module in set(db.models.WHERE.values())
        for table in SQLModel.metadata.tables.values()
        if any(
            getattr(importlib.import_module(f"db.models.{module}"), cls).__tablename__ == table.name
            for cls, where in db.models.WHERE.items()
            if where == module
        )
    }
    assert set(tables) == set(SQLModel.metadata.tables)  # every table's class is in WHERE

    def built(module: str) -> set[str]:
        found = {module}
        for needed in db.models.NEEDS.get(module, ()):
            found |= built(needed)
        return found

    for table in SQLModel.metadata.tables.values():
        module = tables[table.name]
        for key in table.foreign_keys:
            target = key.target_fullname.split(".")[0]
            assert tables[target] in built(module), (table.name, target)
