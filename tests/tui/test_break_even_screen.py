"""The break-even work list in the TUI: reached from the candidates (b) and the palette, the
drivers in words, Enter opens a key account's sheet or another customer's costs; it fits 80
columns with the figures whole (tests.data.break_even has the hand-worked figures)."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Static

from kam.database import Database
from kam.services.programme import set_setting
from screens.app import create_app
from screens.areas.break_even import BreakEvenScreen, CostsScreen
from screens.sheet.screen import AccountSheetScreen
from tests.data.break_even import AS_OF, add_break_even_base
from tests.support import Cast, make_cast
from tests.tui.support import rows, settle, text_of, tui

pytestmark = pytest.mark.today(AS_OF.isoformat())


@pytest.fixture
def cast(sqlite_database: Database) -> Cast:
    cast = make_cast(sqlite_database)
    add_break_even_base(sqlite_database)
    with sqlite_database.writing() as session:
        set_setting(session, cast.admin, "min_order_size", "200")
    return cast


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_the_list_shows_each_loss_with_its_drivers_and_enter_opens_it(
    sqlite_database: Database, cast: Cast, size: tuple[int, int]
) -> None:
    app = create_app(sqlite_database, tui(cast.viewer), as_of=AS_OF, area="candidates")
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        await pilot.press("b")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, BreakEvenScreen)
        table = screen.query_one(DataTable)
        # Loss: Acme 2,000 − 2,400 = −400; Small One 400 − 530 = −130; Costs Only −80.
        # Small One: 10 orders of 100 (under the minimum 200); its biggest excess is
        # logistics, 450 against median(450, 150, 100) = 150: 3.0×.
        assert [r[1:] for r in rows(table)] == [
            ["-400", "5.0k", "8", "5", "1.0k", "sales 1.5×"],
            ["-130", "1.0k", "2", "10", "100", "logistics 3.0×"],
            ["-80", "0", "0", "0", "–", "other (median 0)"],
        ]
        assert table.virtual_size.width <= size[0]  # every column on screen
        summary = text_of(screen.query_one("#summary", Static))
        assert "3 of 8 customers below break-even, losing 610" in summary
        await pilot.press("down")
        detail = text_of(screen.query_one("#detail", Static))
        assert "Small One · loss 130 · band 2 · 10 orders a year, average 100 (under the " \
            "minimum), median 250" in " ".join(detail.split())  # fmt: skip
        assert "logistics 3.0× the median for customers of this revenue" in detail

        await pilot.press("enter")  # Small One is no key account: its costs
        assert isinstance(app.screen, CostsScreen)
        costs = app.screen.query_one(DataTable)
        assert rows(costs)[2] == ["logistics", "450", "150", "3.0×"]
        await pilot.press("escape")
        await pilot.press("up", "enter")  # Acme is a key account: its sheet
        await settle(app, pilot)
        assert isinstance(app.screen, AccountSheetScreen)


async def test_the_palette_opens_the_list_from_anywhere(
    sqlite_database: Database, cast: Cast
) -> None:
    app = create_app(sqlite_database, tui(cast.manager), as_of=AS_OF, area="accounts")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert "go: break-even work list" in commands
        app.open_break_even()
        await settle(app, pilot)
        assert isinstance(app.screen, BreakEvenScreen) and app.current_mode == "candidates"
