"""`kam account list|show|add|update`: what managers, executives and admins see and change."""

from __future__ import annotations

import re
from datetime import date

from rich.cells import cell_len
from sqlmodel import select

from db.models import AuditEvent, Customer, KeyAccount
from kam.database import Database
from kam.identity import os_login
from tests.cli.conftest import Kam
from tests.cli.support import count, listed, ok, parsed, refused, usage_error

ACME = "Acme [/b] Ltd"
BEER = "北京燕京啤酒"
PLAIN = "Plain Prospect GmbH"


# --- reading --------------------------------------------------------------------------------


def test_an_admin_lists_the_open_key_accounts_as_json_sorted_by_customer(
    cli_db: Database, kam: Kam
) -> None:
    accounts = listed(kam("account", "list", "--json"))

    assert [a["customer"] for a in accounts] == [ACME, BEER]
    acme, beer = accounts
    assert acme["status"] == "active"
    assert acme["manager"] == "mia"
    assert acme["manager_name"] == "Mia Manager"
    assert acme["sponsor"] == "eve"
    assert acme["sponsor_name"] == "Eve Executive"
    assert acme["industry"] == "Retail"
    assert acme["region"] == "North"
    assert acme["version"] == 1
    assert beer["status"] == "nominated"
    assert beer["manager"] == "otto"
    assert beer["sponsor"] is None
    assert beer["region"] == "Asia-Pacific"


def test_listing_by_status_shows_only_that_status(cli_db: Database, kam: Kam) -> None:
    accounts = listed(kam("account", "list", "--status", "nominated", "--json"))

    assert [a["customer"] for a in accounts] == [BEER]


def test_the_account_table_shows_the_chinese_name_aligned_and_markup_literally(
    cli_db: Database, kam: Kam
) -> None:
    result = ok(kam("account", "list"))

    lines = result.stdout.splitlines()
    assert lines[0].startswith("Customer")
    assert any(BEER in line for line in lines)
    assert any(ACME in line for line in lines)  # "[/b]" is printed, not taken as markup
    # The Status column starts at the same screen column on every row, CJK counted double.
    status_at = lines[0].index("Status")
    for line in lines[2:]:
        status = "active" if ACME in line else "nominated"
        assert cell_len(line[: line.index(status)]) == status_at


def test_anyone_shows_one_account_as_json_field_by_field(cli_db: Database, kam: Kam) -> None:
    account = parsed(kam("account", "show", ACME, "--json", as_user="val"))

    assert account["customer"] == ACME
    assert account["status"] == "active"
    assert account["manager"] == "mia"
    assert account["sponsor"] == "eve"
    assert account["version"] == 1
    assert account["reason"] == ""
    assert account["retention_override"] is None
    assert account["margin_override"] is None
    assert account["next_review_on"] is None
    assert date.fromisoformat(account["nominated_on"])
    assert isinstance(account["id"], int)
    assert isinstance(account["customer_id"], int)


def test_an_account_is_found_by_its_chinese_name_and_shown_as_a_record(
    cli_db: Database, kam: Kam
) -> None:
    result = ok(kam("account", "show", BEER))

    assert BEER in result.stdout
    assert "otto" in result.stdout
    assert "nominated" in result.stdout


def test_showing_a_customer_that_is_not_a_key_account_is_refused(
    cli_db: Database, kam: Kam
) -> None:
    message = refused(kam("account", "show", PLAIN), 1)

    assert "not a key account" in message


# --- nominating -----------------------------------------------------------------------------


def test_an_admin_nominates_a_customer_with_manager_and_sponsor(cli_db: Database, kam: Kam) -> None:
    account = parsed(
        kam(
            "account",
            "add",
            PLAIN,
            "--manager",
            "mia",
            "--sponsor",
            "eve",
            "--reason",
            "Fast grower",
            "--json",
        )
    )

    assert account["customer"] == PLAIN
    assert account["status"] == "nominated"
    assert account["manager"] == "mia"
    assert account["sponsor"] == "eve"
    assert account["reason"] == "Fast grower"
    assert account["version"] == 1
    assert account["updated_by"] == os_login()
    accounts = listed(kam("account", "list", "--json"))
    assert PLAIN in [a["customer"] for a in accounts]
    assert count(cli_db, KeyAccount) == 3


def test_a_manager_nominates_a_customer_for_themselves(cli_db: Database, kam: Kam) -> None:
    account = parsed(kam("account", "add", PLAIN, "--json", as_user="mia"))

    assert account["manager"] == "mia"
    assert account["sponsor"] is None


def test_a_manager_may_not_assign_a_sponsor(cli_db: Database, kam: Kam) -> None:
    message = refused(kam("account", "add", PLAIN, "--sponsor", "eve", as_user="mia"), 1)

    assert "sponsor" in message
    assert count(cli_db, KeyAccount) == 2


def test_a_viewer_cannot_nominate_an_account(cli_db: Database, kam: Kam) -> None:
    message = refused(kam("account", "add", PLAIN, as_user="val"), 1)

    assert "val" in message
    assert "viewer" in message
    assert count(cli_db, KeyAccount) == 2


def test_nominating_an_unknown_customer_is_refused(cli_db: Database, kam: Kam) -> None:
    message = refused(kam("account", "add", "No Such Customer AG"), 1)

    assert "No Such Customer AG" in message


def test_a_customer_already_in_the_programme_cannot_be_nominated_again(
    cli_db: Database, kam: Kam
) -> None:
    message = refused(kam("account", "add", BEER), 1)

    assert "already in the programme" in message


def test_a_dry_run_nomination_shows_the_account_but_writes_nothing(
    cli_db: Database, kam: Kam
) -> None:
    result = kam("account", "add", PLAIN, "--manager", "mia", "--dry-run", "--json")

    account = parsed(result)
    assert account["customer"] == PLAIN
    assert "Dry run: nothing was written." in result.stderr
    accounts = listed(kam("account", "list", "--json"))
    assert PLAIN not in [a["customer"] for a in accounts]
    assert count(cli_db, KeyAccount) == 2
    assert count(cli_db, AuditEvent, AuditEvent.entity == "key_account") == 0


# --- updating -------------------------------------------------------------------------------


def test_an_admin_updates_the_clv_overrides_and_next_review(cli_db: Database, kam: Kam) -> None:
    account = parsed(
        kam(
            "account",
            "update",
            ACME,
            "--retention",
            "0.8",
            "--margin-forecast",
            "120000",
            "--next-review",
            "2026-06-30",
            "--reason",
            "Renewal year",
            "--json",
        )
    )

    assert account["retention_override"] == 0.8
    assert account["margin_override"] == 120000.0
    assert account["next_review_on"] == "2026-06-30"
    assert account["reason"] == "Renewal year"
    assert account["version"] == 2
    assert account["updated_by"] == os_login()
    shown = parsed(kam("account", "show", ACME, "--json"))
    assert shown["next_review_on"] == "2026-06-30"
    assert shown["version"] == 2


def test_an_update_without_json_says_the_new_version_on_stderr(cli_db: Database, kam: Kam) -> None:
    result = ok(kam("account", "update", ACME, "--reason", "x"))

    assert result.stdout == ""
    assert "version 2" in result.stderr


def test_an_admin_moves_an_account_along_the_programme(cli_db: Database, kam: Kam) -> None:
    # Vetting starts with an assessment, admission is a decision: neither is a field edit.
    assert "use `kam account assess`" in refused(
        kam("account", "update", BEER, "--status", "vetting"), 1
    )
    assert "use `kam account admit`" in refused(
        kam("account", "update", BEER, "--status", "active"), 1
    )
    account = parsed(kam("account", "update", ACME, "--status", "under_review", "--json"))
    assert account["status"] == "under_review"
    assert (
        parsed(kam("account", "update", ACME, "--status", "active", "--json"))["status"] == "active"
    )


def test_an_invalid_status_transition_is_refused(cli_db: Database, kam: Kam) -> None:
    message = refused(kam("account", "update", ACME, "--status", "nominated"), 1)

    assert "cannot go from active to nominated" in message
    assert parsed(kam("account", "show", ACME, "--json"))["status"] == "active"


def test_an_admin_acting_as_mia_updates_acme_and_the_audit_names_mia_and_the_cli(
    cli_db: Database, kam: Kam
) -> None:
    account = parsed(
        kam("account", "update", ACME, "--reason", "Visited in May", "--json", as_user="mia")
    )

    assert account["updated_by"] == "mia"
    with cli_db.reading() as session:
        acme = session.exec(select(Customer).where(Customer.name == ACME)).one()
        events = session.exec(
            select(AuditEvent).where(
                AuditEvent.customer_id == acme.id, AuditEvent.field == "reason"
            )
        ).all()
        recorded = [(e.actor, e.door.value, e.old, e.new) for e in events]
    cli_db.dispose()
    assert recorded == [("mia", "cli", "", "Visited in May")]


def test_a_manager_cannot_update_an_account_they_do_not_manage(cli_db: Database, kam: Kam) -> None:
    message = refused(kam("account", "update", BEER, "--reason", "mine now", as_user="mia"), 1)

    assert "do not manage" in message
    assert BEER in message
    assert parsed(kam("account", "show", BEER, "--json"))["version"] == 1


def test_a_manager_cannot_change_the_status_of_their_own_account(
    cli_db: Database, kam: Kam
) -> None:
    message = refused(kam("account", "update", ACME, "--status", "under_review", as_user="mia"), 1)

    assert "Only admins" in message


def test_a_retention_above_one_is_refused_as_invalid_data(cli_db: Database, kam: Kam) -> None:
    message = refused(kam("account", "update", ACME, "--retention", "1.5"), 1)

    assert message.startswith("Invalid account changes: retention_override: ")
    assert parsed(kam("account", "show", ACME, "--json"))["retention_override"] is None


def test_a_margin_forecast_of_nan_is_refused_not_said_updated(cli_db: Database, kam: Kam) -> None:
    """nan equals nothing, so it was "Updated" without being stored."""
    stderr = usage_error(kam("account", "update", ACME, "--margin-forecast", "nan"))

    assert "Invalid value for '--margin-forecast': nan is not a finite number." in stderr
    assert parsed(kam("account", "show", ACME, "--json"))["version"] == 1


def test_updating_an_unknown_customer_is_refused(cli_db: Database, kam: Kam) -> None:
    message = refused(kam("account", "update", "Nobody Ltd", "--reason", "x"), 1)

    assert "Nobody Ltd" in message


def test_a_dry_run_update_changes_nothing(cli_db: Database, kam: Kam) -> None:
    result = kam("account", "update", ACME, "--retention", "0.5", "--dry-run", "--json")

    assert parsed(result)["retention_override"] == 0.5
    assert "Dry run: nothing was written." in result.stderr
    shown = parsed(kam("account", "show", ACME, "--json"))
    assert shown["retention_override"] is None
    assert shown["version"] == 1
    assert count(cli_db, AuditEvent) == 0


def test_a_stale_version_is_refused_with_who_changed_it_and_when(
    cli_db: Database, kam: Kam
) -> None:
    ok(kam("account", "update", ACME, "--reason", "Mia's notes", as_user="mia"))

    message = refused(kam("account", "update", ACME, "--reason", "x", "--if-version", "99"), 3)

    assert "Mia Manager (mia)" in message
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", message)
    assert "now version 2" in message
    assert "you had version 99" in message
    shown = parsed(kam("account", "show", ACME, "--json"))
    assert shown["reason"] == "Mia's notes"
    assert shown["version"] == 2


def test_the_current_version_lets_the_update_through(cli_db: Database, kam: Kam) -> None:
    account = parsed(kam("account", "update", ACME, "--reason", "x", "--if-version", "1", "--json"))

    assert account["version"] == 2
