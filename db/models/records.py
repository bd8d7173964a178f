"""The account work: people at the customer, interactions, commitments, complaints."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.enums import (
    BuyingRole,
    CommitmentStatus,
    CommunicationStyle,
    ComplaintStatus,
    Department,
    InteractionKind,
    Severity,
    Stance,
)
from db.models.base import enum_column, score_check, utcnow


class Contact(SQLModel, table=True):
    """A person at the customer."""

    __tablename__ = "contact"
    __table_args__ = (
        score_check("relationship_strength", 1, 5),
        score_check("influence", 1, 5),
        sa.CheckConstraint("cadence_days IS NULL OR cadence_days > 0", name="cadence_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=200)
    job_title: str = Field(default="", max_length=200)
    email: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=50)
    buying_role: BuyingRole | None = Field(
        default=None, sa_column=enum_column(BuyingRole, "contact_buying_role", nullable=True)
    )
    communication_style: CommunicationStyle | None = Field(
        default=None,
        sa_column=enum_column(CommunicationStyle, "contact_style", nullable=True),
    )
    relationship_strength: int | None = None
    reports_to_id: int | None = Field(default=None, foreign_key="contact.id", ondelete="SET NULL")
    """Whom this person reports to (a contact at the same customer)."""
    influence: int | None = None
    """1 (little) to 5 (decisive) over the buying decision; 4-5 is high."""
    stance: Stance | None = Field(
        default=None, sa_column=enum_column(Stance, "contact_stance", nullable=True)
    )
    owner_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    """The kam user who holds the relationship."""
    cadence_days: int | None = None
    """How often to be in touch; None: the default for the buying role."""
    created_at: datetime = Field(default_factory=utcnow)


class InteractionContact(SQLModel, table=True):
    """A contact who took part in an interaction."""

    __tablename__ = "interaction_contact"

    interaction_id: int = Field(foreign_key="interaction.id", primary_key=True, ondelete="CASCADE")
    contact_id: int = Field(foreign_key="contact.id", primary_key=True, ondelete="CASCADE")


class Interaction(SQLModel, table=True):
    """A visit, call, meeting, email or executive (sponsor) visit."""

    __tablename__ = "interaction"
    __table_args__ = (sa.Index("ix_interaction_customer_date", "customer_id", "happened_on"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", ondelete="CASCADE")
    kind: InteractionKind = Field(sa_column=enum_column(InteractionKind, "interaction_kind"))
    happened_on: date
    our_people: str = ""
    their_people: str = ""
    summary: str = ""
    user_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)


class Commitment(SQLModel, table=True):
    """A promise made to a customer, so that none gets lost."""

    __tablename__ = "commitment"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True, ondelete="CASCADE")
    description: str
    made_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    made_by_name: str = Field(default="", max_length=200)
    """Who made the promise when they are not a kam user (a former rep, a colleague)."""
    made_by_department: Department | None = Field(
        default=None,
        sa_column=enum_column(Department, "commitment_made_by_department", nullable=True),
    )
    contact_id: int | None = Field(default=None, foreign_key="contact.id", ondelete="SET NULL")
    """To whom at the customer the promise was made."""
    department: Department = Field(sa_column=enum_column(Department, "commitment_department"))
    due_on: date
    status: CommitmentStatus = Field(
        default=CommitmentStatus.OPEN,
        sa_column=enum_column(CommitmentStatus, "commitment_status", server_default="open"),
    )
    closed_on: date | None = None
    created_at: datetime = Field(default_factory=utcnow)


class Complaint(SQLModel, table=True):
    """A complaint: recorded, handled, verified, fed back."""

    __tablename__ = "complaint"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True, ondelete="CASCADE")
    summary: str
    severity: Severity = Field(sa_column=enum_column(Severity, "complaint_severity"))
    status: ComplaintStatus = Field(
        default=ComplaintStatus.RECORDED,
        sa_column=enum_column(ComplaintStatus, "complaint_status", server_default="recorded"),
    )
    owner_id: int | None = Field(default=None, foreign_key="user_account.id")
    recorded_on: date
    handled_on: date | None = None
    verified_on: date | None = None
    fed_back_on: date | None = None
    resolution: str = ""
    created_at: datetime = Field(default_factory=utcnow)
