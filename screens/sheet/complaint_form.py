"""The form that records a complaint, or corrects one."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input, Select, TextArea

from db.enums import Severity
from kam.services.complaints import ComplaintInput
from screens.formatting import safe, words
from screens.forms.form import FormScreen
from screens.forms.limits import login_length, max_length
from screens.forms.validators import IsoDate, Login, Required, parse_date

if TYPE_CHECKING:
    from sqlmodel import Session

    from kam.views import ComplaintView


class ComplaintForm(FormScreen["ComplaintView"]):
    """Record a complaint: what is wrong, how bad, when it came in, who owns it; or correct
    one (`complaint` given): its summary, severity and resolution, at any step."""

    def __init__(
        self, customer: str, *, today: date, complaint: ComplaintView | None = None
    ) -> None:
        super().__init__()
        self.customer = customer
        """The customer who complained."""
        self.today = today
        """The default date."""
        self.complaint = complaint
        """The complaint being corrected; None to record one."""
        if complaint is not None:
            self.watched = ("complaint", complaint.id)

    def heading(self) -> Content:
        """'New complaint from <customer>' or 'Correct a complaint from <customer>'."""
        verb = "Correct a complaint from " if self.complaint else "New complaint from "
        return Content.assemble(verb, (safe(self.customer), "bold"))

    def fields(self) -> Iterator[Widget]:
        """Summary, severity, then date and owner (new) or the resolution (correcting)."""
        c = self.complaint
        yield from self.field(
            "What is the complaint",
            Input(
                c.summary if c else "",
                id="summary",
                max_length=max_length(ComplaintInput, "summary"),
                validators=[Required("The complaint")],
            ),
        )
        yield from self.field(
            "Severity",
            Select(
                [(s.value, s.value) for s in Severity],
                id="severity",
                prompt="How bad is it",
                value=c.severity if c else Select.NULL,
            ),
        )
        if c is not None:
            yield from self.field(
                "Resolution (what was done)",
                TextArea(c.resolution, id="resolution", soft_wrap=True),
                hint=f"The complaint is {words(c.status)}; its step moves with e.",
            )
            return  # when it came in, and who owns it, stay as recorded
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
        """The service's fields (correcting: only those changed)."""
        c = self.complaint
        if c is not None:
            values = {
                "summary": self.value("summary"),
                "severity": self.choice("severity"),
                "resolution": self.value("resolution"),
            }
            was = {"summary": c.summary, "severity": c.severity, "resolution": c.resolution}
            return {k: v for k, v in values.items() if v != was[k].strip()}
        return {
            "summary": self.value("summary"),
            "severity": self.choice("severity"),
            "recorded_on": parse_date(self.value("recorded_on")),
            "owner": self.optional("owner"),
        }

    def write(self, session: Session, values: dict[str, Any]) -> ComplaintView:
        """Record the complaint, or correct it."""
        from kam.services.complaints import record_complaint, update_complaint

        if self.complaint is not None:
            return update_complaint(session, self.kam.actor, self.complaint.id, **values)
        return record_complaint(session, self.kam.actor, self.customer, **values)
