"""What an import file may hold: columns (how many, no name twice), cell lengths (the
schema's widths, and a cap for any cell), and XLSX archives kam opens only when they are
plain workbooks. Refusals name at most a few offenders, each cleaned and cut."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import text

from db.models import Contact, Customer, ProductCategory, ServiceCost, Transaction
from kam.database import Database
from kam.errors import InvalidData
from kam.services.importing.importer import run_import
from kam.services.importing.limits import MAX_CELL, MAX_COLUMNS, NAME_WIDTH
from kam.services.importing.reading import read_table
from kam.services.importing.report import COLUMNS, ImportRefused
from tests.data.hostile import make
from tests.support import Cast

SALES = "customer,date,revenue,cost_of_goods"


def refusal(path: Path) -> str:
    with pytest.raises(InvalidData) as refused:
        read_table(path)
    return str(refused.value)


def test_more_columns_than_the_limit_are_refused_from_the_header_alone(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    names = ",".join(f"c{i}" for i in range(MAX_COLUMNS + 1))
    path.write_text(f'{names}\n"an unclosed cell\n', encoding="utf-8")  # the body is not read
    assert f"{MAX_COLUMNS + 1:,} columns; at most {MAX_COLUMNS:,} are read" in refusal(path)
    path.write_text(",".join(f"c{i}" for i in range(MAX_COLUMNS)) + "\n" + "1," * 999 + "1\n")
    assert read_table(path).frame.shape == (1, MAX_COLUMNS)


def test_refusals_list_five_names_each_cleaned_and_cut(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    long = "\x1b[31m" + "n" * 500
    path.write_text(",".join(f"{long}{i}" for i in range(MAX_COLUMNS + 20)) + "\n")
    message = refusal(path)
    shown = message.split("(the header starts: ")[1].split(" … and ")[0].split(", ")
    assert len(shown) == 5 and all(len(n) <= NAME_WIDTH and "\x1b" not in n for n in shown)
    assert message.endswith(f"… and {MAX_COLUMNS + 15:,} more).")


@pytest.mark.parametrize(
    "header",
    ["customer,date,revenue,cost_of_goods,Customer", "Customer,Cost of goods,cost_of_goods"],
)
def test_two_columns_of_one_name_are_refused_in_csv_and_xlsx(header: str, tmp_path: Path) -> None:
    csv_file, xlsx_file = tmp_path / "dup.csv", tmp_path / "dup.xlsx"
    csv_file.write_text(f"{header}\n" + ",".join("1" * len(header.split(","))) + "\n")
    xlsx_file.write_bytes(make.xlsx([header.split(","), ["1"] * len(header.split(","))]))
    for path in (csv_file, xlsx_file):
        assert "a column name appears twice" in refusal(path)


def test_two_columns_mapped_to_one_field_are_refused(
    database: Database, cast: Cast, tmp_path: Path
) -> None:
    path = tmp_path / "s.csv"
    path.write_text("Kunde,Customer,Datum,revenue,cost_of_goods\nA,A,2026-01-05,1,1\n")
    with pytest.raises(InvalidData, match=re.escape("customer (Kunde and Customer)")):
        with database.writing() as s:
            run_import(s, cast.admin, "transactions", path, mapping={"Kunde": "customer",
                                                                     "Datum": "date"})  # fmt: skip


def test_the_column_widths_are_the_schemas() -> None:
    models = {"customers": Customer, "transactions": Transaction, "costs": ServiceCost,
              "categories": ProductCategory, "contacts": Contact}  # fmt: skip
    for kind, columns in COLUMNS.items():
        table = models[kind].__table__  # type: ignore[attr-defined]
        for column in columns:
            length = (
                getattr(table.c[column.name].type, "length", None)
                if column.name in table.c
                else None
            )
            if length is not None and table.c[column.name].type.python_type is str:
                assert column.width == length, (kind, column.name)
    assert {c.name: c.width for c in COLUMNS["transactions"] if c.width} == {
        "product": 100, "order_id": 100
    }  # fmt: skip
    assert {c.name: c.width for c in COLUMNS["categories"]} == {"product": 100, "category": 100}


@pytest.mark.parametrize(
    ("kind", "header", "row", "column", "width"),
    [
        ("transactions", f"{SALES},order_id", "Acme [/b] Ltd,2026-01-05,1,1,{v}", "order_id", 100),
        ("transactions", f"{SALES},product", "Acme [/b] Ltd,2026-01-05,1,1,{v}", "product", 100),
        ("costs", "customer,date,category,amount,note", "Acme [/b] Ltd,2026-01-05,sales,1,{v}",
         "note", 2000),
        ("customers", "name,code", "Fjord {n},{v}", "code", 64),
        ("customers", "name,region", "Fjord {n},{v}", "region", 100),
        ("customers", "name", "{v}", "name", 200),
    ],
)  # fmt: skip
def test_a_cell_longer_than_its_column_is_refused_never_cut(
    database: Database, cast: Cast, tmp_path: Path,
    kind: str, header: str, row: str, column: str, width: int,
) -> None:  # fmt: skip
    path = tmp_path / "f.csv"
    path.write_text(
        f"{header}\n{row.format(n=1, v='x' * width)}\n{row.format(n=2, v='y' * (width + 1))}\n"
    )
    with pytest.raises(ImportRefused) as refused:
        with database.writing() as s:
            run_import(s, cast.admin, kind, path)
    assert [str(e) for e in refused.value.errors] == [
        f"row 3, {column}: is {width + 1:,} characters long; at most {width:,}"
    ]
    with database.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM sales_line")).scalar_one() == 0


def test_any_cell_over_the_cap_refuses_the_file_listing_five(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    rows = "".join(f"A,2026-01-05,1,1,{'z' * (MAX_CELL + i)}\n" for i in range(1, 9))
    path.write_text(f"{SALES},\x1b[1mRemarks\n{rows}")
    message = refusal(path)
    assert [message.splitlines()[0].rsplit("/", 1)[-1], *message.splitlines()[1:]] == [
        f"s.csv: 8 cells are longer than {MAX_CELL:,} characters; nothing was imported.",
        *[f"  row {r}, [1mRemarks: {MAX_CELL + r - 1:,} characters" for r in range(2, 7)],
        "  … and 3 more",
    ]  # ESC removed from the name
    path.write_text(f"{SALES},Remarks\nA,2026-01-05,1,1,{'z' * MAX_CELL}\n")
    assert read_table(path).frame.shape == (1, 5)


def test_a_header_line_longer_than_a_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text(f"{SALES},{'n' * 3 * 2**20}\n1,2,3,4,5\n")
    assert "too long to be a header" in refusal(path)


def _sheet_with(prolog: str) -> bytes:
    return make.xlsx(sheet=make.sheet_xml([["customer"], ["x"]], doctype=prolog))


@pytest.mark.parametrize(
    "prolog",
    [
        "<!-- <worksheet> -->" + "<!-- padding -->" * 100 + '<!DOCTYPE x [<!ENTITY a "b">]>',
        "<?pi <worksheet>?>\n<!DOCTYPE x SYSTEM 'http://example.com/x.dtd'>",
    ],
)
def test_an_xlsx_part_declaring_a_dtd_anywhere_in_its_prolog_is_refused(
    prolog: str, tmp_path: Path
) -> None:
    path = tmp_path / "t.xlsx"
    path.write_bytes(_sheet_with(prolog))
    assert "declares a DTD" in refusal(path)


def test_an_xlsx_part_whose_prolog_never_ends_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    path.write_bytes(_sheet_with("<!--" + " " * 70_000 + "-->"))
    assert "before its first XML element" in refusal(path)


def test_a_utf16_xlsx_part_with_a_dtd_is_refused(tmp_path: Path) -> None:
    import io
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(make.xlsx([["customer"], ["x"]])))
    path = tmp_path / "t.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                data = data.decode().replace("?>", '?><!DOCTYPE w [<!ENTITY a "b">]>', 1)
                data = data.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
            archive.writestr(name, data)
    assert "declares a DTD" in refusal(path)


def test_a_plain_xlsx_with_trailing_unnamed_columns_is_read(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    path.write_bytes(make.xlsx([["customer", "date", "", ""], ["A", "2026-01-05", "", "x"]]))
    assert list(read_table(path).frame.columns) == ["customer", "date"]


def test_an_opendocument_part_declaring_a_dtd_is_refused(tmp_path: Path) -> None:
    from tests.data import sheets

    path = sheets.ods(
        [["customer"], ["x"]], tmp_path / "t.ods", doctype='<!DOCTYPE x [<!ENTITY a "b">]>'
    )
    assert "content.xml declares a DTD" in refusal(path)


def test_an_opendocument_file_that_is_not_a_spreadsheet_is_refused(tmp_path: Path) -> None:
    from tests.data import sheets

    path = sheets.ods(
        [["customer"], ["x"]],
        tmp_path / "t.ods",
        mimetype="application/vnd.oasis.opendocument.text",
    )
    assert "an OpenDocument file that is not a spreadsheet" in refusal(path)


@pytest.mark.parametrize(
    ("name", "says"),
    [("t.xlsb", "is an Excel binary workbook (.xlsb)"),
     ("t.fods", "is a flat OpenDocument spreadsheet (.fods)")],
)  # fmt: skip
def test_workbook_formats_kam_does_not_read_are_named(name: str, says: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(make.xlsx([["customer"], ["x"]]))
    assert says in refusal(path)


def test_a_binary_workbook_under_another_name_is_named(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    path.write_bytes(make._zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.bin": b"\0"}))
    assert "is an Excel binary workbook (.xlsb)" in refusal(path)


def test_a_workbook_over_the_size_limit_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kam.services.importing import xlsx
    from tests.data import sheets

    monkeypatch.setattr(xlsx, "MAX_XLSX_BYTES", 1024)
    path = sheets.xls([["customer"], *[["x" * 50]] * 100], tmp_path / "t.xls")
    assert "workbooks over" in refusal(path)
