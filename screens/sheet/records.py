"""The account sheet's tabs, and what each record tab's table shows, one row per record
(the plan and the people have tabs of their own: plan_tab.py, people_tab.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kam.rules import lifecycle
from screens.formatting import day, first_line, words

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

#: The columns of each record tab's table.
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
        i.our_people,
        their_people(i),
        first_line(i.summary),
        i.logged_by or "",
    )


def _commitment(c: CommitmentView) -> tuple[str, ...]:
    return (
        day(c.due_on),
        "OVERDUE" if c.overdue else c.status,
        c.description,
        words(c.department),
        c.made_by or "",
        day(c.closed_on),
    )


def _complaint(c: ComplaintView) -> tuple[str, ...]:
    return (
        day(c.recorded_on),
        c.severity,
        words(c.status),
        first_line(c.summary, 50),
        c.owner or "",
        first_line(c.resolution, 40),
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
        e.who,
        e.door,
        f"{e.entity} {e.entity_id or ''}".strip(),
        e.field or "",
        first_line(e.old or "", 30),
        first_line(e.new or "", 50),
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
