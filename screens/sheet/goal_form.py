"""The form that adds a goal to an account plan, or changes one (title, owner, status)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input, Select

from db.enums import GoalStatus
from kam.services.plans import GoalInput
from screens.formatting import safe
from screens.forms.form import FormScreen
from screens.forms.limits import max_length
from screens.forms.validators import Login, Required

if TYPE_CHECKING:
    from sqlmodel import Session

    from kam.services.plans import GoalView, PlanView


class GoalForm(FormScreen["PlanView"]):
    """Add a goal to the plan of `fiscal_year`, or change one (`goal` given)."""

    def __init__(
        self, customer: str, *, fiscal_year: int | None = None, goal: GoalView | None = None
    ) -> None:
        super().__init__()
        self.customer = customer
        """The key account's customer."""
        self.fiscal_year = fiscal_year
        """The plan's year (for a new goal)."""
        self.goal = goal
        """The goal being changed; None to add one."""
        if goal is not None:
            self.watched = ("plan_goal", goal.id)

    def heading(self) -> Content:
        """'New goal in the plan of <customer>' or 'Goal <title>'."""
        if self.goal is None:
            return Content.assemble("New goal in the plan of ", (safe(self.customer), "bold"))
        return Content.assemble("Goal ", (safe(self.goal.title), "bold"))

    def fields(self) -> Iterator[Widget]:
        """Title and owner; the status too when changing a goal."""
        g = self.goal
        yield from self.field(
            "What we want with this customer this year",
            Input(
                g.title if g else "",
                id="title",
                placeholder="e.g. Become their sole supplier of packaging",
                max_length=max_length(GoalInput, "title"),
                validators=[Required("The goal")],
            ),
        )
        yield from self.field(
            "Owner (login)",
            Input(
                (g.owner or "") if g else "",
                id="owner",
                max_length=max_length(GoalInput, "owner"),
                validators=[Login()],
                valid_empty=True,
            ),
            hint="The kam user who answers for the goal; empty: nobody yet.",
        )
        if g is not None:
            kept = [s for s in GoalStatus if s != GoalStatus.CARRIED or g.status == s]
            yield from self.field(
                "Status",
                Select(
                    [(s.value, s.value) for s in kept],
                    id="status",
                    value=g.status,
                    allow_blank=False,
                ),  # fmt: skip
                hint="Carried goals are made by carrying them into next year's plan.",
            )

    def collect(self) -> dict[str, Any]:
        """The service's fields."""
        values: dict[str, Any] = {"title": self.value("title"), "owner": self.optional("owner")}
        if self.goal is not None:
            values["status"] = self.choice("status")
        return values

    def write(self, session: Session, values: dict[str, Any]) -> PlanView:
        """Add or change the goal."""
        from kam.services.plans import add_goal, update_goal

        if self.goal is None:
            return add_goal(session, self.kam.actor, self.customer,
                            fiscal_year=self.fiscal_year, **values)  # fmt: skip
        return update_goal(session, self.kam.actor, self.goal.id, **values)
