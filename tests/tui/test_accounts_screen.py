"""The key accounts list in the TUI: it opens, shows every account safely, and filters."""

from __future__ import annotations

from dataclasses import replace

import pytest
from textual.widgets import DataTable, Static

from db.enums import Door
from kam.database import Database
from screens.app import create_app
from screens.areas.accounts import KeyAccountsScreen
from tests.support import Cast, make_cast


@pytest.fixture
def tui_cast(sqlite_database: Database) -> Cast:
    return make_cast(sqlite_database)


def _rows(table: DataTable) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_a_manager_opens_kam_and_sees_the_key_accounts(
    sqlite_database: Database, tui_cast: Cast
) -> None:
    app = create_app(sqlite_database, replace(tui_cast.manager, door=Door.TUI), area="accounts")
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, KeyAccountsScreen)
        table = app.screen.query_one(DataTable)
        # Her own account first: only Acme (a name that looks like markup, shown literally).
        assert [r[0] for r in _rows(table)] == ["Acme [/b] Ltd"]
        assert "1 of your 1 key account" in str(app.screen.query_one("#status", Static).render())
        await pilot.press("m")  # every account: the CJK name is there
        assert [r[0] for r in _rows(table)] == ["Acme [/b] Ltd", "北京燕京啤酒"]
        assert "2 of 2 key accounts" in str(app.screen.query_one("#status", Static).render())
        await pilot.press("m")
        assert table.row_count == 1
        assert "editing" in app.sub_title


async def test_typing_in_the_filter_narrows_the_table(
    sqlite_database: Database, tui_cast: Cast
) -> None:
    app = create_app(sqlite_database, tui_cast.manager, area="accounts")
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("m", "slash", "o", "t", "t", "o")
        table = app.screen.query_one(DataTable)
        assert [r[0] for r in _rows(table)] == ["北京燕京啤酒"]
        assert "1 of 2" in str(app.screen.query_one("#status", Static).render())
        await pilot.press("escape")
        assert table.row_count == 2


async def test_a_viewer_is_told_the_app_is_read_only(
    sqlite_database: Database, tui_cast: Cast
) -> None:
    app = create_app(sqlite_database, tui_cast.viewer, area="accounts")
    async with app.run_test(size=(100, 30)):
        assert "read-only" in app.sub_title


async def test_hostile_customer_names_do_not_break_the_table(sqlite_database: Database) -> None:
    from db.models import Customer, KeyAccount

    hostile = ["[@click=app.quit]x[/]", "[TODO] plan", "Acme [/b] Ltd", "[bold red]loud"]
    with sqlite_database.writing() as s:
        for name in hostile:
            c = Customer(name=name)
            s.add(c)
            s.flush()
            s.add(KeyAccount(customer_id=c.id))
    cast = make_cast_without_accounts(sqlite_database)
    app = create_app(sqlite_database, cast, area="accounts")
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        shown = {r[0] for r in _rows(app.screen.query_one(DataTable))}
        assert set(hostile) <= shown
        assert app.is_running


def make_cast_without_accounts(database: Database):  # type: ignore[no-untyped-def]
    """An admin actor for a database whose accounts the test made itself."""
    from db.enums import Role
    from db.models import User
    from kam.identity import Actor

    with database.writing() as s:
        user = User(login="root-admin", display_name="Root", role=Role.ADMIN)
        s.add(user)
        s.flush()
        assert user.id is not None
        return Actor(user.id, user.login, user.display_name, user.role, Door.TUI)


async def test_the_list_shows_health_and_worth_and_sorts_by_a_key(
    sqlite_database: Database, tui_cast: Cast
) -> None:
    from datetime import date

    from tests.support import add_small_base

    add_small_base(sqlite_database)
    app = create_app(sqlite_database, tui_cast.manager, as_of=date(2026, 6, 30), area="accounts")
    async with app.run_test(size=(140, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("m")  # every account, not only hers
        table = app.screen.query_one(DataTable)
        rows = {r[0]: r for r in _rows(table)}
        # Profit 500 and CLV 1,059.50 worked out in tests/cli/test_metrics_cli.py; wallet 0.15 %.
        assert rows["Acme [/b] Ltd"][6:9] == ["1,059", "500", "0%"]
        assert rows["北京燕京啤酒"][7] == "-40"
        for _ in range(7):  # Customer -> ... -> Profit (the 8th column)
            await pilot.press("s")
        assert [r[0] for r in _rows(table)] == ["北京燕京啤酒", "Acme [/b] Ltd"]
        await pilot.press("S")  # reversed: best profit first
        assert [r[0] for r in _rows(table)] == ["Acme [/b] Ltd", "北京燕京啤酒"]


async def test_back_from_a_sheet_or_after_a_sort_the_cursor_stays_on_its_account(
    sqlite_database: Database, tui_cast: Cast
) -> None:
    """The list is read again when a sheet closes, and filled again when sorted: the cursor
    stays on the account the user was on; a new filter starts at its first match."""
    from screens.sheet.screen import AccountSheetScreen

    app = create_app(sqlite_database, tui_cast.manager, area="accounts")
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("m", "down")  # every account; the second, 北京燕京啤酒
        table = app.screen.query_one(DataTable)
        assert _rows(table)[table.cursor_row][0] == "北京燕京啤酒"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, AccountSheetScreen)
        assert app.screen.customer == "北京燕京啤酒"
        await pilot.press("escape")
        await app.workers.wait_for_complete()  # the list read again
        await pilot.pause()
        assert isinstance(app.screen, KeyAccountsScreen)
        assert _rows(table)[table.cursor_row][0] == "北京燕京啤酒"
        await pilot.press("S")  # reversed: 北京燕京啤酒 is first now, and still the one
        assert [r[0] for r in _rows(table)] == ["北京燕京啤酒", "Acme [/b] Ltd"]
        assert table.cursor_row == 0
        await pilot.press("S", "slash", "a")  # both match "a"; the first is Acme
        assert [r[0] for r in _rows(table)][table.cursor_row] == "Acme [/b] Ltd"


async def test_every_sorted_column_shows_its_arrow_and_names_take_the_room_there_is(
    sqlite_database: Database, tui_cast: Cast
) -> None:
    from datetime import date

    from sqlmodel import select

    from db.models import Customer
    from tests.support import add_small_base

    add_small_base(sqlite_database)
    long = "Northwind Logistics S.A. 2 (Benelux)"
    with sqlite_database.writing() as s:
        s.exec(select(Customer).where(Customer.name == "北京燕京啤酒")).one().name = long
    app = create_app(sqlite_database, tui_cast.manager, as_of=date(2026, 6, 30), area="accounts")
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("m")
        table = app.screen.query_one(DataTable)
        assert "Northwind Logistics S…" in [r[0] for r in _rows(table)]  # 22 cells, figures next
        await pilot.resize_terminal(120, 30)
        await pilot.pause()
        for _ in table.columns:
            await pilot.press("s")
            await pilot.pause()
            [column] = [c for c in table.columns.values() if str(c.label).endswith("▲")]
            assert column.content_width >= column.label.cell_len, str(column.label)
            assert table.virtual_size.width <= 120  # and every column still fits
        await pilot.resize_terminal(200, 30)
        await pilot.pause()
        assert long in [r[0] for r in _rows(table)]


async def test_names_sort_by_their_letters_whatever_their_accents(
    sqlite_database: Database, tui_cast: Cast
) -> None:
    """Ñandú came after every name from A to Z (sorted by code point), and the filter finds
    it typed without its accents."""
    from db.models import Customer, KeyAccount

    with sqlite_database.writing() as s:
        for name in ("Ñandú Retail", "Zeta Works", "Nord AG"):
            customer = Customer(name=name)
            s.add(customer)
            s.flush()
            s.add(KeyAccount(customer_id=customer.id, status="nominated"))
    app = create_app(sqlite_database, tui_cast.admin, area="accounts")
    async with app.run_test(size=(140, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        names = [r[0] for r in _rows(table)]
        assert names.index("Ñandú Retail") == names.index("Nord AG") - 1  # n-a before n-o
        assert names.index("Ñandú Retail") < names.index("Zeta Works")
