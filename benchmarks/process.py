"""Measuring one process: wall time from spawn to exit, and its OWN peak memory.

The peak is `ru_maxrss` from `os.wait4` on the child's pid, whose rusage is that process's
own. `getrusage(RUSAGE_CHILDREN)` would give the largest peak of every child reaped so far,
so a small process measured after a big one would inherit the big one's number.

One more trap: Linux keeps, in the peak of a process that calls exec, the memory of what it
was before the exec, that is a copy of its parent. A process started by this runner (which
holds pandas, psycopg and data) would report at least the runner's size. So each measured
process is started by a LAUNCHER: a fresh `python -S -I` of a few MiB that forks the
command, waits for it with `os.wait4`, and writes the fork and exit times (CLOCK_MONOTONIC,
comparable across processes) and the child's peak to a file. A peak below the launcher's
own size (`floor()`, about 5 MiB) reads as that size.
"""

from __future__ import annotations

import itertools
import marshal
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

#: Forks argv[3:], waits for it, writes (forked, ended, exit code, own peak KiB) to argv[1].
#: Only built-in modules, so that what the child copies from it stays small.
LAUNCHER = """
import os, sys, time, marshal, _signal
result, timeout, argv = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
forked = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(argv[0], argv)
    except OSError as error:
        os.write(2, ("cannot run %s: %s\\n" % (argv[0], error)).encode())
    os._exit(127)
_signal.signal(_signal.SIGALRM, lambda *_: os.kill(pid, 9))
_signal.setitimer(_signal.ITIMER_REAL, timeout)
_, status, usage = os.wait4(pid, 0)
ended = time.perf_counter()
_signal.setitimer(_signal.ITIMER_REAL, 0)
with open(result, "wb") as out:
    marshal.dump((forked, ended, os.waitstatus_to_exitcode(status), usage.ru_maxrss), out)
"""

_results = itertools.count(1)


class Failed(RuntimeError):
    """A measured command failed, or its output was not what it should be."""


@dataclass(frozen=True)
class Sample:
    """One measured run."""

    seconds: float
    peak_kib: int
    """The process's own peak resident set size (ru_maxrss, KiB on Linux)."""


@dataclass(frozen=True)
class Launched:
    """What the launcher saw of its child."""

    forked: float
    """time.perf_counter() just before the fork (CLOCK_MONOTONIC, any process's clock)."""
    ended: float
    exit_code: int
    peak_kib: int


def launcher(command: Sequence[str], timeout: float) -> tuple[list[str], Path]:
    """The argv that runs `command` under the launcher, and the file it will report to."""
    result = Path(os.environ.get("TMPDIR", "/tmp")) / f"kam-bench-{os.getpid()}-{next(_results)}"
    result.unlink(missing_ok=True)
    argv = [sys.executable, "-S", "-I", "-c", LAUNCHER, str(result), str(timeout), *command]
    return argv, result


def launched(result: Path, command: Sequence[str]) -> Launched:
    """Read (and remove) the launcher's report."""
    try:
        with open(result, "rb") as report:
            forked, ended, code, peak = marshal.load(report)
    except (OSError, EOFError, ValueError) as error:
        raise Failed(f"`{shown(command)}`: the launcher left no report ({error})") from None
    result.unlink(missing_ok=True)
    return Launched(forked, ended, code, peak)


def run(
    command: Sequence[str],
    env: dict[str, str],
    *,
    stdout: Path | None = None,
    cwd: Path | None = None,
    timeout: float = 3600,
) -> Sample:
    """Run `command` to its end: its wall time from fork to reaping, and its own peak.

    Standard output goes to `stdout` (a file, so a command printing a lot pays for the
    writing as a user's redirection would) or to /dev/null; standard error is kept to
    explain a failure.
    """
    argv, result = launcher(command, timeout)
    err_path = result.with_suffix(".err")
    with open(err_path, "wb") as err, open(stdout or os.devnull, "wb") as out:
        subprocess.run(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
    child = launched(result, command)
    message = err_path.read_text(errors="replace").strip()[-2000:]
    err_path.unlink(missing_ok=True)
    if child.exit_code != 0:
        raise Failed(f"`{shown(command)}` exited {child.exit_code}: {message}")
    return Sample(child.ended - child.forked, child.peak_kib)


def floor(env: dict[str, str]) -> int:
    """The smallest peak the launcher can report (KiB): that of `true`."""
    return run(["true"], env).peak_kib


def check(command: Sequence[str], env: dict[str, str], cwd: Path | None = None) -> str:
    """Run a set-up command (not measured); its standard output, or Failed."""
    done = subprocess.run(list(command), env=env, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise Failed(f"`{shown(command)}` exited {done.returncode}: {done.stderr.strip()[-2000:]}")
    return done.stdout


def shown(command: Sequence[str]) -> str:
    """A command as one line, with the venv's paths shortened to the program's name."""
    parts = []
    for part in command:
        part = str(part)
        if os.sep in part and Path(part).name in ("kam", "python", "python3", "sqlite3", "psql"):
            part = Path(part).name
        parts.append(f'"{part}"' if (" " in part or not part) else part)
    return " ".join(parts)


def alternate(
    kam: Callable[[], Sample],
    reference: Callable[[], Sample],
    pairs: int,
    say: Callable[[str], None],
) -> tuple[list[Sample], list[Sample]]:
    """One warm-up pair (not kept), then `pairs` pairs: kam, reference, kam, reference, …"""
    say("warm-up")
    kam()
    reference()
    ours, theirs = [], []
    for n in range(1, pairs + 1):
        ours.append(kam())
        theirs.append(reference())
        say(f"pair {n}/{pairs}: {ours[-1].seconds:.3f} s / {theirs[-1].seconds:.3f} s")
    return ours, theirs


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def fresh_copy(template: Path, target: Path) -> Path:
    """A new copy of a closed SQLite database (and no stale -wal/-shm files beside it)."""
    remove_sqlite(target)
    shutil.copyfile(template, target)
    wal = Path(f"{template}-wal")
    if wal.exists() and wal.stat().st_size:
        raise Failed(f"{template} has a write-ahead log with pages in it: is it still open?")
    return target


def remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def machine(postgres: str | None = None) -> dict[str, str]:
    """What the numbers were measured on."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = ""
    try:
        found = re.search(r"MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text())
        ram = f"{int(found.group(1)) / 1024**2:.1f} GiB" if found else ""
    except OSError:
        pass
    sqlite_cli = ""
    if shutil.which("sqlite3"):
        said = subprocess.run(["sqlite3", "--version"], capture_output=True, text=True).stdout
        sqlite_cli = said.split()[0] if said else ""
    info = {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": ram,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlite_cli": sqlite_cli,
        "sqlite_python": sqlite3.sqlite_version,
        "postgresql": postgres or "",
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }
    return info


def python() -> str:
    """The interpreter kam runs on (the one running the benchmarks)."""
    return sys.executable


def find_kam() -> str:
    """The `kam` console script beside this interpreter, else the one on PATH."""
    beside = Path(sys.executable).with_name("kam")
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("kam")
    if found is None:
        raise SystemExit("benchmarks: no `kam` console script found (pip install -e '.[bench]')")
    return found


def byte_compile() -> None:
    """Byte-compile kam's own packages, as an installed kam has them: run from a checkout
    where PYTHONDONTWRITEBYTECODE is set, kam would compile its modules again on every run
    while the references' libraries (compiled by pip) would not."""
    import compileall
    import importlib.util

    for package in ("kam", "db", "screens"):
        spec = importlib.util.find_spec(package)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            compileall.compile_dir(folder, quiet=1)


def base_env() -> dict[str, str]:
    """This environment without kam's or Textual's settings (each run sets its own)."""
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("KAM_", "TEXTUAL", "PYTHONPROFILE")) and k != "PYTHONDEVMODE"
    }
