"""The key accounts list: every open membership, filtered as you type."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

if TYPE_CHECKING:
    from kam.views import AccountView
    from screens.app import KamApp

COLUMNS = ("Customer", "Status", "Manager", "Sponsor", "Next review", "Region")


class KeyAccountsScreen(Screen[None]):
    """A table of the key accounts, filtered as you type."""

    CSS_PATH = "accounts.tcss"
    BINDINGS = [
        Binding("slash", "focus_filter", "Filter", id="accounts.filter", tooltip="Type to filter."),
        Binding("r", "reload", "Reload", id="accounts.reload", tooltip="Read the accounts again."),
        Binding(
            "escape", "clear_filter", "Clear", id="accounts.clear", tooltip="Empty the filter."
        ),
    ]

    class Loaded(Message):
        """The accounts were read from the database."""

        def __init__(self, accounts: list[AccountView]) -> None:
            super().__init__()
            self.accounts = accounts

    def __init__(self) -> None:
        super().__init__()
        self.accounts: list[AccountView] = []
        """Every account as last loaded; the table shows those matching the filter."""

    @property
    def kam(self) -> KamApp:
        """The app, typed."""
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        """Header, filter, table, status line, footer."""
        yield Header()
        yield Input(placeholder="Filter by customer, status, manager, sponsor…", id="filter")
        yield DataTable(id="accounts", cursor_type="row", zebra_stripes=True)
        yield Static("", id="status")
        yield Footer()

    def on_mount(self) -> None:
        """Set the columns and load."""
        table = self.query_one(DataTable)
        table.add_columns(*COLUMNS)
        table.focus()
        self.action_reload()

    def action_reload(self) -> None:
        """Read the accounts again in a worker."""
        self.query_one("#status", Static).update("Loading…")
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="accounts")
    def _load(self) -> None:
        from kam.services.accounts import list_accounts

        with self.kam.database.reading() as session:
            accounts = list_accounts(session)
        self.post_message(self.Loaded(accounts))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.accounts = message.accounts
        self._refill()

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        self._refill()

    def _refill(self) -> None:
        """Show the accounts matching the filter; untrusted text goes in as Text, never markup."""
        needle = self.query_one("#filter", Input).value.strip().lower()
        table = self.query_one(DataTable)
        table.clear()
        shown = 0
        for a in self.accounts:
            review = a.next_review_on.isoformat() if a.next_review_on else ""
            cells = (a.customer, a.status, a.manager or "", a.sponsor or "", review, a.region)
            if needle and not any(needle in c.lower() for c in cells):
                continue
            table.add_row(*(Text(c) for c in cells), key=str(a.id))
            shown += 1
        self.query_one("#status", Static).update(
            Text(f"{shown} of {len(self.accounts)} key accounts")
        )

    def action_focus_filter(self) -> None:
        """Move to the filter box."""
        self.query_one("#filter", Input).focus()

    def action_clear_filter(self) -> None:
        """Empty the filter and return to the table."""
        self.query_one("#filter", Input).value = ""
        self.query_one(DataTable).focus()
