"""Hostile and malformed import files, through `kam import`: each is refused with exit 1 in
one line naming the file (plus indented row lines), no traceback, nothing a terminal would
act on, and nothing written. The small files live in tests/data/hostile/ (README.md there
lists them); the large ones are built here."""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from db.models import AuditEvent, Customer, ServiceCost, Transaction
from kam.database import Database
from tests.cli.conftest import Kam
from tests.cli.support import count, ok, refused
from tests.data.hostile import make

HOSTILE = Path(make.__file__).parent
SALES = "customer,date,revenue,cost_of_goods"
#: What a terminal acts on (or text tools split lines at): C0 controls but the newline, DEL,
#: C1 controls, bidi marks and overrides, line and paragraph separators.
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069"
                    "\u2028\u2029]")  # fmt: skip


@dataclass(frozen=True)
class Case:
    """How a file is imported, and words its refusal must hold."""

    kind: str
    says: str
    args: tuple[str, ...] = ()


STORED = {
    "xxe.xlsx": Case("transactions", "sheet1.xml declares a DTD"),
    "billion_laughs.xlsx": Case("transactions", "sheet1.xml declares a DTD"),
    "no_workbook.xlsx": Case("transactions", "without xl/workbook.xml"),
    "truncated_sheet.xlsx": Case("transactions", "not a readable XLSX file"),
    "not_a_zip.xlsx": Case("transactions", "not a valid XLSX file"),
    "sheet_name_hostile.xlsx": Case("costs", "the first sheet (Q331m plan) has no header row"),
    "header_hostile.xlsx": Case("transactions", "(found: customer, 2Jevil)"),
    "spreadsheet.ods": Case("customers", "not a readable OpenDocument spreadsheet"),
    "old_excel.xls": Case("costs", "not a readable Excel workbook (.xls)"),
    "xls_named_csv.csv": Case("costs", "not a readable Excel workbook (.xls)"),
    "header_escape.csv": Case("transactions", "(found: customer, ]0;pwnedX)"),
    "header_c1_bidi.csv": Case("transactions", "(found: customer, etad, 2Jrevenue_x, multi line name)"),
    "duplicate_header.csv": Case("transactions", "customer = Customer (columns 1, 5)"),
    "same_field_twice.csv": Case(
        "transactions", "two columns mean the same field: customer (Kunde and customer)",
        ("--map", "Kunde=customer"),
    ),
    "long_order_id.csv": Case("transactions", "row 2, order_id: is 101 characters long; at most 100"),
    "cells_escape.csv": Case("transactions", "row 2, date: is not a date (use YYYY-MM-DD): 2026-01-05[2J"),
    "not_utf8.csv": Case("transactions", "not UTF-8 (byte"),
    "empty.csv": Case("costs", "the file is empty"),
    "unclosed_quote.csv": Case("transactions", "not a readable CSV file"),
}  # fmt: skip


def _columns(folder: Path) -> Path:
    path = folder / "million_columns.csv"
    names = ",".join(f"extra_{i}" for i in range(1_000_000))
    path.write_text(f"{SALES},{names}\nAcme [/b] Ltd,2026-01-05,100,60\n", encoding="utf-8")
    return path


def _order_id(folder: Path) -> Path:
    path = folder / "huge_order_id.csv"
    path.write_text(f"{SALES},order_id\nAcme [/b] Ltd,2026-01-05,100,60,{'9' * 30_000_000}\n")
    return path


def _ignored_cells(folder: Path) -> Path:
    path = folder / "long_ignored_cells.csv"
    rows = "".join(f"Acme [/b] Ltd,2026-01-05,100,60,{'x' * 10_001}\n" for _ in range(7))
    path.write_text(f"{SALES},Remarks\n{rows}", encoding="utf-8")
    return path


def _long_header(folder: Path) -> Path:
    path = folder / "long_header.csv"
    path.write_text(f"{SALES},{'n' * 2 * 2**20}\nAcme [/b] Ltd,2026-01-05,100,60,1\n")
    return path


def _bomb(folder: Path) -> Path:
    make.zip_bomb(folder / "zip_bomb.xlsx")
    return folder / "zip_bomb.xlsx"


def _many_parts(folder: Path) -> Path:
    path = folder / "many_parts.xlsx"
    path.write_bytes(make.xlsx([SALES.split(",")]))
    with zipfile.ZipFile(path, "a") as archive:
        for i in range(10_001):
            archive.writestr(f"xl/media/p{i}.bin", b"")
    return path


def _wide_xlsx(folder: Path) -> Path:
    path = folder / "wide.xlsx"
    header = [f"c{i}" for i in range(1_001)]
    path.write_bytes(make.xlsx([header, ["x"] * 1_001]))
    return path


def _hostile_name(folder: Path) -> Path:
    path = folder / "\x1b]0;pwned\x07\u202eslx.csv"
    path.write_text("customer,amount\nAcme [/b] Ltd,1\n", encoding="utf-8")
    return path


def _huge_number(header: str, row: str) -> Callable[[Path], Path]:
    """A file whose `{}` cell is a number of 400 digits (too large for a float: inf)."""

    def build(folder: Path) -> Path:
        path = folder / "huge_number.csv"
        path.write_text(f"{header}\n{row.format('1' + '0' * 400)}\n", encoding="utf-8")
        return path

    return build


GENERATED: dict[str, tuple[Callable[[Path], Path], Case]] = {
    "huge_revenue": (_huge_number(SALES, "Acme [/b] Ltd,2026-01-05,{},60"), Case(
        "transactions", "row 2, revenue: is too large to hold: 1000000000"
    )),
    "huge_cost_of_goods": (_huge_number(SALES, "Acme [/b] Ltd,2026-01-05,100,{}"), Case(
        "transactions", "row 2, cost_of_goods: is too large to hold: 1000000000"
    )),
    "huge_amount": (_huge_number(
        "customer,date,category,amount", "Acme [/b] Ltd,2026-01-05,service,-{}"
    ), Case("costs", "row 2, amount: is too large to hold: -1000000000")),
    "million_columns.csv": (_columns, Case("transactions", "columns; at most 1,000 are read")),
    "huge_order_id.csv": (_order_id, Case(
        "transactions", "1 cell is longer than 10,000 characters; nothing was imported"
    )),
    "long_ignored_cells.csv": (_ignored_cells, Case(
        "transactions", "7 cells are longer than 10,000 characters"
    )),
    "long_header.csv": (_long_header, Case("transactions", "too long to be a header")),
    "zip_bomb.xlsx": (_bomb, Case("transactions", "over the 524,288,000-byte limit")),
    "many_parts.xlsx": (_many_parts, Case("transactions", "over the 10,000-part limit")),
    "wide.xlsx": (_wide_xlsx, Case("transactions", "1,001 columns; at most 1,000 are read")),
    "hostile_name.csv": (_hostile_name, Case("costs", "]0;pwnedslx.csv: the costs file has no")),
}  # fmt: skip


def _counts(database: Database) -> list[int]:
    return [count(database, model) for model in (Customer, Transaction, ServiceCost, AuditEvent)]


def _clean(result_text: str) -> None:
    found = UNSAFE.findall(result_text)
    assert not found, f"unsafe characters reach the terminal: {found!r}"


@pytest.mark.parametrize("name", [*STORED, *GENERATED])
def test_every_hostile_file_is_refused_in_one_line_and_writes_nothing(
    name: str, kam: Kam, cli_db: Database, tmp_path: Path
) -> None:
    if name in STORED:
        path, case = HOSTILE / name, STORED[name]
    else:
        build, case = GENERATED[name]
        path = build(tmp_path)
    before = _counts(cli_db)
    result = kam("import", case.kind, str(path), *case.args)
    message = refused(result, 1)  # exit 1, `kam: ...` then indented lines only, no traceback
    _clean(result.stdout)
    _clean(result.stderr)
    assert case.says in result.stderr, result.stderr
    assert UNSAFE.sub("", path.name) in message  # the file is named (cleaned)
    assert len(result.stderr) < 2_000
    assert _counts(cli_db) == before


def test_every_stored_hostile_file_has_a_case_a_readme_line_and_its_generator() -> None:
    stored = {p.name for p in HOSTILE.iterdir() if p.is_file() and p.suffix not in (".py", ".md")}
    assert stored == set(STORED) == set(make.SMALL)
    readme = (HOSTILE / "README.md").read_text(encoding="utf-8")
    assert [n for n in [*STORED, *GENERATED] if f"`{n}`" not in readme] == []
    assert [n for n, build in make.SMALL.items() if (HOSTILE / n).read_bytes() != build()] == []


def test_hostile_column_names_are_cleaned_before_they_are_printed_or_stored(
    kam: Kam, cli_db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "sales.csv"
    path.write_text(
        f"{SALES},\x1b]0;pwned\x07X,\u202eevil\u2066,\x9b2J\n"
        "Acme [/b] Ltd,2026-01-05,100,60,a,b,c\n",
        encoding="utf-8",
    )
    result = ok(kam("import", "transactions", str(path)))
    _clean(result.stdout)
    _clean(result.stderr)
    assert "Ignored columns: ]0;pwnedX, evil, 2J." in result.stderr
    report = json.loads(ok(kam("import", "transactions", str(path), "--json")).stdout)
    assert report["ignored_columns"] == ["]0;pwnedX", "evil", "2J"]
    events = json.loads(ok(kam("audit", "--entity", "import", "--json")).stdout)["rows"]
    stored = [json.loads(e["new"]) for e in events]
    assert [e["ignored_columns"] for e in stored] == [["]0;pwnedX", "evil", "2J"]] * 2


def test_customers_re_imported_from_the_command_line_keep_what_the_file_lacks(
    kam: Kam, cli_db: Database, tmp_path: Path
) -> None:
    first, again = tmp_path / "first.csv", tmp_path / "again.csv"
    first.write_text("name,code,region,lifecycle_stage\nNordwind AG,N1,EU,loyalty\n")
    again.write_text("name,code,industry,estimated_wallet,region\nNordwind AG,N1,Chemicals,,\n")
    ok(kam("import", "customers", str(first)))
    ok(kam("import", "customers", str(again)))
    shown = json.loads(ok(kam("customer", "show", "Nordwind AG", "--json")).stdout)
    assert (shown["region"], shown["lifecycle_stage"], shown["industry"]) == (
        "EU", "loyalty", "Chemicals"
    )  # fmt: skip
    ok(kam("import", "customers", str(again), "--blank-clears"))
    shown = json.loads(ok(kam("customer", "show", "Nordwind AG", "--json")).stdout)
    assert (shown["region"], shown["lifecycle_stage"]) == ("", "loyalty")
