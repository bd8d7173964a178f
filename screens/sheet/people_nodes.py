"""How the customer's people read on the sheet: one line per person of the organisation
chart, in columns that line up whatever their depth, as many columns as the width allows
(the name, stance, influence and the markers always), and the highlighted person in full."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text

from screens.formatting import day, safe, words

if TYPE_CHECKING:
    from kam.services.people import Finding, PeopleMap
    from kam.views import ContactView

#: How each stance reads: always the word, and a colour beside it.
STANCE_STYLES: dict[str, str] = {
    "champion": "bold green",
    "supporter": "green",
    "neutral": "",
    "skeptic": "yellow",
    "blocker": "bold red",
}

COUNTERPART = "★"
"""The mark of the person paired with our executive sponsor."""

OVERDUE = " OVERDUE "
GAP = "  "


def stance_word(stance: str | None) -> Text:
    """The stance as a word in its colour ('–' when not known)."""
    return Text(stance or "–", style=STANCE_STYLES.get(stance or "", "dim"))


def _cell(text: Text | str, width: int) -> Text:
    """Text cut (with an ellipsis) or padded to exactly `width` cells."""
    cell = text.copy() if isinstance(text, Text) else Text(text)
    cell.truncate(width, overflow="ellipsis", pad=True)
    return cell


@dataclass(frozen=True)
class Columns:
    """The widths of the chart's columns for one width of the tree (0: left out)."""

    name: int
    title: int
    owner: int
    last: int

    STANCE = 9
    INFLUENCE = 4
    LAST = 10

    def header(self, width: int) -> Text:
        """The column titles, lined up with the lines, and what the mark means."""
        text = Text(style="bold dim")
        text.append(_cell("Name", self.name))
        if self.title:
            text.append(GAP + _cell("Job title", self.title).plain)
        text.append(GAP + _cell("Stance", self.STANCE).plain)
        text.append(GAP + _cell("Infl", self.INFLUENCE).plain)
        if self.owner:
            text.append(GAP + _cell("Owner", self.owner).plain)
        if self.last:
            text.append(GAP + _cell("Last met", self.last).plain)
        legend = f"{GAP}{COUNTERPART} sponsor's counterpart"
        if text.cell_len + len(legend) > width:
            legend = f"{GAP}{COUNTERPART} counterpart"
        text.append(legend, style="dim")
        return text


def columns(chart: PeopleMap, offsets: dict[int, int], *, width: int) -> Columns:
    """Column widths that fit `width`: the name column holds the longest name after its
    line's offset (indentation and expand mark; at most 28 cells, at least 12); the owner,
    last contact and job title are added while they fit, in that order."""
    people = chart.people
    name = max([offsets.get(p.id, 0) + cell_len(safe(p.name)) for p in people] or [12])
    name = max(12, min(28, name))
    fixed = name + len(GAP) * 2 + Columns.STANCE + Columns.INFLUENCE + len(GAP) + len(OVERDUE) + 2
    owner = max([cell_len(safe(p.owner) or "no owner") for p in people] or [8])
    title = min(22, max([cell_len(safe(p.job_title)) for p in people] or [0]))
    chosen = {"owner": 0, "last": 0, "title": 0}
    for column, need in (("owner", min(owner, 12)), ("last", Columns.LAST), ("title", title)):
        if need and fixed + len(GAP) + need <= width:
            chosen[column] = need
            fixed += len(GAP) + need
    return Columns(name=name, **chosen)


def person_label(p: ContactView, cols: Columns, *, offset: int, counterpart: bool) -> Text:
    """One person's line: the name (cut or padded so that, after the line's `offset`, the
    columns line up), the columns that fit, then OVERDUE and the counterpart's mark."""
    text = _cell(Text(safe(p.name), style="bold"), max(4, cols.name - offset))
    if cols.title:
        text.append(GAP)
        text.append_text(_cell(Text(safe(p.job_title) or "–"), cols.title))
    text.append(GAP)
    text.append_text(_cell(stance_word(p.stance), cols.STANCE))
    text.append(GAP)
    text.append_text(_cell(str(p.influence) if p.influence else "–", cols.INFLUENCE))
    if cols.owner:
        text.append(GAP)
        owner = Text(safe(p.owner)) if p.owner else Text("no owner", style="yellow")
        text.append_text(_cell(owner, cols.owner))
    if cols.last:
        text.append(GAP)
        text.append_text(_cell(day(p.last_contact) or "never", cols.last))
    if p.overdue:
        text.append(GAP)
        text.append(OVERDUE, style="bold white on red")
    if counterpart:
        text.append(f"{GAP}{COUNTERPART}", style="bold magenta")
    text.rstrip()
    return text


def person_detail(p: ContactView, chart: PeopleMap) -> Table:
    """Everything about one person: where they sit, where they stand, who holds the
    relationship, how often to be in touch and how to deal with them."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column()
    grid.add_row("Person", Text.assemble((safe(p.name), "bold"), "  ", safe(p.job_title)))
    reports = len(chart.reports.get(p.id, []))
    sits = Text(f"reports to {safe(p.reports_to)}" if p.reports_to else "reports to nobody here")
    if reports:
        sits.append(f"; {reports} report{'' if reports == 1 else 's'} to them")
    grid.add_row("Sits", sits)
    grid.add_row("Role", Text(words(p.buying_role) or "buying role not known"))
    grid.add_row("Stands", Text.assemble(stance_word(p.stance), "  influence ",
                                         str(p.influence or "not known")))  # fmt: skip
    owner = Text(f"{safe(p.owner_name)} ({safe(p.owner)})") if p.owner else Text(
        "no owner on our side", style="yellow")  # fmt: skip
    grid.add_row("Owner", owner)
    touch = Text(f"every {p.cadence_days} days; ")
    touch.append(f"last met {day(p.last_contact)}" if p.last_contact else "never met")
    if p.contact_due_on:
        touch.append(f"; due {day(p.contact_due_on)}")
    if p.overdue:
        touch.append("  OVERDUE", style="bold red")
    grid.add_row("In touch", touch)
    if p.communication_style:
        style = Text(p.communication_style, style="bold")
        if p.guidance:
            style.append(f": {p.guidance}", style="")
        grid.add_row("Style", style)
    reach = " · ".join(safe(x) for x in (p.email, p.phone) if x)
    if reach:
        grid.add_row("Reach", Text(reach))
    if chart.counterpart_id == p.id:
        grid.add_row("Pairing", Text(f"{COUNTERPART} our executive sponsor's counterpart",
                                     style="magenta"))  # fmt: skip
    return grid


def findings_text(findings: list[Finding]) -> Text:
    """The coverage findings as a list (or that there are none)."""
    text = Text.assemble((f"COVERAGE ({len(findings)})", "bold"))
    if not findings:
        text.append("\nno gaps: decision makers owned and in touch, blockers addressed, "
                    "several people met, the sponsor paired", style="dim")  # fmt: skip
    for f in findings:
        text.append("\n· ")
        text.append(safe(f.text), style="yellow")
    return text
