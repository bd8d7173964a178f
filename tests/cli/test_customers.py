"""`kam customer list|show|add`: the customer base, any script, added by admins."""

from __future__ import annotations

import pytest

from db.models import AuditEvent, Customer
from kam.database import Database
from tests.cli.conftest import Kam
from tests.cli.support import count, listed, ok, parsed, refused, usage_error

ACME = "Acme [/b] Ltd"
BEER = "北京燕京啤酒"
PLAIN = "Plain Prospect GmbH"


def test_anyone_lists_the_customers_as_json_with_their_key_account_status(
    cli_db: Database, kam: Kam
) -> None:
    customers = listed(kam("customer", "list", "--json", as_user="val"))

    by_name = {c["name"]: c for c in customers}
    assert sorted(by_name) == sorted([ACME, BEER, PLAIN])
    assert by_name[ACME]["account_status"] == "active"
    assert by_name[ACME]["industry"] == "Retail"
    assert by_name[ACME]["region"] == "North"
    assert by_name[ACME]["estimated_wallet"] == 1_000_000.0
    assert by_name[BEER]["account_status"] == "nominated"
    assert by_name[BEER]["estimated_wallet"] is None
    assert by_name[PLAIN]["account_status"] is None
    assert by_name[PLAIN]["industry"] == "Energy"


def test_the_customer_list_is_searched_and_filtered(cli_db: Database, kam: Kam) -> None:
    assert [
        c["name"] for c in listed(kam("customer", "list", "--search", "prospect", "--json"))
    ] == [PLAIN]
    assert [
        c["name"] for c in listed(kam("customer", "list", "--region", "Asia-Pacific", "--json"))
    ] == [BEER]
    assert len(listed(kam("customer", "list", "--limit", "2", "--json"))) == 2


def test_the_customer_table_shows_the_chinese_name(cli_db: Database, kam: Kam) -> None:
    result = ok(kam("customer", "list"))

    assert BEER in result.stdout
    assert ACME in result.stdout
    assert "1,000,000.00" in result.stdout


def test_a_customer_is_shown_by_its_chinese_name(cli_db: Database, kam: Kam) -> None:
    customer = parsed(kam("customer", "show", BEER, "--json"))

    assert customer["name"] == BEER
    assert customer["industry"] == "Food"
    assert customer["account_status"] == "nominated"
    assert customer["status"] == "active"


def test_a_customer_is_shown_as_a_record_for_people(cli_db: Database, kam: Kam) -> None:
    result = ok(kam("customer", "show", PLAIN))

    assert PLAIN in result.stdout
    assert "Energy" in result.stdout


def test_showing_an_unknown_customer_is_refused(cli_db: Database, kam: Kam) -> None:
    message = refused(kam("customer", "show", "Ghost GmbH"), 1)

    assert "Ghost GmbH" in message


def test_an_admin_adds_a_customer_and_finds_it_by_code(cli_db: Database, kam: Kam) -> None:
    added = parsed(
        kam(
            "customer",
            "add",
            "上海汽车",
            "--code",
            "C-0042",
            "--industry",
            "Automotive",
            "--region",
            "Asia-Pacific",
            "--status",
            "prospect",
            "--lifecycle",
            "consideration",
            "--loyalty",
            "trust",
            "--wallet",
            "250000",
            "--json",
        )
    )

    assert added["name"] == "上海汽车"
    assert added["code"] == "C-0042"
    assert added["industry"] == "Automotive"
    assert added["region"] == "Asia-Pacific"
    assert added["status"] == "prospect"
    assert added["lifecycle_stage"] == "consideration"
    assert added["loyalty_type"] == "trust"
    assert added["estimated_wallet"] == 250000.0
    assert added["account_status"] is None
    assert parsed(kam("customer", "show", "C-0042", "--json")) == added
    assert count(cli_db, AuditEvent, AuditEvent.entity == "customer") == 1


def test_adding_a_customer_says_so_on_stderr(cli_db: Database, kam: Kam) -> None:
    result = ok(kam("customer", "add", "Zeta Works AG"))

    assert result.stdout == ""
    assert "Zeta Works AG" in result.stderr


def test_a_dry_run_add_writes_no_customer(cli_db: Database, kam: Kam) -> None:
    result = kam("customer", "add", "Zeta Works AG", "--dry-run", "--json")

    assert parsed(result)["name"] == "Zeta Works AG"
    assert "Dry run: nothing was written." in result.stderr
    assert listed(kam("customer", "list", "--search", "Zeta", "--json")) == []
    assert count(cli_db, Customer) == 3
    assert count(cli_db, AuditEvent) == 0


def test_a_duplicate_name_is_refused_whatever_its_case(cli_db: Database, kam: Kam) -> None:
    message = refused(kam("customer", "add", "plain prospect gmbh"), 1)

    assert "already exists" in message
    assert count(cli_db, Customer) == 3


def test_a_manager_cannot_add_customers(cli_db: Database, kam: Kam) -> None:
    message = refused(kam("customer", "add", "Zeta Works AG", as_user="mia"), 1)

    assert "admins" in message
    assert count(cli_db, Customer) == 3


def test_an_unknown_lifecycle_stage_is_a_usage_error(cli_db: Database, kam: Kam) -> None:
    stderr = usage_error(kam("customer", "add", "Zeta Works AG", "--lifecycle", "romance"))

    assert "romance" in stderr
    assert count(cli_db, Customer) == 3


@pytest.mark.parametrize(("wallet", "shown"), [("inf", "inf"), ("nan", "nan"), ("1e999", "inf")])
def test_a_wallet_that_is_not_a_finite_number_is_a_usage_error(
    cli_db: Database, kam: Kam, wallet: str, shown: str
) -> None:
    """inf and nan would be stored, then break --json (Infinity), XLSX exports and re-imports."""
    stderr = usage_error(kam("customer", "add", "Zeta Works AG", "--wallet", wallet))

    assert f"Invalid value for '--wallet': {shown} is not a finite number." in stderr
    assert count(cli_db, Customer) == 3
