"""`kam batch` of N account updates against one `kam account update`, in one run.

Usage: python benchmarks/batch_bench.py [--updates 1000] [--runs 5]
Creates a demo database in a temporary folder; reports medians and their ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    """Build the demo database and the batch file, then time both commands alternately."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="kam-batch-"))
    kam = shutil.which("kam", path=os.path.dirname(sys.executable)) or shutil.which("kam") or "kam"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAM_")}
    env["KAM_DATABASE_URL"] = f"sqlite:///{folder / 'kam.db'}"
    subprocess.run([kam, "init", "--demo"], env=env, check=True, capture_output=True)
    accounts = json.loads(subprocess.run([kam, "account", "list", "--json"], env=env, check=True,
                                         capture_output=True, text=True).stdout)  # fmt: skip
    names = [a["customer"] for a in accounts]
    batch = folder / "updates.jsonl"
    with batch.open("w", encoding="utf-8") as out:
        for i in range(args.updates):
            line = {"action": "account.update", "account": names[i % len(names)],
                    "reason": f"Quarterly note {i}"}  # fmt: skip
            out.write(json.dumps(line, ensure_ascii=False) + "\n")

    def timed(command: list[str]) -> float:
        start = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True)
        return time.perf_counter() - start

    single, many = [], []
    for i in range(args.runs):
        single.append(timed([kam, "account", "update", names[0], "--reason", f"one {i}"]))
        many.append(timed([kam, "batch", str(batch)]))
    one, all_ = statistics.median(single), statistics.median(many)
    print(f"\nmedian of {args.runs} runs, alternating; {os.cpu_count()} CPUs\n")
    print("| command | seconds | × one update |")
    print("|---|---:|---:|")
    print(f"| `kam account update` (one) | {one:.2f} | 1.00 |")
    print(f"| `kam batch` ({args.updates:,} account updates) | {all_:.2f} | {all_ / one:.2f} |")
    shutil.rmtree(folder)


if __name__ == "__main__":
    main()
