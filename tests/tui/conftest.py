"""TUI test fixtures (the helpers they use live in tests/tui/support.py)."""

from __future__ import annotations

import pytest

from kam.database import Database
from tests.support import Cast, make_cast
from tests.tui.support import add_figures


@pytest.fixture
def sheet_cast(sqlite_database: Database) -> Cast:
    """The cast, with fixed dates and a few sales (Acme is Mia's, sponsored by Eve)."""
    cast = make_cast(sqlite_database)
    add_figures(sqlite_database)
    return cast
