"""Whitespace: the key accounts × product categories as a heat map, in the accounts area
(key w on the key accounts list)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Static

from kam.text import compact_money
from screens.base import KamScreenMixin, after_typed_keys
from screens.formatting import safe
from screens.widgets.data_table import DataTable
from screens.widgets.footer import KamFooter

if TYPE_CHECKING:
    from kam.services.whitespace import WhitespaceRow, WhitespaceView

#: Heat, from a little to the most in the matrix: (background, text colour).
OPPORTUNITY_HEAT = (
    ("#4a3200", "#ffffff"), ("#6e4500", "#ffffff"), ("#955c00", "#ffffff"),
    ("#c07400", "#000000"), ("#f09000", "#000000"),
)  # fmt: skip
MARGIN_HEAT = (
    ("#12331f", "#ffffff"), ("#17472a", "#ffffff"), ("#1d5e36", "#ffffff"),
    ("#2a7d48", "#ffffff"), ("#3fa862", "#000000"),
)  # fmt: skip
#: Columns before the categories: (header, width); a category's header is cut to HEAD.
NAME_WIDTH, HEAD = 20, 7
FIRST = (("Account", NAME_WIDTH), ("Total", 6), ("Hdrm×m", 6))


def heat(value: float, most: float, scale: tuple[tuple[str, str], ...]) -> str:
    """The style of a cell: one of the scale's steps by its share of the matrix's largest."""
    if value <= 0 or most <= 0:
        return "dim"
    step = min(len(scale) - 1, int(value / most * len(scale) - 1e-9))
    background, colour = scale[max(step, 0)]
    return f"{colour} on {background}"


def _cut(text: str, width: int) -> Text:
    cell = Text(safe(text))
    cell.truncate(width, overflow="ellipsis")
    return cell


class WhitespaceScreen(KamScreenMixin, Screen[None]):
    """Each key account's opportunity per product category (T12M gross margin its peers make
    for their size that it does not), as a heat map; Enter on a cell opens the account's
    plan to add an objective for it (or its sheet when it has no plan this year)."""

    AREA = "accounts"
    TITLE = "Whitespace"
    CSS_PATH = "whitespace.tcss"
    AUTO_FOCUS = "#matrix"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter",
            "open",
            "Plan objective",
            id="whitespace.open",
            tooltip="Open the account's plan to add an objective for this category "
            "(its sheet when it has no plan this year).",
            priority=True,
        ),
        Binding(
            "m",
            "toggle_figure",
            "Margin/opportunity",
            id="whitespace.toggle",
            tooltip="Show what each account buys (margin) or where it could buy more.",
        ),
        Binding("r", "reload", "Reload", id="whitespace.reload", tooltip="Compute it again."),
    ]

    class Loaded(Message):
        """The matrix was computed."""

        def __init__(self, view: WhitespaceView) -> None:
            super().__init__()
            self.view = view

    def __init__(self) -> None:
        super().__init__()
        self.view: WhitespaceView | None = None
        """The matrix as last computed."""
        self.show_margin = False
        """Whether the cells show the accounts' margin (else their opportunity)."""

    def compose(self) -> ComposeResult:
        """Header, a line on what the cells mean, the matrix, the highlighted cell, footer."""
        yield Header()
        yield Static("", id="legend")
        yield DataTable(id="matrix", cursor_type="cell", fixed_columns=len(FIRST))
        yield Static("Computing the matrix…", id="detail")
        yield KamFooter()

    def on_mount(self) -> None:
        """Compute once the screen is drawn."""
        self.call_after_refresh(self.action_reload)

    def action_reload(self) -> None:
        """Compute the matrix again in a worker."""
        self.query_one("#detail", Static).update("Computing the matrix…")
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="whitespace")
    def _load(self) -> None:
        from kam.services.whitespace import account_whitespace

        with self.kam.database.reading() as session:
            self.post_message(self.Loaded(account_whitespace(session, as_of=self.kam.as_of)))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.view = message.view
        self._fill()

    def action_toggle_figure(self) -> None:
        """Switch between the accounts' opportunity and their margin."""
        self.show_margin = not self.show_margin
        self._fill()

    def _fill(self) -> None:
        """Fill the matrix, keeping the cursor where it was."""
        view = self.view
        if view is None:
            return
        table = self.query_one(DataTable)
        where = table.cursor_coordinate
        table.clear(columns=True)
        for title, width in FIRST:
            table.add_column(title, width=width)
        for category in view.categories:
            table.add_column(_cut(category, HEAD), width=HEAD)
        figure = "margin" if self.show_margin else "opportunity"
        scale = MARGIN_HEAT if self.show_margin else OPPORTUNITY_HEAT
        most = max((getattr(c, figure) for r in view.rows for c in r.cells), default=0.0)
        for r in view.rows:
            cells = [
                Text(
                    compact_money(value) if value > 0 else "·",
                    style=heat(value, most, scale),
                    justify="right",
                )
                for value in (getattr(c, figure) for c in r.cells)
            ]
            table.add_row(
                _cut(r.customer, NAME_WIDTH),
                Text(compact_money(r.opportunity), style="bold", justify="right"),
                Text(compact_money(r.headroom_margin), justify="right"),
                *cells,
                key=str(r.account_id),
            )
        self.query_one("#legend", Static).update(self._legend())
        if view.rows:
            table.move_cursor(
                row=min(where.row, len(view.rows) - 1),
                column=min(max(where.column, len(FIRST)), len(FIRST) + len(view.categories) - 1),
            )
        self._show_detail()

    def _legend(self) -> Text:
        legend = Text()
        if self.show_margin:
            legend.append("Margin: what each account buys (T12M gross margin) ")
            steps = MARGIN_HEAT
        else:
            legend.append("Opportunity: its peers' margin for its size, less what it buys ")
            steps = OPPORTUNITY_HEAT
        for background, colour in steps:
            legend.append("  ", style=f"{colour} on {background}")
        legend.append("  Hdrm×m: wallet headroom × margin rate", style="dim")
        return legend

    def _cell(self) -> tuple[WhitespaceRow, int] | None:
        """The highlighted account and category index (None off the categories)."""
        view = self.view
        table = self.query_one(DataTable)
        if view is None or not view.rows:
            return None
        row = view.rows[min(table.cursor_coordinate.row, len(view.rows) - 1)]
        column = table.cursor_coordinate.column - len(FIRST)
        return row, column

    @on(DataTable.CellHighlighted, "#matrix")
    def _highlighted(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        detail = self.query_one("#detail", Static)
        found = self._cell()
        if self.view is None:
            return
        if found is None:
            detail.update(Text("No key accounts, or no sales with a product in the last year."))
            return
        r, column = found
        c = compact_money
        line = Text()
        line.append(safe(r.customer), style="bold")
        basis = {"wallet": "wallet", "revenue": "T12M revenue"}.get(r.size_basis or "")
        peers = "its industry" if r.compared_with == "industry" else "the base"
        line.append(
            f" · {safe(r.industry) or 'no industry'} · {r.peers} peers ({peers})"
            + (f" · size {c(r.size)} ({basis})" if basis else " · no size")
        )
        cell = r.cells[column] if 0 <= column < len(r.cells) else None
        if cell is not None:
            line.append("\n")
            line.append(safe(cell.category), style="bold")
            line.append(
                f": buys {c(cell.margin)} · peers' level {c(cell.expected)} · "
                f"opportunity {c(cell.opportunity)}"
            )
        if not r.has_plan:
            enter = "its sheet (no plan this year)"
        elif cell is not None and cell.opportunity <= 0:
            enter = "its plan (no opportunity in this category to make an objective of)"
        else:
            enter = "plan objective"
        line.append(
            f"\nTotal {c(r.opportunity)} vs headroom × margin {c(r.headroom_margin)} · Enter: "
            + enter,
            style="dim",
        )
        detail.update(line)

    def action_open(self) -> None:
        """Open the account's plan with an objective for the category (or its sheet)."""
        after_typed_keys(self.app, self._open_now)

    def _open_now(self) -> None:
        from screens.sheet.objective_form import Suggestion
        from screens.sheet.screen import AccountSheetScreen

        found = self._cell()
        if found is None:
            return
        r, column = found
        suggestion = None
        if 0 <= column < len(r.cells) and r.cells[column].opportunity > 0:
            c = r.cells[column]
            suggestion = Suggestion.from_opportunity(c.category, c.margin, c.expected or 0.0)
        if r.has_plan:
            self.app.push_screen(AccountSheetScreen(r.customer, tab="plan", suggestion=suggestion))
        else:
            self.app.push_screen(AccountSheetScreen(r.customer))
