"""The TUI rows, through the real `kam` entry point in a pseudo-terminal (see tui.py):
the first frame, the dashboard with its figures, and keystroke latency in the candidates
area's filter."""

from __future__ import annotations

import random
import re
import time

from benchmarks import process
from benchmarks.data import Spec
from benchmarks.process import Failed, Sample
from benchmarks.results import Context, Keys, Result
from benchmarks.tui import CTRL_U, Pty, Screen

COLS, ROWS = 120, 40
REFERENCE = "import textual.app, sqlmodel"

#: The candidates area's status line (screens/areas/candidates.py, `_refill`).
STATUS = re.compile(r"([\d,]+) of ([\d,]+) customers")
PLACEHOLDER = "/ filter by customer name"
KEY_GAP = 0.15
"""Seconds between a key's result and the next key: a quick typist's pace."""


def first_frame(screen: Screen) -> bool:
    """The header shows the dashboard's title and the footer its keys (`q Quit` is always
    there, screens/widgets/footer.py)."""
    return "Dashboard" in screen.line(0) and "Quit" in screen.line(screen.rows - 1)


def figures_shown(screen: Screen) -> bool:
    """The dashboard's figures are in: its CLV line and its Pareto line (both drawn only
    once the worker has computed them; screens/areas/dashboard.py, `_figures`)."""
    text = screen.text()
    return " of key accounts" in text and (
        "of customers make" in text or "no profit in the last twelve months" in text
    )


def dashboard(ctx: Context, which: str, spec: Spec | None = None) -> Result:
    """Bare `kam` in a 120×40 pty, timed from spawn to the frame showing the header and
    footer (tui-first) or the figures (dashboard), against `import textual.app, sqlmodel`;
    on kam's demo (no spec) or a generated size's full database."""
    template = ctx.sqlite.base(ctx.data(spec) if spec else None)
    size = spec.describe() if spec else "demo (kam demo)"
    ours = ctx.run_folder / "tui.db"
    env = ctx.sqlite.env_for(ours)
    condition, what = (first_frame, "the first frame") if which == "tui-first" else (
        figures_shown, "the dashboard's figures")  # fmt: skip
    ref_cmd = [ctx.python, "-c", REFERENCE]

    def kam() -> Sample:
        process.fresh_copy(template, ours)
        pty = Pty([ctx.kam], env, COLS, ROWS)
        shown = pty.wait_for(condition, 120, what)
        child = pty.close()
        return Sample(shown - child.forked, child.peak_kib)

    if which == "tui-first":
        title, limit = "TUI: first frame (header and footer drawn)", 1.5
    else:
        title, limit = "TUI: dashboard with its figures", 2.0
    result = Result(
        which, title, size, f"kam (pty {COLS}×{ROWS}) until {what}",
        process.shown(ref_cmd), target=f"≤ {limit:g}×",
        note="kam's peak is over the whole session, until it quits",
    )  # fmt: skip
    result.kam_runs, result.ref_runs = process.alternate(
        kam, lambda: process.run(ref_cmd, ctx.env), ctx.pairs, ctx.say
    )
    result.met = result.ratio <= limit
    return result


def _count(line: str) -> int | None:
    """The number of matching customers a status line gives."""
    found = STATUS.fullmatch(line.strip())
    shown = found and found.group(1)
    return int(shown.replace(",", "")) if shown else None


def _status_row(screen: Screen, count: int) -> int | None:
    """The row whose status line counts `count` matching customers."""
    for y in range(screen.rows):
        if _count(screen.line(y)) == count:
            return y
    return None


def expected_count(names: list[str], needle: str) -> int:
    """How many customers the filter keeps for `needle` (as the screen filters: the
    stripped, lower-cased text contained in the lower-cased name)."""
    needle = needle.strip().lower()
    return sum(needle in name for name in names) if needle else len(names)


def pick_names(names: list[str], how_many: int, seed: int = 5) -> list[str]:
    """Real names to type, starting with five letters, with different beginnings."""
    chooser = random.Random(seed)
    pool = sorted(n for n in names if n[:5].isascii() and n[:5].isalpha())
    chooser.shuffle(pool)
    picked: list[str] = []
    for name in pool:
        if all(name[:3].lower() != p[:3].lower() for p in picked):
            picked.append(name)
        if len(picked) == how_many:
            break
    return picked


def keys(ctx: Context, spec: Spec | None) -> Keys:
    """Type the first 1..5 letters of real customer names into the candidates filter and
    time each key to the frame showing its result: the filter holding the typed text and
    the status line counting what it keeps."""
    if spec is None:
        template, size = ctx.sqlite.demo(), "demo (kam demo)"
    else:
        data = ctx.data(spec)
        template = ctx.sqlite.full(data)
        size = f"{spec.customers:,} customers / {spec.lines:,} lines"
    names = ctx.sqlite.names(template)
    lowered = [n.lower() for n in names]
    ours = ctx.run_folder / "keys.db"
    process.fresh_copy(template, ours)
    argv = [ctx.kam, "tui", "--area", "candidates"]
    result = Keys(size, len(names), f"{process.shown(argv)} (pty {COLS}×{ROWS}), '/' then keys")
    pty = Pty(argv, ctx.sqlite.env_for(ours), COLS, ROWS)
    try:
        pty.wait_for(lambda s: _status_row(s, len(names)) is not None, 600,
                     f"the ranking of all {len(names):,} customers")  # fmt: skip
        pty.settle()
        status_row = _status_row(pty.screen, len(names))
        input_row = pty.screen.find(PLACEHOLDER)
        if status_row is None or input_row is None:
            raise Failed("could not find the status line or the filter on the screen")
        pty.send(b"/")
        pty.settle(0.3)

        def showing(typed: str, count: int):  # type: ignore[no-untyped-def]
            def condition(screen: Screen) -> bool:
                line = screen.line(input_row)
                if (line.strip() != typed.strip()) if typed.strip() else (PLACEHOLDER not in line):
                    return False
                return _count(screen.line(status_row)) == count

            return condition

        for name in pick_names(names, ctx.key_names):
            for k in range(1, 6):
                typed = name[:k]
                count = expected_count(lowered, typed)
                sent = pty.send(typed[-1].lower().encode())
                shown = pty.wait_for(showing(typed.lower(), count), 60, f"{typed!r} → {count:,}")
                result.latencies.append(shown - sent)
                result.typed.append(typed.lower())
                time.sleep(KEY_GAP)
                pty.settle(0.01)
            pty.send(CTRL_U)  # empty the filter (not measured)
            pty.wait_for(showing("", len(names)), 60, "the emptied filter")
            pty.settle(KEY_GAP)
    except Failed as error:
        result.error = str(error)
        return result
    result.peak_kib = pty.close().peak_kib
    return result
