"""`kam init`, `kam db upgrade|status` and `kam demo`: setting up a database from nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from db.migrate import head_revision
from db.models import (
    AuditEvent,
    Commitment,
    Complaint,
    Contact,
    Customer,
    Interaction,
    KeyAccount,
    ServiceCost,
    Transaction,
    User,
)
from kam.database import Database
from kam.identity import os_login
from tests.cli.conftest import Kam
from tests.cli.support import count, listed, ok, parsed, refused, sqlite_url, usage_error

DEMO = ("demo", "--customers", "40", "--years", "1", "--as-of", "2026-01-31")


def test_init_on_an_empty_file_creates_the_schema_and_makes_me_admin(
    empty_db: Path, kam: Kam
) -> None:
    report = parsed(kam("init", "--json"))

    assert report["database"] == sqlite_url(empty_db)
    assert report["revision"] == head_revision()
    assert report["admin"] == os_login()
    assert report["demo"] is None
    users = listed(kam("user", "list", "--json"))
    assert [(u["login"], u["role"]) for u in users] == [(os_login(), "admin")]
    assert count(empty_db, AuditEvent, AuditEvent.entity == "user") == 1


def test_init_tells_people_what_it_did(empty_db: Path, kam: Kam) -> None:
    result = ok(kam("init"))

    assert result.stdout == ""
    assert "Database ready" in result.stderr
    assert f"You ({os_login()}) are its first admin." in result.stderr


def test_running_init_twice_is_fine_and_makes_no_second_admin(empty_db: Path, kam: Kam) -> None:
    ok(kam("init"))

    again = parsed(kam("init", "--json"))

    assert again["admin"] is None
    assert again["revision"] == head_revision()
    assert count(empty_db, User) == 1


def test_init_on_a_database_with_users_keeps_them(cli_db: Database, kam: Kam) -> None:
    assert parsed(kam("init", "--json"))["admin"] is None
    assert count(cli_db, User) == 6


def test_commands_on_an_uninitialised_database_say_to_run_init(empty_db: Path, kam: Kam) -> None:
    message = refused(kam("account", "list"), 1)

    assert "kam init" in message


def test_db_status_reports_no_schema_then_head_after_upgrade(empty_db: Path, kam: Kam) -> None:
    before = parsed(kam("db", "status", "--json"))
    assert before == {"database": sqlite_url(empty_db), "revision": None, "head": head_revision()}

    upgraded = ok(kam("db", "upgrade"))

    assert f"Schema at {head_revision()}." in upgraded.stderr
    after = parsed(kam("db", "status", "--json"))
    assert after["revision"] == after["head"] == head_revision()
    assert count(empty_db, User) == 0  # upgrade only migrates; init makes the admin


def test_db_upgrade_on_an_up_to_date_database_changes_nothing(cli_db: Database, kam: Kam) -> None:
    ok(kam("db", "upgrade"))

    assert parsed(kam("db", "status", "--json"))["revision"] == head_revision()
    assert count(cli_db, Customer) == 3


def test_db_upgrade_to_an_unknown_revision_names_the_known_ones(cli_db: Database, kam: Kam) -> None:
    """It was an unexpected CommandError."""
    message = refused(kam("db", "upgrade", "nosuchrev"), 1)

    known = ", ".join(f"{n:04d}" for n in range(1, int(head_revision()) + 1))
    assert message == f"revision: 'nosuchrev' is unknown; the revisions are {known} (or head)."
    assert parsed(kam("db", "status", "--json"))["revision"] == head_revision()


def test_db_status_for_people(cli_db: Database, kam: Kam) -> None:
    result = ok(kam("db", "status"))

    assert "revision" in result.stdout
    assert head_revision() in result.stdout


def test_demo_fills_an_empty_database_and_reports_the_counts(empty_db: Path, kam: Kam) -> None:
    ok(kam("init"))

    summary = parsed(kam(*DEMO, "--json"))

    assert summary["customers"] == 40
    assert summary["as_of"] == "2026-01-31"
    assert summary["key_accounts"] > 0
    assert summary["transactions"] > 0
    for model, key in [
        (Customer, "customers"),
        (Transaction, "transactions"),
        (ServiceCost, "service_costs"),
        (KeyAccount, "key_accounts"),
        (Contact, "contacts"),
        (Interaction, "interactions"),
        (Commitment, "commitments"),
        (Complaint, "complaints"),
    ]:
        assert count(empty_db, model) == summary[key], key
    assert count(empty_db, User) == 1 + summary["users"]
    assert count(empty_db, Transaction, Transaction.sold_on > date(2026, 1, 31)) == 0


def test_demo_data_is_the_same_for_the_same_seed(tmp_path: Path, empty_db: Path, kam: Kam) -> None:
    other = tmp_path / "other.db"
    names, programmes = [], []
    for path in (empty_db, other):
        env = {"KAM_DATABASE_URL": sqlite_url(path)}
        ok(kam("init", env=env))
        ok(kam(*DEMO, "--seed", "11", env=env))
        customers = listed(kam("customer", "list", "--limit", "1000", "--json", env=env))
        names.append([c["name"] for c in customers])
        accounts = listed(kam("account", "list", "--all", "--json", env=env))
        programmes.append(
            [(a["customer"], a["status"], a["manager"], a["sponsor"]) for a in accounts]
        )

    assert len(names[0]) == 40
    assert names[0] == names[1]
    assert programmes[0] == programmes[1]
    assert programmes[0]


def test_another_seed_gives_other_customers(tmp_path: Path, empty_db: Path, kam: Kam) -> None:
    names = []
    for path, seed in ((empty_db, "1"), (tmp_path / "other.db", "2")):
        env = {"KAM_DATABASE_URL": sqlite_url(path)}
        ok(kam("init", env=env))
        ok(kam(*DEMO, "--seed", seed, env=env))
        names.append({c["name"] for c in listed(kam("customer", "list", "--json", env=env))})

    assert names[0] != names[1]


def test_a_dry_run_demo_writes_nothing(empty_db: Path, kam: Kam) -> None:
    ok(kam("init"))

    result = kam(*DEMO, "--dry-run", "--json")

    assert parsed(result)["customers"] == 40
    assert "Dry run: nothing was written." in result.stderr
    assert count(empty_db, Customer) == 0


def test_demo_refuses_a_database_that_has_customers(cli_db: Database, kam: Kam) -> None:
    message = refused(kam(*DEMO), 1)

    assert "already has 3 customers" in message
    assert count(cli_db, Customer) == 3


def test_only_admins_load_demo_data(empty_db: Path, kam: Kam) -> None:
    ok(kam("init"))
    ok(kam("user", "add", "mia", "--role", "manager"))

    message = refused(kam(*DEMO, as_user="mia"), 1)

    assert "admins" in message
    assert count(empty_db, Customer) == 0


def test_demo_needs_at_least_twenty_customers(empty_db: Path, kam: Kam) -> None:
    ok(kam("init"))

    assert "20" in usage_error(kam("demo", "--customers", "5"))
    assert count(empty_db, Customer) == 0


def test_demo_refuses_an_as_of_whose_history_would_start_before_1900(
    empty_db: Path, kam: Kam
) -> None:
    """0001-01-01 crashed ("unexpected OverflowError: date value out of range"), and
    1899-01-01 was loaded, with years no plan or import accepts."""
    ok(kam("init"))

    for as_of in ("0001-01-01", "1899-01-01", "1902-12-31"):
        message = refused(kam("demo", "--as-of", as_of, "--customers", "20"), 1)
        assert message == (
            f"as_of: {as_of} is too early; 3 years of demo history before it would start "
            "before 1900: give 1903-01-01 or later."
        )
    assert count(empty_db, Customer) == 0
    ok(kam("demo", "--as-of", "1903-01-01", "--customers", "20", "--dry-run"))
