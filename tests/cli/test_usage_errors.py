"""Usage errors exit 2 (Click's convention) and never reach the database or print a traceback."""

from __future__ import annotations

import pytest

from kam.database import Database
from tests.cli.conftest import Kam
from tests.cli.support import ok, parsed, usage_error

ACME = "Acme [/b] Ltd"


def test_an_unknown_option_is_a_usage_error(cli_db: Database, kam: Kam) -> None:
    assert "--bogus" in usage_error(kam("account", "list", "--bogus"))


def test_an_impossible_review_date_is_a_usage_error_and_changes_nothing(
    cli_db: Database, kam: Kam
) -> None:
    stderr = usage_error(kam("account", "update", ACME, "--next-review", "2026-13-01"))

    assert "2026-13-01" in stderr
    assert "YYYY-MM-DD" in stderr
    assert parsed(kam("account", "show", ACME, "--json"))["version"] == 1


def test_a_bad_demo_as_of_date_is_a_usage_error(empty_db: object, kam: Kam) -> None:
    assert "31.01.2026" in usage_error(kam("demo", "--as-of", "31.01.2026"))


@pytest.mark.parametrize(
    "args",
    [
        ("account", "show"),
        ("account", "update"),
        ("customer", "add"),
        ("user", "role", "val"),
    ],
    ids=" ".join,
)
def test_a_missing_argument_is_a_usage_error(
    cli_db: Database, kam: Kam, args: tuple[str, ...]
) -> None:
    assert "Missing argument" in usage_error(kam(*args))


def test_an_update_with_nothing_to_change_is_a_usage_error(cli_db: Database, kam: Kam) -> None:
    assert "nothing to change" in usage_error(kam("account", "update", ACME))


def test_an_unknown_status_is_a_usage_error(cli_db: Database, kam: Kam) -> None:
    assert "paused" in usage_error(kam("account", "update", ACME, "--status", "paused"))


def test_an_unknown_command_is_a_usage_error(cli_db: Database, kam: Kam) -> None:
    usage_error(kam("acount", "list"))


def test_help_lists_the_nouns(kam: Kam) -> None:
    result = ok(kam("--help"))

    for noun in ("account", "customer", "user", "audit", "init", "db", "demo"):
        assert noun in result.stdout
