"""`kam metrics whitespace` and `kam import categories`, on the base worked out by hand in
tests/unit/test_whitespace.py (as of 2026-06-30)."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from db.models import AuditEvent, ProductCategory
from kam.database import Database
from tests.cli.conftest import Kam
from tests.cli.support import ok, parsed, refused, usage_error
from tests.support import add_whitespace_base

AS_OF = "2026-06-30"
pytestmark = pytest.mark.today("2026-07-01")


@pytest.fixture
def base(cli_db: Database) -> Database:
    add_whitespace_base(cli_db, date.fromisoformat(AS_OF))
    return cli_db


def test_the_matrix_as_json_is_one_row_per_account_and_category(kam: Kam, base: Database) -> None:
    report = parsed(kam("metrics", "whitespace", "--as-of", AS_OF, "--json"))
    assert (report["report"], report["categories"], report["total"]) == (
        "whitespace", ["Bolts", "Glue", "TAPE"], 2 * 3,
    )  # fmt: skip
    rows = {(r["customer"], r["category"]): r for r in report["rows"]}
    bolts = rows["Acme [/b] Ltd", "Bolts"]
    assert (bolts["margin"], bolts["expected"], bolts["opportunity"]) == (
        4_000, pytest.approx(55_000), pytest.approx(51_000),
    )  # fmt: skip
    assert bolts["account_opportunity"] == pytest.approx(71_000)
    assert bolts["headroom_margin"] == pytest.approx(990_000 * 0.4)
    assert (bolts["size_basis"], bolts["peers"], bolts["compared_with"]) == (
        "wallet", 10, "industry",
    )  # fmt: skip
    assert [r["opportunity"] for r in report["rows"][:3]] == [
        pytest.approx(51_000), 0, pytest.approx(20_000),
    ]  # fmt: skip
    tape = rows["北京燕京啤酒", "TAPE"]
    assert (tape["compared_with"], tape["opportunity"]) == ("base", pytest.approx(80))
    assert tape["account_opportunity"] == pytest.approx(260)
    assert report["summary"]["opportunity"] == pytest.approx(71_000 + 260)


def test_the_matrix_as_csv_has_the_json_rows(kam: Kam, base: Database) -> None:
    out = ok(kam("metrics", "whitespace", "--as-of", AS_OF, "--csv", "--account", "北京燕京啤酒"))
    lines = list(csv.DictReader(io.StringIO(out.stdout)))
    assert [(r["customer"], r["category"], float(r["opportunity"])) for r in lines] == [
        ("北京燕京啤酒", "Bolts", pytest.approx(180)),
        ("北京燕京啤酒", "Glue", 0),
        ("北京燕京啤酒", "TAPE", pytest.approx(80)),
    ]
    assert lines[0]["size_basis"] == "revenue" and lines[0]["headroom_margin"] == ""


def test_the_table_shows_the_matrix_with_short_amounts(kam: Kam, base: Database) -> None:
    out = ok(kam("metrics", "whitespace", "--as-of", AS_OF, "--top", "1")).stdout
    header, _rule, acme = out.splitlines()[-3:]
    assert header.split()[:4] == ["account", "Bolts", "Glue", "TAPE"]
    # Bolts 51,000, no Glue, TAPE 20,000, total 71,000, headroom × margin 396,000.
    assert acme.split()[-5:] == ["51.0k", "·", "20.0k", "71.0k", "396.0k"]
    assert acme.startswith("Acme [/b] Ltd")


def test_an_unknown_account_is_refused_and_json_with_csv_is_a_usage_error(
    kam: Kam, base: Database
) -> None:
    assert "Nobody" in refused(kam("metrics", "whitespace", "--account", "Nobody"), 1)
    assert "--json" in usage_error(kam("metrics", "whitespace", "--json", "--csv"))


def test_importing_categories_maps_products_and_changes_the_matrix(
    kam: Kam, base: Database, tmp_path: Path
) -> None:
    path = tmp_path / "categories.csv"
    path.write_text("Product;Category\nTAPE;Glue\nB-1;Bolts\nNEW-9;Gadgets\n", encoding="utf-8")
    report = parsed(kam("import", "categories", str(path), "--json"))
    assert (report["written"], report["updated"], report["unchanged"]) == (2, 0, 1)
    with base.reading() as s:
        mapping = dict(s.exec(select(ProductCategory.product, ProductCategory.category)).all())
        imported = s.exec(select(AuditEvent.field).where(AuditEvent.entity == "import")).one()
    assert mapping["TAPE"] == "Glue" and mapping["NEW-9"] == "Gadgets"
    assert imported == "categories"
    # TAPE is Glue now: two categories left.
    matrix = parsed(kam("metrics", "whitespace", "--as-of", AS_OF, "--json"))
    assert matrix["categories"] == ["Bolts", "Glue"]
    # Again with another category for a known product: updated and audited.
    path.write_text("product,category\nTAPE,Tape & film\n", encoding="utf-8")
    report = parsed(kam("import", "categories", str(path), "--json"))
    assert (report["written"], report["updated"]) == (0, 1)
    with base.reading() as s:
        change = s.exec(
            select(AuditEvent.field, AuditEvent.old, AuditEvent.new).where(
                AuditEvent.entity == "product_category"
            )
        ).one()
    assert tuple(change) == ("TAPE", "Glue", "Tape & film")


def test_a_bad_category_file_names_its_rows_and_writes_nothing(
    kam: Kam, base: Database, tmp_path: Path
) -> None:
    path = tmp_path / "categories.csv"
    path.write_text("product,category\nTAPE,Glue\nB-1,\n,Bolts\nTAPE,Film\n", encoding="utf-8")
    message = refused(kam("import", "categories", str(path)), 1)
    assert "3 of 4 rows are invalid; nothing was imported" in message
    result = kam("import", "categories", str(path))
    assert "row 3, category: is empty" in result.stderr
    assert "row 4, product: is empty" in result.stderr
    assert "row 5, product: repeats row 2" in result.stderr
    with base.reading() as s:
        assert s.exec(select(ProductCategory).where(ProductCategory.product == "TAPE")).all() == []
    no_column = tmp_path / "wrong.csv"
    no_column.write_text("product,group\nTAPE,Glue\n", encoding="utf-8")
    assert "no category column" in refused(kam("import", "categories", str(no_column)), 1)
