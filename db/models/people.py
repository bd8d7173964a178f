"""People who use kam: users, their skills, their training."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from db.enums import Role
from db.models.base import enum_column, score_check, utcnow


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
