"""The importer's fast paths (Arrow CSV reader, vectorised parsers, multi-row writes, index
rebuild) give exactly what the general rules give."""

from __future__ import annotations

import re
import sqlite3
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
from kam.text import clean_text
from tests.support import Cast

NAN = float("nan")
NOT = "is not a number: "

#: (cells, decimal mark, values, errors), worked out by hand from the written rules:
#: thousands separators only in groups of three, currency signs and (accounting)
#: negatives accepted, ASCII digits only, the decimal mark the file's.
NUMBERS: list[tuple[list[str], str, list[float], list[str | None]]] = [
    (["1", "2.5", "-3", "+4", "007"], ".", [1, 2.5, -3, 4, 7], [None] * 5),
    (["1", "2.5", "-3", "+4", "007"], ",", [1, NAN, -3, 4, 7],
     [None, NOT + "2.5", None, None, None]),
    (["-0", "5.5"], ".", [0, 5.5], [None, None]),
    (["(0)", "5"], ".", [0, 5], [None, None]),
    (["-0", ""], ".", [0, NAN], [None, "is empty"]),
    (["-0", "99999999999999999999"], ".", [0, 1e20], [None, None]),
    (["1,234.50", "1.234,50", "1 000", "1'000", "$10", "(5)", "ten", "", " 7 ", "1.234"], ".",
     [1234.5, NAN, 1000, 1000, 10, -5, NAN, NAN, 7, 1.234],
     [None, NOT + "1.234,50", None, None, None, None, NOT + "ten", "is empty", None, None]),
    (["1,234.50", "1.234,50", "1 000", "1'000", "$10", "(5)", "ten", "", " 7 ", "1.234"], ",",
     [NAN, 1234.5, 1000, 1000, 10, -5, NAN, NAN, 7, 1234],
     [NOT + "1,234.50", None, None, None, None, None, NOT + "ten", "is empty", None, None]),
    (["12,5", "0,000", "-0,0", "1.234.567,89", "٣", "1e5", "inf", ".5"], ".",
     [NAN, 0, NAN, NAN, NAN, NAN, NAN, NAN],
     [NOT + "12,5", None, NOT + "-0,0", NOT + "1.234.567,89", NOT + "٣", NOT + "1e5",
      NOT + "inf", NOT + ".5"]),
    (["12,5", "0,000", "-0,0", "1.234.567,89", "٣", "1e5", "inf", ".5"], ",",
     [12.5, 0, 0, 1234567.89, NAN, NAN, NAN, NAN],
     [None, None, None, None, NOT + "٣", NOT + "1e5", NOT + "inf", NOT + ".5"]),
]  # fmt: skip


def _same(values: list[float], expected: list[float]) -> bool:
    return all((x != x and y != y) or x == y for x, y in zip(values, expected, strict=True))


@pytest.mark.parametrize(("cells", "decimal", "values", "errors"), NUMBERS)
def test_numbers_read_as_the_written_rules_say(
    cells: list[str], decimal: str, values: list[float], errors: list[str | None]
) -> None:
    for repeat in (1, 3):  # once, and repeated (a column of many rows takes the fast path)
        parsed = parsing.parse_numbers(pd.Series(cells * repeat, dtype="str"), decimal=decimal)
        assert _same(parsed.values.tolist(), values * repeat)
        assert [e if isinstance(e, str) else None for e in parsed.errors] == errors * repeat


def test_a_decimal_comma_column_never_reads_a_thousands_dot_as_a_decimal_point() -> None:
    parsed = parsing.parse_numbers(pd.Series(["1.234", "1.234,5", "1,5", "2"]), decimal=",")
    assert parsed.values.tolist() == [1234.0, 1234.5, 1.5, 2.0]


AMBIGUOUS = (
    "the column has dates like 03/04/2026 that could be day/month or month/day; "
    "use YYYY-MM-DD or pass --date-order dmy|mdy"
)
MIXED = "the column mixes day/month/year and month/day/year dates"
REAL = "is not a real date: "
PLAUSIBLE = "is not a plausible date (year 1900 to 2999): "

#: (cells, --date-order, dates as ISO text or None, errors), worked out by hand.
DATES: list[tuple[list[str], str | None, list[str | None], list[str | None]]] = [
    (["2026-01-02", "2024-02-29", "2023-02-29", "2026-13-01", "2026-00-10", "2026-01-32"], None,
     ["2026-01-02", "2024-02-29", None, None, None, None],
     [None, None, REAL + "2023-02-29", REAL + "2026-13-01", REAL + "2026-00-10",
      REAL + "2026-01-32"]),
    (["1899-12-31", "1900-01-01", "2999-12-31", "3000-01-01", "0000-01-01", "31.12.1899"], None,
     [None, "1900-01-01", "2999-12-31", None, None, None],
     [PLAUSIBLE + "1899-12-31", None, None, PLAUSIBLE + "3000-01-01", PLAUSIBLE + "0000-01-01",
      PLAUSIBLE + "31.12.1899"]),
    (["2026-1-2", "2026/01/02", " 2026-01-02 ", "2026-03-01 00:00:00", "1.2.2026", "x", ""], None,
     ["2026-01-02", "2026-01-02", "2026-01-02", "2026-03-01", "2026-02-01", None, None],
     [None, None, None, None, None, "is not a date (use YYYY-MM-DD): x", "is empty"]),
    (["2026-01-02", "03/04/2026", "05/06/2026"], None,
     ["2026-01-02", None, None], [None, AMBIGUOUS, AMBIGUOUS]),
    (["2026-01-02", "03/04/2026", "05/06/2026"], "dmy",
     ["2026-01-02", "2026-04-03", "2026-06-05"], [None] * 3),
    (["2026-01-02", "03/04/2026", "05/06/2026"], "mdy",
     ["2026-01-02", "2026-03-04", "2026-05-06"], [None] * 3),
    (["03/04/2026", "25/06/2026"], None, ["2026-04-03", "2026-06-25"], [None, None]),
    (["03/04/2026", "25/06/2026"], "mdy", ["2026-03-04", None], [None, REAL + "25/06/2026"]),
    (["12/13/2026", "13/12/2026"], None, [None, None], [MIXED, MIXED]),
    (["12/13/2026", "13/12/2026"], "dmy", [None, "2026-12-13"], [REAL + "12/13/2026", None]),
]  # fmt: skip


@pytest.mark.parametrize(("cells", "order", "dates", "errors"), DATES)
def test_dates_read_as_the_written_rules_say(
    cells: list[str], order: str | None, dates: list[str | None], errors: list[str | None]
) -> None:
    for repeat in (1, 3):  # repeated cells are read once
        parsed = parsing.parse_dates(pd.Series(cells * repeat, dtype="str"), order=order)
        assert str(parsed.values.dtype) == "datetime64[us]"
        shown = [None if pd.isna(v) else v.strftime("%Y-%m-%d") for v in parsed.values]
        assert shown == dates * repeat
        assert [e if isinstance(e, str) else None for e in parsed.errors] == errors * repeat


def test_text_is_cleaned_of_exactly_the_unsafe_characters() -> None:
    cells = ["a" + chr(c) + "b" for c in range(0x3000) if not 0xD800 <= c <= 0xDFFF]
    raw = pd.Series(cells + [" x ", "\x1b[2J y"], dtype="str")
    assert parsing.clean_text_column(raw).tolist() == [clean_text(c) for c in raw]


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


def test_repeated_order_lines_do_not_depend_on_the_file_being_sorted() -> None:
    for orders, numbers, expected in (
        (["A", "A", "B", "C", "C"], [1, 2, 1, 1, 3], [False] * 5),  # sorted, rising: no hashing
        (["A", "A", "B", "C", "C"], [1, 1, 1, 2, 1], [False, True, False, False, False]),
        (["A", "B", "A", "A"], [1, 1, 2, 1], [False, False, False, True]),  # unsorted: hashed
        (["A", "A", "A"], [2, 1, 2], [False, False, True]),  # sorted, lines fall: hashed
    ):
        order = pd.Series(orders, dtype="str")
        line = pd.Series(numbers)
        key = keys.joined(order, "/", line, index=order.index)
        assert keys.repeated_lines(key, order, line).tolist() == expected


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
    from tests.support import make_cast

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


def _postgres_keys(database: Database) -> list[tuple[str, str]]:
    """sales_line's indexes and constraints on PostgreSQL, as definitions."""
    with database.engine.connect() as conn:
        found = conn.execute(
            text(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'sales_line' "
                "UNION ALL SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = 'sales_line'::regclass ORDER BY 1"
            )
        )
        return [(str(n), str(d)) for n, d in found]


@pytest.mark.usefixtures("small_batches")
def test_a_big_postgres_import_builds_the_indexes_and_foreign_keys_once(
    database: Database, cast: Cast, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if database.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL sets indexes and foreign keys aside")
    before = _postgres_keys(database)
    assert any(name == "sales_line_customer_id_fkey" for name, _ in before)
    assert any(name == "ix_sales_line_customer_date" for name, _ in before)
    rows = [f"Acme [/b] Ltd,2026-01-0{i},{i},1,SO-{i}\n" for i in range(1, 8)]
    real_restore = bulk._restore_postgres

    def failing_restore(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(bulk, "_restore_postgres", failing_restore)
    with pytest.raises(RuntimeError, match="disk on fire"):
        run(database, cast, write(tmp_path / "a.csv", rows))
    assert _postgres_keys(database) == before
    assert lines(database) == []
    restored: list[object] = []
    monkeypatch.setattr(
        bulk, "_restore_postgres", lambda *a: restored.append(a) or real_restore(*a)
    )
    assert run(database, cast, write(tmp_path / "a.csv", rows)).written == 7
    assert restored and _postgres_keys(database) == before


@pytest.mark.usefixtures("small_batches")
def test_a_postgres_login_that_may_not_alter_the_table_imports_with_indexes_kept(
    database: Database, cast: Cast, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if database.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    with database.engine.begin() as conn:
        conn.exec_driver_sql(
            "DO $$ BEGIN CREATE ROLE kam_test_importer; "
            "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        )
        conn.exec_driver_sql(
            "GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO kam_test_importer"
        )
        conn.exec_driver_sql("GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO kam_test_importer")
    before = _postgres_keys(database)
    restored: list[object] = []
    monkeypatch.setattr(bulk, "_restore_postgres", lambda *a: restored.append(a))
    rows = [f"Acme [/b] Ltd,2026-01-0{i},{i},1,SO-{i}\n" for i in range(1, 8)]
    with database.writing() as s:
        s.execute(text("SET LOCAL ROLE kam_test_importer"))
        report = importer.run_import(s, cast.admin, "transactions", write(tmp_path / "a.csv", rows))
    assert (report.written, restored) == (7, [])
    assert _postgres_keys(database) == before
    assert [r[1:] for r in lines(database)] == [
        (float(i), f"SO-{i}", f"SO-{i}/1") for i in range(1, 8)
    ]


@pytest.mark.usefixtures("small_batches")
def test_a_big_import_into_a_small_table_skips_the_lines_it_holds(
    database: Database, cast: Cast, tmp_path: Path
) -> None:
    rows = [f"Acme [/b] Ltd,2026-01-0{i},{i},1,SO-{i}\n" for i in range(1, 8)]
    assert run(database, cast, write(tmp_path / "a.csv", rows[2:5])).written == 3
    again = run(database, cast, write(tmp_path / "b.csv", rows))  # 7 rows into a table of 3
    assert (again.written, again.unchanged) == (4, 3)
    stored = sorted(r[1:] for r in lines(database))
    assert stored == [(float(i), f"SO-{i}", f"SO-{i}/1") for i in range(1, 8)]
    assert run(database, cast, write(tmp_path / "b.csv", rows)).written == 0


def test_a_postgres_reimport_of_overlapping_lines_adds_only_the_new_ones_through_staging(
    database: Database, cast: Cast, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if database.engine.dialect.name != "postgresql":
        pytest.skip("the COPY into a staging table is PostgreSQL's")
    rows = [f"Acme [/b] Ltd,2026-01-0{i},{i},1,SO-{i}\n" for i in range(1, 10)]
    assert run(database, cast, write(tmp_path / "a.csv", rows[:6])).written == 6
    stored = lines(database)
    copied: list[tuple[str, int]] = []
    real_copy = bulk._copy_into

    def spying_copy(cursor, table, rows, progress):  # type: ignore[no-untyped-def]
        copied.append((table, rows.num_rows))
        real_copy(cursor, table, rows, progress)

    monkeypatch.setattr(bulk, "_copy_into", spying_copy)
    changed = rows[4].replace(",5,1,", ",500,1,")  # SO-5 again, another revenue: kept as stored
    again = run(database, cast, write(tmp_path / "b.csv", [*rows[3:4], changed, *rows[5:]]))
    assert copied == [("kam_import_sales_line", 6)]  # the whole file, then the anti-join
    assert (again.written, again.unchanged) == (3, 3)
    assert lines(database)[:6] == stored
    assert [r[1:] for r in lines(database)] == [
        (float(i), f"SO-{i}", f"SO-{i}/1") for i in range(1, 10)
    ]
    with database.engine.connect() as conn:
        temporary = "SELECT count(*) FROM pg_class WHERE relname = 'kam_import_sales_line'"
        assert conn.execute(text(temporary)).scalar() == 0


def test_a_bulk_import_checks_its_customers_once_for_all_rows_on_sqlite(
    sqlite_database: Database, tmp_path: Path
) -> None:
    """An import's transaction (keys_in_bulk) leaves SQLite's row-by-row foreign-key check
    off, checks the customers the lines name in one query, and the connection checks every
    key again once it is back in the pool."""
    from tests.support import make_cast

    cast = make_cast(sqlite_database)
    rows = [f"Acme [/b] Ltd,2026-01-0{i},{i},1,SO-{i}\n" for i in range(1, 4)]
    with sqlite_database.writing(keys_in_bulk=True) as s:
        assert s.connection().exec_driver_sql("PRAGMA foreign_keys").scalar() == 0
        report = importer.run_import(s, cast.admin, "transactions", write(tmp_path / "a.csv", rows))
    assert report.written == 3
    with sqlite_database.engine.connect() as conn:  # the same pooled connection
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    with sqlite_database.writing() as s:
        assert s.connection().exec_driver_sql("PRAGMA foreign_keys").scalar() == 1

    ghost = {
        "customer_id": np.array([1, 999, 1]), "sold_on": np.array(["2026-02-01"] * 3,
        dtype="datetime64[D]"), "revenue": np.array([1.0, 2.0, 3.0]),
        "cost_of_goods": np.zeros(3), "quantity": np.zeros(3),
        "product": pd.Series([None] * 3, dtype=object),
        "order_id": pd.Series(["G-1", "G-2", "G-3"]),
        "line_key": pd.Series(["G-1/1", "G-2/1", "G-3/1"]),
    }  # fmt: skip
    with (
        pytest.raises(InvalidData, match=r"sales_line\.customer_id 999 is not in customer"),
        sqlite_database.writing(keys_in_bulk=True) as s,
    ):
        bulk.insert_lines(s, "sales_line", ghost)
    assert len(lines(sqlite_database)) == 3
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"), sqlite_database.writing() as s:
        bulk.insert_lines(s, "sales_line", ghost)  # SQLite's own check, row by row
    assert len(lines(sqlite_database)) == 3


@pytest.mark.today("2026-06-30")
def test_checks_run_side_by_side_list_each_rows_problems_in_one_fixed_order(
    database: Database, cast: Cast
) -> None:
    """The sales checks run on three threads; their problems come out in the order the
    columns are checked, however the threads end, and the same every time."""
    from kam.services.importing.checks import check_sales

    long = "P" * 101  # the product column holds 100 characters
    frame = pd.DataFrame({
        "customer": ["Nobody Inc", "Acme [/b] Ltd", "Acme [/b] Ltd", "Acme [/b] Ltd"],
        "date": ["2026-02-30", "2026-01-05", "2026-01-05", "2026-01-05"],
        "revenue": ["ten", "100", "5", "7"],
        "cost_of_goods": ["", "-1", "1", "1"],
        "quantity": ["x", "-2", "1", "1"],
        "product": [long, "", "", ""],
        "order_id": ["A", "B", "C", "C"],
        "line": ["1", "1", "y", "1"],
    })  # fmt: skip
    expected = [
        (2, "customer", "unknown customer 'Nobody Inc'"),
        (2, "date", "is not a real date: 2026-02-30"),
        (2, "revenue", "is not a number: ten"),
        (2, "cost_of_goods", "is empty"),
        (2, "quantity", "is not a number: x"),
        (3, "cost_of_goods", "is negative on a sale; only a return (negative revenue) has "
                             "negative cost of goods"),
        (3, "quantity", "is negative on a sale; only a return has negative quantity"),
        (2, "product", "is 101 characters long; at most 100"),
        (4, "line", "is not a number: y"),
        (5, "line", "order C line 1 appears twice"),  # row 4's unreadable line is its order's first
    ]  # fmt: skip
    with database.reading() as s:
        for _ in range(5):
            checked = check_sales(s, frame, ".", None)
            assert [(e.row, e.column, e.problem) for e in checked.errors] == expected
