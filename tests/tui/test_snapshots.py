"""Snapshots at a fixed terminal size of the key accounts list and an account sheet's overview,
on deterministic data (the cast with fixed dates and sales; figures as of AS_OF).

Update after a deliberate change with `pytest tests/tui/test_snapshots.py --snapshot-update`
and look at the SVGs under tests/tui/__snapshots__/.
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from kam.database import Database
from tests.support import Cast
from tests.tui.support import make_app, settle

SIZE = (120, 40)


def test_snapshot_of_the_key_accounts_list(
    snap_compare: Any, sqlite_database: Database, sheet_cast: Cast
) -> None:
    app = make_app(sqlite_database, sheet_cast.manager)

    async def loaded(pilot: Pilot[None]) -> None:
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=loaded)


def test_snapshot_of_an_account_sheet_overview(
    snap_compare: Any, sqlite_database: Database, sheet_cast: Cast
) -> None:
    app = make_app(sqlite_database, sheet_cast.manager)

    async def opened(pilot: Pilot[None]) -> None:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=opened)


def test_snapshot_of_an_account_sheet_metrics_for_a_viewer(
    snap_compare: Any, sqlite_database: Database, sheet_cast: Cast
) -> None:
    app = make_app(sqlite_database, sheet_cast.viewer)

    async def opened(pilot: Pilot[None]) -> None:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("2")

    assert snap_compare(app, terminal_size=SIZE, run_before=opened)
