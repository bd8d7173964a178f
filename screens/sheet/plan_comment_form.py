"""The form that comments on an account plan (executives, the account's manager, admins)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from textual.content import Content
from textual.widget import Widget
from textual.widgets import TextArea

from kam.rules import limits
from screens.formatting import safe
from screens.forms.form import FormScreen

if TYPE_CHECKING:
    from sqlmodel import Session

    from kam.services.plans import PlanView


class PlanCommentForm(FormScreen["PlanView"]):
    """Comment on `plan`."""

    def __init__(self, plan: PlanView) -> None:
        super().__init__()
        self.plan = plan
        """The plan commented on."""

    def heading(self) -> Content:
        """'Comment on the 2026 plan of <customer>'."""
        return Content.assemble(
            f"Comment on the {self.plan.period} plan of ", (safe(self.plan.customer), "bold")
        )

    def fields(self) -> Iterator[Widget]:
        """The comment."""
        yield from self.field("Comment", TextArea(id="text", soft_wrap=True))

    def extra_problems(self) -> dict[str, str]:
        """A comment says something, within the length of a note (kam.rules.limits)."""
        text = self.value("text")
        if not text:
            return {"text": "Write the comment."}
        if len(text) > limits.NOTE:
            return {"text": f"A comment has at most {limits.NOTE:,} characters."}
        return {}

    def collect(self) -> dict[str, Any]:
        """The service's fields."""
        return {"text": self.value("text")}

    def write(self, session: Session, values: dict[str, Any]) -> PlanView:
        """Add the comment."""
        from kam.services.plans import comment_plan

        return comment_plan(session, self.kam.actor, self.plan.customer,
                            fiscal_year=self.plan.fiscal_year, **values)  # fmt: skip
