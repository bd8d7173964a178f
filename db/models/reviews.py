"""Periodic reviews and best practices."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from db.enums import ReviewDecision
from db.models.base import enum_column, score_check, utcnow


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
