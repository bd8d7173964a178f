"""kam's tables: every entity of the domain, with the constraints the domain demands.

Times are timezone-aware UTC; dates are calendar dates. Money is stored as floating
point in the supplier's currency (metrics run in pandas over float64 anyway).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import Enum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.enums import (
    AccountStatus,
    AssessmentDecision,
    AssessmentKind,
    BuyingRole,
    CommitmentStatus,
    CommunicationStyle,
    ComplaintStatus,
    CostCategory,
    CriterionKind,
    CustomerStatus,
    Department,
    Door,
    InteractionKind,
    LifecycleStage,
    LoyaltyType,
    ReviewDecision,
    Role,
    Severity,
)


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC, the form every timestamp is stored in."""
    return datetime.now(UTC)


def enum_column(enum: type[Enum], name: str, *, nullable: bool = False, **kw: object) -> sa.Column:
    """A portable enum column: VARCHAR plus a named CHECK constraint (no native PG enum)."""
    return sa.Column(
        sa.Enum(
            enum,
            native_enum=False,
            create_constraint=True,
            length=max(len(m.value) for m in enum),
            name=f"ck_{name}",
            values_callable=lambda e: [m.value for m in e],
            validate_strings=True,
        ),
        nullable=nullable,
        **kw,  # type: ignore[arg-type]
    )


def score_check(column: str, low: int, high: int) -> sa.CheckConstraint:
    """A CHECK constraint keeping a score inside its range (NULL allowed)."""
    return sa.CheckConstraint(f"{column} BETWEEN {low} AND {high}", name=f"{column}_range")


class User(SQLModel, table=True):
    """A person who uses kam, matched by OS login."""

    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(max_length=64, sa_column_kwargs={"unique": True}, nullable=False)
    display_name: str = Field(max_length=200)
    title: str = Field(default="", max_length=200)
    role: Role = Field(sa_column=enum_column(Role, "user_role"))
    active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow)


class ManagerSkill(SQLModel, table=True):
    """A key account manager's skill scores, 1 (novice) to 5 (expert)."""

    __tablename__ = "manager_profile"
    __table_args__ = (
        score_check("finance", 1, 5),
        score_check("consulting", 1, 5),
        score_check("planning", 1, 5),
        score_check("interpersonal", 1, 5),
        score_check("influence", 1, 5),
    )

    user_id: int = Field(foreign_key="user_account.id", primary_key=True, ondelete="CASCADE")
    finance: int | None = None
    consulting: int | None = None
    planning: int | None = None
    interpersonal: int | None = None
    influence: int | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class TrainingRecord(SQLModel, table=True):
    """A course a manager took."""

    __tablename__ = "training_record"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    course: str = Field(max_length=200)
    taken_on: date
    note: str = ""


class Customer(SQLModel, table=True):
    """A customer of the supplier: the whole base, key account or not."""

    __tablename__ = "customer"
    __table_args__ = (sa.CheckConstraint("estimated_wallet >= 0", name="wallet_not_negative"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, sa_column_kwargs={"unique": True}, nullable=False)
    code: str | None = Field(default=None, max_length=64, sa_column_kwargs={"unique": True})
    industry: str = Field(default="", max_length=100, index=True)
    region: str = Field(default="", max_length=100, index=True)
    status: CustomerStatus = Field(
        default=CustomerStatus.ACTIVE,
        sa_column=enum_column(CustomerStatus, "customer_status", server_default="active"),
    )
    lifecycle_stage: LifecycleStage = Field(
        default=LifecycleStage.PURCHASE,
        sa_column=enum_column(LifecycleStage, "customer_lifecycle", server_default="purchase"),
    )
    loyalty_type: LoyaltyType | None = Field(
        default=None, sa_column=enum_column(LoyaltyType, "customer_loyalty", nullable=True)
    )
    estimated_wallet: float | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Transaction(SQLModel, table=True):
    """An imported sales line. `line_key` is the natural key that makes re-imports idempotent."""

    __tablename__ = "sales_line"
    __table_args__ = (
        sa.Index("ix_sales_line_customer_date", "customer_id", "sold_on"),
        # Quantities are negative only on a return (negative revenue), as the importer checks.
        sa.CheckConstraint("quantity >= 0 OR revenue < 0", name="quantity_not_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", ondelete="CASCADE")
    sold_on: date  # ix_sales_line_customer_date covers it (migration 0002)
    revenue: float
    cost_of_goods: float
    quantity: float = 0
    product: str | None = Field(default=None, max_length=100)
    order_id: str | None = Field(default=None, max_length=100)
    line_key: str = Field(max_length=200, sa_column_kwargs={"unique": True}, nullable=False)


class ServiceCost(SQLModel, table=True):
    """A cost-to-serve line for one customer."""

    __tablename__ = "service_cost"
    __table_args__ = (sa.Index("ix_service_cost_customer_date", "customer_id", "incurred_on"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", ondelete="CASCADE")
    incurred_on: date
    category: CostCategory = Field(sa_column=enum_column(CostCategory, "cost_category"))
    amount: float
    note: str = ""
    line_key: str = Field(max_length=200, sa_column_kwargs={"unique": True}, nullable=False)


_account_version = sa.Column("version", sa.Integer, nullable=False, server_default="1")


class KeyAccount(SQLModel, table=True):
    """One customer's membership of the key account programme (optimistically locked)."""

    __tablename__ = "key_account"
    __table_args__ = (
        # One open membership per customer at a time; retired and rejected ones stay as history.
        sa.Index(
            "uq_key_account_open_customer",
            "customer_id",
            unique=True,
            sqlite_where=sa.text("status NOT IN ('retired', 'rejected')"),
            postgresql_where=sa.text("status NOT IN ('retired', 'rejected')"),
        ),
        sa.CheckConstraint(
            "retention_override IS NULL OR (retention_override >= 0 AND retention_override <= 1)",
            name="retention_override_range",
        ),
    )
    __mapper_args__ = {"version_id_col": _account_version}

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    status: AccountStatus = Field(
        default=AccountStatus.NOMINATED,
        sa_column=enum_column(AccountStatus, "account_status", index=True),
    )
    manager_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    sponsor_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    nominated_on: date = Field(default_factory=lambda: utcnow().date())
    admitted_on: date | None = None
    retired_on: date | None = None
    next_review_on: date | None = None
    reason: str = ""
    retention_override: float | None = None
    margin_override: float | None = None
    admitted_by_override: bool = False
    version: int = Field(default=1, sa_column=_account_version)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by_id: int | None = Field(default=None, foreign_key="user_account.id")


class Criterion(SQLModel, table=True):
    """A written, weighted admission rule. The set is versioned by `set_version`."""

    __tablename__ = "criterion"
    __table_args__ = (
        sa.UniqueConstraint("set_version", "name", name="uq_criterion_set_name"),
        sa.CheckConstraint("weight > 0", name="weight_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    set_version: int = Field(index=True)
    name: str = Field(max_length=100)
    description: str = ""
    weight: float
    kind: CriterionKind = Field(sa_column=enum_column(CriterionKind, "criterion_kind"))
    metric: str | None = Field(default=None, max_length=50)
    threshold: float | None = None
    knock_out: bool = False
    created_at: datetime = Field(default_factory=utcnow)


class Assessment(SQLModel, table=True):
    """A scoring of one account against one version of the criteria."""

    __tablename__ = "assessment"
    __table_args__ = (sa.CheckConstraint("total BETWEEN 0 AND 100", name="total_range"),)

    id: int | None = Field(default=None, primary_key=True)
    key_account_id: int = Field(foreign_key="key_account.id", index=True, ondelete="CASCADE")
    kind: AssessmentKind = Field(sa_column=enum_column(AssessmentKind, "assessment_kind"))
    criteria_version: int
    total: float | None = None
    complete: bool = False
    knock_out_failed: bool = False
    decision: AssessmentDecision | None = Field(
        default=None,
        sa_column=enum_column(AssessmentDecision, "assessment_decision", nullable=True),
    )
    rationale: str = ""
    override: bool = False
    override_reason: str = ""
    decided_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    decided_at: datetime | None = None
    created_by_id: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)


class AssessmentScore(SQLModel, table=True):
    """One criterion's score inside an assessment: 0 (fails) to 5."""

    __tablename__ = "assessment_score"
    __table_args__ = (
        sa.UniqueConstraint("assessment_id", "criterion_id", name="uq_score_criterion"),
        score_check("score", 0, 5),
    )

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", ondelete="CASCADE")
    criterion_id: int = Field(foreign_key="criterion.id")
    score: int
    value: float | None = None
    comment: str = ""


class Contact(SQLModel, table=True):
    """A person at the customer."""

    __tablename__ = "contact"
    __table_args__ = (score_check("relationship_strength", 1, 5),)

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
    created_at: datetime = Field(default_factory=utcnow)


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


class Review(SQLModel, table=True):
    """A periodic benchmark review of one key account."""

    __tablename__ = "review"
    __table_args__ = (
        score_check("perceived", 1, 10),
        score_check("expected", 1, 10),
    )

    id: int | None = Field(default=None, primary_key=True)
    key_account_id: int = Field(foreign_key="key_account.id", index=True, ondelete="CASCADE")
    assessment_id: int | None = Field(default=None, foreign_key="assessment.id")
    reviewed_on: date
    perceived: int | None = None
    expected: int | None = None
    satisfaction: float | None = None
    metrics_json: str = "{}"
    benchmark_json: str = "{}"
    checklist_json: str = "{}"
    decision: ReviewDecision = Field(sa_column=enum_column(ReviewDecision, "review_decision"))
    notes: str = ""
    next_review_on: date | None = None
    reviewed_by_id: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)


class BestPractice(SQLModel, table=True):
    """A practice found inside or outside the company."""

    __tablename__ = "best_practice"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200, sa_column_kwargs={"unique": True}, nullable=False)
    description: str = ""
    source: str = ""
    tags: str = ""
    created_at: datetime = Field(default_factory=utcnow)


class ReviewPractice(SQLModel, table=True):
    """A best practice linked to a review."""

    __tablename__ = "review_practice"

    review_id: int = Field(foreign_key="review.id", primary_key=True, ondelete="CASCADE")
    practice_id: int = Field(foreign_key="best_practice.id", primary_key=True)


class ProgrammeSetting(SQLModel, table=True):
    """One programme setting (cap, threshold, cadences...), stored as text."""

    __tablename__ = "programme_setting"

    key: str = Field(primary_key=True, max_length=50)
    value: str
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by_id: int | None = Field(default=None, foreign_key="user_account.id")


class AuditEvent(SQLModel, table=True):
    """One recorded change. Append-only: triggers refuse UPDATE and DELETE (and, on
    PostgreSQL, TRUNCATE); hash-chained in id order (db.auditlog defines the chain).

    `actor` is the user the change was made as (whose role allowed it); `real_actor` the OS
    login that ran kam: another login when an admin acted as `actor` (KAM_USER), NULL on
    events recorded before kam kept it.
    """

    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_entity", "entity", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(max_length=64)
    real_actor: str | None = Field(default=None, max_length=64)
    door: Door = Field(sa_column=enum_column(Door, "audit_door"))
    entity: str = Field(max_length=50)
    entity_id: int | None = None
    customer_id: int | None = Field(default=None, index=True)
    field: str | None = Field(default=None, max_length=50)
    old: str | None = None
    new: str | None = None
    prev_hash: str | None = Field(default=None, max_length=64)
    """The hash of the event before this one in id order; NULL for the first event."""
    hash: str = Field(max_length=64)
    """SHA-256 (hex) over this event's content and `prev_hash` (db.auditlog.link_hash)."""
