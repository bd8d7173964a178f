"""`kam export KIND FILE`: what goes out comes back. For each kind: export, import into an
empty database (users only), export again, and the two files are the same bytes (CSV) or
the same rows (XLSX). Accounts are export-only.

The data: the cast's three customers and three whose names or codes a spreadsheet would run
as formulas, sales lines with orders and lines, a return, two identical lines without an
order (keyed by their content), a cost whose note starts with @, money with a third decimal
to round, and two people at Acme (one reporting to the other, owned by mia).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from db.enums import Role
from db.models import Contact, Customer, Transaction, User
from kam.database import Database
from kam.identity import os_login
from tests.cli.conftest import Kam
from tests.cli.support import count, ok, parsed, refused, sqlite_url, usage_error
from tests.support import fresh_sqlite

ACME = "Acme [/b] Ltd"
KINDS = ("customers", "transactions", "costs", "contacts")

pytestmark = pytest.mark.today("2026-12-01")


SALES = """customer,date,revenue,cost_of_goods,quantity,product,order_id,line
Acme [/b] Ltd,2025-08-01,1000,600,1,,A1,1
Acme [/b] Ltd,2025-08-01,500.25,250,2,P2,A1,2
Acme [/b] Ltd,2026-03-01,-20,-10,-1,P2,R7,1
北京燕京啤酒,2024-10-01,300,200,1,,B0,
Plain Prospect GmbH,2026-04-01,10.005,2.5,2.5,'+P1,,
Plain Prospect GmbH,2026-04-01,10.005,2.5,2.5,'+P1,,
"""
COSTS = """customer,date,category,amount,note
Acme [/b] Ltd,2026-01-15,logistics,100,
北京燕京啤酒,2026-04-02,other,7,'@SUM(A1:A9)
"""


@pytest.fixture
def source(cli_db: Database, kam: Kam, tmp_path: Path) -> Database:
    """The cast's database with every kind of row an export must carry, brought in as kam
    brings them in (imports, commands)."""
    ok(kam("customer", "add", '=HYPERLINK("http://x")', "--code", "-C9", "--wallet", "1200.505"))
    ok(kam("customer", "add", "--", "-1"))
    ok(kam("customer", "add", "'=quoted", "--industry", "@Retail"))
    (tmp_path / "in").mkdir()
    for kind, content in (("transactions", SALES), ("costs", COSTS)):
        (tmp_path / "in" / f"{kind}.csv").write_text(content, encoding="utf-8")
        ok(kam("import", kind, str(tmp_path / "in" / f"{kind}.csv")))
    boss = parsed(kam("contact", "add", ACME, "Kim Park", "--title", "CEO", "--influence", "5",
                      "--owner", "mia", "--json"))  # fmt: skip
    ok(kam("contact", "add", ACME, "Lee Chan", "--role", "user", "--cadence", "30",
           "--reports-to", str(boss["id"]), "--stance", "champion"))  # fmt: skip
    return cli_db


@pytest.fixture
def empty_url(tmp_path: Path, sqlite_template: Path) -> str:
    """An empty database with the same logins (you as admin, the cast's people)."""
    folder = tmp_path / "empty"
    folder.mkdir()
    db = fresh_sqlite(sqlite_template, folder)
    with db.writing() as s:
        s.add(User(login=os_login(), display_name="Test Runner", role=Role.ADMIN))
        for login in ("ada", "mia", "otto", "eve", "val"):
            s.add(User(login=login, display_name=login, role=Role.MANAGER))
    db.dispose()
    return sqlite_url(folder / "kam.db")


def _round_trip(kam: Kam, tmp_path: Path, empty_url: str, fmt: str) -> dict[str, Path]:
    """Export each kind, import them in order into the empty database, export again."""
    second = {"KAM_DATABASE_URL": empty_url}
    again: dict[str, Path] = {}
    for kind in KINDS:
        first = tmp_path / f"{kind}.{fmt}"
        ok(kam("export", kind, str(first)))
        ok(kam("import", kind, str(first), env=second))
        again[kind] = tmp_path / f"{kind}.again.{fmt}"
        ok(kam("export", kind, str(again[kind]), env=second))
    return again


@pytest.mark.parametrize("kind", KINDS)
def test_a_csv_export_imported_into_an_empty_database_exports_the_same_bytes(
    source: Database, kam: Kam, tmp_path: Path, empty_url: str, kind: str
) -> None:
    again = _round_trip(kam, tmp_path, empty_url, "csv")

    assert again[kind].read_bytes() == (tmp_path / f"{kind}.csv").read_bytes()


@pytest.mark.parametrize("kind", KINDS)
def test_an_xlsx_export_imported_into_an_empty_database_gives_the_same_rows(
    source: Database, kam: Kam, tmp_path: Path, empty_url: str, kind: str
) -> None:
    from python_calamine import CalamineWorkbook

    again = _round_trip(kam, tmp_path, empty_url, "xlsx")

    def rows(path: Path) -> list[list[object]]:
        return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()

    first = rows(tmp_path / f"{kind}.xlsx")
    assert rows(again[kind]) == first
    assert len(first) > 1


def test_the_csv_is_utf8_with_a_bom_money_in_cents_and_formulas_neutralised(
    source: Database, kam: Kam, tmp_path: Path
) -> None:
    ok(kam("export", "customers", str(tmp_path / "c.csv")))
    ok(kam("export", "transactions", str(tmp_path / "t.csv")))
    raw = (tmp_path / "c.csv").read_bytes()

    assert raw.startswith(b"\xef\xbb\xbf")
    customers = {r["name"]: r for r in csv.DictReader(io.StringIO(raw.decode("utf-8-sig")))}
    assert '\'=HYPERLINK("http://x")' in customers  # neutralised
    assert customers['\'=HYPERLINK("http://x")']["code"] == "'-C9"
    # 1200.505 to cents: .50 or .51, as its binary value falls.
    assert customers['\'=HYPERLINK("http://x")']["estimated_wallet"] in ("1200.50", "1200.51")
    assert "-1" in customers  # a number is no formula: left as it is
    assert "''=quoted" in customers and customers["''=quoted"]["industry"] == "'@Retail"
    assert customers["北京燕京啤酒"]["estimated_wallet"] == ""
    lines = list(csv.DictReader(io.StringIO((tmp_path / "t.csv").read_text("utf-8-sig"))))
    no_order = [r for r in lines if r["order_id"] == ""]
    assert {(r["quantity"], r["product"], r["line"]) for r in no_order} == {("2.5", "'+P1", "")}
    assert no_order[0]["revenue"] in ("10.00", "10.01")  # 10.005 to cents
    assert [(r["order_id"], r["line"], r["revenue"]) for r in lines[:4]] == [
        ("A1", "1", "1000.00"), ("A1", "2", "500.25"), ("R7", "1", "-20.00"), ("B0", "1", "300.00"),
    ]  # fmt: skip
    assert len(no_order) == 2  # two identical lines stay two lines


def test_the_import_gives_back_the_names_exactly(
    source: Database, kam: Kam, tmp_path: Path, empty_url: str
) -> None:
    ok(kam("export", "customers", str(tmp_path / "c.csv")))
    ok(kam("import", "customers", str(tmp_path / "c.csv"), env={"KAM_DATABASE_URL": empty_url}))

    names = {c["name"] for c in parsed(kam("customer", "list", "--json",
                                          env={"KAM_DATABASE_URL": empty_url}))["rows"]}  # fmt: skip
    assert {'=HYPERLINK("http://x")', "-1", "'=quoted", ACME, "北京燕京啤酒"} <= names
    assert count(empty_url, Customer) == count(source, Customer) == 6


def test_contacts_come_back_with_whom_they_report_to_and_their_owner(
    source: Database, kam: Kam, tmp_path: Path, empty_url: str
) -> None:
    second = {"KAM_DATABASE_URL": empty_url}
    for kind in ("customers", "contacts"):
        ok(kam("export", kind, str(tmp_path / f"{kind}.csv")))
        ok(kam("import", kind, str(tmp_path / f"{kind}.csv"), env=second))
    again = ok(kam("import", "contacts", str(tmp_path / "contacts.csv"), "--json", env=second))

    people = {
        p["name"]: p for p in parsed(kam("contact", "list", ACME, "--json", env=second))["rows"]
    }
    assert people["Lee Chan"]["reports_to"] == "Kim Park"
    assert (people["Kim Park"]["owner"], people["Lee Chan"]["cadence_days"]) == ("mia", 30)
    assert '"unchanged": 2' in again.stdout  # a second import adds no one twice
    assert count(empty_url, Contact) == 2


def test_accounts_export_but_refuse_to_import(source: Database, kam: Kam, tmp_path: Path) -> None:
    out = tmp_path / "accounts.csv"
    ok(kam("export", "accounts", str(out)))
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8-sig"))))

    assert [(r["customer"], r["status"], r["manager"], r["sponsor"]) for r in rows] == [
        (ACME, "active", "mia", "eve"), ("北京燕京啤酒", "nominated", "otto", ""),
    ]  # fmt: skip
    message = refused(kam("import", "accounts", str(out)), 1)
    assert message.startswith("accounts are export-only")


def test_an_existing_file_needs_force_and_a_bad_format_is_a_usage_error(
    source: Database, kam: Kam, tmp_path: Path
) -> None:
    out = tmp_path / "c.csv"
    out.write_text("keep me")

    assert "exists; add --force" in refused(kam("export", "customers", str(out)), 1)
    assert out.read_text() == "keep me"
    ok(kam("export", "customers", str(out), "--force"))
    assert out.read_text("utf-8-sig").startswith("name,code")
    assert "is not csv or xlsx" in usage_error(kam("export", "costs", str(out), "--format", "ods"))


def test_an_export_to_a_folder_is_refused_even_with_force(
    source: Database, kam: Kam, tmp_path: Path
) -> None:
    message = refused(kam("export", "customers", str(tmp_path), "--force"), 1)

    assert message == f"{tmp_path} is a folder; name a file in it."


def test_an_export_to_standard_output_pipes_into_an_import_from_standard_input(
    source: Database, kam: Kam, empty_url: str
) -> None:
    exported = ok(kam("export", "customers", "-"))
    assert exported.stdout.startswith("\ufeffname,code") and "wrote 6 rows" in exported.stderr

    imported = parsed(kam("import", "customers", "-", "--json", input=exported.stdout_bytes,
                          env={"KAM_DATABASE_URL": empty_url}))  # fmt: skip
    assert (imported["file"], imported["written"]) == ("standard input", 6)


def test_the_json_report_names_the_rows_written(source: Database, kam: Kam, tmp_path: Path) -> None:
    report = parsed(kam("export", "transactions", str(tmp_path / "t.xlsx"), "--json"))

    assert (report["kind"], report["format"], report["rows"]) == (
        "transactions", "xlsx", count(source, Transaction),
    )  # fmt: skip


@pytest.mark.parametrize("kind", ["transactions", "costs"])
def test_the_demos_lines_exported_import_back_as_already_present(
    kam: Kam, tmp_path: Path, empty_url: str, kind: str
) -> None:
    """The demo keys its lines as an import does: its costs (which have no order id) came
    back as new lines, doubling every customer's cost to serve."""
    env = {"KAM_DATABASE_URL": empty_url}
    ok(kam("demo", "--customers", "20", "--years", "1", env=env))
    ok(kam("export", kind, str(tmp_path / "out.csv"), env=env))
    lines = len((tmp_path / "out.csv").read_text(encoding="utf-8-sig").splitlines()) - 1

    report = parsed(kam("import", kind, str(tmp_path / "out.csv"), "--json", env=env))

    assert lines > 0
    assert (report["written"], report["unchanged"]) == (0, lines)
