"""The key account programme: memberships, criteria, assessments and their scores."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.enums import AccountStatus, AssessmentDecision, AssessmentKind, CriterionKind
from db.models.base import enum_column, score_check, utcnow

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
    counterpart_id: int | None = Field(default=None, foreign_key="contact.id", ondelete="SET NULL")
    """The customer's executive paired with our sponsor."""
    version: int = Field(default=1, sa_column=_account_version)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by_id: int | None = Field(default=None, foreign_key="user_account.id")


class Criterion(SQLModel, table=True):
    """A written, weighted admission rule. The set is versioned by `set_version`.

    A weight of 0 makes a knock-out that only gates admission (it adds nothing to the total).
    """

    __tablename__ = "criterion"
    __table_args__ = (
        sa.UniqueConstraint("set_version", "name", name="uq_criterion_set_name"),
        sa.CheckConstraint("weight > 0 OR (weight = 0 AND knock_out)", name="weight_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    set_version: int = Field(index=True)
    name: str = Field(max_length=100)
    description: str = ""
    weight: float
    kind: CriterionKind = Field(sa_column=enum_column(CriterionKind, "criterion_kind"))
    metric: str | None = Field(default=None, max_length=50)
    threshold: float | None = None
    threshold_setting: str | None = Field(default=None, max_length=50)
    """The programme setting whose value is the threshold (e.g. min_profit): the criterion
    passes at or above it. Set, it stands for `threshold`."""
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
    """One criterion's score inside an assessment: 0 (fails) to 5, to one decimal (metric
    criteria score on a continuous scale; manual ones are whole 1-5)."""

    __tablename__ = "assessment_score"
    __table_args__ = (
        sa.UniqueConstraint("assessment_id", "criterion_id", name="uq_score_criterion"),
        score_check("score", 0, 5),
    )

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", ondelete="CASCADE")
    criterion_id: int = Field(foreign_key="criterion.id")
    score: float
    value: float | None = None
    threshold: float | None = None
    """The threshold the value was held to when scored (a setting's value changes later)."""
    comment: str = ""
