"""The programme's settings, stored as text (kam.rules.programme reads them): a module of
their own, so that reading them builds no other table than the users', which their key
names."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from db.models.base import utcnow


class ProgrammeSetting(SQLModel, table=True):
    """One programme setting (cap, threshold, cadences...), stored as text."""

    __tablename__ = "programme_setting"

    key: str = Field(primary_key=True, max_length=50)
    value: str
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by_id: int | None = Field(default=None, foreign_key="user_account.id")
