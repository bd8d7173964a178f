"""The app's shape: areas are modes one key away, Escape goes back, the header says who is
working and whether they may edit, and the command palette jumps to accounts and runs actions."""

from __future__ import annotations

from textual.command import CommandPalette

from kam.database import Database
from screens.admin.settings import SettingsScreen
from screens.app import AREAS, KamApp
from screens.areas.accounts import KeyAccountsScreen
from screens.areas.candidates import CandidatesScreen
from screens.palette.accounts_commands import AccountsCommands
from screens.sheet.screen import AccountSheetScreen
from tests.support import Cast
from tests.tui.support import AS_OF, keys, make_app, settle

SIZE = (120, 40)


def test_every_area_is_a_mode_with_a_key_in_the_footer() -> None:
    assert {a.mode for a in AREAS} >= {"accounts", "candidates"}
    assert set(KamApp.MODES) == {a.mode for a in AREAS}
    ids = {b.id for b in KamApp.BINDINGS if hasattr(b, "id")}
    assert {f"app.area.{a.mode}" for a in AREAS} <= ids
    assert all(getattr(b, "tooltip", "") for b in KamApp.BINDINGS)


async def test_number_keys_switch_areas_and_escape_goes_back(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, KeyAccountsScreen) and app.current_mode == "accounts"
        await pilot.press("3")
        await settle(app, pilot)
        assert isinstance(app.screen, CandidatesScreen) and app.current_mode == "candidates"
        await pilot.press("2")
        assert isinstance(app.screen, KeyAccountsScreen)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, AccountSheetScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, KeyAccountsScreen)
        await pilot.press("3", "escape")
        assert app.current_mode == "accounts"  # back to where the app opened


async def test_an_area_key_leaves_the_settings_opened_from_the_palette_for_that_area(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    app = make_app(sqlite_database, sheet_cast.admin)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p", *"settings")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, SettingsScreen)
        await pilot.press("3")
        await settle(app, pilot)
        assert isinstance(app.screen, CandidatesScreen)
        await pilot.press("2")  # the area the settings were opened over
        await settle(app, pilot)
        assert isinstance(app.screen, KeyAccountsScreen)
        assert app.screen.query_one("HeaderTitle").render().plain.startswith("Key accounts")
        app.open_settings()
        await settle(app, pilot)
        await pilot.press("2")  # the area's own key, from the settings over it
        assert isinstance(app.screen, KeyAccountsScreen)


async def test_escape_closes_the_keys_panel_and_stays_on_the_sheet(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_account("Acme [/b] Ltd")
        await settle(app, pilot)
        await pilot.press("question_mark")
        assert app.screen.query("HelpPanel")
        await pilot.press("escape")
        assert isinstance(app.screen, AccountSheetScreen)
        assert not app.screen.query("HelpPanel")
        await pilot.press("escape")  # and then, as ever, back to the list
        assert isinstance(app.screen, KeyAccountsScreen)


async def test_kam_opens_on_the_dashboard_and_every_area_is_a_key_away(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    from screens.app import create_app
    from screens.areas.dashboard import DashboardScreen

    app = create_app(sqlite_database, sheet_cast.admin, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, DashboardScreen)
        for area in AREAS:
            await pilot.press(area.key)
            await settle(app, pilot)
            assert app.current_mode == area.mode


async def test_the_header_tells_each_role_what_it_may_do(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    # Executives decide admissions and log visits to the accounts they sponsor: the header
    # does not call them read-only (their footer offers admit and reject); viewers only read.
    expected = {
        sheet_cast.admin: "Ada Admin (admin, editing)",
        sheet_cast.manager: "Mia Manager (manager, editing own accounts)",
        sheet_cast.executive: "Eve Executive (executive, deciding; visits to own accounts)",
        sheet_cast.viewer: "Val Viewer (viewer, read-only)",
    }
    for actor, title in expected.items():
        app = make_app(sqlite_database, actor)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            assert app.sub_title == title
            header = app.screen.query_one("HeaderTitle")
            assert title in str(header.render())


async def test_the_palette_jumps_to_an_account_by_name_from_another_area(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    app = make_app(sqlite_database, sheet_cast.viewer)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("2")
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        assert CommandPalette.is_open(app)
        await pilot.press(*"account: acme")
        await settle(app, pilot)
        await pilot.press("down", "enter")
        await settle(app, pilot)
        assert app.current_mode == "accounts"
        assert isinstance(app.screen, AccountSheetScreen)
        assert app.screen.customer == "Acme [/b] Ltd"


async def test_the_palette_offers_the_screen_actions_the_footer_offers(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    for actor, expected in ((sheet_cast.manager, True), (sheet_cast.viewer, False)):
        app = make_app(sqlite_database, actor)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            app.open_account("Acme [/b] Ltd")
            await settle(app, pilot)
            await pilot.press("6")
            assert ("a" in keys(app)) is expected
            provider = AccountsCommands(app.screen)
            await provider.startup()
            hits = [hit async for hit in provider.search("sheet: add commitment")]
            names = [hit.text for hit in hits]
            assert ("sheet: add commitment" in names) is expected
            assert "sheet: reload" in [h.text async for h in provider.search("sheet: reload")]
            if expected:
                run = next(h for h in hits if h.text == "sheet: add commitment").command
                await run()  # type: ignore[misc]
                await pilot.pause()
                assert type(app.screen).__name__ == "CommitmentForm"


async def test_hostile_account_names_in_the_palette_are_text_not_markup(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    from db.models import Customer, KeyAccount

    with sqlite_database.writing() as s:
        customer = Customer(name="[@click=app.quit]x[/]")
        s.add(customer)
        s.flush()
        s.add(KeyAccount(customer_id=customer.id))
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        provider = AccountsCommands(app.screen)
        await provider.startup()
        hits = [hit async for hit in provider.search("click")]
        assert [str(h.prompt) for h in hits] == ["account: [@click=app.quit]x[/]"]
        assert not any(span.style for h in hits for span in h.prompt.spans if "@click" in str(span))
        assert app.is_running
