"""The virtual table formats only the rows in view, whatever the list's length, and keeps
its cursor, scroll and messages straight."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import App, ComposeResult

from screens.widgets.virtual_table import Column, VirtualTable


class Numbers(App[None]):
    """A table of 100,000 numbers, counting the rows it formats."""

    def __init__(self) -> None:
        super().__init__()
        self.formatted: list[int] = []
        self.selected: list[int] = []

    def compose(self) -> ComposeResult:
        yield VirtualTable(id="numbers")

    def on_mount(self) -> None:
        table = self.query_one(VirtualTable)
        table.set_columns([Column("n", 6, "right"), Column("Square", 12, "right")], self.cells)
        table.set_rows(range(100_000))
        table.focus()

    def cells(self, n: int) -> tuple[Text, Text]:
        self.formatted.append(n)
        return Text(str(n)), Text(f"{n * n:,}")

    @on(VirtualTable.RowSelected, "#numbers")
    def chosen(self, message: VirtualTable.RowSelected) -> None:
        self.selected.append(message.row)


async def test_only_the_rows_in_view_are_formatted_and_only_once() -> None:
    app = Numbers()
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        table = app.query_one(VirtualTable)
        # 12 lines: the header and 11 rows (a horizontal scrollbar is not needed).
        assert sorted(set(app.formatted)) == list(range(11))
        assert len(app.formatted) == 11  # each row once, redrawing the cursor reuses them
        await pilot.press("end")
        await pilot.pause()
        assert table.cursor_row == 99_999 and table.scroll_y == 100_000 - 11
        assert max(app.formatted) == 99_999 and len(app.formatted) == 22
        await pilot.press("enter")
        await pilot.pause()
        assert app.selected == [99_999]
        table.set_rows(range(0, 100_000, 7))  # a narrower list: back to the top
        await pilot.pause()
        assert (table.row_count, table.cursor_row, table.scroll_y) == (14_286, 0, 0)
        assert table.get_row_at(2) == ["14", "196"]


async def test_cells_are_cut_to_their_column_with_an_ellipsis_and_markup_stays_text() -> None:
    app = Numbers()
    async with app.run_test(size=(40, 6)) as pilot:
        table = app.query_one(VirtualTable)
        table.set_columns([Column("Name", 8)], lambda name: (Text(name),))
        table.set_rows(["[b]bold[/b] and more", "短い名前です"])
        await pilot.pause()
        lines = [table.render_line(y).text for y in range(3)]
        assert lines[0].startswith(" Name    ")
        assert lines[1].startswith(" [b]bold… ")
        # A wide name is cut on a character's edge; the column keeps its 8 cells.
        assert lines[2].startswith(" 短い名") and lines[2].index("…") == 5
        assert {cell_len(line) for line in lines} == {40}
