"""The audit trail is hash-chained: a removed, changed, reordered or cut-off event is found,
on SQLite and PostgreSQL, however the events were written (one by one, in bulk, at once)."""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import text

from db import auditlog
from kam.database import Database
from kam.errors import InvalidData
from kam.identity import Actor
from kam.services import accounts, audit
from kam.services.audit import Entry, chain_head, list_events, verify_chain
from tests.support import Cast, make_cast

#: One event, and its canonical form written out by hand (db.auditlog's docstring).
EVENT = {
    "at": datetime(2026, 3, 1, 10, 30, 0, 123, tzinfo=timezone(timedelta(hours=1))),
    "actor": "mia",
    "real_actor": "ada",
    "door": "cli",
    "entity": "contact",
    "entity_id": 7,
    "customer_id": 3,
    "field": "name",
    "old": None,
    "new": 'Kim "Ké" 北京\n',
}
CANONICAL = (
    b'["kam-audit-1",null,"2026-03-01T09:30:00.000123Z","mia","ada","cli","contact",7,3,'
    b'"name",null,"Kim \\"K\\u00e9\\" \\u5317\\u4eac\\n"]'
)


def write(database: Database, actor: Actor, *news: str) -> None:
    """One transaction recording one event per value."""
    with database.writing() as s:
        for new in news:
            audit.record(s, actor, entity="test", entity_id=None, customer_id=None, new=new)


def ids(database: Database) -> list[int]:
    with database.reading() as s:
        return [e.id for e in list_events(s, limit=None)][::-1]


def tamper(database: Database, *statements: tuple[str, dict[str, Any]]) -> None:
    """Run SQL on audit_event past its append-only triggers, as the table's owner could:
    SQLite's triggers dropped, PostgreSQL's skipped (`replica` mode, for the owner)."""
    with database.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER audit_event_no_update")
            conn.exec_driver_sql("DROP TRIGGER audit_event_no_delete")
        else:
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        for sql, params in statements:
            conn.execute(text(sql), params)


def verified(database: Database, anchor: str | None = None):  # type: ignore[no-untyped-def]
    with database.reading() as s:
        return verify_chain(s, anchor)


def test_the_canonical_form_is_the_documented_json_and_the_hash_its_sha256() -> None:
    assert auditlog.canonical(None, EVENT) == CANONICAL
    assert auditlog.link_hash(None, EVENT) == hashlib.sha256(CANONICAL).hexdigest()
    after = auditlog.canonical("ab" * 32, EVENT)
    assert after.startswith(b'["kam-audit-1","' + b"ab" * 32 + b'","2026-03-01T09:30:00.000123Z"')


def test_a_time_hashes_the_same_as_sqlite_text_and_as_a_timestamp_in_any_zone() -> None:
    utc = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    forms = [utc, utc.astimezone(timezone(timedelta(hours=-5))), "2026-03-01 09:30:00",
             "2026-03-01 09:30:00.000000", "2026-03-01T09:30:00+00:00"]  # fmt: skip
    assert {auditlog.stamp(f) for f in forms} == {"2026-03-01T09:30:00.000000Z"}
    assert auditlog.stamp("not a time") == "not a time"


def test_a_stored_event_hashes_the_same_on_both_databases(database: Database) -> None:
    """The time goes through the database (text on SQLite, timestamptz on PostgreSQL) and
    comes back to the same canonical text."""
    with database.writing() as s:
        auditlog.append(s, [dict(EVENT)])
    with database.engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT hash FROM audit_event").scalar()
    assert stored == auditlog.link_hash(None, EVENT)
    assert verified(database).intact


def test_a_fresh_chain_verifies_and_its_head_is_the_anchor(database: Database, cast: Cast) -> None:
    assert verified(database).to_dict() == {
        "events": 0, "intact": True, "head_id": None, "head_hash": None, "broken_at": None,
        "problem": None, "anchor": None, "anchor_id": None,
    }  # fmt: skip
    write(database, cast.admin, "a", "b")
    with database.writing() as s:
        accounts.update_account(
            s, cast.manager, cast.customer, reason="QBR", retention_override=0.8
        )
    write(database, cast.manager, "c")
    with database.reading() as s:
        head = chain_head(s)
    report = verified(database, head.hash)
    assert (report.intact, report.events, report.problem) == (True, 5, None)
    assert (report.head_id, report.head_hash, report.anchor_id) == (head.id, head.hash, head.id)
    assert head.events == 5 and head.at is not None


def test_each_event_links_to_the_one_before_in_id_order(database: Database, cast: Cast) -> None:
    write(database, cast.admin, "a", "b", "c")
    with database.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT id, prev_hash, hash FROM audit_event ORDER BY id").all()
    assert rows[0].prev_hash is None
    assert [r.prev_hash for r in rows[1:]] == [r.hash for r in rows[:-1]]
    assert len({r.hash for r in rows}) == 3


def test_a_deleted_event_is_found_naming_the_event_after_it(database: Database, cast: Cast) -> None:
    write(database, cast.admin, "a", "b", "c", "d")
    first, second, third, _ = ids(database)
    tamper(database, ("DELETE FROM audit_event WHERE id = :id", {"id": second}))

    report = verified(database)

    assert (report.intact, report.broken_at, report.events) == (False, third, 1)
    assert report.problem == (
        f"event {third} does not follow event {first}: an event between them was removed, "
        "or events were reordered"
    )


def test_deleting_the_first_events_is_found(database: Database, cast: Cast) -> None:
    write(database, cast.admin, "a", "b", "c")
    first, second, _ = ids(database)
    tamper(database, ("DELETE FROM audit_event WHERE id = :id", {"id": first}))

    report = verified(database)

    assert (report.broken_at, report.events) == (second, 0)
    assert "is the first but follows another" in (report.problem or "")


def test_a_changed_field_is_found_naming_the_event(database: Database, cast: Cast) -> None:
    write(database, cast.admin, "a", "b", "c")
    _, second, _ = ids(database)
    tamper(database, ("UPDATE audit_event SET actor = 'mallory' WHERE id = :id", {"id": second}))

    report = verified(database)

    assert (report.intact, report.broken_at) == (False, second)
    assert report.problem == (
        f"event {second} does not match its hash: it was changed after it was written"
    )


def test_a_changed_time_is_found_even_when_it_is_no_time_at_all(
    sqlite_database: Database,
) -> None:
    admin = make_cast(sqlite_database).admin
    write(sqlite_database, admin, "a", "b")
    first, _ = ids(sqlite_database)
    tamper(sqlite_database, ("UPDATE audit_event SET at = 'yesterday' WHERE id = :i", {"i": first}))

    assert verified(sqlite_database).broken_at == first


_SWAP_CONTENT = (
    "UPDATE audit_event SET new = CASE id WHEN :a THEN :new_b ELSE :new_a END WHERE id IN (:a, :b)"
)


def test_two_events_with_their_content_swapped_are_found(database: Database, cast: Cast) -> None:
    write(database, cast.admin, "a", "b", "c")
    _, second, third = ids(database)
    tamper(database, (_SWAP_CONTENT, {"a": second, "b": third, "new_a": "b", "new_b": "c"}))

    report = verified(database)

    assert report.broken_at == second and "does not match its hash" in (report.problem or "")


def test_two_whole_events_swapped_hashes_and_all_are_found(database: Database, cast: Cast) -> None:
    """Each event still matches its own hash, but the order of the links is wrong."""
    write(database, cast.admin, "a", "b", "c", "d")
    first, second, third, _ = ids(database)
    with database.engine.connect() as conn:
        rows = {
            r.id: r
            for r in conn.exec_driver_sql(
                "SELECT id, at, new, prev_hash, hash FROM audit_event WHERE id IN "
                f"({second}, {third})"
            )
        }
    swap = (
        "UPDATE audit_event SET at = :at, new = :new, prev_hash = :prev_hash, hash = :hash "
        "WHERE id = :id"
    )
    tamper(
        database,
        *[(swap, {**rows[other]._asdict(), "id": this})
          for this, other in ((second, third), (third, second))],
    )  # fmt: skip

    report = verified(database)

    assert report.broken_at == second
    assert report.problem == (
        f"event {second} does not follow event {first}: an event between them was removed, "
        "or events were reordered"
    )


def test_a_cut_tail_passes_alone_and_fails_against_a_kept_anchor(
    database: Database, cast: Cast
) -> None:
    write(database, cast.admin, "a", "b")
    with database.reading() as s:
        early = chain_head(s)
    write(database, cast.admin, "c", "d")
    with database.reading() as s:
        late = chain_head(s)
    tamper(database, ("DELETE FROM audit_event WHERE id > :id", {"id": early.id}))

    assert verified(database).intact  # nothing inside the chain says it was longer
    assert verified(database, early.hash).intact
    report = verified(database, late.hash)
    assert (report.intact, report.broken_at, report.events) == (False, None, 2)
    assert report.problem == (
        f"the anchor {late.hash} is not in the chain: events after it were removed, or the "
        "chain was rebuilt"
    )


def test_a_chain_rebuilt_by_the_tables_owner_fails_against_a_kept_anchor(
    database: Database, cast: Cast
) -> None:
    write(database, cast.admin, "a", "b", "c")
    with database.reading() as s:
        kept = chain_head(s).hash
    first, second, _ = ids(database)
    # The owner removes the second event and re-links everything after it, hashes and all.
    with database.reading() as s:
        rest = [e for e in auditlog.walk(s) if e["id"] > second]
    with database.engine.connect() as conn:
        before = conn.execute(text("SELECT hash FROM audit_event WHERE id = :i"), {"i": first})
        auditlog.link(rest, before.scalar())
    relink = "UPDATE audit_event SET prev_hash = :prev_hash, hash = :hash WHERE id = :id"
    tamper(
        database,
        ("DELETE FROM audit_event WHERE id = :id", {"id": second}),
        *[(relink, {"id": e["id"], "prev_hash": e["prev_hash"], "hash": e["hash"]}) for e in rest],
    )

    assert verified(database).intact
    assert verified(database, kept).problem is not None


def test_bulk_events_chain_in_the_order_they_were_recorded(database: Database, cast: Cast) -> None:
    with database.writing() as s:
        audit.record(s, cast.admin, entity="test", entity_id=None, customer_id=None, new="one")
        written = audit.record_many(
            s, cast.admin, [Entry("test", n, None, "n", None, n) for n in range(1_500)]
        )
        audit.record(s, cast.admin, entity="test", entity_id=None, customer_id=None, new="last")
    write(database, cast.manager, "after")

    with database.reading() as s:
        events = list_events(s, limit=None)[::-1]
    assert written == 1_500
    assert [e.new for e in events] == ["one", *map(str, range(1_500)), "last", "after"]
    report = verified(database)
    assert (report.intact, report.events) == (True, 1_503)


def test_events_of_a_transaction_that_does_not_commit_leave_no_link(
    database: Database, cast: Cast
) -> None:
    write(database, cast.admin, "kept")
    with database.writing(dry_run=True) as s:
        audit.record(s, cast.admin, entity="test", entity_id=None, customer_id=None, new="dry")
    with pytest.raises(RuntimeError), database.writing() as s:
        audit.record(s, cast.admin, entity="test", entity_id=None, customer_id=None, new="lost")
        raise RuntimeError("refused halfway")
    write(database, cast.admin, "next")

    with database.reading() as s:
        assert [e.new for e in list_events(s)] == ["next", "kept"]
    assert verified(database).intact


def test_details_are_cleaned_before_they_are_stored_and_hashed(
    database: Database, cast: Cast
) -> None:
    with database.writing() as s:
        audit.record(
            s, cast.admin, entity="import\x1b[2J", entity_id=None, customer_id=None,
            field="Kunde\u202e\t", old="line one\nline\x07 two", new="\x9b31mred\u2066",
        )  # fmt: skip
    with database.reading() as s:
        (event,) = list_events(s)
    assert (event.entity, event.field) == ("import[2J", "Kunde")
    assert (event.old, event.new) == ("line one\nline two", "31mred")
    assert verified(database).intact


def test_an_anchor_must_be_a_whole_hash(database: Database) -> None:
    with pytest.raises(InvalidData, match="64 hex digits"):
        verified(database, "abc123")
    assert verified(database, " " + "AB" * 32 + "\n").anchor == "ab" * 32


def test_concurrent_writers_extend_one_chain(database: Database, cast: Cast) -> None:
    """Two writers (threads, each with its own connection) commit at the same moment, again
    and again: on PostgreSQL the chain's lock orders them, on SQLite the write lock does."""
    rounds, barrier, failures = 12, threading.Barrier(2), []

    def writer(name: str) -> None:
        try:
            for n in range(rounds):
                with database.writing() as s:
                    entries = [
                        Entry("test", n, None, name, None, f"{name}{n}.{k}") for k in range(3)
                    ]
                    audit.record_many(s, cast.admin, entries)
                    barrier.wait(timeout=30)  # both about to commit
        except Exception as error:  # pragma: no cover - reported below
            failures.append(error)
            barrier.abort()

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    report = verified(database)
    assert (report.intact, report.events, report.problem) == (True, 2 * rounds * 3, None)


@pytest.mark.parametrize("database", [pytest.param("postgres", marks=pytest.mark.postgres)],
                         indirect=True)  # fmt: skip
def test_truncate_is_refused_on_postgresql(database: Database, cast: Cast) -> None:
    write(database, cast.admin, "kept")
    with pytest.raises(Exception, match="append-only"), database.engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE audit_event")
    assert verified(database).events == 1


def test_events_recorded_before_any_query_are_forgotten_with_their_rollback(
    database: Database, cast: Cast
) -> None:
    from sqlmodel import Session

    with Session(database.engine) as s:
        audit.record(s, cast.admin, entity="test", entity_id=None, customer_id=None, new="gone")
        s.rollback()
        audit.record(s, cast.admin, entity="test", entity_id=None, customer_id=None, new="kept")
        s.commit()
    with database.reading() as s:
        assert [e.new for e in list_events(s)] == ["kept"]
