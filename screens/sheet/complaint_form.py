"""The form that records a complaint."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input, Select

from db.enums import Severity
from kam.services.complaints import ComplaintInput
from screens.formatting import safe
from screens.forms.form import FormScreen
from screens.forms.limits import login_length, max_length
from screens.forms.validators import IsoDate, Login, Required, parse_date

if TYPE_CHECKING:
    from sqlmodel import Session

    from kam.views import ComplaintView


class ComplaintForm(FormScreen["ComplaintView"]):
    """Record a complaint: what is wrong, how bad, when it came in, who owns it."""

    def __init__(self, customer: str, *, today: date) -> None:
        super().__init__()
        self.customer = customer
        """The customer who complained."""
        self.today = today
        """The default date."""

    def heading(self) -> Content:
        """'New complaint from <customer>'."""
        return Content.assemble("New complaint from ", (safe(self.customer), "bold"))

    def fields(self) -> Iterator[Widget]:
        """Summary, severity, date, owner."""
        yield from self.field(
            "What is the complaint",
            Input(
                id="summary",
                max_length=max_length(ComplaintInput, "summary"),
                validators=[Required("The complaint")],
            ),
        )
        yield from self.field(
            "Severity",
            Select([(s.value, s.value) for s in Severity], id="severity", prompt="How bad is it"),
        )
        yield from self.field(
            "Recorded on",
            Input(self.today.isoformat(), id="recorded_on", max_length=10, validators=[IsoDate()]),
            hint="YYYY-MM-DD",
        )
        yield from self.field(
            "Owner (login)",
            Input(id="owner", max_length=login_length(), validators=[Login()], valid_empty=True),
            hint="Leave empty to own it yourself.",
        )

    def extra_problems(self) -> dict[str, str]:
        """The severity must be chosen."""
        if self.choice("severity") is None:
            return {"severity": "Choose how bad the complaint is."}
        return {}

    def collect(self) -> dict[str, Any]:
        """The service's fields."""
        return {
            "summary": self.value("summary"),
            "severity": self.choice("severity"),
            "recorded_on": parse_date(self.value("recorded_on")),
            "owner": self.optional("owner"),
        }

    def write(self, session: Session, values: dict[str, Any]) -> ComplaintView:
        """Record the complaint."""
        from kam.services.complaints import record_complaint

        return record_complaint(session, self.kam.actor, self.customer, **values)
