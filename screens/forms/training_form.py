"""The form that records a course a key account manager took."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input, TextArea

from kam.services.managers import TrainingInput
from screens.formatting import safe
from screens.forms.form import FormScreen
from screens.forms.limits import max_length
from screens.forms.validators import IsoDate, Required, parse_date

if TYPE_CHECKING:
    from sqlmodel import Session

    from kam.services.managers import TrainingView


class TrainingForm(FormScreen["TrainingView"]):
    """Record a course (admins): its name, the day it was taken, a note."""

    def __init__(self, login: str, display_name: str, *, today: date) -> None:
        super().__init__()
        self.login = login
        """The manager's login."""
        self.display_name = display_name
        """The manager's name, for the heading."""
        self.today = today
        """The default date."""

    def heading(self) -> Content:
        """'Record training for <manager>'."""
        return Content.assemble(
            "Record training for ", (safe(self.display_name), "bold"), f" ({self.login})"
        )

    def fields(self) -> Iterator[Widget]:
        """Course, date, note."""
        yield from self.field(
            "Course",
            Input(
                "",
                id="course",
                max_length=max_length(TrainingInput, "course"),
                validators=[Required("A course")],
            ),
        )
        yield from self.field(
            "Taken on",
            Input(self.today.isoformat(), id="taken_on", max_length=10, validators=[IsoDate()]),
            hint="YYYY-MM-DD",
        )
        yield from self.field("Note", TextArea("", id="note", soft_wrap=True))

    def extra_problems(self) -> dict[str, str]:
        """The note has a length limit."""
        longest = max_length(TrainingInput, "note")
        if len(self.value("note")) > longest:
            return {"note": f"A note has at most {longest:,} characters."}
        return {}

    def collect(self) -> dict[str, Any]:
        """The service's arguments."""
        return {
            "course": self.value("course"),
            "on": parse_date(self.value("taken_on")),
            "note": self.value("note"),
        }

    def write(self, session: Session, values: dict[str, Any]) -> TrainingView:
        """Record the course."""
        from kam.services.managers import add_training

        return add_training(session, self.kam.actor, self.login, **values)
