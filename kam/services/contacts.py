"""People at the customer: who they are, where they sit in the organisation, who on our side
holds the relationship, and when we last met them (derived from interactions)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, field_validator

from db.enums import BuyingRole, CommunicationStyle, Stance
from kam.errors import InvalidData, NotFound
from kam.rules import clock, limits, people
from kam.rules.permissions import Action
from kam.services import audit
from kam.services.common import (
    customer_by_name,
    login_of,
    owner_by_login,
    require_on_customer,
    user_names,
    validated,
)
from kam.text import clean_text
from kam.views import ContactView

if TYPE_CHECKING:
    from sqlmodel import Session

    from db.models import Contact, Customer
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
    reports_to: int | None = None
    """The id of the contact this person reports to (at the same customer)."""
    influence: int | None = Field(default=None, ge=1, le=5)
    stance: Stance | None = None
    owner: str | None = Field(default=None, max_length=limits.LOGIN)
    """The login of the kam user who holds the relationship."""
    cadence_days: int | None = Field(default=None, ge=1, le=3650)

    @field_validator("name", "job_title", "email", "phone", "owner", mode="before")
    @classmethod
    def _clean(cls, value: Any) -> Any:
        return clean_text(value) if isinstance(value, str) else value


class ContactChanges(ContactInput):
    """Changes to a contact."""

    name: str = Field(default="", min_length=1, max_length=limits.NAME)


def last_contacts(session: Session, contact_ids: list[int], *, as_of: date) -> dict[int, date]:
    """Each contact's last interaction on or before `as_of` (one query)."""
    from sqlalchemy import func
    from sqlmodel import col, select

    from db.models import Interaction, InteractionContact

    if not contact_ids:
        return {}
    rows = session.exec(
        select(InteractionContact.contact_id, func.max(Interaction.happened_on))
        .join(Interaction, col(Interaction.id) == InteractionContact.interaction_id)
        .where(
            col(InteractionContact.contact_id).in_(contact_ids),
            col(Interaction.happened_on) <= as_of,
        )
        .group_by(col(InteractionContact.contact_id))
    ).all()
    return {int(cid): when for cid, when in rows if when is not None}


def _views(session: Session, rows: list[Contact], customer: str, as_of: date) -> list[ContactView]:
    """Views of a customer's contacts with what is derived: last contact, due, guidance."""
    ids = [c.id for c in rows if c.id is not None]
    last = last_contacts(session, ids, as_of=as_of)
    names = {c.id: c.name for c in rows}
    views = []
    for c in rows:
        assert c.id is not None
        every = people.cadence(c.buying_role, c.cadence_days)
        met = last.get(c.id)
        due = met + timedelta(days=every) if met else None
        owner = user_names(session, c.owner_id) if c.owner_id else None
        views.append(
            ContactView(
                id=c.id,
                customer=customer,
                name=c.name,
                job_title=c.job_title,
                email=c.email,
                phone=c.phone,
                buying_role=c.buying_role.value if c.buying_role else None,
                communication_style=(
                    c.communication_style.value if c.communication_style else None
                ),
                relationship_strength=c.relationship_strength,
                reports_to_id=c.reports_to_id,
                reports_to=names.get(c.reports_to_id) if c.reports_to_id else None,
                influence=c.influence,
                stance=c.stance.value if c.stance else None,
                owner=owner[0] if owner else None,
                owner_name=owner[1] if owner else None,
                cadence_days=every,
                last_contact=met,
                contact_due_on=due,
                overdue=due is None or due < as_of,
                guidance=people.guidance(c.communication_style),
            )
        )
    return views


def _rows(session: Session, customer_id: int) -> list[Contact]:
    from sqlmodel import select

    from db.models import Contact

    return list(
        session.exec(
            select(Contact).where(Contact.customer_id == customer_id).order_by(Contact.name)
        ).all()
    )


def list_contacts(
    session: Session, customer: str | Customer, *, as_of: date | None = None
) -> list[ContactView]:
    """A customer's contacts by name, each with their last contact as of `as_of` (today)."""
    target = customer if not isinstance(customer, str) else customer_by_name(session, customer)
    assert target.id is not None
    return _views(session, _rows(session, target.id), target.name, clock.on_or_today(as_of))


def _check_links(
    session: Session, customer_id: int, contact_id: int | None, data: dict[str, Any]
) -> dict[str, Any]:
    """Resolve the owner's login and check the manager chain; returns column values."""
    from db.models import Contact

    values = dict(data)
    if "owner" in values:
        login = values.pop("owner")
        values["owner_id"] = owner_by_login(session, login).id if login else None
    if "reports_to" in values:
        boss_id = values.pop("reports_to")
        if boss_id is not None and boss_id == contact_id:
            raise InvalidData("reports_to: a person cannot report to themselves.")
        if boss_id is not None:
            boss = session.get(Contact, boss_id)
            if boss is None or boss.customer_id != customer_id:
                raise InvalidData(
                    f"reports_to: contact {boss_id} is not a person at the same customer."
                )
            seen: set[int | None] = {contact_id}
            at: Contact | None = boss  # walk up: the chain may not come back to them
            while at is not None:
                if at.id in seen:
                    raise InvalidData(
                        f"reports_to: {boss.name} already reports, directly or not, to this "
                        "person; the organisation chart cannot loop."
                    )
                seen.add(at.id)
                at = session.get(Contact, at.reports_to_id) if at.reports_to_id else None
        values["reports_to_id"] = boss_id
    return values


def _check_name(session: Session, customer_id: int, contact_id: int | None, name: str) -> None:
    """One name per person at a customer (any case): imports, exports and a reports-to given
    by name tell people apart by it."""
    from sqlmodel import select

    from db.folding import lowered
    from db.models import Contact

    same = session.exec(
        select(Contact.id, Contact.name).where(
            Contact.customer_id == customer_id,
            lowered(Contact.name) == lowered(name),
            Contact.id != contact_id,
        )
    ).first()
    if same is not None:
        raise InvalidData(
            f"name: {same[1]} (contact {same[0]}) is already one of this customer's people; "
            "tell two people apart by their names (a middle initial, a second surname)."
        )


def add_contact(session: Session, actor: Actor, customer: str, **fields: Any) -> ContactView:
    """Add a contact to a key account's customer (its manager or an admin)."""
    from db.models import Contact

    target = customer_by_name(session, customer)
    assert target.id is not None
    require_on_customer(session, actor, Action.EDIT_RECORDS, target)
    data = validated(ContactInput, **fields)
    _check_name(session, target.id, None, data.name)
    values = _check_links(session, target.id, None, data.model_dump())
    contact = Contact(customer_id=target.id, **values)
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
    assert contact.id is not None
    return _one(session, target, contact.id)


def update_contact(session: Session, actor: Actor, contact_id: int, **fields: Any) -> ContactView:
    """Change a contact's fields."""
    from db.models import Contact, Customer

    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFound(f"No contact has id {contact_id}.")
    customer = session.get(Customer, contact.customer_id)
    assert customer is not None and customer.id is not None
    require_on_customer(session, actor, Action.EDIT_RECORDS, customer)
    changes = validated(ContactChanges, **fields).model_dump(exclude_unset=True)
    if changes.get("name"):
        _check_name(session, customer.id, contact_id, changes["name"])
    values = _check_links(session, customer.id, contact_id, changes)

    def shown(field: str, value: Any) -> tuple[str, Any]:
        if field == "owner_id":
            return "owner", login_of(session, value)
        return field, value

    audit.apply_changes(
        session, actor, contact, values, entity="contact", customer_id=customer.id, shown=shown
    )
    return _one(session, customer, contact_id)


def _one(session: Session, customer: Customer, contact_id: int) -> ContactView:
    """One contact's view (the customer's others give it its manager's name)."""
    assert customer.id is not None
    views = _views(session, _rows(session, customer.id), customer.name, clock.today())
    return next(v for v in views if v.id == contact_id)


def contact_of(session: Session, contact_id: int, customer_id: int) -> Contact:
    """A contact of this customer, or a refusal naming the id."""
    from db.models import Contact

    found = session.get(Contact, contact_id)
    if found is None or found.customer_id != customer_id:
        raise InvalidData(f"contact {contact_id} is not a person at this customer.")
    return found
