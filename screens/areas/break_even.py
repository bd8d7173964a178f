"""The break-even work list: customers below break-even, the biggest loss first, with what
drives each loss; Enter opens a key account's sheet, or another customer's costs against the
median of customers of its revenue.

Reached from the candidates area (key b) and the command palette ("go: break-even work
list"). Money is abbreviated (12.3k) rather than cut, so the list fits 80 columns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.events import Resize
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Header, Static

from screens.base import KamScreenMixin
from screens.formatting import money, safe, short_money, words
from screens.palette.screen_commands import ScreenCommands
from screens.widgets.data_table import DataTable
from screens.widgets.footer import KamFooter

if TYPE_CHECKING:
    from kam.figures.breakeven import BreakEven, BreakEvenRow

#: The columns after the customer's name: (title, width); the name takes what is left.
FIGURES = (("Loss", 7), ("Revenue", 7), ("Band", 4), ("Orders", 6), ("Avg order", 9),
           ("Main driver", 18))  # fmt: skip
#: The widest and narrowest the customer's name column gets.
NAME_WIDTH = (12, 34)


def main_driver(row: BreakEvenRow) -> str:
    """The biggest driver in a few words: "logistics 3.0×", "terms (median 0)", "small orders"."""
    if row.drivers:
        top = row.drivers[0]
        said = f"{top.ratio:.1f}×" if top.ratio is not None else "(median 0)"
        return f"{words(top.category)} {said}"
    return "small orders" if row.small_orders else "–"


class BreakEvenScreen(KamScreenMixin, Screen[None]):
    """Customers below break-even with what drives each loss (read by every role)."""

    AREA = "candidates"
    PALETTE_NOUN = "break-even"
    TITLE = "Break-even work list"
    CSS_PATH = "break_even.tcss"
    AUTO_FOCUS = "#break-even"
    COMMANDS: ClassVar = {ScreenCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter",
            "open",
            "Open",
            id="break_even.open",
            tooltip="Open the key account's sheet, or the customer's costs against the median.",
        ),
        Binding("r", "reload", "Reload", id="break_even.reload", tooltip="Compute the list again."),
    ]

    class Computed(Message):
        """The list was computed."""

        def __init__(self, found: BreakEven) -> None:
            super().__init__()
            self.found = found

    def __init__(self) -> None:
        super().__init__()
        self.found: BreakEven | None = None
        """The list as last computed."""
        self._name_width = NAME_WIDTH[0]

    def compose(self) -> ComposeResult:
        """Header, summary, the list, the highlighted customer's drivers, footer."""
        yield Header()
        yield Static("Finding the customers below break-even…", id="summary")
        yield DataTable(id="break-even", cursor_type="row", zebra_stripes=True)
        yield Static("", id="detail")
        yield KamFooter()

    def on_mount(self) -> None:
        """Compute the list."""
        self.action_reload()

    def action_reload(self) -> None:
        """Compute the list again in a worker."""
        self.query_one(DataTable).loading = True
        self._compute()

    @work(thread=True, exclusive=True, exit_on_error=False, group="break-even")
    def _compute(self) -> None:
        from kam.figures.breakeven import break_even

        with self.kam.database.reading() as session:
            found = break_even(session, as_of=self.kam.as_of)
        self.post_message(self.Computed(found))

    @on(Computed)
    def _computed(self, message: Computed) -> None:
        self.found = message.found
        self.query_one(DataTable).loading = False
        f = message.found
        minimum = f"minimum order {money(f.min_order_size)}" if f.min_order_size else (
            "no minimum order set"
        )  # fmt: skip
        self.query_one("#summary", Static).update(
            Content(
                f"{f.below:,} of {f.customers:,} customers below break-even, losing "
                f"{money(-f.loss)} in the 12 months to {f.as_of.isoformat()} · costs against "
                f"the median of customers in the same revenue decile (band 1-10) · {minimum}"
            )
        )
        self._fill()

    def on_resize(self, event: Resize) -> None:
        """Give the customer's name what the figures leave."""
        width = self._width_for(event.size.width)
        if width != self._name_width:
            self._name_width = width
            self._fill()

    @staticmethod
    def _width_for(columns: int) -> int:
        used = sum(w + 2 for _, w in FIGURES) + 2 + 2  # cell padding, scrollbar
        return max(NAME_WIDTH[0], min(NAME_WIDTH[1], columns - used))

    def _fill(self) -> None:
        """The rows, names as Text (never markup), cut to the name column; figures whole."""
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear(columns=True)
        table.add_column("Customer", width=self._name_width, key="customer")
        for title, width in FIGURES:
            table.add_column(title, width=width)
        rows = self.found.rows if self.found else []
        for r in rows:
            table.add_row(
                Text(safe(r.customer), no_wrap=True, overflow="ellipsis"),
                Text(short_money(r.profit), justify="right", style="red"),
                Text(short_money(r.revenue), justify="right"),
                Text(str(r.size_band), justify="right"),
                Text(str(r.orders), justify="right"),
                Text(
                    short_money(r.average_order),
                    justify="right",
                    style="bold red" if r.small_orders else "",
                ),
                Text(main_driver(r), no_wrap=True, overflow="ellipsis"),
                key=str(r.customer_id),
            )
        if rows:
            table.move_cursor(row=min(cursor, len(rows) - 1))
        self._describe()

    def highlighted(self) -> BreakEvenRow | None:
        """The customer under the cursor."""
        table = self.query_one(DataTable)
        rows = self.found.rows if self.found else []
        if not rows or table.row_count == 0:
            return None
        return rows[min(table.cursor_row, len(rows) - 1)]

    @on(DataTable.RowHighlighted, "#break-even")
    def _describe(self) -> None:
        """The highlighted customer's drivers, in words."""
        row = self.highlighted()
        detail = self.query_one("#detail", Static)
        if row is None:
            detail.update(Content("Nobody is below break-even." if self.found else ""))
            return
        average = money(row.average_order) if row.average_order is not None else "none"
        orders = (
            f"{row.orders} orders a year, average {average}"
            + (" (under the minimum)" if row.small_orders else "")
            + f", median {money(row.band_average_order)}"
        )
        said = "; ".join(row.driver_texts) or "no cost above the median for its revenue"
        detail.update(
            Content.assemble(
                (safe(row.customer), "bold"),
                f" · loss {money(-row.profit)} · band {row.size_band} · {orders}\n",
                said,
            )
        )

    @on(DataTable.RowSelected, "#break-even")
    def _row_selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        """A key account's sheet; another customer's costs against the median."""
        row = self.highlighted()
        if row is None:
            return
        if row.key_account:
            self.kam.open_account(row.customer)
        else:
            self.app.push_screen(CostsScreen(row))


class CostsScreen(ModalScreen[None]):
    """One customer's T12M cost to serve by category against the median of its revenue band."""

    CSS_PATH = "break_even.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="break_even.close", tooltip="Back to the list."),
    ]

    def __init__(self, row: BreakEvenRow) -> None:
        super().__init__()
        self.row = row
        """The customer shown."""

    def compose(self) -> ComposeResult:
        """Title, the categories, the orders, how to close."""
        row = self.row
        with Vertical(id="costs-dialog"):
            yield Static(
                Content.assemble(
                    (safe(row.customer), "bold"),
                    f"\nT12M revenue {money(row.revenue)}, cost to serve "
                    f"{money(row.cost_to_serve)}, loss {money(-row.profit)} (revenue band "
                    f"{row.size_band} of 10)",
                ),
                id="costs-title",
            )
            yield DataTable(id="costs", cursor_type="none", show_cursor=False)
            yield Static(self._orders(), id="costs-orders")
            yield Static("Escape: back to the list", id="costs-hint")

    def _orders(self) -> Content:
        row = self.row
        if row.average_order is None:
            return Content("No orders in the 12 months.")
        flag = ", under the minimum" if row.small_orders else ""
        return Content(
            f"{row.orders} orders a year, average {money(row.average_order)}{flag} (median "
            f"{money(row.band_average_order)} for this revenue)"
        )

    def on_mount(self) -> None:
        """Fill the categories."""
        table = self.query_one(DataTable)
        table.add_columns("Category", "Cost", "Median", "× median")
        for c in self.row.costs:
            times = "–" if c.ratio is None else f"{c.ratio:.1f}×"
            above = c.amount > c.median
            table.add_row(
                Text(words(c.category), style="bold" if above else ""),
                Text(money(c.amount), justify="right", style="red" if above else ""),
                Text(money(c.median), justify="right"),
                Text(times, justify="right"),
            )

    def action_close(self) -> None:
        """Back to the list."""
        self.dismiss(None)
