"""The form that logs (or corrects) a visit, call, meeting, e-mail or executive visit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input, Select, TextArea

from db.enums import InteractionKind
from kam.services.interactions import InteractionInput
from screens.formatting import safe
from screens.forms.form import FormScreen
from screens.forms.limits import max_length
from screens.forms.validators import IsoDate, parse_date

if TYPE_CHECKING:
    from sqlmodel import Session

    from kam.views import InteractionView


class InteractionForm(FormScreen["InteractionView"]):
    """Log an interaction, or correct one (`interaction` given; its kind stays).

    `kinds` limits the choice: an executive logs only executive visits.
    """

    def __init__(
        self,
        customer: str,
        *,
        today: date,
        interaction: InteractionView | None = None,
        kinds: tuple[InteractionKind, ...] = tuple(InteractionKind),
    ) -> None:
        super().__init__()
        self.customer = customer
        """The customer the interaction was with."""
        self.today = today
        """The default date."""
        self.interaction = interaction
        """The interaction being corrected; None to log one."""
        self.kinds = kinds

    def heading(self) -> Content:
        """'Log an interaction with <customer>' or 'Correct …'."""
        verb = "Correct an interaction with " if self.interaction else "Log an interaction with "
        return Content.assemble(verb, (safe(self.customer), "bold"))

    def fields(self) -> Iterator[Widget]:
        """Kind, date, people on each side, summary."""
        i = self.interaction
        kind = i.kind if i else (self.kinds[0].value if len(self.kinds) == 1 else Select.NULL)
        yield from self.field(
            "Kind",
            Select(
                [(k.value.replace("_", " "), k.value) for k in self.kinds]
                if i is None
                else [(i.kind.replace("_", " "), i.kind)],
                id="kind",
                prompt="Choose the kind",
                value=kind,
                disabled=i is not None,
            ),
        )
        when = i.happened_on if i else self.today
        yield from self.field(
            "Date",
            Input(when.isoformat(), id="happened_on", max_length=10, validators=[IsoDate()]),
            hint="YYYY-MM-DD",
        )
        yield from self.field(
            "Our people",
            Input(
                i.our_people if i else "",
                id="our_people",
                max_length=max_length(InteractionInput, "our_people"),
            ),
        )
        yield from self.field(
            "Their people",
            Input(
                i.their_people if i else "",
                id="their_people",
                max_length=max_length(InteractionInput, "their_people"),
            ),
        )
        yield from self.field(
            "Summary", TextArea(i.summary if i else "", id="summary", soft_wrap=True)
        )

    def extra_problems(self) -> dict[str, str]:
        """The kind must be chosen; the summary has a length limit."""
        found = {}
        if self.choice("kind") is None:
            found["kind"] = "Choose what kind of interaction it was."
        if len(self.value("summary")) > 10_000:
            found["summary"] = "A summary has at most 10,000 characters."
        return found

    def collect(self) -> dict[str, Any]:
        """The service's fields."""
        values: dict[str, Any] = {
            "happened_on": parse_date(self.value("happened_on")),
            "our_people": self.value("our_people"),
            "their_people": self.value("their_people"),
            "summary": self.value("summary"),
        }
        if self.interaction is None:
            values["kind"] = self.choice("kind")
        return values

    def write(self, session: Session, values: dict[str, Any]) -> InteractionView:
        """Log or correct the interaction."""
        from kam.services.interactions import log_interaction, update_interaction

        if self.interaction is None:
            return log_interaction(session, self.kam.actor, self.customer, **values)
        return update_interaction(session, self.kam.actor, self.interaction.id, **values)
