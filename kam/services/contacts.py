"""People at the customer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, field_validator

from db.enums import BuyingRole, CommunicationStyle
from kam.errors import NotFound
from kam.rules import limits
from kam.rules.permissions import Action
from kam.services import audit
from kam.services.common import customer_by_name, require_on_customer, validated
from kam.text import clean_text
from kam.views import ContactView

if TYPE_CHECKING:
    from sqlmodel import Session

    from db.models import Contact
    from kam.identity import Actor


class ContactInput(BaseModel):
    """A contact's fields; on update only those given change."""

    name: str = Field(min_length=1, max_length=limits.NAME)
    job_title: str = Field(default="", max_length=limits.NAME)
    email: str = Field(default="", max_length=limits.NAME)
    phone: str = Field(default="", max_length=limits.PHONE)
    buying_role: BuyingRole | None = None
    communication_style: CommunicationStyle | None = None
    relationship_strength: int | None = Field(default=None, ge=1, le=5)

    @field_validator("name", "job_title", "email", "phone", mode="before")
    @classmethod
    def _clean(cls, value: Any) -> Any:
        return clean_text(value) if isinstance(value, str) else value


class ContactChanges(ContactInput):
    """Changes to a contact."""

    name: str = Field(default="", min_length=1, max_length=limits.NAME)


def to_view(contact: Contact, customer: str) -> ContactView:
    """The plain view of a contact row."""
    assert contact.id is not None
    return ContactView(
        id=contact.id,
        customer=customer,
        name=contact.name,
        job_title=contact.job_title,
        email=contact.email,
        phone=contact.phone,
        buying_role=contact.buying_role.value if contact.buying_role else None,
        communication_style=(
            contact.communication_style.value if contact.communication_style else None
        ),
        relationship_strength=contact.relationship_strength,
    )


def list_contacts(session: Session, customer: str) -> list[ContactView]:
    """A customer's contacts by name."""
    from sqlmodel import select

    from db.models import Contact

    target = customer_by_name(session, customer)
    rows = session.exec(
        select(Contact).where(Contact.customer_id == target.id).order_by(Contact.name)
    ).all()
    return [to_view(c, target.name) for c in rows]


def add_contact(session: Session, actor: Actor, customer: str, **fields: Any) -> ContactView:
    """Add a contact to a key account's customer (its manager or an admin)."""
    from db.models import Contact

    target = customer_by_name(session, customer)
    assert target.id is not None
    require_on_customer(session, actor, Action.EDIT_RECORDS, target)
    data = validated(ContactInput, **fields)
    contact = Contact(customer_id=target.id, **data.model_dump())
    session.add(contact)
    session.flush()
    audit.record_created(
        session,
        actor,
        entity="contact",
        entity_id=contact.id,
        customer_id=target.id,
        values=data.model_dump(),
    )
    return to_view(contact, target.name)


def update_contact(session: Session, actor: Actor, contact_id: int, **fields: Any) -> ContactView:
    """Change a contact's fields."""
    from db.models import Contact, Customer

    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFound(f"No contact has id {contact_id}.")
    customer = session.get(Customer, contact.customer_id)
    assert customer is not None
    require_on_customer(session, actor, Action.EDIT_RECORDS, customer)
    changes = validated(ContactChanges, **fields).model_dump(exclude_unset=True)
    audit.apply_changes(session, actor, contact, changes, entity="contact", customer_id=customer.id)
    return to_view(contact, customer.name)
