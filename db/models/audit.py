"""The audit trail: append-only, hash-chained (db.auditlog)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.enums import Door
from db.models.base import enum_column, utcnow


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
