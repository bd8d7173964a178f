"""The form that records a sponsor visit: the day it happened and what was discussed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input, TextArea

from screens.formatting import safe
from screens.forms.form import FormScreen
from screens.forms.validators import IsoDate, parse_date

if TYPE_CHECKING:
    from sqlmodel import Session

    from kam.views import InteractionView


class VisitForm(FormScreen["InteractionView"]):
    """Record a sponsor visit (the account's sponsor, or an admin on their behalf)."""

    def __init__(self, customer: str, *, today: date) -> None:
        super().__init__()
        self.customer = customer
        """The account visited."""
        self.today = today
        """The default date."""

    def heading(self) -> Content:
        """'Record a sponsor visit to <customer>'."""
        return Content.assemble("Record a sponsor visit to ", (safe(self.customer), "bold"))

    def fields(self) -> Iterator[Widget]:
        """The date and the notes."""
        yield from self.field(
            "Date of the visit",
            Input(self.today.isoformat(), id="on", max_length=10, validators=[IsoDate()]),
            hint="YYYY-MM-DD; a visit is recorded after it happens.",
        )
        yield from self.field(
            "Notes (what was discussed and agreed)", TextArea("", id="notes", soft_wrap=True)
        )

    def extra_problems(self) -> dict[str, str]:
        """Notes are required and have a length limit."""
        notes = self.value("notes")
        if not notes:
            return {"notes": "Say what was discussed and agreed."}
        if len(notes) > 10_000:
            return {"notes": "Notes have at most 10,000 characters."}
        return {}

    def collect(self) -> dict[str, Any]:
        """The service's arguments."""
        return {"on": parse_date(self.value("on")), "notes": self.value("notes")}

    def write(self, session: Session, values: dict[str, Any]) -> InteractionView:
        """Record the visit."""
        from kam.services.sponsors import record_visit

        return record_visit(session, self.kam.actor, self.customer, **values)
