"""The form that admits a nominee: a rationale, and for admins an override with its reason."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from textual.content import Content
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Static, TextArea

from kam.rules import limits
from screens.formatting import safe
from screens.forms.form import FormScreen

if TYPE_CHECKING:
    from sqlmodel import Session

    from kam.services.vetting import AdmissionResult


class AdmitForm(FormScreen["AdmissionResult"]):
    """Admit a nominee (executives and admins). The rules it would break are shown; an admin
    may tick the override and write why, and the service still decides."""

    def __init__(self, customer: str, *, problems: list[str], may_override: bool) -> None:
        super().__init__()
        self.customer = customer
        """The nominee's customer name."""
        self.refusals = problems
        """The rules admission would break, as read when the form opened."""
        self.may_override = may_override
        """Whether the override box is offered (admins only)."""

    def heading(self) -> Content:
        """'Admit <customer> into the key account programme'."""
        return Content.assemble(
            "Admit ", (safe(self.customer), "bold"), " into the key account programme"
        )

    def fields(self) -> Iterator[Widget]:
        """The rules' verdict, the rationale, and for admins the override and its reason."""
        if self.refusals:
            yield Static(
                Content.assemble(
                    ("The rules refuse this admission: ", "bold $error"),
                    safe("; ".join(self.refusals)) + ".",
                ),
                id="verdict",
            )
        else:
            yield Static(
                Content.assemble(("The rules allow this admission.", "bold $success")),
                id="verdict",
            )
        yield from self.field(
            "Rationale (why it belongs in the programme)",
            TextArea("", id="rationale", soft_wrap=True),
        )
        if not self.may_override:
            return
        yield from self.field(
            "Override",
            Checkbox(
                Content("Admit against the rules (flagged on the account sheet and audited)"),
                id="override",
                compact=True,
            ),
        )
        yield from self.field(
            "Reason for the override",
            Input("", id="override_reason", max_length=limits.NOTE, disabled=True),
            hint="With the override ticked: why the rules are set aside.",
        )

    def on_mount(self) -> None:
        """The reason opens with the tick, at once: a Tab typed just after Space goes to it."""
        super().on_mount()
        if self.may_override:
            self.watch(self.query_one("#override", Checkbox), "value", self._override_ticked)

    def _override_ticked(self, ticked: bool) -> None:
        self.query_one("#override_reason", Input).disabled = not ticked
        self._set_problem("override_reason", None)

    def _overriding(self) -> bool:
        return self.may_override and self.query_one("#override", Checkbox).value

    def extra_problems(self) -> dict[str, str]:
        """A rationale is required; an override needs its reason."""
        found = {}
        if not self.value("rationale"):
            found["rationale"] = "Say why the account is admitted."
        if self._overriding() and not self.value("override_reason"):
            found["override_reason"] = "An override needs a written reason."
        return found

    def collect(self) -> dict[str, Any]:
        """The rationale and, when overriding, the reason."""
        reason = self.value("override_reason") if self._overriding() else None
        return {"rationale": self.value("rationale"), "override_reason": reason}

    def write(self, session: Session, values: dict[str, Any]) -> AdmissionResult:
        """Admit the nominee."""
        from kam.services.vetting import admit

        return admit(session, self.kam.actor, self.customer, **values)
