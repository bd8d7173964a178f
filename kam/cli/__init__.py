"""The kam command line: one Typer sub-app per noun. Heavy modules load inside commands.

Help is formatted with Rich on a terminal and as plain text otherwise (`kam --help | less`,
scripts): Typer reads TYPER_USE_RICH once, when it loads, so it is decided here, before
kam.cli.main imports Typer, unless the environment already says.
"""

import os
import sys

if "TYPER_USE_RICH" not in os.environ and not (
    getattr(sys.stdout, "isatty", None) and sys.stdout.isatty()
):
    os.environ["TYPER_USE_RICH"] = "0"
