"""The form that adds a measurable objective to a goal, or changes one (title, target, date,
dropped or not)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from textual.content import Content
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Select

from db.enums import PlanFigure
from kam.services.plans import ObjectiveInput
from screens.formatting import safe
from screens.forms.form import FormScreen
from screens.forms.limits import max_length
from screens.forms.validators import Decimal, IsoDate, Required, parse_date, parse_number
from screens.sheet.plan_nodes import FIGURES, number

if TYPE_CHECKING:
    from sqlmodel import Session

    from kam.services.plans import ObjectiveView, PlanView


@dataclass(frozen=True)
class Suggestion:
    """What a new objective starts from: its title, target and baseline as typed."""

    title: str
    target: str
    baseline: str

    @classmethod
    def from_opportunity(cls, category: str, margin: float, expected: float) -> Suggestion:
        """An objective to bring a category's T12M gross margin up to the peers' level."""
        return cls(
            title=f"Grow {category} margin to the peers' level (whitespace)",
            target=f"{round(expected)}",
            baseline=f"{round(margin)}",
        )


class ObjectiveForm(FormScreen["PlanView"]):
    """Add an objective to goal `goal_id`, or change one (`objective` given): a target by a
    date, measured by a kam figure or by hand (chosen when it is added); a changed one may be
    dropped (added by mistake, or no longer pursued) or taken up again."""

    def __init__(
        self,
        *,
        today: date,
        goal_id: int | None = None,
        goal: str = "",
        objective: ObjectiveView | None = None,
        suggestion: Suggestion | None = None,
    ) -> None:
        super().__init__()
        self.today = today
        """The app's day (a due date defaults to the end of its year)."""
        self.goal_id = goal_id
        """The goal a new objective serves."""
        self.goal = goal
        """That goal's title, for the heading."""
        self.objective = objective
        """The objective being changed; None to add one."""
        if objective is not None:
            self.watched = ("plan_objective", objective.id)
        self.suggestion = suggestion
        """What a new objective starts from (a whitespace opportunity), if anything."""

    def heading(self) -> Content:
        """'New objective for <goal>' or 'Objective <title>'."""
        if self.objective is None:
            return Content.assemble("New objective for ", (safe(self.goal), "bold"))
        return Content.assemble("Objective ", (safe(self.objective.title), "bold"))

    def fields(self) -> Iterator[Widget]:
        """Title, target, due date; for a new one, the figure it follows and its baseline;
        for one being changed, whether it is dropped."""
        o, hint = self.objective, self.suggestion
        yield from self.field(
            "Objective",
            Input(
                o.title if o else hint.title if hint else "",
                id="title",
                placeholder="e.g. Four joint workshops held",
                max_length=max_length(ObjectiveInput, "title"),
                validators=[Required("The objective")],
            ),
        )
        yield from self.field(
            "Target",
            Input(
                number(o.target).replace(",", "") if o else hint.target if hint else "",
                id="target",
                max_length=20,
                validators=[Decimal(hint=", e.g. 4 or 250000")],
            ),  # fmt: skip
            hint="The value to reach (lower than the baseline for a cost to bring down; a "
            "share of wallet as a fraction, 0.35 for 35 %).",
        )
        due = o.due_on if o else date(self.today.year, 12, 31)
        yield from self.field(
            "Due on",
            Input(due.isoformat(), id="due_on", max_length=10, validators=[IsoDate()]),
            hint="YYYY-MM-DD",
        )
        if o is not None:
            yield from self.field(
                "Dropped",
                Checkbox(
                    Content("Dropped: added by mistake or no longer pursued"),
                    o.dropped_on is not None,
                    id="dropped",
                    compact=True,
                ),
                hint="A dropped objective stays in the plan and counts in no progress.",
            )
            return
        yield from self.field(
            "Measured by",
            Select(
                [(f"kam: {FIGURES[f.value]}", f.value) for f in PlanFigure],
                id="figure",
                prompt="hand (you update it with u)",
            ),
            hint="A kam figure computes the progress; by hand you record it.",
        )
        yield from self.field(
            "Baseline",
            Input(
                hint.baseline if hint else "",
                id="baseline",
                max_length=20,
                validators=[Decimal()],
                valid_empty=True,
            ),
            hint="Where it stands now; empty: the figure's value today, or 0 by hand.",
        )

    def collect(self) -> dict[str, Any]:
        """The service's fields."""
        values: dict[str, Any] = {
            "title": self.value("title"),
            "target": parse_number(self.value("target")),
            "due_on": parse_date(self.value("due_on")),
        }
        if self.objective is None:
            values["figure"] = self.choice("figure")
            values["baseline"] = parse_number(self.value("baseline"))
        else:
            values["dropped"] = self.query_one("#dropped", Checkbox).value
        return values

    def write(self, session: Session, values: dict[str, Any]) -> PlanView:
        """Add or change the objective."""
        from kam.services.plans import add_objective, update_objective

        if self.objective is None:
            assert self.goal_id is not None
            return add_objective(session, self.kam.actor, self.goal_id, **values)
        return update_objective(session, self.kam.actor, self.objective.id, **values)
