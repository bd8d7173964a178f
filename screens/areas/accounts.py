"""The key accounts list: every open membership, filtered as you type."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from kam.services.health import AMBER, GREEN, RED
from screens.base import KamScreenMixin
from screens.formatting import safe, words
from screens.widgets.health_sparkline import HEALTH_STYLE, health_sparkline

if TYPE_CHECKING:
    from kam.services.portfolio import PortfolioRow

#: (header, row attribute) in display order; `s` or a header click sorts by a column.
COLUMNS = (
    ("Customer", "customer"),
    ("Status", "status"),
    ("Health", "health"),
    ("8 weeks", "health_weekly"),
    ("Manager", "manager"),
    ("Sponsor", "sponsor"),
    ("CLV", "clv"),
    ("Profit", "profit"),
    ("Wallet", "share_of_wallet"),
    ("Review", "next_review_on"),
)
#: Weeks of health the list draws (the sheet draws all it has); names beyond NAME_WIDTH
#: end in "…" so that every column fits 120 columns (the sheet names the customer whole).
LIST_WEEKS, NAME_WIDTH = 8, 22
#: Health's order when sorting: worst first, nothing known last.
HEALTH_ORDER = {RED: 0, AMBER: 1, GREEN: 2}


class KeyAccountsScreen(KamScreenMixin, Screen[None]):
    """A table of the key accounts, filtered as you type; Enter opens an account's sheet."""

    AREA = "accounts"
    PALETTE_NOUN = "accounts"
    TITLE = "Key accounts"
    CSS_PATH = "accounts.tcss"
    AUTO_FOCUS = "#accounts"
    BINDINGS = [
        Binding(
            "enter",
            "open",
            "Open",
            id="accounts.open",
            tooltip="Open the highlighted account's sheet.",
            priority=True,
        ),
        Binding(
            "slash",
            "focus_filter",
            "Filter",
            id="accounts.filter",
            tooltip="Type to filter; Enter opens the best match.",
            priority=True,  # at once, so the keys typed next reach the filter
        ),
        Binding("r", "reload", "Reload", id="accounts.reload", tooltip="Read the accounts again."),
        Binding(
            "w",
            "whitespace",
            "Whitespace",
            id="accounts.whitespace",
            tooltip="The accounts × product categories: where each could buy more.",
        ),
        Binding(
            "s",
            "sort",
            "Sort",
            id="accounts.sort",
            tooltip="Sort by the next column (or click a column's header).",
        ),
        Binding(
            "S",
            "reverse",
            "Reverse",
            id="accounts.reverse",
            tooltip="Reverse the sort.",
            show=False,
        ),
        Binding(
            "escape",
            "clear_filter",
            "Clear",
            id="accounts.clear",
            tooltip="Empty the filter; with nothing to clear, go back.",
            show=False,
        ),
    ]

    class Loaded(Message):
        """The accounts were read from the database."""

        def __init__(self, accounts: list[PortfolioRow]) -> None:
            super().__init__()
            self.accounts = accounts

    def __init__(self) -> None:
        super().__init__()
        self.accounts: list[PortfolioRow] = []
        """Every account as last loaded; the table shows those matching the filter."""
        self.sort_by = 0
        """Index in COLUMNS of the column the table is sorted by."""
        self.descending = False
        """Whether the sort is reversed."""
        self._shown_filter = ""
        """The filter the table was last filled for."""

    def compose(self) -> ComposeResult:
        """Header, filter, table, status line, footer."""
        yield Header()
        yield Input(
            placeholder="/ filter by customer, status, manager, sponsor…", id="filter", compact=True
        )
        yield DataTable(id="accounts", cursor_type="row", zebra_stripes=True)
        yield Static("", id="status")
        yield Footer()

    def on_mount(self) -> None:
        """Set the columns; load once the screen is drawn (the user sees it at once)."""
        table = self.query_one(DataTable)
        table.add_columns(*(title for title, _ in COLUMNS))
        table.focus()
        self.query_one("#status", Static).update("Loading…")
        self.call_after_refresh(self.action_reload)

    def action_reload(self) -> None:
        """Read the accounts again in a worker."""
        self.query_one("#status", Static).update("Loading…")
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="accounts")
    def _load(self) -> None:
        from kam.services import snapshots
        from kam.services.portfolio import portfolio

        # Today's health is kept after the list is shown (a short write, for roles that write).
        with snapshots.reading(self.kam.database, self.kam.actor) as session:
            self.post_message(self.Loaded(portfolio(session, as_of=self.kam.as_of)))

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
        self._shown_filter = needle
        table = self.query_one(DataTable)
        table.clear()
        shown = 0
        for a in sorted(self.accounts, key=self._sort_key, reverse=self.descending):
            review = a.next_review_on.isoformat() if a.next_review_on else ""
            cells = (a.customer, words(a.status), a.health, a.manager or "",
                     a.sponsor or "", review)  # fmt: skip
            if needle and not any(needle in w.lower() for w in cells):
                continue
            table.add_row(
                _short(safe(a.customer)),
                Text(words(a.status)),
                Text(a.health, style=HEALTH_STYLE.get(a.health, "")),
                health_sparkline(a.health_weekly[-LIST_WEEKS:]),
                Text(safe(a.manager or "")),
                Text(safe(a.sponsor or "")),
                _money(a.clv),
                _money(a.profit),
                Text("" if a.share_of_wallet is None else f"{a.share_of_wallet:.0%}",
                     justify="right"),
                Text(review),
                key=str(a.id),
            )  # fmt: skip
            shown += 1
        self.query_one("#status", Static).update(
            Text(f"{shown} of {len(self.accounts)} key accounts")
        )

    def _sort_key(self, row: PortfolioRow) -> tuple[int, object]:
        """Blanks last; text case-insensitively; health red first; the weeks by the latest
        week's health, then the week before, and so on."""
        value = getattr(row, COLUMNS[self.sort_by][1])
        if value is None or value == "" or value == []:
            return (1, 0)
        if COLUMNS[self.sort_by][1] == "health":
            return (0, HEALTH_ORDER.get(value, 3))
        if COLUMNS[self.sort_by][1] == "health_weekly":
            return (0, tuple(HEALTH_ORDER.get(s, 3) if s else 3 for s in reversed(value)))
        return (0, value.lower() if isinstance(value, str) else value)

    def action_sort(self) -> None:
        """Sort by the next column."""
        self._sort(self.sort_by + 1 if self.sort_by + 1 < len(COLUMNS) else 0)

    def action_reverse(self) -> None:
        """Reverse the sort."""
        self._sort(self.sort_by)

    @on(DataTable.HeaderSelected, "#accounts")
    def _header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        self._sort(event.column_index)

    def _sort(self, column: int) -> None:
        """Sort by a column; choosing the sorted column again reverses it."""
        self.descending = not self.descending if column == self.sort_by else False
        self.sort_by = column
        title = COLUMNS[column][0]
        self.notify(f"Sorted by {title}{' (reversed)' if self.descending else ''}.", timeout=2)
        self._refill()

    def on_screen_resume(self) -> None:
        """Coming back from an account sheet: read again, something may have changed."""
        if self.accounts:
            self.action_reload()

    def _highlighted(self) -> PortfolioRow | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((a for a in self.accounts if str(a.id) == key), None)

    @on(DataTable.RowSelected, "#accounts")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self._open_highlighted()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        """Enter in the filter opens the best match (the filter as typed, keys all in)."""
        if self.query_one("#filter", Input).value.strip().lower() != self._shown_filter:
            self._refill()
        self._open_highlighted()

    def action_open(self) -> None:
        """Open the highlighted account's sheet."""
        if self.focused is self.query_one("#filter", Input):
            raise SkipAction()  # the filter takes Enter once every key typed has reached it
        self._open_highlighted()

    def _open_highlighted(self) -> None:
        account = self._highlighted()
        if account is not None:
            self.kam.open_account(account.customer)

    def action_whitespace(self) -> None:
        """Show the whitespace matrix of the key accounts."""
        from screens.areas.whitespace import WhitespaceScreen

        self.app.push_screen(WhitespaceScreen())

    def action_focus_filter(self) -> None:
        """Move to the filter box (in it, '/' is just a character)."""
        box = self.query_one("#filter", Input)
        if self.focused is box:
            raise SkipAction()
        self.set_focus(box)

    def action_clear_filter(self) -> None:
        """Empty the filter and return to the table; with nothing to clear, Escape goes back."""
        box = self.query_one("#filter", Input)
        if not box.value and self.focused is not box:
            raise SkipAction()
        box.value = ""
        self.query_one(DataTable).focus()


def _money(value: float | None) -> Text:
    """A right-aligned whole amount (blank when unknown)."""
    return Text("" if value is None else f"{value:,.0f}", justify="right")


def _short(name: str) -> Text:
    """The name in at most NAME_WIDTH cells (a CJK character takes two), "…" where cut."""
    text = Text(name)
    text.truncate(NAME_WIDTH, overflow="ellipsis")
    return text
