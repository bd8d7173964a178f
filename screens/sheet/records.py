"""The account sheet's tabs, and what each record tab's table shows, one row per record
(long text cut short, ending in …), and the highlighted record in full below it (the plan
and the people have tabs of their own: plan_tab.py, people_tab.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text

from db.enums import ComplaintStatus
from kam.rules import lifecycle
from screens.formatting import day, first_line, safe, words

if TYPE_CHECKING:
    from kam.services.people import PeopleMap
    from kam.services.reviews import ReviewView
    from kam.views import (
        AccountView,
        AuditView,
        CommitmentView,
        ComplaintView,
        ContactView,
        InteractionView,
    )

#: The tabs, in order; key N opens the Nth.
TABS: tuple[tuple[str, str], ...] = (
    ("overview", "Overview"),
    ("plan", "Plan"),
    ("people", "People"),
    ("metrics", "Metrics"),
    ("interactions", "Interactions"),
    ("commitments", "Commitments"),
    ("complaints", "Complaints"),
    ("reviews", "Reviews"),
    ("history", "History"),
)

#: The columns of each record tab's table (long text cut so that a table fits 120 columns;
#: the highlighted record shows in full below it).
COLUMNS: dict[str, tuple[str, ...]] = {
    "interactions": ("Date", "Kind", "Our people", "Their people", "Summary", "Logged by"),
    "commitments": ("Due", "Status", "Promise", "Department", "Made by", "Closed"),
    "complaints": ("Recorded", "Severity", "Status", "Complaint", "Owner", "Resolution"),
    "reviews": (
        "Reviewed",
        "By",
        "Decision",
        "Total",
        "Satisfaction",
        "Profit vs median",
        "Recommendation",
        "Next review",
    ),
    "history": ("When (UTC)", "Who", "Door", "Record", "Field", "Old", "New"),
}


@dataclass(frozen=True)
class SheetRecords:
    """Everything on the sheet except the figures, read in one transaction."""

    account: AccountView
    people: PeopleMap
    """The customer's people as a chart, with the coverage findings."""
    interactions: list[InteractionView]
    commitments: list[CommitmentView]
    complaints: list[ComplaintView]
    reviews: list[ReviewView]
    history: list[AuditView]
    seen: int = 0
    """The newest audit event when they were read (what their edit forms saw)."""

    @property
    def contacts(self) -> list[ContactView]:
        """The customer's people, by name."""
        return self.people.people


def their_people(i: InteractionView) -> str:
    """Who took part at the customer: the people ticked, then those named as text."""
    return ", ".join([*i.contacts, *([i.their_people] if i.their_people else [])])


def _interaction(i: InteractionView) -> tuple[str, ...]:
    return (
        day(i.happened_on),
        words(i.kind),
        first_line(i.our_people, 18),
        first_line(their_people(i), 22),
        first_line(i.summary, 30),
        i.logged_by or "",
    )


def _commitment(c: CommitmentView) -> tuple[str, ...]:
    return (
        day(c.due_on),
        "OVERDUE" if c.overdue else c.status,
        first_line(c.description, 46),
        words(c.department),
        first_line(c.made_by or "", 16),
        day(c.closed_on),
    )


def _complaint(c: ComplaintView) -> tuple[str, ...]:
    return (
        day(c.recorded_on),
        c.severity,
        words(c.status),
        first_line(c.summary, 34),
        first_line(c.owner or "", 12),
        first_line(c.resolution, 28),
    )


def _review(v: ReviewView) -> tuple[str, ...]:
    return (
        day(v.reviewed_on),
        v.reviewed_by or "",
        v.decision,
        "incomplete" if v.total is None else f"{v.total:g}",
        "" if v.satisfaction is None else f"{v.satisfaction:.2f}",
        (v.benchmark.get("profit") or {}).get("position") or "",
        v.recommendation or "",
        day(v.next_review_on),
    )


def _event(e: AuditView) -> tuple[str, ...]:
    return (
        day(e.at),
        first_line(e.who, 16),
        e.door,
        first_line(f"{e.entity} {e.entity_id or ''}".strip(), 20),
        first_line(e.field or "", 16),
        first_line(e.old or "", 14),
        first_line(e.new or "", 18),
    )


#: How each record tab turns a view into its cells.
CELLS: dict[str, Callable[[Any], tuple[str, ...]]] = {
    "interactions": _interaction,
    "commitments": _commitment,
    "complaints": _complaint,
    "reviews": _review,
    "history": _event,
}

#: (noun, how to add one) per record tab, for the count line.
NOUNS: dict[str, tuple[str, str]] = {
    "interactions": ("interaction", "a to log one"),
    "commitments": ("commitment", "a to add one"),
    "complaints": ("complaint", "a to record one"),
    "reviews": ("review", ""),
    "history": ("change", ""),
}


def _grid(rows: list[tuple[str, str | Text]]) -> Table:
    """Label and value, one per line; every value literal text, wrapped in full."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column()
    for label, value in rows:
        grid.add_row(label, value if isinstance(value, Text) else Text(safe(value)))
    return grid


def _made_by(c: CommitmentView) -> str:
    name = c.made_by_name or c.made_by or ""
    if c.made_by_department:
        return f"{name} ({words(c.made_by_department)})"
    return f"{name} ({c.made_by})" if c.made_by and name != c.made_by else name


def _interaction_detail(i: InteractionView) -> Table:
    return _grid([
        ("Interaction", f"{words(i.kind)} on {day(i.happened_on)}, logged by {i.logged_by or '–'}"),
        ("Our people", i.our_people or "–"),
        ("Their people", their_people(i) or "–"),
        ("Summary", i.summary or "–"),
    ])  # fmt: skip


def _commitment_detail(c: CommitmentView) -> Table:
    status = Text(c.status)
    if c.overdue:
        status.append("  OVERDUE", style="bold red")
    return _grid([
        ("Promise", c.description),
        ("Due", day(c.due_on)),
        ("Status", status),
        ("Department", words(c.department)),
        ("Made by", _made_by(c) or "–"),
        ("Made to", c.contact or "nobody in particular"),
        ("Closed", day(c.closed_on) or "–"),
    ])  # fmt: skip


def _complaint_detail(c: ComplaintView) -> Table:
    steps = [(ComplaintStatus.RECORDED, c.recorded_on), (ComplaintStatus.HANDLED, c.handled_on),
             (ComplaintStatus.VERIFIED, c.verified_on),
             (ComplaintStatus.FED_BACK, c.fed_back_on)]  # fmt: skip
    return _grid([
        ("Complaint", c.summary),
        ("Severity", c.severity),
        ("Status", words(c.status)),
        ("Owner", c.owner or "–"),
        ("Steps", ", ".join(f"{words(step)} {day(on)}" for step, on in steps if on)),
        ("Resolution", c.resolution or "–"),
    ])  # fmt: skip


def _review_detail(v: ReviewView) -> Table:
    cells = dict(zip(COLUMNS["reviews"], _review(v), strict=True))
    return _grid([*((label, cells[label] or "–") for label in COLUMNS["reviews"][:-1]),
                  ("Next review", day(v.next_review_on) or "–"),
                  ("Notes", v.notes or "–")])  # fmt: skip


def _event_detail(e: AuditView) -> Table:
    return _grid([
        ("When (UTC)", day(e.at)),
        ("Who", f"{e.who} ({e.door})"),
        ("Record", f"{e.entity} {e.entity_id or ''}".strip()),
        ("Field", e.field or "–"),
        ("Old", e.old or "–"),
        ("New", e.new or "–"),
    ])  # fmt: skip


#: How each record tab shows its highlighted record in full, below the table.
DETAILS: dict[str, Callable[[Any], Table]] = {
    "interactions": _interaction_detail,
    "commitments": _commitment_detail,
    "complaints": _complaint_detail,
    "reviews": _review_detail,
    "history": _event_detail,
}


def count_line(tab: str, records: SheetRecords, *, may_add: bool) -> str:
    """'3 commitments, 1 overdue · press a to add one' for a record tab."""
    views: list[Any] = getattr(records, tab)
    noun, how = NOUNS[tab]
    text = f"{len(views)} {noun}{'' if len(views) == 1 else 's'}"
    if tab == "commitments":
        overdue = sum(c.overdue for c in records.commitments)
        text += f", {overdue} overdue" if overdue else ""
    if tab == "complaints":
        unclosed = sum(lifecycle.complaint_is_open(c.status) for c in records.complaints)
        text += f", {unclosed} not yet fed back" if unclosed else ""
    if how and may_add:
        text += f" · press {how}"
    if tab == "history" and len(views) >= 200:
        text += " (the newest 200)"
    return text
