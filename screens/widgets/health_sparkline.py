"""A key account's health over the last weeks, as one line of text: one mark per week, its
height and colour its status (▇ green, ▄ amber, ▂ red; · nothing recorded), oldest first.

Renderables for a table cell or a panel row (the key accounts list, the sheet's overview);
the text holds no data from users, only marks, statuses and figures.
"""

from __future__ import annotations

from rich.text import Text

from kam.services.health import AMBER, GREEN, RED
from kam.services.health_history import MARKS, NO_MARK, WEEKS

#: How each status is coloured, wherever kam shows health.
HEALTH_STYLE = {GREEN: "green", AMBER: "yellow", RED: "bold red"}


def health_sparkline(weekly: list[str | None]) -> Text:
    """The weeks' marks, coloured, oldest first (blank weeks dim)."""
    line = Text(no_wrap=True, overflow="crop")
    for status in weekly:
        if status in MARKS:
            line.append(MARKS[status], style=HEALTH_STYLE[status])
        else:
            line.append(NO_MARK, style="dim")
    return line


def health_trend(weekly: list[str | None], trend: str | None) -> Text:
    """The sparkline with what it covers, then the change since the last review."""
    line = Text()
    line.append_text(health_sparkline(weekly))
    line.append(f"  last {WEEKS} weeks", style="dim")
    if trend:
        line.append(f"\n{trend}")
    return line
