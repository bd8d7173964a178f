"""`python -m benchmarks`: kam against a reference for each row, run alternately, reported
as median ratios with their spread, each side's median seconds and each process's own
peak memory. See benchmarks/__init__.py for the rows."""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from benchmarks import process, report, rows, tui_rows
from benchmarks.bases import Postgres, SQLiteBases
from benchmarks.data import SIZES, Spec
from benchmarks.process import Failed
from benchmarks.results import Context, Keys, Result

#: Row names for --only, in the order they run and are reported.
ROWS = ("import", "import-pg", "xlsx", "batch", "pareto", "dashboard", "help", "list",
        "tui-first", "keys")  # fmt: skip
PER_SIZE = {"import", "import-pg", "pareto", "keys"}
#: Rows measured on kam's demo, then on each generated size but demo (its full database).
PER_BASE = {"dashboard", "tui-first", "list"}


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Measure kam against a reference for each row (see benchmarks/__init__.py).",
    )
    parser.add_argument("--only", help=f"Comma-separated rows: {','.join(ROWS)} (default: all).")
    parser.add_argument(
        "--size", default="50k",
        help="Comma-separated sizes for the data rows: demo (2k customers, 100k lines), "
        "50k (50k, 1M), 200k (200k, 3M). Default 50k.",
    )  # fmt: skip
    parser.add_argument("--customers", type=int, help="Override the customers of each size.")
    parser.add_argument("--rows", type=int, help="Override the sales lines of each size.")
    parser.add_argument("--pairs", type=int, default=5, help="Measured pairs per row (default 5).")
    parser.add_argument("--xlsx-rows", type=int, default=100_000, help="Rows in the XLSX.")
    parser.add_argument(
        "--key-names", type=int, default=8, help="Names typed, 5 keys each (default 8)."
    )
    parser.add_argument("--keep", type=Path, help="Work in this folder and keep its data.")
    parser.add_argument(
        "--pg", choices=("auto", "on", "off"), default="auto",
        help="PostgreSQL rows: auto (when a server URL is given), on, off.",
    )  # fmt: skip
    parser.add_argument("--pg-url", help="Server URL (default: KAM_TEST_POSTGRES_URL).")
    parser.add_argument("--json", type=Path, help="Write every sample to this JSON file.")
    parser.add_argument("--output", type=Path, help="Write the Markdown report here too.")
    args = parser.parse_args(argv)
    args.only = [r.strip() for r in args.only.split(",")] if args.only else list(ROWS)
    unknown = [r for r in args.only if r not in ROWS]
    if unknown:
        parser.error(f"unknown rows: {', '.join(unknown)}; rows: {', '.join(ROWS)}")
    args.sizes = [s.strip() for s in args.size.split(",")]
    if any(s not in SIZES for s in args.sizes):
        parser.error(f"--size takes {', '.join(SIZES)} (comma-separated)")
    if args.pairs < 1:
        parser.error("--pairs must be at least 1")
    if not 1 <= args.xlsx_rows <= 200_000:
        parser.error("--xlsx-rows must be 1..200,000 (kam's XLSX limit)")
    return args


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.pairs < 5:
        say(f"note: {args.pairs} pairs; the report's numbers want at least 5")
    sys.setswitchinterval(0.0005)  # the pty reader thread stamps chunks without waiting
    command = "python -m benchmarks " + shlex.join(sys.argv[1:] if argv is None else argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="kam-bench-"))
    work = work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    env = process.base_env()
    kam = process.find_kam()
    process.byte_compile()

    url = args.pg_url or os.environ.get("KAM_TEST_POSTGRES_URL")
    if args.pg == "on" and not url:
        raise SystemExit("--pg on: give a server with --pg-url or KAM_TEST_POSTGRES_URL")
    pg = Postgres(url, kam, env) if url and args.pg != "off" else None
    if pg and "import-pg" in args.only and shutil.which("psql") is None:
        raise SystemExit("the PostgreSQL row needs psql on PATH")
    ctx = Context(
        work=work, kam=kam, python=process.python(), env=env, pairs=args.pairs,
        xlsx_rows=args.xlsx_rows, key_names=args.key_names,
        sqlite=SQLiteBases(work, kam, env), pg=pg, say=say,
    )  # fmt: skip
    specs = [Spec.of(s, args.customers, args.rows) for s in args.sizes]
    machine = process.machine(pg.version() if pg else None)
    machine["peak_floor_mib"] = f"{process.floor(env) / 1024:.1f}"
    when = datetime.now().strftime("%Y-%m-%d %H:%M")
    results: list[Result] = []
    keys: list[Keys] = []
    try:
        for name in ROWS:
            if name not in args.only:
                continue
            if name == "import-pg" and pg is None:
                say("import-pg: skipped (no PostgreSQL server, or --pg off)")
                continue
            if name == "keys":
                keys += _keys(ctx, specs)
                continue
            if name in PER_BASE:
                bases = [None, *(s for s in specs if not s.label.startswith("demo"))]
            else:
                bases = specs if name in PER_SIZE else [None]
            for spec in bases:
                results.append(_row(ctx, name, spec))
    finally:
        if pg is not None:
            pg.close()
    text = report.markdown(results, keys, machine, command, when, args.pairs)
    print(text)
    if args.output:
        args.output.write_text(text)
    if args.json:
        options = {k: str(v) for k, v in vars(args).items()}
        report.write_json(args.json, results, keys, machine, command, when, options)
    # the generated data and the templates stay with --keep; the runs' copies never do
    shutil.rmtree(work if args.keep is None else work / "run", ignore_errors=True)
    failed = [r for r in results if r.error] + [k for k in keys if k.error]
    return 1 if failed else 0


def _row(ctx: Context, name: str, spec: Spec | None) -> Result:
    """Measure one row; a failure becomes a row that says so (the others still run)."""
    label = f"{name} ({spec.label})" if spec else name
    say(f"{label} …")
    measures: dict[str, Callable[[], Result]] = {
        "import": lambda: rows.import_sqlite(ctx, spec),  # type: ignore[arg-type]
        "import-pg": lambda: rows.import_postgres(ctx, spec),  # type: ignore[arg-type]
        "xlsx": lambda: rows.import_xlsx(ctx),
        "batch": lambda: rows.batch(ctx),
        "pareto": lambda: rows.pareto(ctx, spec),  # type: ignore[arg-type]
        "dashboard": lambda: tui_rows.dashboard(ctx, "dashboard", spec),
        "tui-first": lambda: tui_rows.dashboard(ctx, "tui-first", spec),
        "help": lambda: rows.startup(ctx, "help"),
        "list": lambda: rows.startup(ctx, "list", spec),
    }
    try:
        result = measures[name]()
    except Exception as error:  # noqa: BLE001 - report it in its row, go on with the others
        if not isinstance(error, Failed):
            traceback.print_exc()
        say(f"{label} failed: {error}")
        size = spec.describe() if spec else ""
        return Result(name, name, size, "", "", error=str(error) or type(error).__name__)
    if not result.error:
        say(f"{label}: {result.ratio:.2f}× (kam {result.kam_seconds:.3f} s, "
            f"reference {result.ref_seconds:.3f} s)")  # fmt: skip
    return result


def _keys(ctx: Context, specs: list[Spec]) -> list[Keys]:
    """Keystrokes on kam's demo database, then on each generated size but demo's."""
    sessions: list[Keys] = []
    for spec in [None, *(s for s in specs if not s.label.startswith("demo"))]:
        label = spec.label if spec else "demo"
        say(f"keys ({label}) …")
        try:
            found = tui_rows.keys(ctx, spec)
        except Exception as error:  # noqa: BLE001 - report it, go on
            if not isinstance(error, Failed):
                traceback.print_exc()
            found = Keys(label, 0, "", error=str(error))
        if found.error:
            say(f"keys ({label}) failed: {found.error}")
        elif found.latencies:
            p50, p90 = found.percentile(50) * 1000, found.percentile(90) * 1000
            say(f"keys ({label}): p50 {p50:.0f} ms, p90 {p90:.0f} ms, {len(found.latencies)} keys")
        sessions.append(found)
    return sessions


if __name__ == "__main__":
    raise SystemExit(main())
