"""What an account plan shows: goals, objectives with their progress, actions, comments."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from kam.views import View


@dataclass(frozen=True)
class ActionView(View):
    """Who does what by when, for an objective."""

    id: int
    objective_id: int
    title: str
    owner: str | None
    """A kam login, or the name of someone outside kam."""
    owner_name: str | None
    owner_department: str | None
    due_on: date
    status: str
    done_on: date | None
    overdue: bool
    commitment_id: int | None
    contact_id: int | None
    contact: str | None
    """The person at the customer the action addresses."""


@dataclass(frozen=True)
class ObjectiveView(View):
    """A measurable step towards a goal and how far it has come."""

    id: int
    goal_id: int
    title: str
    figure: str | None
    """The kam figure its progress is computed from; None: updated by hand."""
    baseline: float
    target: float
    due_on: date
    current: float | None
    """The figure now, or the value last typed in."""
    progress: float | None
    """0 to 1, from the baseline to the target."""
    state: str
    """on track, behind, overdue or done (kam.rules.plans)."""
    comment: str
    updated_on: date | None
    dropped_on: date | None = None
    """The day it was dropped (it then counts in no progress); None while pursued."""
    actions: list[ActionView] = field(default_factory=list)


@dataclass(frozen=True)
class GoalView(View):
    """What we want with this customer this year, and its objectives."""

    id: int
    title: str
    owner: str | None
    owner_name: str | None
    status: str
    progress: float | None
    """The mean of its objectives' progress (dropped ones left out)."""
    carried_from_id: int | None
    objectives: list[ObjectiveView] = field(default_factory=list)


@dataclass(frozen=True)
class CommentView(View):
    """A comment on a plan."""

    id: int
    by: str | None
    by_name: str | None
    at: str
    text: str


@dataclass(frozen=True)
class PlanView(View):
    """One key account's plan for one fiscal year."""

    id: int | None
    """None while the account has no plan for the year."""
    customer: str
    account_id: int
    fiscal_year: int
    period: str
    """The fiscal year as written ("2026", or "2026/27")."""
    starts_on: date
    ends_on: date
    as_of: date
    editable: bool
    """Past years' plans are kept as history, read-only."""
    situation: str
    strengths: list[str]
    weaknesses: list[str]
    opportunities: list[str]
    threats: list[str]
    version: int
    progress: float | None
    """The mean of its goals' progress."""
    complete: bool
    """At least two goals (kam.rules.plans.MIN_GOALS)."""
    goals: list[GoalView] = field(default_factory=list)
    comments: list[CommentView] = field(default_factory=list)

    @property
    def objectives(self) -> list[ObjectiveView]:
        """Every objective of every goal."""
        return [o for g in self.goals for o in g.objectives]

    @property
    def actions(self) -> list[ActionView]:
        """Every action of every objective."""
        return [a for o in self.objectives for a in o.actions]
