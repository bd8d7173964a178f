"""Import benchmark: 1,000,000 sales lines over 50,000 customers.

Measures, in one run and on the same file:
- `kam import transactions` wall time and peak memory (RSS of the process),
- `sqlite3 DB ".import --csv FILE plain"` into a plain table (the floor),
- computing every metric over the imported data.

Usage: python benchmarks/import_bench.py [--rows 1000000] [--customers 50000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd


def make_files(folder: Path, customers: int, rows: int, seed: int = 1) -> tuple[Path, Path]:
    """A customers CSV and a transactions CSV with a long-tailed spend per customer."""
    rng = np.random.default_rng(seed)
    codes = np.array([f"C{i:06d}" for i in range(1, customers + 1)])
    pd.DataFrame(
        {
            "code": codes,
            "name": [f"Customer {i:06d}" for i in range(1, customers + 1)],
            "industry": rng.choice(["Retail", "Energy", "Health", "Food"], customers),
            "region": rng.choice(["North", "South", "East", "West"], customers),
            "estimated_wallet": np.round(rng.pareto(1.2, customers) * 50_000 + 5_000, 2),
        }
    ).to_csv(folder / "customers.csv", index=False)
    weights = rng.pareto(1.16, customers) + 0.05
    who = rng.choice(customers, rows, p=weights / weights.sum())
    day = pd.Timestamp("2023-12-01") + pd.to_timedelta(rng.integers(0, 1090, rows), unit="D")
    revenue = np.round(rng.lognormal(6, 1, rows), 2)
    pd.DataFrame(
        {
            "customer": codes[who],
            "date": day.strftime("%Y-%m-%d"),
            "revenue": revenue,
            "cost_of_goods": np.round(revenue * rng.uniform(0.5, 0.85, rows), 2),
            "quantity": rng.integers(1, 50, rows),
            "product": rng.choice([f"P{i:03d}" for i in range(200)], rows),
            "order_id": [f"SO{i:08d}" for i in range(rows)],
        }
    ).to_csv(folder / "transactions.csv", index=False)
    return folder / "customers.csv", folder / "transactions.csv"


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before) / 1024


def main() -> None:
    """Generate, import, compare, compute."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--keep", type=Path, help="Work in this folder and keep it.")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="kam-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    kam = shutil.which("kam", path=os.path.dirname(sys.executable)) or shutil.which("kam") or "kam"
    db = folder / "kam.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAM_")}
    env["KAM_DATABASE_URL"] = f"sqlite:///{db}"

    started = time.perf_counter()
    customers_csv, sales_csv = make_files(folder, args.customers, args.rows)
    print(f"generated {args.rows:,} rows in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    subprocess.run([kam, "init"], env=env, check=True, stderr=subprocess.DEVNULL)
    subprocess.run([kam, "import", "customers", str(customers_csv)], env=env, check=True)

    kam_s, kam_mib = timed([kam, "import", "transactions", str(sales_csv)], env)
    plain = folder / "plain.db"
    plain.unlink(missing_ok=True)
    sqlite_s, _ = timed(["sqlite3", str(plain), f".import --csv {sales_csv} plain"], env)
    metrics_s = _metrics_seconds(env)

    print(f"\n{args.rows:,} sales lines over {args.customers:,} customers; "
          f"{os.cpu_count()} CPUs; Python {sys.version.split()[0]}\n")  # fmt: skip
    print("| step | seconds | ratio | peak MiB |")
    print("|---|---:|---:|---:|")
    print(f"| `sqlite3 .import --csv` (plain table) | {sqlite_s:.1f} | 1.00 | |")
    print(f"| `kam import transactions` | {kam_s:.1f} | {kam_s / sqlite_s:.2f} | {kam_mib:,.0f} |")
    print(f"| all metrics (load from the database + compute) | {metrics_s[0]:.1f} | | |")
    print(f"| all metrics (compute only) | {metrics_s[1]:.2f} | | |")
    if not args.keep:
        shutil.rmtree(folder)


def _metrics_seconds(env: dict[str, str]) -> tuple[float, float]:
    """Load the frames from the database and compute every metric, in a child process."""
    code = (
        "import time, datetime; t=time.perf_counter()\n"
        "from kam.settings import Settings; from kam.database import Database\n"
        "from kam.figures.frames import load_frames; from kam import metrics\n"
        "db = Database.open(Settings.from_env())\n"
        "with db.reading() as s: f = load_frames(s)\n"
        "c=time.perf_counter()\n"
        "metrics.all_metrics(f.sales, f.costs, f.customers, as_of=datetime.date(2026, 11, 24))\n"
        "e=time.perf_counter(); print(e-t, e-c)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True,
                         capture_output=True, text=True).stdout.split()  # fmt: skip
    return float(out[0]), float(out[1])


if __name__ == "__main__":
    main()
