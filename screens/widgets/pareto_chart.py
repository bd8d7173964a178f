"""The Pareto curve of the customer base as a column chart drawn with text."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

_EIGHTHS = " ▁▂▃▄▅▆▇█"

#: Width of the left margin: the axis labels and the axis itself.
_MARGIN = 10


def column(value: float, scale: float, rows: int, row: int) -> str:
    """The character of a column of height `value` in chart row `row` (0 = bottom)."""
    if scale <= 0 or rows <= 0:
        return " "
    eighths = round(max(value, 0.0) / scale * rows * 8)
    return _EIGHTHS[max(0, min(8, eighths - row * 8))]


class ParetoChart(Widget):
    """One column per tenth of the customers (best first): the share of profit they make.

    Under the columns two rows spell it out: the top x % of customers make y % of profit.
    The tenths up to the one where 80 % of profit is reached are drawn in the accent colour.
    A cumulative share above 100 % is real: the customers below break-even take it back.
    """

    DEFAULT_CSS = """
    ParetoChart {
        height: 14;
    }
    """

    curve: reactive[tuple[tuple[float, float], ...]] = reactive(())
    """(share of customers, cumulative share of profit) at each tenth of the base."""

    share_for_80: reactive[float | None] = reactive(None)
    """The smallest share of customers making 80 % of profit, if profit is positive."""

    def show(self, curve: Sequence[tuple[float, float]], share_for_80: float | None) -> None:
        """Chart this curve."""
        self.share_for_80 = share_for_80
        self.curve = tuple(curve)

    def render(self) -> Content:
        """Columns, the axis, and the two label rows."""
        if not self.curve:
            return Content("No customers with sales or costs yet: no curve to draw.")
        rows = max(self.size.height - 4, 3)
        points = self.curve
        count = len(points)
        room = self.size.width - _MARGIN
        step = min(max(room // count, 3), 8)  # one column and its gap
        width = step - 1
        scale = max(1.0, max(share for _, share in points))
        eighty_row = min(int(0.8 / scale * rows), rows - 1)
        vital = self.share_for_80 if self.share_for_80 is not None else -1.0

        title = "  the best x % of customers make y % of profit"
        if len("PARETO" + title) > self.size.width:
            title = "  x % of customers: y % of profit"
        lines: list[Content] = [Content.assemble(("PARETO", "bold"), (title, "dim"))]
        for row in range(rows - 1, -1, -1):
            if row == rows - 1:
                label = f"{scale * 100:.0f} %"
            elif row == eighty_row:
                label = "80 %"
            else:
                label = ""
            parts: list[Content | str | tuple[str, str]] = [f"{label:>{_MARGIN - 2}} ┤"]
            for x, share in points:
                cell = column(share, scale, rows, row)
                style = "$accent" if x <= vital + 0.05 else "$primary"
                if cell == " " and row == eighty_row:
                    parts.append(("┄" * width, "$text-muted"))
                else:
                    parts.append((cell * width, style))
                parts.append(("┄", "$text-muted") if row == eighty_row else " ")
            lines.append(Content.assemble(*parts))
        lines.append(Content(f"{'0 %':>{_MARGIN - 2}} └" + "─" * (step * count)))
        every = 1 if width >= 3 else 2  # too narrow for "100" under each column: every other
        slot = step * every

        def labels(values: list[float]) -> str:
            return "".join(
                f"{v * 100:.0f}".rjust(slot - 1) + " " for v in values[every - 1 :: every]
            )

        for name, values, style in (
            ("x %", [x for x, _ in points], ""),
            ("y %", [share for _, share in points], "bold"),
        ):
            lines.append(
                Content.assemble(
                    (f"{name:>{_MARGIN - 2}}  ", "$text-muted"), (labels(values), style)
                )
            )
        return Content("\n").join(lines)
