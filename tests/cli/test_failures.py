"""Every failure a user can cause is one line on stderr with the documented exit code:
no traceback, no Rich panel, nothing a terminal would act on."""

from __future__ import annotations

from pathlib import Path

import pytest

from kam.database import Database
from tests.cli.conftest import Kam
from tests.cli.support import refused


def test_an_unreachable_server_is_one_line_naming_it_and_exit_3(kam: Kam) -> None:
    url = "postgresql+psycopg://kam:secret@127.0.0.1:1/kam"
    message = refused(kam("account", "list", env={"KAM_DATABASE_URL": url}), 3)
    assert message.startswith("Cannot reach postgresql+psycopg://kam:***@127.0.0.1:1/kam")
    assert "secret" not in message
    refused(kam("init", env={"KAM_DATABASE_URL": url}), 3)
    refused(kam("db", "status", env={"KAM_DATABASE_URL": url}), 3)


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("KAM_BUSY_TIMEOUT_MS", "abc", "KAM_BUSY_TIMEOUT_MS is 'abc'"),
        ("KAM_BUSY_TIMEOUT_MS", "-5", "whole number of milliseconds"),
        ("KAM_DATABASE_URL", "not a url", "KAM_DATABASE_URL is not a database URL"),
        ("KAM_DATABASE_URL", "mysql://x@y/z", "kam runs on SQLite or PostgreSQL"),
    ],
)
def test_a_bad_setting_is_one_line_naming_it_and_exit_2(
    kam: Kam, cli_db: Database, name: str, value: str, said: str
) -> None:
    assert said in refused(kam("account", "list", env={name: value}), 2)


def test_bare_kam_without_a_terminal_prints_the_help_and_exits_2(kam: Kam) -> None:
    result = kam()  # CliRunner's stdin and stdout are not terminals
    assert result.exit_code == 2
    assert "Usage" in result.stdout and "account" in result.stdout
    assert result.stderr.strip() == (
        "kam: the TUI needs a terminal; give a command (see above) to script kam."
    )
    assert "\x1b[?1049h" not in result.stdout  # no alternate screen: the TUI never started


def test_kam_tui_without_a_terminal_refuses_in_one_line(kam: Kam, cli_db: Database) -> None:
    assert "the TUI needs a terminal" in refused(kam("tui"), 2)


def test_the_tui_on_a_database_not_set_up_refuses_in_one_line_before_drawing(
    kam: Kam, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kam.cli.main as main

    monkeypatch.setattr(main, "_on_a_terminal", lambda: True)
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    result = kam("tui", env={"KAM_DATABASE_URL": url})
    assert "no kam schema yet: run `kam init` first" in refused(result, 1)
    assert "\x1b[?1049h" not in result.stdout  # no alternate screen: the TUI never started


def test_an_unforeseen_failure_is_one_line_and_kam_debug_shows_it(
    kam: Kam, cli_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kam.services.users as users

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("disk on fire\nsecond line")

    monkeypatch.setattr(users, "list_users", broken)
    message = refused(kam("user", "list"), 1)
    assert message == (
        "unexpected RuntimeError: disk on fire (KAM_DEBUG=1 shows where; please report it)."
    )
    debug = kam("user", "list", env={"KAM_DEBUG": "1"})
    assert isinstance(debug.exception, RuntimeError)


def test_text_from_data_reaches_the_terminal_cleaned(kam: Kam, cli_db: Database) -> None:
    from sqlalchemy import text

    hostile = "Evil\x1b]0;pwned\x07 \u202eCorp\x9b2J"
    with cli_db.engine.begin() as conn:
        conn.execute(text("UPDATE customer SET industry = :i WHERE id = 1"), {"i": hostile})
    table = kam("customer", "list")
    assert "\x1b" not in table.stdout and "\u202e" not in table.stdout
    assert "\x9b" not in table.stdout and "Evil]0;pwned Corp2J" in table.stdout
    as_json = kam("customer", "list", "--json").stdout
    assert "\\u001b]0;pwned\\u0007 \\u202eCorp\\u009b2J" in as_json  # escaped, nothing lost
    as_csv = kam("customer", "list", "--csv").stdout
    assert "\x1b" not in as_csv and "\u202e" not in as_csv and "\x9b" not in as_csv
