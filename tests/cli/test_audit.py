"""`kam audit`: who changed what, when, through which door."""

from __future__ import annotations

from datetime import datetime

from kam.database import Database
from kam.identity import os_login
from tests.cli.conftest import Kam
from tests.cli.support import listed, ok, refused

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
