"""TUI test fixtures (the helpers they use live in tests/tui/support.py)."""

from __future__ import annotations

from pathlib import Path

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


@pytest.fixture(autouse=True)
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every TUI test keeps its preferences (the theme) in its own folder, never the user's."""
    folder = tmp_path / "config"
    monkeypatch.setenv("KAM_CONFIG_DIR", str(folder))
    return folder
