"""`kam import`: exit codes, summaries, JSON reports and rejects files from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from db.models import Transaction
from kam.database import Database
from tests.cli.conftest import Kam
from tests.cli.support import count, ok, parsed, refused, usage_error

ACME = "Acme [/b] Ltd"
GOOD = "customer;date;revenue;cost_of_goods\n北京燕京啤酒;01.03.2026;1.200,50;600\n"
BAD = "customer,date,revenue,cost_of_goods\nNobody,2026-03-01,1,1\nAcme [/b] Ltd,2026-03-01,2,1\n"


def test_an_admin_imports_sales_and_reads_a_summary(
    kam: Kam, cli_db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "sales.csv"
    path.write_text(GOOD, encoding="utf-8-sig")
    result = ok(kam("import", "transactions", str(path)))
    assert "read 1 row, wrote 1" in result.stderr
    report = parsed(kam("import", "transactions", str(path), "--json"))
    assert (report["written"], report["unchanged"]) == (0, 1)


def test_a_contacts_import_says_how_many_people_it_updated(
    kam: Kam, cli_db: Database, tmp_path: Path
) -> None:
    """The summary said "wrote 0, 0 already present" though the audit said updated 1."""
    path = tmp_path / "contacts.csv"
    path.write_text(f"customer,name\n{ACME},Nia Okoye\n", encoding="utf-8")
    ok(kam("import", "contacts", str(path)))
    path.write_text(f"customer,name,job_title\n{ACME},NIA OKOYE,Boss\n", encoding="utf-8")
    result = ok(kam("import", "contacts", str(path)))

    assert "contacts: read 1 row, wrote 0, updated 1, 0 already present" in result.stderr


def test_an_invalid_file_exits_1_naming_the_row_and_column(
    kam: Kam, cli_db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(BAD, encoding="utf-8")
    message = refused(kam("import", "transactions", str(path)), 1)
    assert "1 of 2 rows are invalid; nothing was imported" in message
    result = kam("import", "transactions", str(path))
    assert "  row 2, customer: unknown customer 'Nobody'" in result.stderr


def test_skip_invalid_writes_the_rejects(kam: Kam, cli_db: Database, tmp_path: Path) -> None:
    path, rejects = tmp_path / "bad.csv", tmp_path / "rejects.csv"
    path.write_text(BAD, encoding="utf-8")
    report = parsed(kam("import", "transactions", str(path), "--skip-invalid",
                        "--rejects", str(rejects), "--json"))  # fmt: skip
    assert (report["written"], report["rejected"]) == (1, 1)
    assert "unknown customer 'Nobody'" in rejects.read_text(encoding="utf-8")


def test_rejects_to_a_missing_folder_are_refused_before_anything_is_imported(
    kam: Kam, cli_db: Database, tmp_path: Path
) -> None:
    """It was an unexpected OSError once the rows were read."""
    path, rejects = tmp_path / "bad.csv", tmp_path / "nowhere" / "rejects.csv"
    path.write_text(BAD, encoding="utf-8")

    message = refused(kam("import", "transactions", str(path), "--skip-invalid",
                          "--rejects", str(rejects)), 1)  # fmt: skip
    assert message == f"{rejects.parent}: no such folder."
    assert count(cli_db, Transaction) == 0


PEOPLE = """customer,name,reports_to,owner
Acme [/b] Ltd,Pat Two,Pat Three,
Acme [/b] Ltd,Pat Three,Pat Two,
Acme [/b] Ltd,Sam Self,Sam Self,
Acme [/b] Ltd,Vi Owned,,val
Acme [/b] Ltd,Kim Fine,,mia
"""


def test_people_whose_chart_would_loop_or_owner_cannot_act_are_rows_of_their_own(
    kam: Kam, cli_db: Database, tmp_path: Path
) -> None:
    """A loop in the file stopped the whole import at writing, naming no row, even with
    --skip-invalid; a viewer as owner was taken."""
    path, rejects = tmp_path / "people.csv", tmp_path / "rejects.csv"
    path.write_text(PEOPLE, encoding="utf-8")
    result = kam("import", "contacts", str(path))
    assert "4 of 5 rows are invalid; nothing was imported" in refused(result, 1)
    assert (
        "row 2, reports_to: Pat Three already reports, directly or not, to Pat Two" in result.stderr
    )
    assert (
        "row 3, reports_to: Pat Two already reports, directly or not, to Pat Three" in result.stderr
    )
    assert "row 4, reports_to: a person cannot report to themselves" in result.stderr
    assert "row 5, owner: 'val' is a viewer, who only reads" in result.stderr

    report = parsed(kam("import", "contacts", str(path), "--skip-invalid",
                        "--rejects", str(rejects), "--json"))  # fmt: skip
    assert (report["written"], report["rejected"]) == (1, 4)
    people = parsed(kam("contact", "list", "Acme [/b] Ltd", "--json"))["rows"]
    assert [p["name"] for p in people] == ["Kim Fine"]


def test_people_reporting_to_a_refused_row_are_refused_down_the_chain(
    kam: Kam, cli_db: Database, tmp_path: Path
) -> None:
    """With --skip-invalid, a person whose boss's row was refused stopped the import with an
    unexpected KeyError."""
    path = tmp_path / "chain.csv"
    path.write_text("customer,name,reports_to\n"
                    "Acme [/b] Ltd,Self Boss,Self Boss\n"
                    "Acme [/b] Ltd,Under Boss,Self Boss\n"
                    "Acme [/b] Ltd,Under Under,Under Boss\n"
                    "Acme [/b] Ltd,Kim Fine,\n", encoding="utf-8")  # fmt: skip
    result = kam("import", "contacts", str(path))
    assert "3 of 4 rows are invalid" in refused(result, 1)
    assert "row 3, reports_to: reports to Self Boss of row 2, which is refused" in result.stderr
    assert "row 4, reports_to: reports to Under Boss of row 3, which is refused" in result.stderr
    report = parsed(kam("import", "contacts", str(path), "--skip-invalid",
                        "--rejects", str(tmp_path / "rejects.csv"), "--json"))  # fmt: skip
    assert (report["written"], report["rejected"]) == (1, 3)


def test_a_manager_cannot_import(kam: Kam, cli_db: Database, tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    path.write_text(GOOD, encoding="utf-8")
    assert "Only admins may import" in refused(
        kam("import", "transactions", str(path), as_user="mia"), 1
    )


def test_import_usage_errors_exit_2(kam: Kam, cli_db: Database, tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    path.write_text(GOOD, encoding="utf-8")
    usage_error(kam("import", "transactions", str(path), "--map", "nonsense"))
    usage_error(kam("import", "transactions", str(path), "--date-order", "ymd"))
    usage_error(kam("import", "payroll", str(path)))


def test_a_missing_file_is_named(kam: Kam, cli_db: Database, tmp_path: Path) -> None:
    assert "no such file" in refused(kam("import", "costs", str(tmp_path / "nope.csv")), 1)


def test_a_file_under_a_file_names_the_folder_that_is_not_one(
    kam: Kam, cli_db: Database, tmp_path: Path
) -> None:
    (tmp_path / "sales.csv").write_text("customer\n", encoding="utf-8")
    message = refused(kam("import", "contacts", str(tmp_path / "sales.csv" / "x.csv")), 1)

    assert message == f"{tmp_path / 'sales.csv'}: no such folder."


def test_a_folder_given_as_the_file_is_called_a_folder(
    kam: Kam, cli_db: Database, tmp_path: Path
) -> None:
    message = refused(kam("import", "transactions", str(tmp_path)), 1)

    assert message == f"{tmp_path} is a folder; name a file in it."


def test_dry_run_import_writes_nothing(kam: Kam, cli_db: Database, tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    path.write_text(GOOD, encoding="utf-8")
    first = parsed(kam("import", "transactions", str(path), "--dry-run", "--json"))
    second = json.loads(ok(kam("import", "transactions", str(path), "--json")).stdout)
    assert first["written"] == second["written"] == 1
