"""Textual's DataTable, drawn again once its new rows are measured, and keeping its
cursor on the same row when it is filled again.

DataTable measures new rows (their columns' widths) when its message queue is idle, and
keeps the lines it draws in caches whose keys do not include the widths. A frame drawn
between adding rows and that measure (a busy machine, a big table) is kept with the old
widths: the header or a row stays misaligned until something else clears the caches.
This one clears them once the widths are measured.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.widgets import DataTable as TextualDataTable
from textual.widgets.data_table import RowKey


class DataTable(TextualDataTable[Any]):
    """A DataTable that never keeps lines drawn before its columns' widths were measured."""

    def cursor_key(self) -> str | None:
        """The key of the row under the cursor (None without rows or keys)."""
        if self.row_count == 0:
            return None
        return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value

    def move_to_key(self, key: str | None) -> None:
        """Put the cursor on the row of this key, when the table shows it: a list filled
        again (read again, sorted, filtered) keeps the row the user was on."""
        if key is not None and key in self.rows:
            self.move_cursor(row=self.get_row_index(key))

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        super()._update_dimensions(new_rows)
        self._clear_caches()
        self.refresh()
