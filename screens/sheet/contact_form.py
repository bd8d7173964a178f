"""The form that adds or corrects a person at the customer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input, Select

from db.enums import BuyingRole, CommunicationStyle
from kam.services.contacts import ContactInput
from screens.formatting import safe
from screens.forms.form import FormScreen
from screens.forms.limits import max_length
from screens.forms.validators import Email, Required, WholeNumber

if TYPE_CHECKING:
    from sqlmodel import Session

    from kam.views import ContactView


class ContactForm(FormScreen["ContactView"]):
    """Add a contact to a customer, or correct one (`contact` given)."""

    def __init__(self, customer: str, contact: ContactView | None = None) -> None:
        super().__init__()
        self.customer = customer
        """The customer the person works for."""
        self.contact = contact
        """The contact being corrected; None to add one."""

    def heading(self) -> Content:
        """'New contact at <customer>' or 'Contact <name>'."""
        if self.contact is None:
            return Content.assemble("New contact at ", (safe(self.customer), "bold"))
        return Content.assemble(
            "Contact ", (safe(self.contact.name), "bold"), " at ", safe(self.customer)
        )

    def fields(self) -> Iterator[Widget]:
        """Name, title, e-mail, phone, buying role, style, relationship strength."""
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
                [(r.value.replace("_", " "), r.value) for r in BuyingRole],
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
        yield from self.field(
            "Relationship strength",
            Input(
                str(strength) if strength else "",
                id="relationship_strength",
                max_length=1,
                validators=[WholeNumber(1, 5)],
                valid_empty=True,
            ),
            hint="1 (cold) to 5 (trusted); empty if not known.",
        )

    def collect(self) -> dict[str, Any]:
        """The service's fields."""
        strength = self.value("relationship_strength")
        return {
            "name": self.value("name"),
            "job_title": self.value("job_title"),
            "email": self.value("email"),
            "phone": self.value("phone"),
            "buying_role": self.choice("buying_role"),
            "communication_style": self.choice("communication_style"),
            "relationship_strength": int(strength) if strength else None,
        }

    def write(self, session: Session, values: dict[str, Any]) -> ContactView:
        """Add or update the contact."""
        from kam.services.contacts import add_contact, update_contact

        if self.contact is None:
            return add_contact(session, self.kam.actor, self.customer, **values)
        return update_contact(session, self.kam.actor, self.contact.id, **values)
