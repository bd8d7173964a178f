"""The whitespace heat map (key w on the key accounts list): every key account's opportunity
per product category in colour and numbers; Enter on a cell opens the account's plan with an
objective for the category filled in, or its sheet when it has no plan this year.

The figures are those worked out by hand in tests/unit/test_whitespace.py, as of AS_OF.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static, TabbedContent

from kam.database import Database
from screens.areas.whitespace import WhitespaceScreen
from screens.sheet.objective_form import ObjectiveForm
from screens.sheet.screen import AccountSheetScreen
from tests.support import Cast, add_whitespace_base, make_cast
from tests.tui.support import AS_OF, add_plan, make_app, rows, settle, text_of

pytestmark = pytest.mark.today("2025-06-30")

SIZE = (120, 40)


@pytest.fixture
def whitespace_cast(sqlite_database: Database) -> Cast:
    """The cast with the whitespace base; Acme (Mia's) has a plan for 2025, 北京 none."""
    cast = make_cast(sqlite_database)
    add_whitespace_base(sqlite_database, AS_OF)
    add_plan(sqlite_database, cast.manager)
    return cast


async def open_matrix(app: Any, pilot: Pilot[None]) -> WhitespaceScreen:
    await settle(app, pilot)
    await pilot.press("w")
    await settle(app, pilot)
    assert isinstance(app.screen, WhitespaceScreen)
    return app.screen


async def test_w_shows_the_matrix_with_numbers_and_the_cell_in_words(
    sqlite_database: Database, whitespace_cast: Cast
) -> None:
    app = make_app(sqlite_database, whitespace_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_matrix(app, pilot)
        table = screen.query_one(DataTable)
        assert rows(table) == [
            # account, total, headroom × margin rate (990,000 × 0.4), Bolts, Glue, TAPE
            ["Acme [/b] Ltd", "71.0k", "396.0k", "51.0k", "·", "20.0k"],
            ["北京燕京啤酒", "260", "–", "180", "·", "80"],
        ]
        # Coloured by heat: the largest cell brightest, none dim.
        assert table.get_cell_at((0, 3)).style != table.get_cell_at((0, 5)).style
        assert str(table.get_cell_at((0, 4)).style) == "dim"
        detail = text_of(screen.query_one("#detail", Static))
        assert "Retail · 10 peers (its industry) · size 1.0M (wallet)" in detail
        assert "Bolts: buys 4.0k · peers' level 55.0k · opportunity 51.0k" in detail
        await pilot.press("down")
        detail = text_of(screen.query_one("#detail", Static))
        assert "12 peers (the base) · size 4.0k (T12M revenue)" in detail
        await pilot.press("m")  # what each account buys
        assert rows(table)[1][3:] == ["·", "1.0k", "·"]


async def test_enter_on_a_cell_opens_the_plan_with_the_objective_filled_in(
    sqlite_database: Database, whitespace_cast: Cast
) -> None:
    app = make_app(sqlite_database, whitespace_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        await open_matrix(app, pilot)
        await pilot.press("enter")  # Acme, Bolts
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, ObjectiveForm)
        assert form.query_one("#title", Input).value == (
            "Grow Bolts margin to the peers' level (whitespace)"
        )
        assert form.query_one("#target", Input).value == "55000"  # 0.055 × 1,000,000
        assert form.query_one("#baseline", Input).value == "4000"  # what it buys now
        await pilot.press("escape")
        await settle(app, pilot)
        sheet = app.screen
        assert isinstance(sheet, AccountSheetScreen)
        assert sheet.query_one(TabbedContent).active == "plan"
        await pilot.press("escape")  # back to the matrix
        await pilot.press("down", "enter")  # 北京 has no plan this year: its sheet
        await settle(app, pilot)
        assert isinstance(app.screen, AccountSheetScreen)
        assert app.screen.customer == "北京燕京啤酒"
        assert app.screen.query_one(TabbedContent).active == "overview"


async def test_a_cell_without_opportunity_says_enter_opens_the_plan_without_an_objective(
    sqlite_database: Database, whitespace_cast: Cast
) -> None:
    app = make_app(sqlite_database, whitespace_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_matrix(app, pilot)
        await pilot.press("right")  # Acme, Glue: it buys none and its peers none either
        detail = text_of(screen.query_one("#detail", Static))
        assert "opportunity 0" in detail and "Enter: plan objective" not in detail
        assert "Enter: its plan (no opportunity in this category" in detail
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, AccountSheetScreen)  # no objective form
        assert app.screen.query_one(TabbedContent).active == "plan"


def test_snapshot_of_the_whitespace_matrix(
    snap_compare: Any, sqlite_database: Database, whitespace_cast: Cast
) -> None:
    app = make_app(sqlite_database, whitespace_cast.manager)

    async def loaded(pilot: Pilot[None]) -> None:
        await open_matrix(app, pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=loaded)
