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
from textual.widgets import Header, Input, Static

from kam.services.health import AMBER, GREEN, RED
from kam.text import folded
from screens.base import KamScreenMixin, after_typed_keys
from screens.formatting import is_mine, safe, short_money, words
from screens.widgets.data_table import DataTable
from screens.widgets.footer import KamFooter
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
#: Below WIDE columns the amounts are abbreviated (702.9k), the weeks of health go and the
#: figures come right after the name, so what is cut at the right edge is never a number.
WIDE = 120
NARROW_COLUMNS = (
    ("Customer", "customer"),
    ("Health", "health"),
    ("CLV", "clv"),
    ("Profit", "profit"),
    ("Wallet", "share_of_wallet"),
    ("Status", "status"),
    ("Manager", "manager"),
    ("Sponsor", "sponsor"),
    ("Review", "next_review_on"),
)
#: Weeks of health the list draws (the sheet draws all it has). Below WIDE, names beyond
#: NAME_WIDTH end in "…" so the figures after them show; from WIDE on, a name takes the room
#: the other columns leave, at least LEAST_NAME (the sheet names the customer whole).
LIST_WEEKS, NAME_WIDTH, LEAST_NAME = 8, 22, 16
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
            "m",
            "toggle_mine",
            "All/mine",
            id="accounts.mine",
            tooltip="Show every key account, or only those you manage or sponsor.",
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
        self.sort_by = "customer"
        """The row attribute the table is sorted by."""
        self.descending = False
        """Whether the sort is reversed."""
        self._shown_filter = ""
        """The filter the table was last filled for."""
        self.mine_only = True
        """Show only the user's own accounts (those they manage or sponsor), when they have any."""
        self._columns: tuple[tuple[str, str], ...] = ()
        """The columns the table has now (COLUMNS, or NARROW_COLUMNS below WIDE)."""

    def compose(self) -> ComposeResult:
        """Header, filter, table, status line, footer."""
        yield Header()
        yield Input(
            placeholder="/ filter by customer, status, manager, sponsor…", id="filter", compact=True
        )
        yield DataTable(id="accounts", cursor_type="row", zebra_stripes=True)
        yield Static("", id="status")
        yield KamFooter()

    def on_mount(self) -> None:
        """Set the columns; load once the screen is drawn (the user sees it at once)."""
        table = self.query_one(DataTable)
        self._set_columns()
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
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """All/mine exists for those who manage or sponsor an account."""
        if action == "toggle_mine":
            return bool(self.mine())
        return True

    def on_resize(self) -> None:
        """Crossing WIDE columns changes the columns; from WIDE on, the names' room too, once
        the table has its new width."""
        self._set_columns()
        if self.accounts:
            self.call_after_refresh(self._refill)

    def _set_columns(self) -> bool:
        """The columns for the width; True when they changed."""
        wanted = COLUMNS if self.size.width >= WIDE else NARROW_COLUMNS
        if wanted == self._columns:
            return False
        self._columns = wanted
        self._add_columns()
        return True

    def _add_columns(self) -> None:
        """The columns afresh, the sorted one with its arrow: a column is as wide as its
        widest cell or label, measured as it is added (a label changed later is cut)."""
        table = self.query_one(DataTable)
        table.clear(columns=True)
        for title, attribute in self._columns:
            table.add_column(self._header(title, attribute), key=attribute)

    def _header(self, title: str, attribute: str) -> Text:
        """A column's title, with ▲ (or ▼ reversed) on the sorted column."""
        if attribute != self.sort_by:
            return Text(title)
        return Text.assemble(title, (" ▼" if self.descending else " ▲", "bold"))

    def mine(self) -> list[PortfolioRow]:
        """The accounts the user manages or sponsors."""
        login = self.kam.actor.login
        return [a for a in self.accounts if is_mine(login, a.manager, a.sponsor)]

    def shown_scope(self) -> list[PortfolioRow]:
        """The accounts in scope: the user's own when asked and they have any, else all."""
        mine = self.mine()
        return mine if self.mine_only and mine else self.accounts

    def action_toggle_mine(self) -> None:
        """Show every key account, or only the user's own."""
        if not self.mine():
            self.notify("You manage or sponsor no key account: every account is shown.")
            return
        self.mine_only = not self.mine_only
        self._refill()

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        self._refill()

    def _refill(self) -> None:
        """Show the accounts matching the filter; untrusted text goes in as Text, never markup."""
        needle = folded(self.query_one("#filter", Input).value.strip())
        table = self.query_one(DataTable)
        # The same filter (read again, sorted) keeps the row the user is on; a new one
        # starts at its best match, the first row, which Enter in the filter opens.
        kept = table.cursor_key() if needle == self._shown_filter else None
        self._shown_filter = needle
        self._add_columns()
        wide = self._columns == COLUMNS
        scope = self.shown_scope()
        lines: list[tuple[str, dict[str, Text]]] = []
        for a in sorted(scope, key=self._sort_key, reverse=self.descending):
            review = a.next_review_on.isoformat() if a.next_review_on else ""
            searched = (a.customer, words(a.status), a.health, a.manager or "",
                        a.sponsor or "", review)  # fmt: skip
            if needle and not any(needle in folded(w) for w in searched):
                continue
            cells = {
                "customer": Text(safe(a.customer)),
                "status": Text(words(a.status)),
                "health": Text(a.health, style=HEALTH_STYLE.get(a.health, "")),
                "health_weekly": health_sparkline(a.health_weekly[-LIST_WEEKS:]),
                "manager": Text(safe(a.manager or "")),
                "sponsor": Text(safe(a.sponsor or "")),
                "clv": _money(a.clv, wide),
                "profit": _money(a.profit, wide),
                "share_of_wallet": Text(
                    "" if a.share_of_wallet is None else f"{a.share_of_wallet:.0%}",
                    justify="right",
                ),
                "next_review_on": Text(review),
            }
            lines.append((str(a.id), cells))
        room = self._name_room(lines) if wide else NAME_WIDTH
        for key, cells in lines:
            cells["customer"].truncate(room, overflow="ellipsis")
            table.add_row(*(cells[attribute] for _, attribute in self._columns), key=key)
        table.move_to_key(kept)
        self.query_one("#status", Static).update(self._status_line(len(lines), len(scope)))

    def _name_room(self, lines: list[tuple[str, dict[str, Text]]]) -> int:
        """The cells the names may take: what the other columns (their widest cell or label,
        and the padding either side) and the scrollbar leave, at least LEAST_NAME."""
        table = self.query_one(DataTable)
        used = 2 * table.cell_padding * len(self._columns)
        for title, attribute in self._columns:
            if attribute != "customer":
                label = self._header(title, attribute).cell_len
                used += max([label, *(cells[attribute].cell_len for _, cells in lines)])
        if len(lines) >= table.size.height:  # the rows and the header overflow: a scrollbar
            used += table.styles.scrollbar_size_vertical
        return max(LEAST_NAME, (table.size.width or self.size.width) - used)

    def _status_line(self, shown: int, in_scope: int) -> Text:
        """How many are shown, of whose, and what m does."""
        total = len(self.accounts)
        mine = len(self.mine())
        if not mine:
            return Text(f"{shown} of {total} key accounts")
        if in_scope == total and not self.mine_only:
            return Text.assemble(
                f"{shown} of {total} key accounts", (f"  ·  m: only your {mine}", "dim")
            )
        return Text.assemble(
            f"{shown} of your {in_scope} key account{'' if in_scope == 1 else 's'}",
            (f"  ·  m: all {total}", "dim"),
        )

    def _sort_key(self, row: PortfolioRow) -> tuple[int, object]:
        """Blanks last; text case-insensitively; health red first; the weeks by the latest
        week's health, then the week before, and so on."""
        value = getattr(row, self.sort_by)
        if value is None or value == "" or value == []:
            return (1, 0)
        if self.sort_by == "health":
            return (0, HEALTH_ORDER.get(value, 3))
        if self.sort_by == "health_weekly":
            return (0, tuple(HEALTH_ORDER.get(s, 3) if s else 3 for s in reversed(value)))
        return (0, folded(value) if isinstance(value, str) else value)

    def action_sort(self) -> None:
        """Sort by the next column."""
        attributes = [attribute for _, attribute in self._columns]
        at = attributes.index(self.sort_by) if self.sort_by in attributes else -1
        self._sort(attributes[(at + 1) % len(attributes)])

    def action_reverse(self) -> None:
        """Reverse the sort."""
        self._sort(self.sort_by)

    @on(DataTable.HeaderSelected, "#accounts")
    def _header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        self._sort(self._columns[event.column_index][1])

    def _sort(self, attribute: str) -> None:
        """Sort by a column; choosing the sorted column again reverses it."""
        self.descending = not self.descending if attribute == self.sort_by else False
        self.sort_by = attribute
        title = dict((a, t) for t, a in COLUMNS)[attribute]
        self.notify(f"Sorted by {title}{' (reversed)' if self.descending else ''}.", timeout=2)
        self._refill()

    def on_screen_resume(self) -> None:
        """Coming back from an account sheet: the table takes the keys (a digit typed next
        must not land in the filter), and the list is read again."""
        self.query_one(DataTable).focus()
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
        after_typed_keys(self.app, self._open_highlighted)

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


def _money(value: float | None, whole: bool = True) -> Text:
    """A right-aligned amount, whole or abbreviated (blank when unknown)."""
    if value is None:
        return Text("")
    return Text(f"{value:,.0f}" if whole else short_money(value), justify="right")
