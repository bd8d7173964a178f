"""Candidates: the base ranked by profit or CLV, filtered in memory, nominated after a yes."""

from __future__ import annotations

import pytest
from sqlmodel import select
from textual.widgets import Static

from db.models import Customer, KeyAccount
from kam.database import Database
from screens.areas.candidates import CandidatesScreen
from screens.forms.confirm import ConfirmScreen
from screens.widgets.virtual_table import VirtualTable
from tests.support import Cast
from tests.tui.support import keys, make_app, notices, rows, settle, text_of

SIZE = (120, 40)


async def open_candidates(app, pilot) -> CandidatesScreen:  # type: ignore[no-untyped-def]
    await settle(app, pilot)
    await pilot.press("3")
    await settle(app, pilot)
    assert isinstance(app.screen, CandidatesScreen)
    return app.screen


async def test_the_base_is_ranked_by_profit_then_by_clv_with_pareto_positions(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_candidates(app, pilot)
        table = screen.query_one(VirtualTable)
        # T12M to 2025-06-30: Acme 170k-100k-8k = 62k; Beijing 40k-25k = 15k;
        # Plain 90k-30k-45k = 15k (ties by id: Beijing was inserted first).
        assert [r[:5] for r in rows(table)] == [
            ["1", "Acme [/b] Ltd", "active", "62,000", "67.4 %"],
            ["2", "北京燕京啤酒", "nominated", "15,000", "83.7 %"],
            ["3", "Plain Prospect GmbH", "", "15,000", "100.0 %"],
        ]
        summary = text_of(screen.query_one("#summary", Static))
        assert "3 customers as of 2025-06-30" in summary and "ranked by T12M profit" in summary
        assert keys(app)["t"] == "rank_by('clv')"
        await pilot.press("t")
        assert screen.by_clv and "ranked by CLV" in text_of(screen.query_one("#summary", Static))
        assert keys(app)["t"] == "rank_by('profit')"
        assert [r[1] for r in rows(table)][0] == "Acme [/b] Ltd"


async def test_each_customer_shows_its_value_tier_and_stage_and_s_shows_one_stage(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    """As of 2025-06-30. Gross margin T12M against the year before: Acme 70k vs 50k (+40 %,
    growing), 北京 15k vs 20k (-25 %, declining; not a key account, so no warning), Plain
    60k vs none (growing). CLV (simple) follows profit 62k, 15k, 15k: Acme A (nothing
    before it), 北京 A (62/92 = 67 % before it), Plain B (77/92 = 84 %)."""
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_candidates(app, pilot)
        table = screen.query_one(VirtualTable)
        assert [(r[1], r[7], r[8]) for r in rows(table)] == [
            ("Acme [/b] Ltd", "A", "growing"),
            ("北京燕京啤酒", "A", "declining"),
            ("Plain Prospect GmbH", "B", "growing"),
        ]
        assert "(simple)" in text_of(screen.query_one("#summary", Static))
        await pilot.press("s")  # new: nobody
        assert (screen.stage, table.row_count) == ("new", 0)
        await pilot.press("s")
        assert [r[1] for r in rows(table)] == ["Acme [/b] Ltd", "Plain Prospect GmbH"]
        assert "only growing" in text_of(screen.query_one("#summary", Static))
        await pilot.press("s", "s")  # steady, declining
        assert [r[1] for r in rows(table)] == ["北京燕京啤酒"]
        await pilot.press("s", "s", "s")  # lapsing, lost, then every customer again
        assert (screen.stage, table.row_count) == (None, 3)


async def test_the_filter_narrows_the_table_as_you_type(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_candidates(app, pilot)
        await pilot.press("slash", *"PLAIN")
        assert [r[1] for r in rows(screen.query_one(VirtualTable))] == ["Plain Prospect GmbH"]
        assert "1 of 3 customers" in text_of(screen.query_one("#status", Static))
        await pilot.press("escape")
        assert screen.query_one(VirtualTable).row_count == 3
        await pilot.press("escape")  # nothing left to clear: back to the first area
        assert app.current_mode == "accounts"


async def test_the_filter_and_the_palette_find_names_typed_without_their_accents(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    """'nandu' found nothing where Ñandú was, nor 'chateau' Château: names of any script
    are typed on keyboards without their accents."""
    with sqlite_database.writing() as s:
        s.add_all([Customer(name="Ñandú Retail B.V."), Customer(name="Château Brun AB")])
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_candidates(app, pilot)
        await pilot.press("slash", *"nandu")
        assert [r[1] for r in rows(screen.query_one(VirtualTable))] == ["Ñandú Retail B.V."]
        await pilot.press("ctrl+u", *"CHATEAU")
        assert [r[1] for r in rows(screen.query_one(VirtualTable))] == ["Château Brun AB"]


async def test_a_manager_nominates_the_highlighted_customer_after_saying_yes(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_candidates(app, pilot)
        assert "n" not in keys(app)  # the cursor is on Acme, already a key account
        await pilot.press("slash", *"plain", "enter")
        assert keys(app)["n"] == "nominate"
        await pilot.press("n")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # no: nothing happens
        assert app.screen is screen
        with sqlite_database.reading() as s:
            assert len(s.exec(select(KeyAccount)).all()) == 2
        await pilot.press("n", "y")
        await settle(app, pilot)
        with sqlite_database.reading() as s:
            plain = s.exec(select(Customer).where(Customer.name == "Plain Prospect GmbH")).one()
            account = s.exec(select(KeyAccount).where(KeyAccount.customer_id == plain.id)).one()
            assert (account.status, account.manager_id) == ("nominated", sheet_cast.manager.id)
        assert rows(screen.query_one(VirtualTable))[0][2] == "nominated"
        assert "n" not in keys(app)
        assert any("Plain Prospect GmbH nominated" in n for n in notices(app))


async def test_a_viewer_and_an_executive_have_no_nominate_key(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    for actor in (sheet_cast.viewer, sheet_cast.executive):
        app = make_app(sqlite_database, actor)
        async with app.run_test(size=SIZE) as pilot:
            await open_candidates(app, pilot)
            await pilot.press("slash", *"plain", "enter")
            assert "n" not in keys(app)
            await pilot.press("n")
            assert isinstance(app.screen, CandidatesScreen)


async def test_a_large_base_is_all_there_to_scroll_and_hostile_names_show_literally(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    hostile = ["[@click=app.quit]x[/]", "[TODO] plan", "Acme [/b] Ltd 2", "\x1b]0;pwned"]
    with sqlite_database.writing() as s:
        s.add_all(Customer(name=f"Filler {n:04d}") for n in range(450))
        s.add_all(Customer(name=name) for name in hostile)
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_candidates(app, pilot)
        table = screen.query_one(VirtualTable)
        assert table.row_count == 457
        assert "457 of 457 customers" in text_of(screen.query_one("#status", Static))
        await pilot.press("end")  # the last of them, scrolled into view
        assert table.cursor_row == 456 and table.scroll_y > 400
        assert screen.highlighted() is table.items[456]
        await pilot.press("home")
        assert (table.cursor_row, table.scroll_y) == (0, 0)
        await pilot.press("pagedown")
        assert table.cursor_row > 20  # a screenful down
        await pilot.press("slash", *"filler 04")
        assert table.row_count == 50 and table.cursor_row == 0
        await pilot.press("escape", "slash", "[")
        names = [r[1] for r in rows(table)]
        assert set(hostile[:3]) <= set(names)
        assert app.is_running


async def test_a_ranking_that_fails_says_so_and_stops_loading(
    sqlite_database: Database, sheet_cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It once stayed on "Ranking the customer base…" for good when the worker failed."""
    import kam.figures.ranking

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the fit could not be stored")

    monkeypatch.setattr(kam.figures.ranking, "rank_candidates", broken)
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_candidates(app, pilot)
        assert not screen.query_one(VirtualTable).loading
        status = text_of(screen.query_one("#status", Static))
        assert "could not be ranked" in status and "r tries again" in status
        assert any("RuntimeError" in n or "could not be stored" in n for n in notices(app))


async def test_enter_or_a_double_click_on_a_key_account_opens_its_sheet(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    from screens.sheet.screen import AccountSheetScreen

    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_candidates(app, pilot)
        table = screen.query_one(VirtualTable)
        await pilot.press("down", "down")
        assert screen.highlighted().name == "Plain Prospect GmbH"  # type: ignore[union-attr]
        await pilot.press("enter")  # not a key account: nothing to open
        assert app.screen is screen
        await pilot.click(table, offset=(10, 1))  # the first row, under the header
        assert table.cursor_row == 0
        await pilot.click(table, offset=(10, 1), times=2)
        await settle(app, pilot)
        assert isinstance(app.screen, AccountSheetScreen) and app.current_mode == "accounts"


async def test_enter_in_the_filter_while_the_base_is_ranked_goes_to_the_table_once_ranked(
    sqlite_database: Database, sheet_cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 50,000 customers the ranking takes a while; a user who types a name and Enter
    meanwhile lands in the table when it is there, not left in the filter."""
    import threading

    import kam.figures.ranking

    ranked = threading.Event()
    rank = kam.figures.ranking.rank_candidates

    def slow(*args: object, **kwargs: object) -> object:
        ranked.wait(10)
        return rank(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(kam.figures.ranking, "rank_candidates", slow)
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CandidatesScreen)
        await pilot.press("slash", *"plain", "enter")
        table = screen.query_one(VirtualTable)
        assert table.loading and screen.focused is not table
        ranked.set()
        await settle(app, pilot)
        assert screen.focused is table
        assert [r[1] for r in rows(table)] == ["Plain Prospect GmbH"]
