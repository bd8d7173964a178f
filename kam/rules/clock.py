"""The one "today": the local calendar date of the machine running kam.

Every service, command and screen that needs the current date asks `today()`; commands
with `--as-of` pass their date instead. Tests move the clock with time-machine (which
patches `date.today`) or with `frozen`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

_fixed: date | None = None


def today() -> date:
    """The local calendar date (or the date a test fixed with `frozen`)."""
    return _fixed if _fixed is not None else date.today()


def on_or_today(when: date | None) -> date:
    """`when` if given, else today."""
    return when if when is not None else today()


@contextmanager
def frozen(day: date) -> Iterator[None]:
    """Make `today()` return `day` inside the block (for tests and replays)."""
    global _fixed
    before, _fixed = _fixed, day
    try:
        yield
    finally:
        _fixed = before
