"""The form that records a promise made to a customer, or corrects one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input, Select

from db.enums import Department
from kam.services.commitments import CommitmentInput
from screens.formatting import day, safe, words
from screens.forms.form import FormScreen
from screens.forms.limits import login_length, max_length
from screens.forms.validators import IsoDate, Login, Required, parse_date

if TYPE_CHECKING:
    from sqlmodel import Session

    from kam.views import CommitmentView, ContactView


class CommitmentForm(FormScreen["CommitmentView"]):
    """Add a commitment: what was promised, which department owns it, when it is due, and
    to whom among the customer's `people` it was made (if to anyone in particular)."""

    def __init__(
        self,
        customer: str,
        *,
        people: list[ContactView] | None = None,
        commitment: CommitmentView | None = None,
    ) -> None:
        super().__init__()
        self.customer = customer
        """The customer the promise was made to."""
        self.people = people or []
        """The customer's people."""
        self.commitment = commitment
        """The commitment being corrected (what, which department, by when); None to add."""
        if commitment is not None:
            self.watched = ("commitment", commitment.id)

    def heading(self) -> Content:
        """'New commitment to <customer>' or 'Correct a commitment to <customer>'."""
        verb = "Correct a commitment to " if self.commitment else "New commitment to "
        return Content.assemble(verb, (safe(self.customer), "bold"))

    def fields(self) -> Iterator[Widget]:
        """Description, department, due date, (for a new one) made by and made to."""
        c = self.commitment
        yield from self.field(
            "What was promised",
            Input(
                c.description if c else "",
                id="description",
                placeholder="e.g. Deliver the Q3 forecast to their planners",
                max_length=max_length(CommitmentInput, "description"),
                validators=[Required("What was promised")],
            ),
        )
        yield from self.field(
            "Owning department",
            Select(
                [(words(d.value), d.value) for d in Department],
                id="department",
                prompt="Choose the department that keeps the promise",
                value=c.department if c else Select.NULL,
            ),
        )
        yield from self.field(
            "Due on",
            Input(
                day(c.due_on) if c else "",
                id="due_on",
                placeholder="YYYY-MM-DD",
                max_length=10,
                validators=[IsoDate()],
            ),
            hint="The day the customer expects it, as YYYY-MM-DD.",
        )
        if c is not None:
            return  # who made it, and to whom, stay as recorded
        yield from self.field(
            "Made by (login)",
            Input(id="made_by", max_length=login_length(), validators=[Login()], valid_empty=True),
            hint="Leave empty if you made the promise yourself.",
        )
        yield from self.field(
            "Made to (at the customer)",
            Select(
                [(Content(safe(p.name)), p.id) for p in self.people],
                id="contact",
                prompt="(nobody in particular)",
            ),
        )

    def extra_problems(self) -> dict[str, str]:
        """The department must be chosen."""
        if self.choice("department") is None:
            return {"department": "Choose the department that owns the promise."}
        return {}

    def collect(self) -> dict[str, Any]:
        """The service's fields."""
        values = {
            "description": self.value("description"),
            "department": self.choice("department"),
            "due_on": parse_date(self.value("due_on")),
        }
        if self.commitment is None:
            values["made_by"] = self.optional("made_by")
            values["contact"] = self.choice("contact")
        return values

    def write(self, session: Session, values: dict[str, Any]) -> CommitmentView:
        """Record the commitment, or correct it."""
        from kam.services.commitments import add_commitment, update_commitment

        if self.commitment is not None:
            return update_commitment(session, self.kam.actor, self.commitment.id, **values)
        return add_commitment(session, self.kam.actor, self.customer, **values)
