"""Importing customers, sales lines and cost-to-serve lines: validation, all or nothing,
rejects, idempotency, and the file shapes people actually send."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import text

from kam.database import Database
from kam.errors import InvalidData, PermissionDenied
from kam.services.audit import list_events
from kam.services.importing.importer import run_import
from kam.services.importing.report import ImportRefused
from kam.text import csv_safe
from tests.support import Cast


def write(path: Path, content: str, *, bom: bool = False) -> Path:
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + content.encode("utf-8"))
    return path


def run(database: Database, cast: Cast, kind: str, path: Path, **options):  # type: ignore[no-untyped-def]
    with database.writing(dry_run=options.get("dry_run", False)) as s:
        return run_import(s, cast.admin, kind, path, **options)


def count(database: Database, table: str) -> int:
    with database.engine.connect() as conn:
        return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


@pytest.mark.today("2026-06-30")
def test_sales_import_with_a_bom_semicolons_decimal_commas_and_chinese_names(
    database: Database, cast: Cast, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "sales.csv",
        "Customer;Date;Revenue;Cost of goods;Order ID\n"
        "北京燕京啤酒;2026-03-01;1.234,50;800,25;A-1\n"
        "acme [/b] ltd;15.03.2026;99;50;A-2\n",
        bom=True,
    )
    report = run(database, cast, "transactions", path)
    assert (report.rows_read, report.written, report.rejected) == (2, 2, 0)
    with database.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT c.name, s.sold_on, s.revenue, s.cost_of_goods, s.line_key FROM sales_line s "
            "JOIN customer c ON c.id = s.customer_id ORDER BY s.revenue DESC"
        )).all()  # fmt: skip
    assert [(r[0], str(r[1]), r[2], r[3], r[4]) for r in rows] == [
        ("北京燕京啤酒", "2026-03-01", 1234.5, 800.25, "A-1/1"),
        ("Acme [/b] Ltd", "2026-03-15", 99.0, 50.0, "A-2/1"),
    ]


def test_tab_separated_files_and_thousands_separators(
    database: Database, cast: Cast, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "sales.tsv",
        "customer\tdate\trevenue\tcost_of_goods\n"
        'Plain Prospect GmbH\t2026-01-10\t"1,250,000.00"\t"(1,000)"\n',
    )
    with pytest.raises(ImportRefused, match="row 2, cost_of_goods: is negative on a sale"):
        run(database, cast, "transactions", path)
    write(path, "customer\tdate\trevenue\tcost_of_goods\n"
                "Plain Prospect GmbH\t2026-01-10\t1,250,000.00\t1 000\n")  # fmt: skip
    run(database, cast, "transactions", path)
    with database.engine.connect() as conn:
        assert conn.execute(text("SELECT revenue, cost_of_goods FROM sales_line")).one() == (
            1_250_000.0,
            1000.0,
        )


def test_every_invalid_cell_is_named_by_row_and_column_and_nothing_is_written(
    database: Database, cast: Cast, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "sales.csv",
        "customer,date,revenue,cost_of_goods,quantity\n"
        "Acme [/b] Ltd,2026-01-05,100,60,1\n"  # row 2: fine
        "Nobody Inc,2026-01-05,100,60,1\n"  # row 3: unknown customer
        "Acme [/b] Ltd,2026-02-30,100,60,1\n"  # row 4: not a real date
        "Acme [/b] Ltd,2026-01-05,ten,60,1\n"  # row 5: not a number
        "Acme [/b] Ltd,2026-01-05,100,,1\n"  # row 6: required cell empty
        "Acme [/b] Ltd,2999-01-01,100,60,1\n"  # row 7: in the future
        "Acme [/b] Ltd,2026-01-05,100,60,-3\n"  # row 8: negative quantity on a sale
        "Acme [/b] Ltd,2026-01-05,-100,-60,-3\n",  # row 9: a return: fine
    )
    with pytest.raises(ImportRefused) as refused:
        run(database, cast, "transactions", path)
    problems = {(e.row, e.column) for e in refused.value.errors}
    assert problems == {
        (3, "customer"),
        (4, "date"),
        (5, "revenue"),
        (6, "cost_of_goods"),
        (7, "date"),
        (8, "quantity"),
    }
    message = str(refused.value)
    assert "6 of 8 rows are invalid; nothing was imported" in message
    assert "row 3, customer: unknown customer 'Nobody Inc'" in message
    assert "row 4, date: is not a real date: 2026-02-30" in message
    assert count(database, "sales_line") == 0
    with database.reading() as s:
        assert list_events(s) == []


def test_skip_invalid_imports_the_valid_rows_and_writes_every_reject_with_its_reason(
    database: Database, cast: Cast, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "sales.csv",
        "customer,date,revenue,cost_of_goods\n"
        "Acme [/b] Ltd,2026-01-05,100,60\n"
        '=HYPERLINK("http://x"),2026-01-05,100,60\n'
        "Acme [/b] Ltd,yesterday,100,60\n",
    )
    rejects = tmp_path / "rejects.csv"
    report = run(database, cast, "transactions", path, skip_invalid=True, rejects=rejects)
    assert (report.written, report.rejected) == (1, 2)
    with rejects.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["row"] for r in rows] == ["3", "4"]
    assert rows[0]["customer"].startswith("'=HYPERLINK")  # neutralised for spreadsheets
    assert "unknown customer" in rows[0]["reason"]
    assert rows[1]["reason"] == "date: is not a date (use YYYY-MM-DD): yesterday"


def test_skip_invalid_without_a_rejects_file_is_refused(
    database: Database, cast: Cast, tmp_path: Path
) -> None:
    path = write(tmp_path / "s.csv", "customer,date,revenue,cost_of_goods\n")
    with pytest.raises(InvalidData, match="--rejects"):
        run(database, cast, "transactions", path, skip_invalid=True)


def test_importing_the_same_file_twice_adds_nothing_the_second_time(
    database: Database, cast: Cast, tmp_path: Path
) -> None:
    sales = write(
        tmp_path / "sales.csv",
        "customer,date,revenue,cost_of_goods,order_id\n"
        "Acme [/b] Ltd,2026-01-05,100,60,SO-1\n"
        "Acme [/b] Ltd,2026-01-05,40,20,SO-1\n"  # second line of the same order
        "Acme [/b] Ltd,2026-01-06,100,60,\n"
        "Acme [/b] Ltd,2026-01-06,100,60,\n",  # an identical line without an order
    )
    costs = write(
        tmp_path / "costs.csv",
        "customer,date,category,amount\n"
        "Acme [/b] Ltd,2026-01-31,Logistics,120\n"
        "Acme [/b] Ltd,2026-01-31,terms/discounts,30\n",
    )
    first = run(database, cast, "transactions", sales)
    again = run(database, cast, "transactions", sales)
    assert (first.written, again.written, again.unchanged) == (4, 0, 4)
    assert (
        run(database, cast, "costs", costs).written,
        run(database, cast, "costs", costs).written,
    ) == (2, 0)
    assert (count(database, "sales_line"), count(database, "service_cost")) == (4, 2)


def test_customers_import_adds_new_ones_and_updates_known_ones(
    database: Database, cast: Cast, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "customers.csv",
        "Name,Code,Industry,Region,Estimated wallet,Lifecycle stage\n"
        "上海汽车,SAIC,Automotive,Asia-Pacific,2000000,Loyalty\n"
        "ACME [/B] LTD,,Retail,South,,\n",
    )
    report = run(database, cast, "customers", path)
    assert (report.written, report.updated) == (1, 1)
    again = run(database, cast, "customers", path)
    assert (again.written, again.updated, again.unchanged) == (0, 0, 2)
    with database.engine.connect() as conn:
        assert (
            conn.execute(text("SELECT region FROM customer WHERE name = 'Acme [/b] Ltd'")).scalar()
            == "South"
        )
        assert conn.execute(
            text("SELECT lifecycle_stage, estimated_wallet FROM customer WHERE code = 'SAIC'")
        ).one() == ("loyalty", 2_000_000.0)


def test_customer_rows_are_validated(database: Database, cast: Cast, tmp_path: Path) -> None:
    path = write(
        tmp_path / "customers.csv",
        "name,estimated_wallet,loyalty_type\n,10,\nDup Co,-5,\ndup co,1,fondness\n",
    )
    with pytest.raises(ImportRefused) as refused:
        run(database, cast, "customers", path)
    assert {(e.row, e.column) for e in refused.value.errors} == {
        (2, "name"),
        (3, "estimated_wallet"),
        (4, "name"),
        (4, "loyalty_type"),
    }
    assert "repeats row 3" in str(refused.value)


@pytest.mark.today("2026-06-30")
def test_ambiguous_slashed_dates_are_refused_until_the_order_is_given(
    database: Database, cast: Cast, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "costs.csv",
        "customer,date,category,amount\n"
        "Acme [/b] Ltd,03/04/2026,support,10\n"
        "Acme [/b] Ltd,05/06/2026,support,10\n",
    )
    with pytest.raises(ImportRefused, match="could be day/month or month/day"):
        run(database, cast, "costs", path)
    run(database, cast, "costs", path, date_order="mdy")
    with database.engine.connect() as conn:
        dates = conn.execute(
            text("SELECT incurred_on FROM service_cost ORDER BY incurred_on")
        ).scalars()
        assert [str(d) for d in dates] == ["2026-03-04", "2026-05-06"]


@pytest.mark.today("2026-06-30")
def test_one_unambiguous_slashed_date_settles_the_column(
    database: Database, cast: Cast, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "costs.csv",
        "customer,date,category,amount\n"
        "Acme [/b] Ltd,03/04/2026,support,10\n"
        "Acme [/b] Ltd,25/06/2026,support,10\n",
    )
    run(database, cast, "costs", path)
    with database.engine.connect() as conn:
        dates = conn.execute(
            text("SELECT incurred_on FROM service_cost ORDER BY incurred_on")
        ).scalars()
        assert [str(d) for d in dates] == ["2026-04-03", "2026-06-25"]


def test_cost_lines_are_validated(database: Database, cast: Cast, tmp_path: Path) -> None:
    path = write(
        tmp_path / "costs.csv",
        "customer,date,category,amount\n"
        "Acme [/b] Ltd,2026-01-01,bribes,10\n"
        "Acme [/b] Ltd,2026-01-01,sales,-10\n",
    )
    with pytest.raises(ImportRefused) as refused:
        run(database, cast, "costs", path)
    assert [(e.row, e.column) for e in refused.value.errors] == [(2, "category"), (3, "amount")]


def test_columns_can_be_renamed_with_map_and_missing_ones_are_named(
    database: Database, cast: Cast, tmp_path: Path
) -> None:
    path = write(tmp_path / "s.csv", "Kunde,Datum,Umsatz,Wareneinsatz\n"
                                     "Acme [/b] Ltd,2026-01-05,100,60\n")  # fmt: skip
    with pytest.raises(InvalidData, match="no customer, date, revenue, cost_of_goods column"):
        run(database, cast, "transactions", path)
    mapping = {"Kunde": "customer", "Datum": "date", "Umsatz": "revenue",
               "Wareneinsatz": "cost of goods"}  # fmt: skip
    assert run(database, cast, "transactions", path, mapping=mapping).written == 1


def test_control_characters_are_removed_from_imported_text(
    database: Database, cast: Cast, tmp_path: Path
) -> None:
    path = write(tmp_path / "c.csv", "name,industry\nEvil\x1b[2J Corp,Re\u202etail\x9b\n")
    run(database, cast, "customers", path)
    with database.engine.connect() as conn:
        row = conn.execute(
            text("SELECT name, industry FROM customer WHERE name LIKE 'Evil%'")
        ).one()
    assert tuple(row) == ("Evil[2J Corp", "Retail")


def test_dry_run_validates_and_reports_but_writes_nothing(
    database: Database, cast: Cast, tmp_path: Path
) -> None:
    path = write(tmp_path / "s.csv", "customer,date,revenue,cost_of_goods\n"
                                     "Acme [/b] Ltd,2026-01-05,100,60\n")  # fmt: skip
    report = run(database, cast, "transactions", path, dry_run=True)
    assert report.written == 1 and report.dry_run
    assert count(database, "sales_line") == 0


def test_an_import_is_audited_as_one_event_with_its_counts(
    database: Database, cast: Cast, tmp_path: Path
) -> None:
    path = write(tmp_path / "s.csv", "customer,date,revenue,cost_of_goods\n"
                 + "Acme [/b] Ltd,2026-01-05,100,60\n" * 3)  # fmt: skip
    run(database, cast, "transactions", path)
    with database.reading() as s:
        (event,) = list_events(s)
    assert (event.entity, event.field, event.actor) == ("import", "transactions", "ada")
    assert '"written": 3' in (event.new or "")


def test_only_admins_import(database: Database, cast: Cast, tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", "customer,date,revenue,cost_of_goods\n")
    with pytest.raises(PermissionDenied, match="Only admins may import"), database.writing() as s:
        run_import(s, cast.manager, "transactions", path)


@pytest.mark.parametrize("kind", ["xlsx", "ods", "xls"])
def test_workbooks_are_read_xlsx_opendocument_and_old_excel(
    database: Database, cast: Cast, tmp_path: Path, kind: str
) -> None:
    from datetime import date

    from tests.data import sheets

    rows: list[list[sheets.Cell]] = [
        ["Customer", "Date", "Revenue", "Cost of goods", "order_id"],
        ["北京燕京啤酒", date(2026, 2, 1), 1500.5, 700, 1001],
        ["Acme [/b] Ltd", "2026-02-02", "2,000.00", 900, None],
    ]
    path = getattr(sheets, kind)(rows, tmp_path / f"sales.{kind}")
    assert run(database, cast, "transactions", path).written == 2
    with database.engine.connect() as conn:
        stored = conn.execute(
            text("SELECT sold_on, revenue, cost_of_goods, order_id FROM sales_line ORDER BY id")
        ).all()
    assert [(str(d), r, c, o) for d, r, c, o in stored] == [
        ("2026-02-01", 1500.5, 700.0, "1001"),  # a whole number keeps no ".0"
        ("2026-02-02", 2000.0, 900.0, None),
    ]


def test_a_file_that_is_not_an_xlsx_is_refused_clearly(
    database: Database, cast: Cast, tmp_path: Path
) -> None:
    path = write(tmp_path / "fake.xlsx", "not a zip")
    with pytest.raises(InvalidData, match="not a valid XLSX file"):
        run(database, cast, "transactions", path)


@pytest.mark.parametrize(
    ("cell", "safe"),
    [("=1+1", "'=1+1"), ("+SUM(A1)", "'+SUM(A1)"), ("@cmd", "'@cmd"), ("-x", "'-x"),
     ("-12.5", "-12.5"), ("\tTab", "'\tTab"), ("Acme", "Acme")],
)  # fmt: skip
def test_exported_cells_that_a_spreadsheet_would_run_are_neutralised(cell: str, safe: str) -> None:
    assert csv_safe(cell) == safe


def test_a_return_with_negative_revenue_cost_and_quantity_is_stored(
    database: Database, cast: Cast, tmp_path: Path
) -> None:
    path = write(tmp_path / "returns.csv", "customer,date,revenue,cost_of_goods,quantity,order_id\n"
                                           "Acme [/b] Ltd,2026-01-05,-100,-60,-3,RET-1\n")  # fmt: skip
    assert run(database, cast, "transactions", path).written == 1
    with database.engine.connect() as conn:
        assert conn.execute(text("SELECT revenue, quantity FROM sales_line")).one() == (-100, -3)


def test_imported_text_that_reads_like_a_known_name_is_that_name(
    database: Database, cast: Cast, tmp_path: Path
) -> None:
    """A decomposed accent or a zero-width space in a file does not make a second 'Ñandú'."""
    run(database, cast, "customers", write(tmp_path / "a.csv", "name,region\nÑandú AB,North\n"))
    disguised = "N\u0303andu\u0301\u200b AB"
    report = run(
        database, cast, "customers", write(tmp_path / "b.csv", f"name,region\n{disguised},South\n")
    )
    assert (report.written, report.updated) == (0, 1)
    with database.engine.connect() as conn:
        named = text("SELECT name, region FROM customer WHERE name LIKE '%AB'")
        assert conn.execute(named).all() == [("Ñandú AB", "South")]


def test_a_line_break_in_an_imported_cell_reads_as_a_space(
    database: Database, cast: Cast, tmp_path: Path
) -> None:
    """A spreadsheet cell of two lines (Alt+Enter) keeps its words apart."""
    path = write(tmp_path / "c.csv", 'name,region\n"Acme Holdings\nGmbH","North\u2028East"\n')
    run(database, cast, "customers", path)
    with database.engine.connect() as conn:
        named = text("SELECT name, region FROM customer WHERE name LIKE 'Acme H%'")
        assert conn.execute(named).all() == [("Acme Holdings GmbH", "North East")]
