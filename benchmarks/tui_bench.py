"""TUI speed: start-up to the first interactive screen, and filter keystroke latency.

Measures, in one run:
- wall time from process start to the first screen shown with its data loaded (the app in
  a headless terminal, 120x40, exits once its workers are done), next to
  `python -c "import textual.app, sqlmodel"`;
- in the candidates area, the time from a keystroke in the filter to the updated table.

On the demo database (2,000 customers) and on one with 50,000 customers.
Usage: python benchmarks/tui_bench.py [--runs 5] [--customers 50000] [--rows 300000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DRIVER = r"""
import asyncio, sys, time
from kam.settings import Settings
from kam.database import Database
from kam.identity import identify
from db.enums import Door
from screens.app import create_app
from screens.areas.candidates import CandidatesScreen

mode, launched = sys.argv[1], float(sys.argv[2])
settings = Settings.from_env()
database = Database.open(settings)
with database.reading() as session:
    actor = identify(session, door=Door.TUI)
app = create_app(database, actor)

# Keystroke latency: from the key's dispatch to the first screen refresh after the
# candidates table was refilled for it.
refreshed = []
refill = CandidatesScreen._refill
def timed_refill(self):
    refill(self)
    self.call_after_refresh(lambda: refreshed.append(time.perf_counter()))
CandidatesScreen._refill = timed_refill

async def main():
    async with app.run_test(size=(120, 40)) as pilot:
        interactive = time.time() - launched  # the first screen is up and takes keys
        await app.workers.wait_for_complete()
        await pilot.pause()
        if mode == "start":  # seconds from process launch: interactive, data loaded
            print(f"{interactive:.4f} {time.time() - launched:.4f}")
            return
        app.switch_mode("candidates")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("slash")
        times = []
        for key in "abcdefghijklmnopqrst":
            seen = len(refreshed)
            started = time.perf_counter()
            await pilot.press(key)
            await pilot.pause()
            times.append(refreshed[seen] - started)
            await pilot.press("backspace")
            await pilot.pause()
        times.sort()
        print(f"{times[len(times) // 2]:.4f} {times[-1]:.4f}")

asyncio.run(main())
"""


def timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Wall seconds of one child process, and what it printed."""
    start = time.perf_counter()
    done = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    return time.perf_counter() - start, done.stdout


def main() -> None:
    """Build both databases, then measure start-up and keystrokes on each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--rows", type=int, default=300_000)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).parent))
    from import_bench import make_files

    folder = Path(tempfile.mkdtemp(prefix="kam-tui-"))
    kam = shutil.which("kam", path=os.path.dirname(sys.executable)) or shutil.which("kam") or "kam"
    base = {k: v for k, v in os.environ.items() if not k.startswith("KAM_")}
    demo = {**base, "KAM_DATABASE_URL": f"sqlite:///{folder / 'demo.db'}"}
    large = {**base, "KAM_DATABASE_URL": f"sqlite:///{folder / 'large.db'}"}
    subprocess.run([kam, "init", "--demo"], env=demo, check=True, capture_output=True)
    subprocess.run([kam, "init"], env=large, check=True, capture_output=True)
    customers, sales = make_files(folder, args.customers, args.rows)
    for kind, path in (("customers", customers), ("transactions", sales)):
        subprocess.run([kam, "import", kind, str(path)], env=large, check=True, capture_output=True)

    python = sys.executable
    imports = [timed([python, "-c", "import textual.app, sqlmodel"], base)[0]
               for _ in range(args.runs)]  # fmt: skip
    floor = statistics.median(imports)
    version = sys.version.split()[0]
    print(f"\nmedians of {args.runs} runs; {os.cpu_count()} CPUs; Python {version}\n")
    print("| measure | demo (2,000 customers) | 50,000 customers |")
    print("|---|---:|---:|")
    print(f'| `python -c "import textual.app, sqlmodel"` | {floor:.2f} s | {floor:.2f} s |')
    ready: dict[tuple[str, str], float] = {}
    keys: dict[str, tuple[float, float]] = {}
    for label, env in (("demo", demo), ("large", large)):
        runs = [timed([python, "-c", DRIVER, "start", f"{time.time():.6f}"], env)[1].split()
                for _ in range(args.runs)]  # fmt: skip
        ready[label, "interactive"] = statistics.median(float(r[0]) for r in runs)
        ready[label, "loaded"] = statistics.median(float(r[1]) for r in runs)
        out = timed([python, "-c", DRIVER, "keys", f"{time.time():.6f}"], env)[1].split()
        keys[label] = (float(out[0]), float(out[1]))
    for mode, what in (
        ("interactive", "process start to the first screen, interactive"),
        ("loaded", "process start to the first screen with its data"),
    ):
        demo_s, large_s = ready["demo", mode], ready["large", mode]
        print(f"| {what} | {demo_s:.2f} s ({demo_s / floor:.2f}×) | "
              f"{large_s:.2f} s ({large_s / floor:.2f}×) |")  # fmt: skip
    print(f"| candidates filter: keystroke to refreshed table, median (worst of 20) | "
          f"{keys['demo'][0] * 1000:.0f} ms ({keys['demo'][1] * 1000:.0f}) | "
          f"{keys['large'][0] * 1000:.0f} ms ({keys['large'][1] * 1000:.0f}) |")  # fmt: skip
    shutil.rmtree(folder)


if __name__ == "__main__":
    main()
