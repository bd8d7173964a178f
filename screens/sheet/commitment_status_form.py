"""The form that closes a commitment as done or broken (or reopens it)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from textual.content import Content
from textual.widget import Widget
from textual.widgets import Select

from db.enums import CommitmentStatus
from kam.rules import lifecycle
from screens.formatting import safe
from screens.forms.form import FormScreen

if TYPE_CHECKING:
    from sqlmodel import Session

    from kam.views import CommitmentView

_LABELS = {
    CommitmentStatus.DONE: "done: the promise was kept",
    CommitmentStatus.BROKEN: "broken: the promise was not kept",
    CommitmentStatus.OPEN: "open: still to be kept",
}


class CommitmentStatusForm(FormScreen["CommitmentView"]):
    """Mark a commitment done or broken; closing stamps today's date, reopening clears it."""

    def __init__(self, commitment: CommitmentView) -> None:
        super().__init__()
        self.commitment = commitment
        """The commitment as shown when the form opened."""
        self.watched = ("commitment", commitment.id)

    def heading(self) -> Content:
        """The promise, quoted literally."""
        return Content.assemble(
            "Commitment due ",
            self.commitment.due_on.isoformat(),
            ": ",
            (safe(self.commitment.description), "bold"),
        )

    def fields(self) -> Iterator[Widget]:
        """The new status (offered: the two others than the current one first; reopening
        first for a closed one)."""
        current = CommitmentStatus(self.commitment.status)
        order = [s for s in _LABELS if s != current] + [current]
        if not lifecycle.commitment_is_open(current):
            order.sort(key=lifecycle.commitment_is_open, reverse=True)
        default = order[0]
        yield from self.field(
            f"Status (now {current.value})",
            Select(
                [(_LABELS[s], s.value) for s in order],
                id="status",
                allow_blank=False,
                value=default.value,
            ),
        )

    def collect(self) -> dict[str, Any]:
        """The chosen status."""
        return {"status": self.choice("status")}

    def write(self, session: Session, values: dict[str, Any]) -> CommitmentView:
        """Change the status."""
        from kam.services.commitments import update_commitment

        return update_commitment(session, self.kam.actor, self.commitment.id, **values)
