"""Visits, calls, meetings, emails and executive visits."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, field_validator

from db.enums import InteractionKind
from kam.errors import InvalidData, NotFound
from kam.rules import dates, limits
from kam.rules.permissions import interaction_action
from kam.services import audit
from kam.services.common import customer_by_name, login_of, require_on_customer, validated
from kam.text import clean_text
from kam.views import InteractionView

if TYPE_CHECKING:
    from sqlmodel import Session

    from db.models import Interaction
    from kam.identity import Actor


class InteractionInput(BaseModel):
    """An interaction's fields."""

    kind: InteractionKind
    happened_on: date
    our_people: str = Field(default="", max_length=limits.PEOPLE)
    their_people: str = Field(default="", max_length=limits.PEOPLE)
    summary: str = Field(default="", max_length=limits.SUMMARY)
    contacts: list[int] = Field(default_factory=list, max_length=100)
    """Ids of the customer's contacts who took part."""

    @field_validator("our_people", "their_people", mode="before")
    @classmethod
    def _clean(cls, value: Any) -> Any:
        return clean_text(value) if isinstance(value, str) else value

    @field_validator("summary", mode="before")
    @classmethod
    def _clean_summary(cls, value: Any) -> Any:
        return clean_text(value, multiline=True) if isinstance(value, str) else value


class InteractionChanges(InteractionInput):
    """Changes to an interaction (the kind stays)."""

    kind: InteractionKind | None = None  # type: ignore[assignment]
    happened_on: date | None = None  # type: ignore[assignment]
    contacts: list[int] | None = None  # type: ignore[assignment]


def to_view(
    row: Interaction,
    customer: str,
    logged_by: str | None,
    people: list[tuple[int, str]] | None = None,
) -> InteractionView:
    """The plain view of an interaction row (`people`: its contacts, (id, name))."""
    assert row.id is not None
    return InteractionView(
        id=row.id,
        customer=customer,
        kind=row.kind.value,
        happened_on=row.happened_on,
        our_people=row.our_people,
        their_people=row.their_people,
        summary=row.summary,
        logged_by=logged_by,
        contact_ids=[cid for cid, _ in people or []],
        contacts=[name for _, name in people or []],
    )


def participants(session: Session, interaction_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """The contacts who took part in each interaction, by name (one query)."""
    from sqlmodel import col, select

    from db.models import Contact, InteractionContact

    if not interaction_ids:
        return {}
    found: dict[int, list[tuple[int, str]]] = {}
    for interaction_id, contact_id, name in session.exec(
        select(InteractionContact.interaction_id, Contact.id, Contact.name)
        .join(Contact, col(Contact.id) == InteractionContact.contact_id)
        .where(col(InteractionContact.interaction_id).in_(interaction_ids))
        .order_by(Contact.name)
    ).all():
        found.setdefault(interaction_id, []).append((int(contact_id), name))  # type: ignore[arg-type]
    return found


def list_interactions(
    session: Session, customer: str, *, contact_id: int | None = None
) -> list[InteractionView]:
    """A customer's interactions, newest first (those a contact took part in, if given)."""
    from sqlmodel import col, select

    from db.models import Interaction, InteractionContact

    target = customer_by_name(session, customer)
    query = select(Interaction).where(Interaction.customer_id == target.id)
    if contact_id is not None:
        query = query.join(
            InteractionContact, col(InteractionContact.interaction_id) == Interaction.id
        ).where(InteractionContact.contact_id == contact_id)
    rows = session.exec(
        query.order_by(col(Interaction.happened_on).desc(), col(Interaction.id).desc())
    ).all()
    people = participants(session, [r.id for r in rows if r.id is not None])
    return [
        to_view(r, target.name, login_of(session, r.user_id), people.get(r.id or 0)) for r in rows
    ]


def _link(session: Session, row: Interaction, customer_id: int, contact_ids: list[int]) -> None:
    """Make exactly these contacts the interaction's participants."""
    from sqlmodel import delete

    from db.models import InteractionContact
    from kam.services.contacts import contact_of

    for cid in dict.fromkeys(contact_ids):
        contact_of(session, cid, customer_id)
    session.exec(delete(InteractionContact).where(InteractionContact.interaction_id == row.id))  # type: ignore[call-overload, arg-type]
    for cid in dict.fromkeys(contact_ids):
        session.add(InteractionContact(interaction_id=row.id, contact_id=cid))  # type: ignore[arg-type]
    session.flush()


def log_interaction(
    session: Session, actor: Actor, customer: str, **fields: Any
) -> InteractionView:
    """Log an interaction; an executive may log an executive visit on an account they sponsor."""
    from db.models import Interaction

    target = customer_by_name(session, customer)
    assert target.id is not None
    data = validated(InteractionInput, **fields)
    require_on_customer(session, actor, interaction_action(data.kind), target)
    dates.happened(data.happened_on, "happened_on")
    if data.kind == InteractionKind.EXECUTIVE_VISIT and not data.summary.strip():
        # As `kam sponsor visit` asks: the sponsor visit the cadence counts from says what
        # was discussed.
        raise InvalidData("summary: an executive visit needs notes on what was discussed.")
    row = Interaction(
        customer_id=target.id, user_id=actor.id, **data.model_dump(exclude={"contacts"})
    )
    session.add(row)
    session.flush()
    _link(session, row, target.id, data.contacts)
    audit.record_created(
        session,
        actor,
        entity="interaction",
        entity_id=row.id,
        customer_id=target.id,
        values=data.model_dump(),
    )
    return to_view(
        row, target.name, actor.login, participants(session, [row.id or 0]).get(row.id or 0)
    )


def update_interaction(
    session: Session, actor: Actor, interaction_id: int, **fields: Any
) -> InteractionView:
    """Correct an interaction's date, people or summary."""
    from db.models import Customer, Interaction

    row = session.get(Interaction, interaction_id)
    if row is None:
        raise NotFound(f"No interaction has id {interaction_id}.")
    customer = session.get(Customer, row.customer_id)
    assert customer is not None
    require_on_customer(session, actor, interaction_action(row.kind), customer)
    changes = validated(InteractionChanges, **fields).model_dump(exclude_unset=True)
    changes.pop("kind", None)
    if changes.get("happened_on") is not None:
        dates.happened(changes["happened_on"], "happened_on")
    linked = changes.pop("contacts", None)
    if linked is not None:
        before = [cid for cid, _ in participants(session, [interaction_id]).get(interaction_id, [])]
        assert customer.id is not None
        _link(session, row, customer.id, linked)
        if sorted(set(linked)) != sorted(before):
            audit.record(session, actor, entity="interaction", entity_id=row.id,
                         customer_id=customer.id, field="contacts",
                         old=",".join(map(str, sorted(before))),
                         new=",".join(map(str, sorted(set(linked)))))  # fmt: skip
    audit.apply_changes(session, actor, row, changes, entity="interaction", customer_id=customer.id)
    return to_view(
        row,
        customer.name,
        login_of(session, row.user_id),
        participants(session, [interaction_id]).get(interaction_id),
    )
