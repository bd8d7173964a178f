"""Keys typed faster than kam draws (a quick typist, a paste, a slow SSH link) arrive
together: each must have had its effect before a key bound above them (Enter on a list,
ctrl+s in a form) acts on what they changed."""

from __future__ import annotations

from typing import Any

from sqlmodel import select
from textual import events
from textual.widgets import TabbedContent

from db.models import Contact
from kam.database import Database
from screens.app import create_app
from screens.sheet.contact_form import ContactForm
from screens.sheet.screen import AccountSheetScreen
from tests.support import Cast, make_cast
from tests.tui.support import make_app, settle


def typed_at_once(app: Any, *keys: str) -> None:
    """The keys as a terminal delivers them in one read: all queued before any is handled
    (Pilot's press waits for each key to be handled before the next)."""
    for key in keys:
        char = key if len(key) == 1 else "\r" if key == "enter" else None
        app.post_message(events.Key(key, char))


async def open_contact_form(app: Any, pilot: Any) -> None:
    """Acme's sheet, People tab, the form for a new person."""
    await settle(app, pilot)
    app.open_account("Acme [/b] Ltd")
    await settle(app, pilot)
    await pilot.press("3")
    await settle(app, pilot)
    await pilot.press("a")
    assert isinstance(app.screen, ContactForm)


async def test_down_enter_and_a_tab_typed_together_open_that_tab_of_the_row_moved_to(
    sqlite_database: Database,
) -> None:
    cast = make_cast(sqlite_database)
    app = create_app(sqlite_database, cast.manager, area="accounts")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("m")  # every account: Acme [/b] Ltd, then 北京燕京啤酒
        typed_at_once(app, "down", "enter", "3")  # and the sheet's People tab
        await settle(app, pilot)
        assert isinstance(app.screen, AccountSheetScreen)
        assert app.screen.customer == "北京燕京啤酒"
        assert app.screen.query_one(TabbedContent).active == "people"


async def test_fields_typed_with_tab_between_them_and_ctrl_s_are_saved_whole(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_contact_form(app, pilot)
        # Name, Tab, job title, ctrl+s: each field gets what was typed in it, whole.
        typed_at_once(app, *"Quick Typist", "tab", *"Controller", "ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, ContactForm)
    with sqlite_database.reading() as s:
        people = s.exec(select(Contact.name, Contact.job_title)).all()
    assert ("Quick Typist", "Controller") in people


async def test_backspace_typed_just_before_tab_deletes_in_the_field_it_was_typed_in(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_contact_form(app, pilot)
        # A slip put "xyz" after the name: Backspaces, Tab and the job title, all at once.
        typed_at_once(app, *"Quick Typistxyz", "backspace", "backspace", "backspace", "tab")
        typed_at_once(app, *"CFO", "ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, ContactForm)
    with sqlite_database.reading() as s:
        people = s.exec(select(Contact.name, Contact.job_title)).all()
    assert ("Quick Typist", "CFO") in people


async def test_an_editing_key_typed_between_letters_edits_where_it_was_typed(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    """A text field's Backspace ran only once it had passed up to the app, after the letters
    typed behind it: "xy", Backspace, "z" typed together left "xy", not "xz"."""
    from textual.widgets import Input

    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash")
        typed_at_once(app, "x", "y", "backspace", "z", "left", "w", "home", "v")
        await settle(app, pilot)
        assert app.screen.query_one("#filter", Input).value == "vxwz"
