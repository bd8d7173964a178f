"""Migration 0004 links the events recorded before it into the hash chain, keeps the trail
append-only throughout, and goes back down (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, bindparam, inspect, text
from sqlmodel.sql.sqltypes import UTCDateTime

from db.enums import Door
from db.migrate import current_revision, downgrade, upgrade
from kam.database import Database
from kam.identity import Actor
from kam.services import audit
from kam.services.audit import list_events, verify_chain

#: Events as revision 0003 held them: no real actor, no links.
OLD_EVENTS = [
    (datetime(2026, 1, 5, 9, 0, 0, 123456, tzinfo=UTC), "ada", "cli", "user", 1, None, "(created)",
     None, '{"login": "mia", "role": "manager"}'),
    (datetime(2026, 1, 6, 17, 45, tzinfo=UTC), "mia", "tui", "contact", 4, 2, "notes",
     "first line\nsecond", "Kim 北京 — new"),
    (datetime(2026, 1, 7, 8, 0, 0, 5, tzinfo=UTC), "ada", "import", "import", None, None,
     "customers", None, '{"added": 12}'),
]  # fmt: skip

_INSERT = text(
    "INSERT INTO audit_event (at, actor, door, entity, entity_id, customer_id, field, old, new) "
    "VALUES (:at, :actor, :door, :entity, :entity_id, :customer_id, :field, :old, :new)"
).bindparams(bindparam("at", type_=UTCDateTime()))
_COLUMNS = ("at", "actor", "door", "entity", "entity_id", "customer_id", "field", "old", "new")


def at_0003_with_events(engine: Engine) -> None:
    upgrade(engine, "0003")
    with engine.begin() as conn:
        conn.execute(_INSERT, [dict(zip(_COLUMNS, event, strict=True)) for event in OLD_EVENTS])


def audit_columns(engine: Engine) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns("audit_event")}


def refuses_changes(engine: Engine) -> bool:
    """Whether UPDATE and DELETE of an audit event are both refused as append-only."""
    refused = 0
    for statement in ("UPDATE audit_event SET actor = 'mallory'", "DELETE FROM audit_event"):
        try:
            with engine.begin() as conn:
                conn.exec_driver_sql(statement)
        except Exception as error:  # the driver's error, whichever backend
            refused += "append-only" in str(error)
    return refused == 2


def test_upgrading_links_the_events_already_recorded_into_an_intact_chain(blank: Engine) -> None:
    at_0003_with_events(blank)

    upgrade(blank, "0004")

    assert current_revision(blank) == "0004"
    database = Database(blank)
    with database.reading() as s:
        report = verify_chain(s)
        events = list_events(s)[::-1]
    assert (report.intact, report.events, report.head_id) == (True, 3, events[-1].id)
    assert [(e.at, e.actor, e.real_actor, e.door, e.old, e.new) for e in events] == [
        (at, actor, None, door, old, new) for at, actor, door, _, _, _, _, old, new in OLD_EVENTS
    ]
    assert refuses_changes(blank)
    # New events, through the batch door too, go on from the migrated head.
    batch = Actor(1, "ada", "Ada", "admin", Door.BATCH)  # type: ignore[arg-type]
    with database.writing() as s:
        audit.record(s, batch, entity="key_account", entity_id=1, customer_id=1, new="x")
    with database.reading() as s:
        assert verify_chain(s, report.head_hash).events == 4
        assert list_events(s, limit=1)[0].door == "batch"


def test_downgrading_removes_the_chain_keeps_the_trail_append_only_and_upgrades_again(
    blank: Engine,
) -> None:
    at_0003_with_events(blank)
    upgrade(blank, "0004")

    downgrade(blank, "0003")

    assert current_revision(blank) == "0003"
    assert not {"real_actor", "prev_hash", "hash"} & audit_columns(blank)
    assert refuses_changes(blank)
    with pytest.raises(Exception, match="ck_audit_door|CHECK constraint"), blank.begin() as conn:
        conn.execute(_INSERT, dict(zip(_COLUMNS, OLD_EVENTS[0], strict=True)) | {"door": "batch"})
    upgrade(blank, "0004")
    with Database(blank).reading() as s:
        assert verify_chain(s).events == 3


def test_downgrading_is_refused_while_batch_events_exist(blank: Engine) -> None:
    upgrade(blank, "0004")
    database = Database(blank)
    with database.writing() as s:
        batch = Actor(1, "ada", "Ada", "admin", Door.BATCH)  # type: ignore[arg-type]
        audit.record(s, batch, entity="key_account", entity_id=1, customer_id=1, new="x")

    with pytest.raises(RuntimeError, match="batch door"):
        downgrade(blank, "0003")
    assert current_revision(blank) == "0004"
    with database.reading() as s:
        assert verify_chain(s).intact


@pytest.mark.parametrize("blank", [pytest.param("postgres", marks=pytest.mark.postgres)],
                         indirect=True)  # fmt: skip
def test_on_postgresql_only_the_owner_keeps_update_delete_and_truncate(blank: Engine) -> None:
    at_0003_with_events(blank)
    with blank.begin() as conn:
        conn.exec_driver_sql(
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'kam_clerk') "
            "THEN CREATE ROLE kam_clerk; END IF; END $$"
        )
        conn.exec_driver_sql("GRANT ALL ON audit_event TO kam_clerk")
        conn.exec_driver_sql("GRANT UPDATE, DELETE ON audit_event TO PUBLIC")

    upgrade(blank)

    with blank.connect() as conn:

        def may(role: str, privilege: str) -> bool:
            return bool(conn.execute(
                text("SELECT has_table_privilege(:r, 'audit_event', :p)"), {"r": role, "p": privilege}
            ).scalar())  # fmt: skip

        assert [may("kam_clerk", p) for p in ("SELECT", "INSERT")] == [True, True]
        assert not any(may("kam_clerk", p) for p in ("UPDATE", "DELETE", "TRUNCATE"))
        public = conn.exec_driver_sql(
            "SELECT count(*) FROM pg_class c, aclexplode(c.relacl) a WHERE c.relname = "
            "'audit_event' AND a.grantee = 0 AND a.privilege_type IN ('UPDATE', 'DELETE')"
        ).scalar()
        assert public == 0
    with pytest.raises(Exception, match="append-only"), blank.begin() as conn:
        conn.exec_driver_sql("TRUNCATE audit_event")
