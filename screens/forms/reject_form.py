"""The form that turns a nominee down, with the rationale kept."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from textual.content import Content
from textual.widget import Widget
from textual.widgets import TextArea

from screens.formatting import safe
from screens.forms.form import FormScreen

if TYPE_CHECKING:
    from sqlmodel import Session

    from kam.views import AccountView


class RejectForm(FormScreen["AccountView"]):
    """Reject a nominee (executives and admins); the rationale is kept on the account."""

    def __init__(self, customer: str) -> None:
        super().__init__()
        self.customer = customer
        """The nominee's customer name."""

    def heading(self) -> Content:
        """'Reject the nomination of <customer>'."""
        return Content.assemble("Reject the nomination of ", (safe(self.customer), "bold"))

    def fields(self) -> Iterator[Widget]:
        """The rationale."""
        yield from self.field(
            "Rationale (why it does not belong in the programme)",
            TextArea("", id="rationale", soft_wrap=True),
        )

    def extra_problems(self) -> dict[str, str]:
        """A rationale is required."""
        if not self.value("rationale"):
            return {"rationale": "Say why the nominee is rejected."}
        return {}

    def collect(self) -> dict[str, Any]:
        """The rationale."""
        return {"rationale": self.value("rationale")}

    def write(self, session: Session, values: dict[str, Any]) -> AccountView:
        """Reject the nominee."""
        from kam.services.vetting import reject

        return reject(session, self.kam.actor, self.customer, **values)
