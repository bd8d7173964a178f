"""The command-line rows: imports (SQLite, PostgreSQL, XLSX), batch, Pareto, start-up.

Each row builds a kam side and a reference side, each a function that prepares a fresh
database (not timed), runs one process (timed, own peak memory) and checks what it did
(not timed), and hands them to `process.alternate`.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path

from benchmarks import process
from benchmarks.data import Dataset, Spec
from benchmarks.process import Failed, Sample
from benchmarks.results import Context, Result

GIB = 1024**3
BATCH_UPDATES = 1000


def _count(path: Path, table: str) -> int:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def _expect(what: str, got: int, wanted: int) -> None:
    if got != wanted:
        raise Failed(f"{what}: {got:,} rows, expected {wanted:,}")


def _size(data: Dataset) -> str:
    return f"{data.spec.customers:,} customers / {data.spec.lines:,} lines"


def _measure(ctx: Context, result: Result, kam, reference) -> Result:  # type: ignore[no-untyped-def]
    result.kam_runs, result.ref_runs = process.alternate(kam, reference, ctx.pairs, ctx.say)
    return result


def import_sqlite(ctx: Context, spec: Spec) -> Result:
    """`kam import transactions` into a fresh copy of a database holding the customers,
    against `sqlite3 .import --csv` of the same file into a new plain table."""
    data = ctx.data(spec)
    template = ctx.sqlite.customers(data)
    ours, plain = ctx.run_folder / "import.db", ctx.run_folder / "plain.db"
    kam_cmd = [ctx.kam, "import", "transactions", str(data.sales_csv)]
    ref_cmd = ["sqlite3", str(plain), f'.import --csv "{data.sales_csv}" t']

    def kam() -> Sample:
        process.fresh_copy(template, ours)
        sample = process.run(kam_cmd, ctx.sqlite.env_for(ours))
        _expect("kam's sales_line", _count(ours, "sales_line"), spec.lines)
        return sample

    def reference() -> Sample:
        process.remove_sqlite(plain)
        sample = process.run(ref_cmd, ctx.env)
        _expect("sqlite3's t", _count(plain, "t"), spec.lines)
        return sample

    result = Result(
        "import", "import sales lines (SQLite)", _size(data),
        "kam import transactions FILE", 'sqlite3 DB ".import --csv FILE t"',
        target="≤ 2×; kam's peak ≤ 1 GiB",
    )  # fmt: skip
    _measure(ctx, result, kam, reference)
    memory_ok = spec.lines > 1_000_000 or result.kam_peak_mib * 1024**2 <= GIB
    if spec.lines > 1_000_000:
        result.target = "≤ 2× (the 1 GiB peak target is for 1M lines)"
    result.met = result.ratio <= 2 and memory_ok
    result.why = " and ".join(
        part for part, ok in (("ratio", result.ratio <= 2), ("peak", memory_ok)) if not ok
    )
    return result


def import_postgres(ctx: Context, spec: Spec) -> Result:
    """`kam import transactions` into a fresh PostgreSQL database holding the customers,
    against psql's `\\copy` of the same file into a plain table in a fresh database."""
    pg = ctx.pg
    if pg is None:
        raise Failed("no PostgreSQL server (KAM_TEST_POSTGRES_URL or --pg-url)")
    data = ctx.data(spec)
    template = pg.customers(data)
    kam_cmd = [ctx.kam, "import", "transactions", str(data.sales_csv)]
    copy = f"\\copy t from '{data.sales_csv}' csv header"

    def count(name: str, table: str) -> int:
        import psycopg

        with psycopg.connect(pg.libpq_url(name)) as db:
            return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # type: ignore[index,arg-type]

    def kam() -> Sample:
        name = pg.create(template=template)
        try:
            env = {**ctx.env, "KAM_DATABASE_URL": pg.sqlalchemy_url(name)}
            sample = process.run(kam_cmd, env)
            _expect("kam's sales_line", count(name, "sales_line"), spec.lines)
            return sample
        finally:
            pg.drop(name)

    def reference() -> Sample:
        name = pg.create()
        try:
            pg.plain_table(name)
            cmd = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", pg.libpq_url(name), "-c", copy]
            sample = process.run(cmd, ctx.env)
            _expect("psql's t", count(name, "t"), spec.lines)
            return sample
        finally:
            pg.drop(name)

    ref_shown = f'psql URL -c "{copy.replace(str(data.sales_csv), "FILE")}"'
    result = Result(
        "import-pg", "import sales lines (PostgreSQL)", _size(data),
        "kam import transactions FILE (KAM_DATABASE_URL=postgresql+psycopg://…)", ref_shown,
        target="≤ 3×",
        note="times include the server's work; peak memory is the client process's own",
    )  # fmt: skip
    _measure(ctx, result, kam, reference)
    result.met = result.ratio <= 3
    return result


def import_xlsx(ctx: Context) -> Result:
    """`kam import transactions FILE.xlsx` against python-calamine reading the same sheet in
    a bare Python process."""
    spec = Spec.of("demo", lines=max(Spec.of("demo").lines, ctx.xlsx_rows))
    data = ctx.data(spec)
    book = data.xlsx(ctx.xlsx_rows)
    template = ctx.sqlite.customers(data)
    ours = ctx.run_folder / "xlsx.db"
    kam_cmd = [ctx.kam, "import", "transactions", str(book)]
    code = (
        "from python_calamine import CalamineWorkbook; "
        f"CalamineWorkbook.from_path({str(book)!r}).get_sheet_by_index(0).to_python()"
    )
    ref_cmd = [ctx.python, "-c", code]

    def kam() -> Sample:
        process.fresh_copy(template, ours)
        sample = process.run(kam_cmd, ctx.sqlite.env_for(ours))
        _expect("kam's sales_line", _count(ours, "sales_line"), ctx.xlsx_rows)
        return sample

    result = Result(
        "xlsx", "import an XLSX of sales lines", f"{ctx.xlsx_rows:,} rows",
        "kam import transactions FILE.xlsx", process.shown(ref_cmd).replace(str(book), "FILE"),
        target="calamine-class (ratio reported)",
    )  # fmt: skip
    return _measure(ctx, result, kam, lambda: process.run(ref_cmd, ctx.env))


def batch(ctx: Context) -> Result:
    """`kam batch` of 1,000 account.update lines against one `kam account update`, each on a
    fresh copy of the demo database."""
    demo = ctx.sqlite.demo()
    listed = json.loads(process.check([ctx.kam, "account", "list", "--json"],
                                      ctx.sqlite.env_for(demo)))  # fmt: skip
    accounts = [row["customer"] for row in listed["rows"]]
    if not accounts:
        raise Failed("the demo database has no key accounts to update")
    lines = ctx.run_folder / "updates.jsonl"
    with lines.open("w", encoding="utf-8") as out:
        for i in range(BATCH_UPDATES):
            change = {"action": "account.update", "account": accounts[i % len(accounts)],
                      "reason": f"Quarterly business review {i}: volumes on plan"}  # fmt: skip
            out.write(json.dumps(change, ensure_ascii=False) + "\n")
    ours = ctx.run_folder / "batch.db"
    kam_cmd = [ctx.kam, "batch", str(lines)]
    ref_cmd = [ctx.kam, "account", "update", accounts[0], "--reason", "Quarterly business review"]

    def side(command: list[str]):  # type: ignore[no-untyped-def]
        def run() -> Sample:
            process.fresh_copy(demo, ours)
            return process.run(command, ctx.sqlite.env_for(ours))

        return run

    result = Result(
        "batch", f"`kam batch` of {BATCH_UPDATES:,} account.update lines", "demo",
        process.shown(kam_cmd).replace(str(lines), "FILE"), process.shown(ref_cmd),
        target="≤ 1.5×",
    )  # fmt: skip
    _measure(ctx, result, side(kam_cmd), side(ref_cmd))
    result.met = result.ratio <= 1.5
    return result


def pareto(ctx: Context, spec: Spec) -> Result:
    """`kam metrics pareto --json` against the same T12M profit per customer in one bare
    sqlite3 query (sales margin less cost to serve, grouped by customer), on copies of one
    database."""
    data = ctx.data(spec)
    full = ctx.sqlite.full(data)
    ours, out = ctx.run_folder / "pareto.db", ctx.run_folder / "pareto.out"
    since = (data.as_of - timedelta(days=365)).isoformat()
    until = data.as_of.isoformat()
    query = (
        "SELECT customer_id, sum(m) AS profit FROM ("
        "SELECT customer_id, revenue - cost_of_goods AS m FROM sales_line "
        f"WHERE sold_on > '{since}' AND sold_on <= '{until}' UNION ALL "
        "SELECT customer_id, -amount FROM service_cost "
        f"WHERE incurred_on > '{since}' AND incurred_on <= '{until}') "
        "GROUP BY customer_id ORDER BY profit DESC"
    )
    kam_cmd = [ctx.kam, "metrics", "pareto", "--json", "--as-of", until]
    ref_cmd = ["sqlite3", str(ours), query]

    def kam() -> Sample:
        process.fresh_copy(full, ours)
        sample = process.run(kam_cmd, ctx.sqlite.env_for(ours), stdout=out)
        total = json.loads(out.read_text())["total"]
        _expect("kam metrics pareto's total", total, spec.customers)
        return sample

    def reference() -> Sample:
        process.fresh_copy(full, ours)
        sample = process.run(ref_cmd, ctx.env, stdout=out)
        if not out.read_text().strip():
            raise Failed("the reference query printed nothing")
        return sample

    limit = 3.0 if spec.lines <= 1_000_000 else 5.0 if spec.lines <= 3_000_000 else None
    result = Result(
        "pareto", "`kam metrics pareto --json`", _size(data),
        process.shown(kam_cmd), f'sqlite3 DB "{query}"'.replace(since, "AS_OF-1y")
        .replace(until, "AS_OF"), target=f"≤ {limit:.0f} s" if limit else "",
        note="memory should grow with customers, not lines",
    )  # fmt: skip
    _measure(ctx, result, kam, reference)
    result.met = result.kam_seconds <= limit if limit else None
    return result


def startup(ctx: Context, which: str) -> Result:
    """`kam --help` against `import typer`; `kam account list --json` (demo) against
    `import sqlmodel`."""
    if which == "help":
        kam_cmd, ref = [ctx.kam, "--help"], "import typer"
        env, title, size = ctx.env, "start-up: `kam --help`", "-"
    else:
        ours = ctx.run_folder / "list.db"
        kam_cmd, ref = [ctx.kam, "account", "list", "--json"], "import sqlmodel"
        env, title, size = ctx.sqlite.env_for(ours), "start-up: `kam account list --json`", "demo"
    ref_cmd = [ctx.python, "-c", ref]

    def kam() -> Sample:
        if which != "help":
            process.fresh_copy(ctx.sqlite.demo(), ctx.run_folder / "list.db")
        return process.run(kam_cmd, env)

    target = "measured (no target yet)" if which == "help" else "≤ 1.3×"
    result = Result(which, title, size, process.shown(kam_cmd), process.shown(ref_cmd),
                    target=target)  # fmt: skip
    _measure(ctx, result, kam, lambda: process.run(ref_cmd, ctx.env))
    if which != "help":
        result.met = result.ratio <= 1.3
    return result
