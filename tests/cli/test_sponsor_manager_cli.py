"""`kam sponsor ...` and `kam manager ...`: what admins script and executives record.

The CLI runs as the OS user (an admin); `as_user` acts as one of the cast. Acme is active
since 2025-01-15, run by mia and sponsored by eve; 北京 is otto's nominee without a sponsor.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import select

from db.enums import InteractionKind
from db.models import AuditEvent, Customer, Interaction, KeyAccount, User
from kam.database import Database
from tests.cli.conftest import Kam
from tests.cli.support import count, listed, ok, parsed, refused, usage_error
from tests.cli.test_imports import heavy_modules, run_kam

ACME, BEER, PLAIN = "Acme [/b] Ltd", "北京燕京啤酒", "Plain Prospect GmbH"


def sponsor_more(cli_db: Database, login: str, count_: int) -> None:
    """Give `login` more open accounts to sponsor (directly, not through the rules)."""
    with cli_db.writing() as s:
        user_id = s.exec(select(User.id).where(User.login == login)).one()
        for i in range(count_):
            customer = Customer(name=f"Sponsored {i + 1}")
            s.add(customer)
            s.flush()
            s.add(KeyAccount(customer_id=customer.id, status="active", sponsor_id=user_id))
    cli_db.dispose()


# --- kam sponsor --------------------------------------------------------------------------------


def test_an_admin_assigns_a_sponsor_and_gets_the_account_as_json(
    cli_db: Database, kam: Kam
) -> None:
    account = parsed(kam("sponsor", "assign", BEER, "eve", "--json"))

    assert (account["customer"], account["sponsor"], account["version"]) == (BEER, "eve", 2)
    assert count(cli_db, AuditEvent, AuditEvent.field == "sponsor") == 1


def test_a_human_assignment_says_who_sponsors_on_stderr(cli_db: Database, kam: Kam) -> None:
    result = ok(kam("sponsor", "assign", BEER, "eve"))

    assert result.stdout == ""
    assert f"'{BEER}' is sponsored by Eve Executive (eve); now version 2." in result.stderr


def test_assigning_an_executive_at_the_sponsor_limit_is_refused_naming_the_rule(
    cli_db: Database, kam: Kam
) -> None:
    sponsor_more(cli_db, "eve", 2)

    message = refused(kam("sponsor", "assign", BEER, "eve"), 1)

    assert "'eve' already sponsors 3 open key accounts" in message
    assert "at most 3 (programme setting sponsor_limit)" in message
    assert count(cli_db, KeyAccount, KeyAccount.sponsor_id.is_not(None)) == 3  # type: ignore[union-attr]


def test_a_manager_cannot_assign_a_sponsor(cli_db: Database, kam: Kam) -> None:
    message = refused(kam("sponsor", "assign", BEER, "eve", as_user="mia"), 1)

    assert message.startswith("Only admins may assign executive sponsors")


def test_a_dry_run_assignment_writes_nothing(cli_db: Database, kam: Kam) -> None:
    account = parsed(kam("sponsor", "assign", BEER, "eve", "--dry-run", "--json"))

    assert account["sponsor"] == "eve"
    assert count(cli_db, AuditEvent) == 0


def test_a_stale_version_is_a_conflict_exit_3(cli_db: Database, kam: Kam) -> None:
    message = refused(kam("sponsor", "assign", BEER, "eve", "--if-version", "7"), 3)

    assert "you had version 7" in message


def test_the_sponsor_records_a_visit_with_notes(cli_db: Database, kam: Kam) -> None:
    visit = parsed(
        kam("sponsor", "visit", ACME, "--date", "2026-01-10", "--notes", "Roadmap agreed.",
            "--json", as_user="eve")
    )  # fmt: skip

    assert (visit["kind"], visit["happened_on"], visit["summary"], visit["logged_by"]) == (
        "executive_visit",
        "2026-01-10",
        "Roadmap agreed.",
        "eve",
    )
    assert count(cli_db, Interaction, Interaction.kind == InteractionKind.EXECUTIVE_VISIT) == 1


def test_an_executive_cannot_record_a_visit_to_an_account_they_do_not_sponsor(
    cli_db: Database, kam: Kam
) -> None:
    message = refused(
        kam("sponsor", "visit", BEER, "--date", "2026-01-10", "--notes", "x", as_user="eve"), 1
    )

    assert "Only the account's executive sponsor or an admin" in message
    assert count(cli_db, Interaction) == 0


def test_a_visit_needs_a_valid_date_and_notes(cli_db: Database, kam: Kam) -> None:
    assert "is not a date" in usage_error(
        kam("sponsor", "visit", ACME, "--date", "10/01/2026", "--notes", "x")
    )
    usage_error(kam("sponsor", "visit", ACME, "--date", "2026-01-10"))
    assert count(cli_db, Interaction) == 0


def test_overdue_visits_as_of_a_date_as_json(cli_db: Database, kam: Kam) -> None:
    assert listed(kam("sponsor", "overdue", "--as-of", "2025-04-15", "--json")) == []

    [late] = listed(kam("sponsor", "overdue", "--as-of", "2025-04-16", "--json"))

    # Admitted 2025-01-15, never visited: due 90 days later, on 2025-04-15.
    assert (late["customer"], late["sponsor"], late["last_visit"]) == (ACME, "eve", None)
    assert (late["due_on"], late["days_overdue"]) == ("2025-04-15", 1)


def test_overdue_visits_as_a_table(cli_db: Database, kam: Kam) -> None:
    ok(kam("sponsor", "visit", ACME, "--date", "2026-01-10", "--notes", "x"))

    lines = ok(kam("sponsor", "overdue", "--as-of", "2026-05-01")).stdout.splitlines()

    assert lines[0].split() == ["Customer", "Status", "Sponsor", "Last", "visit", "Days", "since",
                                "Due", "Days", "overdue"]  # fmt: skip
    assert lines[2].split()[-4:] == ["2026-01-10", "111", "2026-04-10", "21"]


def test_the_sponsor_list_shows_load_against_the_limit(cli_db: Database, kam: Kam) -> None:
    [eve] = [s for s in listed(kam("sponsor", "list", "--json")) if s["login"] == "eve"]
    table = ok(kam("sponsor", "list")).stdout

    assert (eve["accounts"], eve["count"], eve["limit"]) == ([ACME], 1, 3)
    assert any("eve" in line and "1/3" in line and ACME in line for line in table.splitlines())


# --- kam manager --------------------------------------------------------------------------------


def test_an_admin_scores_skills_and_only_the_given_ones_change(cli_db: Database, kam: Kam) -> None:
    ok(kam("manager", "skills", "mia", "--finance", "4", "--consulting", "2"))
    profile = parsed(kam("manager", "skills", "mia", "--consulting", "3", "--json"))

    assert profile["skills"] == {"finance": 4, "consulting": 3, "planning": None,
                                 "interpersonal": None, "influence": None}  # fmt: skip


def test_a_score_outside_1_to_5_is_invalid_data(cli_db: Database, kam: Kam) -> None:
    message = refused(kam("manager", "skills", "mia", "--finance", "7"), 1)

    assert message.startswith("Invalid skills: finance")


def test_skills_without_any_score_is_a_usage_error(cli_db: Database, kam: Kam) -> None:
    assert "give at least one skill score" in usage_error(kam("manager", "skills", "mia"))


def test_a_manager_cannot_score_their_own_skills(cli_db: Database, kam: Kam) -> None:
    message = refused(kam("manager", "skills", "mia", "--finance", "5", as_user="mia"), 1)

    assert message.startswith("Only admins may score managers' skills")


def test_an_admin_records_training(cli_db: Database, kam: Kam) -> None:
    course = parsed(
        kam("manager", "train", "mia", "--course", "Value selling", "--date", "2026-03-01",
            "--note", "Passed", "--json")
    )  # fmt: skip
    profile = parsed(kam("manager", "show", "mia", "--json"))

    assert (course["course"], course["taken_on"], course["note"]) == (
        "Value selling",
        "2026-03-01",
        "Passed",
    )
    assert [t["course"] for t in profile["trainings"]] == ["Value selling"]
    refused(kam("manager", "train", "eve", "--course", "x", "--date", "2026-03-01"), 1)


def test_assigning_an_unscored_manager_warns_on_stderr_and_in_json(
    cli_db: Database, kam: Kam
) -> None:
    result = ok(kam("manager", "assign", BEER, "mia", "--json"))
    account = json.loads(result.stdout)

    assert account["manager"] == "mia" and account["version"] == 2
    assert account["warning"].startswith("Mia Manager (mia) has finance unscored")
    assert f"Warning: {account['warning']}" in result.stderr


def test_account_update_with_a_manager_warns_as_manager_assign_does(
    cli_db: Database, kam: Kam
) -> None:
    result = ok(kam("account", "update", BEER, "--manager", "mia"))

    assert "Warning: Mia Manager (mia) has finance unscored" in result.stderr
    assert "Warning" not in ok(kam("account", "update", BEER, "--reason", "x")).stderr


def test_assigning_a_manager_with_all_skills_3_or_more_does_not_warn(
    cli_db: Database, kam: Kam
) -> None:
    ok(kam("manager", "skills", "mia", "--finance", "3", "--consulting", "3", "--planning", "4",
           "--interpersonal", "5", "--influence", "3"))  # fmt: skip

    result = ok(kam("manager", "assign", BEER, "mia"))

    assert "Warning" not in result.stderr
    assert f"'{BEER}' is managed by Mia Manager (mia); now version 2." in result.stderr


def test_assigning_a_manager_at_the_limit_is_refused_naming_the_rule(
    cli_db: Database, kam: Kam
) -> None:
    ok(kam("programme", "set", "manager_limit", "1"))

    message = refused(kam("manager", "assign", BEER, "mia"), 1)

    assert f"'mia' already manages 1 open key account ('{ACME}')" in message
    assert "programme setting manager_limit" in message


def test_a_viewer_cannot_assign_a_manager(cli_db: Database, kam: Kam) -> None:
    refused(kam("manager", "assign", BEER, "mia", as_user="val"), 1)


def test_the_manager_list_shows_skills_courses_and_load(cli_db: Database, kam: Kam) -> None:
    ok(kam("manager", "skills", "otto", "--finance", "2"))

    managers = {m["login"]: m for m in listed(kam("manager", "list", "--json"))}
    table = ok(kam("manager", "list")).stdout.splitlines()

    assert set(managers) == {"mia", "otto"}
    assert (managers["mia"]["load"], managers["mia"]["limit"]) == (1, 5)
    assert managers["otto"]["skills"]["finance"] == 2
    assert "otto" in table[3] and "1/5" in table[3] and BEER in table[3]


# --- start-up stays light -----------------------------------------------------------------------


def test_sponsor_and_manager_commands_import_neither_pandas_nor_textual(
    cli_db: Database, tmp_path: Path
) -> None:
    for args in (("sponsor", "overdue", "--json"), ("manager", "list", "--json")):
        exit_code, modules, stdout = run_kam(tmp_path, *args)
        assert exit_code == 0, stdout
        assert heavy_modules(modules) == []


def test_account_health_lists_every_open_account_with_reasons_and_the_rule(
    kam: Kam, cli_db: Database
) -> None:
    rows = listed(kam("account", "health", "--as-of", "2026-06-30", "--json"))
    assert {r["customer"] for r in rows} == {"Acme [/b] Ltd", "北京燕京啤酒"}
    assert all(r["status"] in ("green", "amber", "red") for r in rows)
    out = ok(kam("account", "health", "Acme [/b] Ltd", "--rule")).stdout
    assert "Red if any of:" in out and "Otherwise green." in out
