"""kam's DataTable (screens.widgets.data_table): lines drawn before new rows were measured
are not kept once the columns' widths are known."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.app import App, ComposeResult
from textual.widgets import DataTable as TextualDataTable

from screens.widgets.data_table import DataTable

WIDE = "a cell much wider than its header"


class OneTable(App[None]):
    def __init__(self, table: type[TextualDataTable[Any]]) -> None:
        super().__init__()
        self.table_class = table

    def compose(self) -> ComposeResult:
        yield self.table_class(id="t")


async def test_textuals_own_table_keeps_a_line_drawn_before_the_measure() -> None:
    """What kam's table is for: if Textual stops keeping stale lines, this fails, and the
    subclass can go."""
    assert (await _header_right_after_the_measure(TextualDataTable)).index("B") < len(WIDE)


async def test_kams_table_draws_its_header_again_once_new_rows_are_measured() -> None:
    header = await _header_right_after_the_measure(DataTable)
    assert header.index("B") > len(WIDE)  # B's header sits past the wide cell


async def _header_right_after_the_measure(table: type[TextualDataTable[Any]]) -> str:
    """The header line drawn right after the table measured a new row, before anything
    else ran: what a frame shows when the machine is busy (the table's Resize, which
    clears its caches too, is still queued)."""
    app = OneTable(table)
    async with app.run_test(size=(60, 6)) as pilot:
        shown = app.query_one("#t", TextualDataTable)
        shown.add_column("A")
        shown.add_column("B")
        await pilot.pause()
        shown.add_row(WIDE, "b")
        assert shown.render_line(0).text.index("B") < len(WIDE)  # drawn, not measured
        await shown._on_idle(events.Idle())  # the measure, as the table's idle runs it
        return shown.render_line(0).text
