"""The importer's fast paths (Arrow CSV reader, vectorised parsers, multi-row writes, index
rebuild) give exactly what the general rules give."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text

from db import bulk
from kam.database import Database
from kam.errors import InvalidData
from kam.services.importing import importer, keys, parsing
from kam.services.importing.reading import read_table
from kam.text import _UNSAFE_LINE
from tests.conftest import Cast


def general_numbers(raw: pd.Series, decimal: str) -> tuple[list[float], list[object]]:
    """The general rules on the whole column, read by pandas as the importer always did."""
    normal, ok, errors = parsing._normalise_numbers(raw, decimal)
    values = pd.to_numeric(normal.where(ok), errors="coerce").astype(float)
    return values.tolist(), errors.tolist()


def same_floats(a: list[float], b: list[float]) -> bool:
    return all(
        (np.isnan(x) and np.isnan(y)) or (x == y and np.signbit(x) == np.signbit(y))
        for x, y in zip(a, b, strict=True)
    )


def same_cells(a: list[object], b: list[object]) -> bool:
    return all(
        x == y or (pd.isna(x) and pd.isna(y))
        for x, y in zip(a, b, strict=True)  # type: ignore[arg-type]
    )


NUMBER_COLUMNS = [
    ["1", "2.5", "-3", "+4", "007"],
    ["-0", "5"],
    ["-0", "5.5"],
    ["(0)", "5"],
    ["-0", ""],
    ["-0", "99999999999999999999"],
    ["-0", "18446744073709551615"],
    ["1,234.50", "1.234,50", "1 000", "1'000", "$10", "(5)", "ten", "", " 7 ", "1.234"],
    ["12,5", "0,000", "-0,0", "1.234.567,89", "٣", "1e5", "inf", ".5"],
]


@pytest.mark.parametrize("decimal", [".", ","])
@pytest.mark.parametrize("cells", NUMBER_COLUMNS)
def test_numbers_read_as_the_general_rules_read_them(cells: list[str], decimal: str) -> None:
    raw = pd.Series(cells, dtype="str")
    parsed = parsing.parse_numbers(raw, decimal=decimal)
    values, errors = general_numbers(raw, decimal)
    assert same_floats(parsed.values.tolist(), values)
    assert same_cells(parsed.errors.tolist(), errors)


def test_a_decimal_comma_column_never_reads_a_thousands_dot_as_a_decimal_point() -> None:
    parsed = parsing.parse_numbers(pd.Series(["1.234", "1.234,5", "1,5", "2"]), decimal=",")
    assert parsed.values.tolist() == [1234.0, 1234.5, 1.5, 2.0]


DATE_COLUMNS = [
    ["2026-01-02", "2024-02-29", "2023-02-29", "2026-13-01", "2026-00-10", "2026-01-32"],
    ["1899-12-31", "1900-01-01", "2999-12-31", "3000-01-01", "1500-06-01", "0000-01-01"],
    ["2026-1-2", "2026/01/02", " 2026-01-02 ", "2026-03-01 00:00:00", "1.2.2026", "x", ""],
    ["2026-01-02", "03/04/2026", "05/06/2026"],
    ["2026-01-02", "03/04/2026", "25/06/2026", "03/04/2026"],
    ["12/13/2026", "13/12/2026"],
]


@pytest.mark.parametrize("order", [None, "dmy", "mdy"])
@pytest.mark.parametrize("cells", DATE_COLUMNS)
def test_dates_read_as_the_general_rules_read_them(cells: list[str], order: str | None) -> None:
    raw = pd.Series(cells * 2, dtype="str")  # repeated cells are read once
    parsed = parsing.parse_dates(raw, order=order)
    general = parsing._parse_dates_general(raw, order=order)
    assert parsed.values.dtype == general.values.dtype
    assert parsed.values.equals(general.values)
    assert same_cells(parsed.errors.tolist(), general.errors.tolist())


def test_text_is_cleaned_of_exactly_the_unsafe_characters() -> None:
    cells = ["a" + chr(c) + "b" for c in range(0x3000) if not 0xD800 <= c <= 0xDFFF]
    raw = pd.Series(cells + [" x ", "\x1b[2J y"], dtype="str")
    expected = raw.str.replace(_UNSAFE_LINE, "", regex=True).str.strip()
    assert parsing.clean_text_column(raw).tolist() == expected.tolist()


AWKWARD_CSV = [
    b"a,b\n1,2\n",
    b"\xef\xbb\xbfa,b\r\n1,2\r\n",
    b"a,b\r1,2\r3,4",
    b'a,b\n"x"y,2\nx"y,3\n"1\n2",4\n"1""2",5\n',
    b"a,b\n1\n",
    b"a,b\n1,2,3\n",
    b"a,b\n   \n1,2\n",
    b"a,a\n1,2\n",
    b"a,\n1,2\n",
    b"a, b\n1, 2\n",
    b'a,b\n1, "2,3"\n',
    b'a,b\n1,"unclosed\n',
    b'a,b\n1,"\n',
    b'a,b\n1,""',
    b"a,b\n1,\xff\n",
    b"",
    b"a,b\n",
    b"a;b\n1,5;2\n",
    b"a\tb\n1\t 2\n",
]


@pytest.mark.parametrize("content", AWKWARD_CSV)
def test_the_arrow_reader_gives_what_pandas_gives(content: bytes, tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(content)

    def outcome(max_rows: int | None) -> tuple[str, object]:
        try:
            table = read_table(path, max_rows=max_rows)  # max_rows: pandas' parser only
        except InvalidData as exc:
            return "refused", str(exc)
        return "read", table

    fast, slow = outcome(None), outcome(10**9)
    assert fast[0] == slow[0]
    if fast[0] == "refused":
        assert fast[1] == slow[1]
    else:
        pd.testing.assert_frame_equal(fast[1].frame, slow[1].frame)  # type: ignore[union-attr]
        assert fast[1].delimiter == slow[1].delimiter  # type: ignore[union-attr]


def test_line_numbers_within_orders_do_not_depend_on_the_file_being_sorted() -> None:
    for orders, expected in (
        (["A", "A", "B", "C", "C", "C"], [1, 2, 1, 1, 2, 3]),  # sorted: the fast path
        (["C", "A", "C", "B", "A", "C"], [1, 1, 2, 1, 2, 3]),  # unsorted: hashed
    ):
        assert keys.occurrence(pd.Series(orders, dtype="str")).tolist() == expected


def test_content_hashes_are_written_as_sixteen_hex_digits() -> None:
    values = np.array([0, 1, 2**64 - 1, 0x0123456789ABCDEF], dtype=np.uint64)
    hexed = keys._hex(values, pd.RangeIndex(4)).tolist()
    assert hexed == [
        "0000000000000000",
        "0000000000000001",
        "ffffffffffffffff",
        "0123456789abcdef",
    ]


def write(path: Path, rows: list[str]) -> Path:
    path.write_text("customer,date,revenue,cost_of_goods,order_id\n" + "".join(rows), "utf-8")
    return path


def run(database: Database, cast: Cast, path: Path) -> importer.ImportReport:
    with database.writing() as s:
        return importer.run_import(s, cast.admin, "transactions", path)


def lines(database: Database) -> list[tuple[object, ...]]:
    with database.engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                text("SELECT id, revenue, order_id, line_key FROM sales_line ORDER BY id")
            )
        ]


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of 3 rows, statements of 2 rows, index rebuilds from 2 rows."""
    monkeypatch.setattr(bulk, "CHUNK", 3)
    monkeypatch.setattr(bulk, "ROWS_PER_STATEMENT", 2)
    monkeypatch.setattr(bulk, "REBUILD_INDEXES_FROM", 2)


@pytest.mark.usefixtures("small_batches")
def test_batched_writes_count_written_and_present_rows_and_keep_file_order(
    database: Database, cast: Cast, tmp_path: Path
) -> None:
    rows = [f"Acme [/b] Ltd,2026-01-0{i},{i},1,SO-{i}\n" for i in range(1, 8)]
    first = run(database, cast, write(tmp_path / "a.csv", rows))
    assert (first.written, first.unchanged) == (7, 0)
    ids = [r[0] for r in lines(database)]
    assert [r[1:] for r in lines(database)] == [
        (float(i), f"SO-{i}", f"SO-{i}/1") for i in range(1, 8)
    ]
    again = run(
        database, cast, write(tmp_path / "b.csv", rows[4:] + ["北京燕京啤酒,2026-01-09,9,1,\n"])
    )
    assert (again.written, again.unchanged) == (1, 3)
    assert [r[0] for r in lines(database)][:7] == ids
    assert re.fullmatch(r"h:[0-9a-f]{16}#1", str(lines(database)[-1][3]))


@pytest.mark.usefixtures("small_batches")
def test_a_failed_import_leaves_the_indexes_it_rebuilds_as_they_were(
    sqlite_database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import make_cast

    cast = make_cast(sqlite_database)

    def indexes() -> list[tuple[str, str]]:
        with sqlite_database.engine.connect() as conn:
            return [
                tuple(r)
                for r in conn.execute(
                    text("SELECT name, sql FROM sqlite_master WHERE tbl_name = 'sales_line'")
                )
            ]

    before = indexes()
    assert ("ix_sales_line_customer_date",) in [r[:1] for r in before]
    real_blocks = bulk.blocks

    def failing_blocks(*args, **kwargs):  # type: ignore[no-untyped-def]
        for n, block in enumerate(real_blocks(*args, **kwargs)):
            if n == 1:
                raise RuntimeError("disk on fire")
            yield block

    monkeypatch.setattr(bulk, "blocks", failing_blocks)
    rows = [f"Acme [/b] Ltd,2026-01-0{i},{i},1,SO-{i}\n" for i in range(1, 8)]
    with pytest.raises(RuntimeError, match="disk on fire"):
        run(sqlite_database, cast, write(tmp_path / "a.csv", rows))
    assert indexes() == before
    assert lines(sqlite_database) == []
    monkeypatch.setattr(bulk, "blocks", real_blocks)
    assert run(sqlite_database, cast, write(tmp_path / "a.csv", rows)).written == 7
    assert indexes() == before
    with sqlite_database.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -2000
