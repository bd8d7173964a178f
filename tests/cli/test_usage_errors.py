"""Usage errors exit 2 (Click's convention) and never reach the database or print a traceback."""

from __future__ import annotations

import re

import pytest

from kam.database import Database
from tests.cli.conftest import Kam
from tests.cli.support import commands, ok, parsed, usage_error

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


@pytest.mark.parametrize(
    "args",
    [
        ("complaint", "advance", "100000000000000000000", "--to", "handled"),
        ("commitment", "update", "100000000000000000000", "--status", "done"),
        ("audit", "--limit", "100000000000000000000"),
        ("contact", "update", "100000000000000000000", "--name", "X"),
    ],
    ids=" ".join,
)
def test_a_number_beyond_64_bits_is_a_usage_error_naming_it(
    cli_db: Database, kam: Kam, args: tuple[str, ...]
) -> None:
    """These crashed: "unexpected OverflowError: Python int too large to convert to SQLite
    INTEGER"."""
    message = usage_error(kam(*args))

    assert "100000000000000000000 is too large; at most 9,223,372,036,854,775,807." in message


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


#: Options that take a date, by name: a new one is parsed as a date or this test fails.
DATE_OPTION = re.compile(r"^--(.*date.*|as-of|next-review|.*-on)$")
DATE_OPTIONS = [
    pytest.param(command, option, id=f"{command} {option}")
    for command, options in commands()
    for option in sorted(options)
    if DATE_OPTION.match(option) and option != "--date-order"  # dmy or mdy, not a date
]


def test_the_date_options_are_found() -> None:
    found = {tuple(case.values) for case in DATE_OPTIONS}

    assert {("account show", "--as-of"), ("review record", "--next-review"),
            ("sponsor visit", "--date"), ("demo", "--as-of")} <= found  # fmt: skip


@pytest.mark.parametrize(("command", "option"), DATE_OPTIONS)
def test_a_bad_date_is_a_usage_error_that_names_its_option(
    empty_db: object, kam: Kam, command: str, option: str
) -> None:
    stderr = usage_error(kam(*command.split(), option, "2026-13-01"))

    assert f"Invalid value for '{option}': '2026-13-01' is not a date (YYYY-MM-DD)." in stderr


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("account", "update", ACME), "'--status' / '--manager'"),
        (("manager", "skills", "mia"), "'--finance' / '--consulting'"),
        (("account", "admit", ACME, "--rationale", "x", "--override"), "'--override'"),
        (("account", "assess", ACME, "--score", "advocacy"), "'--score'"),
        (
            (
                "review",
                "record",
                ACME,
                "--perceived",
                "5",
                "--expected",
                "5",
                "--decision",
                "retain",
                "--score",
                "advocacy=high",
            ),
            "'--score'",
        ),  # fmt: skip
        (("import", "customers", "x.csv", "--map", "oops"), "'--map'"),
        (("tui", "--area", "moon"), "'--area'"),
    ],
    ids=lambda value: value if isinstance(value, str) else " ".join(value[:2]),
)
def test_a_usage_error_raised_by_a_command_names_its_option(
    cli_db: Database, kam: Kam, args: tuple[str, ...], named: str
) -> None:
    assert f"Invalid value for {named}" in usage_error(kam(*args))
