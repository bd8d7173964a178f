"""An older commit of kam and this checkout timed on the same command, alternately: what a
change did to one command.

    python -m benchmarks.versions OLD DB [--pairs 5] -- ARGS   (e.g. -- metrics clv --json)

OLD (any commit) is checked out into a temporary git worktree. Each side runs `kam ARGS`
on its own copy of the SQLite database DB, made once before the warm-up pair and kept
across that side's runs, so that what a side stores (a lifetime-value fit) it finds again,
as it would in a user's database. Both sides run through the same interpreter and the same
few lines (`python -c "…" FOLDER ARGS`: kam imported from FOLDER, both byte-compiled
first), so the code is the only difference. Standard output goes to a file, as a user's
redirection would take it. Prints each side's median seconds and largest peak, and the
median of new / old over the pairs with its min–max.
"""

from __future__ import annotations

import argparse
import compileall
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks import process

ROOT = Path(__file__).resolve().parent.parent

#: Runs `kam ARGS` from the checkout named by the first argument, whatever kam the
#: environment has installed (an editable install's finder is set aside).
RUN_FROM = (
    "import sys; folder = sys.argv.pop(1); "
    "sys.meta_path[:] = [f for f in sys.meta_path if '__editable__' not in repr(f)]; "
    "sys.path.insert(0, folder); sys.argv[0] = 'kam'; "
    "from kam.cli.main import main; sys.exit(main())"
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.versions",
        usage="%(prog)s OLD DB [--pairs N] -- ARGS",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument("old", help="The commit to compare with (e.g. HEAD~3).")
    parser.add_argument("db", type=Path, help="A SQLite kam database (copied, never written).")
    parser.add_argument("--pairs", type=int, default=5, help="Measured pairs (default 5).")
    argv = sys.argv[1:] if argv is None else argv
    split = argv.index("--") if "--" in argv else len(argv)
    options = parser.parse_args(argv[:split])  # --help stops here
    args = argv[split + 1 :]
    if not args:
        parser.error("give kam's arguments after --")
    with tempfile.TemporaryDirectory(prefix="kam-versions-") as work:
        folder = Path(work)
        old = folder / "old"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(old), options.old],
            check=True,
        )
        try:
            _compare(old, folder, options.db, args, options.pairs)
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)], check=False
            )


def _compare(old: Path, folder: Path, db: Path, args: list[str], pairs: int) -> None:
    for tree in (old, ROOT):
        for package in ("kam", "db", "screens"):
            compileall.compile_dir(str(tree / package), quiet=1)
    env = process.base_env()

    def side(tree: Path, name: str):  # type: ignore[no-untyped-def]
        copy = process.fresh_copy(db, folder / f"{name}.db")
        side_env = {**env, "KAM_DATABASE_URL": f"sqlite:///{copy}"}
        command = [sys.executable, "-c", RUN_FROM, str(tree), *args]
        out = folder / f"{name}.out"

        def run() -> process.Sample:
            return process.run(command, side_env, stdout=out, cwd=tree)

        return run

    new_runs, old_runs = process.alternate(
        side(ROOT, "new"), side(old, "old"), pairs, lambda line: print(f"  {line}", flush=True)
    )
    ratios = sorted(n.seconds / o.seconds for n, o in zip(new_runs, old_runs, strict=True))
    for name, runs in (("old", old_runs), ("new", new_runs)):
        seconds = process.median([r.seconds for r in runs])
        peak = max(r.peak_kib for r in runs) / 1024
        print(f"{name}: {seconds:.2f} s (median of {len(runs)}), peak {peak:,.0f} MiB")
    print(
        f"new / old: {process.median(ratios):.2f}× ({ratios[0]:.2f}–{ratios[-1]:.2f}) "
        f"for `kam {' '.join(args)}`"
    )


if __name__ == "__main__":
    main()
