"""The form that adds or corrects a person at the customer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input, Select

from db.enums import BuyingRole, CommunicationStyle, Stance
from kam.rules import people as rules
from kam.services.contacts import ContactInput
from screens.formatting import safe, words
from screens.forms.form import FormScreen
from screens.forms.limits import bounds, max_length
from screens.forms.validators import Email, Login, Required, WholeNumber

if TYPE_CHECKING:
    from sqlmodel import Session

    from kam.views import ContactView


def _whole(value: str) -> int | None:
    return int(value) if value else None


class ContactForm(FormScreen["ContactView"]):
    """Add a contact to a customer, or correct one (`contact` given); `people` are the
    customer's others, whom they may report to."""

    def __init__(
        self,
        customer: str,
        contact: ContactView | None = None,
        *,
        people: list[ContactView] | None = None,
    ) -> None:
        super().__init__()
        self.customer = customer
        """The customer the person works for."""
        self.contact = contact
        """The contact being corrected; None to add one."""
        if contact is not None:
            self.watched = ("contact", contact.id)
        self.people = people or []
        """The customer's people."""

    def managers(self) -> list[ContactView]:
        """Whom the person may report to: anyone but themselves and those below them."""
        if self.contact is None:
            return list(self.people)
        below = {self.contact.id}
        grew = True
        while grew:
            more = {p.id for p in self.people if p.reports_to_id in below} - below
            below |= more
            grew = bool(more)
        return [p for p in self.people if p.id not in below]

    def _own_cadence(self) -> str:
        """The person's own cadence, if it is not simply their buying role's."""
        c = self.contact
        if c is None or c.cadence_days == rules.cadence(c.buying_role, None):
            return ""
        return str(c.cadence_days)

    def heading(self) -> Content:
        """'New contact at <customer>' or 'Contact <name>'."""
        if self.contact is None:
            return Content.assemble("New contact at ", (safe(self.customer), "bold"))
        return Content.assemble(
            "Contact ", (safe(self.contact.name), "bold"), " at ", safe(self.customer)
        )

    def fields(self) -> Iterator[Widget]:
        """Name, title, where they sit, where they stand, who holds the relationship, how
        often to be in touch, and how to reach them."""
        c = self.contact
        yield from self.field(
            "Name",
            Input(
                c.name if c else "",
                id="name",
                max_length=max_length(ContactInput, "name"),
                validators=[Required("Name")],
            ),
        )
        yield from self.field(
            "Job title",
            Input(
                c.job_title if c else "",
                id="job_title",
                max_length=max_length(ContactInput, "job_title"),
            ),
        )
        yield from self.field(
            "E-mail",
            Input(
                c.email if c else "",
                id="email",
                max_length=max_length(ContactInput, "email"),
                validators=[Email()],
                valid_empty=True,
            ),
        )
        yield from self.field(
            "Phone",
            Input(c.phone if c else "", id="phone", max_length=max_length(ContactInput, "phone")),
        )
        yield from self.field(
            "Buying role",
            Select(
                [(words(r.value), r.value) for r in BuyingRole],
                id="buying_role",
                prompt="(not known)",
                value=c.buying_role if c and c.buying_role else Select.NULL,
            ),
        )
        yield from self.field(
            "Communication style",
            Select(
                [(s.value, s.value) for s in CommunicationStyle],
                id="communication_style",
                prompt="(not known)",
                value=c.communication_style if c and c.communication_style else Select.NULL,
            ),
        )
        strength = c.relationship_strength if c else None
        low, high = bounds(ContactInput, "relationship_strength")
        yield from self.field(
            "Relationship strength",
            Input(
                str(strength) if strength else "",
                id="relationship_strength",
                max_length=len(str(high)),
                validators=[WholeNumber(low, high)],
                valid_empty=True,
            ),
            hint=f"{low} (cold) to {high} (trusted); empty if not known.",
        )
        managers = self.managers()
        boss = c.reports_to_id if c and c.reports_to_id in {p.id for p in managers} else None
        yield from self.field(
            "Reports to",
            Select(
                [(Content(safe(p.name)), p.id) for p in managers],
                id="reports_to",
                prompt="(nobody here)",
                value=boss if boss is not None else Select.NULL,
            ),
        )
        influence = c.influence if c else None
        low, high = bounds(ContactInput, "influence")
        yield from self.field(
            "Influence",
            Input(
                str(influence) if influence else "",
                id="influence",
                max_length=len(str(high)),
                validators=[WholeNumber(low, high)],
                valid_empty=True,
            ),
            hint=f"{low} (little) to {high} (decides); empty if not known.",
        )
        yield from self.field(
            "Stance towards us",
            Select(
                [(s.value, s.value) for s in Stance],
                id="stance",
                prompt="(not known)",
                value=c.stance if c and c.stance else Select.NULL,
            ),
        )
        yield from self.field(
            "Owner on our side (login)",
            Input(
                (c.owner or "") if c else "",
                id="owner",
                max_length=max_length(ContactInput, "owner"),
                validators=[Login()],
                valid_empty=True,
            ),
            hint="The kam user who holds the relationship.",
        )
        low, high = bounds(ContactInput, "cadence_days")
        roles = ", ".join(f"{words(r)} {d}" for r, d in rules.CADENCE_DAYS.items())
        yield from self.field(
            "Be in touch every (days)",
            Input(
                self._own_cadence(),
                id="cadence_days",
                max_length=len(str(high)),
                validators=[WholeNumber(low, high)],
                valid_empty=True,
            ),
            hint=f"Empty: their buying role's ({roles}; otherwise {rules.DEFAULT_CADENCE_DAYS}).",
        )

    def collect(self) -> dict[str, Any]:
        """The service's fields."""
        return {
            "name": self.value("name"),
            "job_title": self.value("job_title"),
            "email": self.value("email"),
            "phone": self.value("phone"),
            "buying_role": self.choice("buying_role"),
            "communication_style": self.choice("communication_style"),
            "relationship_strength": _whole(self.value("relationship_strength")),
            "reports_to": self.choice("reports_to"),
            "influence": _whole(self.value("influence")),
            "stance": self.choice("stance"),
            "owner": self.optional("owner"),
            "cadence_days": _whole(self.value("cadence_days")),
        }

    def write(self, session: Session, values: dict[str, Any]) -> ContactView:
        """Add or update the contact."""
        from kam.services.contacts import add_contact, update_contact

        if self.contact is None:
            return add_contact(session, self.kam.actor, self.customer, **values)
        return update_contact(session, self.kam.actor, self.contact.id, **values)
