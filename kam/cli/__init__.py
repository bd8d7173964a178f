"""The kam command line: one Typer sub-app per noun. Heavy modules load inside commands.

Help is formatted with Rich on a terminal and as plain text otherwise (`kam --help | less`,
scripts): Typer reads TYPER_USE_RICH once, when it loads, so it is decided here, before
kam.cli.main imports Typer, unless the environment already says.
"""

import gc
import os
import sys

if "TYPER_USE_RICH" not in os.environ and not (
    getattr(sys.stdout, "isatty", None) and sys.stdout.isatty()
):
    os.environ["TYPER_USE_RICH"] = "0"

# Start-up allocates a few hundred thousand long-lived objects (modules, classes, the ORM's
# and Textual's tables), and with the default thresholds the collector walks all of them
# again and again on the way (0.3-0.4 s of a TUI's first second). Collecting the youngest
# objects every 10,000 allocations instead of 700, and the oldest less often, leaves little
# cyclic garbage waiting (a few thousand objects at most) and most of that time unspent.
gc.set_threshold(10_000, 50, 50)
