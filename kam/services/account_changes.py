"""The input of a key account's update, validated (kam.services.accounts applies it).

A module of its own, so that reading accounts never loads pydantic.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field, field_validator

from db.enums import AccountStatus
from kam.rules import limits
from kam.text import clean_text


class AccountChanges(BaseModel):
    """Changes to a key account; only the fields given are changed."""

    status: AccountStatus | None = None
    manager: str | None = None
    sponsor: str | None = None
    reason: str | None = Field(default=None, max_length=limits.NOTE)
    retention_override: limits.Number | None = Field(default=None, ge=0, le=1)
    margin_override: limits.Number | None = None
    next_review_on: date | None = None

    @field_validator("reason", mode="before")
    @classmethod
    def _clean(cls, value: Any) -> Any:
        return clean_text(value, multiline=True) if isinstance(value, str) else value
