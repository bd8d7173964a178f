"""Shared fixtures: migrated databases (SQLite always, PostgreSQL when a server is given),
the cast of users every role test needs, and a CLI environment.

Set KAM_TEST_POSTGRES_URL (e.g. postgresql+psycopg://kam@127.0.0.1:54329/kam_test) to run
the service tests against PostgreSQL too; `.ci/run` starts a throwaway server and sets it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from db.enums import Door, Role
from db.models import Customer, KeyAccount, User
from kam.database import Database
from kam.identity import Actor, os_login

PG_URL = os.environ.get("KAM_TEST_POSTGRES_URL")


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


def _fresh_sqlite(template: Path, folder: Path) -> Database:
    from db.engine import make_engine

    path = folder / "kam.db"
    shutil.copy(template, path)
    return Database(make_engine(f"sqlite:///{path}"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> Iterator[Database]:
    """An empty, migrated database on each backend."""
    if request.param == "sqlite":
        db = _fresh_sqlite(sqlite_template, tmp_path)
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
        conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    yield Database(engine)


@pytest.fixture
def sqlite_database(tmp_path: Path, sqlite_template: Path) -> Iterator[Database]:
    """An empty, migrated SQLite database (for tests about SQLite itself)."""
    db = _fresh_sqlite(sqlite_template, tmp_path)
    yield db
    db.dispose()


@dataclass
class Cast:
    """The people and records that role tests act with."""

    admin: Actor
    manager: Actor
    other_manager: Actor
    executive: Actor
    viewer: Actor
    customer: str
    """A key account managed by `manager` and sponsored by `executive`."""
    other_customer: str
    """A key account managed by `other_manager`."""
    plain_customer: str
    """A customer that is not a key account."""


def _actor(user: User, door: Door = Door.CLI) -> Actor:
    assert user.id is not None
    return Actor(user.id, user.login, user.display_name, user.role, door)


def make_cast(database: Database) -> Cast:
    """Insert the cast directly (not through services, which the tests exercise)."""
    with database.writing() as s:
        users = {
            login: User(login=login, display_name=name, role=role)
            for login, name, role in [
                ("ada", "Ada Admin", Role.ADMIN),
                ("mia", "Mia Manager", Role.MANAGER),
                ("otto", "Otto Other", Role.MANAGER),
                ("eve", "Eve Executive", Role.EXECUTIVE),
                ("val", "Val Viewer", Role.VIEWER),
            ]
        }
        s.add_all(users.values())
        s.flush()
        customers = [
            Customer(name="Acme [/b] Ltd", industry="Retail", region="North", estimated_wallet=1e6),
            Customer(name="北京燕京啤酒", industry="Food", region="Asia-Pacific"),
            Customer(name="Plain Prospect GmbH", industry="Energy", region="West"),
        ]
        s.add_all(customers)
        s.flush()
        s.add(
            KeyAccount(
                customer_id=customers[0].id,
                manager_id=users["mia"].id,
                sponsor_id=users["eve"].id,
                admitted_on=date(2025, 1, 15),
                status="active",
            )
        )
        s.add(
            KeyAccount(customer_id=customers[1].id, manager_id=users["otto"].id, status="nominated")
        )
    return Cast(
        admin=_actor(users["ada"]),
        manager=_actor(users["mia"]),
        other_manager=_actor(users["otto"]),
        executive=_actor(users["eve"]),
        viewer=_actor(users["val"]),
        customer="Acme [/b] Ltd",
        other_customer="北京燕京啤酒",
        plain_customer="Plain Prospect GmbH",
    )


@pytest.fixture
def cast(database: Database) -> Cast:
    """The cast in the parametrised database."""
    return make_cast(database)


@pytest.fixture
def cli_db(tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch) -> Database:
    """A SQLite database the CLI will use, with the OS user as admin plus the cast."""
    db = _fresh_sqlite(sqlite_template, tmp_path)
    with db.writing() as s:
        s.add(User(login=os_login(), display_name="Test Runner", role=Role.ADMIN))
    make_cast(db)
    db.dispose()
    monkeypatch.setenv("KAM_DATABASE_URL", str(db.engine.url))
    monkeypatch.delenv("KAM_USER", raising=False)
    return db


def add_small_base(database: Database) -> None:
    """Sales and cost-to-serve lines for the cast's customers, worked out by hand in the tests.

    As of 2026-06-30 (T12M 2025-07-01 .. 2026-06-30): Acme revenue 1500, margin 650, cost to
    serve 150 (logistics 100, support 50), profit 500; 北京 profit -40 (costs only); Plain
    revenue 100, margin 70, profit 70. Base retention 2/3 (all three bought in the year
    before; Acme and Plain bought in the T12M).
    """
    acme, beijing, plain = 1, 2, 3  # the cast's customers, in insertion order
    sales = [
        (acme, "2025-08-01", 1000, 600, "A1"), (acme, "2026-03-01", 500, 250, "A2"),
        (acme, "2024-09-01", 200, 100, "A0"), (beijing, "2024-10-01", 300, 200, "B0"),
        (plain, "2025-01-10", 100, 20, "P0"), (plain, "2026-06-30", 100, 30, "P1"),
        (plain, "2026-07-01", 999, 1, "P2"),  # after 2026-06-30
    ]  # fmt: skip
    costs = [
        (acme, "2026-01-15", "logistics", 100), (acme, "2026-02-01", "support", 50),
        (beijing, "2025-12-01", "sales", 40),
    ]  # fmt: skip
    with database.engine.begin() as conn:
        for cid, day, rev, cogs, order in sales:
            conn.execute(
                text(
                    "INSERT INTO sales_line (customer_id, sold_on, revenue, cost_of_goods, "
                    "quantity, order_id, line_key) VALUES (:c, :d, :r, :g, 1, :o, :o)"
                ),
                {"c": cid, "d": date.fromisoformat(day), "r": rev, "g": cogs, "o": order},
            )
        for n, (cid, day, category, amount) in enumerate(costs):
            conn.execute(
                text(
                    "INSERT INTO service_cost (customer_id, incurred_on, category, amount, note, "
                    "line_key) VALUES (:c, :d, :k, :a, '', :n)"
                ),
                {"c": cid, "d": date.fromisoformat(day), "k": category, "a": amount, "n": f"k{n}"},
            )
