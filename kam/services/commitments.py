"""Promises made to customers, so that none gets lost when people change."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, field_validator

from db.enums import CommitmentStatus, Department
from kam.errors import InvalidData, NotFound, RuleError
from kam.rules import clock, dates, lifecycle, limits
from kam.rules.permissions import Action
from kam.services import audit
from kam.services.common import (
    customer_by_name,
    login_of,
    require_on_customer,
    user_by_login,
    user_names,
    validated,
)
from kam.services.contacts import contact_of
from kam.text import clean_text
from kam.views import CommitmentView

if TYPE_CHECKING:
    from sqlmodel import Session

    from db.models import Commitment
    from kam.identity import Actor


class CommitmentInput(BaseModel):
    """A new commitment."""

    description: str = Field(min_length=1, max_length=limits.NOTE)
    department: Department
    due_on: date
    made_by: str | None = None
    """The kam login of who made the promise (default: the one recording it)."""
    made_by_name: str | None = Field(default=None, max_length=limits.NAME)
    """Or: the name of someone outside kam who made it (a former rep, a colleague)."""
    made_by_department: Department | None = None
    """That person's department."""
    contact: int | None = None
    """The id of the contact it was made to."""

    @field_validator("made_by_name", mode="before")
    @classmethod
    def _clean_name(cls, value: Any) -> Any:
        return clean_text(value) if isinstance(value, str) else value

    @field_validator("description", mode="before")
    @classmethod
    def _clean(cls, value: Any) -> Any:
        return clean_text(value, multiline=True) if isinstance(value, str) else value


class CommitmentChanges(BaseModel):
    """Changes to a commitment."""

    description: str | None = Field(default=None, min_length=1, max_length=limits.NOTE)
    department: Department | None = None
    due_on: date | None = None
    status: CommitmentStatus | None = None

    @field_validator("description", mode="before")
    @classmethod
    def _clean(cls, value: Any) -> Any:
        return clean_text(value, multiline=True) if isinstance(value, str) else value


def to_view(row: Commitment, customer: str, session: Session, today: date) -> CommitmentView:
    """The plain view of a commitment row; overdue means open and past its due date."""
    from db.models import Contact

    assert row.id is not None
    names = user_names(session, row.made_by_id) if row.made_by_id else None
    contact = session.get(Contact, row.contact_id) if row.contact_id else None
    return CommitmentView(
        id=row.id,
        customer=customer,
        description=row.description,
        made_by=names[0] if names else (row.made_by_name or None),
        department=row.department.value,
        due_on=row.due_on,
        status=row.status.value,
        closed_on=row.closed_on,
        overdue=row.status == CommitmentStatus.OPEN and row.due_on < today,
        made_by_name=names[1] if names else (row.made_by_name or None),
        made_by_department=row.made_by_department.value if row.made_by_department else None,
        contact_id=row.contact_id,
        contact=contact.name if contact else None,
    )


def list_commitments(
    session: Session, customer: str, *, today: date | None = None
) -> list[CommitmentView]:
    """A customer's commitments by due date."""
    from sqlmodel import col, select

    from db.models import Commitment

    target = customer_by_name(session, customer)
    rows = session.exec(
        select(Commitment)
        .where(Commitment.customer_id == target.id)
        .order_by(col(Commitment.due_on))
    ).all()
    now = clock.on_or_today(today)
    return [to_view(r, target.name, session, now) for r in rows]


def add_commitment(session: Session, actor: Actor, customer: str, **fields: Any) -> CommitmentView:
    """Record a promise made to a customer; made by the actor unless another login is named."""
    from db.models import Commitment

    target = customer_by_name(session, customer)
    assert target.id is not None
    require_on_customer(session, actor, Action.EDIT_RECORDS, target)
    data = validated(CommitmentInput, **fields)
    if data.made_by and data.made_by_name:
        raise InvalidData(
            "made_by: give a kam login (made_by) or an outside person's name (made_by_name), "
            "not both."
        )
    if data.contact is not None:
        contact_of(session, data.contact, target.id)
    made_by_id = None
    if not data.made_by_name:
        made_by_id = user_by_login(session, data.made_by).id if data.made_by else actor.id
    row = Commitment(
        customer_id=target.id,
        description=data.description,
        department=data.department,
        due_on=data.due_on,
        made_by_id=made_by_id,
        made_by_name=data.made_by_name or "",
        made_by_department=data.made_by_department if data.made_by_name else None,
        contact_id=data.contact,
    )
    session.add(row)
    session.flush()
    audit.record_created(
        session,
        actor,
        entity="commitment",
        entity_id=row.id,
        customer_id=target.id,
        values={**data.model_dump(), "made_by": login_of(session, made_by_id) or data.made_by_name},
    )
    view = to_view(row, target.name, session, clock.today())
    return replace(view, warning=dates.overdue_warning(data.due_on, "The promise"))


def update_commitment(
    session: Session, actor: Actor, commitment_id: int, **fields: Any
) -> CommitmentView:
    """Change a commitment; closing it (done or broken) stamps the date, reopening clears it."""
    from db.models import Commitment, Customer

    row = session.get(Commitment, commitment_id)
    if row is None:
        raise NotFound(f"No commitment has id {commitment_id}.")
    customer = session.get(Customer, row.customer_id)
    assert customer is not None
    require_on_customer(session, actor, Action.EDIT_RECORDS, customer)
    changes = validated(CommitmentChanges, **fields).model_dump(exclude_unset=True)
    if "status" in changes:
        if changes["status"] is None:
            raise RuleError("status: a commitment is open, done or broken.")
        if changes["status"] != row.status:
            closing = not lifecycle.commitment_is_open(changes["status"])
            changes["closed_on"] = clock.today() if closing else None
    audit.apply_changes(session, actor, row, changes, entity="commitment", customer_id=customer.id)
    return to_view(row, customer.name, session, clock.today())
