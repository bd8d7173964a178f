"""Every change leaves an audit row; a stale edit is refused and overwrites nothing."""

from __future__ import annotations

import json
from datetime import date

import pytest

from db.enums import Department, Door
from kam.database import Database
from kam.errors import ConflictError, InvalidData
from kam.services import accounts, commitments, contacts, customers
from kam.services.audit import list_events
from tests.support import Cast


def test_creating_a_record_writes_one_audit_event_with_its_values(
    database: Database, cast: Cast
) -> None:
    with database.writing() as s:
        view = contacts.add_contact(
            s, cast.manager, cast.customer, name="Kim Park", relationship_strength=4
        )
    with database.reading() as s:
        (event,) = list_events(s)
    assert (event.actor, event.door, event.entity, event.entity_id) == (
        "mia",
        "cli",
        "contact",
        view.id,
    )
    assert event.customer == cast.customer and event.field == "(created)"
    assert json.loads(event.new or "{}") == {"name": "Kim Park", "relationship_strength": "4"}


def test_an_update_writes_one_event_per_changed_field_with_old_and_new(
    database: Database, cast: Cast
) -> None:
    with database.writing() as s:
        accounts.update_account(
            s,
            cast.admin,
            cast.customer,
            reason="Joint roadmap",
            manager="otto",
            retention_override=0.9,
        )
    with database.reading() as s:
        events = {e.field: e for e in list_events(s, entity="key_account")}
    assert set(events) == {"reason", "manager", "retention_override"}
    assert (events["manager"].old, events["manager"].new) == ("mia", "otto")
    assert (events["reason"].old, events["reason"].new) == ("", "Joint roadmap")
    assert events["retention_override"].old is None
    assert all(e.actor == "ada" for e in events.values())


def test_an_unchanged_value_writes_no_event(database: Database, cast: Cast) -> None:
    with database.writing() as s:
        customers.update_customer(s, cast.admin, cast.customer, region="North")
    with database.reading() as s:
        assert list_events(s) == []


def test_the_door_is_recorded(database: Database, cast: Cast) -> None:
    from dataclasses import replace

    with database.writing() as s:
        commitments.add_commitment(
            s,
            replace(cast.manager, door=Door.TUI),
            cast.customer,
            description="QBR deck",
            department=Department.SALES,
            due_on=date(2026, 9, 1),
        )
    with database.reading() as s:
        assert [e.door for e in list_events(s)] == ["tui"]


def test_audit_can_be_read_for_one_account(database: Database, cast: Cast) -> None:
    with database.writing() as s:
        accounts.update_account(s, cast.admin, cast.customer, reason="a")
        accounts.update_account(s, cast.admin, cast.other_customer, reason="b")
    with database.reading() as s:
        acme = customers.get_customer(s, cast.customer).id
        events = list_events(s, customer_id=acme)
    assert [e.new for e in events] == ["a"]


def test_an_update_from_a_stale_version_is_refused_naming_who_changed_it_and_when(
    database: Database, cast: Cast
) -> None:
    with database.reading() as s:
        seen = accounts.get_account(s, cast.customer).version
    with database.writing() as s:  # someone else saves first
        accounts.update_account(s, cast.admin, cast.customer, expected_version=seen, reason="A")
    with pytest.raises(ConflictError) as refused, database.writing() as s:
        accounts.update_account(s, cast.manager, cast.customer, expected_version=seen, reason="B")
    message = str(refused.value)
    assert "Ada Admin (ada)" in message and "UTC" in message
    assert f"you had version {seen}" in message and "nothing was overwritten" in message
    with database.reading() as s:
        view = accounts.get_account(s, cast.customer)
    assert (view.reason, view.version, view.updated_by) == ("A", seen + 1, "ada")


def test_concurrent_sessions_cannot_both_save_the_same_version(
    database: Database, cast: Cast
) -> None:
    """The ORM's version check catches a change that lands between read and flush."""
    from sqlmodel import Session

    from db.models import KeyAccount

    with (
        Session(database.engine) as first,
        Session(database.engine, expire_on_commit=False) as second,
    ):
        b = second.get(KeyAccount, 1)  # read, and the read transaction ends
        second.commit()
        a = first.get(KeyAccount, 1)
        assert a is not None and b is not None
        a.reason = "first"
        first.commit()
        b.reason = "second"
        from sqlalchemy.orm.exc import StaleDataError

        with pytest.raises(StaleDataError):
            second.commit()
    with database.reading() as s:
        assert accounts.get_account(s, cast.customer).reason == "first"


def test_invalid_input_names_the_field_and_writes_nothing(database: Database, cast: Cast) -> None:
    # The sentence names what was given in words, then the field.
    with (
        pytest.raises(InvalidData, match="^Invalid account changes: retention_override: "),
        database.writing() as s,
    ):
        accounts.update_account(s, cast.admin, cast.customer, retention_override=1.5)
    with (
        pytest.raises(InvalidData, match="^Invalid contact: relationship_strength: "),
        database.writing() as s,
    ):
        contacts.add_contact(s, cast.admin, cast.customer, name="X", relationship_strength=9)
    with database.reading() as s:
        assert list_events(s) == []
        assert contacts.list_contacts(s, cast.customer) == []


def test_control_characters_are_removed_from_text_on_the_way_in(
    database: Database, cast: Cast
) -> None:
    with database.writing() as s:
        view = contacts.add_contact(
            s, cast.manager, cast.customer, name="Evil\x1b]0;pwned\x07 \u202eName"
        )
    assert view.name == "Evil]0;pwned Name"


def test_dry_run_rolls_everything_back(database: Database, cast: Cast) -> None:
    with database.writing(dry_run=True) as s:
        accounts.update_account(s, cast.admin, cast.customer, reason="maybe")
    with database.reading() as s:
        assert accounts.get_account(s, cast.customer).reason == ""
        assert list_events(s) == []


@pytest.mark.parametrize("database", [pytest.param("postgres", marks=pytest.mark.postgres)],
                         indirect=True)  # fmt: skip
def test_a_write_through_a_read_only_postgresql_login_is_refused_in_one_sentence(
    database: Database, cast: Cast
) -> None:
    """A login granted SELECT only: the write is refused with a sentence, not a traceback."""
    from sqlalchemy.engine import make_url

    from db.engine import make_engine
    from kam.errors import PermissionDenied
    from kam.services import accounts

    url = database.engine.url
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'kam_reader') "
            "THEN CREATE ROLE kam_reader LOGIN; END IF; END $$"
        )
        conn.exec_driver_sql(f'GRANT CONNECT ON DATABASE "{url.database}" TO kam_reader')
        conn.exec_driver_sql("GRANT USAGE ON SCHEMA public TO kam_reader")
        conn.exec_driver_sql("GRANT SELECT ON ALL TABLES IN SCHEMA public TO kam_reader")
    reader = Database(make_engine(make_url(url).set(username="kam_reader").render_as_string(
        hide_password=False)))  # fmt: skip
    try:
        with pytest.raises(
            PermissionDenied, match="refused: permission denied for table .*may only read"
        ):
            with reader.writing() as s:
                accounts.update_account(s, cast.admin, cast.customer, reason="sneaky")
    finally:
        reader.dispose()
    with database.reading() as s:
        assert accounts.get_account(s, cast.customer).reason == ""
