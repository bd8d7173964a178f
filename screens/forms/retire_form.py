"""The form that retires a key account from the programme, with the reason kept."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static, TextArea

from screens.formatting import safe
from screens.forms.form import FormScreen

if TYPE_CHECKING:
    from sqlmodel import Session

    from kam.views import AccountView


class RetireForm(FormScreen["AccountView"]):
    """Retire a member (executives and admins), as `kam account retire` does; its history
    stays and the reason is kept on the account."""

    def __init__(self, customer: str, *, why: str = "") -> None:
        super().__init__()
        self.customer = customer
        """The account's customer name."""
        self.why = why
        """What recommends the retirement (a review's finding), shown above the reason."""

    def heading(self) -> Content:
        """'Retire <customer> from the programme'."""
        return Content.assemble("Retire ", (safe(self.customer), "bold"), " from the programme")

    def fields(self) -> Iterator[Widget]:
        """What recommends it, if anything, then the reason."""
        if self.why:
            yield Static(Content(safe(self.why)), id="why", classes="problem -hint")
        yield from self.field(
            "Reason (why it leaves the programme)",
            TextArea("", id="reason", soft_wrap=True),
            hint="Its records and history stay; the account can be nominated again later.",
        )

    def extra_problems(self) -> dict[str, str]:
        """A reason is required."""
        if not self.value("reason"):
            return {"reason": "Say why the account leaves the programme."}
        return {}

    def collect(self) -> dict[str, Any]:
        """The reason."""
        return {"reason": self.value("reason")}

    def write(self, session: Session, values: dict[str, Any]) -> AccountView:
        """Retire the account."""
        from kam.services.vetting import retire

        return retire(session, self.kam.actor, self.customer, **values)
