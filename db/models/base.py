"""What every table module shares: the UTC clock of timestamps, portable enum columns,
score checks."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum

import sqlalchemy as sa


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
