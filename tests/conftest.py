"""Shared fixtures: migrated databases (SQLite always, PostgreSQL when a server is given),
the cast of users every role test needs, and a CLI environment.

Set KAM_TEST_POSTGRES_URL (e.g. postgresql+psycopg://kam@127.0.0.1:54329/kam_test) to run
the service tests against PostgreSQL too; `.ci/run` starts a throwaway server and sets it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from db.enums import Role
from db.models import User
from kam.database import Database
from kam.identity import os_login
from tests.support import Cast, fresh_sqlite, make_cast

PG_URL = os.environ.get("KAM_TEST_POSTGRES_URL")


def pytest_addoption(parser: pytest.Parser) -> None:
    """`--today YYYY-MM-DD` runs the suite with the clock moved to that day."""
    parser.addoption(
        "--today",
        default=None,
        help="Run every test with today's date moved to this day (time-machine), to prove "
        "no test depends on the real date. CI runs the suite at 2026-03-01 and 2031-01-01.",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Start the time machine for the whole run when --today is given."""
    today = config.getoption("--today")
    if today:
        import time_machine

        moved = datetime.combine(date.fromisoformat(today), datetime.min.time().replace(hour=12))
        traveller = time_machine.travel(moved.astimezone(), tick=True)
        traveller.start()
        config.add_cleanup(traveller.stop)


@pytest.fixture(autouse=True)
def _today_of_the_story(request: pytest.FixtureRequest) -> Iterator[None]:
    """`@pytest.mark.today("YYYY-MM-DD")`: the test's story happens on that day, whatever
    the real date (or --today) is; kam's one clock says so for the test's duration."""
    marker = request.node.get_closest_marker("today")
    if marker is None:
        yield
        return
    from kam.rules import clock

    day = marker.args[0]
    with clock.frozen(day if isinstance(day, date) else date.fromisoformat(day)):
        yield


def pytest_report_header(config: pytest.Config) -> str | None:
    """Say when the clock was moved."""
    today = config.getoption("--today")
    return f"clock moved to {today} (--today)" if today else None


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated to head; each test gets a copy."""
    from db.engine import make_engine
    from db.migrate import upgrade

    path = tmp_path_factory.mktemp("template") / "kam.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_engine():  # type: ignore[no-untyped-def]
    """This test worker's own PostgreSQL database, created fresh and migrated once per run.

    Each pytest-xdist worker gets a database of its own (named after the server's test
    database and the worker), so fixtures that empty tables cannot collide across workers.
    """
    if not PG_URL:
        pytest.skip("KAM_TEST_POSTGRES_URL is not set")
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from db.engine import make_engine
    from db.migrate import upgrade

    base = make_url(PG_URL)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", "")[:8] or str(os.getpid())
    name = f"{base.database}_{worker}_{run}"  # unique per worker and per run
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = base.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> Iterator[Database]:
    """An empty, migrated database on each backend."""
    if request.param == "sqlite":
        db = fresh_sqlite(sqlite_template, tmp_path)
        yield db
        db.dispose()
        return
    engine = request.getfixturevalue("postgres_engine")
    with engine.begin() as conn:
        tables = (
            conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                    "AND tablename <> 'alembic_version'"
                )
            )
            .scalars()
            .all()
        )
        # audit_event refuses TRUNCATE (a BEFORE TRUNCATE trigger, migration 0004). This
        # session connects as the superuser that owns the tables, and `replica` mode skips
        # ordinary triggers for it alone, until this transaction ends (SET LOCAL): emptying
        # every table stays one fast TRUNCATE, and kam's own sessions keep the trigger.
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    yield Database(engine)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def blank(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database of its own (no schema) on each backend, for migration tests."""
    from db.engine import make_engine

    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'kam.db'}")
        yield engine
        engine.dispose()
        return
    if not PG_URL:
        pytest.skip("KAM_TEST_POSTGRES_URL is not set")
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    base = make_url(PG_URL)
    name = f"{base.database}_mig_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine = make_engine(base.set(database=name).render_as_string(hide_password=False))
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture
def sqlite_database(tmp_path: Path, sqlite_template: Path) -> Iterator[Database]:
    """An empty, migrated SQLite database (for tests about SQLite itself)."""
    db = fresh_sqlite(sqlite_template, tmp_path)
    yield db
    db.dispose()


@pytest.fixture
def cast(database: Database) -> Cast:
    """The cast in the parametrised database."""
    return make_cast(database)


@pytest.fixture
def cli_db(tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch) -> Database:
    """A SQLite database the CLI will use, with the OS user as admin plus the cast."""
    db = fresh_sqlite(sqlite_template, tmp_path)
    with db.writing() as s:
        s.add(User(login=os_login(), display_name="Test Runner", role=Role.ADMIN))
    make_cast(db)
    db.dispose()
    monkeypatch.setenv("KAM_DATABASE_URL", str(db.engine.url))
    monkeypatch.delenv("KAM_USER", raising=False)
    return db
