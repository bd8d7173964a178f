"""The form that logs (or corrects) a visit, call, meeting, e-mail or executive visit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input, Select, SelectionList, TextArea

from db.enums import InteractionKind
from kam.services.interactions import InteractionInput
from screens.formatting import safe, words
from screens.forms.form import FormScreen
from screens.forms.limits import max_length
from screens.forms.validators import IsoDate, parse_date

if TYPE_CHECKING:
    from sqlmodel import Session

    from kam.views import ContactView, InteractionView


class InteractionForm(FormScreen["InteractionView"]):
    """Log an interaction, or correct one (`interaction` given; its kind stays).

    `kinds` limits the choice: an executive logs only executive visits. `people` are the
    customer's, to tick those who took part (their last contact comes from it).
    """

    def __init__(
        self,
        customer: str,
        *,
        today: date,
        interaction: InteractionView | None = None,
        kinds: tuple[InteractionKind, ...] = tuple(InteractionKind),
        people: list[ContactView] | None = None,
    ) -> None:
        super().__init__()
        self.customer = customer
        """The customer the interaction was with."""
        self.today = today
        """The default date."""
        self.interaction = interaction
        """The interaction being corrected; None to log one."""
        if interaction is not None:
            self.watched = ("interaction", interaction.id)
        self.kinds = kinds
        self.people = people or []
        """The customer's people."""

    def heading(self) -> Content:
        """'Log an interaction with <customer>' or 'Correct …'."""
        verb = "Correct an interaction with " if self.interaction else "Log an interaction with "
        return Content.assemble(verb, (safe(self.customer), "bold"))

    def fields(self) -> Iterator[Widget]:
        """Kind, date, our people, the customer's people who took part, others, summary."""
        i = self.interaction
        kind = i.kind if i else (self.kinds[0].value if len(self.kinds) == 1 else Select.NULL)
        yield from self.field(
            "Kind",
            Select(
                [(words(k.value), k.value) for k in self.kinds]
                if i is None
                else [(words(i.kind), i.kind)],
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
                i.our_people if i else self.kam.actor.display_name,  # a new one: whoever logs it
                id="our_people",
                max_length=max_length(InteractionInput, "our_people"),
            ),
        )
        if self.people:
            took_part = set(i.contact_ids) if i else set()
            yield from self.field(
                "Who took part at the customer",
                SelectionList[int](
                    *((Content(safe(p.name)), p.id, p.id in took_part) for p in self.people),
                    id="contacts",
                ),
                hint="Space ticks a person; their last contact is the latest they took part in.",
            )
        yield from self.field(
            "Others at the customer" if self.people else "Their people",
            Input(
                i.their_people if i else "",
                id="their_people",
                max_length=max_length(InteractionInput, "their_people"),
            ),
            hint="Named as text: people not (yet) among the customer's people."
            if self.people
            else "",
        )
        yield from self.field(
            "Summary", TextArea(i.summary if i else "", id="summary", soft_wrap=True)
        )

    def extra_problems(self) -> dict[str, str]:
        """The kind must be chosen; the summary has a length limit."""
        found = {}
        if self.choice("kind") is None:
            found["kind"] = "Choose what kind of interaction it was."
        limit = max_length(InteractionInput, "summary")
        if len(self.value("summary")) > limit:
            found["summary"] = f"A summary has at most {limit:,} characters."
        most = max_length(InteractionInput, "contacts")
        if self.people and len(self.query_one("#contacts", SelectionList).selected) > most:
            found["contacts"] = f"At most {most} people take part in one interaction."
        return found

    def collect(self) -> dict[str, Any]:
        """The service's fields."""
        values: dict[str, Any] = {
            "happened_on": parse_date(self.value("happened_on")),
            "our_people": self.value("our_people"),
            "their_people": self.value("their_people"),
            "summary": self.value("summary"),
        }
        if self.people:
            values["contacts"] = list(self.query_one("#contacts", SelectionList).selected)
        if self.interaction is None:
            values["kind"] = self.choice("kind")
        return values

    def write(self, session: Session, values: dict[str, Any]) -> InteractionView:
        """Log or correct the interaction."""
        from kam.services.interactions import log_interaction, update_interaction

        if self.interaction is None:
            return log_interaction(session, self.kam.actor, self.customer, **values)
        return update_interaction(session, self.kam.actor, self.interaction.id, **values)
