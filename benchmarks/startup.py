"""Start-up cost of the kam CLI, next to the cost of the interpreter and its big imports.

Measures the median wall time of N runs (default 10) of:

    python -c pass
    python -c "import typer"
    python -c "import sqlmodel"
    kam --help
    kam account list --json      (against a demo database this script creates)

and prints a markdown table with seconds and the ratio to `import sqlmodel`.

    python benchmarks/startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def find_kam() -> str:
    """The `kam` console script installed next to this interpreter, else the one on PATH."""
    beside = Path(sys.executable).with_name("kam")
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("kam")
    if found is None:
        sys.exit("benchmarks/startup.py: no `kam` console script found (pip install -e .)")
    return found


def clean_env(database_url: str) -> dict[str, str]:
    """The current environment without KAM_* settings, pointed at the demo database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAM_")}
    env["KAM_DATABASE_URL"] = database_url
    return env


def run(command: list[str], env: dict[str, str]) -> float:
    """Wall time of one run; fails loudly if the command fails."""
    started = time.perf_counter()
    done = subprocess.run(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"`{' '.join(command)}` failed ({done.returncode}):\n{done.stderr}")
    return elapsed


def median_time(command: list[str], env: dict[str, str], runs: int) -> float:
    """Median of `runs` timed runs, after one untimed warm-up (file cache, .pyc files)."""
    run(command, env)
    return statistics.median(run(command, env) for _ in range(runs))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="timed runs per command (default 10)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    python = sys.executable
    kam = find_kam()
    with tempfile.TemporaryDirectory(prefix="kam-bench-") as folder:
        url = f"sqlite:///{Path(folder) / 'kam.db'}"
        env = clean_env(url)
        print(f"Creating the demo database ({url}) ...", file=sys.stderr)
        started = time.perf_counter()
        # `kam init` makes the OS user the first admin, so `account list` may read.
        run([kam, "init", "--demo"], env)
        print(f"... done in {time.perf_counter() - started:.1f} s", file=sys.stderr)

        cases = [
            ("`python -c pass`", [python, "-c", "pass"]),
            ('`python -c "import typer"`', [python, "-c", "import typer"]),
            ('`python -c "import sqlmodel"`', [python, "-c", "import sqlmodel"]),
            ("`kam --help`", [kam, "--help"]),
            ("`kam account list --json`", [kam, "account", "list", "--json"]),
        ]
        times = {}
        for label, command in cases:
            print(f"timing {label} ...", file=sys.stderr)
            times[label] = median_time(command, env, args.runs)

    baseline = times['`python -c "import sqlmodel"`']
    print(
        f"Start-up times: median of {args.runs} runs; Python {platform.python_version()} "
        f"({python}), {os.cpu_count()} CPUs, kam = {kam}"
    )
    print()
    print("| command | seconds | × import sqlmodel |")
    print("|---|---:|---:|")
    for label, seconds in times.items():
        print(f"| {label} | {seconds:.3f} | {seconds / baseline:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
