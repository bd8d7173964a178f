"""`kam audit`: who changed what, when, through which door."""

from __future__ import annotations

import json
from datetime import datetime

from kam.database import Database
from kam.identity import os_login
from tests.cli.conftest import Kam
from tests.cli.support import listed, ok, parsed, refused, usage_error

ACME = "Acme [/b] Ltd"
BEER = "北京燕京啤酒"


def test_an_untouched_database_has_an_empty_audit(cli_db: Database, kam: Kam) -> None:
    assert listed(kam("audit", "--json")) == []
    assert "(none)" in ok(kam("audit")).stdout


def test_the_audit_of_one_account_shows_each_changed_field_newest_first(
    cli_db: Database, kam: Kam
) -> None:
    ok(kam("account", "update", ACME, "--reason", "First visit", as_user="mia"))
    ok(kam("account", "update", ACME, "--retention", "0.9", "--next-review", "2026-09-01"))
    ok(kam("account", "update", BEER, "--reason", "Elsewhere"))

    events = listed(kam("audit", "--account", ACME, "--json"))

    assert {e["customer"] for e in events} == {ACME}
    assert [e["id"] for e in events] == sorted((e["id"] for e in events), reverse=True)
    changes = {(e["actor"], e["field"], e["old"], e["new"]) for e in events}
    assert changes == {
        ("mia", "reason", "", "First visit"),
        (os_login(), "retention_override", None, "0.9"),
        (os_login(), "next_review_on", None, "2026-09-01"),
    }
    for event in events:
        assert event["door"] == "cli"
        assert event["entity"] == "key_account"
        assert isinstance(event["entity_id"], int)
        assert datetime.fromisoformat(event["at"])


def test_the_whole_audit_includes_every_customer_and_user_changes(
    cli_db: Database, kam: Kam
) -> None:
    ok(kam("account", "update", BEER, "--reason", "Elsewhere"))
    ok(kam("user", "add", "nina", "--role", "viewer"))

    events = listed(kam("audit", "--json"))

    assert [(e["entity"], e["customer"]) for e in events] == [("user", None), ("key_account", BEER)]
    assert [e["entity"] for e in listed(kam("audit", "--entity", "user", "--json"))] == ["user"]
    assert len(listed(kam("audit", "--limit", "1", "--json"))) == 1


def test_the_audit_table_shows_the_chinese_customer(cli_db: Database, kam: Kam) -> None:
    ok(kam("account", "update", BEER, "--reason", "新的备注"))

    result = ok(kam("audit"))

    assert result.stdout.splitlines()[0].startswith("When (UTC)")
    assert BEER in result.stdout
    assert "新的备注" in result.stdout


def test_the_audit_of_an_unknown_customer_is_refused(cli_db: Database, kam: Kam) -> None:
    message = refused(kam("audit", "--account", "Nobody Ltd"), 1)

    assert "Nobody Ltd" in message


def test_an_admin_acting_as_another_user_is_named_with_them(cli_db: Database, kam: Kam) -> None:
    ok(kam("account", "update", ACME, "--reason", "On Mia's behalf", as_user="mia"))
    ok(kam("account", "update", ACME, "--reason", "Myself"))

    acting, itself = listed(kam("audit", "--json"))[::-1]
    table = ok(kam("audit")).stdout

    assert (acting["actor"], acting["real_actor"]) == ("mia", os_login())
    assert (itself["actor"], itself["real_actor"]) == (os_login(), os_login())
    assert f"{os_login()} as mia" in table
    assert f"{os_login()} as {os_login()}" not in table


def _tamper(db: Database, statement: str) -> None:
    """Change the trail past its append-only triggers, as whoever can write the file could."""
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER audit_event_no_update")
        conn.exec_driver_sql("DROP TRIGGER audit_event_no_delete")
        conn.exec_driver_sql(statement)


def test_verify_says_the_chain_is_intact_in_one_line(cli_db: Database, kam: Kam) -> None:
    ok(kam("account", "update", ACME, "--reason", "One", "--retention", "0.9"))
    anchor = parsed(kam("audit", "anchor", "--json"))

    result = ok(kam("audit", "verify"))

    assert result.stdout == f"2 events, chain intact, head {anchor['hash']}\n"
    assert (anchor["events"], len(anchor["hash"])) == (2, 64)
    report = parsed(kam("audit", "verify", "--json"))
    assert (report["intact"], report["events"], report["head_id"]) == (True, 2, anchor["id"])


def test_anchor_prints_the_head_to_keep_and_verify_checks_it_later(
    cli_db: Database, kam: Kam
) -> None:
    ok(kam("account", "update", ACME, "--reason", "One"))
    shown = ok(kam("audit", "anchor"))
    kept = parsed(kam("audit", "anchor", "--json"))["hash"]
    ok(kam("account", "update", ACME, "--reason", "Two"))

    assert kept in shown.stdout and f"kam audit verify --anchor {kept}" in shown.stderr
    assert ok(kam("audit", "verify", "--anchor", kept.upper())).stdout.endswith(
        f"; anchor at event {parsed(kam('audit', '--json'))['rows'][1]['id']}\n"
    )


def test_verify_names_the_first_broken_event_and_exits_1(cli_db: Database, kam: Kam) -> None:
    ok(kam("account", "update", ACME, "--reason", "One"))
    ok(kam("account", "update", ACME, "--reason", "Two"))
    ok(kam("account", "update", ACME, "--reason", "Three"))
    first, second, _ = [e["id"] for e in listed(kam("audit", "--json"))][::-1]
    _tamper(cli_db, f"UPDATE audit_event SET new = 'Deux' WHERE id = {second}")

    message = refused(kam("audit", "verify"), 1)
    result = kam("audit", "verify", "--json")

    assert message == (
        f"The audit chain is broken: event {second} does not match its hash: it was changed "
        "after it was written."
    )
    report = json.loads(result.stdout)
    assert result.exit_code == 1
    assert (report["intact"], report["broken_at"], report["events"], report["head_id"]) == (
        False, second, 1, first,
    )  # fmt: skip


def test_verify_against_an_anchor_the_chain_lost_exits_1(cli_db: Database, kam: Kam) -> None:
    ok(kam("account", "update", ACME, "--reason", "One"))
    ok(kam("account", "update", ACME, "--reason", "Two"))
    head = parsed(kam("audit", "anchor", "--json"))
    _tamper(cli_db, f"DELETE FROM audit_event WHERE id = {head['id']}")

    ok(kam("audit", "verify"))
    message = refused(kam("audit", "verify", "--anchor", head["hash"]), 1)

    assert f"the anchor {head['hash']} is not in the chain" in message


def test_an_anchor_that_is_not_a_hash_is_a_usage_error(cli_db: Database, kam: Kam) -> None:
    stderr = usage_error(kam("audit", "verify", "--anchor", "deadbeef"))

    assert "Invalid value for '--anchor'" in stderr and "64 hex digits" in stderr


def test_an_empty_trail_has_nothing_to_anchor(cli_db: Database, kam: Kam) -> None:
    result = ok(kam("audit", "anchor", "--json"))

    assert json.loads(result.stdout) == {"id": None, "hash": None, "at": None, "events": 0}
    assert "nothing to anchor" in result.stderr
    assert ok(kam("audit", "verify")).stdout == "0 events, chain intact, head (none)\n"
