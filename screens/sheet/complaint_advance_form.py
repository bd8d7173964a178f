"""The form that moves a complaint to its next step: handled, verified, fed back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input, Static, TextArea

from db.enums import ComplaintStatus
from kam.rules import lifecycle
from screens.formatting import first_line, safe, words
from screens.forms.form import FormScreen
from screens.forms.validators import IsoDate, parse_date

if TYPE_CHECKING:
    from sqlmodel import Session

    from kam.views import ComplaintView

#: What reaching each step means, for the reader.
_MEANING = {
    ComplaintStatus.HANDLED: "the problem was dealt with",
    ComplaintStatus.VERIFIED: "we checked that the fix holds",
    ComplaintStatus.FED_BACK: "the customer was told what we did",
}


class ComplaintAdvanceForm(FormScreen["ComplaintView"]):
    """Advance a complaint one step (no step is skipped), with the date and the resolution."""

    SERVICE_FIELDS: ClassVar[dict[str, str]] = {
        "handled_on": "on",
        "verified_on": "on",
        "fed_back_on": "on",
    }

    def __init__(self, complaint: ComplaintView, *, today: date) -> None:
        super().__init__()
        self.complaint = complaint
        """The complaint as shown when the form opened."""
        self.watched = ("complaint", complaint.id)
        self.today = today
        """The default date."""
        status = ComplaintStatus(complaint.status)
        self.next_step = lifecycle.complaint_next(status)
        """The one step it can go to (None when it is closed)."""

    def heading(self) -> Content:
        """The complaint, quoted literally."""
        return Content.assemble(
            "Complaint: ", (safe(first_line(self.complaint.summary, 200)), "bold")
        )

    def fields(self) -> Iterator[Widget]:
        """The step, its date, the resolution."""
        step = self.next_step
        if step is None:
            yield Static("This complaint is closed: it was fed back.", classes="field-label")
            return
        now = words(self.complaint.status)
        yield Static(
            Content(f"Now {now}; next: {words(step.value)} ({_MEANING[step]})."),
            classes="field-label",
        )
        yield from self.field(
            "On", Input(self.today.isoformat(), id="on", max_length=10, validators=[IsoDate()])
        )
        yield from self.field(
            "Resolution (what was done)",
            TextArea(self.complaint.resolution, id="resolution", soft_wrap=True),
        )

    def extra_problems(self) -> dict[str, str]:
        """A closed complaint has no next step."""
        if self.next_step is None:
            return {"heading": "This complaint is closed; there is no next step."}
        return {}

    def collect(self) -> dict[str, Any]:
        """The service's arguments."""
        resolution = self.value("resolution")
        return {
            "to": self.next_step,
            "on": parse_date(self.value("on")),
            "resolution": resolution if resolution != self.complaint.resolution else None,
        }

    def write(self, session: Session, values: dict[str, Any]) -> ComplaintView:
        """Advance the complaint."""
        from kam.services.complaints import advance_complaint

        return advance_complaint(session, self.kam.actor, self.complaint.id, **values)
