"""Visits, calls, meetings, emails and executive visits."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, field_validator

from db.enums import InteractionKind
from kam.errors import NotFound
from kam.rules import dates, limits
from kam.rules.permissions import Action
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


def _action(kind: InteractionKind) -> Action:
    """Executive visits may be logged by the account's sponsor too; other kinds by editors."""
    if kind == InteractionKind.EXECUTIVE_VISIT:
        return Action.LOG_EXECUTIVE_VISIT
    return Action.EDIT_RECORDS


def to_view(row: Interaction, customer: str, logged_by: str | None) -> InteractionView:
    """The plain view of an interaction row."""
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
    )


def list_interactions(session: Session, customer: str) -> list[InteractionView]:
    """A customer's interactions, newest first."""
    from sqlmodel import col, select

    from db.models import Interaction

    target = customer_by_name(session, customer)
    rows = session.exec(
        select(Interaction)
        .where(Interaction.customer_id == target.id)
        .order_by(col(Interaction.happened_on).desc(), col(Interaction.id).desc())
    ).all()
    return [to_view(r, target.name, login_of(session, r.user_id)) for r in rows]


def log_interaction(
    session: Session, actor: Actor, customer: str, **fields: Any
) -> InteractionView:
    """Log an interaction; an executive may log an executive visit on an account they sponsor."""
    from db.models import Interaction

    target = customer_by_name(session, customer)
    assert target.id is not None
    data = validated(InteractionInput, **fields)
    require_on_customer(session, actor, _action(data.kind), target)
    dates.happened(data.happened_on, "happened_on")
    row = Interaction(customer_id=target.id, user_id=actor.id, **data.model_dump())
    session.add(row)
    session.flush()
    audit.record_created(
        session,
        actor,
        entity="interaction",
        entity_id=row.id,
        customer_id=target.id,
        values=data.model_dump(),
    )
    return to_view(row, target.name, actor.login)


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
    require_on_customer(session, actor, _action(row.kind), customer)
    changes = validated(InteractionChanges, **fields).model_dump(exclude_unset=True)
    changes.pop("kind", None)
    if changes.get("happened_on") is not None:
        dates.happened(changes["happened_on"], "happened_on")
    audit.apply_changes(session, actor, row, changes, entity="interaction", customer_id=customer.id)
    return to_view(row, customer.name, login_of(session, row.user_id))
