"""`kam interaction|commitment|complaint ...`: the daily records from the shell, through the
same services (roles, checks, audit) as the TUI and `kam batch`.

The CLI runs as the OS user (an admin); `as_user` acts as one of the cast. Acme is active,
run by mia and sponsored by eve; 北京 is otto's nominee.
"""

from __future__ import annotations

import pytest

from db.models import AuditEvent
from kam.database import Database
from tests.cli.conftest import Kam
from tests.cli.support import count, listed, ok, parsed, refused, usage_error

ACME, BEER = "Acme [/b] Ltd", "北京燕京啤酒"

pytestmark = pytest.mark.today("2026-06-30")


# --- kam interaction ----------------------------------------------------------------------------


def test_a_manager_logs_a_visit_with_a_contact_and_lists_it_newest_first(
    cli_db: Database, kam: Kam
) -> None:
    person = parsed(kam("contact", "add", ACME, "Kim Park", "--json", as_user="mia"))
    ok(kam("interaction", "add", ACME, "--kind", "call", "--date", "2026-05-02",
           "--summary", "Price talk", as_user="mia"))  # fmt: skip
    logged = parsed(kam("interaction", "add", ACME, "--kind", "visit", "--date", "2026-06-01",
                        "--ours", "Mia", "--contact", str(person["id"]), "--json", as_user="mia"))  # fmt: skip

    rows = listed(kam("interaction", "list", ACME, "--json"))
    assert [(r["kind"], str(r["happened_on"])) for r in rows] == [
        ("visit", "2026-06-01"), ("call", "2026-05-02"),
    ]  # fmt: skip
    assert rows[0]["contacts"] == ["Kim Park"] and logged["logged_by"] == "mia"
    assert count(cli_db, AuditEvent, AuditEvent.entity == "interaction") >= 2


def test_an_interaction_is_corrected_and_a_table_lists_it_for_people(
    cli_db: Database, kam: Kam
) -> None:
    logged = parsed(kam("interaction", "add", ACME, "--kind", "email", "--date", "2026-06-01",
                        "--json"))  # fmt: skip
    ok(kam("interaction", "update", str(logged["id"]), "--summary", "Sent the offer"))

    table = ok(kam("interaction", "list", ACME)).stdout
    assert "Sent the offer" in table and "email" in table.splitlines()[2]


def test_another_managers_account_refuses_a_log_with_exit_1(cli_db: Database, kam: Kam) -> None:
    message = refused(kam("interaction", "add", BEER, "--kind", "call", "--date", "2026-06-01",
                          as_user="mia"), 1)  # fmt: skip
    assert "mia" in message or "manage" in message


def test_a_future_interaction_is_refused_and_a_bad_kind_is_a_usage_error(
    cli_db: Database, kam: Kam
) -> None:
    refused(kam("interaction", "add", ACME, "--kind", "call", "--date", "2027-01-01"), 1)
    assert "'chat' is not one of" in usage_error(
        kam("interaction", "add", ACME, "--kind", "chat", "--date", "2026-06-01")
    )


def test_an_update_without_a_change_is_a_usage_error(cli_db: Database, kam: Kam) -> None:
    assert "nothing to change" in usage_error(kam("interaction", "update", "1"))


# --- kam commitment -----------------------------------------------------------------------------


def test_a_promise_is_recorded_listed_overdue_and_closed(cli_db: Database, kam: Kam) -> None:
    made = parsed(kam("commitment", "add", ACME, "Ship the samples", "--department",
                      "operations", "--due", "2026-06-15", "--json", as_user="mia"))  # fmt: skip
    assert (made["made_by"], made["status"]) == ("mia", "open")

    rows = listed(kam("commitment", "list", ACME, "--json"))
    assert [(r["description"], r["overdue"]) for r in rows] == [("Ship the samples", True)]
    csv_text = ok(kam("commitment", "list", ACME, "--csv")).stdout
    assert csv_text.splitlines()[0].startswith("id,customer,description")

    done = parsed(kam("commitment", "update", str(made["id"]), "--status", "done", "--json"))
    assert (done["status"], str(done["closed_on"]), done["overdue"]) == (
        "done",
        "2026-06-30",
        False,
    )


def test_a_promise_made_by_someone_outside_kam_names_them(cli_db: Database, kam: Kam) -> None:
    made = parsed(kam("commitment", "add", ACME, "Free delivery", "--department", "sales",
                      "--due", "2026-09-01", "--made-by-name", "Former Rep",
                      "--made-by-department", "sales", "--json"))  # fmt: skip
    assert (made["made_by"], made["made_by_department"]) == ("Former Rep", "sales")


def test_a_viewer_cannot_record_a_promise(cli_db: Database, kam: Kam) -> None:
    refused(kam("commitment", "add", ACME, "X", "--department", "sales", "--due", "2026-09-01",
                as_user="val"), 1)  # fmt: skip
    assert listed(kam("commitment", "list", ACME, "--json")) == []


# --- kam complaint ------------------------------------------------------------------------------


def test_a_complaint_goes_through_each_step_in_order_and_none_is_skipped(
    cli_db: Database, kam: Kam
) -> None:
    made = parsed(kam("complaint", "add", ACME, "Late delivery", "--severity", "high",
                      "--recorded-on", "2026-06-01", "--json", as_user="mia"))  # fmt: skip
    cid = str(made["id"])

    skipped = refused(kam("complaint", "advance", cid, "--to", "verified"), 1)
    assert "its next step is handled, not verified" in skipped
    ok(kam("complaint", "advance", cid, "--to", "handled", "--on", "2026-06-05",
           "--resolution", "Expedited", as_user="mia"))  # fmt: skip
    ok(kam("complaint", "advance", cid, "--to", "verified", "--on", "2026-06-10"))
    fed = parsed(kam("complaint", "advance", cid, "--to", "fed_back", "--json"))

    assert (fed["status"], fed["resolution"], str(fed["fed_back_on"])) == (
        "fed_back", "Expedited", "2026-06-30",
    )  # fmt: skip
    closed = refused(kam("complaint", "advance", cid, "--to", "fed_back"), 1)
    assert "none (it is closed)" in closed


def test_a_complaint_is_corrected_and_listed_for_people(cli_db: Database, kam: Kam) -> None:
    made = parsed(kam("complaint", "add", ACME, "Wrong invoice", "--severity", "low", "--json"))
    ok(kam("complaint", "update", str(made["id"]), "--severity", "medium"))

    rows = listed(kam("complaint", "list", ACME, "--json"))
    assert [(r["summary"], r["severity"], r["status"]) for r in rows] == [
        ("Wrong invoice", "medium", "recorded"),
    ]  # fmt: skip
    assert "Wrong invoice" in ok(kam("complaint", "list", ACME)).stdout


def test_an_unknown_complaint_is_named(cli_db: Database, kam: Kam) -> None:
    assert "No complaint has id 99" in refused(
        kam("complaint", "update", "99", "--summary", "x"), 1
    )


def test_a_dry_run_checks_but_writes_nothing(cli_db: Database, kam: Kam) -> None:
    result = ok(kam("complaint", "add", ACME, "Noise", "--severity", "low", "--dry-run"))

    assert "Dry run: nothing was written." in result.stderr
    assert listed(kam("complaint", "list", ACME, "--json")) == []
