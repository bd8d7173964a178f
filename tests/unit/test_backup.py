"""Backups, restores and checks of the whole database (kam.services.backup and .checks).

The central promise: a backup taken while others write is a consistent snapshot. A writer
thread updates an account and adds contacts, each write one transaction with its audit
events; backups taken meanwhile, restored into new files, pass every check, and in each the
account's version and contacts match the audit events written with them.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import func, text
from sqlmodel import select

from db.engine import make_engine
from db.models import AuditEvent, Contact, Customer
from kam.database import Database
from kam.errors import InvalidData, PermissionDenied, RuleError
from kam.services import audit, backup, checks
from kam.services.accounts import account_by_name, update_account
from kam.services.contacts import add_contact
from kam.services.customers import create_customer
from tests.conftest import PG_URL
from tests.support import Cast, make_cast

ACME = "Acme [/b] Ltd"


def _open(path: Path) -> Database:
    return Database(make_engine(f"sqlite:///{path}"))


def _snapshot(database: Database) -> dict[str, int]:
    """The account's version and the counts its writes leave, as one transaction sees them."""
    with database.reading() as s:
        account = account_by_name(s, ACME)

        def events(entity: str, field: str) -> int:
            return s.exec(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.entity == entity, AuditEvent.field == field)
            ).one()

        return {
            "version": account.version,
            "reasons": events("key_account", "reason"),
            "contacts": s.exec(select(func.count()).select_from(Contact)).one(),
            "contacts_audited": events("contact", "(created)"),
        }


class Writer(threading.Thread):
    """Many small writes through the services, on its own engine, until told to stop: each
    transaction updates the account (one audit event) and, every other time, adds a contact
    (another)."""

    def __init__(self, path: Path, cast: Cast) -> None:
        super().__init__(daemon=True)
        self.database = _open(path)
        self.actor = cast.admin
        self.done = 0
        self.progress = threading.Condition()
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stop.is_set() and self.done < 2_000:
                with self.database.writing() as s:
                    update_account(s, self.actor, ACME, reason=f"write {self.done}")
                    if self.done % 2 == 0:
                        add_contact(s, self.actor, ACME, name=f"Contact {self.done}")
                with self.progress:
                    self.done += 1
                    self.progress.notify_all()
        except BaseException as error:  # reported by the test
            self.error = error
        finally:
            self.database.dispose()

    def wait_for(self, writes: int) -> None:
        with self.progress:
            assert self.progress.wait_for(lambda: self.done >= writes or self.error, timeout=60)
        assert self.error is None, self.error


def test_a_backup_taken_while_a_writer_writes_restores_to_a_consistent_state(
    sqlite_database: Database, tmp_path: Path
) -> None:
    cast = make_cast(sqlite_database)
    live = Path(str(sqlite_database.engine.url.database))
    writer = Writer(live, cast)
    writer.start()
    taken = []
    try:
        for n in range(3):
            writer.wait_for(15 * (n + 1))
            target = tmp_path / f"backup-{n}.db"
            result = backup.backup(sqlite_database, cast.admin, target)
            assert (result.kind, result.bytes) == ("sqlite", target.stat().st_size)
            assert target.stat().st_mode & 0o777 == 0o600
            taken.append(target)
        writer.wait_for(60)  # the writer went on after the last backup
    finally:
        writer.stop.set()
        writer.join(timeout=60)
    assert writer.error is None, writer.error

    versions = []
    for n, source in enumerate(taken):
        restored = _open(tmp_path / f"restored-{n}.db")
        try:
            backup.restore(restored, cast.admin, source, force=True)
            report = checks.check(restored)
            assert report.ok, report.to_dict()
            state = _snapshot(restored)
        finally:
            restored.dispose()
        # Every committed write is whole in the snapshot: its row change and its events.
        assert state["version"] == 1 + state["reasons"], state
        assert state["contacts"] == state["contacts_audited"] == (state["reasons"] + 1) // 2, state
        versions.append(state["version"])
    final = _snapshot(sqlite_database)["version"]
    assert 1 < versions[0] < versions[1] < versions[2] < final, (versions, final)


def test_restore_replaces_the_database_brings_it_to_the_newest_schema_and_audits_it(
    sqlite_database: Database, tmp_path: Path
) -> None:
    cast = make_cast(sqlite_database)
    saved = tmp_path / "saved.db"
    backup.backup(sqlite_database, cast.admin, saved)
    with sqlite_database.writing() as s:
        create_customer(s, cast.admin, name="After The Backup")

    done = backup.restore(sqlite_database, cast.admin, saved, force=True)

    assert done.revision == done.backup_revision
    with sqlite_database.reading() as s:
        names = set(s.exec(select(Customer.name)).all())
        (last,) = audit.list_events(s, limit=1)
    assert "After The Backup" not in names and ACME in names
    assert (last.actor, last.entity, last.new) == ("ada", "database", f"restored from {saved}")


def test_an_older_backup_is_upgraded_on_restore(sqlite_database: Database, tmp_path: Path) -> None:
    from db.migrate import head_revision, upgrade

    cast = make_cast(sqlite_database)
    old = _open(tmp_path / "old.db")
    upgrade(old.engine, "0002")
    old.dispose()

    done = backup.restore(sqlite_database, cast.admin, tmp_path / "old.db", force=True)

    assert (done.backup_revision, done.revision) == ("0002", head_revision())


def test_restore_refuses_without_force_and_changes_nothing(
    sqlite_database: Database, tmp_path: Path
) -> None:
    cast = make_cast(sqlite_database)
    saved = tmp_path / "saved.db"
    backup.backup(sqlite_database, cast.admin, saved)
    with sqlite_database.writing() as s:
        create_customer(s, cast.admin, name="Kept")

    with pytest.raises(RuleError, match="replaces everything.*every change made since"):
        backup.restore(sqlite_database, cast.admin, saved)
    dry = backup.restore(sqlite_database, cast.admin, saved, dry_run=True)

    assert dry.backup_revision == dry.revision
    with sqlite_database.reading() as s:
        assert s.exec(select(Customer).where(Customer.name == "Kept")).first() is not None


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"name,industry\nAcme,Retail\n", "is not a kam backup"),
        ("sqlite-not-kam", "is not a kam database: it has no alembic_version"),
        ("sqlite-future", "schema revision ffff, which this kam does not know"),
        ("sqlite-torn", "is not a usable backup|fails SQLite's integrity check"),
    ],
)
def test_restore_refuses_what_is_not_a_sound_kam_backup_of_this_kam(
    sqlite_database: Database, tmp_path: Path, content: bytes | str, says: str
) -> None:
    cast = make_cast(sqlite_database)
    source = tmp_path / "source.db"
    if isinstance(content, bytes):
        source.write_bytes(content)
    elif content == "sqlite-not-kam":
        with sqlite3.connect(source) as other:
            other.execute("CREATE TABLE notes (body TEXT)")
    else:
        backup.backup(sqlite_database, cast.admin, source)
        if content == "sqlite-future":
            with sqlite3.connect(source) as copy:
                copy.execute("UPDATE alembic_version SET version_num = 'ffff'")
        else:
            source.write_bytes(source.read_bytes()[: 4096 * 3])

    with pytest.raises(InvalidData, match=says):
        backup.restore(sqlite_database, cast.admin, source, force=True)


def test_backup_refuses_to_overwrite_a_file_or_the_database_itself(
    sqlite_database: Database, tmp_path: Path
) -> None:
    cast = make_cast(sqlite_database)
    target = tmp_path / "taken.db"
    target.write_text("precious")
    live = Path(str(sqlite_database.engine.url.database))

    with pytest.raises(RuleError, match="already exists; add --force"):
        backup.backup(sqlite_database, cast.admin, target)
    assert target.read_text() == "precious"
    with pytest.raises(RuleError, match="is the database itself"):
        backup.backup(sqlite_database, cast.admin, live, force=True)
    backup.backup(sqlite_database, cast.admin, target, force=True)
    assert target.read_bytes().startswith(b"SQLite format 3")
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".part"] == []


@pytest.mark.parametrize("who", ["manager", "executive", "viewer"])
def test_only_admins_back_up_and_restore(
    sqlite_database: Database, tmp_path: Path, who: str
) -> None:
    cast = make_cast(sqlite_database)
    saved = tmp_path / "saved.db"
    backup.backup(sqlite_database, cast.admin, saved)
    actor = getattr(cast, who)

    with pytest.raises(PermissionDenied, match="Only admins may back up"):
        backup.backup(sqlite_database, actor, tmp_path / "mine.db")
    with pytest.raises(PermissionDenied, match="Only admins may restore"):
        backup.restore(sqlite_database, actor, saved, force=True)
    assert not (tmp_path / "mine.db").exists()


def test_check_reports_every_check_and_fails_on_dangling_references(
    sqlite_database: Database,
) -> None:
    make_cast(sqlite_database)
    report = checks.check(sqlite_database)
    assert report.ok
    assert [(c.name, c.status.value) for c in report.checks] == [
        ("connection", "ok"),
        ("schema", "ok"),
        ("integrity", "ok"),
        ("foreign keys", "ok"),
        ("audit chain", "ok"),
    ]

    sqlite_database.dispose()
    with closing(sqlite3.connect(str(sqlite_database.engine.url.database))) as raw:
        raw.execute("UPDATE key_account SET manager_id = 999")  # foreign keys are off by default
        raw.commit()
    report = checks.check(sqlite_database)

    assert [c.name for c in report.failures] == ["foreign keys"]
    assert report.failures[0].problems == (
        "2 key_account rows refer to user_account rows that do not exist",
    )


def test_check_fails_when_the_audit_chain_is_broken(sqlite_database: Database) -> None:
    """An event deleted behind kam's back (the append-only trigger dropped first)."""
    from kam.services import accounts

    admin = make_cast(sqlite_database).admin
    for reason in ("one", "two", "three"):
        with sqlite_database.writing() as s:
            accounts.update_account(s, admin, "Acme [/b] Ltd", reason=reason)
    sqlite_database.dispose()
    with closing(sqlite3.connect(str(sqlite_database.engine.url.database))) as raw:
        raw.execute("DROP TRIGGER audit_event_no_delete")
        raw.execute("DELETE FROM audit_event WHERE id = 2")
        raw.commit()
    (chain,) = [c for c in checks.check(sqlite_database).checks if c.name == "audit chain"]

    assert chain.status.value == "failed" and chain.detail.startswith("event 3: ")


def test_check_on_a_missing_schema_fails_the_schema_step(tmp_path: Path) -> None:
    empty = _open(tmp_path / "empty.db")
    try:
        report = checks.check(empty)
    finally:
        empty.dispose()
    assert "schema" in [c.name for c in report.failures]
    assert "kam init" in report.failures[0].detail


@pytest.fixture
def pg_scratch() -> Iterator[Database]:
    """A PostgreSQL database of this test's own, migrated, with the cast; dropped after."""
    if not PG_URL:
        pytest.skip("KAM_TEST_POSTGRES_URL is not set")
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from db.migrate import upgrade

    base = make_url(PG_URL)
    name = f"{base.database}_backup_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    database = Database(make_engine(base.set(database=name).render_as_string(hide_password=False)))
    try:
        upgrade(database.engine)
        yield database
    finally:
        database.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.mark.postgres
def test_postgres_backup_and_restore_round_trip(pg_scratch: Database, tmp_path: Path) -> None:
    cast = make_cast(pg_scratch)
    saved = tmp_path / "kam.dump"

    taken = backup.backup(pg_scratch, cast.admin, saved)
    with pg_scratch.writing() as s:
        create_customer(s, cast.admin, name="After The Backup")
    with pytest.raises(RuleError, match="Add --force"):
        backup.restore(pg_scratch, cast.admin, saved)
    done = backup.restore(pg_scratch, cast.admin, saved, force=True)

    assert taken.kind == done.kind == "postgresql"
    assert os.stat(saved).st_mode & 0o777 == 0o600
    with pg_scratch.reading() as s:
        names = set(s.exec(select(Customer.name)).all())
        (last,) = audit.list_events(s, limit=1)
        customers = s.execute(text("SELECT count(*) FROM customer")).scalar_one()
    assert ACME in names and "After The Backup" not in names and customers == 3
    assert last.new == f"restored from {saved}"
    assert checks.check(pg_scratch).ok
