"""Account plans: one per key account and fiscal year, with goals, objectives, actions and
comments."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.enums import ActionStatus, Department, GoalStatus, PlanFigure
from db.models.base import enum_column, utcnow

_plan_version = sa.Column("version", sa.Integer, nullable=False, server_default="1")


class AccountPlan(SQLModel, table=True):
    """One key account's plan for one fiscal year (optimistically locked)."""

    __tablename__ = "account_plan"
    __table_args__ = (
        sa.UniqueConstraint("key_account_id", "fiscal_year", name="uq_plan_account_year"),
    )
    __mapper_args__ = {"version_id_col": _plan_version}

    id: int | None = Field(default=None, primary_key=True)
    key_account_id: int = Field(foreign_key="key_account.id", index=True, ondelete="CASCADE")
    fiscal_year: int
    """The calendar year the fiscal year starts in."""
    situation: str = ""
    """The customer's strategy and priorities, in their words."""
    strengths: str = ""
    weaknesses: str = ""
    opportunities: str = ""
    threats: str = ""
    """SWOT lists, one item per line."""
    version: int = Field(default=1, sa_column=_plan_version)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by_id: int | None = Field(default=None, foreign_key="user_account.id")


class PlanGoal(SQLModel, table=True):
    """What we want with this customer this year."""

    __tablename__ = "plan_goal"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="account_plan.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=200)
    owner_id: int | None = Field(default=None, foreign_key="user_account.id")
    status: GoalStatus = Field(
        default=GoalStatus.OPEN,
        sa_column=enum_column(GoalStatus, "goal_status", server_default="open"),
    )
    carried_from_id: int | None = Field(default=None, foreign_key="plan_goal.id")
    position: int = 0
    created_at: datetime = Field(default_factory=utcnow)


class PlanObjective(SQLModel, table=True):
    """A measurable step towards a goal: a target by a date, its progress computed from a kam
    figure or updated by hand with a comment."""

    __tablename__ = "plan_objective"

    id: int | None = Field(default=None, primary_key=True)
    goal_id: int = Field(foreign_key="plan_goal.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=200)
    figure: PlanFigure | None = Field(
        default=None, sa_column=enum_column(PlanFigure, "objective_figure", nullable=True)
    )
    baseline: float | None = None
    """Where the measure stood when the objective was set (progress counts from here)."""
    target: float
    due_on: date
    current: float | None = None
    """The value last typed in (objectives without a figure)."""
    comment: str = ""
    updated_on: date | None = None
    dropped_on: date | None = None
    """The day it was dropped (added by mistake, or no longer pursued); None while pursued.
    A dropped objective counts in no progress."""
    created_at: datetime = Field(default_factory=utcnow)


class PlanAction(SQLModel, table=True):
    """Who does what by when, for an objective."""

    __tablename__ = "plan_action"

    id: int | None = Field(default=None, primary_key=True)
    objective_id: int = Field(foreign_key="plan_objective.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=200)
    owner_id: int | None = Field(default=None, foreign_key="user_account.id")
    owner_name: str = Field(default="", max_length=200)
    """The owner when they are not a kam user."""
    owner_department: Department | None = Field(
        default=None, sa_column=enum_column(Department, "action_department", nullable=True)
    )
    due_on: date
    status: ActionStatus = Field(
        default=ActionStatus.PLANNED,
        sa_column=enum_column(ActionStatus, "action_status", server_default="planned"),
    )
    done_on: date | None = None
    commitment_id: int | None = Field(
        default=None, foreign_key="commitment.id", ondelete="SET NULL"
    )
    contact_id: int | None = Field(default=None, foreign_key="contact.id", ondelete="SET NULL")
    """The person at the customer the action addresses (e.g. a blocker to win over)."""
    created_at: datetime = Field(default_factory=utcnow)


class PlanComment(SQLModel, table=True):
    """A comment on a plan (sponsors and other executives comment; they do not edit)."""

    __tablename__ = "plan_comment"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="account_plan.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user_account.id")
    text: str
    at: datetime = Field(default_factory=utcnow)
