"""The form that records by hand where an objective stands, and what happened."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input, Static, TextArea

from kam.services.plans import ObjectiveChanges
from screens.formatting import day, safe
from screens.forms.form import FormScreen
from screens.forms.limits import max_length
from screens.forms.validators import Decimal, parse_number
from screens.sheet.plan_nodes import number

if TYPE_CHECKING:
    from sqlmodel import Session

    from kam.services.plans import ObjectiveView, PlanView


class ProgressForm(FormScreen["PlanView"]):
    """Update an objective measured by hand: its value now and a comment (both required)."""

    def __init__(self, objective: ObjectiveView) -> None:
        super().__init__()
        self.objective = objective
        """The objective whose progress is recorded."""
        self.watched = ("plan_objective", objective.id)

    def heading(self) -> Content:
        """'Progress of <objective>'."""
        return Content.assemble("Progress of ", (safe(self.objective.title), "bold"))

    def fields(self) -> Iterator[Widget]:
        """Where it stood, the value now, and what happened."""
        o = self.objective
        yield Static(
            Content(
                f"From {number(o.baseline)} to {number(o.target)} by {day(o.due_on)}; "
                f"recorded so far: {number(o.current)}."
            ),  # fmt: skip
            classes="field-label",
        )
        yield from self.field(
            "Value now",
            Input(
                "" if o.current is None else number(o.current).replace(",", ""),
                id="current",
                max_length=20,
                validators=[Decimal()],
            ),
        )
        yield from self.field(
            "What happened",
            TextArea(id="comment", soft_wrap=True),
            hint="Required: say what moved it (or why it did not).",
        )

    def extra_problems(self) -> dict[str, str]:
        """The comment is required and has a length limit."""
        comment = self.value("comment")
        limit = max_length(ObjectiveChanges, "comment")
        if not comment:
            return {"comment": "Say what happened: an update by hand has a comment."}
        if len(comment) > limit:
            return {"comment": f"A comment has at most {limit:,} characters."}
        return {}

    def collect(self) -> dict[str, Any]:
        """The service's fields."""
        return {"current": parse_number(self.value("current")), "comment": self.value("comment")}

    def write(self, session: Session, values: dict[str, Any]) -> PlanView:
        """Record the progress."""
        from kam.services.plans import update_objective

        return update_objective(session, self.kam.actor, self.objective.id, **values)
