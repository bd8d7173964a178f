"""Concurrent writers on one SQLite file: why write sessions begin with BEGIN IMMEDIATE.

A transaction that reads and then writes must hold the write lock from its start. With a
plain (deferred) BEGIN it holds only a read snapshot; when it later tries to write while
another connection writes — or after another connection has written — SQLite answers
"database is locked" at once, without waiting for the busy timeout, because waiting could
deadlock. `Database.writing()` begins with BEGIN IMMEDIATE, so such a transaction waits
for the lock instead, then reads the latest data.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
from typing import Any

import pytest
from sqlalchemy import func
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from db.engine import make_engine, read_session, write_session
from db.models import AuditEvent, Contact
from kam.database import Database
from kam.errors import BusyError
from kam.identity import Actor
from kam.services.accounts import account_by_name, get_account, update_account
from kam.services.contacts import add_contact
from tests.support import make_cast

ACCOUNT = "Acme [/b] Ltd"
PROCESSES = 4
ITERATIONS = 25


def _hammer(
    url: str, actor: Actor, worker: int, iterations: int, barrier: Any, results: Any
) -> None:
    """One process: read-then-write transactions through the service layer.

    Runs in a spawned child, so it must live at module level. Reports
    {worker, seen: [version read before each committed update], contacts, errors}.
    """
    seen: list[int] = []
    contacts = 0
    errors: list[str] = []
    database = None
    try:
        database = Database(make_engine(url))
        # Warm up first (imports, statement compilation): a dry run of one iteration, so
        # the contended loop measures locking, not a cold start under a loaded machine.
        with database.writing(dry_run=True) as s:
            update_account(s, actor, ACCOUNT, reason="warm-up")
            add_contact(s, actor, ACCOUNT, name="Warm-up")
        barrier.wait(timeout=60)  # start every process's loop at the same moment
        for i in range(iterations):
            try:
                with database.writing() as s:
                    version = get_account(s, ACCOUNT).version  # read ...
                    update_account(  # ... then write, checked against what was read
                        s,
                        actor,
                        ACCOUNT,
                        expected_version=version,
                        reason=f"worker {worker} iteration {i}",
                    )
                    if i % 2 == 0:
                        add_contact(s, actor, ACCOUNT, name=f"Contact {worker}-{i}")
                seen.append(version)
                contacts += i % 2 == 0
            except Exception as exc:
                errors.append(f"iteration {i}: {type(exc).__name__}: {exc}")
    except Exception as exc:
        errors.append(f"setup: {type(exc).__name__}: {exc}")
    finally:
        if database is not None:
            database.dispose()
        results.put({"worker": worker, "seen": seen, "contacts": contacts, "errors": errors})


def test_concurrent_processes_read_then_write_without_lock_errors(
    sqlite_database: Database,
) -> None:
    cast = make_cast(sqlite_database)
    url = str(sqlite_database.engine.url)
    sqlite_database.dispose()  # the children open their own connections

    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(PROCESSES)
    results = ctx.Queue()
    processes = [
        ctx.Process(target=_hammer, args=(url, cast.admin, n, ITERATIONS, barrier, results))
        for n in range(PROCESSES)
    ]
    for p in processes:
        p.start()
    reports = []
    try:
        for _ in processes:
            reports.append(results.get(timeout=120))
    except queue.Empty:
        pytest.fail(f"only {len(reports)} of {PROCESSES} processes reported back: {reports}")
    finally:
        for p in processes:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
    assert all(p.exitcode == 0 for p in processes), [p.exitcode for p in processes]

    errors = [f"worker {r['worker']} {e}" for r in reports for e in r["errors"]]
    assert errors == []  # no BusyError / "database is locked", no ConflictError
    seen = sorted(v for r in reports for v in r["seen"])
    updates = len(seen)
    contacts = sum(r["contacts"] for r in reports)
    assert updates == PROCESSES * ITERATIONS
    # The transactions were serialised: each read a different version, 1, 2, ..., n.
    assert seen == list(range(1, updates + 1))

    with sqlite_database.reading() as s:
        account = account_by_name(s, ACCOUNT)
        assert account.version == 1 + updates
        assert account.reason is not None and account.reason.startswith("worker ")
        audited = s.exec(select(func.count()).select_from(AuditEvent)).one()
        account_events = s.exec(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.entity == "key_account")
        ).one()
        stored_contacts = s.exec(select(func.count()).select_from(Contact)).one()
        assert s.connection().exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    assert account_events == updates  # one event per update (only the reason changes)
    assert stored_contacts == contacts
    assert audited == updates + contacts


# --- The pitfall, shown deterministically with two connections in one process ----------


def test_deferred_read_then_write_fails_at_once_despite_the_busy_timeout(
    sqlite_database: Database,
) -> None:
    """Documentation test: what BEGIN IMMEDIATE protects against.

    A reads in a deferred transaction; B takes the write lock and writes; A then tries to
    write. SQLite cannot let A wait (A's snapshot would be stale once B commits), so A gets
    "database is locked" immediately, although the busy timeout is 10 s.
    """
    cast = make_cast(sqlite_database)
    engine = sqlite_database.engine
    b = write_session(engine)  # BEGIN IMMEDIATE
    try:
        with pytest.raises(BusyError), sqlite_database.reading() as a:  # deferred BEGIN
            assert account_by_name(a, ACCOUNT).version == 1  # A holds a read snapshot
            update_account(b, cast.admin, ACCOUNT, reason="B")  # B holds the write lock
            b.flush()
            # A's write is refused while B still holds the lock: SQLite does not wait for
            # the busy timeout here (benchmarks, not tests, time how fast).
            update_account(a, cast.admin, ACCOUNT, reason="A")
        b.commit()
    finally:
        b.close()
    with sqlite_database.reading() as s:
        account = account_by_name(s, ACCOUNT)
        assert (account.version, account.reason) == (2, "B")


def test_deferred_read_then_write_fails_even_after_the_other_writer_committed(
    sqlite_database: Database,
) -> None:
    """Documentation test: a deferred reader whose snapshot is stale can never write.

    Here B has already committed when A writes, so nobody holds the lock; A still gets
    "database is locked" (SQLITE_BUSY_SNAPSHOT), because A read data B has since changed.
    """
    cast = make_cast(sqlite_database)
    engine = sqlite_database.engine
    a = read_session(engine)  # deferred BEGIN
    try:
        assert account_by_name(a, ACCOUNT).version == 1  # A's snapshot: version 1
        with sqlite_database.writing() as b:
            update_account(b, cast.admin, ACCOUNT, reason="B")  # committed: version 2
        with pytest.raises(OperationalError, match="database is locked"):
            update_account(a, cast.admin, ACCOUNT, reason="A")
        a.rollback()
    finally:
        a.close()


def test_immediate_read_then_write_waits_for_the_lock_and_reads_fresh_data(
    sqlite_database: Database,
) -> None:
    """The same interleaving with BEGIN IMMEDIATE on A: A waits, then sees B's change.

    B holds the write lock before A starts; A's transaction begins by taking the lock, so
    whatever A reads comes after B's commit. Had A not waited, it would have failed (an
    error) or read version 1 and lost B's update; it does neither.
    """
    cast = make_cast(sqlite_database)
    engine = sqlite_database.engine
    outcome: dict[str, Any] = {}
    starting = threading.Event()

    def a_transaction() -> None:
        try:
            starting.set()
            with sqlite_database.writing() as a:  # BEGIN IMMEDIATE: waits for B's lock
                seen = account_by_name(a, ACCOUNT).version
                outcome["seen"] = seen
                update_account(a, cast.admin, ACCOUNT, expected_version=seen, reason="A")
        except Exception as exc:
            outcome["error"] = exc

    b = write_session(engine)
    try:
        update_account(b, cast.admin, ACCOUNT, reason="B")  # B holds the write lock
        b.flush()
        thread = threading.Thread(target=a_transaction)
        thread.start()
        starting.wait()
        assert "seen" not in outcome  # A cannot have read: B holds the lock
        b.commit()
    finally:
        b.close()
    thread.join()
    assert "error" not in outcome, outcome["error"]
    assert outcome["seen"] == 2  # A read after B committed, and wrote on top of it
    with sqlite_database.reading() as s:
        account = account_by_name(s, ACCOUNT)
        assert (account.version, account.reason) == (3, "A")
