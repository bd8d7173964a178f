"""Complaints: recorded, handled, verified, fed back, none missed and no step skipped."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, field_validator

from db.enums import ComplaintStatus, Severity
from kam.errors import NotFound, RuleError
from kam.rules import clock, dates, lifecycle, limits
from kam.rules.permissions import Action
from kam.services import audit
from kam.services.common import (
    customer_by_name,
    login_of,
    owner_by_login,
    require_on_customer,
    validated,
)
from kam.text import clean_text
from kam.views import ComplaintView

if TYPE_CHECKING:
    from sqlmodel import Session

    from db.models import Complaint
    from kam.identity import Actor

#: The date field stamped when a complaint reaches each status.
_STAMP = {
    ComplaintStatus.HANDLED: "handled_on",
    ComplaintStatus.VERIFIED: "verified_on",
    ComplaintStatus.FED_BACK: "fed_back_on",
}


#: The date field of the step a complaint is at.
_PREVIOUS_STAMP = {ComplaintStatus.RECORDED: "recorded_on", **_STAMP}


class ComplaintInput(BaseModel):
    """A new complaint."""

    summary: str = Field(min_length=1, max_length=limits.LONG_NOTE)
    severity: Severity
    recorded_on: date | None = None
    owner: str | None = None

    @field_validator("summary", mode="before")
    @classmethod
    def _clean(cls, value: Any) -> Any:
        return clean_text(value, multiline=True) if isinstance(value, str) else value


class ComplaintChanges(BaseModel):
    """Changes to a complaint other than its status."""

    summary: str | None = Field(default=None, min_length=1, max_length=limits.LONG_NOTE)
    severity: Severity | None = None
    resolution: str | None = Field(default=None, max_length=limits.LONG_NOTE)

    @field_validator("summary", "resolution", mode="before")
    @classmethod
    def _clean(cls, value: Any) -> Any:
        return clean_text(value, multiline=True) if isinstance(value, str) else value


def to_view(row: Complaint, customer: str, owner: str | None) -> ComplaintView:
    """The plain view of a complaint row."""
    assert row.id is not None
    return ComplaintView(
        id=row.id,
        customer=customer,
        summary=row.summary,
        severity=row.severity.value,
        status=row.status.value,
        owner=owner,
        recorded_on=row.recorded_on,
        handled_on=row.handled_on,
        verified_on=row.verified_on,
        fed_back_on=row.fed_back_on,
        resolution=row.resolution,
    )


def list_complaints(session: Session, customer: str) -> list[ComplaintView]:
    """A customer's complaints, newest first."""
    from sqlmodel import col, select

    from db.models import Complaint

    target = customer_by_name(session, customer)
    rows = session.exec(
        select(Complaint)
        .where(Complaint.customer_id == target.id)
        .order_by(col(Complaint.recorded_on).desc(), col(Complaint.id).desc())
    ).all()
    return [to_view(r, target.name, login_of(session, r.owner_id)) for r in rows]


def _complaint(session: Session, actor: Actor, complaint_id: int) -> tuple[Complaint, Any]:
    from db.models import Complaint, Customer

    row = session.get(Complaint, complaint_id)
    if row is None:
        raise NotFound(f"No complaint has id {complaint_id}.")
    customer = session.get(Customer, row.customer_id)
    assert customer is not None
    require_on_customer(session, actor, Action.EDIT_RECORDS, customer)
    return row, customer


def record_complaint(session: Session, actor: Actor, customer: str, **fields: Any) -> ComplaintView:
    """Record a complaint; the actor owns it unless another login is named."""
    from db.models import Complaint

    target = customer_by_name(session, customer)
    assert target.id is not None
    require_on_customer(session, actor, Action.EDIT_RECORDS, target)
    data = validated(ComplaintInput, **fields)
    owner_id = owner_by_login(session, data.owner).id if data.owner else actor.id
    row = Complaint(
        customer_id=target.id,
        summary=data.summary,
        severity=data.severity,
        recorded_on=dates.happened(clock.on_or_today(data.recorded_on), "recorded_on"),
        owner_id=owner_id,
    )
    session.add(row)
    session.flush()
    audit.record_created(
        session,
        actor,
        entity="complaint",
        entity_id=row.id,
        customer_id=target.id,
        values={"summary": row.summary, "severity": row.severity, "owner": data.owner},
    )
    return to_view(row, target.name, login_of(session, owner_id))


def advance_complaint(
    session: Session,
    actor: Actor,
    complaint_id: int,
    *,
    to: ComplaintStatus,
    on: date | None = None,
    resolution: str | None = None,
) -> ComplaintView:
    """Move a complaint to its next step; skipping a step or going back is refused."""

    row, customer = _complaint(session, actor, complaint_id)
    expected = lifecycle.complaint_next(row.status)
    if to != expected:
        raise RuleError(
            f"Complaint {complaint_id} is {row.status.value}; its next step is "
            f"{expected.value if expected else 'none (it is closed)'}, not {to.value}."
        )
    when = dates.happened(clock.on_or_today(on), _STAMP[to])
    previous = row.status
    dates.not_before(when, getattr(row, _PREVIOUS_STAMP[previous]), _STAMP[to],
                     f"the complaint was {previous.value.replace('_', ' ')}")  # fmt: skip
    changes: dict[str, Any] = {"status": to, _STAMP[to]: when}
    if resolution is not None:
        changes["resolution"] = clean_text(resolution, multiline=True)
    audit.apply_changes(session, actor, row, changes, entity="complaint", customer_id=customer.id)
    return to_view(row, customer.name, login_of(session, row.owner_id))


def update_complaint(
    session: Session, actor: Actor, complaint_id: int, **fields: Any
) -> ComplaintView:
    """Correct a complaint's summary, severity or resolution."""
    row, customer = _complaint(session, actor, complaint_id)
    changes = validated(ComplaintChanges, **fields).model_dump(exclude_unset=True)
    audit.apply_changes(session, actor, row, changes, entity="complaint", customer_id=customer.id)
    return to_view(row, customer.name, login_of(session, row.owner_id))
