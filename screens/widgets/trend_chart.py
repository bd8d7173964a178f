"""A bar chart of profit and cost to serve per year, drawn with text."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from kam.figures.worth import YearFigures
from screens.formatting import money

_BLOCKS = " ▏▎▍▌▋▊▉█"


def bar(value: float, scale: float, width: int) -> str:
    """A horizontal bar of `value` on a `width`-cell axis where `scale` fills it."""
    if scale <= 0 or width <= 0:
        return ""
    eighths = round(abs(value) / scale * width * 8)
    full, rest = divmod(min(eighths, width * 8), 8)
    return "█" * full + (_BLOCKS[rest] if rest else "")


class TrendChart(Widget):
    """Profit and cost to serve per calendar year, one pair of bars per year."""

    DEFAULT_CSS = """
    TrendChart {
        height: auto;
    }
    """

    years: reactive[tuple[YearFigures, ...]] = reactive((), layout=True)
    """The figures shown, oldest first."""

    def show(self, years: Sequence[YearFigures]) -> None:
        """Chart these years."""
        self.years = tuple(years)

    def render(self) -> Content:
        """Two labelled bars per year, scaled to the largest amount."""
        if not self.years:
            return Content("No sales or cost-to-serve lines yet.")
        label_width = 20
        amounts = [money(v) for y in self.years for v in (y.profit, y.cost_to_serve)]
        number_width = max(len(a) for a in amounts) + 1
        width = max(self.size.width - label_width - number_width - 1, 5)
        scale = max(max(abs(y.profit), abs(y.cost_to_serve)) for y in self.years)
        lines: list[Content] = []
        for y in self.years:
            year = f"{y.year}{'*' if y.partial else ' '}"
            profit_style = "$error" if y.profit < 0 else "$success"
            lines.append(
                Content.assemble(
                    (f"{year} profit".ljust(label_width), "bold"),
                    (money(y.profit).rjust(number_width), profit_style),
                    " ",
                    ((bar(y.profit, scale, width) or "·"), profit_style),
                )
            )
            lines.append(
                Content.assemble(
                    "      cost to serve".ljust(label_width),
                    money(y.cost_to_serve).rjust(number_width),
                    " ",
                    ((bar(y.cost_to_serve, scale, width) or "·"), "$warning"),
                )
            )
        if any(y.partial for y in self.years):
            lines.append(Content.assemble(("* year to date", "dim")))
        return Content("\n").join(lines)
