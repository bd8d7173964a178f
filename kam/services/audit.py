"""The audit trail: every change writes an AuditEvent; events are never changed."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

from kam.views import AuditView

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement
    from sqlmodel import Session

    from kam.identity import Actor


def as_text(value: Any) -> str | None:
    """How a value is written into the audit trail."""
    if value is None:
        return None
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def record(
    session: Session,
    actor: Actor,
    *,
    entity: str,
    entity_id: int | None,
    customer_id: int | None,
    field: str | None = None,
    old: Any = None,
    new: Any = None,
) -> None:
    """Write one audit event in the caller's transaction."""
    from db.models import AuditEvent

    session.add(
        AuditEvent(
            actor=actor.login,
            door=actor.door,
            entity=entity,
            entity_id=entity_id,
            customer_id=customer_id,
            field=field,
            old=as_text(old),
            new=as_text(new),
        )
    )


@dataclass(frozen=True)
class Entry:
    """One event for `record_many`: what changed, on which record."""

    entity: str
    entity_id: int | None
    customer_id: int | None
    field: str | None = None
    old: Any = None
    new: Any = None


def record_many(session: Session, actor: Actor, entries: Iterable[Entry]) -> int:
    """Write many audit events at once (imports, batches), in the caller's transaction, with
    one bulk insert instead of an ORM object per event. Returns how many were written."""
    from db.bulk import insert_rows
    from db.models import AuditEvent, utcnow

    now = utcnow()
    rows = [
        {
            "at": now,
            "actor": actor.login,
            "door": actor.door.value,
            "entity": e.entity,
            "entity_id": e.entity_id,
            "customer_id": e.customer_id,
            "field": e.field,
            "old": as_text(e.old),
            "new": as_text(e.new),
        }
        for e in entries
    ]
    if rows:
        session.flush()  # events recorded one by one before these keep their order
        insert_rows(session, AuditEvent, rows)
    return len(rows)


def record_created(
    session: Session,
    actor: Actor,
    *,
    entity: str,
    entity_id: int | None,
    customer_id: int | None,
    values: dict[str, Any],
) -> None:
    """Write the creation of a record, with its initial values as JSON."""
    shown = {k: as_text(v) for k, v in values.items() if v not in (None, "")}
    record(
        session,
        actor,
        entity=entity,
        entity_id=entity_id,
        customer_id=customer_id,
        field="(created)",
        new=json.dumps(shown, ensure_ascii=False, sort_keys=True),
    )


def apply_changes(
    session: Session,
    actor: Actor,
    row: Any,
    changes: dict[str, Any],
    *,
    entity: str,
    customer_id: int | None,
    shown: Callable[[str, Any], tuple[str, Any]] | None = None,
) -> dict[str, tuple[Any, Any]]:
    """Set the changed fields on `row`, audit each one, and return {field: (old, new)}.

    `shown(field, value)` may rename a field and its values for the trail (ids to logins).
    """
    changed: dict[str, tuple[Any, Any]] = {}
    for field, new in changes.items():
        old = getattr(row, field)
        if old == new:
            continue
        setattr(row, field, new)
        changed[field] = (old, new)
        name, old_shown, new_shown = field, old, new
        if shown is not None:
            name, old_shown = shown(field, old)
            _, new_shown = shown(field, new)
        record(
            session,
            actor,
            entity=entity,
            entity_id=row.id,
            customer_id=customer_id,
            field=name,
            old=old_shown,
            new=new_shown,
        )
    return changed


def _event_filters(customer_id: int | None, entity: str | None) -> list[ColumnElement[bool]]:
    """The WHERE conditions of an audit search, shared by the list and its count."""
    from sqlmodel import col

    from db.models import AuditEvent

    conditions: list[ColumnElement[bool]] = []
    if customer_id is not None:
        conditions.append(col(AuditEvent.customer_id) == customer_id)
    if entity is not None:
        conditions.append(col(AuditEvent.entity) == entity)
    return conditions


def list_events(
    session: Session,
    *,
    customer_id: int | None = None,
    entity: str | None = None,
    limit: int | None = 200,
) -> list[AuditView]:
    """The newest audit events first, optionally for one customer's records or one entity."""
    from sqlmodel import col, select

    from db.models import AuditEvent, Customer

    query = (
        select(AuditEvent, Customer.name)
        .join(Customer, col(Customer.id) == AuditEvent.customer_id, isouter=True)
        .where(*_event_filters(customer_id, entity))
        .order_by(col(AuditEvent.id).desc())
    )
    if limit is not None:
        query = query.limit(limit)
    return [
        AuditView(
            id=e.id or 0,
            at=e.at,
            actor=e.actor,
            door=e.door.value,
            entity=e.entity,
            entity_id=e.entity_id,
            customer=name,
            field=e.field,
            old=e.old,
            new=e.new,
        )
        for e, name in session.exec(query).all()
    ]


def count_events(
    session: Session, *, customer_id: int | None = None, entity: str | None = None
) -> int:
    """How many audit events `list_events` finds with these filters, before any limit."""
    from sqlalchemy import func
    from sqlmodel import select

    from db.models import AuditEvent

    query = select(func.count()).select_from(AuditEvent)
    return session.exec(query.where(*_event_filters(customer_id, entity))).one()
