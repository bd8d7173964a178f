"""Snapshots at a fixed terminal size of the key accounts list, an account sheet's overview,
metrics, plan and people (the people at 80×24 too), on deterministic data (the cast with
fixed dates and sales; figures and contacts as of AS_OF; the plan's story on AS_OF).

Update after a deliberate change with `pytest tests/tui/test_snapshots.py --snapshot-update`
and look at the SVGs under tests/tui/__snapshots__/.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from textual.pilot import Pilot

from kam.database import Database
from tests.support import Cast
from tests.tui.support import AS_OF, add_people, add_plan, make_app, settle

SIZE = (120, 40)


def test_snapshot_of_the_key_accounts_list(
    snap_compare: Any, sqlite_database: Database, sheet_cast: Cast
) -> None:
    app = make_app(sqlite_database, sheet_cast.manager)

    async def loaded(pilot: Pilot[None]) -> None:
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=loaded)


def test_snapshot_of_the_key_accounts_list_with_weeks_of_health_kept(
    snap_compare: Any, sqlite_database: Database, sheet_cast: Cast
) -> None:
    """Acme slid from green through amber to red; 北京燕京啤酒 was kept on some weeks only."""
    from db.models import HealthSnapshot

    weeks = {1: "GGGGGAAAARR", 2: "G··A··R·A·R"}  # account id: weeks 11 .. 1 back
    with sqlite_database.writing() as s:
        for account, marks in weeks.items():
            for back, mark in zip(range(11, 0, -1), marks, strict=True):
                if mark != "·":
                    status = {"G": "green", "A": "amber", "R": "red"}[mark]
                    s.add(HealthSnapshot(key_account_id=account, status=status, profit=0.0,
                                         taken_on=AS_OF - timedelta(days=7 * back)))  # fmt: skip
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


def test_snapshot_of_an_account_sheet_overview_at_80x24_shows_the_essentials_first(
    snap_compare: Any, sqlite_database: Database, sheet_cast: Cast
) -> None:
    """Health and its reasons, profit, CLV, wallet, plan, reviews, who runs it and what is
    open fit the first screen; who and worth in full follow below."""
    app = make_app(sqlite_database, sheet_cast.manager)

    async def opened(pilot: Pilot[None]) -> None:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=opened)


def test_snapshot_of_an_account_sheet_metrics_for_a_viewer(
    snap_compare: Any, sqlite_database: Database, sheet_cast: Cast
) -> None:
    app = make_app(sqlite_database, sheet_cast.viewer)

    async def opened(pilot: Pilot[None]) -> None:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("4")

    assert snap_compare(app, terminal_size=SIZE, run_before=opened)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
def test_snapshot_of_the_people_tab(
    snap_compare: Any, sqlite_database: Database, sheet_cast: Cast, size: tuple[int, int]
) -> None:
    """A chart three deep with names in Chinese and Japanese, a champion, a blocker out of
    touch, the coverage findings; at 80 columns the names and stances stay whole."""
    add_people(sqlite_database, sheet_cast.manager)
    app = make_app(sqlite_database, sheet_cast.manager)

    async def opened(pilot: Pilot[None]) -> None:
        await settle(app, pilot)
        app.open_account("Acme [/b] Ltd")
        await settle(app, pilot)
        await pilot.press("3", "down")
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=size, run_before=opened)


@pytest.mark.today("2025-06-30")
def test_snapshot_of_the_plan_tab(
    snap_compare: Any, sqlite_database: Database, sheet_cast: Cast
) -> None:
    add_plan(sqlite_database, sheet_cast.manager)
    app = make_app(sqlite_database, sheet_cast.manager)

    async def opened(pilot: Pilot[None]) -> None:
        await settle(app, pilot)
        app.open_account("Acme [/b] Ltd")
        await settle(app, pilot)
        await pilot.press("2", "down", "down")
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=opened)


#: The smallest terminal kam is made for: the footer keeps `? Keys` and `q Quit`, amounts
#: are abbreviated rather than cut, alerts wrap, the sheet's nine tabs show, forms open at
#: their heading.
SMALL = (80, 24)


def test_snapshot_of_the_dashboard_at_80x24(
    snap_compare: Any, sqlite_database: Database, sheet_cast: Cast
) -> None:
    from screens.app import create_app
    from tests.tui.support import tui

    app = create_app(sqlite_database, tui(sheet_cast.admin), as_of=AS_OF, area="dashboard")

    async def loaded(pilot: Pilot[None]) -> None:
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=SMALL, run_before=loaded)


def test_snapshot_of_the_key_accounts_list_at_80x24(
    snap_compare: Any, sqlite_database: Database, sheet_cast: Cast
) -> None:
    app = make_app(sqlite_database, sheet_cast.admin)

    async def loaded(pilot: Pilot[None]) -> None:
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=SMALL, run_before=loaded)


def test_snapshot_of_an_account_sheet_at_80x24(
    snap_compare: Any, sqlite_database: Database, sheet_cast: Cast
) -> None:
    app = make_app(sqlite_database, sheet_cast.admin)

    async def opened(pilot: Pilot[None]) -> None:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=SMALL, run_before=opened)


def test_snapshot_of_the_contact_form_at_80x24(
    snap_compare: Any, sqlite_database: Database, sheet_cast: Cast
) -> None:
    app = make_app(sqlite_database, sheet_cast.manager)

    async def opened(pilot: Pilot[None]) -> None:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("3")
        await settle(app, pilot)
        await pilot.press("a")
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=SMALL, run_before=opened)


@pytest.mark.parametrize("size", [SIZE, (80, 24)], ids=["120x40", "80x24"])
def test_snapshot_of_the_candidates_filtered_with_the_cursor_down(
    snap_compare: Any, sqlite_database: Database, sheet_cast: Cast, size: tuple[int, int]
) -> None:
    """The base ranked by profit under a fixed header, a Chinese name at its width, the
    cursor on the second row; at 80 columns the table scrolls sideways."""
    app = make_app(sqlite_database, sheet_cast.manager)

    async def opened(pilot: Pilot[None]) -> None:
        await settle(app, pilot)
        await pilot.press("3")
        await settle(app, pilot)
        await pilot.press("down")
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=size, run_before=opened)
