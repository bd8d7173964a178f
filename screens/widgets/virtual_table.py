"""A table that draws only the rows in view, for lists as long as the whole customer base.

Textual's DataTable keeps every row as cells, measures them and renders the rows it shows
whenever it is refilled: fine for a few hundred rows, too slow to refill at each keystroke
over 50,000. This table holds the items themselves, fixed column widths and a function
that turns an item into its cells; a frame formats only the rows on the screen (and keeps
them, so scrolling back and moving the cursor cost nothing), whatever the list's length.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

#: Cached rows (formatted cells) kept at most; a screenful is about 40.
CACHED_ROWS = 4_000


@dataclass(frozen=True)
class Column:
    """A column: its heading, its width in cells, and how its cells are aligned."""

    label: str
    width: int
    justify: Literal["left", "right"] = "left"


class VirtualTable(ScrollView, can_focus=True):
    """Rows of items under a fixed header, one highlighted by a cursor; Enter selects it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Select", show=False),
        Binding("up", "cursor_up", "Cursor up", show=False),
        Binding("down", "cursor_down", "Cursor down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home,ctrl+home", "first", "First", show=False),
        Binding("end,ctrl+end", "last", "Last", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "virtual-table--header",
        "virtual-table--cursor",
        "virtual-table--even-row",
    }

    DEFAULT_CSS = """
    VirtualTable {
        background: $surface;
        color: $foreground;
        height: 1fr;
        &:focus {
            background-tint: $foreground 5%;
            & > .virtual-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .virtual-table--header {
                background-tint: $foreground 5%;
            }
        }
        &:dark > .virtual-table--even-row {
            background: $surface-darken-1 40%;
        }
        & > .virtual-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        &:ansi > .virtual-table--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }
        & > .virtual-table--even-row {
            background: $surface-lighten-1 50%;
        }
        & > .virtual-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    cursor_row: reactive[int] = reactive(0, always_update=True, init=False)
    """The index of the highlighted row."""

    class RowMessage(Message):
        """About one row of a table."""

        def __init__(self, table: VirtualTable, row: int) -> None:
            super().__init__()
            self.table = table
            self.row = row

        @property
        def control(self) -> VirtualTable:
            """The table (so `@on(..., "#id")` selects by the table's id)."""
            return self.table

    class RowHighlighted(RowMessage):
        """The cursor moved to another row (or the rows under it changed)."""

    class RowSelected(RowMessage):
        """Enter (or a double click) on the highlighted row."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.columns: tuple[Column, ...] = ()
        self._items: Sequence[Any] = ()
        self._cells: Callable[[Any], Sequence[Text]] = lambda item: ()
        self._cache: dict[int, tuple[Any, Strip]] = {}
        """id(item) -> (the item, its cells drawn at the columns' widths, unstyled)."""
        self._header = Strip.blank(0)

    # ------------------------------------------------------------------ content

    @property
    def row_count(self) -> int:
        """How many rows the table holds (most of them off screen)."""
        return len(self._items)

    @property
    def items(self) -> Sequence[Any]:
        """The items, one per row, in order."""
        return self._items

    def set_columns(
        self, columns: Sequence[Column], cells: Callable[[Any], Sequence[Text]]
    ) -> None:
        """Set the columns and the function that turns an item into its cells (Text, never
        markup: the table draws them literally)."""
        self.columns = tuple(columns)
        self._cells = cells
        self._cache.clear()
        self._header = self._draw([Text(c.label, justify=c.justify) for c in self.columns], Style())
        self._resize()
        self.refresh()

    def set_rows(self, items: Sequence[Any], *, keep_cursor: bool = False) -> None:
        """Show these items; the cursor goes back to the first unless `keep_cursor`."""
        self._items = items
        if len(self._cache) > CACHED_ROWS:
            self._cache.clear()
        self._resize()
        if not keep_cursor:
            self.scroll_to(y=0, animate=False, immediate=True)
        self.refresh()
        last = max(len(items) - 1, 0)
        self.cursor_row = 0 if not keep_cursor else min(self.cursor_row, last)

    def redraw(self) -> None:
        """Format every row again (after what the cells show has changed)."""
        self._cache.clear()
        self.refresh()

    def get_row_at(self, index: int) -> list[str]:
        """The cells of a row as plain strings."""
        return [cell.plain for cell in self._cells(self._items[index])]

    def _resize(self) -> None:
        size = Size(sum(c.width + 1 for c in self.columns) + 1, len(self._items) + 1)
        if size.width != self.virtual_size.width or not self.is_mounted:
            self.virtual_size = size
        elif size != self.virtual_size:
            # Only the number of rows changed: the table keeps its place on the screen, so
            # update the scrollbars (showing or hiding one lays the screen out again) but
            # not the whole screen's layout, which would cost more than drawing the rows.
            self.set_reactive(VirtualTable.virtual_size, size)
            self._scroll_update(size)

    # ------------------------------------------------------------------ drawing

    def _draw(self, cells: Sequence[Text], style: Style) -> Strip:
        """One line: each cell cut (with an ellipsis) or padded to its column, a space
        before each and one at the end."""
        line = Text(no_wrap=True, overflow="ellipsis", style=style)
        for column, cell in zip(self.columns, cells, strict=False):
            text = cell.copy()
            text.truncate(column.width, overflow="ellipsis")
            text.align(column.justify, column.width)
            line.append(" ")
            line.append_text(text)
        line.append(" ")
        return Strip(line.render(self.app.console), line.cell_len)

    def _row(self, index: int) -> Strip:
        item = self._items[index]
        cached = self._cache.get(id(item))
        if cached is not None and cached[0] is item:
            return cached[1]
        strip = self._draw(self._cells(item), Style())
        self._cache[id(item)] = (item, strip)
        return strip

    def render_line(self, y: int) -> Strip:
        """The header on the first line, then the rows from the scroll position."""
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            header = self.get_component_rich_style("virtual-table--header")
            strip = self._header.apply_style(base + header)
            return strip.crop_extend(scroll_x, scroll_x + width, base + header)
        index = scroll_y + y - 1
        if index >= len(self._items):
            return Strip.blank(width, base)
        if index == self.cursor_row:
            style = base + self.get_component_rich_style("virtual-table--cursor")
        elif index % 2:
            style = base + self.get_component_rich_style("virtual-table--even-row")
        else:
            style = base
        return self._row(index).apply_style(style).crop_extend(scroll_x, scroll_x + width, style)

    def _refresh_row(self, index: int) -> None:
        y = index - round(self.scroll_y) + 1
        if 0 < y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    # ------------------------------------------------------------------ the cursor

    def validate_cursor_row(self, row: int) -> int:
        return max(0, min(row, len(self._items) - 1))

    def watch_cursor_row(self, old: int, new: int) -> None:
        self._refresh_row(old)
        self._refresh_row(new)
        self._keep_in_view(new)
        self.post_message(self.RowHighlighted(self, new))

    def _keep_in_view(self, index: int) -> None:
        rows_in_view = max(self.scrollable_content_region.height - 1, 1)
        top = round(self.scroll_y)
        if index < top:
            self.scroll_to(y=index, animate=False, immediate=True)
        elif index >= top + rows_in_view:
            self.scroll_to(y=index - rows_in_view + 1, animate=False, immediate=True)

    def _page(self) -> int:
        return max(self.scrollable_content_region.height - 2, 1)

    def action_cursor_up(self) -> None:
        """One row up."""
        self.cursor_row -= 1

    def action_cursor_down(self) -> None:
        """One row down."""
        self.cursor_row += 1

    def action_page_up(self) -> None:
        """One screenful up."""
        self.cursor_row -= self._page()

    def action_page_down(self) -> None:
        """One screenful down."""
        self.cursor_row += self._page()

    def action_first(self) -> None:
        """The first row."""
        self.cursor_row = 0

    def action_last(self) -> None:
        """The last row."""
        self.cursor_row = len(self._items) - 1

    def action_select_cursor(self) -> None:
        """Select the highlighted row."""
        if self._items:
            self.post_message(self.RowSelected(self, self.cursor_row))

    def on_click(self, event: events.Click) -> None:
        """A click moves the cursor to the row; a double click selects it."""
        index = round(self.scroll_y) + event.y - 1
        if event.y < 1 or index >= len(self._items):
            return
        self.cursor_row = index
        if event.chain > 1:
            self.action_select_cursor()

    def on_focus(self) -> None:
        self._refresh_row(self.cursor_row)

    def on_blur(self) -> None:
        self._refresh_row(self.cursor_row)
