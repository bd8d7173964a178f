"""The kam Textual app and the factory that builds it for the CLI and the tests."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import App
from textual.binding import Binding

from screens.accounts import KeyAccountsScreen

if TYPE_CHECKING:
    from kam.database import Database
    from kam.identity import Actor
    from kam.settings import Settings


class KamApp(App[None]):
    """Key account management in the terminal."""

    TITLE = "kam"
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit", tooltip="Leave kam."),
        Binding("question_mark", "help", "Keys", id="app.help", tooltip="Show every key."),
    ]

    def __init__(self, database: Database, actor: Actor) -> None:
        super().__init__()
        self.database = database
        """The open database; screens reach it only through kam services."""
        self.actor = actor
        """The identified user (door: tui)."""

    @property
    def read_only(self) -> bool:
        """Executives and viewers read; they do not edit account data."""
        return not self.actor.can_edit

    def on_mount(self) -> None:
        """Show who is working, and open the key accounts."""
        mode = "read-only" if self.read_only else "editing"
        self.sub_title = f"{self.actor.display_name} ({self.actor.role.value}, {mode})"
        self.push_screen(KeyAccountsScreen())

    def action_help(self) -> None:
        """Toggle the panel listing every key of the focused screen."""
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()


def create_app(database: Database, actor: Actor) -> KamApp:
    """Build the app for an open database and an identified user."""
    return KamApp(database, actor)


def run(settings: Settings) -> None:
    """Identify the user (door: tui) and run the app until it quits."""
    from db.enums import Door
    from kam.database import Database
    from kam.identity import identify

    database = Database.open(settings)
    try:
        database.require_schema()
        with database.reading() as session:
            actor = identify(session, door=Door.TUI, act_as=settings.act_as)
        create_app(database, actor).run()
    finally:
        database.dispose()
