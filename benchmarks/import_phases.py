"""Where one `kam import transactions FILE` into SQLite spends its time, phase by phase.

    python -m benchmarks.import_phases DB FILE [--runs 3]

Each run copies DB (a kam database holding the customers, e.g. the one a `--keep` folder
of `python -m benchmarks` keeps: `DIR/db/50k-customers.db`) and imports FILE into the copy
in a fresh Python process that times kam's own steps from the inside: until the import
starts (the process's start, Python, kam's modules and their libraries, the session),
reading the file, the checks, converting the rows to Python values, the INSERT
statements, building the plain indexes, other SQL (the set-based check of the customers,
pragmas), the commit (which writes the pages and checkpoints the WAL). Prints each phase's
median over the runs and the whole process's wall time as the parent saw it. Not a
ratio: it says where to look; the runner says how far kam is from its reference.
"""

from __future__ import annotations

import argparse
import atexit
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import process

PHASES = ("until the import", "read", "checks", "rows to Python", "INSERT", "index build",
          "other SQL", "commit")  # fmt: skip


class _TimedCursor:
    """A DB-API cursor whose execute/executemany add their time to a phase."""

    def __init__(self, cursor: Any, spent: dict[str, float]) -> None:
        self._cursor = cursor
        self._spent = spent

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)

    def _timed(self, phase: str, method: str, *args: Any) -> _TimedCursor:
        started = time.perf_counter()
        getattr(self._cursor, method)(*args)
        self._spent[phase] = self._spent.get(phase, 0.0) + time.perf_counter() - started
        return self

    def execute(self, sql: str, *args: Any) -> _TimedCursor:
        verb = sql.lstrip().upper()
        if verb.startswith("CREATE INDEX"):
            return self._timed("index build", "execute", sql, *args)
        if verb.startswith("INSERT"):
            return self._timed("INSERT", "execute", sql, *args)
        return self._timed("other SQL", "execute", sql, *args)

    def executemany(self, sql: str, rows: Any) -> _TimedCursor:
        return self._timed("INSERT", "executemany", sql, rows)


def _child(file: str, started: float) -> None:
    """Run the import in this process with timers on kam's steps; print the phases as
    JSON on the last line of stderr."""
    spent: dict[str, float] = {}

    def timing(owner: Any, name: str, phase: str) -> None:
        original = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            begun = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[phase] = spent.get(phase, 0.0) + time.perf_counter() - begun

        setattr(owner, name, timed)

    from sqlalchemy.engine.default import DefaultDialect

    import db.bulk as bulk
    from kam.cli.main import main
    from kam.services.importing import importer

    run_import = importer.run_import

    def begun_import(*args: Any, **kwargs: Any) -> Any:
        spent["until the import"] = time.time() - started
        return run_import(*args, **kwargs)

    importer.run_import = begun_import  # type: ignore[assignment]
    timing(importer, "read_table", "read")
    timing(importer, "check_sales", "checks")
    timing(DefaultDialect, "do_commit", "commit")
    blocks, insert = bulk.blocks, bulk._insert_sqlite

    def timed_blocks(*args: Any) -> Any:
        chunks = blocks(*args)
        while True:
            begun = time.perf_counter()
            chunk = next(chunks, None)
            spent["rows to Python"] = spent.get("rows to Python", 0.0) + (
                time.perf_counter() - begun
            )
            if chunk is None:
                return
            yield chunk

    bulk.blocks = timed_blocks  # type: ignore[assignment]
    bulk._insert_sqlite = lambda cursor, *args: insert(_TimedCursor(cursor, spent), *args)  # type: ignore[assignment]
    sys.argv = ["kam", "import", "transactions", file]
    atexit.register(lambda: print(json.dumps(spent), file=sys.stderr))  # main ends the process
    main()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.import_phases")
    parser.add_argument("db", type=Path, help="A kam SQLite database holding the customers.")
    parser.add_argument("file", type=Path, help="The sales lines (CSV or XLSX).")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child-started", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_started is not None:
        _child(str(args.file), args.child_started)
        return 0
    process.byte_compile()
    runs: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="kam-phases-") as folder:
        target = Path(folder) / "import.db"
        for _ in range(args.runs):
            process.fresh_copy(args.db, target)
            env = {**process.base_env(), "KAM_DATABASE_URL": f"sqlite:///{target}"}
            started = time.time()
            done = subprocess.run(
                [sys.executable, "-m", "benchmarks.import_phases", str(args.db), str(args.file),
                 "--child-started", repr(started)],
                env=env, capture_output=True, text=True, check=False,
            )  # fmt: skip
            wall = time.time() - started
            if done.returncode:
                print(done.stderr.strip().splitlines()[-1], file=sys.stderr)
                return 1
            phases = json.loads(done.stderr.strip().splitlines()[-1])
            phases["whole process"] = wall
            runs.append(phases)
    print(f"`kam import transactions {args.file.name}`, median of {args.runs} runs (seconds):")
    for phase in (*PHASES, "whole process"):
        values = [r.get(phase, 0.0) for r in runs]
        print(
            f"  {phase:17s} {statistics.median(values):6.2f}  ({min(values):.2f}–{max(values):.2f})"
        )
    accounted = sum(statistics.median([r.get(p, 0.0) for r in runs]) for p in PHASES)
    rest = statistics.median([r["whole process"] for r in runs]) - accounted
    print(f"  {'the rest':17s} {rest:6.2f}  (the file's hash, the audit, the report, exit)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
